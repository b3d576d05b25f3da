"""Wall time of re-runs after one change each, on the Riksdag corpus (issue 21).

A researcher runs the workflow, then names the topics, tries another FDR level or
effects formula, pins the model, adds a K, a metadata column or a sensitivity variant,
and reruns after each step. This script does that loop on the Riksdag interpellations
(``bench/riksdag.yaml``, ``--cores 2``): one full run, then each change of the README's
table ("Changing your analysis") on top of the previous ones, timing each re-run and
counting the jobs that ``snakemake -n`` planned for it. It writes
``bench/results/rerun.txt`` and the table between the ``rerun-bench`` markers of
README.md, so the README quotes the measurement rather than a number typed by hand.

The corpus is copied (``--work``/corpus) because one change edits ``metadata.csv``: the
base run's copy lacks the ``party`` column, and the "new metadata column" step adds it
back (its 5 empty values as ``-``) and puts it in the effects formula.

    .venv/bin/python bench/bench_rerun.py                # about 20 min on 2 free cores
    .venv/bin/python bench/bench_rerun.py --work /tmp/rk-rerun --resume # finish a base run
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from common import PYTHON, REPO, RIKSDAG, RIKSDAG_CONFIG, deep_merge

logger = logging.getLogger("bench_rerun")
RESULTS_TXT = REPO / "bench" / "results" / "rerun.txt"
README = REPO / "README.md"
BEGIN, END = "<!-- rerun-bench: begin -->", "<!-- rerun-bench: end -->"
_JOB = re.compile(r"^(?:local)?rule (\w+):\n(?:\s{4}.*\n)*?\s{4}log: (\S+)\.log$", re.MULTILINE)


@dataclass
class Step:
    """One change of the researcher's loop, applied on top of the previous ones."""

    name: str
    target: str
    overrides: dict[str, Any] = field(default_factory=dict)
    corpus_edit: Callable[[Path], None] | None = None


def _metadata(corpus: Path, *, with_party: bool) -> None:
    """Write the copy's metadata.csv from the shared one, with or without ``party``."""
    with open(RIKSDAG / "metadata.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    columns = [c for c in rows[0] if with_party or c != "party"]
    tmp = corpus / "metadata.csv.tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            row["party"] = row["party"].strip() or "-"
            writer.writerow(row)
    tmp.replace(corpus / "metadata.csv")


def _snakemake(work: Path, config: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    cmd = [PYTHON, "-m", "snakemake", "--cores", "2", "--configfile", str(config)]
    cmd += ["--config", f"results={work / 'results'}", f"corpus={work / 'corpus'}", *extra]
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"snakemake failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return proc


def _write_config(work: Path, overrides: dict[str, Any]) -> Path:
    with open(RIKSDAG_CONFIG, encoding="utf-8") as handle:
        cfg = deep_merge(yaml.safe_load(handle), overrides)
    cfg["corpus"] = str(work / "corpus")
    path = work / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def measure(work: Path, step: Step, overrides: dict[str, Any]) -> dict[str, Any]:
    """Plan (``-n``) and run one step; the jobs planned and the wall time of the run."""
    if step.corpus_edit is not None:
        step.corpus_edit(work / "corpus")
    config = _write_config(work, overrides)
    dry = _snakemake(work, config, "-n")
    jobs = _JOB.findall(dry.stdout + dry.stderr)
    rules: dict[str, int] = {}
    for rule, _ in jobs:
        rules[rule] = rules.get(rule, 0) + 1
    start = time.perf_counter()
    _snakemake(work, config, "--quiet", "rules")
    seconds = time.perf_counter() - start
    logger.info("%s: %d jobs, %.1f s", step.name, len(jobs), seconds)
    return {
        "step": step.name,
        "target": step.target,
        "jobs": len(jobs),
        "rules": rules,
        "seconds": round(seconds, 1),
    }


def steps(work: Path) -> list[Step]:
    """The README's table, in the order a researcher might take it."""
    choice = json.loads((work / "results" / "model_selection" / "choice.json").read_text())
    return [
        Step(
            "`analysis.topic_labels`",
            "≤ 30 s",
            {"analysis": {"topic_labels": {1: "Skola", 2: "Vård"}}},
        ),
        Step("`analysis.fdr`", "≤ 60 s", {"analysis": {"fdr": 0.1}}),
        Step(
            "`analysis.effects.formula`",
            "≤ 60 s",
            {"analysis": {"effects": {"formula": "~ county + ns(year, 3)"}}},
        ),
        Step("`analysis.interval`", "≤ 60 s", {"analysis": {"interval": "t"}}),
        Step("`content.*` (`content.n_terms`)", "≤ 60 s", {"content": {"n_terms": 15}}),
        Step(
            "`selection.k`/`seed` pinned to the chosen model",
            "0 jobs",
            {"selection": {"k": choice["k"], "seed": choice["seed"]}},
        ),
        Step(
            "a new metadata column (`party`) in the formula",
            "≤ 90 s",
            {"analysis": {"effects": {"formula": "~ county + ns(year, 3) + party"}}},
            corpus_edit=lambda corpus: _metadata(corpus, with_party=True),
        ),
        # a small K, so that the new models' training (3 seeds) is short next to the rest
        Step(
            "a K added to `model.k` (5)",
            "its models' training + ≤ 60 s",
            {"model": {"k": [5, 10, 20, 30, 40]}},
        ),
        Step(
            "`sensitivity.run` gains a variant (`no_below_2`)",
            "its own cost",
            {"sensitivity": {"run": ["no_below_2"]}},
        ),
    ]


def table(base_seconds: float | None, rows: list[dict[str, Any]]) -> str:
    full = "" if base_seconds is None else f"; the full run took {base_seconds:.0f} s"
    lines = [
        f"Riksdag interpellations (15,565 documents), `bench/riksdag.yaml`, `--cores 2`"
        f"{full}. Each change is applied on top of the ones above it, on a machine shared "
        "with other work (`python bench/bench_rerun.py`).",
        "",
        "| change | jobs planned | wall time | target |",
        "|---|---:|---:|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['step']} | {row['jobs']} | {row['seconds']:.0f} s | {row['target']} |"
        )
    return "\n".join(lines) + "\n"


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    if BEGIN not in readme or END not in readme:
        raise RuntimeError(f"README.md has no {BEGIN} … {END} markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{text}{END}{tail}", encoding="utf-8")


def base_run(work: Path, *, fresh: bool) -> float | None:
    """The finished run that the changes start from; its wall time when run from scratch.

    Without ``fresh`` a run left in ``work`` is finished (resumed, or brought up to date
    with the current workflow) and no time is reported for it.
    """
    if fresh:
        if work.exists():
            shutil.rmtree(work)
        (work / "corpus").mkdir(parents=True)
        shutil.copytree(RIKSDAG / "texts", work / "corpus" / "texts")  # keeps the times
        _metadata(work / "corpus", with_party=False)
    start = time.perf_counter()
    _snakemake(work, _write_config(work, {}), "--quiet", "rules")
    return time.perf_counter() - start if fresh else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/rk-rerun"))
    parser.add_argument(
        "--resume", action="store_true", help="finish the run left in --work, untimed"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    work: Path = args.work
    base_seconds = base_run(work, fresh=not (args.resume and (work / "corpus").exists()))
    logger.info("base run: %s s", base_seconds)
    overrides: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    for step in steps(work):
        overrides = deep_merge(overrides, step.overrides)
        rows.append(measure(work, step, overrides))
        write_results(base_seconds, rows)  # after each step: a stopped run keeps its rows
    print(RESULTS_TXT.read_text(encoding="utf-8"))


def write_results(base_seconds: float | None, rows: list[dict[str, Any]]) -> None:
    """bench/results/rerun.txt (the table and the jobs by rule) and the README's table."""
    text = table(base_seconds, rows)
    RESULTS_TXT.parent.mkdir(parents=True, exist_ok=True)
    jobs = "".join(f"- {r['step']}: {json.dumps(r['rules'], sort_keys=True)}\n" for r in rows)
    RESULTS_TXT.write_text(f"{text}\nJobs by rule:\n{jobs}", encoding="utf-8")
    write_readme(text)


if __name__ == "__main__":
    main()
