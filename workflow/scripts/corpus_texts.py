"""Rule corpus_texts: the documents and text sizes that preprocessing reads.

Thin: all logic is in swedish_topics.pipeline.corpus_texts.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.corpus_texts(cfg=snakemake.params.cfg, out_json=snakemake.output.texts)


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
