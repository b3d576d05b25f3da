"""Rule topic_tables: topic terms, topics, document compositions and representative passages.

Thin: all logic is in swedish_topics.pipeline.topic_tables.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.topic_tables(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
