"""Rule topic_map: the interactive topic map (pyLDAvis), fully offline.

Thin: all logic is in swedish_topics.pipeline.topic_map.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.topic_map(inputs=dict(snakemake.input.items()), out_html=snakemake.output.html)


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
