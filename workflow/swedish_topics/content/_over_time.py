"""Themes over a numeric facet: each value's most used words, and words that rose or fell.

The rise and fall compare the later half of the period with the earlier half (split at
the median value of the documents) with the weighted log-odds. A word can seem to rise
only because other groups wrote more in later years; with ``strata`` (the groups of the
other facets) the comparison is made within each stratum and the strata's log-odds are
pooled with inverse-variance weights (a fixed-effect summary), so a stratum that writes
only early or only late contributes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from swedish_topics.content._by_group import group_flags
from swedish_topics.content._counts import ExpectedCounts, group_indicator

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Shift:
    """Pooled late-vs-early log-odds of every word of one topic."""

    log_odds: np.ndarray
    z: np.ndarray
    count_early: np.ndarray
    count_late: np.ndarray
    n_strata: int


def split_period(values: Sequence[float]) -> float:
    """The cut between early and late: the (lower) median value of the documents.

    Values ≤ the cut are early. If the median is the largest value (more than half the
    documents in the last period), the cut is the largest value below it.

    >>> split_period([2018, 2019, 2020, 2021])
    2019.0
    """
    arr = np.asarray(values, dtype=np.float64)
    cut = float(np.quantile(arr, 0.5, method="lower"))  # a value of the data
    if cut >= arr.max():
        below = arr[arr < arr.max()]
        cut = float(below.max()) if below.size else cut
    return cut


def pooled_shift(
    early: np.ndarray | sp.spmatrix, late: np.ndarray | sp.spmatrix, *, prior_strength: float = 1.0
) -> Shift:
    """Late-vs-early weighted log-odds, pooled over strata.

    Within each stratum s with tokens in both periods this is
    :func:`~swedish_topics.content.weighted_log_odds` of the two periods (prior from the
    stratum's own counts), computed on the words the stratum uses only, so thousands of
    strata (e.g. county × municipality) cost no dense strata × V arrays.

    Parameters
    ----------
    early, late
        Strata × V expected counts of one topic in the early and the late period (dense
        or sparse).

    Returns
    -------
    Shift
        Pooled δ (inverse-variance weighted mean of the strata's δ) and its z, the total
        counts and the number of strata with tokens in both periods.
    """
    e_mat = sp.csr_matrix(np.atleast_2d(early) if isinstance(early, np.ndarray) else early)
    l_mat = sp.csr_matrix(np.atleast_2d(late) if isinstance(late, np.ndarray) else late)
    n_e = np.asarray(e_mat.sum(axis=1)).ravel()
    n_l = np.asarray(l_mat.sum(axis=1)).ravel()
    both = (n_e > 0) & (n_l > 0)
    keep = sp.diags(both.astype(np.float64))
    e_mat, l_mat = keep @ e_mat, keep @ l_mat
    total = (e_mat + l_mat).tocoo()
    total.sum_duplicates()
    rows, cols, t = total.row, total.col, total.data
    used = t > 0
    rows, cols, t = rows[used], cols[used], t[used]
    e = np.asarray(e_mat[rows, cols]).ravel()
    lt = np.asarray(l_mat[rows, cols]).ravel()
    alpha = prior_strength * t
    alpha0 = prior_strength * (n_e + n_l)[rows]
    a_l, a_e = lt + alpha, e + alpha
    delta = np.log(a_l / (n_l[rows] + alpha0 - a_l)) - np.log(a_e / (n_e[rows] + alpha0 - a_e))
    inv_var = 1.0 / (1.0 / a_l + 1.0 / a_e)
    v = e_mat.shape[1]
    num = np.bincount(cols, weights=delta * inv_var, minlength=v)
    weight = np.bincount(cols, weights=inv_var, minlength=v)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = np.where(weight > 0, num / weight, np.nan)
        z = np.where(weight > 0, pooled * np.sqrt(weight), np.nan)
    count_e = np.asarray(e_mat.sum(axis=0)).ravel()
    count_l = np.asarray(l_mat.sum(axis=0)).ravel()
    return Shift(pooled, z, count_e, count_l, int(both.sum()))


def _stratum_period_counts(
    topic_counts: Any, unit_cell: np.ndarray, n_strata: int
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Strata × V counts of the early and of the late period (cell = 2·stratum + late)."""
    agg = sp.csr_matrix(group_indicator(unit_cell, 2 * n_strata) @ topic_counts)
    return agg[0::2], agg[1::2]


def over_time_rows(
    ec: ExpectedCounts,
    vocab: Sequence[str],
    *,
    facet: str,
    unit_value: np.ndarray,
    unit_stratum: np.ndarray,
    n_strata: int,
    value_docs: Mapping[float, int],
    cfg: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """Rows of ``topic_terms_over_<facet>``: leading words per value, rising and falling.

    Parameters
    ----------
    unit_value
        The facet's value (a number) of each unit's document.
    unit_stratum
        Each unit's stratum (0 … n_strata − 1): the combination of the other facets'
        groups, or 0 for all units (a marginal comparison).
    value_docs
        Documents per value.
    cfg
        ``n_terms``, ``prior_strength``, ``min_group_docs``, ``min_topic_tokens`` and
        ``strata_note`` (how the halves were compared: the note of the rising/falling rows).
    """
    values = sorted(value_docs)
    cut = split_period([v for v in values for _ in range(value_docs[v])])
    late = (unit_value > cut).astype(np.int64)
    cell = 2 * unit_stratum + late
    value_index = np.searchsorted(np.asarray(values, dtype=np.float64), unit_value)
    n_terms = int(cfg["n_terms"])
    later = [v for v in values if v > cut]
    period = f"{_span(values[0], cut)} → {_span(later[0], values[-1])}" if later else ""
    how = str(cfg.get("strata_note", ""))
    rows: list[dict[str, Any]] = []
    for k in range(ec.n_topics):
        topic_counts = ec.topic(k)
        per_value = np.asarray((group_indicator(value_index, len(values)) @ topic_counts).toarray())
        rows += _leading_rows(k, per_value, values, value_docs, vocab, facet, cfg)
        if not period:
            continue
        early_c, late_c = _stratum_period_counts(topic_counts, cell, n_strata)
        shift = pooled_shift(early_c, late_c, prior_strength=float(cfg["prior_strength"]))
        z = np.where(np.isfinite(shift.z), shift.z, 0.0)
        for kind, sign in (("rising", 1.0), ("falling", -1.0)):
            order = np.argsort(-sign * z, kind="stable")[:n_terms]
            for rank, w in enumerate(w for w in order if sign * z[w] > 0):
                rows.append(
                    {
                        "topic": k + 1,
                        "kind": kind,
                        facet: period,
                        "rank": rank + 1,
                        "term": vocab[int(w)],
                        "z": float(shift.z[w]),
                        "log_odds": float(shift.log_odds[w]),
                        "count_early": float(shift.count_early[w]),
                        "count_late": float(shift.count_late[w]),
                        "n_strata": shift.n_strata,
                        "flag": "",
                        "note": how.replace("{n_both}", str(shift.n_strata)),
                    }
                )
        logger.info("%s: topic %d of %d done", facet, k + 1, ec.n_topics)
    return rows


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _span(first: float, last: float) -> str:
    """``"2018"`` or ``"2019–2021"``."""
    return _fmt(first) if first == last else f"{_fmt(first)}–{_fmt(last)}"


def _leading_rows(
    k: int,
    per_value: np.ndarray,
    values: Sequence[float],
    value_docs: Mapping[float, int],
    vocab: Sequence[str],
    facet: str,
    cfg: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The most used words of topic ``k`` at each value (share of the topic's tokens)."""
    n_terms = int(cfg["n_terms"])
    rows = []
    for i, value in enumerate(values):
        total = float(per_value[i].sum())
        if total <= 0:
            continue
        flags, note = group_flags(
            value_docs[value],
            total,
            min_group_docs=int(cfg["min_group_docs"]),
            min_topic_tokens=float(cfg["min_topic_tokens"]),
        )
        order = np.argsort(-per_value[i], kind="stable")[:n_terms]
        for rank, w in enumerate(order, start=1):
            if per_value[i, w] <= 0:
                break
            rows.append(
                {
                    "topic": k + 1,
                    "kind": "leading",
                    facet: _fmt(value),
                    "rank": rank,
                    "term": vocab[int(w)],
                    "share": float(per_value[i, w] / total),
                    "n_docs": value_docs[value],
                    "flag": ";".join(flags),
                    "note": note,
                }
            )
    return rows
