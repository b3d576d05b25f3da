"""Rule effects: adjusted effects of every facet (one regression per topic on all facets).

Thin: all logic is in swedish_topics.pipeline.effects.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.effects(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        outputs={"effects": list(snakemake.output.effects)},
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
