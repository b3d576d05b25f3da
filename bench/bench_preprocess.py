"""Section 1: preprocessing throughput, its ratio to a bare regex, and two cores vs one.

Every timed run is a fresh process (:mod:`shard_worker`), as a ``preprocess_shard`` job:

- *bare*: the shard's texts read with ``swedish_topics.corpus.iter_documents`` (as the rule
  reads them) and tokenised with ``re.findall(r"\\w+", text.lower())``; best of two runs.
- *pipeline*: ``swedish_topics.pipeline.preprocess_shard`` (validation list with the text
  sizes and facet values, clean → units → tokenise → lemmatise → stopwords, JSON lines and
  counts written). Throughput is the bare regex's token count divided by these seconds, so
  both figures count the same tokens.
- *1 vs 2 processes*: the whole corpus as one shard in one process against two shards in
  two processes started together, wall time measured from outside (interpreter start and
  imports included on both sides). Run :data:`REPEATS` times, alternating one and two
  processes, and the best of each is kept (as for the bare regex): on a shared 2-core
  virtual machine the same job's wall time varies by up to a third from run to run.
- *ceiling*: in the same alternation, shard 0 of the two alone and two copies of it
  started together; ``2 × alone / together`` is what this machine gives two processes
  that do the same work with nothing shared or duplicated, so the speed-up can be read
  against it (memory bandwidth, caches and a busy host all lower it).

Two in-process diagnostics follow: the time of each step (one instrumented pass with cold
caches) and the hot path with warm caches (``TextPipeline.final_tokens`` on every text
once every chunk has been seen, against the regex on the same in-memory texts). A last
one runs the lemmatiser alone in a fresh process (:func:`lemmatiser_alone`): simplemma's
dictionary decode and the lemmas of the distinct forms the pass lemmatised, the work any
preprocessing that lemmatises with simplemma must do, set against the whole time the
≤ 1.6 × target leaves.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import time
from pathlib import Path
from typing import Any

from common import PYTHON, REPO, run_json, single_thread_env

logger = logging.getLogger(__name__)

WORKER = str(Path(__file__).resolve().parent / "shard_worker.py")
#: Runs of each of "1 process" and "2 processes"; the fastest of each counts.
REPEATS = 3


def _warm_page_cache(corpus: Path, doc_ids: list[str]) -> None:
    for doc_id in doc_ids:
        (corpus / "texts" / f"{doc_id}.txt").read_bytes()


def _pipeline_processes(
    validation: Path,
    cfg_json: Path,
    n_shards: int,
    out_dir: Path,
    *,
    shards: list[int] | None = None,
) -> tuple[float, list[dict[str, Any]]]:
    """Start one process per shard of ``shards`` (default: every shard of ``n_shards``)
    together; return wall seconds and their reports. Each writes under its own folder."""
    shards = list(range(n_shards)) if shards is None else shards
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [
                PYTHON,
                WORKER,
                "pipeline",
                str(validation),
                str(cfg_json),
                str(shard),
                str(n_shards),
                str(out_dir / f"process{k}"),
            ],
            cwd=REPO,
            env=single_thread_env(),
            stdout=subprocess.PIPE,
            text=True,
        )
        for k, shard in enumerate(shards)
    ]
    outs = [p.communicate()[0] for p in procs]
    wall = time.perf_counter() - started
    for p in procs:
        if p.returncode != 0:
            raise RuntimeError(f"shard worker failed with status {p.returncode}")
    return wall, [json.loads(o.strip().splitlines()[-1]) for o in outs]


def _one_vs_two(validation: Path, cfg_json: Path, work: Path) -> dict[str, Any]:
    """Best of :data:`REPEATS` alternating runs of one process, of two, and of the
    ceiling's pair (shard 0 of 2 alone, and twice at once).

    Returns the wall seconds and the report of the fastest one-process run
    (``wall1``, ``one``), of the fastest two-process run (``wall2``, ``two``), and the
    best walls of the ceiling's runs (``alone``, ``together``).
    """
    ones, twos, alones, togethers = [], [], [], []
    for _ in range(REPEATS):
        ones.append(_pipeline_processes(validation, cfg_json, 1, work / "one"))
        twos.append(_pipeline_processes(validation, cfg_json, 2, work / "two"))
        alones.append(_pipeline_processes(validation, cfg_json, 2, work / "alone", shards=[0]))
        togethers.append(
            _pipeline_processes(validation, cfg_json, 2, work / "together", shards=[0, 0])
        )
    logger.info(
        "1 process: %s s; 2 processes: %s s; shard 0 alone: %s s, twice at once: %s s "
        "(wall, each run)",
        *(" / ".join(f"{w:.2f}" for w, _ in runs) for runs in (ones, twos, alones, togethers)),
    )
    wall1, (one,) = min(ones, key=lambda run: run[0])
    wall2, two = min(twos, key=lambda run: run[0])
    return {
        "wall1": wall1,
        "one": one,
        "wall2": wall2,
        "two": two,
        "alone": min(w for w, _ in alones),
        "together": min(w for w, _ in togethers),
    }


def _scaling_figures(runs: dict[str, Any]) -> dict[str, Any]:
    """The figures of :func:`_one_vs_two` written to the results."""
    return {
        "one_process_wall": runs["wall1"],
        "two_process_wall": runs["wall2"],
        "two_process_shards": [r["seconds"] for r in runs["two"]],
        "speedup_two_cores": runs["wall1"] / runs["wall2"],
        "ceiling_alone_wall": runs["alone"],
        "ceiling_together_wall": runs["together"],
        "ceiling_two_cores": 2 * runs["alone"] / runs["together"],
    }


def lemmatiser_alone(forms: list[str], cfg_json: Path, work: Path) -> dict[str, Any]:
    """The lemmatiser's own work in a fresh process, as a shard job pays it: simplemma's
    dictionary decode and the lemmas of ``forms`` (the distinct forms the pipeline
    lemmatised). Best of two runs."""
    forms_json = work / "forms.json"
    forms_json.write_text(json.dumps(forms, ensure_ascii=False), encoding="utf-8")
    runs = [run_json([WORKER, "lemmas", str(forms_json), str(cfg_json)]) for _ in range(2)]
    return min(runs, key=lambda r: r["seconds"] + r["decode_seconds"])


def breakdown(corpus: Path, validation: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    """Seconds of each pipeline step in one instrumented in-process pass (cold caches),
    and the distinct forms it lemmatised (``forms``). ``validation``: the content of
    ``validation.json``, whose documents and facet values the shard job would use."""
    from swedish_topics.corpus import iter_documents
    from swedish_topics.pipeline import facet_stopword_values
    from swedish_topics.preprocess import TextPipeline

    doc_ids = validation["doc_ids"]
    texts = [text for _, text in iter_documents(corpus, doc_ids)]
    values = facet_stopword_values(cfg, validation)
    started = time.perf_counter()
    pipe = TextPipeline(cfg["preprocess"], facet_values=values)
    init = time.perf_counter() - started
    t_clean = t_units = t_tokens = 0.0
    for doc_id, text in zip(doc_ids, texts, strict=True):
        t0 = time.perf_counter()
        cleaned = pipe.cleaner.clean(text)
        t1 = time.perf_counter()
        units = pipe.make_units(doc_id, cleaned.paragraphs)
        t2 = time.perf_counter()
        for unit in units:
            pipe.final_tokens(unit.text)
        t3 = time.perf_counter()
        t_clean += t1 - t0
        t_units += t2 - t1
        t_tokens += t3 - t2
    # warm hot path: every chunk is cached now
    t0 = time.perf_counter()
    for text in texts:
        pipe.final_tokens(text)
    warm = time.perf_counter() - t0
    t0 = time.perf_counter()
    for text in texts:
        re.findall(r"\w+", text.lower())
    regex = time.perf_counter() - t0
    return {
        "init_seconds": init,
        "clean_seconds": t_clean,
        "units_seconds": t_units,
        "tokens_seconds": t_tokens,
        "distinct_chunks": float(len(pipe._chunks)),
        "distinct_lemmatised": float(len(pipe.lemmatizer.cache)),
        "warm_hot_path_seconds": warm,
        "regex_in_memory_seconds": regex,
        "forms": list(pipe.lemmatizer.cache),
    }


def scaling(corpus: Path, work: Path, cfg: dict[str, Any]) -> dict[str, Any]:
    """One process against two on ``corpus`` (the 4x corpus): wall seconds and speed-up."""
    from swedish_topics import pipeline as pl

    work.mkdir(parents=True, exist_ok=True)
    cfg = {**cfg, "corpus": str(corpus)}
    validation = work / "validation.json"
    pl.validate_corpus(cfg=cfg, out_json=validation)
    cfg_json = work / "config.json"
    cfg_json.write_text(json.dumps(cfg, default=str), encoding="utf-8")
    with open(validation, encoding="utf-8") as handle:
        _warm_page_cache(corpus, json.load(handle)["doc_ids"])
    figures = _scaling_figures(_one_vs_two(validation, cfg_json, work))
    logger.info(
        "%s: 1 process %.2f s, 2 processes %.2f s wall",
        corpus.name,
        figures["one_process_wall"],
        figures["two_process_wall"],
    )
    return figures


def run(
    corpus: Path, work: Path, cfg: dict[str, Any], *, corpus_4x: Path | None = None
) -> dict[str, Any]:
    """Measure section 1 on ``corpus`` (and the 2-core speed-up on ``corpus_4x``)."""
    from swedish_topics import pipeline as pl

    work.mkdir(parents=True, exist_ok=True)
    validation = work / "validation.json"
    pl.validate_corpus(cfg=cfg, out_json=validation)
    cfg_json = work / "config.json"
    cfg_json.write_text(json.dumps(cfg, default=str), encoding="utf-8")
    with open(validation, encoding="utf-8") as handle:
        checked = json.load(handle)
    doc_ids = checked["doc_ids"]
    _warm_page_cache(corpus, doc_ids)

    args = [WORKER, "bare", str(validation), str(cfg_json), "0", "1"]
    bares = [run_json(args) for _ in range(2)]
    bare = min(bares, key=lambda r: r["seconds"])
    tokens = int(bare["tokens"])
    logger.info("bare regex: %d tokens in %.2f s", tokens, bare["seconds"])

    runs = _one_vs_two(validation, cfg_json, work)
    one = runs["one"]
    logger.info(
        "pipeline, 1 process: %.2f s in-process, %.2f s wall", one["seconds"], runs["wall1"]
    )
    logger.info("pipeline, 2 processes: %.2f s wall", runs["wall2"])
    steps = breakdown(corpus, checked, cfg)
    lemmatiser = lemmatiser_alone(steps.pop("forms"), cfg_json, work)
    logger.info(
        "lemmatiser alone: dictionary decode %.2f s, %d distinct forms %.2f s",
        lemmatiser["decode_seconds"],
        lemmatiser["forms"],
        lemmatiser["seconds"],
    )
    at_4x = scaling(corpus_4x, work / "4x", cfg) if corpus_4x is not None else None
    return {
        "scaling_4x": at_4x,
        "documents": len(doc_ids),
        "tokens": tokens,
        "bare_seconds": bare["seconds"],
        "pipeline_seconds": one["seconds"],
        "tokens_per_second": tokens / one["seconds"],
        "bare_tokens_per_second": tokens / bare["seconds"],
        "ratio_to_bare": one["seconds"] / bare["seconds"],
        "import_seconds": one["import_seconds"],
        **_scaling_figures(runs),
        "steps": steps,
        "lemmatiser": lemmatiser,
    }
