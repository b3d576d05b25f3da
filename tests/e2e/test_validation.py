"""Validation, sensitivity and exports in the real workflow (issue 17).

One run on the shipped corpus plus a document holding markup, with K = 4 (topic
intrusion needs four topics): the coders' sheets hold no answer, the forms open offline in
headless Chromium and show the markup as text, the README's scoring command gives
precision 1 on sheets filled in from the key, the exports agree with
``tables/doc_topics.csv``, and the sensitivity variants pin the chosen K and seed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from swedish_topics import io as sio
from swedish_topics.pipeline import read_units_tsv

from tests.browser_check import open_html
from tests.e2e.helpers import REPO, run_workflow

pytestmark = pytest.mark.e2e

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("validation")
    corpus = tmp / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    text = (
        "Kommunen lanserar en ny e-tjänst för bygglov. "
        f"{SCRIPT} Bygglov söks digitalt och handläggningen av bygglov går snabbare. "
    ) * 6
    (corpus / "texts" / "005_script.txt").write_text(text, encoding="utf-8")
    with open(corpus / "metadata.csv", "a", encoding="utf-8") as handle:
        handle.write(f'005_script,Lund,2020,,,,"{SCRIPT}"\n')
    config = tmp / "config.yaml"
    config.write_text(
        "model:\n  k: [4]\n  seeds: [1]\n  passes: 5\n  iterations: 100\n"
        f"analysis:\n  bootstrap: 100\n  topic_labels: {{1: '{SCRIPT}'}}\n"
        "validation:\n  coding_sample_size: 4\n  topic_tasks_per_topic: 3\n",
        encoding="utf-8",
    )
    results = tmp / "results"
    run_workflow(results, f"corpus={corpus}", configfile=config)
    return results


def test_sheets_hold_no_answer_and_keys_are_apart(run: Path) -> None:
    word = sio.read_csv(run / "validation/word_intrusion.csv")
    topic = sio.read_csv(run / "validation/topic_intrusion.csv")
    sample = sio.read_csv(run / "validation/coding_sample.csv")
    assert len(word) == 4 * 2 and len(topic) >= 4
    for rows, answer in ((word, "answer"), (topic, "answer"), (sample, "code")):
        assert {r[answer] for r in rows} == {""}
        assert not {"topic", "intruder_position", "dominant_topic"} & set(rows[0])
    assert len(sample) == 4
    assert any(SCRIPT in r["passage"] for r in topic) or any(SCRIPT in r["text"] for r in sample)
    keys = {p.name for p in (run / "validation/key").iterdir()}
    assert keys == {"word_intrusion_key.csv", "topic_intrusion_key.csv", "coding_sample_key.csv"}


def test_forms_open_offline_and_show_markup_as_text(run: Path) -> None:
    for name in ("intrusion_form.html", "coding_form.html"):
        path = run / "validation" / name
        assert SCRIPT not in path.read_text(encoding="utf-8")
        with open_html(path) as view:
            assert view.network == [] and view.errors == []
            assert view.page.locator(".task").count() > 0
    with open_html(run / "validation/coding_form.html") as view:
        assert SCRIPT in view.page.inner_text("body")  # the label and the text, as text


def _filled(run: Path, kind: str, coder: str) -> Path:
    sheet = sio.read_csv(run / f"validation/{kind}_intrusion.csv")
    key = {r["task_id"]: r for r in sio.read_csv(run / f"validation/key/{kind}_intrusion_key.csv")}
    rows = [{**r, "answer": key[r["task_id"]]["intruder_position"]} for r in sheet]
    path = run.parent / "coders" / kind / f"{coder}.csv"
    sio.write_csv(path, rows, list(sheet[0]))
    return path


def test_readme_scoring_command_on_sheets_filled_from_the_key(run: Path) -> None:
    word = [_filled(run, "word", c) for c in ("anna", "bo")]
    topic = [_filled(run, "topic", c) for c in ("anna", "bo")]
    out = run.parent / "scores"
    cmd = [sys.executable, "-m", "swedish_topics.coding", "score-intrusion", "--results", str(run)]
    cmd += ["--word", *map(str, word), "--topic", *map(str, topic), "--out", str(out)]
    subprocess.run(cmd, check=True, cwd=REPO, capture_output=True, timeout=300)
    scores = sio.read_csv(out / "tables/intrusion_scores.csv")
    assert {r["model_precision"] for r in scores} == {"1.0"}
    assert {r["topic_log_odds"] for r in scores if r["topic_log_odds"]} == {"0.0"}
    assert (out / "figures/intrusion_scores.png").is_file()


def test_exports_agree_with_doc_topics(run: Path) -> None:
    table = pq.read_table(run / "exports/doc_topics.parquet").to_pylist()
    doc_topics = sio.read_csv(run / "tables/doc_topics.csv")
    assert len(table) == len(doc_topics) == 6 * 4
    by_key = {(r["doc_id"], int(r["topic"])): float(r["weight"]) for r in doc_topics}
    for row in table:
        assert row["proportion"] == pytest.approx(by_key[(row["doc_id"], row["topic"])], abs=1e-6)
        assert isinstance(row["year"], int) and row["municipality"]
    assert sio.read_csv(run / "exports/doc_topics.csv")[0].keys() == table[0].keys()
    # The models keep unit_topic_counts, so every document has posterior draws of its
    # proportions: each draw sums to 1, and their mean is the posterior mean, the
    # token-weighted mean of its units' (alpha + counts) / sum (Monte Carlo error of 100
    # draws aside). The point estimate (the last Gibbs state) may lie far from it for units
    # of a few tokens, so it is not the reference.
    draws = pq.read_table(run / "exports/doc_topic_draws.parquet").to_pylist()
    n_draws = len({r["draw"] for r in draws})
    assert n_draws >= 2 and len(draws) == 6 * 4 * n_draws
    sums: dict[tuple[str, int], float] = {}
    means: dict[tuple[str, int], float] = {}
    for r in draws:
        sums[r["doc_id"], r["draw"]] = sums.get((r["doc_id"], r["draw"]), 0.0) + r["proportion"]
        key = (r["doc_id"], r["topic"])
        means[key] = means.get(key, 0.0) + r["proportion"] / n_draws
    assert all(s == pytest.approx(1.0) for s in sums.values())
    model = np.load(run / "final/model.npz")
    post = model["alpha"] + model["unit_topic_counts"]
    post = post / post.sum(axis=1, keepdims=True)
    units = read_units_tsv(run / "preprocess/units.tsv", columns=("doc_id", "n_tokens"))
    expected: dict[tuple[str, int], float] = {}
    tokens: dict[str, float] = {}
    for row, doc, n in zip(post, units["doc_id"], units["n_tokens"], strict=True):
        tokens[doc] = tokens.get(doc, 0.0) + n
        for t, value in enumerate(row, start=1):
            expected[doc, t] = expected.get((doc, t), 0.0) + n * float(value)
    assert max(abs(means[k] - expected[k] / tokens[k[0]]) for k in by_key) < 0.1
    assert "unit_topic_counts" in (run / "exports/data_dictionary.md").read_text(encoding="utf-8")


def test_sensitivity_pins_the_chosen_model_and_reuses_shards_where_it_can(run: Path) -> None:
    summary = sio.read_csv(run / "sensitivity/summary.csv")
    assert [r["variant"] for r in summary] == ["raw_forms", "no_below_5"]
    assert {(r["k"], r["seed"]) for r in summary} == {("4", "1")}
    for r in summary:
        assert 0.0 <= float(r["min_similarity"]) <= float(r["mean_similarity"]) <= 1.0
    assert (run / "sensitivity/raw_forms/interim/shards").is_dir()
    assert not (run / "sensitivity/no_below_5/interim").exists()  # vocabulary only: main shards
    matches = sio.read_csv(run / "sensitivity/matches.csv")
    assert sorted(int(m["variant_topic"]) for m in matches if m["variant"] == "raw_forms") == [
        1,
        2,
        3,
        4,
    ]
    assert (run / "sensitivity/sensitivity.png").stat().st_size > 10_000
    methods = (run / "methods.md").read_text(encoding="utf-8")
    assert "**Validation.**" in methods and "raw_forms" in methods
