"""Natural (restricted) cubic splines for a numeric term of the effects model.

``ns(year, 3)`` in ``analysis.effects.formula`` lets a topic's prevalence bend over the
years instead of following one straight line. The basis is Harrell's restricted cubic
spline (linear beyond the outer knots, so a natural spline): ``df + 1`` knots at
Harrell's default quantiles of the documents' values, ``df`` columns (``x`` and ``df - 1``
cubic pieces). With as many knots as distinct values (four years, ``df = 3``) the spline
is saturated: each year has its own mean, as with ``C(year)``.

A spline has no single slope, so the effects table reports its *average slope*: the mean
over the documents of the fitted curve's derivative, ``mean_i f'(x_i)`` — for a straight
line its slope, for year as a category the average change per year that the issue's
estimand asks for. It is linear in the coefficients, so it is one contrast
(:func:`average_slope_contrast`) with the same variance and test as every other effect.

>>> import numpy as np
>>> x = np.linspace(-2, 2, 9)
>>> basis, deriv, knots = natural_spline_basis(x, 3)
>>> basis.shape, len(knots)
((9, 3), 4)
>>> bool(np.allclose(deriv[:, 0], 1.0))  # the first column is x itself
True
"""

from __future__ import annotations

import numpy as np

#: Harrell's default knot quantiles for 3–7 knots (Regression Modeling Strategies, 2.4.6).
KNOT_QUANTILES = {
    3: (0.10, 0.50, 0.90),
    4: (0.05, 0.35, 0.65, 0.95),
    5: (0.05, 0.275, 0.50, 0.725, 0.95),
    6: (0.05, 0.23, 0.41, 0.59, 0.77, 0.95),
    7: (0.025, 0.1833, 0.3417, 0.50, 0.6583, 0.8167, 0.975),
}


def knots_for(x: np.ndarray, df: int) -> np.ndarray:
    """``df + 1`` knots at the default quantiles of ``x``; fewer when ``x`` has fewer
    distinct values (then the distinct values, spread evenly)."""
    k = df + 1
    values = np.unique(x)
    if len(values) <= k:
        return values.astype(np.float64)
    probs = KNOT_QUANTILES.get(k, tuple(np.linspace(0.05, 0.95, k)))
    knots = np.unique(np.quantile(x, probs))
    if len(knots) < k:  # discrete values: pick distinct values evenly instead
        knots = values[np.round(np.linspace(0, len(values) - 1, k)).astype(int)]
    return knots.astype(np.float64)


def natural_spline_basis(x: np.ndarray, df: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The restricted cubic spline basis of ``x``, its derivative, and the knots.

    Returns ``(basis, derivative, knots)``, basis and derivative ``n × d`` with ``d`` =
    number of knots − 1 (``df`` unless ``x`` has too few distinct values; 1, the linear
    term, with fewer than three knots). Basis columns are centred (the intercept carries
    the level); the derivative is that of the uncentred columns.
    """
    x = np.asarray(x, dtype=np.float64)
    knots = knots_for(x, max(int(df), 1))
    cols, ders = [x], [np.ones_like(x)]
    k = len(knots)
    if k >= 3:
        t = knots
        scale = (t[-1] - t[0]) ** 2

        def cube(v: np.ndarray) -> np.ndarray:
            return np.maximum(v, 0.0) ** 3

        def square3(v: np.ndarray) -> np.ndarray:
            return 3.0 * np.maximum(v, 0.0) ** 2

        a = (t[-1] - t[:-2]) / (t[-1] - t[-2])
        b = (t[-2] - t[:-2]) / (t[-1] - t[-2])
        for j in range(k - 2):
            cols.append((cube(x - t[j]) - cube(x - t[-2]) * a[j] + cube(x - t[-1]) * b[j]) / scale)
            ders.append(
                (square3(x - t[j]) - square3(x - t[-2]) * a[j] + square3(x - t[-1]) * b[j]) / scale
            )
    basis = np.column_stack(cols)
    return basis - basis.mean(axis=0), np.column_stack(ders), knots


def average_slope_contrast(derivative: np.ndarray) -> np.ndarray:
    """Weights over the spline's coefficients giving ``mean_i f'(x_i)``."""
    return np.asarray(derivative, dtype=np.float64).mean(axis=0)
