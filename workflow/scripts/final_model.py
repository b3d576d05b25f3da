"""Rule final_model: copy the chosen model to final/model.npz.

Thin: all logic is in swedish_topics.pipeline.final_model.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.final_model(
        choice_json=snakemake.input.choice,
        models=snakemake.params.models,
        model_files=list(snakemake.input.models),
        out_model=snakemake.output.model,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
