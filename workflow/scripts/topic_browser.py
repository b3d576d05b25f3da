"""Rule topic_browser: one offline HTML page per topic to read how each group words it.

Thin: all logic is in swedish_topics.pipeline.topic_browser.
"""

from swedish_topics import pipeline
from swedish_topics.runner import run


def main() -> None:
    pipeline.topic_browser(
        inputs=dict(snakemake.input.items()),
        cfg=snakemake.params.cfg,
        out_html=snakemake.output.html,
    )


if __name__ == "__main__":
    snakemake = globals()["snakemake"]
    run(main, snakemake.log[0])
