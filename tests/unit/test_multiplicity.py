"""The multiple-testing procedures: hand-checked examples, and every q-value against the
procedure itself run at the level (a row is rejected at level q exactly when its
q-value is at most q)."""

from __future__ import annotations

import numpy as np
import pytest
from swedish_topics.analysis import multiplicity as mt


def _bh_reject(p: np.ndarray, level: float) -> np.ndarray:
    """BH by its definition: reject the k smallest, k the largest with p_(k) <= k level / m."""
    out = np.zeros(p.shape, dtype=bool)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    below = np.flatnonzero(p[order] <= np.arange(1, m + 1) * level / m)
    if below.size:
        out[order[: below[-1] + 1]] = True
    return out


def _holm_reject(p: np.ndarray, level: float) -> np.ndarray:
    out = np.zeros(p.shape, dtype=bool)
    order = np.argsort(p, kind="stable")
    m = len(p)
    for j, i in enumerate(order):
        if p[i] > level / (m - j):
            break
        out[i] = True
    return out


def _bb_reject(p: np.ndarray, fam: np.ndarray, level: float, within: str) -> np.ndarray:
    """Benjamini–Bogomolov at ``level`` as the paper states it."""
    names = sorted(set(fam.tolist()))
    simes = np.array([mt.simes_pvalues(p[fam == f], fam[fam == f])[f] for f in names])
    chosen = _bh_reject(simes, level)
    r = int(chosen.sum())
    out = np.zeros(p.shape, dtype=bool)
    for f, c in zip(names, chosen, strict=True):
        if c:
            rows = np.flatnonzero(fam == f)
            rule = _bh_reject if within == "bh" else _holm_reject
            out[rows] = rule(p[rows], level * r / len(names))
    return out


def _bky_reject(p: np.ndarray, level: float) -> np.ndarray:
    first = level / (1 + level)
    r1 = int(_bh_reject(p, first).sum())
    m = len(p)
    if r1 == 0:
        return np.zeros(p.shape, dtype=bool)
    if r1 == m:
        return np.ones(p.shape, dtype=bool)
    return _bh_reject(p, first * m / (m - r1))


def _tables(n: int = 40) -> list[tuple[np.ndarray, np.ndarray]]:
    """Random tables of 6 topics × 5–20 groups, some topics with signal."""
    rng = np.random.default_rng(7)
    out = []
    for _ in range(n):
        groups = int(rng.integers(5, 21))
        fam = np.repeat(np.arange(6), groups)
        p = rng.uniform(size=fam.size)
        strong = rng.uniform(size=fam.size) < 0.3
        signal = np.isin(fam, rng.choice(6, size=2, replace=False)) & strong
        p[signal] = rng.uniform(0, 0.004, size=int(signal.sum()))
        out.append((p, fam))
    return out


LEVELS = (0.01, 0.05, 0.1, 0.2)


def test_simes_by_hand() -> None:
    p = np.array([0.01, 0.04, 0.03, 0.5, 0.2])
    fam = np.array(["a", "a", "a", "b", "b"])
    # a: sorted 0.01, 0.03, 0.04 → min(0.03, 0.045, 0.04); b: min(0.2 × 2, 0.5)
    assert mt.simes_pvalues(p, fam) == pytest.approx({"a": 0.03, "b": 0.4})


def test_hierarchical_by_hand() -> None:
    # families: 0 with p 0.001, 0.04 (Simes 0.002), 1 with 0.5, 0.6 (Simes 0.6);
    # BH over the two Simes p: 0.004 and 0.6. At q = 0.05 one family is selected, and BH
    # within it runs at 0.05 × 1/2: 0.001 (BH 0.002) passes, 0.04 (BH 0.04) does not.
    p = np.array([0.001, 0.04, 0.5, 0.6])
    q = mt.hierarchical_qvalues(p, np.array([0, 0, 1, 1]))
    assert q == pytest.approx([0.004, 0.08, 0.6, 0.6])
    assert (q <= 0.05).tolist() == [True, False, False, False]


def test_bky_by_hand() -> None:
    # m = 4, q = 0.05: stage 1 BH at 0.05/1.05 = 0.0476 rejects 0.001, 0.002 (BH 0.004);
    # stage 2 BH at 0.0476 × 4/2 = 0.0952 rejects also 0.03 (BH 0.04), not 0.9.
    p = np.array([0.002, 0.03, 0.001, 0.9])
    q = mt.bky_qvalues(p)
    assert (q <= 0.05).tolist() == [True, True, True, False]
    assert (mt.bh_qvalues(p) <= 0.05).tolist() == [True, True, True, False]
    # u for 0.03 (BH 0.04): min over r of max(b_(r), 0.04 (4 − r)/4) = 0.02 at r = 2
    assert q[1] == pytest.approx(0.02 / 0.98)


def test_storey_by_hand() -> None:
    p = np.array([0.001, 0.01, 0.2, 0.7, 0.8, 0.9])
    # π0 = (3 + 1) / (6 × 0.5) capped at 1: no gain; with more small p-values it drops
    assert np.allclose(mt.storey_qvalues(p), mt.bh_qvalues(p))
    p2 = np.array([0.001, 0.002, 0.003, 0.004, 0.01, 0.9])
    pi0 = 2 / 3
    assert np.allclose(mt.storey_qvalues(p2), pi0 * mt.bh_qvalues(p2))


def test_holm_by_hand() -> None:
    assert mt.holm_pvalues(np.array([0.01, 0.04, 0.03])) == pytest.approx([0.03, 0.06, 0.06])


@pytest.mark.parametrize("within", ["bh", "holm"])
def test_hierarchical_qvalue_is_the_smallest_level_that_rejects(within: str) -> None:
    for p, fam in _tables():
        q = mt.hierarchical_qvalues(p, fam, within=within)
        for level in LEVELS:
            assert ((q <= level) == _bb_reject(p, fam, level, within)).all()


def test_bky_qvalue_is_the_smallest_level_that_rejects() -> None:
    for p, _fam in _tables():
        q = mt.bky_qvalues(p)
        for level in LEVELS:
            assert ((q <= level) == _bky_reject(p, level)).all()


def test_nan_is_not_a_test_and_a_family_without_tests_is_skipped() -> None:
    p = np.array([0.001, np.nan, 0.2, np.nan, np.nan])
    fam = np.array([0, 0, 1, 1, 2])
    for method in mt.PROCEDURES:
        q = mt.adjusted_qvalues(p, fam, method=method)
        assert np.isnan(q[[1, 3, 4]]).all(), method
        assert np.isfinite(q[[0, 2]]).all(), method
    assert mt.simes_pvalues(p, fam) == pytest.approx({0: 0.001, 1: 0.2})


def test_unknown_procedure_and_missing_family_are_explained() -> None:
    with pytest.raises(ValueError, match=r"analysis\.multiplicity"):
        mt.adjusted_qvalues(np.array([0.1]), method="holm-bonferroni")
    with pytest.raises(ValueError, match="family"):
        mt.adjusted_qvalues(np.array([0.1]), method="hierarchical")


def test_orders_that_hold_by_construction() -> None:
    """BY never rejects more than BH (its factor c(m) >= 1), Storey never less (π0 <= 1),
    and no procedure more than the unadjusted test."""
    for p, fam in _tables():
        found = {m: mt.adjusted_qvalues(p, fam, method=m) <= 0.05 for m in mt.PROCEDURES}
        assert (found["by"] <= found["bh"]).all() and (found["bh"] <= found["storey"]).all()
        for m in mt.PROCEDURES:
            assert (found[m] <= found["none"]).all(), m


@pytest.mark.parametrize("method", list(mt.PROCEDURES))
def test_selected_rows_lie_inside_their_fcr_level(method: str) -> None:
    """A significant row's p-value is at most its FCR alpha: its interval excludes 0."""
    for p, fam in _tables():
        sel = mt.select(p, fam, fdr=0.05, method=method)
        assert (p[sel.significant] <= sel.fcr_alpha[sel.significant] + 1e-15).all()
        assert ((sel.fcr_alpha > 0) & (sel.fcr_alpha < 1)).all()


def test_by_selection_keeps_the_benjamini_yekutieli_level() -> None:
    p, fam = _tables(1)[0]
    sel = mt.select(p, fam, fdr=0.05, method="by")
    level = mt.fcr_level(int(sel.significant.sum()), p.size, 0.05)
    assert np.allclose(sel.fcr_alpha, 1.0 - level)


@pytest.mark.parametrize("method", ["by", "hierarchical", "bky"])
def test_the_tables_use_analysis_multiplicity_and_fcr_agrees(method: str) -> None:
    """The differences and effects tables call ``significant`` by the configured
    procedure (the topic the family), and a significant row's FCR interval excludes 0."""
    from swedish_topics import analysis as an
    from swedish_topics.analysis import effects as ef

    rng = np.random.default_rng(3)
    k, n_groups, n_per = 6, 8, 25
    means = np.tile(np.full(k, 1 / k), (n_groups, 1))
    means[0, :2] = [0.32, 0.02]  # group 0: topic 1 up, topic 2 down
    means[1, :2] = [0.02, 0.32]
    theta = np.vstack([rng.dirichlet(6 * m, size=n_per) for m in means])
    groups = [f"g{g}" for g in range(n_groups) for _ in range(n_per)]
    cfg = {"bootstrap": 50, "bootstrap_seed": 1, "ci_level": 0.95, "interval": "score"}
    cfg.update(fdr=0.05, multiplicity=method)
    _, diff, caption = an.group_table_rows(
        theta, groups, facet="g", analysis_cfg=cfg, min_group_docs=2
    )
    p = np.array([r["p_value"] for r in diff])
    expected = mt.adjusted_qvalues(p, [r["topic"] for r in diff], method=method)
    assert np.allclose([r["q_value"] for r in diff], expected, equal_nan=True)
    assert caption["multiplicity"] == method
    design = ef.build_design(ef.parse_formula(None, ["g"]), {"g": groups}, numeric=[])
    rows = ef.effect_rows(
        design,
        ef.fit_effects(design, theta),
        facet="g",
        ci_level=0.95,
        fdr=0.05,
        min_group_docs=2,
        multiplicity=method,
    )
    p = np.array([r["p_value"] for r in rows])
    expected = mt.adjusted_qvalues(p, [r["topic"] for r in rows], method=method)
    assert np.allclose([r["q_value"] for r in rows], expected, equal_nan=True)
    for table in (diff, rows):
        sig = [r for r in table if r["significant"]]
        assert sig, "the planted differences are found"
        assert all(r["fcr_low"] > 0 or r["fcr_high"] < 0 for r in sig)
        assert all(np.isnan(r["fcr_low"]) for r in table if not r["significant"])
