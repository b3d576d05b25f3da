"""The linear trend of every topic over a numeric facet."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from swedish_topics.analysis._common import (
    FLAG_FEW_DOCS,
    FLAG_FEW_VALUES,
    FLAG_WIDENED,
    _as_number,
    _check_inputs,
    _check_n_boot,
    _join_notes,
    excludes_zero,
    make_rng,
)
from swedish_topics.analysis.intervals import _resample_counts, percentile_interval
from swedish_topics.errors import CorpusError

logger = logging.getLogger(__name__)


def trend(
    doc_theta: np.ndarray,
    values: Sequence[int | float | str],
    *,
    n_boot: int,
    seed: int,
    ci_level: float,
    facet: str = "value",
    min_docs: int = 10,
) -> list[dict[str, Any]]:
    """Per topic the OLS slope of document proportion on a numeric facet, with an interval.

    The slope is the change in a document's topic proportion per unit of the facet (per
    year for ``year``), fitted with every document weighted equally. The interval is a
    percentile bootstrap over documents (pairs bootstrap: rows resampled with their
    values). Replicates in which all drawn documents share one value are dropped.

    Parameters
    ----------
    doc_theta : numpy.ndarray
        ``n_docs × K`` document proportions.
    values : sequence of int
        The facet value of each document (strings of integers are accepted).
    n_boot, seed, ci_level
        As in :func:`prevalence_by_group`.
    facet : str
        Facet name (seeds the random stream and is used in notes).
    min_docs : int
        With fewer documents the rows are flagged ``few_docs``: a bootstrap of a slope
        from a handful of documents is unreliable.

    Returns
    -------
    list of dict
        One row per topic: ``topic``, ``slope``, ``ci_low``, ``ci_high``,
        ``excludes_zero``, ``mean``, ``n_docs``, ``n_distinct_values``, ``value_min``,
        ``value_max``, ``flag``, ``note``. With fewer than 3 distinct values the slope is
        NaN (``flag`` = ``few_values``): two values only give a difference of two means,
        which the differences table already reports.
    """
    _check_n_boot(n_boot)
    doc_theta = _check_inputs(doc_theta, values, "values")
    try:
        x = np.asarray([float(v) for v in values], dtype=np.float64)
    except ValueError as err:
        raise CorpusError(
            f"The numeric facet {facet!r} has a value that is not a number ({err}). List the "
            "facet under numeric_facets only if every document has an integer value."
        ) from err
    n, k = doc_theta.shape
    mean = doc_theta.mean(axis=0) if n else np.full(k, np.nan)
    n_distinct = len(np.unique(x))
    base = {
        "n_docs": n,
        "n_distinct_values": n_distinct,
        "value_min": _as_number(x.min()) if n else None,
        "value_max": _as_number(x.max()) if n else None,
    }
    if n_distinct < 3:
        note = (
            f"no trend: {facet} has {n_distinct} distinct value(s); a slope needs at least 3 "
            "(with 2 it is only the difference of two means, see the differences table)"
        )
        return [
            {
                "topic": t + 1,
                "slope": math.nan,
                "ci_low": math.nan,
                "ci_high": math.nan,
                "excludes_zero": None,  # no trend was estimated: empty, not false
                "mean": float(mean[t]),
                **base,
                "flag": FLAG_FEW_VALUES,
                "note": note,
            }
            for t in range(k)
        ]
    xc = x - x.mean()
    slope = xc @ doc_theta / (xc @ xc)
    rng = make_rng(seed, "trend", facet)
    reps = []
    for c in _resample_counts(rng, n, n_boot):
        sx = c @ xc
        sxx = c @ (xc * xc) - sx * sx / n
        sy = c @ doc_theta
        sxy = c @ (xc[:, None] * doc_theta) - sx[:, None] * sy / n
        degenerate = sxx <= 1e-12 * max(float(xc @ xc), 1e-300)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps.append(np.where(degenerate[:, None], np.nan, sxy / sxx[:, None]))
    replicates = np.vstack(reps)
    n_dropped = int(np.isnan(replicates[:, 0]).sum())
    low, high, widened = percentile_interval(replicates, slope, ci_level=ci_level)
    dropped_note = (
        f"{n_dropped} of {n_boot} replicates drew a single {facet} value and were dropped"
        if n_dropped
        else ""
    )
    few = (
        f"only {n} documents (fewer than {min_docs}): the interval is unreliable"
        if n < min_docs
        else ""
    )
    rows = []
    for t in range(k):
        lo, hi = float(low[t]), float(high[t])
        flags = ([FLAG_FEW_DOCS] if few else []) + ([FLAG_WIDENED] if widened[t] else [])
        rows.append(
            {
                "topic": t + 1,
                "slope": float(slope[t]),
                "ci_low": lo,
                "ci_high": hi,
                "excludes_zero": excludes_zero(lo, hi),
                "mean": float(mean[t]),
                **base,
                "flag": ";".join(flags),
                "note": _join_notes(
                    few,
                    dropped_note,
                    "interval widened to contain the estimate" if widened[t] else "",
                ),
            }
        )
    return rows
