"""Untested is not false: rows without a test carry empty significance and robustness
(issue 22), on the shipped corpus's shape (groups of one and two documents)."""

from __future__ import annotations

import csv
import math

import numpy as np
from swedish_topics import analysis as an
from swedish_topics.analysis import effects as ef

CFG = {"bootstrap": 200, "bootstrap_seed": 7, "ci_level": 0.95, "interval": "t", "fdr": 0.05}


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
