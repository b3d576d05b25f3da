"""Rule coding_sample: a stratified hand-coding sample, its key, a printable form.

Thin: all logic is in swedish_topics.pipeline.coding_sample.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.coding_sample(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
