"""Rule plot_topic_words_over_facet: the words that rose and fell within the leading topics.

Thin: all logic is in swedish_topics.pipeline.plot_topic_words_over_facet.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.plot_topic_words_over_facet(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        facet=snakemake.wildcards.facet,
        out_png=snakemake.output.png,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
