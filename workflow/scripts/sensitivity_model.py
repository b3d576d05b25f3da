"""Rule sensitivity_model: a preprocessing variant's model with the main run's K and seed.

Thin: all logic is in swedish_topics.pipeline.sensitivity_model.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.sensitivity_model(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        outputs=dict(snakemake.output.items()),
        variant=snakemake.wildcards.variant,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
