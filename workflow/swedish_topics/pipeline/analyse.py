"""Rule functions of the analysis: the final model's tables and the group comparisons."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from swedish_topics import io as sio
from swedish_topics.pipeline.prepare import (
    load_validation,
    read_units_tsv,
)

if TYPE_CHECKING:
    from swedish_topics.analysis import UnitsByDoc

logger = logging.getLogger(__name__)

PathLike = str | Path


# -------------------------------------------------------------------------- analyse
class FinalModel:
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
        validation = load_validation(validation_json)
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


def passage_sentences(sentences_json: PathLike | None) -> Any:
    """The corpus's sentence splitter (``interim/sentences.json``, the rule's input) for
    the representative passages; None without the file (passages cut between words)."""
    from swedish_topics.sentences import SentenceSplitter, load_params

    if sentences_json is None or not Path(sentences_json).exists():
        return None
    return SentenceSplitter(load_params(Path(sentences_json)))


def topic_tables(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], outputs: Mapping[str, Any]
) -> None:
    """topic_terms, topics, doc_topics and representative_passages of the final model."""
    from swedish_topics import terms
    from swedish_topics.analysis import corpus_prevalence, write_doc_topics

    final = FinalModel(inputs["model"], inputs["units_tsv"], inputs["validation"], unit_ids=True)
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
    if inputs.get("divergence"):
        # Issue 15: each facet's wording divergence as columns of the topics table (CSV).
        from swedish_topics.content import add_divergence_columns

        add_divergence_columns(outputs["topics"], topic_rows, inputs["divergence"])
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
        sentences=passage_sentences(inputs.get("sentences")),
    )
    terms.write_passages(outputs["passages"], passages)


def facet_of_docs(metadata_csv: PathLike, doc_ids: Sequence[str], facet: str) -> list[str]:
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

    final = FinalModel(inputs["model"], inputs["units_tsv"], inputs["validation"])
    write_group_tables(
        outputs["prevalence"],
        outputs["differences"],
        facet=facet,
        doc_theta=final.doc_theta,
        doc_ids=final.doc_ids,
        groups=facet_of_docs(inputs["metadata"], final.doc_ids, facet),
        analysis_cfg=cfg["analysis"],
        min_group_docs=int(cfg["min_group_docs"]),
        unit_theta_by_doc=final.unit_theta_by_doc,
        doc_draws=posterior_doc_draws(final, cfg["analysis"]),
    )


def posterior_doc_draws(final: FinalModel, analysis_cfg: Mapping[str, Any]) -> np.ndarray | None:
    """``analysis.posterior_draws`` draws of every document's proportions (M × docs × K).

    None when ``analysis.posterior_draws`` is below 2 or with ``analysis.interval:
    percentile``; the tables' captions then say the intervals leave the model's own
    uncertainty out.
    """
    from swedish_topics.analysis.posterior import Posterior, doc_theta_draws
    from swedish_topics.lda import POSTERIOR_KEY

    n_draws = int(analysis_cfg["posterior_draws"])
    if n_draws < 2 or analysis_cfg["interval"] == "percentile":
        return None
    arrays = sio.load_npz(final.model_npz, ["alpha", POSTERIOR_KEY])
    posterior = Posterior(alpha=arrays["alpha"], counts=arrays[POSTERIOR_KEY])
    seed = int(analysis_cfg["bootstrap_seed"])
    draws = doc_theta_draws(final.unit_theta_by_doc, posterior, n_draws=n_draws, seed=seed)
    return np.stack([d.astype(np.float32) for d in draws])


def trend(
    *,
    inputs: Mapping[str, PathLike],
    cfg: Mapping[str, Any],
    facet: str,
    outputs: Mapping[str, Any],
) -> None:
    """trend_by_<facet>: the change of every topic's prevalence per unit of the facet."""
    from swedish_topics.analysis import write_trend_table

    final = FinalModel(inputs["model"], inputs["units_tsv"], inputs["validation"])
    # The trend needs the documents' proportions only: the units' are let go.
    doc_theta, doc_ids = final.doc_theta, final.doc_ids
    del final
    write_trend_table(
        outputs["trend"],
        facet=facet,
        doc_theta=doc_theta,
        doc_ids=doc_ids,
        values=facet_of_docs(inputs["metadata"], doc_ids, facet),
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
