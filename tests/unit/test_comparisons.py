"""The comparisons' statistics: posterior draws, t intervals, q-values, adjusted effects.

Statistical claims are checked by simulation against a known truth, never asserted.
"""

from __future__ import annotations

import numpy as np
import pytest
from swedish_topics import analysis as an
from swedish_topics.analysis import effects as ef
from swedish_topics.errors import ConfigError

CFG = {"bootstrap": 200, "bootstrap_seed": 7, "ci_level": 0.95, "interval": "t", "fdr": 0.05}


# ------------------------------------------------------------------------ posterior
def test_posterior_draws_average_to_theta_and_spread_falls_with_tokens() -> None:
    """Draws' mean equals each document's theta; a 400-token document's draws are far
    tighter than a 4-token one's (Dirichlet(alpha + counts))."""
    alpha = np.array([0.3, 0.3, 0.3])
    counts = np.array([[3.0, 1.0, 0.0], [300.0, 100.0, 0.0], [20.0, 20.0, 20.0], [1, 2, 3]])
    theta = (counts + alpha) / (counts + alpha).sum(axis=1, keepdims=True)
    units = an.units_by_doc(
        theta, ["short", "long", "two", "two"], [4, 400, 60, 6], ["short", "long", "two"]
    )
    post = an.Posterior(alpha=alpha, counts=counts)
    draws = np.stack(list(an.doc_theta_draws(units, post, n_draws=4000, seed=3)))
    point = an.doc_topics_from_units(units, ["short", "long", "two"])
    assert np.allclose(draws.mean(axis=0), point, atol=0.01)
    sd = draws.std(axis=0)
    assert sd[0, 0] > 5 * sd[1, 0]
    # same seed, same draws
    again = np.stack(list(an.doc_theta_draws(units, post, n_draws=3, seed=3)))
    assert np.array_equal(again, draws[:3])


def test_posterior_refuses_counts_of_another_model() -> None:
    units = an.units_by_doc(np.full((2, 2), 0.5), ["a", "b"], [1, 1], ["a", "b"])
    post = an.Posterior(alpha=np.ones(2), counts=np.ones((3, 2)))
    with pytest.raises(ValueError, match="3 units"):
        next(an.doc_theta_draws(units, post, n_draws=1, seed=1))


def test_rubin_adds_the_spread_of_the_draws() -> None:
    se, df = an.rubin_combine(np.array([1.0]), np.array([[0.0], [2.0]]), np.array([20.0]))
    # B = 2, T = 1 + 1.5 * 2 = 4
    assert se[0] == pytest.approx(2.0)
    assert 1 < df[0] < 20
    se0, df0 = an.rubin_combine(np.array([1.0]), None, np.array([20.0]))
    assert se0[0] == 1.0 and df0[0] == 20.0


# ------------------------------------------------------------------- group intervals
def _dirichlet_groups(rng: np.random.Generator, n_per: int, means: np.ndarray, conc: float):
    groups, theta = [], []
    for g, mean in enumerate(means):
        theta.append(rng.dirichlet(mean * conc, size=n_per))
        groups += [f"g{g}"] * n_per
    return np.vstack(theta), groups


@pytest.mark.parametrize("n_per", [10, 40])
def test_t_intervals_cover_the_population_mean(n_per: int) -> None:
    """Dirichlet documents around known group means: the t interval covers the
    population prevalence and the group − rest difference about 95 % of the time (the
    percentile bootstrap gave 89 % at 10 documents)."""
    rng = np.random.default_rng(n_per)
    means = np.array([[0.5, 0.3, 0.2], [0.3, 0.3, 0.4], [0.4, 0.4, 0.2]])
    hits_p, hits_d, total = 0, 0, 0
    for _ in range(300):
        theta, groups = _dirichlet_groups(rng, n_per, means, conc=3.0)
        mom = an.group_moments(theta, groups)
        inf = an.t_group_inference(mom, ci_level=0.95)
        pr, d = inf["prevalence"], inf["differences"]
        truth_d = np.array([means[g] - np.delete(means, g, 0).mean(axis=0) for g in range(3)])
        hits_p += int(((pr["low"] <= means) & (means <= pr["high"])).sum())
        hits_d += int(((d["low"] <= truth_d) & (truth_d <= d["high"])).sum())
        total += means.size
    assert 0.93 <= hits_p / total <= 0.97
    assert 0.93 <= hits_d / total <= 0.97


def test_interval_and_p_value_never_disagree() -> None:
    rng = np.random.default_rng(5)
    theta, groups = _dirichlet_groups(rng, 8, np.array([[0.6, 0.4], [0.4, 0.6], [0.5, 0.5]]), 4)
    prev, diff, _ = an.group_table_rows(
        theta, groups, facet="g", analysis_cfg=CFG, min_group_docs=3
    )
    for row in diff:
        assert row["excludes_zero"] == (row["p_value"] < 0.05)
        if row["significant"]:
            assert row["fcr_low"] > 0 or row["fcr_high"] < 0
        assert row["interval_basis"].startswith("documents")
    assert {r["significant"] for r in prev} <= {True, False}


def test_single_document_group_gets_no_p_value() -> None:
    theta = np.array([[0.9, 0.1], [0.5, 0.5], [0.4, 0.6], [0.6, 0.4]])
    _, diff, _ = an.group_table_rows(
        theta, ["a", "b", "b", "b"], facet="g", analysis_cfg=CFG, min_group_docs=2
    )
    a = [r for r in diff if r["g"] == "a"]
    assert all(np.isnan(r["p_value"]) and not r["significant"] for r in a)


# ---------------------------------------------------------------------- multiplicity
def test_by_qvalues_match_the_definition() -> None:
    rng = np.random.default_rng(1)
    p = rng.uniform(size=30) ** 3
    q = an.by_qvalues(p)
    m, c = len(p), sum(1 / i for i in range(1, 31))
    order = np.argsort(p)
    expected = np.empty(m)
    for rank, i in enumerate(order, start=1):
        expected[i] = min(1.0, min(p[order[j - 1]] * m * c / j for j in range(rank, m + 1)))
    assert np.allclose(q, expected)


def test_bh_qvalues_match_the_definition_and_by_adds_its_factor() -> None:
    from swedish_topics.analysis.multiplicity import bh_qvalues, harmonic

    rng = np.random.default_rng(4)
    p = np.append(rng.uniform(size=25) ** 3, np.nan)
    q = bh_qvalues(p)
    ok = p[:-1]
    order = np.argsort(ok)
    for rank, i in enumerate(order, start=1):
        expected = min(1.0, min(ok[order[j - 1]] * 25 / j for j in range(rank, 26)))
        assert q[i] == pytest.approx(expected)
    assert np.isnan(q[-1])
    assert np.allclose(an.by_qvalues(p)[:-1], np.minimum(1.0, q[:-1] * harmonic(25)))


def test_by_controls_the_false_discovery_rate_for_proportions() -> None:
    """Simulated tables of group − rest differences (compositions: negatively dependent
    tests) with a few planted differences: the share of false discoveries stays ≤ 5 %."""
    rng = np.random.default_rng(2)
    k, n_groups = 6, 10
    fdp = []
    for _ in range(150):
        means = np.tile(np.full(k, 1 / k), (n_groups, 1))
        means[0] = [0.4, 0.1, 0.125, 0.125, 0.125, 0.125]
        theta, groups = _dirichlet_groups(rng, 15, means, conc=5.0)
        mom = an.group_moments(theta, groups)
        d = an.t_group_inference(mom, ci_level=0.95)["differences"]
        q = an.by_qvalues(d["p_value"].ravel()).reshape(d["p_value"].shape)
        truth = means - np.array([np.delete(means, g, 0).mean(axis=0) for g in range(n_groups)])
        sig = q <= 0.05
        false = sig & (np.abs(truth) < 1e-12)
        fdp.append(false.sum() / max(sig.sum(), 1))
    assert np.mean(fdp) <= 0.05


# -------------------------------------------------------------------------- effects
def test_parse_formula() -> None:
    assert [t.label for t in ef.parse_formula(None, ["a", "b"])] == ["a", "b"]
    assert [t.label for t in ef.parse_formula("~ a*b")] == ["a", "b", "a:b"]
    assert ef.parse_formula("C(year)")[0].forced_categorical == frozenset({"year"})
    with pytest.raises(ConfigError, match="not understood"):
        ef.parse_formula("~ log(x)")


def _confounded(rng: np.random.Generator, n_per: int):
    """Municipalities with planted deviations; municipality m's documents mostly from
    later years, and a year trend: the marginal difference mixes in the years."""
    munis = ["A", "B", "C", "D"]
    dev = np.array([0.08, 0.0, 0.0, -0.08])
    rows_m, rows_y, theta = [], [], []
    for i, m in enumerate(munis):
        years = rng.choice(
            [2018, 2019, 2020, 2021], size=n_per, p=np.roll([0.55, 0.25, 0.1, 0.1], i)
        )
        for y in years:
            p = 0.3 + dev[i] + 0.04 * (y - 2019.5)
            a = rng.beta(p * 8, (1 - p) * 8)
            theta.append([a, 1 - a])
            rows_m.append(m)
            rows_y.append(str(y))
    return np.array(theta), {"municipality": rows_m, "year": rows_y}, dev


def test_adjusted_effects_recover_planted_deviations_despite_confounding() -> None:
    rng = np.random.default_rng(11)
    cover, n = 0, 0
    marg_bias, adj_bias = [], []
    for _ in range(200):
        theta, cols, dev = _confounded(rng, 40)
        design = ef.build_design(ef.parse_formula(None, list(cols)), cols, numeric=["year"])
        fit = ef.fit_effects(design, theta)
        rows = ef.effect_rows(
            design, fit, facet="municipality", ci_level=0.95, fdr=0.05, min_group_docs=3
        )
        topic1 = [r for r in rows if r["topic"] == 1]
        for r, d in zip(topic1, dev, strict=True):
            cover += int(r["ci_low"] <= d <= r["ci_high"])
            n += 1
            adj_bias.append(r["estimate"] - d)
        d_row = next(r for r in rows if r["topic"] == 1 and r["municipality"] == "D")
        muni = np.array(cols["municipality"])
        group_means = [theta[muni == m, 0].mean() for m in "ABCD"]
        marg_bias.append(group_means[3] - np.mean(group_means) - dev[3])
        assert d_row["n_docs"] == 40
    assert 0.93 <= cover / n <= 0.97
    assert abs(np.mean(adj_bias)) < 0.003
    # D's documents come mostly from the last year: unadjusted, the trend leaks in
    assert np.mean(marg_bias) > 0.02


def test_effects_tables_are_written_and_reproducible(tmp_path) -> None:
    rng = np.random.default_rng(4)
    theta, cols, _ = _confounded(rng, 12)
    paths = {f: tmp_path / f"effects_by_{f}.csv" for f in cols}
    kw = {
        "columns": cols,
        "numeric": ["year"],
        "doc_theta": theta,
        "analysis_cfg": CFG,
        "min_group_docs": 3,
    }
    out = an.write_effects_tables(paths, **kw)
    first = paths["municipality"].read_bytes()
    an.write_effects_tables(paths, **kw)
    assert paths["municipality"].read_bytes() == first
    header = first.decode().splitlines()[0].split(",")
    assert header[:9] == [
        "topic",
        "municipality",
        "term",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "q_value",
        "significant",
    ]
    assert [r["year"] for r in out["year"]] == ["slope", "slope"]
    assert (tmp_path / "effects_by_year.tex").exists()


# ----------------------------------------------------------------------- robustness
def test_same_k_matching_undoes_a_permutation() -> None:
    from swedish_topics.analysis import robustness as rb

    rng = np.random.default_rng(0)
    tt = rng.dirichlet(np.full(50, 0.1), size=5)
    perm = np.array([3, 0, 4, 1, 2])
    match, sim = rb.match_same_k(tt, tt[perm])
    assert (perm[match] == np.arange(5)).all() and np.allclose(sim, 1.0)


def test_split_topic_matches_the_sum_of_its_parts() -> None:
    """A chosen topic that the other model splits in two is matched to their sum; a
    topic the other model lacks is unmatched."""
    from swedish_topics.analysis import robustness as rb

    rng = np.random.default_rng(1)
    a, b, c = (rng.dirichlet(np.full(60, 0.05)) for _ in range(3))
    chosen = np.vstack([a, b, c])
    half1 = np.where(np.arange(60) < 30, a, 0)
    half2 = a - half1
    other = np.vstack([half1 / half1.sum(), half2 / half2.sum(), b])  # no c
    theta = np.array([[0.2, 0.3, 0.5], [0.5, 0.1, 0.4]])
    mapped, matched = rb.mapped_unit_theta(chosen, rb.OtherModel(3, 1, other, theta), same_k=False)
    assert matched.tolist() == [True, True, False]
    assert np.allclose(mapped[:, 0], theta[:, 0] + theta[:, 1])
    assert rb.holds_text(2, 2, 1, 2) == "2/2 seeds, 1/2 neighbouring K"
