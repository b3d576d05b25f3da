"""Rule heldout_split: the seeded held-out units shared by every model.

Thin: all logic is in swedish_topics.pipeline.heldout_split.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.heldout_split(
        units_tsv=snakemake.input.units_tsv,
        cfg=snakemake.params.cfg,
        out_split=snakemake.output.split,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
