"""Rule functions of ingest and preprocessing: validation, shards, the corpus files."""

from __future__ import annotations

import bisect
import csv
import itertools
import json
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swedish_topics import io as sio

if TYPE_CHECKING:
    pass

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


def corpus_texts(*, cfg: Mapping[str, Any], out_json: PathLike) -> None:
    """Validate the corpus; write only what preprocessing reads from it.

    ``interim/texts.json`` holds the document ids in metadata order, each text's size and,
    when facet values are stopwords (``preprocess.stopwords.remove_facet_values``), the
    groups of the categorical facets: the same keys as ``validation.json``, so the
    preprocessing rules read either. A metadata column that preprocessing does not read
    leaves it as it was (issue 21). The corpus is checked as by :func:`validate_corpus`
    (a corpus with errors stops here too); its warnings are that rule's to report.
    """
    from swedish_topics.corpus import validate_corpus as _validate

    report = _validate(
        Path(cfg["corpus"]),
        facets=cfg["facets"],
        numeric_facets=cfg["numeric_facets"],
        min_group_docs=1,
        max_text_mb=cfg["preprocess"]["max_text_mb"],
    )
    groups = {}
    if cfg["preprocess"]["stopwords"]["remove_facet_values"]:
        categorical = [f for f in cfg["facets"] if f not in cfg["numeric_facets"]]
        groups = {f: dict(report.groups[f]) for f in categorical if f in report.groups}
    sio.atomic_write_json(
        out_json,
        {"doc_ids": list(report.doc_ids), "text_sizes": list(report.text_sizes), "groups": groups},
    )


def load_validation(path: PathLike) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def shard_doc_ids(
    doc_ids: Sequence[str],
    shard_index: int,
    n_shards: int,
    *,
    sizes: Sequence[int] | None = None,
) -> list[str]:
    """The documents of one shard: contiguous slices in metadata order.

    Without ``sizes`` the slices hold near-equal numbers of documents; with ``sizes``
    (text bytes per document) they hold near-equal numbers of bytes, so that shards of
    a corpus whose documents grow or shrink over its order take about the same time.
    Either way the shards, concatenated in order, are ``doc_ids``.
    """
    if sizes is None or not doc_ids:
        size = math.ceil(len(doc_ids) / n_shards) if doc_ids else 0
        return list(doc_ids[shard_index * size : (shard_index + 1) * size])
    if len(sizes) != len(doc_ids):
        raise ValueError(f"{len(sizes)} sizes for {len(doc_ids)} documents")
    cumulative = list(itertools.accumulate(max(int(s), 1) for s in sizes))
    total = cumulative[-1]

    def cut(i: int) -> int:  # first document of shard i
        return 0 if i == 0 else bisect.bisect_left(cumulative, total * i / n_shards) + 1

    start = cut(shard_index)
    stop = len(doc_ids) if shard_index + 1 >= n_shards else cut(shard_index + 1)
    return list(doc_ids[start:stop])


# ----------------------------------------------------------------------- preprocess
def facet_stopword_values(cfg: Mapping[str, Any], validation: Mapping[str, Any]) -> list[str]:
    """The values of the categorical facets, from ``validation.json``'s groups (sorted),
    whose names become stopwords; none when ``stopwords.remove_facet_values`` is false."""
    if not cfg["preprocess"]["stopwords"]["remove_facet_values"]:
        return []
    groups = validation["groups"]
    categorical = [f for f in cfg["facets"] if f not in cfg["numeric_facets"]]
    return sorted({value for f in categorical for value in groups.get(f, ())})


def preprocess_shard(
    *,
    validation_json: PathLike,
    cfg: Mapping[str, Any],
    shard_index: int,
    n_shards: int,
    out_units: PathLike,
    out_counts: PathLike,
    sentences_json: PathLike | None = None,
) -> None:
    """Clean, split, tokenise, lemmatise and filter the documents of one shard.

    The shard's documents and the facet values (stopwords when
    ``stopwords.remove_facet_values``) come from ``validation_json``, which holds each
    text's size and each facet's groups, so a shard reads no file but its own texts.
    Long paragraphs are split into sentences with the corpus's Punkt parameters
    ``sentences_json`` (:func:`train_sentences`), the same file for every shard.
    """
    from swedish_topics.corpus import iter_documents
    from swedish_topics.preprocess import preprocess_shard as _preprocess_shard
    from swedish_topics.sentences import SentenceSplitter, load_params

    validation = load_validation(validation_json)
    corpus_dir = Path(cfg["corpus"])
    # Cut by bytes; a validation.json from before text_sizes existed gives equal counts.
    doc_ids = shard_doc_ids(
        validation["doc_ids"], shard_index, n_shards, sizes=validation.get("text_sizes")
    )
    logger.info("shard %d/%d: %d documents", shard_index + 1, n_shards, len(doc_ids))
    _preprocess_shard(
        iter_documents(corpus_dir, doc_ids),
        config=dict(cfg["preprocess"]),
        facet_values=facet_stopword_values(cfg, validation),
        out_units=Path(out_units),
        out_counts=Path(out_counts),
        sentences=SentenceSplitter(load_params(sentences_json)) if sentences_json else None,
    )


def train_sentences(
    *, validation_json: PathLike, cfg: Mapping[str, Any], out_json: PathLike
) -> None:
    """Train Punkt on a seeded sample of the corpus's documents; write its parameters.

    The sample (``preprocess.sentences.sample_documents`` documents drawn with
    ``preprocess.sentences.seed`` from the validated doc ids) does not depend on the
    shards, so every shard splits sentences alike.
    """
    from swedish_topics.corpus import iter_documents
    from swedish_topics.sentences import load_abbreviations, sample_ids, save_params, train_punkt

    validation = load_validation(validation_json)
    sent = cfg["preprocess"].get("sentences") or {}
    n = int(sent.get("sample_documents", 1000))
    seed = int(sent.get("seed", 1))
    doc_ids = sample_ids(validation["doc_ids"], n, seed)
    texts = (text for _, text in iter_documents(Path(cfg["corpus"]), doc_ids))
    params = train_punkt(
        texts,
        sample_documents=n,
        seed=seed,
        abbreviations=load_abbreviations(sent.get("abbreviations_extra") or ()),
    )
    save_params(out_json, params)


def build_corpus(
    *,
    shard_files: Sequence[PathLike],
    count_files: Sequence[PathLike],
    cfg: Mapping[str, Any],
    outputs: Mapping[str, PathLike],
) -> None:
    """Phrases, vocabulary, bag of words, and the preprocessing tables."""
    from swedish_topics.bagofwords import build_corpus as _build_corpus

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
    check_vocabulary(Path(outputs["summary"]), cfg)


def check_vocabulary(summary_csv: Path, cfg: Mapping[str, Any]) -> None:
    """Refuse a corpus that leaves fewer than two units or no vocabulary after filtering."""
    from swedish_topics.errors import CorpusError

    last = sio.read_csv(summary_csv)[-1]
    units, types = int(last["units"]), int(last["types"])
    if units >= 2 and types > 0:
        return
    voc = cfg["preprocess"]["vocabulary"]
    raise CorpusError(
        f"Nothing is left to model after preprocessing the corpus {cfg['corpus']}: "
        f"{units} unit(s) and {types} term(s) remain (see {summary_csv} for every step). "
        "This happens when the texts hold only numbers, stopwords or page furniture, when "
        "the corpus is too small for the vocabulary filter (a term must occur in at least "
        f"preprocess.vocabulary.no_below = {voc['no_below']} units and in at most "
        f"no_above = {voc['no_above']} of them), or when the unit mode gives a single unit "
        "per document of a one-document corpus. Check the texts, add documents, or lower "
        "no_below / raise no_above, and use preprocess.units.mode: paragraphs for few "
        "documents."
    )


def read_units_tsv(
    path: PathLike, columns: Sequence[str] = ("unit_id", "doc_id", "n_tokens")
) -> dict[str, list[Any]]:
    """Columns of preprocess/units.tsv: unit_id, doc_id, n_tokens (int), lemmas.

    Only ``columns`` are kept: the analysis steps need no ``lemmas`` (the whole corpus as
    text), and some not even the ids, and their memory should not grow with what they
    do not use.
    """
    cols: dict[str, list[Any]] = {column: [] for column in columns}
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        for row in reader:
            for column, values in cols.items():
                value = row[column]
                values.append(int(value) if column == "n_tokens" else value or "")
    return cols


def heldout_split(*, units_tsv: PathLike, cfg: Mapping[str, Any], out_split: PathLike) -> None:
    """The seeded held-out units, the same for every model of the grid."""
    from swedish_topics.lda import heldout_split as _split

    n_units = len(read_units_tsv(units_tsv, ["n_tokens"])["n_tokens"])
    model_cfg = cfg["model"]
    heldout = _split(
        n_units, fraction=model_cfg["heldout_fraction"], seed=model_cfg["heldout_seed"]
    )
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
