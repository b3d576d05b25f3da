"""A user's own corpus with other facets: a sample of the Riksdag interpellations
(../shared/corpora/riksdag_interpellationer) compared by county and year."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from tests.conftest import RIKSDAG
from tests.e2e.helpers import run_workflow

pytestmark = pytest.mark.e2e

N_DOCS = 120


@pytest.fixture(scope="module")
def riksdag_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (RIKSDAG / "metadata.csv").is_file():
        pytest.skip(f"the development corpus is not beside the checkout: {RIKSDAG}")
    corpus = tmp_path_factory.mktemp("riksdag") / "corpus"
    (corpus / "texts").mkdir(parents=True)
    with open(RIKSDAG / "metadata.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    # every 100th document: all decades, many counties
    sample = rows[:: max(1, len(rows) // N_DOCS)][:N_DOCS]
    with open(corpus / "metadata.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(sample)
    for row in sample:
        shutil.copy(RIKSDAG / "texts" / f"{row['doc_id']}.txt", corpus / "texts")
    return corpus


def test_county_and_year_facets_on_a_riksdag_sample(riksdag_sample: Path, tmp_path: Path) -> None:
    config = tmp_path / "riksdag.yaml"
    config.write_text(
        "facets: [county, year]\n"
        "numeric_facets: [year]\n"
        "preprocess:\n  units: {mode: documents}\n  stopwords: {extra: []}\n"
        "model:\n  k: [4, 6]\n  seeds: [1, 2]\n  passes: 5\n  iterations: 50\n"
        "analysis:\n  bootstrap: 200\n",
        encoding="utf-8",
    )
    results = tmp_path / "results"
    run_workflow(results, f"corpus={riksdag_sample}", configfile=config)
    for name in ["prevalence_by_county", "differences_by_county", "trend_by_year"]:
        assert (results / "tables" / f"{name}.csv").is_file(), name
    assert (results / "figures" / "prevalence_by_county.png").is_file()
    assert (results / "figures" / "prevalence_over_year.png").is_file()
    assert not (results / "tables" / "prevalence_by_municipality.csv").exists()
    with open(results / "tables" / "prevalence_by_county.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    counties = {r["county"] for r in rows}
    assert len(counties) >= 10
    with open(results / "tables" / "doc_topics.csv", encoding="utf-8") as handle:
        assert len({r["doc_id"] for r in csv.DictReader(handle)}) == N_DOCS
