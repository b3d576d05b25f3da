"""Rule intrusion_tasks: word and topic intrusion sheets for coders, their key, a printable form.

Thin: all logic is in swedish_topics.pipeline.intrusion_tasks.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.intrusion_tasks(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        outputs=dict(snakemake.output.items()),
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
