"""Significant findings of a finished run under every multiplicity procedure.

The p-values of a table do not depend on the procedure, so the ``significant`` column of
each ``differences_by_<facet>.csv`` and ``effects_by_<facet>.csv`` of a run can be
recomputed from its ``p_value`` and ``topic`` columns, as the workflow computes it
(:func:`swedish_topics.analysis.multiplicity.select`, family = topic). Prints one line
per table: the rows tested and the significant ones per procedure::

    PYTHONPATH=workflow:. python studies/calibration/recount.py results/tables
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
from swedish_topics.analysis.multiplicity import PROCEDURES, select


def counts(path: Path, fdr: float) -> dict[str, int]:
    """Significant rows of one table per procedure (and ``tested``: rows with a p-value)."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    p = np.array([float(r["p_value"]) if r["p_value"] not in ("", "nan") else np.nan for r in rows])
    topic = [r["topic"] for r in rows]
    out = {"tested": int(np.isfinite(p).sum())}
    for method in PROCEDURES:
        out[method] = int(select(p, topic, fdr=fdr, method=method).significant.sum())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tables", type=Path, help="a run's results/tables folder")
    parser.add_argument("--fdr", type=float, default=0.05)
    args = parser.parse_args()
    names = sorted(args.tables.glob("differences_by_*.csv")) + sorted(
        args.tables.glob("effects_by_*.csv")
    )
    print("table" + "".join(f"\t{m}" for m in ("tested", *PROCEDURES)))
    total = dict.fromkeys(("tested", *PROCEDURES), 0)
    for path in names:
        c = counts(path, args.fdr)
        total = {k: total[k] + c[k] for k in total}
        print(path.stem + "".join(f"\t{c[k]}" for k in total))
    print("all" + "".join(f"\t{total[k]}" for k in total))


if __name__ == "__main__":
    main()
