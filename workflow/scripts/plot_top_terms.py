"""Rule plot_top_terms: top terms per topic.

Thin: all logic is in swedish_topics.pipeline.plot_top_terms.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.plot_top_terms(inputs=dict(snakemake.input.items()), out_png=snakemake.output.png)


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
