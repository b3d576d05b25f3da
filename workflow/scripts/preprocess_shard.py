"""Rule preprocess_shard: clean, split, tokenise, lemmatise and filter one shard of documents.

Thin: all logic is in swedish_topics.pipeline.preprocess_shard.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.preprocess_shard(
        validation_json=snakemake.input.validation,
        cfg=snakemake.params.cfg,
        shard_index=int(snakemake.wildcards.shard),
        n_shards=snakemake.params.n_shards,
        out_units=snakemake.output.units,
        out_counts=snakemake.output.counts,
        sentences_json=snakemake.input.sentences,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
