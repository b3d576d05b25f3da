"""Rule plot_prevalence_heatmap: topic prevalence by group of a categorical facet.

Thin: all logic is in swedish_topics.pipeline.plot_prevalence_heatmap.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.plot_prevalence_heatmap(
        inputs=dict(snakemake.input.items()),
        facet=snakemake.wildcards.facet,
        max_groups=snakemake.params.max_groups,
        pool_from_groups=snakemake.params.pool_from_groups,
        out_png=snakemake.output.png,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
