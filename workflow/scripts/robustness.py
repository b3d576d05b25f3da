"""Rule robustness: every comparison recomputed in the other seeds and neighbouring Ks.

Thin: all logic is in swedish_topics.pipeline.robustness.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.robustness(
        inputs={
            "choice": snakemake.input.choice,
            "model": snakemake.input.model,
            "models": list(snakemake.input.models),
            "units_tsv": snakemake.input.units_tsv,
            "metadata": snakemake.input.metadata,
            "validation": snakemake.input.validation,
            "differences": list(snakemake.input.differences),
            "effects": list(snakemake.input.effects),
        },
        cfg=snakemake.params.cfg,
        models=snakemake.params.models,
        outputs={"robustness": list(snakemake.output.robustness)},
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
