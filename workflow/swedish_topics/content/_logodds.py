"""Weighted log-odds with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008).

For one topic, a group i and the rest of the corpus j, with expected counts y_iw and
y_jw of word w (totals n_i, n_j) and a Dirichlet prior α_w = s · y_w (the topic's own
corpus-wide counts y_w = y_iw + y_jw, scaled by ``prior_strength`` s; α_0 = Σ α_w):

    δ_w = log[(y_iw + α_w) / (n_i + α_0 − y_iw − α_w)]
        − log[(y_jw + α_w) / (n_j + α_0 − y_jw − α_w)],
    σ²_w ≈ 1 / (y_iw + α_w) + 1 / (y_jw + α_w),      z_w = δ_w / σ_w.

This is the "Fightin' Words" estimator with the empirical-Bayes prior of tidylo's
``bind_log_odds``; z is descriptive (the expected counts are not independent draws), so
the tables and figures rank words by it but never call a word significant.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class LogOdds:
    """Groups × V weighted log-odds of each group against the rest (NaN: word unused)."""

    log_odds: np.ndarray
    z: np.ndarray
    variance: np.ndarray
    count_group: np.ndarray
    count_rest: np.ndarray


def weighted_log_odds(counts: np.ndarray, *, prior_strength: float = 1.0) -> LogOdds:
    """Every group's weighted log-odds against the rest of the corpus, for every word.

    Parameters
    ----------
    counts
        Groups × V (expected) counts of one topic.
    prior_strength
        s: the prior holds s times the topic's corpus-wide counts (1: Monroe et al.'s
        informative prior from the whole corpus). Larger values shrink rare words more.

    Returns
    -------
    LogOdds
        ``log_odds`` δ and ``z`` per group and word (NaN where the word has no count in
        the topic), with the counts of the group and of the rest.

    Examples
    --------
    >>> lo = weighted_log_odds(np.array([[10.0, 10.0], [10.0, 10.0]]))
    >>> np.allclose(lo.z, 0)
    True
    """
    if prior_strength <= 0:
        raise ValueError(f"prior_strength must be > 0, got {prior_strength}")
    y = np.asarray(counts, dtype=np.float64)
    total = y.sum(axis=0)  # V
    n_total = float(total.sum())
    rest = total[None, :] - y
    n_group = y.sum(axis=1, keepdims=True)
    n_rest = n_total - n_group
    alpha = prior_strength * total[None, :]
    alpha0 = prior_strength * n_total
    used = total > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        a_i = y + alpha
        a_j = np.maximum(rest, 0.0) + alpha
        delta = np.log(a_i / (n_group + alpha0 - a_i)) - np.log(a_j / (n_rest + alpha0 - a_j))
        variance = 1.0 / a_i + 1.0 / a_j
        z = delta / np.sqrt(variance)
    for arr in (delta, z, variance):
        arr[:, ~used] = np.nan
    return LogOdds(delta, z, variance, y, np.maximum(rest, 0.0))


def leading_terms(z: np.ndarray, n: int) -> np.ndarray:
    """Per row, the ``n`` column indices of the largest finite z (ties: lower index first).

    Equal to ``argsort(-z, kind="stable")[:, :n]`` (NaN last), found by partitioning:
    only the candidates at or above each row's n-th largest value are sorted.

    >>> leading_terms(np.array([[0.5, 2.0, np.nan, 2.0]]), 2).tolist()
    [[1, 3]]
    """
    filled = np.where(np.isfinite(z), z, -np.inf)
    n = min(n, filled.shape[1])
    if n <= 0:
        return np.zeros((filled.shape[0], 0), dtype=np.int64)
    out = np.empty((filled.shape[0], n), dtype=np.int64)
    kth = filled.shape[1] - n
    for r, row in enumerate(filled):
        threshold = np.partition(row, kth)[kth]
        candidates = np.flatnonzero(row >= threshold)  # ascending index: ties stay in order
        order = np.argsort(-row[candidates], kind="stable")[:n]
        out[r] = candidates[order]
    return out
