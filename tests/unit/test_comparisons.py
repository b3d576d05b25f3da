"""The comparisons' statistics: posterior draws, t intervals, q-values, adjusted effects.

Statistical claims are checked by simulation against a known truth, never asserted.
"""

from __future__ import annotations

import math

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


def test_untested_rows_are_empty_not_false(tmp_path) -> None:
    """The shipped corpus's shape (groups of 1, 1, 1 and 2 documents): a single-document
    group has no p-value, so its significant and excludes_zero are empty in both tables
    and in the CSV, even when its within-document interval lies away from 0."""
    theta = np.array([[0.95, 0.05], [0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.25, 0.75]])
    units = an.units_by_doc(
        np.repeat(theta, 6, axis=0) + np.tile([[0.01, -0.01], [-0.01, 0.01]], (15, 1)),
        [f"d{i}" for i in range(5) for _ in range(6)],
        np.full(30, 10),
        [f"d{i}" for i in range(5)],
    )
    groups = ["Umeå", "Lund", "Vännäs", "Vellinge", "Vellinge"]
    prev, diff, _ = an.group_table_rows(
        theta,
        groups,
        facet="m",
        analysis_cfg=CFG,
        min_group_docs=3,
        unit_theta_by_doc=units,
    )
    single = [r for r in diff if r["m"] != "Vellinge"]
    assert any(r["ci_low"] > 0 or r["ci_high"] < 0 for r in single)  # the old defect's rows
    for r in single:
        assert np.isnan(r["p_value"]) and r["significant"] is None
        assert r["excludes_zero"] is None
    for r in (r for r in diff if r["m"] == "Vellinge"):
        assert r["significant"] in (True, False) and r["excludes_zero"] in (True, False)
    assert all(r["significant"] is None for r in prev if r["m"] != "Vellinge")
    path = tmp_path / "d.csv"
    an.write_group_tables(
        tmp_path / "p.csv",
        path,
        facet="m",
        doc_theta=theta,
        doc_ids=[f"d{i}" for i in range(5)],
        groups=groups,
        analysis_cfg=CFG,
        min_group_docs=3,
        unit_theta_by_doc=units,
    )
    import csv

    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    umea = [r for r in rows if r["m"] == "Umeå"]
    assert {(r["significant"], r["excludes_zero"]) for r in umea} == {("", "")}


def test_effects_that_were_not_estimated_are_not_marked_false() -> None:
    """Five documents, a coefficient per municipality and a year slope (the shipped
    corpus): nothing is estimable, and no row says significant = false."""
    cols = {"municipality": ["Umeå", "Lund", "Vännäs", "Vellinge", "Vellinge"]}
    cols["year"] = ["2018", "2019", "2021", "2021", "2019"]
    theta = np.array([[0.9, 0.1], [0.1, 0.9], [0.2, 0.8], [0.3, 0.7], [0.4, 0.6]])
    design = ef.build_design(ef.parse_formula(None, list(cols)), cols, numeric=["year"])
    fit = ef.fit_effects(design, theta)
    for facet in cols:
        rows = ef.effect_rows(design, fit, facet=facet, ci_level=0.95, fdr=0.05, min_group_docs=3)
        assert rows and all(r["significant"] is None for r in rows)


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


def test_categorical_interactions_are_reported_and_recover_the_planted_cells() -> None:
    """``a:b`` of two categorical variables: one row per pair of levels, its estimate the
    cell's departure from the two main effects (rows and columns summing to 0)."""
    rng = np.random.default_rng(8)
    gamma = np.array([[0.06, -0.06], [-0.02, 0.02], [-0.04, 0.04]])  # a × b, sums 0
    main_a = np.array([0.05, 0.0, -0.05])
    est, cover, n = np.zeros_like(gamma), 0, 0
    for _ in range(60):
        a = rng.integers(3, size=300)
        b = rng.integers(2, size=300)
        p = 0.3 + main_a[a] + gamma[a, b]
        x = rng.beta(p * 20, (1 - p) * 20)
        theta = np.column_stack([x, 1 - x])
        cols = {"a": [f"a{i}" for i in a], "b": [f"b{j}" for j in b]}
        design = ef.build_design(ef.parse_formula("~ a*b", ["a", "b"]), cols, numeric=[])
        rows = ef.effect_rows(
            design,
            ef.fit_effects(design, theta),
            facet="a",
            ci_level=0.95,
            fdr=0.05,
            min_group_docs=3,
        )
        inter = {r["a"]: r for r in rows if r["term"] == "a:b" and r["topic"] == 1}
        assert len(inter) == 6
        for i in range(3):
            for j in range(2):
                r = inter[f"a:b=a{i}:b{j}"]
                est[i, j] += r["estimate"] / 60
                cover += int(r["ci_low"] <= gamma[i, j] <= r["ci_high"])
                n += 1
                assert r["n_docs"] == int(((a == i) & (b == j)).sum())
    assert np.allclose(est, gamma, atol=0.006)
    assert 0.9 <= cover / n <= 0.99


def test_untested_comparisons_say_why_instead_of_zero_of_n() -> None:
    """Umeå on the shipped corpus: one document, so the chosen model cannot test it, and
    every other model's estimate has the same sign. It reads "not tested: single
    document", not "0/2 seeds, 0/2 neighbouring K", and its counts are empty."""
    from swedish_topics.analysis import robustness as rb

    umea = {"difference": "0.58", "q_value": "", "flag": "single_doc", "note": "a single"}
    reason = rb.untested_reason(umea, "difference")
    assert reason == "single document"
    others = [("seed", 0.61, math.nan), ("seed", 0.67, math.nan), ("k", 0.46, math.nan)]
    row = rb.robustness_counts(0.58, math.nan, [*others, ("k", 0.61, math.nan)], 0.05, reason)
    assert row["holds_in"] == (
        "not tested: single document (estimate of the same sign in 4 of 4 other models)"
    )
    assert row["holds_seeds"] is None and row["n_seeds"] is None and row["n_k"] is None
    not_fitted = {"estimate": "", "q_value": "", "flag": "no_interval"}
    assert rb.untested_reason(not_fitted, "estimate").startswith("not estimated")
    assert rb.untested_reason({"difference": "0.1", "q_value": "0.2"}, "difference") == ""


def test_robustness_counts_only_the_models_that_could_test() -> None:
    from swedish_topics.analysis import robustness as rb

    # tested here; one other seed could not test it (estimate, no q): left out of n
    row = rb.robustness_counts(
        0.2, 0.01, [("seed", 0.3, 0.02), ("seed", 0.25, math.nan), ("k", -0.1, 0.01)], 0.05
    )
    assert row["holds_in"] == "1/1 seeds, 0/1 neighbouring K"
    assert (row["holds_seeds"], row["n_seeds"], row["holds_k"], row["n_k"]) == (1, 1, 0, 1)
    # an unmatched topic (no estimate) does not hold, and counts
    row = rb.robustness_counts(0.2, 0.01, [("seed", math.nan, math.nan)], 0.05)
    assert row["holds_in"] == "0/1 seeds"
    # no other model could test it: empty, not 0/N
    row = rb.robustness_counts(0.2, 0.01, [("seed", 0.3, math.nan), ("k", 0.2, math.nan)], 0.05)
    assert row["holds_in"] is None and row["n_seeds"] is None


def test_omnibus_wald_test_per_topic_holds_its_level_and_finds_a_planted_topic() -> None:
    """omnibus_p: about 5 % of null topics below 0.05; the planted topic nearly always."""
    rng = np.random.default_rng(12)
    null_hits, planted_hits, reps = 0, 0, 80
    for _ in range(reps):
        means = np.tile([0.3, 0.3, 0.2, 0.2], (6, 1))
        means[0] = [0.5, 0.1, 0.2, 0.2]  # group 0: topic 1 up 20 points, topic 2 down
        theta, groups = _dirichlet_groups(rng, 40, means, conc=4.0)
        design = ef.build_design(ef.parse_formula(None, ["g"]), {"g": groups}, numeric=[])
        fit = ef.fit_effects(design, theta)
        p = fit.omnibus["g"]
        null_hits += int((p[2:] < 0.05).sum())
        planted_hits += int(p[0] < 0.05)
        rows = ef.effect_rows(design, fit, facet="g", ci_level=0.95, fdr=0.05, min_group_docs=2)
        assert {r["omnibus_p"] for r in rows if r["topic"] == 1} == {p[0]}
    assert 0.02 <= null_hits / (2 * reps) <= 0.09
    assert planted_hits / reps >= 0.9
