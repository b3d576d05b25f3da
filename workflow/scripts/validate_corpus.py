"""Rule validate_corpus: check the corpus and its metadata; report every problem at once.

Thin: all logic is in swedish_topics.pipeline.validate_corpus.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.validate_corpus(cfg=snakemake.params.cfg, out_json=snakemake.output.validation)


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
