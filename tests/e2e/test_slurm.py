"""The real workflow through a real SLURM (single-node test cluster on 127.0.0.1).

Opt-in: runs only with ``SWEDISH_TOPICS_SLURM=1`` (CI sets it), as root on a Debian-like
machine, because ``tests/slurm/slurm_up.sh`` installs and starts munge and SLURM. It runs
``tests/slurm/run_workflow_on_slurm.sh`` (``snakemake --profile workflow/profiles/slurm``
on the small end-to-end config) and checks, from SLURM's own records, that every job
Snakemake submitted ran on the cluster and completed, that each model of the K x seed grid
was its own SLURM job, and that the promised outputs exist. See tests/slurm/README.md.

The parsers of that evidence are tested on literal log lines without SLURM.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "slurm" / "run_workflow_on_slurm.sh"
E2E_CONFIG = REPO / "tests" / "e2e" / "config.yaml"
# Seconds Snakemake may run on the test cluster before it is stopped (timeout -k).
LIMIT = 1200

SUBMITTED = re.compile(r"submitted with SLURM jobid (\d+) \(log: ([^)\s]+)\)")
RULE_IN_LOG_PATH = re.compile(r"/rule_([A-Za-z0-9_]+)/")
FIELD = re.compile(r"(\w+)=(\S*)")


def parse_submissions(log_text: str) -> dict[int, str]:
    """Map each SLURM job id in a Snakemake log to the rule it ran.

    The SLURM executor logs ``Job 3 has been submitted with SLURM jobid 15 (log:
    .../rule_train_lda/2_1/15.log).``; the rule is the ``rule_<name>`` folder of that log.
    """
    jobs: dict[int, str] = {}
    for match in SUBMITTED.finditer(log_text):
        rule = RULE_IN_LOG_PATH.search(match.group(2))
        jobs[int(match.group(1))] = rule.group(1) if rule else ""
    return jobs


def parse_jobcomp(text: str) -> dict[int, dict[str, str]]:
    """Read SLURM's ``jobcomp/filetxt`` records (``JobId=15 ... JobState=COMPLETED ...``)."""
    records: dict[int, dict[str, str]] = {}
    for line in text.splitlines():
        fields = dict(FIELD.findall(line))
        if fields.get("JobId", "").isdigit():
            records[int(fields["JobId"])] = fields
    return records


@pytest.mark.parametrize(
    ("log_text", "expected"),
    [
        ("", {}),
        (
            "Job 3 has been submitted with SLURM jobid 15 "
            "(log: /w/slurm_logs/rule_validate_corpus/15.log).",
            {15: "validate_corpus"},
        ),
        (
            "Job 7 has been submitted with SLURM jobid 21 "
            "(log: /w/slurm_logs/rule_train_lda/2_1/21.log).\n"
            "rule train_lda:\n"
            "Job 8 has been submitted with SLURM jobid 22 "
            "(log: /w/slurm_logs/rule_train_lda/3_2/22.log).",
            {21: "train_lda", 22: "train_lda"},
        ),
        ("Job 9 has been submitted with SLURM jobid 30 (log: /elsewhere/30.log).", {30: ""}),
    ],
)
def test_parse_submissions(log_text: str, expected: dict[int, str]) -> None:
    assert parse_submissions(log_text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {}),
        (
            "JobId=15 UserId=root(0) Name=swedish_topics_ab-1 JobState=COMPLETED "
            "Partition=debug NodeList=node1 WorkDir=/repo ExitCode=0:0 ",
            {
                15: {
                    "JobId": "15",
                    "UserId": "root(0)",
                    "Name": "swedish_topics_ab-1",
                    "JobState": "COMPLETED",
                    "Partition": "debug",
                    "NodeList": "node1",
                    "WorkDir": "/repo",
                    "ExitCode": "0:0",
                }
            },
        ),
        ("JobId=16 JobState=FAILED\nnot a record\n", {16: {"JobId": "16", "JobState": "FAILED"}}),
    ],
)
def test_parse_jobcomp(text: str, expected: dict[int, dict[str, str]]) -> None:
    assert parse_jobcomp(text) == expected


def run_script(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run the script; past the limit, SIGTERM it so that its traps stop SLURM."""
    with subprocess.Popen(
        ["bash", str(SCRIPT)],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as popen:
        try:
            stdout, stderr = popen.communicate(timeout=LIMIT + 120)
        except subprocess.TimeoutExpired:
            popen.terminate()
            stdout, stderr = popen.communicate(timeout=120)
        return subprocess.CompletedProcess(popen.args, popen.returncode, stdout, stderr)


@pytest.mark.slurm
@pytest.mark.skipif(
    os.environ.get("SWEDISH_TOPICS_SLURM") != "1",
    reason="set SWEDISH_TOPICS_SLURM=1 (as root) to run the workflow on a local SLURM",
)
def test_workflow_runs_through_slurm(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.fail("SWEDISH_TOPICS_SLURM=1 needs root: slurm_up.sh installs and starts SLURM")
    work = tmp_path / "work"
    slurm_dir = Path(
        os.environ.get("SWEDISH_TOPICS_SLURM_DIR")
        or Path(os.environ.get("RUNNER_TEMP", "/tmp")) / "swedish-topics-slurm"
    )
    env = {
        **os.environ,
        "SWEDISH_TOPICS_PYTHON": sys.executable,
        "SWEDISH_TOPICS_SLURM_DIR": str(slurm_dir),
        "SWEDISH_TOPICS_SLURM_WORK": str(work),
        "SWEDISH_TOPICS_SLURM_TIMEOUT": str(LIMIT),
    }
    proc = run_script(env)
    if proc.returncode != 0 and "slurm_up: ERROR" in proc.stdout + proc.stderr:
        # Starting the daemons failed (seen once in CI: slurmctld got a SIGTERM while
        # starting). The script tore everything down; bring SLURM up once more.
        shutil.rmtree(work, ignore_errors=True)
        proc = run_script(env)
    log_path = work / "snakemake.log"
    log_text = log_path.read_text(encoding="utf-8") if log_path.is_file() else ""
    context = f"\nSCRIPT OUTPUT:\n{proc.stdout[-6000:]}\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0, f"run_workflow_on_slurm.sh exited {proc.returncode}{context}"

    # Every job Snakemake ran remotely went through sbatch and SLURM recorded it as
    # completed, on the test node, in the repository, under this run's job name.
    jobs = parse_submissions(log_text)
    assert jobs, f"no 'submitted with SLURM jobid' lines in {log_path}{context}"
    run_id = re.search(r"SLURM run ID: (\S+)", log_text)
    assert run_id, f"no SLURM run ID in {log_path}"
    records = parse_jobcomp((slurm_dir / "log" / "jobcomp.log").read_text(encoding="utf-8"))
    missing = sorted(set(jobs) - set(records))
    assert not missing, f"SLURM has no record of jobs {missing}{context}"
    for job_id in jobs:
        record = records[job_id]
        assert record["JobState"] == "COMPLETED", (job_id, record)
        assert record["ExitCode"] == "0:0", (job_id, record)
        assert record["Name"] == run_id.group(1), (job_id, record)
        assert record["Partition"] == "debug", (job_id, record)
        assert record["NodeList"] == "node1", (job_id, record)
        assert Path(record["WorkDir"]).resolve() == REPO, (job_id, record)
    # SLURM's own log of each job was kept and names the job's rule.
    for job_id, rule in jobs.items():
        assert rule, f"SLURM job {job_id} has no rule_<name> log folder"
        assert list((work / "slurm_logs").glob(f"rule_{rule}/**/{job_id}.log")), job_id

    # Each model of the K x seed grid was its own SLURM job.
    grid = yaml.safe_load(E2E_CONFIG.read_text(encoding="utf-8"))["model"]
    trained = [rule for rule in jobs.values() if rule == "train_lda"]
    assert len(trained) == len(grid["k"]) * len(grid["seeds"])

    # And the results a user reads exist.
    results = work / "results"
    expected = [
        "model_selection/choice.json",
        "model_selection/metrics.csv",
        "tables/topic_terms.csv",
        "figures/top_terms.png",
        "methods.md",
    ] + [f"models/k{k}_s{seed}/model.npz" for k in grid["k"] for seed in grid["seeds"]]
    absent = [name for name in expected if not (results / name).is_file()]
    assert not absent, f"missing outputs under {results}: {absent}{context}"
