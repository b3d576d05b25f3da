"""Rule content_by_facet: words by group, wording divergence and passages by group of one facet.

Thin: all logic is in swedish_topics.pipeline.content_by_facet.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.content_by_facet(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        facet=snakemake.wildcards.facet,
        models=snakemake.params.models,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
