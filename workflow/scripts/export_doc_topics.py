"""Rule export_doc_topics: tidy document-topic proportions (Parquet, CSV), draws, a data dictionary.

Thin: all logic is in swedish_topics.pipeline.export_doc_topics.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.export_doc_topics(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
