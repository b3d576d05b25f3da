"""Rule trend: the trend of every topic per unit of a numeric facet, with bootstrap intervals.

Thin: all logic is in swedish_topics.pipeline.trend.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.trend(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        facet=snakemake.wildcards.facet,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
