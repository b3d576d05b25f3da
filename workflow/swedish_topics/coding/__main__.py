"""Command line: score coders' filled-in sheets.

    python -m swedish_topics.coding score-intrusion --results results \\
        --word anna_word.csv bo_word.csv --topic anna_topic.csv bo_topic.csv
    python -m swedish_topics.coding score-coding --results results anna.csv bo.csv

Each sheet is one coder's copy of the CSV under ``results/validation/``; the coder is
named by the file name. Results are written under ``results/tables`` and
``results/figures`` (or ``--out``).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from swedish_topics.coding.files import score_coding_files, score_intrusion_files
from swedish_topics.errors import UserError

logger = logging.getLogger("swedish_topics.coding")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m swedish_topics.coding",
        description="Score coders' filled-in validation sheets against the run's key.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    intr = sub.add_parser(
        "score-intrusion",
        help="model precision, topic log odds and Krippendorff's alpha of intrusion sheets",
    )
    intr.add_argument("--results", default="results", help="the run's results folder")
    intr.add_argument(
        "--word", nargs="*", default=[], help="filled word_intrusion.csv, one per coder"
    )
    intr.add_argument(
        "--topic", nargs="*", default=[], help="filled topic_intrusion.csv, one per coder"
    )
    intr.add_argument(
        "--out", default=None, help="write tables/ and figures/ here (default: --results)"
    )
    coding = sub.add_parser(
        "score-coding", help="accuracy, Cohen's kappa and confusion table of hand codes"
    )
    coding.add_argument("--results", default="results", help="the run's results folder")
    coding.add_argument("sheets", nargs="+", help="filled coding_sample.csv, one per coder")
    coding.add_argument("--out", default=None, help="write tables/ here (default: --results)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit status (1 with a one-paragraph message on bad input)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = _parser().parse_args(argv)
    try:
        if args.command == "score-intrusion":
            written = score_intrusion_files(
                args.results, word_sheets=args.word, topic_sheets=args.topic, out_dir=args.out
            )
        else:
            written = score_coding_files(args.results, sheets=args.sheets, out_dir=args.out)
    except UserError as err:
        logger.error("ERROR: %s", err)
        return 1
    for path in written:
        logger.info("wrote %s", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
