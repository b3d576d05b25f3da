"""The calibration study: its committed results match the shipped defaults, and a tiny
version of it runs end to end through the workflow's rule functions."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "studies" / "calibration"))

import generate  # noqa: E402
import study  # noqa: E402

RESULTS = REPO / "studies" / "calibration" / "results.csv"


def test_committed_study_ran_with_the_shipped_defaults() -> None:
    """Fails when a default that decides the comparisons' numbers changes: rerun the
    study (studies/calibration/study.py) and commit its results.csv."""
    with open(RESULTS, encoding="utf-8", newline="") as handle:
        hashes = {row["config_hash"] for row in csv.DictReader(handle)}
    assert hashes == {study.config_hash()}, (
        "studies/calibration/results.csv was computed with other defaults; rerun "
        "`python studies/calibration/study.py` and commit the new results.csv"
    )


def test_config_hash_changes_with_an_analysis_default() -> None:
    cfg = study.shipped_config()
    changed = {**cfg, "analysis": {**cfg["analysis"], "fdr": 0.1}}
    assert study.config_hash(changed) != study.config_hash(cfg)
    relabelled = {**cfg, "analysis": {**cfg["analysis"], "n_terms": 5, "new_display_key": 1}}
    assert study.config_hash(relabelled) == study.config_hash(cfg)
    retrained = {**cfg, "model": {**cfg["model"], "iterations": 10}}
    assert study.config_hash(retrained) != study.config_hash(cfg)


def test_generator_truth_is_consistent(tmp_path: Path) -> None:
    regime = generate.REGIMES["small_short"]
    truth = generate.generate(regime, 3, tmp_path / "c")
    assert np.allclose(truth.prevalence.sum(axis=1), 1.0)
    assert np.allclose(truth.effect.sum(axis=0), 0.0) and np.allclose(truth.effect.sum(axis=1), 0.0)
    assert (truth.effect[:, list(regime.null_topics)] == 0).all()
    weights = truth.n_docs / truth.n_docs.sum()
    # group - rest differences, document-weighted, sum to 0 over groups
    rest_w = truth.n_docs * (truth.n_docs.sum() - truth.n_docs)
    assert np.allclose((rest_w[:, None] * truth.difference).sum(axis=0), 0.0, atol=1e-9)
    assert np.isclose(weights.sum(), 1.0)
    with open(tmp_path / "c" / "metadata.csv", encoding="utf-8") as handle:
        assert sum(1 for _ in handle) == truth.n_docs.sum() + 1


def test_planted_sizes_and_authors(tmp_path: Path) -> None:
    """Each corpus plants its pair of sizes, each in its own groups, and the clustered
    regime writes authors of five documents."""
    for seed in (1, 2):
        regime = generate.REGIMES["clustered"]
        truth = generate.generate(regime, seed, tmp_path / f"c{seed}")
        sizes = set(np.unique(truth.planted).round(6)) - {0.0}
        assert sizes == set(np.round(generate.planted_sizes(seed), 6))
        planted_rows = (truth.planted[:, [0, 1]] > 0).sum(axis=1)
        assert planted_rows.max() == 1 and planted_rows.sum() == 4
        with open(tmp_path / f"c{seed}" / "metadata.csv", encoding="utf-8") as handle:
            authors = [r["author"] for r in csv.DictReader(handle)]
        assert set(np.unique(authors, return_counts=True)[1]) == {5}


def test_tiny_study_runs_the_workflow_and_recovers_the_truth(tmp_path: Path) -> None:
    cells = study.run_corpus(generate.REGIMES["small_short"], 1, tmp_path)
    estimands = {c["estimand"] for c in cells}
    assert estimands == {"prevalence", "difference", "effect", "trend"}
    prev = [c for c in cells if c["estimand"] == "prevalence" and c["method"] == "t_posterior"]
    assert len(prev) >= 6 * 4  # most of the 6 topics matched, 6 groups
    mae = np.mean([abs(c["estimate"] - c["truth"]) for c in prev])
    assert mae < 0.1
    # the study's calls of the shipped procedure, recomputed per table from the p-values,
    # are the workflow's own (the unmatched topics' rows are in the tables too)
    acfg = study.shipped_config()["analysis"]
    again = study.with_calls(cells, acfg["multiplicity"], acfg["fdr"])
    tested = [i for i, c in enumerate(cells) if c["estimand"] in ("difference", "effect")]
    assert [again[i]["significant"] for i in tested] == [cells[i]["significant"] for i in tested]
    rows = study.summarise(cells, "x")
    assert {r["estimand"] for r in rows} == estimands
    assert all(0 <= r["coverage"] <= 1 for r in rows if np.isfinite(r["coverage"]))


@pytest.mark.parametrize(("hits", "total", "rate"), [([9, 10], [10, 10], 0.95)])
def test_clustered_rate(hits: list[int], total: list[int], rate: float) -> None:
    r, hw = study._clustered(np.array(hits, float), np.array(total, float))
    assert r == pytest.approx(rate) and hw > 0


def test_readme_quotes_the_committed_results() -> None:
    import quote

    text = quote.README.read_text(encoding="utf-8")
    assert quote.quoted_readme(text) == text, "run `python studies/calibration/quote.py`"


def test_package_copy_is_the_studys_results() -> None:
    """methods.md quotes the package's copy: it must be the committed study's CSV."""
    from swedish_topics.analysis import calibration as cal

    study_dir = REPO / "studies" / "calibration"
    for copy, source in (
        (cal.RESULTS, RESULTS),
        (cal.MULTIPLICITY, study_dir / "multiplicity.csv"),
    ):
        assert copy.read_bytes() == source.read_bytes(), (
            f"swedish_topics/data/{copy.name} differs from studies/calibration/{source.name}; "
            "run `python studies/calibration/quote.py`"
        )


def test_shipped_multiplicity_is_the_studys_choice() -> None:
    """analysis.multiplicity's default is the procedure the committed study chose: the
    most planted effects found with the FDR (and its Monte Carlo bound) kept in every
    regime of independent documents."""
    from swedish_topics.analysis import calibration as cal
    from swedish_topics.analysis.multiplicity import DEFAULT_PROCEDURE
    from swedish_topics.config import schema_defaults

    chosen = cal.chosen_procedure(cal.read_multiplicity())
    assert chosen == DEFAULT_PROCEDURE == schema_defaults()["analysis"]["multiplicity"]
    assert study.shipped_config()["analysis"]["multiplicity"] == chosen
