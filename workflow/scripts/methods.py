"""Rule methods: a methods paragraph generated from this run.

Thin: all logic is in swedish_topics.pipeline.methods.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.methods(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        out_md=snakemake.output.methods,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
