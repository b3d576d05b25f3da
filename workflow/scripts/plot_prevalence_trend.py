"""Rule plot_prevalence_trend: topic prevalence over a numeric facet, with interval bands.

Thin: all logic is in swedish_topics.pipeline.plot_prevalence_trend.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.plot_prevalence_trend(
        inputs=dict(snakemake.input.items()),
        facet=snakemake.wildcards.facet,
        out_png=snakemake.output.png,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
