"""Rule plot_model_selection: each metric against K, the chosen K marked.

Thin: all logic is in swedish_topics.pipeline.plot_model_selection.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.plot_model_selection(
        inputs=dict(snakemake.input.items()), out_png=snakemake.output.png
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
