"""Rule select_model: pick the final K and seed by the configured rule.

Thin: all logic is in swedish_topics.pipeline.select_model.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.select_model(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        out_choice=snakemake.output.choice,
        pin=snakemake.params.pin,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
