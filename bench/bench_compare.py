"""Time the comparison stage against the analysis stage of an earlier commit.

On a finished results folder (models trained, ``final/model.npz`` present), runs per
facet the rule functions of the comparisons: today's ``compare_groups`` (+ ``trend`` for
numeric facets) and ``effects`` once, and ``robustness`` on its own; and the same
``compare_groups`` + ``trend`` of ``--baseline`` (a commit, exported with ``git archive``
and run in a subprocess with its own package). Prints seconds per step and the ratios the
issue asks for (comparisons ≤ 2 × the baseline's analysis stage; robustness ≤ 120 s).

    PYTHONPATH=workflow:. python bench/bench_compare.py --results /tmp/riksdag \\
        --configfile /tmp/riksdag.yaml --baseline e5f924e
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]

_STAGE = """
import json, sys, time
from pathlib import Path
from swedish_topics import pipeline
from swedish_topics.config import load_config
cfg = load_config(json.loads(sys.argv[1]))
res = Path(sys.argv[2]); out = Path(sys.argv[3]); out.mkdir(parents=True, exist_ok=True)
inputs = {"model": res / "final/model.npz",
          "units_tsv": res / "preprocess/units.tsv",
          "metadata": Path(cfg["corpus"]) / "metadata.csv",
          "validation": res / "interim/validation.json"}
t0 = time.perf_counter()
for f in cfg["facets"]:
    pipeline.compare_groups(inputs=inputs, cfg=cfg, facet=f, outputs={
        "prevalence": out / f"prevalence_by_{f}.csv",
        "differences": out / f"differences_by_{f}.csv"})
t1 = time.perf_counter()
for f in cfg["numeric_facets"]:
    pipeline.trend(inputs=inputs, cfg=cfg, facet=f, outputs={"trend": out / f"trend_by_{f}.csv"})
t2 = time.perf_counter()
extra = {}
if hasattr(pipeline, "effects"):
    paths = [out / f"effects_by_{f}.csv" for f in cfg["facets"]]
    pipeline.effects(inputs=inputs, cfg=cfg, outputs={"effects": paths})
    t3 = time.perf_counter()
    extra["effects"] = t3 - t2
print(json.dumps({"compare_groups": t1 - t0, "trend": t2 - t1, **extra}))
"""


def run_stage(
    package_root: Path, cfg: dict[str, Any], results: Path, out: Path
) -> dict[str, float]:
    """Run the stage script with ``package_root/workflow`` first on the path."""
    env_path = f"{package_root / 'workflow'}"
    proc = subprocess.run(
        [sys.executable, "-c", _STAGE, json.dumps(cfg), str(results), str(out)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin", "OMP_NUM_THREADS": "1"},
        check=True,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def time_robustness(cfg: dict[str, Any], results: Path, out: Path) -> float:
    """Seconds of today's robustness rule function."""
    sys.path.insert(0, str(REPO / "workflow"))
    from swedish_topics import pipeline
    from swedish_topics.config import load_config

    full = load_config(cfg)
    models = [(k, s) for k in full["model"]["k"] for s in full["model"]["seeds"]]
    started = time.perf_counter()
    pipeline.robustness(
        inputs={
            "choice": results / "model_selection/choice.json",
            "model": results / "final/model.npz",
            "models": [results / f"models/k{k}_s{s}/model.npz" for k, s in models],
            "units_tsv": results / "preprocess/units.tsv",
            "metadata": Path(full["corpus"]) / "metadata.csv",
            "validation": results / "interim/validation.json",
            "differences": [out / "new" / f"differences_by_{f}.csv" for f in full["facets"]],
            "effects": [out / "new" / f"effects_by_{f}.csv" for f in full["facets"]],
        },
        cfg=full,
        models=models,
        outputs={"robustness": [out / "new" / f"robustness_by_{f}.csv" for f in full["facets"]]},
    )
    return time.perf_counter() - started


def _known_to(package_root: Path, cfg: dict[str, Any]) -> dict[str, Any]:
    """``cfg`` without the top-level sections the baseline's schema does not know (it
    refuses unknown keys; sections added since, e.g. ``sensitivity``, do not concern the
    comparison stage)."""
    schema = yaml.safe_load(
        (package_root / "workflow" / "schemas" / "config.schema.yaml").read_text(encoding="utf-8")
    )
    known = set(schema.get("properties", {}))
    return {k: v for k, v in cfg.items() if k in known}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--configfile", type=Path, required=True)
    parser.add_argument("--baseline", default="e5f924e")
    args = parser.parse_args()
    cfg = yaml.safe_load(args.configfile.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "old"
        old.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", args.baseline, "workflow"],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
        out = Path(tmp)
        before = run_stage(old, _known_to(old, cfg), args.results, out / "old")
        after = run_stage(REPO, cfg, args.results, out / "new")
        robust = time_robustness(cfg, args.results, out)
    base = before["compare_groups"] + before["trend"]
    now = after["compare_groups"] + after["trend"] + after.get("effects", 0.0)
    print(
        f"baseline {args.baseline}: compare_groups {before['compare_groups']:.1f} s, "
        f"trend {before['trend']:.1f} s"
    )
    print(
        f"today: compare_groups {after['compare_groups']:.1f} s, trend {after['trend']:.1f} s, "
        f"effects {after.get('effects', 0.0):.1f} s"
    )
    print(f"comparisons / baseline analysis stage: {now / base:.2f} x (target ≤ 2)")
    print(f"robustness: {robust:.1f} s (target ≤ 120 s)")


if __name__ == "__main__":
    main()
