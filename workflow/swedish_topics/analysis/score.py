"""Score intervals for group prevalence and group − rest differences.

A topic's document proportions are bounded and skewed: most documents give a minor
topic almost nothing, a few give it much. For a group of a dozen documents, the sample
mean and the sample variance then rise and fall together: a group whose documents
happened to miss the topic has a low mean *and* a low variance, so a t interval built
from its own variance is too narrow exactly where it is too low, and a test of "this
group differs from the rest" calls differences that are not there. The calibration
study found this with 100 groups of 3–30 documents: a false discovery rate of 41 % at a
nominal 5 %.

The remedy is the one of the Wilson interval for a binomial proportion: take the
variance *under the hypothesis tested*, not at the estimate, and invert the test. Per
topic, document proportions get the quasi-binomial variance function

    Var(θ_d) = φ · μ (1 − μ)

(exact for Dirichlet-distributed proportions, where φ = 1 / (concentration + 1)), with
the dispersion ``φ`` estimated from all groups at once (:func:`dispersion`). The test of
"the group's prevalence is μ" uses the variance ``φ μ (1 − μ) / n_g`` (plus the model's
posterior variance of the group mean, by Rubin's rules); the interval is every μ that
test does not reject: a quadratic inequality with a closed form
(:func:`solve_score`). For a difference Δ from the rest (mean ``a``, its own sample
variance), the group's mean under the hypothesis is ``a + Δ``. At Δ = 0 the test is the
score test of "this group is like the rest", so the p-value, the interval, ``q_value``
and ``significant`` always agree. The interval is asymmetric near 0 and never leaves
[0, 1] (prevalence) or [−a, 1 − a] (difference).

The mean of a few documents of a minor topic is itself skewed: mostly a little below the
topic's mean, now and then far above it (one document that is almost all that topic). A
normal reference is then too light in the far upper tail, where a multiplicity procedure
over a thousand cells draws its line (p ≈ 1e-5): the calibration study's null cells in
groups of 3–10 documents fell below p = 1e-4 about 18 times as often as they should, all
of them above the rest. The difference test therefore refers its statistic to the
three-moment (Pearson type III, shifted gamma) approximation of its null distribution,
with the third cumulant of the group's mean under the same model
(:func:`third_cumulant`; a sum of gamma variables is gamma, so for a minor topic of a
Dirichlet this is close to exact), mapped to the normal deviate of the same tail
(:func:`skew_deviate`) and then to the t reference as before. Its skewness falls as
``1 / √n_g``: for large groups nothing changes. The interval inverts the same test
(:func:`solve_skew_score`, by bisection).

>>> import numpy as np
>>> lo, hi = solve_score(np.array([0.0]), np.array([0.02]), np.array([5.0]),
...                      np.array([0.3]), np.array([0.0]), np.array([2.0]))
>>> bool(lo[0] < 0.02 < hi[0] and lo[0] >= 0.0 and hi[0] > 0.1)  # wide above a low mean
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from swedish_topics.analysis.groups import GroupMoments


def dispersion(moments: GroupMoments) -> np.ndarray:
    """Per topic, ``φ`` of the quasi-binomial variance function, pooled over groups.

    ``φ = Σ_g (n_g − 1) s²_g / Σ_g (n_g − 1) ȳ_g (1 − ȳ_g)`` over the groups of at
    least two documents (each group's own variance, unmoderated); NaN when no group has
    two documents.
    """
    m = moments
    n = m.n[:, None]
    multi = (m.n >= 2)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = np.where(multi, m.raw_var_mean * n, 0.0)
        num = np.nansum(np.where(multi, (n - 1) * s2, 0.0), axis=0)
        den = np.nansum(np.where(multi, (n - 1) * m.mean * (1.0 - m.mean), 0.0), axis=0)
        return np.where(den > 0, num / den, np.nan)


def solve_score(
    a: np.ndarray | float,
    d: np.ndarray,
    n: np.ndarray,
    phi: np.ndarray,
    c: np.ndarray,
    crit: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """All Δ with ``(d − Δ)² ≤ crit² · (φ (a + Δ)(1 − a − Δ) / n + c)``.

    ``d`` is the estimate (a group mean minus ``a``; ``a = 0`` for a prevalence),
    ``c`` the variance that does not depend on Δ (the rest's mean, the posterior).
    Everything broadcasts. Returns the interval's bounds (NaN where an input is).
    """
    k = crit**2 * phi / n
    qa = 1.0 + k
    qb = 2.0 * d + k * (1.0 - 2.0 * a)
    qc = d**2 - crit**2 * c - k * a * (1.0 - a)
    with np.errstate(invalid="ignore"):
        root = np.sqrt(np.maximum(qb**2 - 4.0 * qa * qc, 0.0))
    return (qb - root) / (2.0 * qa), (qb + root) / (2.0 * qa)


def third_cumulant(mu: np.ndarray, phi: np.ndarray, n: np.ndarray) -> np.ndarray:
    """The third cumulant of the mean of ``n`` documents whose proportions of a topic are
    Beta with mean ``μ`` and variance ``φ μ (1 − μ)`` (the marginal of a Dirichlet):
    ``2 φ² μ (1 − μ)(1 − 2μ) / ((1 + φ) n²)``. Positive (a long upper tail) below
    ``μ = 1/2``.
    """
    return 2.0 * phi**2 * mu * (1.0 - mu) * (1.0 - 2.0 * mu) / ((1.0 + phi) * n**2)


def skew_deviate(z: np.ndarray, skew: np.ndarray) -> np.ndarray:
    """The normal deviate with the same tail probability as the standardized statistic
    ``z`` under the Pearson type III distribution of skewness ``skew`` (the normal at
    skewness 0): ``Φ⁻¹(F(z))``, from the smaller tail so that it stays accurate far out.
    """
    from scipy import stats

    with np.errstate(invalid="ignore", divide="ignore"):
        below = stats.pearson3.cdf(z, skew)
        above = stats.pearson3.sf(z, skew)
        return np.where(below < 0.5, stats.norm.ppf(below), stats.norm.isf(above))


def _skew_statistic(
    delta: np.ndarray,
    a: np.ndarray | float,
    d: np.ndarray,
    n: np.ndarray,
    phi: np.ndarray,
    c: np.ndarray,
) -> np.ndarray:
    """The normal deviate of the test of "the difference is Δ" (the group's mean
    ``a + Δ``): variance ``φ μ (1 − μ) / n + c``, third cumulant that of the group's mean."""
    mu = np.clip(a + delta, 1e-12, 1.0 - 1e-12)
    var = phi * mu * (1.0 - mu) / n + c
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (d - delta) / np.sqrt(var)
        skew = np.where(var > 0, third_cumulant(mu, phi, n) / var**1.5, 0.0)
    return skew_deviate(z, skew)


def solve_skew_score(
    a: np.ndarray | float,
    d: np.ndarray,
    n: np.ndarray,
    phi: np.ndarray,
    c: np.ndarray,
    crit: np.ndarray | float,
    *,
    steps: int = 48,
) -> tuple[np.ndarray, np.ndarray]:
    """All Δ in ``[−a, 1 − a]`` whose skewness-corrected score test does not reject:
    ``−crit ≤ deviate(Δ) ≤ crit`` (the deviate falls as Δ rises). Bisection, ``steps``
    halvings of the range, on every cell at once; NaN where an input is. At skewness 0
    this is :func:`solve_score`.
    """
    a_arr, d, n, phi, c, crit = np.broadcast_arrays(
        np.asarray(a, dtype=np.float64), d, n, phi, c, np.asarray(crit, dtype=np.float64)
    )
    floor, ceil = -a_arr, 1.0 - a_arr
    bounds = []
    for target in (crit, -crit):
        lo, hi = floor.copy(), ceil.copy()
        for _ in range(steps):
            mid = 0.5 * (lo + hi)
            with np.errstate(invalid="ignore"):
                below = _skew_statistic(mid, a_arr, d, n, phi, c) > target  # bound above mid
            lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
        bounds.append(0.5 * (lo + hi))
    bad = ~np.isfinite(a_arr + d + n + phi + c + crit)
    return np.where(bad, np.nan, bounds[0]), np.where(bad, np.nan, bounds[1])


def score_group_inference(
    moments: GroupMoments, *, ci_level: float
) -> dict[str, dict[str, np.ndarray]]:
    """Score intervals and tests for prevalence and differences (both sources of
    uncertainty), in the shape of :func:`~swedish_topics.analysis.groups.t_group_inference`.

    Degrees of freedom: the pooled ``Σ (n_g − 1)`` of ``φ``, reduced by Barnard &
    Rubin's rule for the posterior draws. ``extra`` (G × K) holds each cell's
    Δ-independent variance (posterior, rest), so :func:`score_bounds` can give the
    interval at another level (the false-coverage-rate intervals).
    """
    from scipy import stats

    from swedish_topics.analysis.posterior import rubin_combine

    m = moments
    phi = dispersion(m)[None, :]
    n = m.n[:, None]
    ok = (n >= 2) & np.isfinite(phi)
    df_com = np.full(m.mean.shape, float(max(np.sum(np.maximum(m.n - 1, 0)), 1.0)))
    alpha = 1.0 - ci_level
    with np.errstate(invalid="ignore", divide="ignore"):
        # prevalence: W at the estimate, for the degrees of freedom and the table's se
        w_p = phi * m.mean * (1.0 - m.mean) / n
        se_p, df_p = rubin_combine(w_p, m.draw_mean, df_com)
        post_p = np.maximum(se_p**2 - w_p, 0.0)
        crit_p = stats.t.ppf(1.0 - alpha / 2.0, df_p)
        low_p, high_p = solve_score(0.0, m.mean, n, phi, post_p, crit_p)
        # difference: W under "no difference" (the group's mean equal to the rest's)
        a = m.rest_mean
        diff = m.mean - a
        w_0 = phi * a * (1.0 - a) / n + m.rest_var_mean
        draws = None if m.draw_mean is None else m.draw_mean - m.draw_rest_mean  # type: ignore[operator]
        se_0, df_d = rubin_combine(w_0, draws, df_com)
        extra = np.maximum(se_0**2 - phi * a * (1.0 - a) / n, 0.0)  # rest + posterior
        crit_d = stats.t.ppf(1.0 - alpha / 2.0, df_d)
        low_d, high_d = solve_skew_score(a, diff, n, phi, extra, crit_d)
        # the statistic's tail under the skewed null, as a normal deviate, then t(df)
        skew = np.where(se_0 > 0, third_cumulant(a, phi, n) / se_0**3, np.nan)
        dev = skew_deviate(np.where(se_0 > 0, diff / se_0, np.nan), skew)
        p = 2.0 * stats.t.sf(np.abs(dev), df_d)
    nan = np.nan
    return {
        "prevalence": {
            "estimate": m.mean,
            "low": np.where(ok, low_p, nan),
            "high": np.where(ok, high_p, nan),
            "se": np.where(ok, se_p, nan),
            "df": df_p,
        },
        "differences": {
            "estimate": diff,
            "low": np.where(ok, low_d, nan),
            "high": np.where(ok, high_d, nan),
            "se": np.where(ok, se_0, nan),
            "df": df_d,
            "p_value": np.where(ok, p, nan),
            "rest": a,
            "n": np.broadcast_to(n, diff.shape),
            "phi": np.broadcast_to(phi, diff.shape),
            "extra": extra,
        },
    }


def score_bounds(d: dict[str, np.ndarray], g: int, t: int, level: float) -> tuple[float, float]:
    """The score interval of difference cell ``(g, t)`` at another confidence level."""
    from scipy import stats

    crit = stats.t.ppf(0.5 + level / 2.0, d["df"][g, t])
    lo, hi = solve_skew_score(
        d["rest"][g, t], d["estimate"][g, t], d["n"][g, t], d["phi"][g, t], d["extra"][g, t], crit
    )
    return float(lo), float(hi)


def skew_p_value(
    estimate: np.ndarray, se: np.ndarray, skew: np.ndarray, df: np.ndarray
) -> np.ndarray:
    """Two-sided p-value of ``estimate = 0`` for a statistic with standard error ``se``
    and skewness ``skew`` under the null (both fixed): twice the smaller Pearson type III
    tail, as a normal deviate referred to t(``df``). At skewness 0 the t test's p-value."""
    from scipy import stats

    with np.errstate(invalid="ignore", divide="ignore"):
        dev = skew_deviate(np.where(se > 0, estimate / se, np.nan), skew)
        return np.asarray(2.0 * stats.t.sf(np.abs(dev), np.maximum(df, 1e-9)))


def skew_interval(
    estimate: np.ndarray, se: np.ndarray, skew: np.ndarray, df: np.ndarray, *, alpha: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The interval that inverts :func:`skew_p_value` at level ``1 − alpha``: every β
    with ``(estimate − β) / se`` between the Pearson type III quantiles whose normal
    deviates are ``∓ t_{df, 1 − alpha/2}``. At skewness 0 the t interval."""
    from scipy import stats

    with np.errstate(invalid="ignore", divide="ignore"):
        crit = stats.t.ppf(1.0 - alpha / 2.0, np.maximum(df, 1e-9))
        tail = stats.norm.sf(crit)
        q_lo = stats.pearson3.ppf(tail, skew)
        q_hi = stats.pearson3.isf(tail, skew)
    return estimate - se * q_hi, estimate - se * q_lo
