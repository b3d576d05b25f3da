"""What the multiplicity procedure costs: FDR and power of Benjamini–Yekutieli (shipped)
against Benjamini–Hochberg, recomputed per table from the p-values of a study's cells.

BY is valid under any dependence between tests; BH is proven only under positive
dependence, and the tests of one table are negatively dependent (a group's topic
proportions sum to one). This reads the cells a ``study.py`` run wrote (with their
``p_value``), applies both procedures to every table (corpus × estimand × construction)
and prints, per regime and estimand, the false discovery rate (mean over tables of false
discoveries / discoveries), the power for planted effects of at least 8 points, and the
power of the unadjusted test at 5 %::

    PYTHONPATH=workflow:. python studies/calibration/multiplicity.py /tmp/a/results_cells.csv.gz
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from study import POWER_MIN, read_cells


def rates(cells: list[dict], method: str, fdr: float = 0.05) -> dict[tuple[str, str], dict]:
    """Per (regime, estimand): FDR and power of BY and BH, and unadjusted power.

    Cells written before the ``p_value`` column give BY from their ``significant`` and
    the unadjusted test from ``excludes_zero`` (the same test at 5 %), and no BH (NaN).
    """
    from swedish_topics.analysis.multiplicity import bh_qvalues, by_qvalues

    tables: dict[tuple[str, str, str], list[dict]] = defaultdict(list)
    for c in cells:
        if c["method"] == method and c["estimand"] in ("difference", "effect"):
            tables[(c["regime"], c["estimand"], c["corpus"])].append(c)
    out: dict[tuple[str, str], dict] = defaultdict(lambda: defaultdict(list))
    for (regime, estimand, _corpus), rows in tables.items():
        p = np.array([r.get("p_value", np.nan) for r in rows])
        have_p = bool(np.isfinite(p).any())
        truth = np.array([r["truth"] for r in rows])
        est = np.array([r["estimate"] for r in rows])
        false = (np.abs(truth) < 1e-12) | (np.sign(est) != np.sign(truth))
        strong = np.abs(truth) >= POWER_MIN
        right = np.sign(est) == np.sign(truth)
        acc = out[(regime, estimand)]
        calls = {
            "BY": by_qvalues(p) <= fdr if have_p else np.array([r["significant"] for r in rows]),
            "BH": bh_qvalues(p) <= fdr if have_p else None,
            "none": p <= fdr if have_p else np.array([r["excludes_zero"] for r in rows]),
        }
        for name, sig in calls.items():
            if sig is None:
                acc[f"fdp_{name}"].append(np.nan)
                acc[f"found_{name}"].append(0)
                continue
            acc[f"fdp_{name}"].append(float((sig & false).sum() / sig.sum()) if sig.any() else 0.0)
            acc[f"found_{name}"].append(int((sig & strong & right).sum()))
        acc["strong"].append(int(strong.sum()))
    summary = {}
    for key, acc in out.items():
        n = max(sum(acc["strong"]), 1)
        summary[key] = {
            "tables": len(acc["strong"]),
            **{f"fdr_{m}": float(np.mean(acc[f"fdp_{m}"])) for m in ("BY", "BH", "none")},
            **{
                f"power_{m}": sum(acc[f"found_{m}"]) / n
                if np.isfinite(acc[f"fdp_{m}"]).any()
                else float("nan")
                for m in ("BY", "BH", "none")
            },
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cells", nargs="+", type=Path)
    parser.add_argument("--method", default="score")
    args = parser.parse_args()
    cells = [c for path in args.cells for c in read_cells(path)]
    print("regime        estimand    tables  FDR BY / BH / none     power BY / BH / none")
    for (regime, estimand), r in sorted(rates(cells, args.method).items()):
        print(
            f"{regime:13s} {estimand:11s} {r['tables']:6d}  "
            f"{r['fdr_BY']:.3f} / {r['fdr_BH']:.3f} / {r['fdr_none']:.3f}    "
            f"{r['power_BY']:.3f} / {r['power_BH']:.3f} / {r['power_none']:.3f}"
        )


if __name__ == "__main__":
    main()
