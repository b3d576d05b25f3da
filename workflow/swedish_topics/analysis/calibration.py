"""The calibration study's results, quoted where users read them (methods.md, README).

``studies/calibration/study.py`` writes ``studies/calibration/results.csv``: per regime,
estimand, interval method and group-size bin the coverage of the nominal 95 % intervals
with its Monte Carlo interval (clustered by corpus), the rate of null comparisons called,
the false discovery rate of ``significant``, the power for planted effects of at least 8
points, bias and mean absolute error. These functions turn it into text so that no
number is typed by hand. The package reads its own copy of that file,
``swedish_topics/data/calibration.csv`` (``studies/calibration/quote.py`` copies it, and
a test checks that the copy is byte-identical), so an installed package quotes it too.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

#: The package's copy of the study's summary (``studies/calibration/results.csv``).
RESULTS = Path(__file__).resolve().parent.parent / "data" / "calibration.csv"

REGIME_WORDS = {
    "large": "6 groups × 40 documents of ~180 tokens",
    "small_short": "6 groups × 12 documents of ~60 tokens",
    "many_small": "100 groups of 3–30 documents of ~100 tokens",
    "misspecified": "6 groups × 40 documents, overdispersed lengths and sparser topic mixtures",
    "clustered": "6 groups × 40 documents by authors of 5, who share a topic shift",
}
ESTIMAND_WORDS = {
    "prevalence": "prevalence",
    "difference": "group − rest",
    "effect": "adjusted effect",
    "trend": "trend (slope)",
}


def read_calibration(path: str | os.PathLike[str] | None = None) -> list[dict[str, str]]:
    """The rows of the study's summary (the package's copy by default; empty when the
    file is absent)."""
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


def study_labels(analysis_cfg: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """The study's labels of the constructions that ``analysis_cfg`` uses (the shipped
    defaults when None): (prevalence and differences, adjusted effects and trends)."""
    if analysis_cfg is None:
        from swedish_topics.config import schema_defaults

        analysis_cfg = schema_defaults()["analysis"]
    interval = str(analysis_cfg.get("interval", "score"))
    groups = {"score": "score", "t": "t_posterior", "percentile": "percentile"}[interval]
    if (analysis_cfg.get("effects") or {}).get("variance", "quasi") == "quasi":
        effects = "score"
    else:
        effects = "t_posterior" if analysis_cfg.get("moderate_variances", True) else "t_unmoderated"
    return groups, effects


def calibration_markdown(
    rows: Sequence[Mapping[str, str]], labels: tuple[str, str] | None = None
) -> str:
    """A Markdown table: regime × estimand, coverage (Monte Carlo interval), null calls,
    FDR, power, bias, MAE; for the shipped constructions (``labels``, see
    :func:`study_labels`)."""
    if not rows:
        return ""
    group_label, effect_label = labels or study_labels()
    lines = [
        "| setting | estimand | coverage of 95 % intervals (MC interval) "
        "| null comparisons called | FDR of `significant` | power (≥ 8 points) "
        "| bias | mean abs. error |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for regime in REGIME_WORDS:
        for estimand in ESTIMAND_WORDS:
            label = group_label if estimand in ("prevalence", "difference") else effect_label
            r = _row(rows, regime, estimand, label)
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
                f"| {null} | {fdr} | {power} | {float(r['bias']):+.3f} "
                f"| {float(r['mae']):.3f} |"
            )
    return "\n".join(lines)


METHOD_WORDS = {
    "score": "score intervals (variance at the value tested); effects: quasi-binomial sandwich",
    "t_posterior": "t intervals, each group's moderated variance; effects: moderated HC2",
    "t_unmoderated": "t intervals, each group's own variance; effects: HC2 (the previous default)",
    "percentile": "percentile bootstrap over documents (the first default)",
    "pooled": "partially pooled (empirical Bayes) prevalence",
}


def calibration_methods_markdown(rows: Sequence[Mapping[str, str]]) -> str:
    """A Markdown table of every construction the study ran on the same corpora, per
    regime: prevalence coverage and error, group − rest coverage, null calls and FDR,
    and the adjusted effects' coverage and FDR."""
    lines = [
        "| setting | construction | prevalence: coverage (MC interval), MAE "
        "| group − rest: coverage, null calls, FDR | adjusted effects: coverage, FDR |",
        "|---|---|---|---|---|",
    ]
    for regime, words in REGIME_WORDS.items():
        for method, label in METHOD_WORDS.items():
            p = _row(rows, regime, "prevalence", method)
            if p is None:
                continue
            d = _row(rows, regime, "difference", method)
            e = _row(rows, regime, "effect", method)
            diff = (
                f"{_pct(d['coverage'])} %, {_pct(d['null_call_rate'])} %, {_pct(d['fdr'])} %"
                if d is not None
                else "–"
            )
            eff = f"{_pct(e['coverage'])} %, {_pct(e['fdr'])} %" if e is not None else "–"
            lines.append(
                f"| {words} | {label} "
                f"| {_pct(p['coverage'])} % "
                f"({_pct(p['coverage_low'])}–{_pct(p['coverage_high'])}), "
                f"{float(p['mae']):.3f} | {diff} | {eff} |"
            )
    return "\n".join(lines) if len(lines) > 2 else ""


def calibration_sentence(
    rows: Sequence[Mapping[str, str]], analysis_cfg: Mapping[str, Any] | None = None
) -> str:
    """One sentence for methods.md quoting the coverage per regime of the constructions
    ``analysis_cfg`` uses (nothing when the study did not run them)."""
    group_label, effect_label = study_labels(analysis_cfg)
    parts = []
    for regime, words in REGIME_WORDS.items():
        p = _row(rows, regime, "prevalence", group_label)
        d = _row(rows, regime, "difference", group_label)
        e = _row(rows, regime, "effect", effect_label)
        if p is None or d is None or e is None:
            continue
        parts.append(
            f"{words}: {_pct(p['coverage'])} % (prevalence), {_pct(d['coverage'])} % "
            f"(group − rest; null differences called {_pct(d['null_call_rate'])} %, false "
            f"discovery rate {_pct(d['fdr'])} %), {_pct(e['coverage'])} % (adjusted effects)"
        )
    if not parts:
        return ""
    from swedish_topics.analysis.multiplicity import procedure

    power = multiplicity_sentence(
        read_multiplicity(), procedure(analysis_cfg or {"multiplicity": None})
    )
    return (
        "In a calibration study (`studies/calibration`: corpora simulated from LDA's generative "
        "process in real Swedish word forms, with planted group effects, a year trend, null "
        "topics and municipality–year confounding, each run through this workflow with the true "
        "K), nominal 95 % intervals covered the truth in "
        + "; ".join(parts)
        + "."
        + (" " + power if power else "")
    )


# ------------------------------------------------------------------ multiplicity
#: The package's copy of the study's multiplicity summary
#: (``studies/calibration/multiplicity.csv``, copied by ``quote.py``).
MULTIPLICITY = RESULTS.with_name("calibration_multiplicity.csv")
#: The study's criterion for the default: the FDR of ``significant`` at most this, and
#: its upper 95 % Monte Carlo bound at most :data:`FDR_BOUND`, in every regime of
#: :data:`CHOICE_REGIMES`, for group − rest and for adjusted effects.
FDR_MAX, FDR_BOUND = 0.05, 0.06
#: The regimes in which the default must hold its FDR: every regime with independent
#: documents. The clustered one (documents by the same author) breaks the independence
#: every variance here assumes; it is reported, not used to choose.
CHOICE_REGIMES = ("large", "small_short", "many_small", "misspecified")
PLANTED = ("0.05", "0.10", "0.15", "0.20")


def read_multiplicity(path: str | os.PathLike[str] | None = None) -> list[dict[str, str]]:
    """The rows of the study's multiplicity summary (empty when absent)."""
    return read_calibration(MULTIPLICITY if path is None else path)


def _mrow(
    rows: Sequence[Mapping[str, str]], procedure: str, regime: str, estimand: str, size: str
) -> Mapping[str, str] | None:
    for r in rows:
        key = (r["procedure"], r["regime"], r["estimand"], r["planted_size"], r["size_bin"])
        if key == (procedure, regime, estimand, size, "all"):
            return r
    return None


def _num(value: str | None) -> float:
    return float(value) if value not in (None, "", "nan") else float("nan")


def procedure_holds(rows: Sequence[Mapping[str, str]], procedure: str) -> bool:
    """Whether ``procedure`` keeps the FDR criterion in every regime of
    :data:`CHOICE_REGIMES`, for both estimands (False when a regime is missing)."""
    for regime in CHOICE_REGIMES:
        for estimand in ("difference", "effect"):
            r = _mrow(rows, procedure, regime, estimand, "any")
            if r is None or not (_num(r["fdr"]) <= FDR_MAX and _num(r["fdr_high"]) <= FDR_BOUND):
                return False
    return True


def power_found(rows: Sequence[Mapping[str, str]], procedure: str) -> float:
    """The share of all planted cells (every regime, estimand and size) ``procedure``
    finds: the same cells for every procedure, so the shares rank them."""
    found = cells = 0.0
    for r in rows:
        if r["procedure"] == procedure and r["size_bin"] == "all" and r["planted_size"] != "any":
            n = _num(r["power_cells"])
            found += _num(r["power"]) * n
            cells += n
    return found / cells if cells else float("nan")


def chosen_procedure(rows: Sequence[Mapping[str, str]]) -> str:
    """The study's choice: of the adjusting procedures that hold the FDR criterion
    (:func:`procedure_holds`), the one that finds the most planted cells. When none
    holds it, Benjamini–Yekutieli, the one proved under any dependence: the default is
    not changed to a procedure the study could not show to keep its FDR."""
    from swedish_topics.analysis.multiplicity import DEFAULT_PROCEDURE

    names = sorted({r["procedure"] for r in rows} - {"none"})
    good = [p for p in names if procedure_holds(rows, p)]
    return max(good, key=lambda p: power_found(rows, p)) if good else DEFAULT_PROCEDURE


#: Short names of the procedures in README's power table.
SHORT_NAMES = {
    "by": "Benjamini–Yekutieli",
    "bh": "Benjamini–Hochberg",
    "bky": "adaptive BKY",
    "storey": "Storey",
    "hierarchical": "hierarchical",
    "stagewise": "stage-wise",
    "none": "none (unadjusted)",
}


def _share(value: str) -> str:
    """A share in % clipped to [0, 100] (a Monte Carlo bound can pass either end)."""
    return _pct(str(min(max(float(value), 0.0), 1.0))) if value not in ("", "nan") else "–"


def power_markdown(rows: Sequence[Mapping[str, str]], procedures: Sequence[str]) -> str:
    """A Markdown table per regime × estimand × procedure: FDR (upper Monte Carlo
    bound), null comparisons called, and the power for each planted effect size."""
    if not rows:
        return ""
    head = " | ".join(f"power, {float(s) * 100:.0f} points" for s in PLANTED)
    lines = [
        f"| setting | estimand | procedure | FDR (upper bound) | null calls | {head} |",
        "|---|---|---|---|---|" + "---|" * len(PLANTED),
    ]
    for regime, words in REGIME_WORDS.items():
        for estimand in ("difference", "effect"):
            for proc in procedures:
                r = _mrow(rows, proc, regime, estimand, "any")
                if r is None:
                    continue
                powers = []
                for size in PLANTED:
                    s = _mrow(rows, proc, regime, estimand, size)
                    powers.append(
                        f"{_pct(s['power'])} % ({_share(s['power_low'])}–{_share(s['power_high'])})"
                        if s is not None
                        else "–"
                    )
                lines.append(
                    f"| {words} ({r['n_corpora']} corpora) | {ESTIMAND_WORDS[estimand]} "
                    f"| {SHORT_NAMES.get(proc, proc)} "
                    f"| {_pct1(r['fdr'])} % (≤ {_pct1(r['fdr_high'])} %) "
                    f"| {_pct1(r['null_call_rate'])} % | " + " | ".join(powers) + " |"
                )
    return "\n".join(lines)


def _pct1(value: str) -> str:
    return f"{float(value) * 100:.1f}" if value not in ("", "nan") else "–"


def multiplicity_sentence(rows: Sequence[Mapping[str, str]], procedure: str) -> str:
    """One sentence for methods.md: what the study measured for ``procedure`` against
    Benjamini–Yekutieli on the same planted effects (nothing without the study's rows)."""
    from swedish_topics.analysis.multiplicity import PROCEDURES

    parts = []
    for regime in ("large", "many_small"):
        mine = _mrow(rows, procedure, regime, "difference", "any")
        ten = _mrow(rows, procedure, regime, "difference", "0.10")
        by_ten = _mrow(rows, "by", regime, "difference", "0.10")
        if mine is None or ten is None or by_ten is None:
            continue
        versus = f" (Benjamini–Yekutieli: {_pct(by_ten['power'])} %)" if procedure != "by" else ""
        parts.append(
            f"{REGIME_WORDS[regime]}: {_pct(ten['power'])} % of planted 10-point group − "
            f"rest differences found{versus} at a false discovery rate of "
            f"{_pct1(mine['fdr'])} % (upper Monte Carlo bound {_pct1(mine['fdr_high'])} %)"
        )
    if not parts:
        return ""
    return (
        f"The calibration study measured every procedure on the same planted effects; "
        f"{PROCEDURES.get(procedure, procedure)}: " + "; ".join(parts) + "."
    )
