"""Benchmark of swedish_topics on the riksdag corpus: figures, baselines and ratios.

    python bench/run.py [--quick] [--out bench/out] [--work /tmp/swedish_topics_bench]

Every figure is measured in this run, each next to its baseline (bench/README.md):

1. preprocessing throughput vs a bare regex tokenisation, and 2 processes vs 1;
2. training time and quality of gensim, tomotopy and scikit-learn (riksdag units: mean
   NPMI; a generated corpus with known topics: recovery);
3. coherence of the whole grid (ours) vs gensim's CoherenceModel;
4. wall time of the whole workflow on 2 cores, per stage;
5. peak memory per stage at 1× and 4× the corpus;
6. (only when asked for, ``--sections 6``) the whole workflow on the corpus copied seven
   times, 108,955 documents: wall time and peak memory per stage, against section 5's
   1× run when both run together.

``--quick`` uses 1,500 documents and small settings (about 2-3 minutes); the full run takes
about 40 minutes. Results: ``<out>/results.json`` and ``<out>/report.md`` (the table that
is printed). Scratch data (derived corpora, workflow results) go to ``--work``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import bench_eval
import bench_preprocess
import bench_train
import bench_workflow
from common import REPO, RIKSDAG, RIKSDAG_CONFIG, workflow_config
from make_corpus import replicate_corpus, subset_corpus
from monitor import machine_busy_seconds

logger = logging.getLogger("bench")

QUICK_DOCS = 1500
TRAIN_K = 20
TRAIN_SEED = 1

#: Extra --config values of the quick workflow runs (small grid, few sweeps).
QUICK_E2E = [
    "model={k: [5, 10], seeds: [1, 2], iterations: 100, passes: 4, eval_every: 2}",
    "analysis={bootstrap: 200}",
]
#: The grid of the memory runs at 1× and 4×: the largest K, two seeds, few sweeps.
MEMORY_GRID = ["model={k: [40], seeds: [1, 2], iterations: 20, passes: 2, eval_every: 1}"]
QUICK_MEMORY_GRID = ["model={k: [10], seeds: [1, 2], iterations: 20, passes: 2, eval_every: 1}"]
#: Copies of the corpus in section 6: 7 × 15,565 = 108,955 documents.
LARGE_COPIES = 7


# ----------------------------------------------------------------------------- table
def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if value == 0:
            return "0"
        if abs(value) >= 1e5 or abs(value) < 1e-3:
            return f"{value:.2e}"
        return f"{value:.{digits}g}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class Table:
    """Rows of (what, figure, baseline, ratio, target, met)."""

    header = ("measure", "figure", "baseline", "ratio", "target", "met")

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def section(self, title: str) -> None:
        self.rows.append((f"**{title}**", "", "", "", "", ""))

    def add(
        self,
        what: str,
        figure: Any,
        baseline: Any = None,
        ratio: Any = None,
        target: str = "",
        met: bool | None = None,
    ) -> None:
        mark = "" if met is None else ("yes" if met else "NO")
        self.rows.append((what, _fmt(figure), _fmt(baseline), _fmt(ratio), target, mark))

    def markdown(self) -> str:
        lines = ["| " + " | ".join(self.header) + " |", "|" + "---|" * len(self.header)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


class Load:
    """Average number of busy cores of the whole machine (all users) over a section."""

    def __init__(self) -> None:
        self.busy0 = machine_busy_seconds()
        self.t0 = time.perf_counter()

    def cores(self) -> float:
        return (machine_busy_seconds() - self.busy0) / max(time.perf_counter() - self.t0, 1e-9)


# -------------------------------------------------------------------------- sections
def _load_note(part: dict[str, Any]) -> str:
    return f"machine busy {part['machine_cores_busy']:.1f} of {os.cpu_count()} cores"


def section_preprocess(res: dict[str, Any], table: Table) -> None:
    p = res["preprocess"]
    table.section(
        f"1. Preprocessing ({p['documents']:,} documents, {p['tokens']:,} tokens; {_load_note(p)})"
    )
    best = f"best of {bench_preprocess.REPEATS}"
    table.add(
        f"pipeline tokens/s, 1 process, {best} (bare regex in baseline)",
        p["tokens_per_second"],
        p["bare_tokens_per_second"],
        None,
        "≥ 1,000,000",
        p["tokens_per_second"] >= 1e6,
    )
    table.add(
        "pipeline s vs bare regex s",
        p["pipeline_seconds"],
        p["bare_seconds"],
        p["ratio_to_bare"],
        "≤ 1.6",
        p["ratio_to_bare"] <= 1.6,
    )
    s = p["steps"]
    table.add("  step: set-up (stopwords, lemmatiser dictionary) s", s["init_seconds"])
    table.add("  step: clean s", s["clean_seconds"])
    table.add("  step: units s", s["units_seconds"])
    table.add("  step: tokenise + lemmatise + stopwords s (cold caches)", s["tokens_seconds"])
    table.add(
        "  that step alone: tokens/s (the pass whose speed the issue measured)",
        p["tokens"] / s["tokens_seconds"],
        None,
        None,
        "(diagnostic)",
    )
    lem = p.get("lemmatiser")
    if lem:  # results written before this row existed have no "lemmatiser"
        own = lem["decode_seconds"] + lem["seconds"]
        budget = 1.6 * p["bare_seconds"]
        table.add(
            f"  simplemma alone, fresh process: dictionary decode {lem['decode_seconds']:.2f} s "
            f"+ the {lem['forms']:,} distinct forms {lem['seconds']:.2f} s, vs the whole "
            "budget of ≤ 1.6 × bare regex s",
            own,
            budget,
            own / budget,
            "(diagnostic: > 1 rules out ≤ 1.6 for simplemma as shipped)",
        )
    rest = (
        p["pipeline_seconds"]
        - s["clean_seconds"]
        - s["units_seconds"]
        - s["tokens_seconds"]
        - s["init_seconds"]
    )
    table.add("  step: reading, counts, JSON writing s (the rest)", max(rest, 0.0))
    table.add("  imports of the package per process s (not in the above)", p["import_seconds"])
    table.add(
        "hot path with warm caches s vs regex on the same texts in memory s",
        s["warm_hot_path_seconds"],
        s["regex_in_memory_seconds"],
        s["warm_hot_path_seconds"] / s["regex_in_memory_seconds"],
        "(diagnostic)",
    )
    shards = " / ".join(f"{x:.1f}" for x in p["two_process_shards"])
    table.add(f"  the 2 shards' in-process s ({shards}), summed", sum(p["two_process_shards"]))
    table.add(
        f"2 shards in 2 processes s, {best} (baseline: 1 process) → speed-up",
        p["two_process_wall"],
        p["one_process_wall"],
        p["speedup_two_cores"],
        "≥ 1.7",
        p["speedup_two_cores"] >= 1.7,
    )
    _ceiling_row(table, p)
    big = p.get("scaling_4x")
    if big:
        shards = " / ".join(f"{x:.1f}" for x in big["two_process_shards"])
        table.add(
            f"same on the 4× corpus ({4 * p['tokens']:,} tokens; shards {shards} s) → speed-up",
            big["two_process_wall"],
            big["one_process_wall"],
            big["speedup_two_cores"],
            "≥ 1.7",
            big["speedup_two_cores"] >= 1.7,
        )
        _ceiling_row(table, big)


def _ceiling_row(table: Table, figures: dict[str, Any]) -> None:
    """The machine's ceiling for two processes, next to the speed-up it bounds."""
    table.add(
        "  ceiling: shard 0 twice at once s vs alone s → 2 × alone / together",
        figures["ceiling_together_wall"],
        figures["ceiling_alone_wall"],
        figures["ceiling_two_cores"],
        "(diagnostic)",
    )


def _train_rows(table: Table, rows: list[dict[str, Any]], quality: str, what: str) -> None:
    """Training time and one quality figure of each engine, against scikit-learn's."""
    base = {r["name"]: r for r in rows}["sklearn"]
    for row in rows:
        table.add(
            f"{row['name']} ({row['schedule']}): train s",
            row["train_seconds"],
            base["train_seconds"],
            row["train_seconds"] / base["train_seconds"],
        )
        table.add(f"{row['name']}: {what}", row[quality], base[quality])


def section_train(res: dict[str, Any], table: Table) -> None:
    t = res["train"]
    table.section(
        f"2. Training, K={t['k']}, seed {t['seed']}, riksdag units; baseline "
        f"sklearn ({_load_note(t)})"
    )
    _train_rows(table, t["riksdag"], "npmi", "mean NPMI")
    for row in t["riksdag"]:
        if row["name"] == "tomotopy" and row["bound_log"]:
            trace = ", ".join(f"{b['iteration']}: {b['bound']:.3f}" for b in row["bound_log"])
            table.add(
                f"  tomotopy held-out log-likelihood per word by sweep ({trace})",
                row["bound_log"][-1]["bound"],
            )
    m = t["synthetic_meta"]
    table.section(
        f"2b. Generated corpus, known topics ({m['tokens']:,} tokens, "
        f"{m['documents']:,} docs, V={m['vocabulary']:,}, K={m['k']}, "
        f"alpha={m['alpha']}, eta={m['eta']})"
    )
    _train_rows(table, t["synthetic"], "recovery", "topic recovery (matched cosine)")
    table.add("recommended model.engine (faster at equal or better quality)", t["recommendation"])


def recommend(train: dict[str, Any]) -> str:
    """The faster of gensim and tomotopy among those of at least equal quality.

    Equal quality: mean NPMI within 0.005 and recovery within 0.01 of the other engine.
    """
    rk = {r["name"]: r for r in train["riksdag"]}
    sy = {r["name"]: r for r in train["synthetic"]}

    def at_least(a: str, b: str) -> bool:
        return (
            rk[a]["npmi"] >= rk[b]["npmi"] - 0.005 and sy[a]["recovery"] >= sy[b]["recovery"] - 0.01
        )

    def seconds(a: str) -> float:
        return float(rk[a]["train_seconds"] + sy[a]["train_seconds"])

    ok = [e for e, other in (("gensim", "tomotopy"), ("tomotopy", "gensim")) if at_least(e, other)]
    if not ok:  # neither is at least as good on both corpora: the better on riksdag
        return max(("gensim", "tomotopy"), key=lambda e: rk[e]["npmi"])
    return min(ok, key=seconds)


def section_eval(res: dict[str, Any], table: Table) -> None:
    e = res["eval"]
    table.section(
        f"3. Coherence u_mass + c_npmi + c_v ({e['units']:,} units, {e['tokens']:,} tokens): "
        f"ours on all {e['grid_models']} models in one call, gensim CoherenceModel "
        f"(processes=1) on {', '.join(e['gensim_models'])} only ({_load_note(e)})"
    )
    table.add(
        "s per model: ours (grid / models) vs gensim",
        e["ours_per_model"],
        e["gensim_per_model"],
        e["ratio"],
        "≥ 20× faster",
        e["ratio"] >= 20,
    )
    table.add(
        "s per model: ours on the gensim model(s) alone vs gensim",
        e["ours_alone_per_model"],
        e["gensim_per_model"],
        e["ratio_alone"],
        "(diagnostic)",
    )
    for measure, bound in (("u_mass", 1e-6), ("c_npmi", 1e-6), ("c_v", 1e-4)):
        diff = e["max_abs_diff"][measure]
        seconds = e["gensim_seconds_by_measure"][measure]
        table.add(
            f"max abs difference ours − gensim, {measure} (gensim {seconds:.1f} s)",
            diff,
            None,
            None,
            f"≤ {bound:g}",
            diff <= bound,
        )


def section_e2e(res: dict[str, Any], table: Table) -> None:
    w = res["e2e"]
    table.section(
        f"4. Whole workflow, snakemake --cores 2 ({w['grid']}; chosen "
        f"{w['counts'].get('chosen', '?')}; {_load_note(w)})"
    )
    table.add("wall s, all rules", w["wall_seconds"], None, None, "≤ 600", w["wall_seconds"] <= 600)
    for st in w["stages"]:
        table.add(f"  stage {st['stage']}: wall span s ({st['n_jobs']} jobs)", st["span_seconds"])
    table.add(
        "CPU s of all users vs ours during the run",
        w["machine_busy_seconds"],
        w["own_cpu_seconds"],
        w["machine_busy_seconds"] / max(w["own_cpu_seconds"], 1e-9),
        "(≈ 1: no other load)",
    )


def section_memory(res: dict[str, Any], table: Table) -> None:
    m = res["memory"]
    table.section(
        f"5. Peak RSS MB per stage, 4× corpus vs 1× (grid {m['grid']}; vocabulary "
        f"{m['counts_1x']['vocabulary']:,} → {m['counts_4x']['vocabulary']:,} "
        f"terms; {_load_note(m)})"
    )
    one = {s["stage"]: s for s in m["stages_1x"]}
    for st in m["stages_4x"]:
        base = one.get(st["stage"])
        if base is None:
            continue
        ratio = st["peak_rss_mb"] / base["peak_rss_mb"]
        table.add(
            f"  stage {st['stage']} (4×; baseline 1×)",
            st["peak_rss_mb"],
            base["peak_rss_mb"],
            ratio,
            "≤ 1.25",
            ratio <= 1.25,
        )


def section_large(res: dict[str, Any], table: Table) -> None:
    g = res["large"]
    c = g["counts"]
    table.section(
        f"6. {g['documents']:,} documents ({LARGE_COPIES}× the corpus; {c['raw_tokens']:,} "
        f"tokens, {c['units']:,} units, vocabulary {c['vocabulary']:,}), snakemake --cores 2, "
        f"grid {g['grid']}; baseline: section 5's 1× run ({_load_note(g)})"
    )
    one = res.get("memory", {}).get("stages_1x")
    base_wall = res.get("memory", {}).get("wall_1x")
    table.add(
        "wall s, all rules",
        g["wall_seconds"],
        base_wall,
        g["wall_seconds"] / base_wall if base_wall else None,
    )
    by_stage = {s["stage"]: s for s in one or []}
    peak = max(s["peak_rss_mb"] for s in g["stages"])
    base_peak = max(s["peak_rss_mb"] for s in one) if one else None
    table.add("peak RSS MB, whole run", peak, base_peak, peak / base_peak if base_peak else None)
    for st in g["stages"]:
        base = by_stage.get(st["stage"])
        table.add(
            f"  stage {st['stage']}: peak RSS MB (wall span {st['span_seconds']:.0f} s, "
            f"{st['n_jobs']} jobs)",
            st["peak_rss_mb"],
            base["peak_rss_mb"] if base else None,
            st["peak_rss_mb"] / base["peak_rss_mb"] if base else None,
        )


def detail_tables(res: dict[str, Any]) -> str:
    """Per-rule detail of the workflow runs (sections 4, 5 and 6) as Markdown."""
    out = []
    if "e2e" in res:
        out += [
            "",
            f"Section 4 per rule: `{res['e2e']['command']}`",
            "",
            "| stage | rule | jobs | wall span s | sum of job s | longest job s | CPU s "
            "| peak RSS MB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in res["e2e"]["rules"]:
            out.append(
                f"| {r['stage']} | {r['rule']} | {r['n_jobs']} | "
                f"{r['last_end'] - r['first_start']:.1f} | {r['job_seconds']:.1f} | "
                f"{r['max_job_seconds']:.1f} | {r['cpu_seconds']:.1f} | "
                f"{r['peak_rss_mb']:.0f} |"
            )
    if "memory" in res:
        m = res["memory"]
        one = {r["rule"]: r for r in m["rules_1x"]}
        out += [
            "",
            "Section 5 per rule: peak RSS MB at 1× and 4× (wall s of the whole run: "
            f"{m['wall_1x']:.0f} and {m['wall_4x']:.0f})",
            "",
            "| stage | rule | 1× MB | 4× MB | ratio | longest job s 1× | 4× |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in m["rules_4x"]:
            b = one.get(r["rule"])
            if b is None:
                continue
            out.append(
                f"| {r['stage']} | {r['rule']} | {b['peak_rss_mb']:.0f} | "
                f"{r['peak_rss_mb']:.0f} | {r['peak_rss_mb'] / b['peak_rss_mb']:.2f} | "
                f"{b['max_job_seconds']:.1f} | {r['max_job_seconds']:.1f} |"
            )
    if "large" in res:
        out += [
            "",
            f"Section 6 per rule: `{res['large']['command']}`",
            "",
            "| stage | rule | jobs | wall span s | sum of job s | longest job s | CPU s "
            "| peak RSS MB |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in res["large"]["rules"]:
            out.append(
                f"| {r['stage']} | {r['rule']} | {r['n_jobs']} | "
                f"{r['last_end'] - r['first_start']:.1f} | {r['job_seconds']:.1f} | "
                f"{r['max_job_seconds']:.1f} | {r['cpu_seconds']:.1f} | "
                f"{r['peak_rss_mb']:.0f} |"
            )
    return "\n".join(out)


# ------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_DOCS} documents")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out")
    parser.add_argument("--work", type=Path, default=Path("/tmp/swedish_topics_bench"))
    parser.add_argument("--corpus", type=Path, default=RIKSDAG)
    parser.add_argument(
        "--sections",
        default="1,2,3,4,5",
        help="comma-separated subset of sections to run (2 and 3 need 4's "
        "results, from this or an earlier run with the same --work)",
    )
    args = parser.parse_args(argv)
    sections = {int(s) for s in args.sections.split(",") if s.strip()}
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", datefmt="%H:%M:%S"
    )
    for name in ("gensim", "smart_open", "numexpr"):
        logging.getLogger(name).setLevel(logging.WARNING)
    mode = "quick" if args.quick else "full"
    work = args.work / mode
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)

    corpus = args.corpus
    if args.quick:
        corpus = subset_corpus(args.corpus, work / "corpus_1x", n_docs=QUICK_DOCS)
    e2e_results = work / "e2e"
    res: dict[str, Any] = {
        "mode": mode,
        "date": datetime.now().isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "command": " ".join([Path(sys.executable).name, "bench/run.py", *sys.argv[1:]]),
        "corpus": str(corpus),
        "config": str(RIKSDAG_CONFIG.relative_to(REPO)),
    }
    busy0, started = machine_busy_seconds(), time.perf_counter()
    table = Table()

    if 1 in sections:
        load = Load()
        cfg = workflow_config(corpus=str(corpus), results=str(work / "pre"))
        corpus_4x = replicate_corpus(corpus, work / "corpus_4x", copies=4)
        res["preprocess"] = bench_preprocess.run(
            corpus, work / "preprocess", cfg, corpus_4x=corpus_4x
        )
        res["preprocess"]["machine_cores_busy"] = load.cores()
        section_preprocess(res, table)

    if 4 in sections:
        load = Load()
        extra = QUICK_E2E if args.quick else []
        record, rules, stages = bench_workflow.run_workflow(
            corpus=corpus, results=e2e_results, log=work / "e2e.log", extra=extra
        )
        res["e2e"] = {
            "grid": (
                "K 5, 10 × 2 seeds, 100 sweeps"
                if args.quick
                else "K 10, 20, 30, 40 × 3 seeds, bench/riksdag.yaml"
            ),
            "command": " ".join(
                bench_workflow.snakemake_command(corpus=corpus, results=e2e_results, extra=extra)
            ),
            "wall_seconds": record.wall_seconds,
            "rules": rules,
            "stages": stages,
            "machine_busy_seconds": record.machine_busy_seconds,
            "own_cpu_seconds": record.own_cpu_seconds,
            "counts": bench_workflow.summary_counts(e2e_results),
            "figures": sorted(str(p) for p in (e2e_results / "figures").glob("*.png")),
            "machine_cores_busy": load.cores(),
        }

    if 2 in sections:
        load = Load()
        runs = bench_train.engine_settings(args.quick, workflow_config()["model"])
        riks = bench_train.riksdag(
            e2e_results, k=TRAIN_K, seed=TRAIN_SEED, runs=runs, work=work / "train_riksdag"
        )
        synth, meta = bench_train.synthetic(
            n_tokens=300_000 if args.quick else 3_000_000,
            k=TRAIN_K,
            seed=TRAIN_SEED,
            runs=runs,
            work=work / "train_synthetic",
        )
        res["train"] = {
            "k": TRAIN_K,
            "seed": TRAIN_SEED,
            "riksdag": riks,
            "synthetic": synth,
            "synthetic_meta": meta,
            "machine_cores_busy": load.cores(),
        }
        res["train"]["recommendation"] = recommend(res["train"])
        section_train(res, table)

    if 3 in sections:
        load = Load()
        models = ["k5_s1"] if args.quick else ["k20_s1", "k40_s1"]
        res["eval"] = bench_eval.run(e2e_results, gensim_models=models)
        res["eval"]["machine_cores_busy"] = load.cores()
        section_eval(res, table)

    if 4 in sections:
        section_e2e(res, table)

    if 5 in sections:
        load = Load()
        corpus_4x = replicate_corpus(corpus, work / "corpus_4x", copies=4)
        grid = QUICK_MEMORY_GRID if args.quick else MEMORY_GRID
        mem: dict[str, Any] = {"grid": grid[0].split("=", 1)[1]}
        for label, source in (("1x", corpus), ("4x", corpus_4x)):
            results = work / f"memory_{label}"
            record, rules, stages = bench_workflow.run_workflow(
                corpus=source, results=results, log=work / f"memory_{label}.log", extra=grid
            )
            mem[f"rules_{label}"] = rules
            mem[f"stages_{label}"] = stages
            mem[f"wall_{label}"] = record.wall_seconds
            mem[f"driver_peak_rss_mb_{label}"] = record.driver_peak_rss_mb
            mem[f"counts_{label}"] = bench_workflow.summary_counts(results)
        mem["machine_cores_busy"] = load.cores()
        res["memory"] = mem
        section_memory(res, table)

    if 6 in sections:
        load = Load()
        large = replicate_corpus(corpus, work / f"corpus_{LARGE_COPIES}x", copies=LARGE_COPIES)
        grid = QUICK_MEMORY_GRID if args.quick else MEMORY_GRID
        results = work / f"large_{LARGE_COPIES}x"
        record, rules, stages = bench_workflow.run_workflow(
            corpus=large, results=results, log=work / f"large_{LARGE_COPIES}x.log", extra=grid
        )
        with open(results / "interim" / "validation.json", encoding="utf-8") as handle:
            n_docs = int(json.load(handle)["n_docs"])
        res["large"] = {
            "grid": grid[0].split("=", 1)[1],
            "documents": n_docs,
            "command": " ".join(
                bench_workflow.snakemake_command(corpus=large, results=results, extra=grid)
            ),
            "wall_seconds": record.wall_seconds,
            "rules": rules,
            "stages": stages,
            "counts": bench_workflow.summary_counts(results),
            "machine_cores_busy": load.cores(),
        }
        section_large(res, table)

    res["total_seconds"] = time.perf_counter() - started
    res["machine_busy_seconds"] = machine_busy_seconds() - busy0
    text = (
        f"swedish_topics benchmark ({mode}), {res['date']}, {os.cpu_count()} CPUs, "
        f"{res['total_seconds'] / 60:.1f} min; corpus {corpus}\n\n{table.markdown()}\n"
        f"{detail_tables(res)}\n"
    )
    sys.stdout.write("\n" + text)
    (args.out / f"report_{mode}.md").write_text(text, encoding="utf-8")
    with open(args.out / f"results_{mode}.json", "w", encoding="utf-8") as handle:
        json.dump(res, handle, indent=1, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
