"""Many comparisons at once: q-values and intervals adjusted for selection.

A table of 290 municipalities × 30 topics holds 8,700 intervals; at 5 % hundreds exclude
zero by chance. Every table is one family of comparisons:

* :func:`by_qvalues`: Benjamini–Yekutieli (2001) adjusted p-values. Topic proportions
  sum to one, so the tests of one group's topics are negatively dependent; the
  Benjamini–Hochberg procedure is proved only under positive dependence, BY under any
  dependence (at the price of the factor ``c(m) = 1 + 1/2 + … + 1/m``). A row is
  ``significant`` when its q-value is at most ``analysis.fdr``; the expected share of
  false discoveries among the significant rows is then at most ``analysis.fdr``.
* :func:`fcr_level`: the level of false-coverage-rate intervals (Benjamini & Yekutieli
  2005) for the ``R`` selected rows, ``1 - R q / (m c(m))``. Built from the same
  t statistic as the p-value, a selected row's FCR interval always excludes 0, so the
  flag and the interval never contradict each other.

>>> by_qvalues(np.array([0.001, 0.02, 0.5, np.nan])).round(4).tolist()
[0.0055, 0.055, 0.9167, nan]
"""

from __future__ import annotations

import numpy as np


def harmonic(m: int) -> float:
    """``c(m) = 1 + 1/2 + … + 1/m``, the Benjamini–Yekutieli factor (1 for m = 0)."""
    return float(np.sum(1.0 / np.arange(1, m + 1))) if m > 0 else 1.0


def by_qvalues(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Yekutieli q-values of a family of p-values (NaN ones are not tests).

    ``q_(i) = min_{j >= i} min(1, p_(j) m c(m) / j)`` over the ``m`` finite p-values in
    ascending order; NaN stays NaN.
    """
    return _step_up(p_values, by_factor=True)


def bh_qvalues(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg q-values, ``min_{j >= i} min(1, p_(j) m / j)`` (NaN stays NaN).

    Not used by the workflow (see the module docstring); the calibration study measures
    what it would gain (``bench/calibration/multiplicity.py``).
    """
    return _step_up(p_values, by_factor=False)


def _step_up(p_values: np.ndarray, *, by_factor: bool) -> np.ndarray:
    """The step-up adjusted p-values, with or without the BY factor ``c(m)``."""
    p = np.asarray(p_values, dtype=np.float64)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m == 0:
        return q
    order = ok[np.argsort(p[ok], kind="stable")]
    factor = harmonic(m) if by_factor else 1.0
    raw = p[order] * m * factor / np.arange(1, m + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(raw[::-1])[::-1])
    return q


def fcr_level(n_selected: int, n_tests: int, fdr: float) -> float:
    """Coverage level of the false-coverage-rate intervals of ``n_selected`` rows.

    ``1 - R q / (m c(m))`` (Benjamini & Yekutieli 2005, with the factor for arbitrary
    dependence); 1 - q / (m c(m)) when nothing is selected.
    """
    if n_tests <= 0:
        return 1.0 - fdr
    return 1.0 - max(n_selected, 1) * fdr / (n_tests * harmonic(n_tests))
