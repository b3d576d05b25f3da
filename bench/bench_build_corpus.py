"""build_corpus before and after: the same shards, two packages, the same bytes.

Runs ``swedish_topics.pipeline.build_corpus`` (the rule's one call) on the shard files of a
finished run (``<results>/interim/shards``), each time in a fresh process, once with this
checkout's interpreter and once with ``--before-python`` (the interpreter of a checkout of
the older package, e.g. a worktree of ``main`` with its own ``.venv``). Runs alternate and
the best of ``--repeats`` counts for each; on a shared 2-core machine wall time varies
from run to run, so CPU seconds are printed beside it. Every output of the run is compared
byte for byte with the reference run's own ``preprocess/`` and ``tables/`` files.

    .venv/bin/python bench/bench_build_corpus.py --results /tmp/rk-base \\
        --configfile bench/riksdag.yaml --before-python /work/wt-base/.venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from common import RIKSDAG_CONFIG, single_thread_env, workflow_config

#: The outputs of build_corpus, relative to the results folder.
OUTPUTS = {
    "units_tsv": "preprocess/units.tsv",
    "units_jsonl": "preprocess/units.jsonl",
    "dictionary": "preprocess/dictionary.txt",
    "corpus": "preprocess/corpus.mm",
    "vocabulary": "tables/vocabulary.csv",
    "summary": "tables/preprocessing_summary.csv",
}

#: The worker: one build_corpus call, its wall and CPU seconds printed as JSON.
WORKER = """
import json, sys, time
from pathlib import Path
from swedish_topics import pipeline
args = json.loads(sys.argv[1])
started, cpu = time.perf_counter(), time.process_time()
pipeline.build_corpus(shard_files=args["units"], count_files=args["counts"],
                      cfg=args["cfg"], outputs=args["outputs"])
print(json.dumps({"wall": time.perf_counter() - started, "cpu": time.process_time() - cpu}))
"""


def run_once(python: str, shards: Path, cfg: dict, out: Path) -> dict[str, float]:
    """One build_corpus in a fresh process of ``python``; its wall and CPU seconds."""
    args = {
        "units": [str(p) for p in sorted(shards.glob("*.jsonl"))],
        "counts": [str(p) for p in sorted(shards.glob("*.counts.json"))],
        "cfg": cfg,
        "outputs": {name: str(out / rel) for name, rel in OUTPUTS.items()},
    }
    for rel in OUTPUTS.values():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [python, "-c", WORKER, json.dumps(args)],
        env=single_thread_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def differing(reference: Path, out: Path) -> list[str]:
    """The outputs whose bytes differ from the reference run's (suffixes .tex, .md too)."""
    names = [*OUTPUTS.values()]
    names += [
        rel.replace(".csv", s)
        for rel in OUTPUTS.values()
        if "summary" in rel
        for s in (".tex", ".md")
    ]
    return [rel for rel in names if (reference / rel).read_bytes() != (out / rel).read_bytes()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True, help="a finished run's folder")
    parser.add_argument("--configfile", type=Path, default=RIKSDAG_CONFIG)
    parser.add_argument("--before-python", help="interpreter of the older package")
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    cfg = workflow_config(args.configfile)
    shards = args.results / "interim" / "shards"
    pythons = {"after": sys.executable}
    if args.before_python:
        pythons = {"before": args.before_python, **pythons}
    best: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for repeat in range(args.repeats):
            for label, python in pythons.items():
                out = Path(tmp) / label
                seconds = run_once(python, shards, cfg, out)
                kept = best.setdefault(label, seconds)
                best[label] = {key: min(kept[key], seconds[key]) for key in seconds}
                diff = differing(args.results, out)
                print(
                    f"run {repeat + 1} {label:6s} wall {seconds['wall']:6.1f} s, "
                    f"CPU {seconds['cpu']:6.1f} s  "
                    + ("identical to the reference" if not diff else f"DIFFERS: {diff}"),
                    flush=True,
                )
    for label, seconds in best.items():
        print(f"best {label:6s} wall {seconds['wall']:6.1f} s, CPU {seconds['cpu']:6.1f} s")
    if "before" in best:
        for key in ("wall", "cpu"):
            print(f"after / before ({key}): {best['after'][key] / best['before'][key]:.2f}")


if __name__ == "__main__":
    main()
