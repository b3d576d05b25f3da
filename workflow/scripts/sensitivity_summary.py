"""Rule sensitivity_summary: every preprocessing variant against the main run.

Thin: all logic is in swedish_topics.pipeline.sensitivity_summary.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    inputs = {name: value for name, value in snakemake.input.items()}
    for name in (
        "differences",
        "trends",
        "variant_models",
        "variant_summaries",
        "variant_differences",
        "variant_trends",
        "effects",
        "variant_effects",
    ):
        inputs[name] = list(getattr(snakemake.input, name))
    pipeline.sensitivity_summary(
        inputs=inputs,
        cfg=snakemake.params.cfg,
        variants=snakemake.params.variants,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
