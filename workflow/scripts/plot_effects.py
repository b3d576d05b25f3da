"""Rule plot_effects: adjusted effects of one facet (FDR-significant filled, other models as marks).

Thin: all logic is in swedish_topics.pipeline.plot_effects.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.plot_effects(
        inputs=dict(snakemake.input.items()),
        facet=snakemake.wildcards.facet,
        max_groups=snakemake.params.max_groups,
        out_png=snakemake.output.png,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
