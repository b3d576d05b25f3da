"""Rule findings: the findings page, findings.csv and the report's first page.

Thin: all logic is in swedish_topics.findings (via swedish_topics.pipeline.findings).
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.findings(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
