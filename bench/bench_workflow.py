"""Sections 4 and 5: the whole workflow's wall time, and peak memory per stage at 1× and 4×.

Section 4 runs ``snakemake --cores 2 --configfile bench/riksdag.yaml --config corpus=…
results=…`` in the repository, as a user would, and records every job (start, end, CPU
seconds, peak RSS; :mod:`monitor`).

Section 5 runs the workflow twice more with one and the same reduced grid (the largest
K of the riksdag grid, two seeds, few sweeps: peak memory does not depend on the number
of sweeps or on the number of models trained side by side), once on the corpus and once
on the 4× corpus (every document four times, new ids), and compares each stage's peak
RSS.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
from pathlib import Path
from typing import Any

from common import REPO, RIKSDAG_CONFIG, single_thread_env
from monitor import RunRecord, rule_stats, rule_table, run_monitored, stage_stats

logger = logging.getLogger(__name__)


def snakemake_command(
    *, corpus: Path, results: Path, configfile: Path = RIKSDAG_CONFIG, extra: list[str] = ()
) -> list[str]:
    """The command line of one workflow run (2 cores, the riksdag config)."""
    return [
        str(Path(sys.executable).with_name("snakemake")),
        "--cores",
        "2",
        "--configfile",
        str(configfile),
        "--config",
        f"corpus={corpus}",
        f"results={results}",
        *extra,
    ]


def run_workflow(
    *, corpus: Path, results: Path, log: Path, extra: list[str] = ()
) -> tuple[RunRecord, list[dict[str, Any]], list[dict[str, Any]]]:
    """Run the workflow from scratch into ``results``; return the record, rules, stages."""
    if results.exists():
        shutil.rmtree(results)
    cmd = snakemake_command(corpus=corpus, results=results, extra=list(extra))
    logger.info("running: %s", " ".join(cmd))
    record = run_monitored(cmd, cwd=REPO, log_path=log, env=single_thread_env())
    if record.returncode != 0:
        raise RuntimeError(f"the workflow failed (status {record.returncode}); see {log}")
    table = rule_table(REPO / "workflow")
    rules = rule_stats(record, table)
    stages = stage_stats(rules)
    return record, [r.__dict__ for r in rules], stages


def summary_counts(results: Path) -> dict[str, Any]:
    """Units, tokens and vocabulary of a run (from preprocessing_summary.csv)."""
    import csv

    with open(results / "tables" / "preprocessing_summary.csv", encoding="utf-8") as handle:
        rows = {row["step"]: row for row in csv.DictReader(handle)}
    last = rows["vocabulary_filter"]
    out: dict[str, Any] = {
        "units": int(last["units"]),
        "tokens": int(last["tokens"]),
        "vocabulary": int(last["types"]),
        "raw_tokens": int(rows["raw"]["tokens"]),
    }
    choice = results / "model_selection" / "choice.json"
    if choice.exists():
        with open(choice, encoding="utf-8") as handle:
            data = json.load(handle)
        out["chosen"] = f"K={data['k']}, seed {data['seed']}"
    return out
