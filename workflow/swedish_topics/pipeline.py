"""One function per workflow rule: read the rule's inputs, call the package, write outputs.

Rule scripts in ``workflow/scripts/`` call exactly one function of this module, so that
every step can also be run and tested without Snakemake. Paths arrive as strings (from
Snakemake) and are converted here.
"""

from __future__ import annotations

import bisect
import csv
import functools
import itertools
import json
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from swedish_topics import io as sio

if TYPE_CHECKING:
    from swedish_topics.analysis import UnitsByDoc

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

    validation = _load_validation(validation_json)
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


# ---------------------------------------------------------------------------- model
def train_lda(
    *,
    inputs: Mapping[str, PathLike],
    cfg: Mapping[str, Any],
    k: int,
    seed: int,
    outputs: Mapping[str, PathLike],
) -> None:
    """Train one model of the grid and write its portable arrays and training record."""
    from swedish_topics.config import check_against_corpus
    from swedish_topics.lda import train_model

    with open(inputs["split"], encoding="utf-8") as handle:
        split = json.load(handle)
    check_against_corpus(cfg, split["n_units"] - len(split["heldout"]))
    train_model(
        Path(inputs["corpus"]),
        Path(inputs["dictionary"]),
        k=k,
        seed=seed,
        model_cfg=dict(cfg["model"]),
        heldout=np.asarray(split["heldout"], dtype=np.int64),
        out_npz=Path(outputs["model"]),
        out_json=Path(outputs["train"]),
        out_gensim_dir=Path(outputs["native"]),
    )


# ------------------------------------------------------------------------- evaluate
METRIC_COLUMNS = [
    "k",
    "seed",
    "coherence_npmi",
    "coherence_cv",
    "coherence_umass",
    "perplexity",
    "heldout_bound",
    "diversity",
    "exclusivity",
    "train_seconds",
]


def evaluate_models(
    *,
    models: Sequence[Sequence[int]],
    inputs: Mapping[str, Any],
    cfg: Mapping[str, Any],
    outputs: Mapping[str, PathLike],
) -> None:
    """Evaluate every model of the grid; coherence from one counting pass over the corpus.

    Memory: only ``topic_term`` of each model is read (not ``theta``, which has a row per
    unit), the seeds of one K at a time; diversity, exclusivity, stability and the top
    words are taken from them and they are dropped before the corpus is read, so the
    arrays of the grid and the counting pass (chunked, see
    :mod:`swedish_topics.coherence`) are never in memory together.
    """
    from gensim.corpora import Dictionary, MmCorpus

    from swedish_topics import metrics as m
    from swedish_topics.coherence import coherence_many, iter_unit_lemmas, top_word_ids
    from swedish_topics.lda import load_topic_term

    eval_cfg = cfg["evaluation"]
    top_n = int(eval_cfg["top_n"])
    measure = eval_cfg["stability_measure"]
    threshold = float(eval_cfg["stability_threshold"])
    npz_of = {}
    train_info = {}
    for (k, seed), npz, train_json in zip(models, inputs["models"], inputs["train"], strict=True):
        npz_of[(k, seed)] = npz
        with open(train_json, encoding="utf-8") as handle:
            train_info[(k, seed)] = json.load(handle)

    top_words = {}
    diversity = {}
    excl = {}
    stab_rows = []
    agree_rows = []
    for k in sorted({k for k, _ in npz_of}):
        by_seed = {}
        for (kk, seed), npz in npz_of.items():
            if kk == k:
                topic_term = load_topic_term(npz)
                by_seed[seed] = topic_term
                top_words[(k, seed)] = top_word_ids(topic_term, top_n)
                excl[(k, seed)] = m.exclusivity(topic_term, top_n=top_n)
                diversity[(k, seed)] = m.topic_diversity(topic_term, top_n=25)
        result = m.stability(by_seed, measure=measure, top_n=top_n)
        del by_seed, topic_term
        stab_rows.append(
            {
                "k": k,
                "stability_mean": result.mean,
                "stability_min": result.min,
                "stability_max": result.max,
                "n_pairs": result.n_pairs,
                "measure": measure,
                "passes": bool(result.mean >= threshold) if not math.isnan(result.mean) else False,
            }
        )
        for seed, agreement in sorted(result.per_seed.items()):
            agree_rows.append({"k": k, "seed": seed, "agreement": agreement})

    dictionary = Dictionary.load_from_text(str(inputs["dictionary"]))
    coherence = coherence_many(
        {f"k{k}_s{seed}": top_words[(k, seed)] for k, seed in npz_of},
        texts=iter_unit_lemmas(inputs["units_tsv"]),
        corpus=MmCorpus(str(inputs["corpus"])),
        dictionary=dictionary,
        measures=("u_mass", "c_npmi", "c_v"),
    )
    rows = []
    topic_rows = []
    for k, seed in npz_of:
        coh = coherence[f"k{k}_s{seed}"]
        info = train_info[(k, seed)]
        rows.append(
            {
                "k": k,
                "seed": seed,
                "coherence_npmi": float(np.mean(coh["c_npmi"])),
                "coherence_cv": float(np.mean(coh["c_v"])),
                "coherence_umass": float(np.mean(coh["u_mass"])),
                "perplexity": info["perplexity"],
                "heldout_bound": info["heldout_bound"],
                "diversity": diversity[(k, seed)],
                "exclusivity": float(np.mean(excl[(k, seed)])),
                "train_seconds": info["train_seconds"],
            }
        )
        for t in range(k):
            topic_rows.append(
                {
                    "k": k,
                    "seed": seed,
                    "topic": t + 1,
                    "coherence_npmi": coh["c_npmi"][t],
                    "coherence_cv": coh["c_v"][t],
                    "coherence_umass": coh["u_mass"][t],
                    "exclusivity": excl[(k, seed)][t],
                }
            )
    sio.write_csv(outputs["metrics"], rows, METRIC_COLUMNS)
    sio.write_csv(
        outputs["topic_coherence"],
        topic_rows,
        ["k", "seed", "topic", "coherence_npmi", "coherence_cv", "coherence_umass", "exclusivity"],
    )
    sio.write_csv(
        outputs["stability"],
        stab_rows,
        ["k", "stability_mean", "stability_min", "stability_max", "n_pairs", "measure", "passes"],
    )
    sio.write_csv(outputs["agreement"], agree_rows, ["k", "seed", "agreement"])


def _num(value: str) -> float:
    return float(value) if value not in ("", None) else float("nan")


def select_model(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], out_choice: PathLike
) -> None:
    """Apply the selection rule (or the pinned model) and record the choice and its reason."""
    from swedish_topics.selection import select_model as _select

    metrics = [
        {key: (int(v) if key in ("k", "seed") else _num(v)) for key, v in row.items()}
        for row in sio.read_csv(inputs["metrics"])
    ]
    stability = [
        {
            "k": int(row["k"]),
            "stability_mean": _num(row["stability_mean"]),
            "stability_min": _num(row["stability_min"]),
            "stability_max": _num(row["stability_max"]),
            "n_pairs": int(row["n_pairs"]),
        }
        for row in sio.read_csv(inputs["stability"])
    ]
    agreement = {
        (int(r["k"]), int(r["seed"])): _num(r["agreement"])
        for r in sio.read_csv(inputs["agreement"])
    }
    sel = cfg["selection"]
    choice = _select(
        metrics,
        stability,
        metric=sel["metric"],
        threshold=float(cfg["evaluation"]["stability_threshold"]),
        pinned_k=sel["k"],
        pinned_seed=sel["seed"],
        seed_agreement=agreement,
    )
    sio.atomic_write_json(out_choice, choice)
    logger.info("chosen: K=%s seed=%s: %s", choice["k"], choice["seed"], choice["reason"])


def final_model(
    *,
    choice_json: PathLike,
    models: Sequence[Sequence[int]],
    model_files: Sequence[PathLike],
    out_model: PathLike,
) -> None:
    """Copy the chosen model's arrays to final/model.npz (checked, pickle-free)."""
    from swedish_topics.lda import load_model_npz

    with open(choice_json, encoding="utf-8") as handle:
        choice = json.load(handle)
    lookup = {(int(k), int(s)): Path(p) for (k, s), p in zip(models, model_files, strict=True)}
    source = lookup[(int(choice["k"]), int(choice["seed"]))]
    load_model_npz(source)  # validates the file (no pickle, expected arrays)
    arrays = sio.load_npz(source)
    sio.atomic_save_npz(out_model, **arrays)
    logger.info("final model: %s", source)


# ------------------------------------------------------------------------- figures
def _stem(out_png: PathLike) -> Path:
    path = Path(out_png)
    return path.with_suffix("")


def plot_model_selection(*, inputs: Mapping[str, PathLike], out_png: PathLike) -> None:
    """Figure: each metric against K with the spread across seeds; the chosen K marked."""
    from swedish_topics import figures

    figures.plot_model_selection(
        inputs["metrics"], inputs["stability"], inputs["choice"], _stem(out_png)
    )


def plot_top_terms(*, inputs: Mapping[str, PathLike], out_png: PathLike) -> None:
    """Figure: the top terms of every topic."""
    from swedish_topics import figures

    figures.plot_top_terms(inputs["topic_terms"], inputs["topics"], _stem(out_png))


def plot_prevalence_heatmap(
    *, inputs: Mapping[str, PathLike], facet: str, max_groups: int, out_png: PathLike
) -> None:
    """Figure: topic prevalence by group of a categorical facet (the largest groups)."""
    from swedish_topics import figures

    figures.plot_prevalence_heatmap(
        inputs["prevalence"], inputs["topics"], facet, _stem(out_png), max_groups=max_groups
    )


def plot_prevalence_trend(*, inputs: Mapping[str, PathLike], facet: str, out_png: PathLike) -> None:
    """Figure: topic prevalence over a numeric facet with interval bands."""
    from swedish_topics import figures

    figures.plot_prevalence_trend(inputs["prevalence"], inputs["topics"], facet, _stem(out_png))


def plot_differences(
    *, inputs: Mapping[str, PathLike], facet: str, max_groups: int, out_png: PathLike
) -> None:
    """Figure: each group's difference to the rest of the corpus (the largest groups)."""
    from swedish_topics import figures

    figures.plot_differences(
        inputs["differences"], inputs["topics"], facet, _stem(out_png), max_groups=max_groups
    )


def plot_doc_composition(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], out_png: PathLike
) -> None:
    """Figure: the topic composition of every document, labelled with its facets."""
    from swedish_topics import figures
    from swedish_topics.corpus import read_metadata

    metadata = read_metadata(Path(inputs["metadata"]), cfg["facets"])
    labels = {
        row["doc_id"]: " · ".join([row["doc_id"][:24], *(row.get(f, "") for f in cfg["facets"])])
        for row in metadata.rows
    }
    figures.plot_doc_composition(
        inputs["doc_topics"], inputs["topics"], _stem(out_png), doc_labels=labels
    )


# ----------------------------------------------------------------- provenance, methods
def provenance(
    *,
    inputs: Mapping[str, Any],
    cfg: Mapping[str, Any],
    workflow_dir: PathLike,
    out_json: PathLike,
) -> None:
    """Record versions, the merged config, corpus checksums, the git commit and seeds."""
    from swedish_topics import provenance as prov

    validation = _load_validation(inputs["validation"])
    with open(inputs["choice"], encoding="utf-8") as handle:
        choice = json.load(handle)
    models = []
    for path in inputs["train"]:
        with open(path, encoding="utf-8") as handle:
            models.append(json.load(handle))
    data = prov.build_provenance(
        cfg=cfg,
        corpus_dir=Path(cfg["corpus"]),
        doc_ids=validation["doc_ids"],
        workflow_dir=Path(workflow_dir),
        models=models,
        choice=choice,
    )
    prov.write_provenance(Path(out_json), data)


def methods(*, inputs: Mapping[str, Any], cfg: Mapping[str, Any], out_md: PathLike) -> None:
    """Write methods.md: a methods paragraph generated from this run's outputs."""
    from swedish_topics.methods import methods_text

    with open(inputs["provenance"], encoding="utf-8") as handle:
        provenance_data = json.load(handle)
    with open(inputs["choice"], encoding="utf-8") as handle:
        choice = json.load(handle)
    prevalence_files = inputs["prevalence"]
    if isinstance(prevalence_files, str | Path):
        prevalence_files = [prevalence_files]
    prevalence = {
        facet: sio.read_csv(path)
        for facet, path in zip(cfg["facets"], prevalence_files, strict=True)
    }
    text = methods_text(
        cfg=cfg,
        validation=_load_validation(inputs["validation"]),
        summary=sio.read_csv(inputs["summary"]),
        metrics=sio.read_csv(inputs["metrics"]),
        stability=sio.read_csv(inputs["stability"]),
        choice=choice,
        topics=sio.read_csv(inputs["topics"]),
        prevalence=prevalence,
        provenance=provenance_data,
    )
    sio.atomic_write_text(out_md, text)


# -------------------------------------------------------------------------- analyse
class _Final:
    """The final model's arrays with its units and documents, ready for analysis.

    ``topic_term`` and ``vocab`` are read on first use: the topic tables need them, the
    group comparisons do not. Each document's units are a view over ``theta``
    (:class:`~swedish_topics.analysis.UnitsByDoc`), so they cost no memory per document;
    ``theta`` stays float32 as stored (float64 per document on access, exactly).
    The units' ids are read, and the columns of units.tsv kept as ``units``, only with
    ``unit_ids`` (the topic tables name passages by them; the comparisons need none).
    """

    def __init__(
        self,
        model_npz: PathLike,
        units_tsv: PathLike,
        validation_json: PathLike,
        *,
        unit_ids: bool = False,
    ):
        from swedish_topics.analysis import doc_topics_from_units, units_by_doc

        self.model_npz = model_npz
        self.theta: np.ndarray = sio.load_npz(model_npz, ["theta"])["theta"]
        columns = ("unit_id", "doc_id", "n_tokens") if unit_ids else ("doc_id", "n_tokens")
        units = read_units_tsv(units_tsv, columns)
        validation = _load_validation(validation_json)
        with_units = set(units["doc_id"])
        self.doc_ids = [d for d in validation["doc_ids"] if d in with_units]
        dropped = [d for d in validation["doc_ids"] if d not in with_units]
        del validation, with_units
        if dropped:
            logger.warning(
                "%d document(s) have no words left after preprocessing (only numbers, "
                "stopwords, page furniture or rare words) and are left out of every table: %s",
                len(dropped),
                ", ".join(dropped[:10]) + (" …" if len(dropped) > 10 else ""),
            )
        #: The units (proportions and token counts) of each document, in ``doc_ids`` order.
        self.unit_theta_by_doc: UnitsByDoc = units_by_doc(
            self.theta, units["doc_id"], units["n_tokens"], self.doc_ids
        )
        self.doc_theta = doc_topics_from_units(self.unit_theta_by_doc, self.doc_ids)
        #: Columns of units.tsv (kept with ``unit_ids`` only: the passages name units).
        self.units = units if unit_ids else {}

    @functools.cached_property
    def topic_term(self) -> np.ndarray:
        """K × V topic-term probabilities of the final model."""
        return sio.load_npz(self.model_npz, ["topic_term"])["topic_term"]

    @functools.cached_property
    def vocab(self) -> list[str]:
        """The V terms, in the column order of ``topic_term``."""
        return [str(t) for t in sio.load_npz(self.model_npz, ["vocab"])["vocab"]]


def topic_tables(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], outputs: Mapping[str, Any]
) -> None:
    """topic_terms, topics, doc_topics and representative_passages of the final model."""
    from swedish_topics import terms
    from swedish_topics.analysis import corpus_prevalence, write_doc_topics

    final = _Final(inputs["model"], inputs["units_tsv"], inputs["validation"], unit_ids=True)
    acfg = cfg["analysis"]
    with open(inputs["choice"], encoding="utf-8") as handle:
        choice = json.load(handle)
    term_freq = terms.term_frequencies_from_vocabulary_csv(inputs["vocabulary"], final.vocab)

    write_doc_topics(outputs["doc_topics"], final.doc_theta, final.doc_ids)
    term_rows = terms.topic_terms(
        final.topic_term,
        final.vocab,
        term_freq,
        n_terms=int(acfg["n_terms"]),
        lam=float(acfg["relevance_lambda"]),
    )
    terms.write_topic_terms(
        outputs["topic_terms"], term_rows, lam=float(acfg["relevance_lambda"]), frex_weight=0.5
    )
    labels = terms.topic_labels(
        final.topic_term, final.vocab, user_labels=acfg["topic_labels"], term_freq=term_freq
    )
    npmi = {
        int(r["topic"]): float(r["coherence_npmi"])
        for r in sio.read_csv(inputs["topic_coherence"])
        if int(r["k"]) == int(choice["k"]) and int(r["seed"]) == int(choice["seed"])
    }
    topic_rows = terms.topics_table(
        final.topic_term,
        final.vocab,
        labels=labels,
        prevalence=corpus_prevalence(final.doc_theta),
        coherence_npmi=[npmi[t] for t in range(1, final.topic_term.shape[0] + 1)],
        term_freq=term_freq,
    )
    terms.write_topics(outputs["topics"], topic_rows)
    chosen = terms.passage_units(
        final.theta,
        final.units["doc_id"],
        n_passages=int(acfg["n_passages"]),
        unit_n_tokens=final.units["n_tokens"],
    )
    # Read the texts of the chosen units only, not the whole corpus.
    unit_ids = final.units["unit_id"]
    needed = sorted({i for units in chosen for i in units})
    texts = terms.load_unit_texts(
        inputs["units_jsonl"], [unit_ids[i] for i in needed], n_units=len(unit_ids)
    )
    passages = terms.passage_rows(
        final.theta,
        unit_ids,
        final.units["doc_id"],
        chosen,
        dict(zip(needed, texts, strict=True)),
        sentences=passage_sentences(inputs["units_jsonl"]),
    )
    terms.write_passages(outputs["passages"], passages)


def _facet_of_docs(metadata_csv: PathLike, doc_ids: Sequence[str], facet: str) -> list[str]:
    """The value of ``facet`` of each of ``doc_ids`` (the metadata table is not kept).

    Equal values are one string object, so the list costs a pointer per document.
    """
    from swedish_topics.analysis import facet_groups
    from swedish_topics.corpus import read_metadata

    rows = read_metadata(Path(metadata_csv), [facet]).rows
    distinct: dict[str, str] = {}
    return [distinct.setdefault(v, v) for v in facet_groups(rows, doc_ids, facet)]


def compare_groups(
    *,
    inputs: Mapping[str, PathLike],
    cfg: Mapping[str, Any],
    facet: str,
    outputs: Mapping[str, Any],
) -> None:
    """prevalence_by_<facet> and differences_by_<facet> with bootstrap intervals."""
    from swedish_topics.analysis import write_group_tables

    final = _Final(inputs["model"], inputs["units_tsv"], inputs["validation"])
    write_group_tables(
        outputs["prevalence"],
        outputs["differences"],
        facet=facet,
        doc_theta=final.doc_theta,
        doc_ids=final.doc_ids,
        groups=_facet_of_docs(inputs["metadata"], final.doc_ids, facet),
        analysis_cfg=cfg["analysis"],
        min_group_docs=int(cfg["min_group_docs"]),
        unit_theta_by_doc=final.unit_theta_by_doc,
    )


def trend(
    *,
    inputs: Mapping[str, PathLike],
    cfg: Mapping[str, Any],
    facet: str,
    outputs: Mapping[str, Any],
) -> None:
    """trend_by_<facet>: the change of every topic's prevalence per unit of the facet."""
    from swedish_topics.analysis import write_trend_table

    final = _Final(inputs["model"], inputs["units_tsv"], inputs["validation"])
    # The trend needs the documents' proportions only: the units' are let go.
    doc_theta, doc_ids = final.doc_theta, final.doc_ids
    del final
    write_trend_table(
        outputs["trend"],
        facet=facet,
        doc_theta=doc_theta,
        doc_ids=doc_ids,
        values=_facet_of_docs(inputs["metadata"], doc_ids, facet),
        analysis_cfg=cfg["analysis"],
    )


def topic_map(*, inputs: Mapping[str, PathLike], out_html: PathLike) -> None:
    """The interactive topic map (pyLDAvis), offline, with our topic numbers and labels."""
    from swedish_topics import terms
    from swedish_topics.ldavis import write_ldavis_html

    arrays = sio.load_npz(inputs["model"], ["topic_term", "theta", "vocab"])
    vocab = [str(t) for t in arrays.pop("vocab")]
    # Only the units' lengths: no Python string per unit.
    n_tokens = np.asarray(read_units_tsv(inputs["units_tsv"], ["n_tokens"])["n_tokens"], float)
    labels = {int(r["topic"]): r["label"] for r in sio.read_csv(inputs["topics"])}
    write_ldavis_html(
        arrays["topic_term"],
        arrays.pop("theta"),  # float32 as stored; made float64 once, when normalised
        n_tokens,
        vocab,
        terms.term_frequencies_from_vocabulary_csv(inputs["vocabulary"], vocab),
        labels,
        Path(out_html),
    )


# ------------------------------------------------------------ issue 16: sentences (Punkt)
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

    validation = _load_validation(validation_json)
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


def passage_sentences(units_jsonl: PathLike) -> Any:
    """The corpus's sentence splitter for the representative passages, or None.

    Read from ``interim/sentences.json`` of the same results folder as ``units_jsonl``
    (written before the shards, so it exists whenever ``units.jsonl`` does); a results
    folder from before the rule existed gives None (passages cut between words).
    """
    from swedish_topics.sentences import SentenceSplitter, load_params

    path = Path(units_jsonl).parent.parent / "interim" / "sentences.json"
    return SentenceSplitter(load_params(path)) if path.exists() else None
