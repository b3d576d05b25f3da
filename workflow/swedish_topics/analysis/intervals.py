"""Bootstrap replicates (documents resampled with replacement) and percentile intervals."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import numpy as np

from swedish_topics.analysis._common import _alpha

logger = logging.getLogger(__name__)

#: Upper bound on the number of cells of one block of the bootstrap count matrix
#: (replicates × documents); replicates are drawn block by block to bound memory.
_BLOCK_CELLS = 4_000_000


def _resample_counts(rng: np.random.Generator, n: int, n_boot: int) -> Iterator[np.ndarray]:
    """Blocks of a ``n_boot × n`` matrix: how often each item is drawn in each replicate.

    Each replicate draws ``n`` indices uniformly with replacement (an index matrix);
    counting them per replicate lets a replicate's mean be one matrix product. Blocks are
    yielded one at a time, so memory holds one block (at most :data:`_BLOCK_CELLS` cells),
    not the whole matrix.
    """
    block = max(1, min(n_boot, _BLOCK_CELLS // max(n, 1)))
    done = 0
    while done < n_boot:
        b = min(block, n_boot - done)
        idx = rng.integers(0, n, size=(b, n))
        idx += (np.arange(b, dtype=np.int64) * n)[:, None]  # in place: one block in memory
        counts = np.bincount(idx.ravel(), minlength=b * n)
        del idx
        block_counts = counts.reshape(b, n).astype(np.float64)
        del counts
        yield block_counts
        done += b


def bootstrap_means(values: np.ndarray, *, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``values`` (``n × K``) over ``n_boot`` resamples of its rows.

    Returns
    -------
    numpy.ndarray
        ``n_boot × K`` replicate means.
    """
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[0]
    return np.vstack([c @ values for c in _resample_counts(rng, n, n_boot)]) / n


def bootstrap_weighted_means(
    values: np.ndarray, weights: np.ndarray, *, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Weighted means of ``values`` (``n × K``, weights ``n``) over resamples of its rows.

    A replicate whose drawn rows all have weight 0 gives NaN (ignored by the quantiles).
    """
    values = np.asarray(values, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    n = values.shape[0]
    weighted = values * weights[:, None]
    out = []
    for c in _resample_counts(rng, n, n_boot):
        num = c @ weighted
        den = c @ weights
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(np.where(den[:, None] > 0, num / den[:, None], np.nan))
    return np.vstack(out)


def percentile_interval(
    replicates: np.ndarray, estimate: np.ndarray, *, ci_level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile bootstrap interval per column, widened if needed to contain ``estimate``.

    Returns
    -------
    low, high, widened : numpy.ndarray
        Interval bounds and whether a bound had to be moved to the estimate (a percentile
        interval can miss the estimate for strongly skewed replicates; the tables say so).
    """
    alpha = _alpha(ci_level)
    estimate = np.asarray(estimate, dtype=np.float64)
    ok = ~np.isnan(replicates).all(axis=0)
    low = np.full(estimate.shape, np.nan)
    high = np.full(estimate.shape, np.nan)
    if ok.any():
        q = np.nanquantile(replicates[:, ok], [alpha / 2, 1 - alpha / 2], axis=0)
        low[ok], high[ok] = q[0], q[1]
    # Floating-point noise (replicates equal to the estimate up to rounding) is not widening.
    tol = 1e-12 * np.maximum(1.0, np.abs(estimate))
    widened = ok & ((low > estimate + tol) | (high < estimate - tol))
    low = np.where(ok, np.minimum(low, estimate), np.nan)
    high = np.where(ok, np.maximum(high, estimate), np.nan)
    return low, high, widened


def t_interval(
    estimate: np.ndarray, se: np.ndarray, df: np.ndarray, *, ci_level: float
) -> tuple[np.ndarray, np.ndarray]:
    """``estimate ± t_{df, 1 - (1 - ci_level)/2} · se`` (NaN where se or df is missing)."""
    from scipy import stats

    alpha = _alpha(ci_level)
    est = np.asarray(estimate, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        crit = stats.t.ppf(1.0 - alpha / 2.0, np.maximum(np.asarray(df, dtype=np.float64), 1e-9))
        half = crit * np.asarray(se, dtype=np.float64)
    return est - half, est + half


def t_p_value(estimate: np.ndarray, se: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Two-sided p-value of ``estimate = 0`` from the same t statistic as :func:`t_interval`.

    The level-``1 - p`` interval has 0 on its edge, so an interval excludes 0 exactly
    when ``p < 1 - ci_level``. A zero standard error gives NaN (no test).
    """
    from scipy import stats

    est = np.asarray(estimate, dtype=np.float64)
    se = np.asarray(se, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        tstat = np.where(se > 0, np.abs(est) / se, np.nan)
        return np.asarray(2.0 * stats.t.sf(tstat, np.maximum(np.asarray(df, float), 1e-9)))
