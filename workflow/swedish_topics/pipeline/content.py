"""Rule functions of the content stage: how each theme is worded in each group.

``content_by_facet`` (words by group, wording divergence, passages by group),
``content_over_facet`` (themes over a numeric facet), the two figures and the topic
browser. The statistics are in :mod:`swedish_topics.content`, the page in
:mod:`swedish_topics.browser`.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from swedish_topics import io as sio
from swedish_topics.pipeline.prepare import load_validation, read_units_tsv

logger = logging.getLogger(__name__)

PathLike = str | Path

_MODEL_DIR = re.compile(r"k(\d+)_s(\d+)")


@dataclass
class _Corpus:
    """The final model's expected counts with the units, documents and their groups."""

    ec: Any  # content.ExpectedCounts
    vocab: list[str]
    bow: Any  # scipy CSR, shared with other seeds' expected counts
    unit_ids: list[str]
    unit_doc_ids: list[str]
    unit_n_tokens: list[int]
    doc_ids: list[str]
    doc_pos: np.ndarray  # position in ``doc_ids`` of each unit's document


def _load_corpus(inputs: Mapping[str, PathLike]) -> _Corpus:
    from swedish_topics.content import ExpectedCounts, read_bow

    arrays = sio.load_npz(inputs["model"], ["theta", "topic_term", "vocab"])
    vocab = [str(t) for t in arrays["vocab"]]
    bow = read_bow(inputs["corpus_mm"], len(vocab))
    units = read_units_tsv(inputs["units_tsv"], ("unit_id", "doc_id", "n_tokens"))
    ec = ExpectedCounts.build(bow, arrays["theta"], arrays["topic_term"])
    with_units = set(units["doc_id"])
    doc_ids = [d for d in load_validation(inputs["validation"])["doc_ids"] if d in with_units]
    pos = {d: i for i, d in enumerate(doc_ids)}
    doc_pos = np.asarray([pos[d] for d in units["doc_id"]], dtype=np.int64)
    return _Corpus(
        ec, vocab, bow, units["unit_id"], units["doc_id"], units["n_tokens"], doc_ids, doc_pos
    )


def _facet_values(metadata_csv: PathLike, doc_ids: Sequence[str], facet: str) -> list[str]:
    from swedish_topics.analysis import facet_groups
    from swedish_topics.corpus import read_metadata

    rows = read_metadata(Path(metadata_csv), [facet]).rows
    return facet_groups(rows, doc_ids, facet)


def _groups(corpus: _Corpus, values: Sequence[str]) -> Any:
    from swedish_topics.analysis import group_order
    from swedish_topics.content import Groups

    names = group_order(values)
    pos = {g: i for i, g in enumerate(names)}
    doc_group = np.asarray([pos[v] for v in values], dtype=np.int64)
    n_docs = np.bincount(doc_group, minlength=len(names))
    return Groups(names, doc_group[corpus.doc_pos], n_docs, corpus.doc_pos, doc_group)


def _content_cfg(cfg: Mapping[str, Any]) -> dict[str, Any]:
    ccfg = cfg["content"]
    return {
        "n_terms": int(ccfg["n_terms"]),
        "prior_strength": float(ccfg["prior_strength"]),
        "min_group_docs": int(cfg["min_group_docs"]),
        "min_topic_tokens": float(ccfg["min_topic_tokens"]),
        "permutations": int(ccfg["permutations"]),
        "seed": int(ccfg["seed"]),
        "ci_level": float(cfg["analysis"]["ci_level"]),
    }


def _other_seeds(
    inputs: Mapping[str, Any], models: Sequence[Sequence[int]], corpus: _Corpus
) -> list[tuple[Any, np.ndarray]]:
    """Expected counts of the other seeds of the chosen K, with their topics matched."""
    from swedish_topics.content import ExpectedCounts
    from swedish_topics.metrics import match_topics

    with open(inputs["choice"], encoding="utf-8") as handle:
        choice = json.load(handle)
    k, seed = int(choice["k"]), int(choice["seed"])
    paths = list(inputs["models"]) if not isinstance(inputs["models"], str) else [inputs["models"]]
    others = []
    for (mk, ms), path in zip(models, paths, strict=True):
        if int(mk) != k or int(ms) == seed:
            continue
        arrays = sio.load_npz(path, ["theta", "topic_term"])
        perm, _ = match_topics(corpus.ec.topic_term, arrays["topic_term"])
        others.append(
            (ExpectedCounts.build(corpus.bow, arrays["theta"], arrays["topic_term"]), perm)
        )
    return others


def content_by_facet(
    *,
    inputs: Mapping[str, Any],
    cfg: Mapping[str, Any],
    facet: str,
    models: Sequence[Sequence[int]],
    outputs: Mapping[str, Any],
) -> None:
    """topic_terms_by_<facet>, representative_passages_by_<facet> and the divergence."""
    from swedish_topics import content

    corpus = _load_corpus(inputs)
    groups = _groups(corpus, _facet_values(inputs["metadata"], corpus.doc_ids, facet))
    ccfg = _content_cfg(cfg)
    words, divergence = content.words_and_divergence(
        corpus.ec, groups, corpus.vocab, facet=facet, cfg=ccfg
    )
    others = _other_seeds(inputs, models, corpus)
    held = content.seed_agreement(
        words, others, groups, prior_strength=ccfg["prior_strength"], depth=2 * ccfg["n_terms"]
    )
    _mark_seeds(words, held, groups, facet, n_others=len(others))
    caption = content.words_caption(
        facet,
        prior_strength=ccfg["prior_strength"],
        n_seeds=len(others),
        min_group_docs=ccfg["min_group_docs"],
    )
    content.write_words(outputs["words"], words.rows, facet=facet, caption=caption)
    content.write_divergence(outputs["divergence"], divergence)
    _write_group_passages(inputs, cfg, corpus, groups, facet, words, outputs["passages"])


def _mark_seeds(
    words: Any, held: Mapping[tuple[int, int], list[int]], groups: Any, facet: str, *, n_others: int
) -> None:
    """Fill holds_seeds / n_seeds and flag words that do not hold in every other seed."""
    from swedish_topics.content import FLAG_SEED_UNSTABLE

    pos = {g: i for i, g in enumerate(groups.names)}
    for row in words.rows:
        row["n_seeds"] = n_others
        if not n_others:
            row["holds_seeds"] = None
            continue
        count = held[(row["topic"] - 1, pos[row[facet]])][row["rank"] - 1]
        row["holds_seeds"] = count
        if count < n_others:
            row["flag"] = ";".join(f for f in (row["flag"], FLAG_SEED_UNSTABLE) if f)


def _write_group_passages(
    inputs: Mapping[str, Any],
    cfg: Mapping[str, Any],
    corpus: _Corpus,
    groups: Any,
    facet: str,
    words: Any,
    out_csv: PathLike,
) -> None:
    from swedish_topics import content, terms

    min_weight = float(cfg["content"]["passage_min_weight"])
    chosen = content.passages_by_group(
        corpus.ec.theta,
        corpus.unit_doc_ids,
        groups.unit_group,
        len(groups.names),
        n_passages=int(cfg["content"]["passages_per_group"]),
        min_weight=min_weight,
        unit_n_tokens=corpus.unit_n_tokens,
    )
    needed = sorted({i for units in chosen.values() for i in units})
    texts = terms.load_unit_texts(
        inputs["units_jsonl"], [corpus.unit_ids[i] for i in needed], n_units=len(corpus.unit_ids)
    )
    text_of = dict(zip(needed, texts, strict=True))
    flag_of = {(r["topic"], r[facet]): r["flag"].split(";") for r in words.rows if r["rank"] == 1}
    rows = []
    for (k, g), units in sorted(chosen.items()):
        name = groups.names[g]
        small = [f for f in flag_of.get((k + 1, name), []) if f in ("single_doc", "few_docs")]
        for rank, i in enumerate(units, start=1):
            rows.append(
                {
                    "topic": k + 1,
                    facet: name,
                    "rank": rank,
                    "doc_id": corpus.unit_doc_ids[i],
                    "unit_id": corpus.unit_ids[i],
                    "weight": float(corpus.ec.theta[i, k]),
                    "n_docs": int(groups.n_docs[g]),
                    "flag": ";".join(small),
                    "text": terms.trim_text(text_of[i]),
                }
            )
    content.write_passages(out_csv, rows, facet=facet, min_weight=min_weight)


def content_over_facet(
    *,
    inputs: Mapping[str, Any],
    cfg: Mapping[str, Any],
    facet: str,
    outputs: Mapping[str, Any],
) -> None:
    """topic_terms_over_<facet>: leading words per value; rising and falling words."""
    from swedish_topics import content

    corpus = _load_corpus(inputs)
    raw = _facet_values(inputs["metadata"], corpus.doc_ids, facet)
    values = np.asarray([float(v) for v in raw])
    strata_facets = [
        f
        for f in cfg["facets"]
        if f != facet and f not in cfg["numeric_facets"] and bool(cfg["content"]["stratify"])
    ]
    cells = (
        [
            tuple(x)
            for x in zip(
                *(_facet_values(inputs["metadata"], corpus.doc_ids, f) for f in strata_facets),
                strict=True,
            )
        ]
        if strata_facets
        else [()] * len(corpus.doc_ids)
    )
    cell_pos = {c: i for i, c in enumerate(sorted(set(cells)))}
    doc_stratum = np.asarray([cell_pos[c] for c in cells], dtype=np.int64)
    value_docs = dict(sorted(Counter(values.tolist()).items()))
    rows = content.over_time_rows(
        corpus.ec,
        corpus.vocab,
        facet=facet,
        unit_value=values[corpus.doc_pos],
        unit_stratum=doc_stratum[corpus.doc_pos],
        n_strata=len(cell_pos),
        value_docs=value_docs,
        cfg={**_content_cfg(cfg), "strata_note": _strata_note(strata_facets, len(cell_pos))},
    )
    content.write_over_time(
        outputs["over"],
        rows,
        facet=facet,
        strata=strata_facets,
        prior_strength=float(cfg["content"]["prior_strength"]),
    )


def _strata_note(strata_facets: Sequence[str], n_strata: int) -> str:
    """How the earlier and later half were compared (the note of rising/falling rows;
    ``{n_both}`` is filled per topic with the groups that wrote in both halves)."""
    if not strata_facets:
        return "marginal: all documents compared, not stratified by another facet"
    return (
        f"stratified: compared within each of {n_strata} groups of {' x '.join(strata_facets)} "
        "and pooled; {n_both} of them wrote in both halves"
    )


# ------------------------------------------------------------------------- figures
def plot_topic_words_by_facet(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], facet: str, out_png: PathLike
) -> None:
    """Figure: the distinctive words of the largest groups in the leading topics."""
    from swedish_topics import figures

    figures.plot_topic_words_by_group(
        inputs["words"],
        inputs["topics"],
        facet,
        Path(out_png).with_suffix(""),
        n_topics=int(cfg["content"]["plot_topics"]),
        n_groups=int(cfg["content"]["plot_groups"]),
    )


def plot_topic_words_over_facet(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], facet: str, out_png: PathLike
) -> None:
    """Figure: the words that rose and fell within the leading topics over ``facet``."""
    from swedish_topics import figures

    figures.plot_topic_words_over(
        inputs["over"],
        inputs["topics"],
        facet,
        Path(out_png).with_suffix(""),
        n_topics=int(cfg["content"]["plot_topics"]),
    )


# ------------------------------------------------------------------------- browser
def topic_browser(*, inputs: Mapping[str, Any], cfg: Mapping[str, Any], out_html: PathLike) -> None:
    """The offline topic browser (figures/topic_browser.html)."""
    from swedish_topics import browser

    data = browser.browser_data(
        inputs,
        facets=list(cfg["facets"]),
        numeric_facets=list(cfg["numeric_facets"]),
        doc_names=browser.doc_names(cfg, inputs),
    )
    data["thresholds"] = {
        "min_group_docs": int(cfg["min_group_docs"]),
        "min_topic_tokens": float(cfg["content"]["min_topic_tokens"]),
    }
    n_bytes = browser.write_page(
        out_html,
        data,
        subtitle=(
            f"{len(data['topics'])} topics by {', '.join(cfg['facets'])}: choose a topic, a "
            "facet and a group to read how that group words the topic. Offline; nothing "
            "here is loaded from the network."
        ),
    )
    logger.info("topic browser: %s (%.2f MB)", out_html, n_bytes / 1e6)
