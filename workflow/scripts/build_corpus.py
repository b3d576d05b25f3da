"""Rule build_corpus: join phrases, build the vocabulary and the bag-of-words corpus.

Thin: all logic is in swedish_topics.pipeline.build_corpus.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.build_corpus(
        shard_files=list(snakemake.input.units),
        count_files=list(snakemake.input.counts),
        cfg=snakemake.params.cfg,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
