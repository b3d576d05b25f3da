"""Many small groups: moderated variances, score intervals, the quasi-binomial sandwich.

The failure these guard against (measured by the calibration study, 100 groups of 3–30
documents): a group whose few documents happen to miss a skewed topic has a low mean
*and* a low sample variance, so an interval from its own variance is narrow in the wrong
place and its "difference from the rest" is called significant although it is not.
"""

from __future__ import annotations

import numpy as np
import pytest
from swedish_topics import analysis as an
from swedish_topics.analysis import effects as ef
from swedish_topics.analysis.moderation import fit_prior, squeeze_variances, trigamma_inverse
from swedish_topics.analysis.score import score_group_inference, solve_score


def _skewed_groups(rng: np.random.Generator, sizes: list[int], conc: float = 3.0):
    """Documents of every group drawn from one population: no true difference anywhere.
    Topic 3 is minor and skewed (Dirichlet parameter 0.3)."""
    mean = np.array([0.45, 0.35, 0.1, 0.1])
    theta = rng.dirichlet(mean * conc, size=sum(sizes))
    groups = [f"g{i:03d}" for i, n in enumerate(sizes) for _ in range(n)]
    return theta, groups, mean


def test_trigamma_inverse_inverts_trigamma() -> None:
    from scipy.special import polygamma

    y = np.array([0.05, 0.7, 3.0, 40.0, 2000.0])
    assert np.allclose(trigamma_inverse(polygamma(1, y)), y, rtol=1e-6)


def test_prior_degrees_of_freedom_recovered_from_scaled_chi_square_variances() -> None:
    """True variances s0² d0 / χ²(d0), sample variances on 4 df: fit_prior finds d0 and s0²."""
    rng = np.random.default_rng(1)
    d0, s0, df = 12.0, 0.03, 4.0
    sigma2 = s0 * d0 / rng.chisquare(d0, size=20000)
    s2 = sigma2 * rng.chisquare(df, size=20000) / df
    s0_hat, d0_hat = fit_prior(s2, np.full(20000, df))
    assert d0_hat == pytest.approx(d0, rel=0.15)
    assert s0_hat == pytest.approx(s0, rel=0.05)
    # equal true variances: infinite prior degrees of freedom, every group gets s0²
    s2_eq = 0.02 * rng.chisquare(df, size=5000) / df
    post, post_df, _s0, d0_eq = squeeze_variances(s2_eq[:, None], np.full(5000, df))
    assert np.isinf(d0_eq[0]) or d0_eq[0] > 200
    assert np.allclose(post, post[0, 0], rtol=0.05) and post_df.max() <= 5000 * df


def test_score_interval_solves_its_own_test() -> None:
    a, d, n, phi, c, crit = 0.2, -0.15, 6.0, 0.25, 0.0004, 2.1
    lo, hi = solve_score(np.array(a), np.array(d), np.array(n), np.array(phi), np.array(c), crit)
    for bound in (lo, hi):  # on each bound the test statistic equals the critical value
        var = phi * (a + bound) * (1 - a - bound) / n + c
        assert (d - bound) ** 2 == pytest.approx(crit**2 * var, rel=1e-9)
    assert -a <= lo < d < hi  # asymmetric, above the floor -a (the group's mean ≥ 0)
    assert hi - d > d - lo  # wider towards the rest's mean


def test_a_small_group_that_missed_a_topic_is_not_a_discovery() -> None:
    """Three documents that all give topic 3 almost nothing: the t interval from the
    group's own variance calls a difference, the score test does not."""
    rng = np.random.default_rng(3)
    theta, groups, _ = _skewed_groups(rng, [40] * 10)
    tiny = np.array(
        [[0.5, 0.495, 0.004, 0.001], [0.6, 0.396, 0.003, 0.001], [0.4, 0.593, 0.005, 0.002]]
    )
    theta = np.vstack([theta, tiny])
    groups = groups + ["tiny"] * 3
    raw = an.group_moments(theta, groups, moderate=False)
    t_p = an.t_group_inference(raw, ci_level=0.95)["differences"]["p_value"][-1, 2]
    score = score_group_inference(raw, ci_level=0.95)["differences"]
    assert t_p < 1e-4  # the old interval: a "highly significant" difference
    assert score["p_value"][-1, 2] > 0.01
    assert score["low"][-1, 2] < 0 < score["high"][-1, 2] or score["p_value"][-1, 2] < 0.05


def _null_tables(interval: str, moderate: bool) -> tuple[float, int]:
    """40 tables of 60 groups of 3–12 documents from one population (every difference
    is 0): the share of intervals excluding 0, and the tables with a `significant` row."""
    rng = np.random.default_rng(7)
    cfg = {
        "bootstrap": 50,
        "bootstrap_seed": 1,
        "ci_level": 0.95,
        "interval": interval,
        "fdr": 0.05,
        "moderate_variances": moderate,
    }
    excl, total, tables_with_false = 0, 0, 0
    for _ in range(40):
        sizes = list(rng.integers(3, 13, size=60))
        theta, groups, _ = _skewed_groups(rng, sizes)
        _, diff, _ = an.group_table_rows(
            theta, groups, facet="g", analysis_cfg=cfg, min_group_docs=3
        )
        excl += sum(r["excludes_zero"] for r in diff)
        total += len(diff)
        tables_with_false += any(r["significant"] for r in diff)
    return excl / total, tables_with_false


def test_score_intervals_keep_null_calls_and_false_discoveries_down_with_many_small_groups() -> (
    None
):
    """Under the global null every `significant` row is false, so the share of tables
    with one is the false discovery rate. Measured on these skewed topics: the t interval
    from each group's own variance (the earlier default) had a false discovery in every
    table; moderating the variances leaves about half; the score interval with a normal
    reference about one in ten (light in the far upper tail, when one document of a tiny
    group is almost all one minor topic), with its skewed reference none of the 40."""
    rate_score, false_score = _null_tables("score", True)
    rate_mod, false_mod = _null_tables("t", True)
    rate_raw, false_raw = _null_tables("t", False)
    assert 0.03 <= rate_score <= 0.06
    assert false_score <= 2
    assert rate_mod > 0.08 and false_mod >= 3 * false_score
    assert rate_raw > rate_mod and false_raw >= 36


def test_quasi_sandwich_keeps_null_calls_near_nominal_for_small_groups() -> None:
    """Adjusted effects of 50 groups of 3–10 documents, no true effect: the quasi-binomial
    variance at the null fit calls about 5 % of the effects; HC2 from each group's own
    residuals calls more (the groups that missed the skewed topic)."""
    rng = np.random.default_rng(11)
    calls = {"quasi": 0, "hc2": 0}
    total = 0
    for _ in range(30):
        sizes = list(rng.integers(3, 11, size=50))
        theta, groups, _ = _skewed_groups(rng, sizes)
        years = [str(2018 + int(y)) for y in rng.integers(0, 4, size=len(groups))]
        cols = {"municipality": groups, "year": years}
        design = ef.build_design(ef.parse_formula(None, list(cols)), cols, numeric=["year"])
        for variance in calls:
            fit = ef.fit_effects(design, theta, moderate=False, variance=variance)
            rows = ef.effect_rows(
                design, fit, facet="municipality", ci_level=0.95, fdr=0.05, min_group_docs=3
            )
            calls[variance] += sum(
                r["ci_low"] > 0 or r["ci_high"] < 0 for r in rows if r["topic"] == 3
            )
        total += 50
    assert 0.02 <= calls["quasi"] / total <= 0.07
    assert calls["hc2"] > calls["quasi"]


def test_score_p_values_keep_their_level_in_the_far_tail_of_small_skewed_groups() -> None:
    """Groups of 3–10 documents, ten minor skewed topics (Beta(0.45, 8.55) per document),
    no true difference. A group's mean of a few such documents has a long upper tail: the
    normal reference called several times too many differences at p < 0.001 (the
    calibration study's false discoveries, all above the rest); the skewness-corrected
    reference keeps the upper tail within Monte Carlo error of its nominal half of α and
    the two-sided rate at most α (its lower tail is conservative: the gamma reference
    reaches below the floor of a proportion)."""
    from scipy import stats

    rng = np.random.default_rng(13)
    mean = np.array([0.5] + [0.05] * 10)
    p, p_normal, up = [], [], []
    for _ in range(25):
        sizes = rng.integers(3, 11, size=120)
        theta = rng.dirichlet(mean * 9.0, size=int(sizes.sum()))
        groups = [f"g{i:03d}" for i, n in enumerate(sizes) for _ in range(n)]
        d = score_group_inference(an.group_moments(theta, groups, moderate=False), ci_level=0.95)
        diff = d["differences"]
        p.append(diff["p_value"][:, 1:].ravel())
        up.append(diff["estimate"][:, 1:].ravel() > 0)
        normal = 2.0 * stats.t.sf(np.abs(diff["estimate"]) / diff["se"], diff["df"])
        p_normal.append(normal[:, 1:].ravel())
    pv, pn, above = np.concatenate(p), np.concatenate(p_normal), np.concatenate(up)
    cells = pv.size
    for alpha in (0.01, 0.001):
        half = cells * alpha / 2.0  # nominal count of upward calls
        assert abs(np.sum(above & (pv < alpha)) - half) <= 3.0 * np.sqrt(half)
        assert np.sum(pv < alpha) <= cells * alpha + 3.0 * np.sqrt(cells * alpha)
    assert np.sum(pn < 0.001) >= 4 * cells * 0.001  # the normal reference fails this test


def test_skew_score_interval_inverts_its_own_test() -> None:
    """On each bound of the skewness-corrected interval the test's p-value equals α: the
    interval is every difference the test does not reject, as the p-value is its test of
    0. With no skewness (an infinite group) it is the closed-form score interval."""
    from scipy import stats
    from swedish_topics.analysis.score import (
        skew_deviate,
        solve_skew_score,
        third_cumulant,
    )

    a, d, n, phi, c = 0.05, 0.06, 4.0, 0.2, 1e-5
    crit = float(stats.norm.isf(0.025))
    args = (np.array(a), np.array(d), np.array(n), np.array(phi), np.array(c))
    lo, hi = solve_skew_score(*args, crit)
    for bound in (float(lo), float(hi)):
        mu = a + bound
        var = phi * mu * (1 - mu) / n + c
        dev = skew_deviate(
            np.array((d - bound) / np.sqrt(var)), np.array(third_cumulant(mu, phi, n) / var**1.5)
        )
        assert 2 * stats.norm.sf(abs(float(dev))) == pytest.approx(0.05, rel=1e-6)
    assert -a <= lo < d < hi
    # skewness 0 (the group's third cumulant vanishes as 1/n²): the closed form
    big = np.array(1e9)
    slo, shi = solve_score(a, np.array(d), big, np.array(phi), np.array(c), crit)
    klo, khi = solve_skew_score(a, np.array(d), big, np.array(phi), np.array(c), crit)
    assert float(klo) == pytest.approx(float(slo), abs=1e-9)
    assert float(khi) == pytest.approx(float(shi), abs=1e-9)
