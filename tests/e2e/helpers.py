"""Run the real workflow from the tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
E2E_CONFIG = REPO / "tests" / "e2e" / "config.yaml"


def snakemake_cmd(results: Path, *extra: str, configfile: Path | None = E2E_CONFIG) -> list[str]:
    cmd = [sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "rules"]
    if configfile is not None:
        cmd += ["--configfile", str(configfile)]
    cmd += ["--config", f"results={results}", *extra]
    return cmd


def run_workflow(
    results: Path, *extra: str, configfile: Path | None = E2E_CONFIG, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run snakemake in the repository on the given results folder."""
    proc = subprocess.run(
        snakemake_cmd(results, *extra, configfile=configfile),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({proc.returncode}).\nSTDOUT:\n{proc.stdout[-5000:]}\n"
            f"STDERR:\n{proc.stderr[-8000:]}"
        )
    return proc


#: The one value that is not reproducible by nature: wall-clock training time.
WALL_CLOCK = {"model_selection/metrics.csv": "train_seconds"}


def _without_column(data: bytes, column: str) -> bytes:
    lines = data.decode("utf-8").splitlines()
    index = lines[0].split(",").index(column)
    kept = [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines]
    return "\n".join(kept).encode("utf-8")


def table_files(results: Path) -> dict[str, bytes]:
    """Every table (CSV, LaTeX, Markdown) and the methods text, by relative path.

    Wall-clock columns (``train_seconds``) are left out: they are the only values that
    differ between two runs, and the README says so.
    """
    files = {}
    for path in sorted(results.rglob("*")):
        if path.suffix in {".csv", ".tex", ".md"} and "logs" not in path.parts:
            rel = path.relative_to(results).as_posix()
            data = path.read_bytes()
            if rel in WALL_CLOCK:
                data = _without_column(data, WALL_CLOCK[rel])
            files[rel] = data
    return files
