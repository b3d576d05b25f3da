"""One preprocessing shard (or its bare-regex baseline) in a fresh process, timed.

Used by :mod:`bench_preprocess` so that every measurement pays what a ``preprocess_shard``
job pays (a fresh interpreter, the lemmatiser's dictionary load, empty caches)::

    python bench/shard_worker.py pipeline VALIDATION CONFIG_JSON SHARD N_SHARDS OUT_DIR
    python bench/shard_worker.py bare VALIDATION CONFIG_JSON SHARD N_SHARDS
    python bench/shard_worker.py lemmas FORMS_JSON CONFIG_JSON

Prints one JSON line: ``seconds`` (the work; the package's modules are imported before
the clock starts), ``import_seconds``, ``tokens`` (bare mode: ``\\w+`` tokens of the
lower-cased texts), ``documents``. The ``lemmas`` mode times the lemmatiser alone as a
shard job pays for it: simplemma's dictionary decode (``decode_seconds``, its first
look-up) and the lemmas of the forms in ``FORMS_JSON`` (a JSON list; ``seconds``).
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

WORD = re.compile(r"\w+")


def bare(validation: Path, cfg: dict, shard: int, n_shards: int) -> dict:
    """Read the shard's texts as the rule does and tokenise them with one regex."""
    from swedish_topics.corpus import iter_documents
    from swedish_topics.pipeline import shard_doc_ids

    started = time.perf_counter()
    with open(validation, encoding="utf-8") as handle:
        doc_ids = shard_doc_ids(json.load(handle)["doc_ids"], shard, n_shards)
    tokens = 0
    for _, text in iter_documents(Path(cfg["corpus"]), doc_ids):
        tokens += len(re.findall(r"\w+", text.lower()))
    return {"seconds": time.perf_counter() - started, "tokens": tokens, "documents": len(doc_ids)}


def pipeline(validation: Path, cfg: dict, shard: int, n_shards: int, out_dir: Path) -> dict:
    """Run ``swedish_topics.pipeline.preprocess_shard`` exactly as the rule does."""
    from swedish_topics import pipeline as pl

    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    pl.preprocess_shard(
        validation_json=validation,
        cfg=cfg,
        shard_index=shard,
        n_shards=n_shards,
        out_units=out_dir / f"{shard:03d}.jsonl",
        out_counts=out_dir / f"{shard:03d}.counts.json",
    )
    seconds = time.perf_counter() - started
    with open(out_dir / f"{shard:03d}.counts.json", encoding="utf-8") as handle:
        counts = json.load(handle)
    return {"seconds": seconds, "documents": counts["documents"]}


def lemmas(forms_json: Path, cfg: dict) -> dict:
    """Lemmatise every form of ``forms_json`` once, with the lemmatiser the pipeline
    builds from the configuration (no facet values: nothing is looked up before)."""
    from swedish_topics.preprocess import TextPipeline

    with open(forms_json, encoding="utf-8") as handle:
        forms = json.load(handle)
    lemmatizer = TextPipeline(cfg["preprocess"]).lemmatizer
    started = time.perf_counter()
    lemmatizer.lemmatize("kommunerna")  # simplemma decodes its dictionary on first use
    decode = time.perf_counter() - started
    started = time.perf_counter()
    for form in forms:
        lemmatizer(form)
    return {"seconds": time.perf_counter() - started, "decode_seconds": decode, "forms": len(forms)}


def main(argv: list[str]) -> None:
    import logging

    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    import swedish_topics.corpus
    import swedish_topics.pipeline
    import swedish_topics.preprocess  # noqa: F401

    import_seconds = time.perf_counter() - started
    mode, first, cfg_path = argv[:3]
    with open(cfg_path, encoding="utf-8") as handle:
        cfg = json.load(handle)
    if mode == "lemmas":
        result = lemmas(Path(first), cfg)
    elif mode == "bare":
        result = bare(Path(first), cfg, int(argv[3]), int(argv[4]))
    else:
        result = pipeline(Path(first), cfg, int(argv[3]), int(argv[4]), Path(argv[5]))
    result["import_seconds"] = import_seconds
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
