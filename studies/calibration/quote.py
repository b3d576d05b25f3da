"""Quote the calibration study where users read it: copy ``results.csv`` and
``multiplicity.csv`` into the package (``workflow/swedish_topics/data/calibration.csv``
and ``calibration_multiplicity.csv``, which methods.md quotes) and write their tables
into README.md (between the calibration markers and between the power markers).

Run after ``study.py``::

    PYTHONPATH=workflow:. python studies/calibration/quote.py

``tests/unit/test_calibration.py`` fails when the copies or README.md disagree with
the study's CSVs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from swedish_topics.analysis.calibration import MULTIPLICITY as PACKAGE_MULTIPLICITY
from swedish_topics.analysis.calibration import RESULTS as PACKAGE_COPY
from swedish_topics.analysis.calibration import (
    calibration_markdown,
    calibration_methods_markdown,
    chosen_procedure,
    power_markdown,
    read_calibration,
    read_multiplicity,
)

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.csv"
MULTIPLICITY = HERE / "multiplicity.csv"
README = HERE.parents[1] / "README.md"
START = "<!-- calibration:start (studies/calibration/quote.py writes this table) -->"
END = "<!-- calibration:end -->"
POWER_START = "<!-- power:start (studies/calibration/quote.py writes this table) -->"
POWER_END = "<!-- power:end -->"
#: The procedures README's power table shows beside the study's choice (all of them are
#: in multiplicity.csv).
SHOWN = ("by", "bh", "hierarchical", "stagewise", "none")


def _replace(text: str, start: str, end: str, block: str) -> str:
    head, rest = text.split(start, 1)
    _old, tail = rest.split(end, 1)
    return f"{head}{start}\n{block}\n{end}{tail}"


def quoted_readme(text: str, results: Path = RESULTS, multiplicity: Path = MULTIPLICITY) -> str:
    """``text`` with the blocks between the markers replaced by the current tables: the
    calibration tables, and the power of Benjamini–Yekutieli, of the study's choice and
    of no adjustment on the same planted effects."""
    rows = read_calibration(results)
    tables = f"{calibration_markdown(rows)}\n\n{calibration_methods_markdown(rows)}"
    text = _replace(text, START, END, tables)
    if POWER_START in text:
        mult = read_multiplicity(multiplicity)
        shown = list(dict.fromkeys([chosen_procedure(mult), *SHOWN]))
        text = _replace(text, POWER_START, POWER_END, power_markdown(mult, shown))
    return text


def main() -> None:
    """Copy the CSVs into the package (atomically) and rewrite README's blocks."""
    for source, copy in ((RESULTS, PACKAGE_COPY), (MULTIPLICITY, PACKAGE_MULTIPLICITY)):
        tmp = copy.with_name(copy.name + ".part")
        shutil.copyfile(source, tmp)
        tmp.replace(copy)
    text = quoted_readme(README.read_text(encoding="utf-8"))
    tmp = README.with_name(README.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(README)


if __name__ == "__main__":
    main()
