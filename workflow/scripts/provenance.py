"""Rule provenance: versions, config, checksums and git commit of this run.

Thin: all logic is in swedish_topics.pipeline.provenance.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.provenance(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        workflow_dir=snakemake.params.workflow_dir,
        out_json=snakemake.output.provenance,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
