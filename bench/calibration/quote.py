"""Write the calibration study's table into README.md (between the calibration markers).

Run after ``study.py``::

    PYTHONPATH=workflow:. python bench/calibration/quote.py

``tests/unit/test_calibration.py`` fails when README.md and results.csv disagree.
"""

from __future__ import annotations

from pathlib import Path

from swedish_topics.analysis.calibration import (
    calibration_markdown,
    calibration_methods_markdown,
    read_calibration,
)

README = Path(__file__).resolve().parents[2] / "README.md"
START = "<!-- calibration:start (bench/calibration/quote.py writes this table) -->"
END = "<!-- calibration:end -->"


def quoted_readme(text: str) -> str:
    """``text`` with the block between the markers replaced by the current table."""
    head, rest = text.split(START, 1)
    _old, tail = rest.split(END, 1)
    rows = read_calibration()
    tables = f"{calibration_markdown(rows)}\n\n{calibration_methods_markdown(rows)}"
    return f"{head}{START}\n{tables}\n{END}{tail}"


if __name__ == "__main__":
    README.write_text(quoted_readme(README.read_text(encoding="utf-8")), encoding="utf-8")
