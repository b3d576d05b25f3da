"""Calibration study of the comparisons: simulated corpora with a known truth, run
through the real workflow code, scored against the truth.

Per corpus (:func:`run_corpus`), the rule functions of :mod:`swedish_topics.pipeline`
run in workflow order on a generated corpus (:mod:`generate`): validate_corpus,
preprocess_shard, build_corpus, heldout_split, train_lda (the true K, seed 1),
compare_groups (municipality) and effects, with the shipped defaults of
``config/config.yaml``. Snakemake is not needed per corpus. The estimated topics are
matched one-to-one to the true topics (Hungarian matching on the cosine similarity of
topic-word distributions over the true lemmas), and every table cell is scored against
the truth. ``compare_groups`` (and ``effects``) run again with every alternative of
:data:`ALTERNATIVES` (the percentile bootstrap; t intervals and the HC2 sandwich from
moderated and from each group's own variances), so that the shipped constructions are
compared with them on the same corpora.

Run (two processes on two cores, with different seeds, then merged; the committed run,
of commit ab35e49 from a frozen worktree, used ``--shipped-only --budget-minutes 46``
under ``nice -n 10`` on a shared machine)::

    PYTHONPATH=workflow:. python studies/calibration/study.py --corpora 500 --first-seed 1 \\
        --shipped-only --budget-minutes 30 --out /tmp/a/results.csv --scratch /tmp/a &
    PYTHONPATH=workflow:. python studies/calibration/study.py --corpora 500 --first-seed 1001 \\
        --shipped-only --budget-minutes 30 --out /tmp/b/results.csv --scratch /tmp/b &
    wait
    PYTHONPATH=workflow:. python studies/calibration/study.py --merge /tmp/a/results_cells.csv.gz \\
        /tmp/b/results_cells.csv.gz --out studies/calibration/results.csv
    PYTHONPATH=workflow:. python studies/calibration/multiplicity.py /tmp/a/results_cells.csv.gz \\
        /tmp/b/results_cells.csv.gz --out studies/calibration/multiplicity.csv
    PYTHONPATH=workflow:. python studies/calibration/quote.py

It writes ``results.csv`` (regime × estimand × method × group-size bin, ``significant``
called by the shipped ``analysis.multiplicity`` from the cells' p-values) and
``<out>_cells.csv.gz`` beside it (every table cell, unmatched topics with NaN truth, for
other summaries such as ``multiplicity.py``). Run it from a checkout that nobody edits
meanwhile (a git worktree): every corpus reads ``config/config.yaml`` afresh.
"""

from __future__ import annotations

import argparse
import copy
import csv
import gzip
import hashlib
import json
import logging
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import REGIMES, REPO, Regime, Truth, generate

logger = logging.getLogger("calibration")

#: Config sections that decide the study's numbers (the hash covers their defaults).
HASHED_SECTIONS = ("preprocess", "model", "min_group_docs")
#: The keys of ``analysis`` that decide them (an allow-list: display keys that other
#: parts of the workflow add under ``analysis`` do not invalidate the study).
HASHED_ANALYSIS_KEYS = (
    "bootstrap",
    "bootstrap_seed",
    "ci_level",
    "interval",
    "posterior_draws",
    "moderate_variances",
    "fdr",
    "multiplicity",
    "effects",
)
#: A matched topic below this cosine similarity to its true topic is "unmatched".
MATCH_THRESHOLD = 0.5
#: Planted effects at least this large count for power.
POWER_MIN = 0.08
SIZE_BINS = ((3, 5), (6, 10), (11, 30), (31, 10**9))

RESULT_COLUMNS = [
    "regime",
    "estimand",
    "method",
    "size_bin",
    "n_corpora",
    "n_cells",
    "coverage",
    "coverage_low",
    "coverage_high",
    "null_cells",
    "null_call_rate",
    "null_call_high",
    "fdr",
    "power_cells",
    "power",
    "bias",
    "mae",
    "config_hash",
]


# ------------------------------------------------------------------------ config
def shipped_config() -> dict[str, Any]:
    """config/config.yaml merged onto the schema defaults (the user's starting point)."""
    from swedish_topics.config import load_config

    raw = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    raw["analysis"]["topic_labels"] = {}
    return load_config(raw)


def config_hash(cfg: Mapping[str, Any] | None = None) -> str:
    """SHA-256 (first 16 hex digits) of the defaults that decide the study's numbers."""
    cfg = shipped_config() if cfg is None else cfg
    keep = {k: copy.deepcopy(cfg[k]) for k in HASHED_SECTIONS}
    keep["analysis"] = {k: copy.deepcopy(cfg["analysis"].get(k)) for k in HASHED_ANALYSIS_KEYS}
    text = json.dumps(keep, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def study_config(corpus: Path, k: int) -> dict[str, Any]:
    """The shipped defaults, pointed at ``corpus``, with the true K and one seed."""
    from swedish_topics.config import load_config

    raw = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    raw["analysis"]["topic_labels"] = {}
    raw.update(corpus=str(corpus), facets=["municipality", "year"], numeric_facets=["year"])
    raw["model"].update(k=[k], seeds=[1])
    raw["selection"] = {**raw.get("selection", {}), "k": k, "seed": 1}
    return load_config(raw)


# ------------------------------------------------------------------- one corpus
def run_workflow(folder: Path, k: int, *, alternatives: bool = True) -> dict[str, Path]:
    """The workflow's rule functions in order on the corpus in ``folder``; table paths
    (with the :data:`ALTERNATIVES`' tables when ``alternatives``)."""
    from swedish_topics import pipeline

    cfg = study_config(folder, k)
    res = folder / "results"
    for sub in ("interim", "preprocess", "tables", "model", "alt"):
        (res / sub).mkdir(parents=True, exist_ok=True)
    validation = res / "interim" / "validation.json"
    pipeline.validate_corpus(cfg=cfg, out_json=validation)
    sentences = res / "interim" / "sentences.json"
    pipeline.train_sentences(validation_json=validation, cfg=cfg, out_json=sentences)
    shard, counts = res / "interim" / "0.jsonl", res / "interim" / "0.counts.json"
    pipeline.preprocess_shard(
        validation_json=validation,
        cfg=cfg,
        shard_index=0,
        n_shards=1,
        out_units=shard,
        out_counts=counts,
        sentences_json=sentences,
    )
    pre = {
        "units_tsv": res / "preprocess" / "units.tsv",
        "units_jsonl": res / "preprocess" / "units.jsonl",
        "dictionary": res / "preprocess" / "dictionary.txt",
        "corpus": res / "preprocess" / "corpus.mm",
        "vocabulary": res / "tables" / "vocabulary.csv",
        "summary": res / "tables" / "preprocessing_summary.csv",
    }
    pipeline.build_corpus(shard_files=[shard], count_files=[counts], cfg=cfg, outputs=pre)
    split = res / "preprocess" / "split.json"
    pipeline.heldout_split(units_tsv=pre["units_tsv"], cfg=cfg, out_split=split)
    model = res / "model" / "model.npz"
    pipeline.train_lda(
        inputs={"corpus": pre["corpus"], "dictionary": pre["dictionary"], "split": split},
        cfg=cfg,
        k=k,
        seed=1,
        outputs={
            "model": model,
            "train": res / "model" / "train.json",
            "native": res / "model" / "native",
        },
    )
    inputs = {
        "model": model,
        "units_tsv": pre["units_tsv"],
        "metadata": folder / "metadata.csv",
        "validation": validation,
    }
    tables = {
        "prevalence": res / "tables" / "prevalence_by_municipality.csv",
        "differences": res / "tables" / "differences_by_municipality.csv",
        "effects_municipality": res / "tables" / "effects_by_municipality.csv",
        "effects_year": res / "tables" / "effects_by_year.csv",
        "model": model,
    }
    pipeline.compare_groups(
        inputs=inputs,
        cfg=cfg,
        facet="municipality",
        outputs={"prevalence": tables["prevalence"], "differences": tables["differences"]},
    )
    pipeline.effects(
        inputs=inputs,
        cfg=cfg,
        outputs={"effects": [tables["effects_municipality"], tables["effects_year"]]},
    )
    if alternatives:
        tables.update(_alternatives(inputs, cfg, res / "alt"))
    return tables


#: The alternatives the defaults were chosen against: table suffix → (analysis changes,
#: label, whether the effects are refitted). The one equal to the shipped default is
#: skipped.
ALTERNATIVES: dict[str, tuple[dict[str, Any], str, bool]] = {
    "_percentile": ({"interval": "percentile"}, "percentile", False),
    "_score": ({"interval": "score", "effects": {"variance": "quasi"}}, "score", True),
    "_t": (
        {"interval": "t", "moderate_variances": True, "effects": {"variance": "hc2"}},
        "t_posterior",
        True,
    ),
    "_unmoderated": (
        {"interval": "t", "moderate_variances": False, "effects": {"variance": "hc2"}},
        "t_unmoderated",
        True,
    ),
}


def _changed(analysis: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(dict(analysis))
    for key, value in changes.items():
        if isinstance(value, dict):
            out[key] = {**(out.get(key) or {}), **value}
        else:
            out[key] = value
    return out


def _alternatives(inputs: Mapping[str, Path], cfg: Mapping[str, Any], alt: Path) -> dict[str, Path]:
    """The comparisons (and the effects) again with each alternative of
    :data:`ALTERNATIVES` that differs from the shipped defaults."""
    from swedish_topics import pipeline

    out: dict[str, Path] = {}
    for suffix, (changes, _label, refit) in ALTERNATIVES.items():
        other = {**copy.deepcopy(dict(cfg)), "analysis": _changed(cfg["analysis"], changes)}
        if other["analysis"] == cfg["analysis"]:
            continue
        out[f"prevalence{suffix}"] = alt / f"prevalence{suffix}.csv"
        out[f"differences{suffix}"] = alt / f"differences{suffix}.csv"
        pipeline.compare_groups(
            inputs=inputs,
            cfg=other,
            facet="municipality",
            outputs={
                "prevalence": out[f"prevalence{suffix}"],
                "differences": out[f"differences{suffix}"],
            },
        )
        if refit:
            out[f"effects_municipality{suffix}"] = alt / f"effects_municipality{suffix}.csv"
            pipeline.effects(
                inputs=inputs,
                cfg=other,
                outputs={
                    "effects": [
                        out[f"effects_municipality{suffix}"],
                        alt / f"effects_year{suffix}.csv",
                    ]
                },
            )
    return out


def match_topics(model_npz: Path, truth: Truth) -> tuple[np.ndarray, np.ndarray]:
    """For each true topic the matched model topic (0-based) and the cosine similarity."""
    from scipy.optimize import linear_sum_assignment

    with np.load(model_npz) as data:
        topic_term, vocab = data["topic_term"], [str(v) for v in data["vocab"]]
    index = {w: i for i, w in enumerate(truth.vocab)}
    est = np.zeros((topic_term.shape[0], len(truth.vocab)))
    for j, w in enumerate(vocab):
        if w in index:
            est[:, index[w]] += topic_term[:, j]
    a = truth.phi / np.linalg.norm(truth.phi, axis=1, keepdims=True)
    b = est / np.maximum(np.linalg.norm(est, axis=1, keepdims=True), 1e-12)
    sim = a @ b.T
    rows, cols = linear_sum_assignment(-sim)
    match = np.empty(truth.phi.shape[0], dtype=np.int64)
    match[rows] = cols
    return match, sim[rows, cols][np.argsort(rows)]


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _f(value: str) -> float:
    return float(value) if value not in ("", None) else float("nan")


def score_corpus(
    tables: Mapping[str, Path], truth: Truth, corpus_id: str, regime: str
) -> list[dict[str, Any]]:
    """One row per table cell: estimate, interval, truth, planted size, p-value.

    Rows of unmatched topics stay, with NaN truth (not scored): the multiplicity
    procedures adjust over the whole table, as the workflow does. ``family`` is the
    model's topic (the hierarchical procedures' family).
    """
    match, sim = match_topics(tables["model"], truth)
    model_to_true = {int(m) + 1: t for t, m in enumerate(match) if sim[t] >= MATCH_THRESHOLD}
    gi = {g: i for i, g in enumerate(truth.groups)}
    cells: list[dict[str, Any]] = []

    def add(
        estimand: str, method: str, rows: Iterable[dict[str, str]], est_col: str, truth_of
    ) -> None:
        for r in rows:
            t = model_to_true.get(int(r["topic"]))
            value = truth_of(r, 0 if t is None else t)
            if value is None:  # not a row of this estimand
                continue
            if t is None:  # an unmatched topic: adjusted over, not scored
                value = float("nan")
            g = r.get("municipality")
            planted = (
                float(truth.planted[gi[g], t])
                if t is not None and g in gi and estimand in ("difference", "effect")
                else float("nan")
            )
            cells.append(
                {
                    "corpus": corpus_id,
                    "regime": regime,
                    "estimand": estimand,
                    "method": method,
                    "n_docs": int(r["n_docs"]) if r.get("n_docs") else 0,
                    "group": g or "",
                    "topic": t if t is not None else -1,
                    "family": int(r["topic"]),
                    "planted": planted,
                    "estimate": _f(r[est_col]),
                    "low": _f(r["ci_low"]),
                    "high": _f(r["ci_high"]),
                    "truth": float(value),
                    "reference": (
                        float(truth.reference[t])
                        if estimand == "prevalence" and t is not None
                        else 0.0
                    ),
                    "excludes_zero": (_f(r["ci_low"]) > 0) or (_f(r["ci_high"]) < 0),
                    "significant": r.get("significant", "") == "true",
                    "p_value": _f(r.get("p_value", "")),
                    "table": f"{corpus_id}/{estimand}/{method}",
                }
            )

    from swedish_topics.analysis.calibration import study_labels

    # results.csv's labels of the shipped constructions (groups; effects and trends)
    shipped, shipped_effects = study_labels(shipped_config()["analysis"])
    methods = [("", shipped)] + [(sfx, label) for sfx, (_c, label, _r) in ALTERNATIVES.items()]
    for suffix, method in methods:
        if f"prevalence{suffix}" not in tables:
            continue
        add(
            "prevalence",
            method,
            _read(tables[f"prevalence{suffix}"]),
            "mean",
            lambda r, t: truth.prevalence[gi[r["municipality"]], t],
        )
        if suffix == "":
            pooled = [
                {**r, "ci_low": r["pooled_low"], "ci_high": r["pooled_high"]}
                for r in _read(tables["prevalence"])
            ]
            add(
                "prevalence",
                "pooled",
                pooled,
                "pooled_mean",
                lambda r, t: truth.prevalence[gi[r["municipality"]], t],
            )
        add(
            "difference",
            method,
            _read(tables[f"differences{suffix}"]),
            "difference",
            lambda r, t: truth.difference[gi[r["municipality"]], t],
        )
    effect_methods = [("", shipped_effects)] + [
        (sfx, label) for sfx, (_c, label, refit) in ALTERNATIVES.items() if refit
    ]
    for suffix, method in effect_methods:
        if f"effects_municipality{suffix}" not in tables:
            continue
        add(
            "effect",
            method,
            _read(tables[f"effects_municipality{suffix}"]),
            "estimate",
            lambda r, t: (
                truth.effect[gi[r["municipality"]], t] if r["term"] == "municipality" else None
            ),
        )
    add(
        "trend",
        shipped_effects,
        _read(tables["effects_year"]),
        "estimate",
        lambda r, t: truth.trend[t] if r["term"] == "year" else None,
    )
    for c in cells:
        c["min_similarity"] = float(sim.min())
    return cells


def run_corpus(
    regime: Regime, seed: int, scratch: Path, *, alternatives: bool = True
) -> list[dict[str, Any]]:
    """Generate, run and score one corpus (its folder is removed afterwards)."""
    with tempfile.TemporaryDirectory(dir=scratch) as tmp:
        folder = Path(tmp) / "corpus"
        truth = generate(regime, seed, folder)
        tables = run_workflow(folder, regime.k, alternatives=alternatives)
        return score_corpus(tables, truth, f"{regime.name}-{seed}", regime.name)


# ---------------------------------------------------------------------- summary
def _clustered(hits: np.ndarray, total: np.ndarray) -> tuple[float, float]:
    """Ratio estimate of a rate and its 95 % Monte Carlo half-width, clustered by corpus."""
    n = len(total)
    if total.sum() == 0:
        return float("nan"), float("nan")
    rate = hits.sum() / total.sum()
    if n < 2:
        return float(rate), float("nan")
    resid = hits - rate * total
    se = np.sqrt(n / (n - 1) * (resid**2).sum()) / total.sum()
    return float(rate), float(1.96 * se)


def _bin_label(lo: int, hi: int) -> str:
    return f"{lo}+" if hi >= 10**9 else f"{lo}-{hi}"


def with_calls(cells: Sequence[Mapping[str, Any]], method: str, fdr: float) -> list[dict[str, Any]]:
    """The cells with ``significant`` called by the multiplicity procedure ``method`` at
    ``fdr`` over each table (corpus × estimand × construction), as the workflow calls it:
    the p-values do not depend on the procedure, so one run of the study measures every
    procedure on the same planted cells."""
    from swedish_topics.analysis.multiplicity import adjusted_qvalues

    tables: dict[str, list[int]] = {}
    for i, c in enumerate(cells):
        tables.setdefault(c["table"], []).append(i)
    out = [dict(c) for c in cells]
    for rows in tables.values():
        p = np.array([out[i]["p_value"] for i in rows], dtype=np.float64)
        fam = np.array([out[i]["family"] for i in rows])
        q = adjusted_qvalues(p, fam, method=method)
        for i, qv in zip(rows, q, strict=True):
            out[i]["significant"] = bool(np.isfinite(qv) and qv <= fdr)
    return out


def scored(cells: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The cells of matched topics (the others are only adjusted over)."""
    return [c for c in cells if np.isfinite(c["truth"])]


def summarise(cells: Sequence[Mapping[str, Any]], chash: str) -> list[dict[str, Any]]:
    """Regime × estimand × method × size bin: coverage, null calls, FDR, power, bias, with
    ``significant`` from the shipped multiplicity procedure (``analysis.multiplicity``)."""
    acfg = shipped_config()["analysis"]
    cells = scored(with_calls(cells, str(acfg["multiplicity"]), float(acfg["fdr"])))
    out = []
    keys = sorted({(c["regime"], c["estimand"], c["method"]) for c in cells})
    for regime, estimand, method in keys:
        sel = [
            c
            for c in cells
            if (c["regime"], c["estimand"], c["method"]) == (regime, estimand, method)
        ]
        bins: list[tuple[str, list[Mapping[str, Any]]]] = [("all", sel)]
        if estimand != "trend":
            for lo, hi in SIZE_BINS:
                part = [c for c in sel if lo <= c["n_docs"] <= hi]
                if part and len(part) < len(sel):
                    bins.append((_bin_label(lo, hi), part))
        for label, part in bins:
            out.append(
                {
                    "regime": regime,
                    "estimand": estimand,
                    "method": method,
                    "size_bin": label,
                    **_rates(part),
                    "config_hash": chash,
                }
            )
    return out


def _rates(part: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    corpora = sorted({c["corpus"] for c in part})
    ci = {c: i for i, c in enumerate(corpora)}
    n = len(corpora)
    hit, tot, null_hit, null_tot = (np.zeros(n) for _ in range(4))
    errors = []
    for c in part:
        i = ci[c["corpus"]]
        ok = np.isfinite(c["low"]) and np.isfinite(c["high"])
        if ok:
            tot[i] += 1
            hit[i] += c["low"] <= c["truth"] <= c["high"]
        if abs(c["truth"]) < 1e-12 and ok:
            null_tot[i] += 1
            null_hit[i] += c["excludes_zero"]
        if np.isfinite(c["estimate"]):
            # signed towards the truth's departure from the reference (the corpus mean
            # for prevalence, 0 otherwise): negative = pulled towards the reference
            away = np.sign(c["truth"] - c["reference"])
            errors.append((c["estimate"] - c["truth"], away * (c["estimate"] - c["truth"])))
    cov, cov_hw = _clustered(hit, tot)
    null, null_hw = _clustered(null_hit, null_tot)
    # FDR: mean over tables of false discoveries / discoveries (0 without discoveries)
    by_table: dict[str, list[Mapping[str, Any]]] = {}
    for c in part:
        by_table.setdefault(c["table"], []).append(c)
    fdp = []
    for rows in by_table.values():
        sig = [r for r in rows if r["significant"]]
        false = [
            r
            for r in sig
            if abs(r["truth"]) < 1e-12 or np.sign(r["estimate"]) != np.sign(r["truth"])
        ]
        fdp.append(len(false) / len(sig) if sig else 0.0)
    strong = [c for c in part if abs(c["truth"]) >= POWER_MIN]
    found = [
        c for c in strong if c["significant"] and np.sign(c["estimate"]) == np.sign(c["truth"])
    ]
    err = np.array(errors) if errors else np.full((1, 2), np.nan)
    return {
        "n_corpora": n,
        "n_cells": int(tot.sum()),
        "coverage": cov,
        "coverage_low": cov - cov_hw,
        "coverage_high": cov + cov_hw,
        "null_cells": int(null_tot.sum()),
        "null_call_rate": null,
        "null_call_high": null + null_hw,
        "fdr": float(np.mean(fdp)) if fdp else float("nan"),
        "power_cells": len(strong),
        "power": len(found) / len(strong) if strong else float("nan"),
        "bias": float(np.nanmean(err[:, 1])),
        "mae": float(np.nanmean(np.abs(err[:, 0]))),
    }


def write_results(path: Path, rows: Sequence[Mapping[str, Any]]) -> None:
    """The summary CSV through the package's writer (deterministic float format)."""
    from swedish_topics import io as sio

    sio.write_csv(path, rows, RESULT_COLUMNS)


def write_cells(path: Path, cells: Sequence[Mapping[str, Any]]) -> None:
    """Every scored cell, gzipped CSV."""
    if not cells:
        return
    cols = list(cells[0])
    tmp = path.with_name(path.name + ".part")
    with gzip.open(tmp, "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, cols)
        writer.writeheader()
        writer.writerows(cells)
    tmp.replace(path)  # atomic: an interrupted run keeps the previous file


def read_cells(path: Path) -> list[dict[str, Any]]:
    """Cells written by :func:`write_cells`, typed back."""
    out = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            r2: dict[str, Any] = dict(r)
            for key in (
                "planted",
                "estimate",
                "low",
                "high",
                "truth",
                "reference",
                "min_similarity",
                "p_value",
            ):
                if key not in r:
                    continue
                r2[key] = float(r[key]) if r[key] not in ("", "nan") else float("nan")
            r2["n_docs"] = int(r["n_docs"])
            r2["topic"] = int(r["topic"])
            r2["family"] = int(r["family"])
            r2["excludes_zero"] = r["excludes_zero"] == "True"
            r2["significant"] = r["significant"] == "True"
            out.append(r2)
    return out


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpora", type=int, default=100, help="corpora per regime")
    parser.add_argument("--regimes", nargs="+", default=list(REGIMES), choices=list(REGIMES))
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.csv"))
    parser.add_argument("--scratch", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--budget-minutes",
        type=float,
        default=None,
        help="stop starting new corpora after this long (round-robin over regimes)",
    )
    parser.add_argument(
        "--shipped-only",
        action="store_true",
        help="run only the shipped constructions, not the ALTERNATIVES (more corpora per hour)",
    )
    parser.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        default=None,
        help="run no corpus; summarise the cells of these files (e.g. of parallel runs) into --out",
    )
    parser.add_argument(
        "--summarise-only",
        action="store_true",
        help="run no corpus; rewrite --out from the cells file beside it",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    logger.setLevel(logging.INFO)
    cells_path = args.out.with_name(args.out.stem + "_cells.csv.gz")
    cells: list[dict[str, Any]] = read_cells(cells_path) if cells_path.exists() else []
    done = {c["corpus"] for c in cells}
    started = time.perf_counter()
    chash = config_hash()
    if args.merge:
        merged = [c for path in args.merge for c in read_cells(path)]
        write_results(args.out, summarise(merged, chash))
        logger.info("%d cells from %d files; summary in %s", len(merged), len(args.merge), args.out)
        return
    if args.summarise_only:
        write_results(args.out, summarise(cells, chash))
        return
    for i in range(args.corpora):
        seed = args.first_seed + i
        for name in args.regimes:
            corpus_id = f"{name}-{seed}"
            if corpus_id in done:
                continue
            if args.budget_minutes and time.perf_counter() - started > 60 * args.budget_minutes:
                logger.info("time budget used up")
                write_cells(cells_path, cells)  # the corpora of this round too
                write_results(args.out, summarise(cells, chash))
                return
            t0 = time.perf_counter()
            try:
                cells += run_corpus(
                    REGIMES[name], seed, args.scratch, alternatives=not args.shipped_only
                )
            except Exception:  # one failing corpus must not lose the others
                logger.exception("corpus %s failed", corpus_id)
                continue
            logger.info("%s done in %.1f s", corpus_id, time.perf_counter() - t0)
        write_cells(cells_path, cells)
        write_results(args.out, summarise(cells, chash))
    logger.info("%d cells; summary in %s", len(cells), args.out)


if __name__ == "__main__":
    main()
