"""Re-runs redo only what a change affects, and never leave a stale result (issue 21).

On one finished run of the shipped corpus (a copy of it, so that texts and metadata can
be edited), `snakemake -n` plans exactly the jobs that the README's table, "Changing
your analysis", promises for each change: nothing upstream of the change (no retraining
for a label, an FDR level, a pin or a new metadata column), and everything downstream of
a change that alters an upstream output (a stopword, a preprocessing key, a text edited
in place, a facet value). The last test builds a run incrementally and compares it, file
by file, with a clean run of the final configuration.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.e2e.helpers import E2E_CONFIG, REPO, run_workflow

pytestmark = pytest.mark.e2e

#: Every job that trains or prepares what the models are trained on.
UPSTREAM = {
    "corpus_texts",
    "train_sentences",
    "preprocess_shard",
    "build_corpus",
    "heldout_split",
    "train_lda",
    "evaluate_models",
    "select_model",
    "sensitivity_preprocess_shard",
    "sensitivity_build_corpus",
    "sensitivity_heldout_split",
    "sensitivity_model",
}
#: What a label may rerun: tables, figures, browser, methods, report pieces with labels.
LABEL_JOBS = {
    "topic_tables",
    "plot_top_terms",
    "plot_prevalence_by_facet",
    "plot_prevalence_over_facet",
    "plot_differences",
    "plot_effects",
    "plot_doc_composition",
    "plot_topic_words_by_facet",
    "plot_topic_words_over_facet",
    "topic_map",
    "topic_browser",
    "coding_sample",
    "export_doc_topics",
    "provenance",
    "methods",
    "findings",
}
#: The comparisons, and what shows them.
COMPARISON_JOBS = {
    "compare_groups",
    "trend",
    "effects",
    "robustness",
    "plot_prevalence_by_facet",
    "plot_prevalence_over_facet",
    "plot_differences",
    "plot_effects",
    "topic_browser",
    "sensitivity_compare_groups",
    "sensitivity_trend",
    "sensitivity_effects",
    "sensitivity_summary",
    "provenance",
    "methods",
    "findings",
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A finished default run (small grid) on a copy of the shipped corpus."""
    root = tmp_path_factory.mktemp("reruns")
    corpus = root / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    results = root / "results"
    run_workflow(results, f"corpus={corpus}")
    return {"root": root, "corpus": corpus, "results": results}


class Plan(dict[str, str]):
    """The jobs that `snakemake -n` plans: {job (its log file's name): rule}."""

    @property
    def rules(self) -> set[str]:
        return set(self.values())


_JOB = re.compile(r"^(?:local)?rule (\w+):\n(?:\s{4}.*\n)*?\s{4}log: (\S+)\.log$", re.MULTILINE)


def planned(base: dict[str, Path], *config: str) -> Plan:
    """The jobs that `snakemake -n` plans on the finished run with ``config`` changed."""
    cmd = [sys.executable, "-m", "snakemake", "-n", "--cores", "2"]
    cmd += ["--configfile", str(E2E_CONFIG)]
    cmd += ["--config", f"results={base['results']}", f"corpus={base['corpus']}", *config]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=600)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-5000:]
    plan = Plan({Path(log).name: rule for rule, log in _JOB.findall(output)})
    if "Nothing to be done" not in output:
        assert plan, output[-5000:]  # the format of the dry run changed: fix _JOB
    return plan


@contextmanager
def edited(path: Path, new_text: str) -> Iterator[None]:
    """Replace a file's text for the duration; put the old bytes and time back after.

    The new file's time stays older than the run's outputs, as after restoring a backup
    or unpacking an archive: the change must be seen by its content, not its time.
    """
    old, stat = path.read_bytes(), path.stat()
    path.write_text(new_text, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000_000))
    try:
        yield
    finally:
        path.write_bytes(old)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_nothing_changed_plans_nothing(base: dict[str, Path]) -> None:
    assert planned(base) == {}


def test_topic_labels_rerun_only_what_prints_labels(base: dict[str, Path]) -> None:
    rules = planned(base, 'analysis={topic_labels: {1: "Skolan"}}').rules
    assert "topic_tables" in rules and "plot_top_terms" in rules
    assert rules <= LABEL_JOBS, rules - LABEL_JOBS


@pytest.mark.parametrize(
    "change",
    [
        "analysis={fdr: 0.1}",
        'analysis={effects: {formula: "~ municipality"}}',
        "analysis={interval: t}",
    ],
)
def test_comparison_settings_rerun_only_the_comparisons(base: dict[str, Path], change: str) -> None:
    rules = planned(base, change).rules
    assert "effects" in rules or "compare_groups" in rules
    assert rules <= COMPARISON_JOBS, rules - COMPARISON_JOBS


def test_content_settings_rerun_the_content_rules(base: dict[str, Path]) -> None:
    rules = planned(base, "content={n_terms: 8}").rules
    assert {"content_by_facet", "content_over_facet"} <= rules
    assert not rules & (UPSTREAM | {"compare_groups", "trend", "effects", "robustness"})


def test_pinning_the_chosen_model_plans_nothing(base: dict[str, Path]) -> None:
    choice = json.loads((base["results"] / "model_selection" / "choice.json").read_text())
    k, seed = choice["k"], choice["seed"]
    assert planned(base, f"selection={{k: {k}, seed: {seed}}}") == {}
    other = 3 - seed if seed in (1, 2) else 1
    jobs = planned(base, f"selection={{k: {k}, seed: {other}}}").rules
    assert "select_model" in jobs and "final_model" in jobs
    assert not jobs & (UPSTREAM - {"select_model", "sensitivity_model"})


def test_a_new_k_trains_only_its_models(base: dict[str, Path]) -> None:
    jobs = planned(base, "model={k: [2, 3, 4]}")
    trained = {job for job in jobs if job.startswith("train_lda_")}
    assert trained == {"train_lda_k4_s1", "train_lda_k4_s2"}
    rules = jobs.rules
    assert {"evaluate_models", "select_model"} <= rules
    assert not rules & {"corpus_texts", "preprocess_shard", "build_corpus", "heldout_split"}


def test_a_new_sensitivity_variant_runs_only_that_variant(base: dict[str, Path]) -> None:
    jobs = planned(base, "sensitivity={run: [raw_forms, no_below_5, no_phrases]}")
    variant_jobs = {job for job in jobs if job.startswith("sensitivity_")}
    assert variant_jobs - {"sensitivity_summary"}
    assert all(
        job.startswith("sensitivity_no_phrases_") for job in variant_jobs - {"sensitivity_summary"}
    ), variant_jobs
    others = {job: rule for job, rule in jobs.items() if not job.startswith("sensitivity_")}
    assert set(others.values()) <= {"methods", "provenance", "findings"}, others


def _add_column(metadata: Path, name: str, value_of: dict[str, str] | None = None) -> str:
    with open(metadata, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [*rows[0].keys(), name]
    lines = [",".join(columns)]
    for i, row in enumerate(rows):
        row[name] = (value_of or {}).get(row["doc_id"], str(i % 2))
        lines.append(",".join(_quote(row[c]) for c in columns))
    return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    return '"' + value.replace('"', '""') + '"' if any(c in value for c in ',"\n') else value


def test_a_new_metadata_column_in_the_formula_does_not_retrain(base: dict[str, Path]) -> None:
    metadata = base["corpus"] / "metadata.csv"
    with edited(metadata, _add_column(metadata, "stor_kommun")):
        plan = planned(base, 'analysis={effects: {formula: "~ municipality + stor_kommun"}}')
    rules = plan.rules
    assert {"validate_corpus", "effects"} <= rules
    assert not rules & UPSTREAM, rules & UPSTREAM


# ------------------------------------------------------------ nothing stale, ever
def test_a_stopword_reruns_preprocessing_and_every_model(base: dict[str, Path]) -> None:
    rules = planned(base, "preprocess={stopwords: {extra: [kommun]}}").rules
    assert {"preprocess_shard", "build_corpus", "train_lda", "evaluate_models"} <= rules
    assert {"topic_tables", "compare_groups", "effects", "methods"} <= rules


def test_a_preprocessing_key_reruns_preprocessing(base: dict[str, Path]) -> None:
    rules = planned(base, "preprocess={units: {min_tokens: 40}}").rules
    assert {"preprocess_shard", "build_corpus", "train_lda", "topic_tables"} <= rules


def test_a_text_edited_in_place_reruns_everything_after_it(base: dict[str, Path]) -> None:
    text = sorted((base["corpus"] / "texts").glob("*.txt"))[0]
    with edited(text, text.read_text(encoding="utf-8") + "\n\nEtt nytt stycke om skolan."):
        rules = planned(base).rules
    assert {"validate_corpus", "corpus_texts", "preprocess_shard", "train_lda"} <= rules
    assert {"provenance", "topic_tables", "compare_groups"} <= rules


def test_a_changed_facet_value_reruns_validation_and_comparisons(base: dict[str, Path]) -> None:
    metadata = base["corpus"] / "metadata.csv"
    text = metadata.read_text(encoding="utf-8")
    first_row = text.splitlines()[1]
    doc_id, municipality = first_row.split(",")[:2]
    other = next(
        line.split(",")[1] for line in text.splitlines()[1:] if line.split(",")[1] != municipality
    )
    changed = text.replace(
        first_row, first_row.replace(f"{doc_id},{municipality},", f"{doc_id},{other},", 1)
    )
    assert changed != text
    with edited(metadata, changed):
        rules = planned(base).rules
    # the municipalities' names are stopwords (preprocess.stopwords.remove_facet_values)
    assert {"validate_corpus", "corpus_texts", "preprocess_shard"} <= rules
    assert {"compare_groups", "effects", "robustness"} <= rules


def test_a_changed_year_reruns_the_analysis_not_the_models(base: dict[str, Path]) -> None:
    metadata = base["corpus"] / "metadata.csv"
    with open(metadata, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    years = {row["doc_id"]: row["year"] for row in rows}
    first = rows[0]["doc_id"]
    other = next(y for y in years.values() if y != years[first])
    text = metadata.read_text(encoding="utf-8")
    line = next(line for line in text.splitlines() if line.startswith(first + ","))
    changed = text.replace(line, line.replace(f",{years[first]},", f",{other},", 1))
    assert changed != text
    with edited(metadata, changed):
        rules = planned(base).rules
    assert {"validate_corpus", "trend", "effects", "compare_groups"} <= rules
    assert not rules & UPSTREAM, rules & UPSTREAM


# ------------------------------------------ incremental = clean, byte for byte
#: What differs between two runs by nature: training's wall-clock time (README,
#: Reproducibility). It is left out of the files that hold it, and the model-selection
#: figure, which plots it, is not compared. provenance.json is compared without the
#: results folder's path (the two runs write to different folders). A figure's PDF is
#: compared through its PNG, the same drawing: the PDF's bytes can differ between two runs
#: of the same rule on the same inputs (figures/topic_words_by_year.pdf on this corpus,
#: whose PNG is identical), which is a defect of its own, not a stale result.
NOT_COMPARED = {"figures/model_selection.pdf", "figures/model_selection.png"}
WALL_CLOCK = "train_seconds"


def _without_wall_clock(rel: str, data: bytes) -> bytes:
    if rel == "provenance.json":  # records the config, whose `results` is the run's folder
        record = json.loads(data)
        assert record["config"].pop("results")
        return json.dumps(record, sort_keys=True).encode()
    if rel.endswith("train.json"):
        record = json.loads(data)
        record.pop(WALL_CLOCK)
        return json.dumps(record, sort_keys=True).encode()
    if rel == "model_selection/metrics.csv":
        rows = list(csv.reader(data.decode("utf-8").splitlines()))
        index = rows[0].index(WALL_CLOCK)
        return "\n".join(",".join(r[:index] + r[index + 1 :]) for r in rows).encode()
    return data


def _files(results: Path) -> dict[str, bytes]:
    """Every file of a run but its logs, with the wall-clock times left out."""
    out = {}
    for path in sorted(results.rglob("*")):
        rel = path.relative_to(results).as_posix()
        twin = path.with_suffix(".png")
        if rel.startswith("figures/") and path.suffix == ".pdf" and twin.exists():
            continue  # compared through its PNG twin (see NOT_COMPARED)
        if path.is_file() and not rel.startswith("logs/") and rel not in NOT_COMPARED:
            out[rel] = _without_wall_clock(rel, path.read_bytes())
    return out


def test_an_incremental_run_equals_a_clean_run(base: dict[str, Path], tmp_path: Path) -> None:
    """A label and an FDR level changed one after the other give the same files as one
    clean run of the final config. Runs last: it updates the shared run."""
    corpus = f"corpus={base['corpus']}"
    run_workflow(base["results"], corpus, 'analysis={topic_labels: {1: "Skolan"}}')
    final = ('analysis={topic_labels: {1: "Skolan"}, fdr: 0.1}',)
    run_workflow(base["results"], corpus, *final)
    clean = tmp_path / "clean"
    run_workflow(clean, corpus, *final)
    incremental, fresh = _files(base["results"]), _files(clean)
    assert sorted(incremental) == sorted(fresh)
    differ = [name for name in fresh if incremental[name] != fresh[name]]
    assert differ == [], differ
