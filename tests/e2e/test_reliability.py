"""Reliability of the real workflow: bad input refused before any work, a killed run that
resumes to the same tables, and corpus content that can neither escape the results folder
nor run in a reader's browser."""

from __future__ import annotations

import ast
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.helpers import REPO, run_workflow, snakemake_cmd, table_files

pytestmark = pytest.mark.e2e

PACKAGE = REPO / "workflow" / "swedish_topics"


def copy_corpus(dest: Path) -> Path:
    shutil.copytree(REPO / "corpus", dest)
    return dest


def test_bad_corpus_is_refused_before_any_work(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    # Latin-1 text, a row without a text, and an unsafe id: all reported at once.
    (corpus / "texts" / "005_latin1.txt").write_bytes(
        "Kommunen är öppen för förändring.".encode("latin-1")
    )
    with open(corpus / "metadata.csv", "a", encoding="utf-8") as handle:
        handle.write("005_latin1,Lund,2020,,,,\n")
        handle.write("006_missing,Lund,2020,,,,\n")
        handle.write("../escape,Lund,2020,,,,\n")
    results = tmp_path / "results"
    proc = run_workflow(results, "corpus=" + str(corpus), check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "005_latin1.txt" in out and "UTF-8" in out
    assert "006_missing" in out
    assert "../escape" in out
    assert "Traceback" not in out
    # nothing beyond the validation step ran, and nothing was written outside results
    assert not (results / "interim" / "shards").exists()
    assert not (results / "tables").exists()
    assert not (tmp_path / "escape").exists()


def test_unknown_config_key_names_the_nearest_known_key(tmp_path: Path) -> None:
    results = tmp_path / "results"
    proc = run_workflow(results, "facet=[municipality]", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "facet" in out and "facets" in out
    assert "Traceback" not in out
    assert not results.exists()


def test_missing_corpus_folder_is_named(tmp_path: Path) -> None:
    proc = run_workflow(tmp_path / "results", f"corpus={tmp_path / 'nowhere'}", check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "nowhere" in out
    assert "Traceback" not in out


def test_k_larger_than_the_number_of_units_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "big_k.yaml"
    config.write_text("model:\n  k: [500]\n  seeds: [1]\n", encoding="utf-8")
    proc = run_workflow(tmp_path / "results", configfile=config, check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "500" in out and "units" in out
    assert not list((tmp_path / "results").glob("models/*/model.npz"))


def test_killed_run_resumes_to_the_same_tables(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    run_workflow(reference)
    results = tmp_path / "killed"
    proc = subprocess.Popen(
        snakemake_cmd(results),
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    killed_during_training = False
    while time.monotonic() < deadline and proc.poll() is None:
        if list(results.glob("models/*/train.json")) and not (results / "final").exists():
            os.killpg(proc.pid, signal.SIGKILL)
            killed_during_training = True
            break
        time.sleep(0.2)
    proc.wait(timeout=60)
    assert killed_during_training, "the workflow finished before it could be killed"
    assert not (results / "tables" / "topics.csv").exists()
    # Nothing that looks complete is left half-written: every model file present loads.
    from swedish_topics.lda import load_model_npz

    for npz in results.glob("models/*/model.npz"):
        load_model_npz(npz)
    # A kill leaves Snakemake's lock behind (Ctrl-C does not): unlock, then rerun.
    subprocess.run(snakemake_cmd(results, "--unlock"), cwd=REPO, check=True, capture_output=True)
    run_workflow(results)
    a, b = table_files(reference), table_files(results)
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []


SCRIPT = "<script>alert(1)</script>"


def test_corpus_html_is_escaped_everywhere(tmp_path: Path) -> None:
    corpus = copy_corpus(tmp_path / "corpus")
    text = (
        "Kommunen lanserar en ny e-tjänst för bygglov. "
        f"{SCRIPT} Bygglov söks digitalt och handläggningen av bygglov går snabbare. "
    ) * 6
    (corpus / "texts" / "005_script.txt").write_text(text, encoding="utf-8")
    with open(corpus / "metadata.csv", "a", encoding="utf-8") as handle:
        handle.write(f'005_script,Lund,2020,,,,"{SCRIPT}"\n')
    config = tmp_path / "config.yaml"
    config.write_text(
        "model:\n  k: [2]\n  seeds: [1]\n  passes: 5\n"
        "analysis:\n  bootstrap: 50\n  n_passages: 100\n"
        f"  topic_labels: {{1: '{SCRIPT}'}}\n",
        encoding="utf-8",
    )
    results = tmp_path / "results"
    run_workflow(results, f"corpus={corpus}", configfile=config)
    passages = (results / "tables" / "representative_passages.csv").read_text(encoding="utf-8")
    assert SCRIPT in passages  # the CSV keeps the text as it is (data, not HTML)
    for html_like in [
        results / "tables" / "representative_passages.md",
        results / "tables" / "topics.md",
        results / "figures" / "topic_map.html",
    ]:
        assert SCRIPT not in html_like.read_text(encoding="utf-8"), html_like
    report = tmp_path / "report.html"
    subprocess.run(
        snakemake_cmd(results, f"corpus={corpus}", "--report", str(report), configfile=config),
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=600,
    )
    assert SCRIPT not in report.read_text(encoding="utf-8")


def _calls(tree: ast.AST) -> list[str]:
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                base = func.value
                base_name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", "")
                names.append(f"{base_name}.{func.attr}")
            elif isinstance(func, ast.Name):
                names.append(func.id)
            for kw in node.keywords:
                if kw.arg == "allow_pickle" and not (
                    isinstance(kw.value, ast.Constant) and kw.value.value is False
                ):
                    names.append("allow_pickle=True")
    return names


def test_package_never_loads_pickle() -> None:
    """No code path can execute code from a file: no pickle, joblib or gensim .load()."""
    forbidden = {
        "pickle.load",
        "pickle.loads",
        "joblib.load",
        "allow_pickle=True",
        "LdaModel.load",
        "Dictionary.load",
        "utils.unpickle",
        "SaveLoad.load",
    }
    found = {}
    for path in PACKAGE.glob("*.py"):
        calls = set(_calls(ast.parse(path.read_text(encoding="utf-8"))))
        bad = calls & forbidden
        if bad:
            found[path.name] = sorted(bad)
    assert found == {}
