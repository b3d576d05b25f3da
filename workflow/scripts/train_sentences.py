"""Rule train_sentences: train Punkt (sentence splitting) on a seeded sample of the corpus.

Thin: all logic is in swedish_topics.pipeline.train_sentences.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.train_sentences(
        validation_json=snakemake.input.validation,
        cfg=snakemake.params.cfg,
        out_json=snakemake.output.sentences,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
