"""Run a command and record every Snakemake job it starts: wall time, CPU time, peak RSS.

Snakemake runs each rule's ``script:`` as its own process,
``python …/.snakemake/scripts/tmpXXXX.<script>.py``. :func:`run_monitored` polls the
process tree of the command every ``poll`` seconds (default 0.05 s) and, for each such
process, keeps its start time, the last time it was seen, its CPU seconds and its peak
resident set size (``VmHWM`` of ``/proc/<pid>/status``: the kernel's high-water mark, so
a short peak between two polls is not missed; only growth in the last ``poll`` seconds
before the process exits can be). Scripts are mapped to rules and stages with
:func:`rule_table`, read from ``workflow/rules/*.smk``.

It also keeps the busy CPU seconds of the whole machine (``psutil.cpu_times``), so that
a report can say how much of the machine other users took during the run.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psutil

logger = logging.getLogger(__name__)

_SCRIPT_RE = re.compile(r"\.snakemake/scripts/tmp[^/]*?\.(\w+)\.py$")
_RULE_RE = re.compile(r"^rule (\w+):", re.MULTILINE)
_SCRIPT_LINE_RE = re.compile(r'script:\s*\n?\s*"\.\./scripts/(\w+)\.py"')

#: Order of the workflow stages (one rule file each).
STAGES = (
    "ingest",
    "preprocess",
    "model",
    "evaluate",
    "analyse",
    "compare",
    "content",
    "report",
    "findings",
    "validation",
    "sensitivity",
)


@dataclass
class Job:
    """One rule-script process seen while the command ran."""

    pid: int
    script: str
    start: float
    end: float
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0

    @property
    def seconds(self) -> float:
        """Wall seconds from process start to the last time it was seen."""
        return self.end - self.start


@dataclass
class RunRecord:
    """What :func:`run_monitored` measured."""

    returncode: int
    wall_seconds: float
    jobs: list[Job] = field(default_factory=list)
    driver_peak_rss_mb: float = 0.0
    machine_busy_seconds: float = 0.0
    own_cpu_seconds: float = 0.0


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has been busy since boot (all cores summed)."""
    t = psutil.cpu_times()
    return float(
        t.user
        + t.system
        + getattr(t, "nice", 0.0)
        + getattr(t, "irq", 0.0)
        + getattr(t, "softirq", 0.0)
    )


def _peak_rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except (OSError, ValueError):
        pass
    return 0.0


def rule_table(workflow_dir: Path) -> dict[str, tuple[str, str]]:
    """Map each rule script's name to ``(rule, stage)`` from ``workflow/rules/*.smk``.

    A script that several rules run (the sensitivity variants reuse ``preprocess_shard``,
    ``build_corpus``, ``compare_groups`` …) keeps the stage of the first rule file in
    name order, which is its main stage (``sensitivity.smk`` sorts after them all).
    """
    table: dict[str, tuple[str, str]] = {}
    for smk in sorted(Path(workflow_dir, "rules").glob("*.smk")):
        text = smk.read_text(encoding="utf-8")
        starts = [(m.start(), m.group(1)) for m in _RULE_RE.finditer(text)]
        for index, (pos, rule) in enumerate(starts):
            end = starts[index + 1][0] if index + 1 < len(starts) else len(text)
            script = _SCRIPT_LINE_RE.search(text, pos, end)
            if script:
                table.setdefault(script.group(1), (rule, smk.stem))
    return table


def run_monitored(
    cmd: Sequence[str],
    *,
    cwd: Path,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    poll: float = 0.05,
) -> RunRecord:
    """Run ``cmd`` (output to ``log_path``) and record every rule-script process.

    Returns
    -------
    RunRecord
        Exit status, wall time, one :class:`Job` per script process, the peak RSS of the
        command's own process, and busy CPU seconds of the machine and of the command's
        process tree during the run.
    """
    jobs: dict[int, Job] = {}
    log_path.parent.mkdir(parents=True, exist_ok=True)
    busy0 = machine_busy_seconds()
    started = time.time()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            list(cmd), cwd=cwd, stdout=log, stderr=subprocess.STDOUT, env=dict(env or os.environ)
        )
        driver = psutil.Process(proc.pid)
        driver_peak = 0.0
        tree_cpu: dict[int, float] = {}
        driver_cpu = 0.0
        while proc.poll() is None:
            driver_peak = max(driver_peak, _peak_rss_mb(proc.pid))
            try:
                times = driver.cpu_times()
                driver_cpu = times.user + times.system
            except psutil.NoSuchProcess:
                pass
            try:
                children = driver.children(recursive=True)
            except psutil.NoSuchProcess:
                children = []
            now = time.time()
            for child in children:
                try:
                    times = child.cpu_times()
                    tree_cpu[child.pid] = times.user + times.system
                    job = jobs.get(child.pid)
                    if job is None:
                        match = _SCRIPT_RE.search(" ".join(child.cmdline()))
                        if not match:
                            continue
                        job = jobs[child.pid] = Job(
                            child.pid, match.group(1), child.create_time(), now
                        )
                    job.end = now
                    job.cpu_seconds = times.user + times.system
                    job.peak_rss_mb = max(job.peak_rss_mb, _peak_rss_mb(child.pid))
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
            time.sleep(poll)
    wall = time.time() - started
    own = sum(tree_cpu.values()) + driver_cpu
    return RunRecord(
        returncode=proc.returncode,
        wall_seconds=wall,
        jobs=sorted(jobs.values(), key=lambda j: j.start),
        driver_peak_rss_mb=driver_peak,
        machine_busy_seconds=machine_busy_seconds() - busy0,
        own_cpu_seconds=own,
    )


@dataclass
class RuleStats:
    """Jobs of one rule aggregated."""

    rule: str
    stage: str
    n_jobs: int
    job_seconds: float
    max_job_seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    first_start: float
    last_end: float


def rule_stats(record: RunRecord, table: Mapping[str, tuple[str, str]]) -> list[RuleStats]:
    """Per-rule totals of a run, in order of the first job's start."""
    by_rule: dict[str, list[Job]] = {}
    for job in record.jobs:
        rule, _ = table.get(job.script, (job.script, "?"))
        by_rule.setdefault(rule, []).append(job)
    stage_of = {rule: stage for rule, stage in table.values()}
    out = [
        RuleStats(
            rule=rule,
            stage=stage_of.get(rule, "?"),
            n_jobs=len(jobs),
            job_seconds=sum(j.seconds for j in jobs),
            max_job_seconds=max(j.seconds for j in jobs),
            cpu_seconds=sum(j.cpu_seconds for j in jobs),
            peak_rss_mb=max(j.peak_rss_mb for j in jobs),
            first_start=min(j.start for j in jobs),
            last_end=max(j.end for j in jobs),
        )
        for rule, jobs in by_rule.items()
    ]
    return sorted(out, key=lambda s: s.first_start)


def stage_stats(rules: Sequence[RuleStats]) -> list[dict[str, float | str | int]]:
    """Per-stage totals: wall span, summed job seconds, CPU seconds, peak RSS."""
    out = []
    for stage in [*STAGES, "?"]:
        members = [r for r in rules if r.stage == stage]
        if not members:
            continue
        out.append(
            {
                "stage": stage,
                "n_jobs": sum(r.n_jobs for r in members),
                "span_seconds": max(r.last_end for r in members)
                - min(r.first_start for r in members),
                "job_seconds": sum(r.job_seconds for r in members),
                "cpu_seconds": sum(r.cpu_seconds for r in members),
                "peak_rss_mb": max(r.peak_rss_mb for r in members),
            }
        )
    return out
