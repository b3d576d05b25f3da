"""The real workflow, end to end, on the shipped corpus (small grid from config.yaml).

These tests run `snakemake` as a user does and check the output contract that users and
papers rely on: paths, columns, weights, intervals, topic ids, honesty about small groups,
byte-identical reruns and resumption after a kill.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from pathlib import Path

import pytest

from tests.e2e.helpers import run_workflow, table_files

pytestmark = pytest.mark.e2e


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def run_a(tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = tmp_path_factory.mktemp("run_a") / "results"
    run_workflow(results)
    return results


def test_every_promised_output_exists(run_a: Path) -> None:
    expected = [
        "tables/vocabulary.csv",
        "tables/preprocessing_summary.csv",
        "preprocess/units.tsv",
        "preprocess/dictionary.txt",
        "preprocess/corpus.mm",
        "model_selection/metrics.csv",
        "model_selection/stability.csv",
        "model_selection/choice.json",
        "figures/model_selection.pdf",
        "figures/model_selection.png",
        "figures/top_terms.png",
        "figures/prevalence_by_municipality.png",
        "figures/prevalence_over_year.png",
        "figures/differences_by_municipality.png",
        "figures/differences_by_year.png",
        "figures/effects_by_municipality.png",
        "figures/effects_by_year.png",
        "figures/doc_composition.png",
        "figures/topic_map.html",
        "provenance.json",
        "methods.md",
    ]
    for name in (
        ["topic_terms", "topics", "doc_topics", "representative_passages"]
        + [
            f"{kind}_by_{facet}"
            for kind in ("prevalence", "differences", "effects", "robustness")
            for facet in ("municipality", "year")
        ]
        + ["trend_by_year"]
    ):
        expected += [f"tables/{name}.{ext}" for ext in ("csv", "tex", "md")]
    missing = [p for p in expected if not (run_a / p).is_file()]
    assert not missing, f"missing outputs: {missing}"
    for k in (2, 3):
        for seed in (1, 2):
            assert (run_a / f"models/k{k}_s{seed}/model.npz").is_file()


def test_vocabulary_holds_lemmas_not_inflections_or_places(run_a: Path) -> None:
    terms = {row["term"] for row in read(run_a / "tables/vocabulary.csv")}
    # "kommun" itself is in more than half of the units and filtered out (no_above)
    assert {"verksamhet", "medborgare", "digitalisering", "e-tjänst"} <= terms
    inflected = {"kommunerna", "kommunens", "verksamheterna", "medborgarna", "säger"}
    assert not terms & inflected
    places = {"lund", "lunds", "vellinge", "umeå", "umeås", "vännäs"}
    assert not {t for t in terms for part in t.split("_") if part in places}


def test_metrics_and_choice(run_a: Path) -> None:
    metrics = read(run_a / "model_selection/metrics.csv")
    assert {(r["k"], r["seed"]) for r in metrics} == {
        ("2", "1"),
        ("2", "2"),
        ("3", "1"),
        ("3", "2"),
    }
    for col in [
        "coherence_npmi",
        "coherence_cv",
        "coherence_umass",
        "perplexity",
        "diversity",
        "exclusivity",
        "train_seconds",
    ]:
        assert all(math.isfinite(float(r[col])) for r in metrics), col
    assert {r["k"] for r in read(run_a / "model_selection/stability.csv")} == {"2", "3"}
    choice = json.loads((run_a / "model_selection/choice.json").read_text())
    assert (str(choice["k"]), str(choice["seed"])) in {(r["k"], r["seed"]) for r in metrics}
    assert choice["reason"]


def test_topic_ids_are_consistent_across_tables(run_a: Path) -> None:
    k = json.loads((run_a / "model_selection/choice.json").read_text())["k"]
    ids = {str(t) for t in range(1, k + 1)}
    topics = read(run_a / "tables/topics.csv")
    assert {r["topic"] for r in topics} == ids
    assert all(r["label"] for r in topics)
    for name in [
        "topic_terms",
        "doc_topics",
        "representative_passages",
        "prevalence_by_municipality",
        "differences_by_year",
        "trend_by_year",
    ]:
        assert {r["topic"] for r in read(run_a / f"tables/{name}.csv")} == ids, name
    terms = read(run_a / "tables/topic_terms.csv")
    per_topic = defaultdict(int)
    for row in terms:
        per_topic[row["topic"]] += 1
        for col in ("weight", "frex", "relevance"):
            assert math.isfinite(float(row[col]))
    assert min(per_topic.values()) >= 20


def test_document_weights_sum_to_one(run_a: Path) -> None:
    sums: dict[str, float] = defaultdict(float)
    for row in read(run_a / "tables/doc_topics.csv"):
        sums[row["doc_id"]] += float(row["weight"])
    assert len(sums) == 5
    for doc, total in sums.items():
        assert total == pytest.approx(1.0, abs=1e-4), doc


def test_intervals_contain_means_and_small_groups_are_flagged(run_a: Path) -> None:
    rows = read(run_a / "tables/prevalence_by_municipality.csv")
    assert {"topic", "municipality", "mean", "ci_low", "ci_high", "n_docs"} <= set(rows[0])
    for row in rows:
        if row["ci_low"] and row["ci_high"]:
            assert float(row["ci_low"]) <= float(row["mean"]) <= float(row["ci_high"])
    lund = [r for r in rows if r["municipality"] == "Lund"]
    assert all(r["n_docs"] == "1" for r in lund)
    # a single document is never shown as certainty: flagged, and its interval explained
    assert all(r["flag"] for r in lund)
    assert all("single" in r["note"].lower() or "one document" in r["note"].lower() for r in lund)
    diffs = read(run_a / "tables/differences_by_municipality.csv")
    for row in diffs:
        if row["ci_low"] and row["ci_high"]:
            assert float(row["ci_low"]) <= float(row["difference"]) <= float(row["ci_high"])
    methods = (run_a / "methods.md").read_text(encoding="utf-8")
    assert "single document" in methods


def test_latex_and_markdown_beside_csv(run_a: Path) -> None:
    tex = (run_a / "tables/topics.tex").read_text(encoding="utf-8")
    assert "\\toprule" in tex and "\\bottomrule" in tex
    md = (run_a / "tables/topics.md").read_text(encoding="utf-8")
    assert "| topic |" in md


def test_provenance_records_versions_config_and_checksums(run_a: Path) -> None:
    prov = json.loads((run_a / "provenance.json").read_text())
    assert prov["packages"]["gensim"] != "not installed"
    assert prov["config"]["model"]["k"] == [2, 3]
    assert len(prov["corpus"]["sha256"]) == 6  # metadata + five texts
    assert all(len(v) == 64 for v in prov["corpus"]["sha256"].values())


def test_topic_map_is_offline(run_a: Path) -> None:
    html = (run_a / "figures/topic_map.html").read_text(encoding="utf-8")
    assert 'src="http' not in html and "src='http" not in html
    assert 'href="http' not in html


def test_two_clean_runs_give_identical_tables(run_a: Path, tmp_path: Path) -> None:
    results_b = tmp_path / "results"
    run_workflow(results_b)
    a, b = table_files(run_a), table_files(results_b)
    assert a.keys() == b.keys()
    different = [name for name in a if a[name] != b[name]]
    assert not different, f"tables differ between two clean runs: {different}"


def test_findings_page_says_five_documents_support_no_comparison(run_a: Path) -> None:
    """Issue 22: the page opens plainly, lists no finding, and methods.md says only what
    the run did."""
    page = (run_a / "README.md").read_text(encoding="utf-8")
    opening = page.split("\n\n")[1]
    assert "With 5 documents, this corpus supports no comparison between groups" in opening
    assert "No finding is listed" in opening
    assert "### Differences" not in page and "### Adjusted effects" not in page
    assert "What this corpus cannot tell" in page and "Where everything is" in page
    assert read(run_a / "findings.csv") == []
    assert (
        (run_a / "report" / "findings.rst")
        .read_text(encoding="utf-8")
        .startswith("Findings of this run\n")
    )
    methods = (run_a / "methods.md").read_text(encoding="utf-8")
    first = methods.split("\n\n")[1]
    assert first.startswith("**This corpus is too small for any comparison between groups.**")
    assert "Three estimands" not in methods and "Two estimands are reported" in methods
    assert "stratified random sample of 5" not in methods
    assert "run again" not in methods and "rerun the methods rule" not in methods
