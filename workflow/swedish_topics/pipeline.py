"""One function per workflow rule: read the rule's inputs, call the package, write outputs.

Rule scripts in ``workflow/scripts/`` call exactly one function of this module, so that
every step can also be run and tested without Snakemake. Paths arrive as strings (from
Snakemake) and are converted here.
"""

from __future__ import annotations

import csv
import json
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from swedish_topics import io as sio

logger = logging.getLogger(__name__)

PathLike = str | Path


# --------------------------------------------------------------------------- ingest
def validate_corpus(*, cfg: Mapping[str, Any], out_json: PathLike) -> None:
    """Validate the corpus named in the config; write the validated document list."""
    from swedish_topics.corpus import validate_corpus as _validate

    report = _validate(
        Path(cfg["corpus"]),
        facets=cfg["facets"],
        numeric_facets=cfg["numeric_facets"],
        min_group_docs=cfg["min_group_docs"],
        max_text_mb=cfg["preprocess"]["max_text_mb"],
    )
    for warning in report.warnings:
        logger.warning("%s", warning)
    sio.atomic_write_json(out_json, report.to_json())
    logger.info("corpus valid: %d documents", report.n_docs)


def _load_validation(path: PathLike) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def shard_doc_ids(doc_ids: Sequence[str], shard_index: int, n_shards: int) -> list[str]:
    """The documents of one shard: contiguous, near-equal slices in metadata order."""
    size = math.ceil(len(doc_ids) / n_shards) if doc_ids else 0
    return list(doc_ids[shard_index * size : (shard_index + 1) * size])


# ----------------------------------------------------------------------- preprocess
def preprocess_shard(
    *,
    validation_json: PathLike,
    cfg: Mapping[str, Any],
    shard_index: int,
    n_shards: int,
    out_units: PathLike,
    out_counts: PathLike,
) -> None:
    """Clean, split, tokenise, lemmatise and filter the documents of one shard."""
    from swedish_topics.corpus import iter_documents, read_metadata
    from swedish_topics.preprocess import preprocess_shard as _preprocess_shard

    validation = _load_validation(validation_json)
    corpus_dir = Path(cfg["corpus"])
    doc_ids = shard_doc_ids(validation["doc_ids"], shard_index, n_shards)
    facet_values: list[str] = []
    if cfg["preprocess"]["stopwords"]["remove_facet_values"]:
        metadata = read_metadata(corpus_dir / "metadata.csv")
        categorical = [f for f in cfg["facets"] if f not in cfg["numeric_facets"]]
        facet_values = sorted({row[f] for row in metadata.rows for f in categorical if row.get(f)})
    logger.info("shard %d/%d: %d documents", shard_index + 1, n_shards, len(doc_ids))
    _preprocess_shard(
        iter_documents(corpus_dir, doc_ids),
        config=dict(cfg["preprocess"]),
        facet_values=facet_values,
        out_units=Path(out_units),
        out_counts=Path(out_counts),
    )


def build_corpus(
    *,
    shard_files: Sequence[PathLike],
    count_files: Sequence[PathLike],
    cfg: Mapping[str, Any],
    outputs: Mapping[str, PathLike],
) -> None:
    """Phrases, vocabulary, bag of words, and the preprocessing tables."""
    from swedish_topics.preprocess import build_corpus as _build_corpus

    out_dir = Path(outputs["corpus"]).parent
    tables_dir = Path(outputs["vocabulary"]).parent
    _build_corpus(
        [Path(p) for p in shard_files],
        [Path(p) for p in count_files],
        config=dict(cfg["preprocess"]),
        out_dir=out_dir,
        tables_dir=tables_dir,
    )
    for name, path in outputs.items():
        if not Path(path).exists():
            raise RuntimeError(f"build_corpus did not write its output {name}: {path}")


def read_units_tsv(path: PathLike) -> dict[str, list[Any]]:
    """Columns of preprocess/units.tsv: unit_id, doc_id, n_tokens (int), lemmas."""
    cols: dict[str, list[Any]] = {"unit_id": [], "doc_id": [], "n_tokens": [], "lemmas": []}
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            cols["unit_id"].append(row["unit_id"])
            cols["doc_id"].append(row["doc_id"])
            cols["n_tokens"].append(int(row["n_tokens"]))
            cols["lemmas"].append(row["lemmas"] or "")
    return cols


def heldout_split(*, units_tsv: PathLike, cfg: Mapping[str, Any], out_split: PathLike) -> None:
    """The seeded held-out units, the same for every model of the grid."""
    from swedish_topics.lda import heldout_split as _split

    n_units = len(read_units_tsv(units_tsv)["unit_id"])
    model_cfg = cfg["model"]
    heldout = _split(n_units, fraction=model_cfg["heldout_fraction"], seed=model_cfg["heldout_seed"])
    sio.atomic_write_json(
        out_split,
        {
            "n_units": n_units,
            "fraction": model_cfg["heldout_fraction"],
            "seed": model_cfg["heldout_seed"],
            "heldout": [int(i) for i in heldout],
        },
    )
    logger.info("held out %d of %d units", len(heldout), n_units)
