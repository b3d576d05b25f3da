"""One rule's function before and after: two packages, the same inputs, the same bytes.

Runs a rule's ``swedish_topics.pipeline`` function on the inputs of a finished run, each
time in a fresh process, once with this checkout's interpreter and once with
``--before-python`` (the interpreter of a checkout of the older package, e.g. a worktree
of ``main`` with its own ``.venv``). Runs alternate and the best of ``--repeats`` counts
for each; on a shared 2-core machine wall time varies from run to run, so CPU seconds
are printed beside it. Every output is compared byte for byte with the finished run's own.

- ``build_corpus``: on ``interim/shards``; the six outputs (and the summary's .tex, .md).
- ``compare_groups``: every facet, on ``final/model.npz``; the prevalence and
  differences tables (.csv, .tex, .md).

    .venv/bin/python bench/bench_ab.py build_corpus --results /tmp/rk-base \\
        --configfile bench/riksdag.yaml --before-python /work/wt-base/.venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from common import RIKSDAG_CONFIG, single_thread_env, workflow_config

#: build_corpus's outputs, relative to the results folder.
CORPUS_OUTPUTS = {
    "units_tsv": "preprocess/units.tsv",
    "units_jsonl": "preprocess/units.jsonl",
    "dictionary": "preprocess/dictionary.txt",
    "corpus": "preprocess/corpus.mm",
    "vocabulary": "tables/vocabulary.csv",
    "summary": "tables/preprocessing_summary.csv",
}

#: The worker: the calls of one rule, their wall and CPU seconds printed as JSON.
WORKER = """
import json, sys, time
from swedish_topics import pipeline
calls = json.loads(sys.argv[1])
started, cpu = time.perf_counter(), time.process_time()
for name, kwargs in calls:
    getattr(pipeline, name)(**kwargs)
print(json.dumps({"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu}))
"""


def rule_calls(rule: str, results: Path, cfg: dict[str, Any], out: Path) -> list[Any]:
    """``(function, keyword arguments)`` of ``rule``'s jobs, writing under ``out``."""
    if rule == "build_corpus":
        shards = results / "interim" / "shards"
        outputs = {name: str(out / rel) for name, rel in CORPUS_OUTPUTS.items()}
        kwargs = {
            "shard_files": [str(p) for p in sorted(shards.glob("*.jsonl"))],
            "count_files": [str(p) for p in sorted(shards.glob("*.counts.json"))],
            "cfg": cfg,
            "outputs": outputs,
        }
        return [("build_corpus", kwargs)]
    inputs = {
        "model": str(results / "final" / "model.npz"),
        "units_tsv": str(results / "preprocess" / "units.tsv"),
        "metadata": str(Path(cfg["corpus"]) / "metadata.csv"),
        "validation": str(results / "interim" / "validation.json"),
    }
    calls = []
    for facet in cfg["facets"]:
        outputs = {
            kind: str(out / "tables" / f"{kind}_by_{facet}.csv")
            for kind in ("prevalence", "differences")
        }
        calls.append(
            ("compare_groups", {"inputs": inputs, "cfg": cfg, "facet": facet, "outputs": outputs})
        )
    return calls


def compared_files(rule: str, cfg: dict[str, Any]) -> list[str]:
    """The outputs of ``rule`` compared with the finished run's, relative to it."""
    if rule == "build_corpus":
        summary = CORPUS_OUTPUTS["summary"]
        return [*CORPUS_OUTPUTS.values(), *(summary.replace(".csv", s) for s in (".tex", ".md"))]
    return [
        f"tables/{kind}_by_{facet}.{ext}"
        for facet in cfg["facets"]
        for kind in ("prevalence", "differences")
        for ext in ("csv", "tex", "md")
    ]


def run_once(python: str, calls: list[Any], out: Path) -> dict[str, float]:
    """The calls in a fresh process of ``python``; its wall and CPU seconds."""
    for sub in ("preprocess", "tables"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [python, "-c", WORKER, json.dumps(calls)],
        env=single_thread_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rule", choices=["build_corpus", "compare_groups"])
    parser.add_argument("--results", type=Path, required=True, help="a finished run's folder")
    parser.add_argument("--configfile", type=Path, default=RIKSDAG_CONFIG)
    parser.add_argument("--before-python", help="interpreter of the older package")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    cfg = workflow_config(args.configfile)
    cfg["corpus"] = str(Path(cfg["corpus"]).resolve())
    pythons = {"after": sys.executable}
    if args.before_python:
        pythons = {"before": args.before_python, **pythons}
    best: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            for label, python in pythons.items():
                out = Path(tmp) / label
                seconds = run_once(python, rule_calls(args.rule, args.results, cfg, out), out)
                kept = best.setdefault(label, seconds)
                best[label] = {key: min(kept[key], seconds[key]) for key in seconds}
                names = compared_files(args.rule, cfg)
                diff = [
                    n for n in names if (args.results / n).read_bytes() != (out / n).read_bytes()
                ]
                print(
                    f"run {repeat + 1} {label:6s} wall {seconds['wall']:6.1f} s, "
                    f"CPU {seconds['cpu']:6.1f} s  "
                    + ("identical to the finished run" if not diff else f"DIFFERS: {diff}"),
                    flush=True,
                )
    for label, seconds in best.items():
        print(f"best {label:6s} wall {seconds['wall']:6.1f} s, CPU {seconds['cpu']:6.1f} s")
    if "before" in best:
        for key in ("wall", "cpu"):
            print(f"after / before ({key}): {best['after'][key] / best['before'][key]:.2f}")


if __name__ == "__main__":
    main()
