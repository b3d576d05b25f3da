"""Rule evaluate_models: coherence, perplexity, diversity, exclusivity and stability of every model.

Thin: all logic is in swedish_topics.pipeline.evaluate_models.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.evaluate_models(
        models=snakemake.params.models,
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
