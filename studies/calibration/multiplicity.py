"""Power at a controlled false discovery rate: every multiplicity procedure of
:mod:`swedish_topics.analysis.multiplicity` on the same planted cells.

The p-values of a table do not depend on the procedure, so this reads the cells a
``study.py`` run wrote (every row of every table, unmatched topics included), calls
``significant`` per table (corpus × estimand × construction) with each procedure at
``analysis.fdr``, and writes per procedure × regime × estimand (group − rest and
adjusted effects of the shipped constructions) × group-size bin:

* the false discovery rate of ``significant`` (mean over tables of false discoveries /
  discoveries, 0 without any; a discovery is false when the truth is 0 or of the other
  sign) with its 95 % Monte Carlo upper bound (tables are independent corpora);
* the rate at which null comparisons (truth 0) are called, with its upper bound
  clustered by corpus;
* the power per planted effect size (5, 10, 15, 20 points): the share of the planted
  cells called significant with the right sign, with its Monte Carlo interval clustered
  by corpus (``planted_size`` ``any`` is the FDR and null-call row).

Run after the study (the cells of both processes)::

    PYTHONPATH=workflow:. python studies/calibration/multiplicity.py \\
        /tmp/a/results_cells.csv.gz /tmp/b/results_cells.csv.gz \\
        --out studies/calibration/multiplicity.csv
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import PLANTED_SIZES
from study import (
    SIZE_BINS,
    _bin_label,
    _clustered,
    config_hash,
    read_cells,
    scored,
    shipped_config,
    with_calls,
)

COLUMNS = [
    "procedure",
    "regime",
    "estimand",
    "planted_size",
    "size_bin",
    "n_corpora",
    "fdr",
    "fdr_high",
    "null_cells",
    "null_call_rate",
    "null_call_high",
    "power_cells",
    "power",
    "power_low",
    "power_high",
    "config_hash",
]
#: The procedures measured (keys of ``swedish_topics.analysis.multiplicity.PROCEDURES``).
PROCEDURES = ("by", "bh", "bky", "storey", "hierarchical", "stagewise", "none")


def _fdr(part: Sequence[Mapping[str, Any]]) -> tuple[float, float]:
    """Mean false discovery proportion over tables and its 95 % upper Monte Carlo bound."""
    tables: dict[str, list[Mapping[str, Any]]] = {}
    for c in part:
        tables.setdefault(c["table"], []).append(c)
    fdp = []
    for rows in tables.values():
        sig = [r for r in rows if r["significant"]]
        false = [
            r
            for r in sig
            if abs(r["truth"]) < 1e-12 or np.sign(r["estimate"]) != np.sign(r["truth"])
        ]
        fdp.append(len(false) / len(sig) if sig else 0.0)
    if not fdp:
        return float("nan"), float("nan")
    mean = float(np.mean(fdp))
    se = float(np.std(fdp, ddof=1) / np.sqrt(len(fdp))) if len(fdp) > 1 else float("nan")
    return mean, mean + 1.96 * se


def _by_corpus(part: Sequence[Mapping[str, Any]], hit) -> tuple[float, float, int]:
    """A rate over ``part`` with its 95 % Monte Carlo half-width clustered by corpus."""
    corpora = sorted({c["corpus"] for c in part})
    index = {c: i for i, c in enumerate(corpora)}
    hits, total = np.zeros(len(corpora)), np.zeros(len(corpora))
    for c in part:
        total[index[c["corpus"]]] += 1
        hits[index[c["corpus"]]] += bool(hit(c))
    rate, hw = _clustered(hits, total)
    return rate, hw, len(part)


def _rows(
    procedure: str, regime: str, estimand: str, label: str, part: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    base = {
        "procedure": procedure,
        "regime": regime,
        "estimand": estimand,
        "size_bin": label,
        "n_corpora": len({c["corpus"] for c in part}),
    }
    fdr, fdr_high = _fdr(part)
    nulls = [c for c in part if abs(c["truth"]) < 1e-12 and np.isfinite(c["p_value"])]
    null, null_hw, n_null = _by_corpus(nulls, lambda c: c["significant"])
    out = [
        {
            **base,
            "planted_size": "any",
            "fdr": fdr,
            "fdr_high": fdr_high,
            "null_cells": n_null,
            "null_call_rate": null,
            "null_call_high": null + null_hw,
        }
    ]
    for size in PLANTED_SIZES:
        cells = [c for c in part if abs(c["planted"] - size) < 1e-9]
        if not cells:
            continue
        power, hw, n = _by_corpus(
            cells,
            lambda c: c["significant"] and np.sign(c["estimate"]) == np.sign(c["truth"]),
        )
        out.append(
            {
                **base,
                "planted_size": f"{size:.2f}",
                "power_cells": n,
                "power": power,
                "power_low": power - hw,
                "power_high": power + hw,
            }
        )
    return out


def summarise(cells: Sequence[Mapping[str, Any]], fdr: float, chash: str) -> list[dict[str, Any]]:
    """Procedure × regime × estimand × group-size bin (× planted size for the power)."""
    from swedish_topics.analysis.calibration import study_labels

    groups, effects = study_labels(shipped_config()["analysis"])
    shipped = {("difference", groups), ("effect", effects)}
    mine = [c for c in cells if (c["estimand"], c["method"]) in shipped]
    out = []
    for procedure in PROCEDURES:
        called = scored(with_calls(mine, procedure, fdr))
        keys = sorted({(c["regime"], c["estimand"]) for c in called})
        for regime, estimand in keys:
            sel = [c for c in called if (c["regime"], c["estimand"]) == (regime, estimand)]
            out += _rows(procedure, regime, estimand, "all", sel)
            for lo, hi in SIZE_BINS:
                part = [c for c in sel if lo <= c["n_docs"] <= hi]
                if part and len(part) < len(sel):
                    out += _rows(procedure, regime, estimand, _bin_label(lo, hi), part)
    return [{**r, "config_hash": chash} for r in out]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("cells", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("multiplicity.csv"))
    args = parser.parse_args()
    from swedish_topics import io as sio

    cells = [c for path in args.cells for c in read_cells(path)]
    fdr = float(shipped_config()["analysis"]["fdr"])
    sio.write_csv(args.out, summarise(cells, fdr, config_hash()), COLUMNS)


if __name__ == "__main__":
    main()
