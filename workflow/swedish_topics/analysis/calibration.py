"""The calibration study's results, quoted where users read them (methods.md, README).

``bench/calibration/study.py`` writes ``bench/calibration/results.csv``: per regime,
estimand, interval method and group-size bin the coverage of the nominal 95 % intervals
with its Monte Carlo interval (clustered by corpus), the rate of null comparisons called,
the false discovery rate of ``significant``, the power for planted effects of at least 8
points, bias and mean absolute error. These functions turn it into text so that no
number is typed by hand.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

#: Where the study writes its summary, relative to the repository root.
RESULTS = Path(__file__).resolve().parents[3] / "bench" / "calibration" / "results.csv"

REGIME_WORDS = {
    "large": "6 groups × 40 documents of ~180 tokens",
    "small_short": "6 groups × 12 documents of ~60 tokens",
    "many_small": "100 groups of 3–30 documents of ~100 tokens",
    "misspecified": "6 groups × 40 documents, overdispersed lengths and sparser topic mixtures",
}
ESTIMAND_WORDS = {
    "prevalence": "prevalence",
    "difference": "group − rest",
    "effect": "adjusted effect",
    "trend": "trend (slope)",
}


def read_calibration(path: str | os.PathLike[str] | None = None) -> list[dict[str, str]]:
    """The rows of ``results.csv`` (empty when the file is absent, e.g. in an installed
    package without the repository's ``bench/``)."""
    path = Path(path) if path is not None else RESULTS
    if not path.exists():
        return []
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _pct(value: str) -> str:
    return f"{float(value) * 100:.0f}" if value not in ("", "nan") else "–"


def _row(
    rows: Sequence[Mapping[str, str]], regime: str, estimand: str, method: str
) -> Mapping[str, str] | None:
    for r in rows:
        if (r["regime"], r["estimand"], r["method"], r["size_bin"]) == (
            regime,
            estimand,
            method,
            "all",
        ):
            return r
    return None


def calibration_markdown(rows: Sequence[Mapping[str, str]], method: str = "t_posterior") -> str:
    """A Markdown table: regime × estimand, coverage (Monte Carlo interval), null calls,
    FDR, power, MAE; for the shipped interval construction ``method``."""
    if not rows:
        return ""
    lines = [
        "| setting | estimand | coverage of 95 % intervals (MC interval) "
        "| null comparisons called | FDR of `significant` | power (≥ 8 points) "
        "| mean abs. error |",
        "|---|---|---|---|---|---|---|",
    ]
    for regime in REGIME_WORDS:
        for estimand in ESTIMAND_WORDS:
            r = _row(
                rows,
                regime,
                estimand,
                method if estimand in ("prevalence", "difference") else "t_posterior",
            )
            if r is None:
                continue
            calls = estimand != "prevalence"  # a prevalence is not tested against 0
            null = (
                f"{_pct(r['null_call_rate'])} % (≤ {_pct(r['null_call_high'])} %)"
                if calls and r["null_cells"] not in ("", "0")
                else "–"
            )
            power = _pct(r["power"]) + " %" if calls and r["power_cells"] not in ("", "0") else "–"
            fdr = _pct(r["fdr"]) + " %" if calls and estimand != "trend" else "–"
            lines.append(
                f"| {REGIME_WORDS[regime]} ({r['n_corpora']} corpora) | {ESTIMAND_WORDS[estimand]} "
                f"| {_pct(r['coverage'])} % ({_pct(r['coverage_low'])}–{_pct(r['coverage_high'])}) "
                f"| {null} | {fdr} | {power} "
                f"| {float(r['mae']):.3f} |"
            )
    return "\n".join(lines)


METHOD_WORDS = {
    "t_posterior": "t, documents + model posterior (shipped)",
    "percentile": "percentile bootstrap over documents (before)",
    "pooled": "partially pooled (empirical Bayes)",
}


def calibration_methods_markdown(rows: Sequence[Mapping[str, str]]) -> str:
    """A Markdown table of the prevalence estimates per regime and method: the shipped
    t intervals against the percentile bootstrap and the pooled estimate (coverage with
    its Monte Carlo interval, mean absolute error)."""
    lines = [
        "| setting | prevalence estimate and interval | coverage (MC interval) | mean abs. error |",
        "|---|---|---|---|",
    ]
    for regime, words in REGIME_WORDS.items():
        for method, label in METHOD_WORDS.items():
            r = _row(rows, regime, "prevalence", method)
            if r is None:
                continue
            lines.append(
                f"| {words} | {label} "
                f"| {_pct(r['coverage'])} % ({_pct(r['coverage_low'])}–{_pct(r['coverage_high'])}) "
                f"| {float(r['mae']):.3f} |"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def calibration_sentence(rows: Sequence[Mapping[str, str]]) -> str:
    """One sentence for methods.md quoting prevalence and difference coverage per regime."""
    parts = []
    for regime, words in REGIME_WORDS.items():
        p = _row(rows, regime, "prevalence", "t_posterior")
        d = _row(rows, regime, "difference", "t_posterior")
        e = _row(rows, regime, "effect", "t_posterior")
        if p is None or d is None or e is None:
            continue
        parts.append(
            f"{words}: {_pct(p['coverage'])} % (prevalence), {_pct(d['coverage'])} % "
            f"(group − rest), {_pct(e['coverage'])} % (adjusted effects)"
        )
    if not parts:
        return ""
    large = _row(rows, "large", "prevalence", "percentile")
    small = _row(rows, "small_short", "prevalence", "percentile")
    old_text = (
        f" The percentile bootstrap over documents alone covered {_pct(large['coverage'])} % "
        f"and {_pct(small['coverage'])} % of the prevalences in the first two settings."
        if large is not None and small is not None
        else ""
    )
    return (
        "In a calibration study (`bench/calibration`: corpora simulated from LDA's generative "
        "process in real Swedish word forms, with planted group effects, a year trend, null "
        "topics and municipality–year confounding, each run through this workflow with the true "
        "K), nominal 95 % intervals covered the truth in " + "; ".join(parts) + "." + old_text
    )
