"""Rule plot_doc_composition: the topic composition of each document.

Thin: all logic is in swedish_topics.pipeline.plot_doc_composition.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.plot_doc_composition(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        out_png=snakemake.output.png,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
