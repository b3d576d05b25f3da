"""Rule train_lda: train one LDA model of the grid.

Thin: all logic is in swedish_topics.pipeline.train_lda.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.train_lda(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        k=int(snakemake.wildcards.k),
        seed=int(snakemake.wildcards.seed),
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
