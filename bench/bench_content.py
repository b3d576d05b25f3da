"""Benchmark of the content stage (issue 15): rule runtimes, browser size and load time.

Runs the content rules' functions on the results of a finished workflow run (final and
other-seed models, corpus.mm, comparison tables) into a scratch folder, timing each
(wall and CPU seconds: the machine may be shared, CPU time is what the step costs), then
opens the topic browser in headless Chromium (``tests/browser_check.py``) and reports its
size, load time (median of three loads), network requests and console errors.

    python bench/bench_content.py --results /tmp/riksdag \\
        --corpus ../shared/corpora/riksdag_interpellationer \\
        --configfile bench/riksdag.yaml [--configfile more.yaml] --out /tmp/content_bench

The facets are those of the merged config; for a 290-group facet add a synthetic
metadata column to a copy of the metadata (texts symlinked; see bench/README.md).
Targets (issue 15): browser at most 5 MB, loaded and drawn in under 2 s.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path[:0] = [str(REPO / "workflow"), str(REPO)]

from bench.common import deep_merge  # noqa: E402

logger = logging.getLogger("bench_content")


def merged_config(configfiles: list[Path], corpus: Path, results: Path) -> dict[str, Any]:
    from swedish_topics.config import load_config

    with open(REPO / "config" / "config.yaml", encoding="utf-8") as handle:
        cfg = yaml.safe_load(handle)
    for path in configfiles:
        with open(path, encoding="utf-8") as handle:
            cfg = deep_merge(cfg, yaml.safe_load(handle) or {})
    return load_config(deep_merge(cfg, {"corpus": str(corpus), "results": str(results)}))


def timed(name: str, func: Callable[[], None], rows: list[dict[str, Any]]) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    func()
    rows.append(
        {
            "step": name,
            "wall_s": round(time.perf_counter() - wall, 1),
            "cpu_s": round(time.process_time() - cpu, 1),
        }
    )
    logger.info("%s: %s", name, rows[-1])


def run_rules(cfg: dict[str, Any], results: Path, corpus: Path, out: Path) -> list[dict[str, Any]]:
    """Every content rule's function, as the workflow calls it, timed."""
    from swedish_topics import pipeline

    rows: list[dict[str, Any]] = []
    models = [(k, s) for k in cfg["model"]["k"] for s in cfg["model"]["seeds"]]
    pinned = (cfg["selection"]["k"], cfg["selection"]["seed"])
    if pinned[0] is not None and pinned not in models:
        models.append(pinned)
    base = {
        "model": results / "final" / "model.npz",
        "models": [results / "models" / f"k{k}_s{s}" / "model.npz" for k, s in models],
        "choice": results / "model_selection" / "choice.json",
        "corpus_mm": results / "preprocess" / "corpus.mm",
        "units_tsv": results / "preprocess" / "units.tsv",
        "units_jsonl": results / "preprocess" / "units.jsonl",
        "metadata": corpus / "metadata.csv",
        "validation": results / "interim" / "validation.json",
    }
    tables = out / "tables"
    tables.mkdir(parents=True, exist_ok=True)
    for facet in cfg["facets"]:
        outputs = {
            "words": tables / f"topic_terms_by_{facet}.csv",
            "passages": tables / f"representative_passages_by_{facet}.csv",
            "divergence": out / f"divergence_by_{facet}.csv",
        }
        timed(
            f"content_by_facet[{facet}]",
            lambda f=facet, o=outputs: pipeline.content_by_facet(
                inputs=base, cfg=cfg, facet=f, models=models, outputs=o
            ),
            rows,
        )
    for facet in cfg["numeric_facets"]:
        timed(
            f"content_over_facet[{facet}]",
            lambda f=facet: pipeline.content_over_facet(
                inputs=base,
                cfg=cfg,
                facet=f,
                outputs={"over": tables / f"topic_terms_over_{f}.csv"},
            ),
            rows,
        )
    rt = results / "tables"
    browser_inputs = {
        "topics": rt / "topics.csv",
        "topic_terms": rt / "topic_terms.csv",
        "passages": rt / "representative_passages.csv",
        "prevalence": [rt / f"prevalence_by_{f}.csv" for f in cfg["facets"]],
        "differences": [rt / f"differences_by_{f}.csv" for f in cfg["facets"]],
        "words": [tables / f"topic_terms_by_{f}.csv" for f in cfg["facets"]],
        "group_passages": [tables / f"representative_passages_by_{f}.csv" for f in cfg["facets"]],
        "over": [tables / f"topic_terms_over_{f}.csv" for f in cfg["numeric_facets"]],
    }
    html = out / "topic_browser.html"
    timed(
        "topic_browser",
        lambda: pipeline.topic_browser(inputs=browser_inputs, cfg=cfg, out_html=html),
        rows,
    )
    return rows


def measure_browser(html: Path, facet: str, loads: int = 3) -> dict[str, Any]:
    """Size, median load time, requests and errors; a three-click path to the smallest group."""
    from tests.browser_check import open_html

    seconds, network, errors = [], [], []
    for _ in range(loads):
        with open_html(html) as view:
            seconds.append(view.load_seconds)
            start = time.perf_counter()
            view.page.click('nav button[data-topic="1"]')
            view.page.click(f'.tabs button[data-facet="{facet}"]')
            buttons = view.page.locator(".groups button[data-group]")
            buttons.nth(buttons.count() - 1).click()
            view.page.wait_for_selector("#group-panel")
            clicks = time.perf_counter() - start
            network += view.network
            errors += view.errors
    return {
        "mb": round(html.stat().st_size / 1e6, 2),
        "load_s_median": round(statistics.median(seconds), 3),
        "load_s_max": round(max(seconds), 3),
        "three_clicks_s": round(clicks, 3),
        "network_requests": len(network),
        "console_errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--configfile", type=Path, action="append", default=[])
    parser.add_argument("--out", type=Path, default=Path("/tmp/content_bench"))
    parser.add_argument("--facet", help="facet of the three-click path (default: the first)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    cfg = merged_config(args.configfile, args.corpus, args.results)
    rows = run_rules(cfg, args.results, args.corpus, args.out)
    browser = measure_browser(args.out / "topic_browser.html", args.facet or cfg["facets"][0])
    print("| step | wall s | CPU s |\n|---|---|---|")
    for row in rows:
        print(f"| {row['step']} | {row['wall_s']} | {row['cpu_s']} |")
    print("\nbrowser: " + json.dumps(browser))
    (args.out / "bench_content.json").write_text(
        json.dumps({"steps": rows, "browser": browser}, indent=2), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
