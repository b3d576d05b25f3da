"""Rule content_over_facet: leading, rising and falling words of each topic over a numeric facet.

Thin: all logic is in swedish_topics.pipeline.content_over_facet.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.content_over_facet(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        facet=snakemake.wildcards.facet,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
