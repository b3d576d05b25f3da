"""Quote the calibration study where users read it: copy ``results.csv`` into the package
(``workflow/swedish_topics/data/calibration.csv``, which methods.md quotes) and write its
tables into README.md (between the calibration markers).

Run after ``study.py``::

    PYTHONPATH=workflow:. python studies/calibration/quote.py

``tests/unit/test_calibration.py`` fails when the copy or README.md disagree with
results.csv.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from swedish_topics.analysis.calibration import RESULTS as PACKAGE_COPY
from swedish_topics.analysis.calibration import (
    calibration_markdown,
    calibration_methods_markdown,
    read_calibration,
)

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.csv"
README = HERE.parents[1] / "README.md"
START = "<!-- calibration:start (studies/calibration/quote.py writes this table) -->"
END = "<!-- calibration:end -->"


def quoted_readme(text: str, results: Path = RESULTS) -> str:
    """``text`` with the block between the markers replaced by the current tables."""
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    rows = read_calibration(results)
    tables = f"{calibration_markdown(rows)}\n\n{calibration_methods_markdown(rows)}"
    return f"{head}{START}\n{tables}\n{END}{tail}"


def main() -> None:
    """Copy results.csv into the package (atomically) and rewrite README's block."""
    tmp = PACKAGE_COPY.with_name(PACKAGE_COPY.name + ".part")
    shutil.copyfile(RESULTS, tmp)
    tmp.replace(PACKAGE_COPY)
    text = quoted_readme(README.read_text(encoding="utf-8"))
    tmp = README.with_name(README.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(README)


if __name__ == "__main__":
    main()
