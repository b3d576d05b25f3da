"""Benchmark of issue 17: what validation, sensitivity and exports add to a run.

Two measurements, each printed as figures and a ratio:

``--shipped``
    The whole workflow on the shipped corpus, from scratch, with the issue-17 parts
    switched off (``validation.enabled: false``, ``exports.enabled: false``,
    ``sensitivity.run: []``) and with the defaults (both parts on, two variants),
    alternating, ``--repeats`` times each. Target: at most +50 %.
``--riksdag``
    The sensitivity part alone on the Riksdag corpus with four variants: first the main
    run with K = 40 and seed 1 pinned (``--omit-from`` the variants' first rules), then
    the rest of the workflow, which is the four variants and their summary. Target:
    at most 15 minutes on 2 cores.

Run from the repository root::

    python bench/bench_validation.py --shipped --repeats 2
    python bench/bench_validation.py --riksdag
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import PYTHON, REPO, RIKSDAG, RIKSDAG_CONFIG, single_thread_env, timer

SNAKEMAKE = str(Path(PYTHON).parent / "snakemake")
OFF = {
    "validation": {"enabled": False},
    "exports": {"enabled": False},
    "sensitivity": {"run": []},
}
#: The four variants of the Riksdag measurement, all declared in config/config.yaml (its
#: main run has whole documents as units and no_below 5 already).
RIKSDAG_VARIANTS = ["raw_forms", "no_below_2", "paragraphs", "default_stopwords"]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _snakemake(configfile: Path | None, results: Path, *extra: str) -> tuple[float, float]:
    """Wall and CPU seconds (all processes of the run) of one snakemake call.

    CPU seconds are the steadier figure on a shared machine: other users' load stretches
    the wall time of a run but hardly its CPU time.
    """
    args = [SNAKEMAKE, "--cores", "2", "--quiet", "all"]
    if configfile is not None:
        args += ["--configfile", str(configfile)]
    args += ["--config", f"results={results}", *extra]
    cpu = _cpu_seconds()
    with timer() as elapsed:
        subprocess.run(args, cwd=REPO, env=single_thread_env(), check=True)
    return elapsed[0], _cpu_seconds() - cpu


def shipped(repeats: int, tmp: Path) -> dict[str, object]:
    """Wall seconds of the shipped workflow without and with the issue-17 parts."""
    off_file = tmp / "off.yaml"
    off_file.write_text(yaml.safe_dump(OFF), encoding="utf-8")
    off, on, off_cpu, on_cpu = [], [], [], []
    for i in range(repeats):
        wall, cpu = _snakemake(off_file, tmp / f"off{i}")
        off.append(wall)
        off_cpu.append(cpu)
        wall, cpu = _snakemake(None, tmp / f"on{i}")
        on.append(wall)
        on_cpu.append(cpu)
        print(
            f"run {i + 1}: without {off[-1]:.1f} s wall, {off_cpu[-1]:.1f} s CPU; "
            f"with {on[-1]:.1f} s wall, {on_cpu[-1]:.1f} s CPU",
            flush=True,
        )
    med = statistics.median
    return {
        "without_s": off,
        "with_s": on,
        "without_cpu_s": off_cpu,
        "with_cpu_s": on_cpu,
        "added_percent_wall": round(100 * (med(on) / med(off) - 1), 1),
        "added_percent_cpu": round(100 * (med(on_cpu) / med(off_cpu) - 1), 1),
        "target_percent": 50,
    }


def riksdag(tmp: Path) -> dict[str, object]:
    """Wall seconds of the main Riksdag run (K = 40, seed 1) and of four variants after it."""
    with open(RIKSDAG_CONFIG, encoding="utf-8") as handle:
        cfg = yaml.safe_load(handle)
    cfg["corpus"] = str(RIKSDAG)
    cfg["model"]["k"], cfg["model"]["seeds"] = [40], [1]
    cfg["selection"] = {"k": 40, "seed": 1}
    cfg["sensitivity"] = {"run": RIKSDAG_VARIANTS}
    configfile = tmp / "riksdag.yaml"
    configfile.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    results = tmp / "riksdag"
    first = ["sensitivity_preprocess_shard", "sensitivity_build_corpus"]
    main_s, main_cpu = _snakemake(configfile, results, "--omit-from", *first)
    print(
        f"main run (K = 40, seed 1, validation, exports): {main_s:.1f} s wall, "
        f"{main_cpu:.1f} s CPU",
        flush=True,
    )
    sens_s, sens_cpu = _snakemake(configfile, results)
    print(
        f"sensitivity, {len(RIKSDAG_VARIANTS)} variants: {sens_s:.1f} s wall, {sens_cpu:.1f} s CPU",
        flush=True,
    )
    summary = (results / "sensitivity" / "summary.csv").read_text(encoding="utf-8")
    print(summary, flush=True)
    return {
        "main_s": main_s,
        "main_cpu_s": main_cpu,
        "sensitivity_s": sens_s,
        "sensitivity_cpu_s": sens_cpu,
        "target_s": 900,
        "results": str(results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shipped", action="store_true")
    parser.add_argument("--riksdag", action="store_true")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--tmp", default=None, help="work folder (default: a new temporary one)")
    args = parser.parse_args()
    tmp = Path(args.tmp or tempfile.mkdtemp(prefix="bench_validation_"))
    tmp.mkdir(parents=True, exist_ok=True)
    out: dict[str, object] = {}
    if args.shipped:
        out["shipped"] = shipped(args.repeats, tmp)
    if args.riksdag:
        out["riksdag"] = riksdag(tmp)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
