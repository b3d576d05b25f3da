"""Rule compare_groups: prevalence by group and differences to the rest, with bootstrap intervals.

Thin: all logic is in swedish_topics.pipeline.compare_groups.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.compare_groups(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        facet=snakemake.wildcards.facet,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
