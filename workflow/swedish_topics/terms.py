"""Describe topics: top terms, FREX, LDAvis relevance, labels and representative passages.

Three views of a topic's words (all from the final model's ``topic_term`` matrix φ,
K × V, rows sum to 1):

* **weight**: φ_kw, the probability of word w in topic k ("highest probability" in stm).
  Frequent words that are common in every topic rank high.
* **FREX** (Bischof & Airoldi 2012; Roberts et al., stm ``calcfrex``): the weighted
  harmonic mean of a word's frequency rank and exclusivity rank within the topic,

  .. math:: \\mathrm{FREX}_{kw} = \\Big(\\frac{w}{F_{kw}} + \\frac{1-w}{E_{kw}}\\Big)^{-1}

  where F_kw is the empirical CDF (rank / V, ties averaged) of φ_kw among the words of
  topic k, E_kw the same for the exclusivity φ_kw / Σ_j φ_jw, and w (default 0.5) the
  weight on frequency. As in stm's ``labelTopics``, when corpus term counts are given the
  exclusivity of each word is first shrunk towards uniform by stm's James–Stein
  estimator (``js.estimate``), so that rare words are not automatically "exclusive".
  Scores lie in (0, 1]; higher is more frequent *and* exclusive.
* **relevance** (Sievert & Shirley 2014, LDAvis/pyLDAvis):
  λ·log φ_kw + (1 − λ)·log(φ_kw / p_w), with p_w the word's share of all tokens of the
  corpus (its term frequency divided by the total, as pyLDAvis computes it). λ = 1 ranks
  by weight; λ = 0 by lift; LDAvis's user study suggests λ ≈ 0.6.

Examples
--------
>>> import numpy as np
>>> phi = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]])
>>> frex_scores(phi).round(3).tolist()
[[1.0, 0.667, 0.333], [0.333, 0.667, 1.0]]
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from swedish_topics import io as sio
from swedish_topics.errors import ConfigError, CorpusError

logger = logging.getLogger(__name__)

#: Separator between the terms of an automatic label.
LABEL_SEPARATOR = " · "
#: Separator of the term lists in the topics table.
TERM_LIST_SEPARATOR = ", "

TOPIC_TERM_COLUMNS = (
    "topic",
    "rank",
    "term",
    "weight",
    "frex",
    "relevance",
    "frex_rank",
    "relevance_rank",
)
TOPIC_COLUMNS = ("topic", "label", "top_terms", "frex_terms", "prevalence", "coherence_npmi")
PASSAGE_COLUMNS = ("topic", "rank", "doc_id", "unit_id", "weight", "text")


# ------------------------------------------------------------------------- scores
def _check_topic_term(topic_term: np.ndarray) -> np.ndarray:
    phi = np.asarray(topic_term, dtype=np.float64)
    if phi.ndim != 2 or phi.shape[0] < 1 or phi.shape[1] < 1:
        raise ValueError(f"topic_term must be a non-empty K × V matrix, got shape {phi.shape}")
    return phi


def _check_term_freq(term_freq: Sequence[float] | np.ndarray, n_terms: int) -> np.ndarray:
    freq = np.asarray(term_freq, dtype=np.float64)
    if freq.shape != (n_terms,):
        raise ValueError(
            f"term_freq has {freq.size} entries but the vocabulary has {n_terms} terms"
        )
    if (freq < 0).any() or freq.sum() <= 0:
        raise ValueError("term frequencies must be non-negative with a positive total")
    return freq


def js_shrink_exclusivity(exclusivity: np.ndarray, term_freq: np.ndarray) -> np.ndarray:
    """stm's James–Stein shrinkage of each word's topic distribution towards uniform.

    Port of ``stm:::js.estimate`` applied to every column (word) of ``exclusivity``
    (K × V, columns p(topic | word)) with the word's corpus count: a word seen at most
    once gets the uniform distribution; otherwise the shrinkage intensity is
    λ = Σ_k var_k / Σ_k (p_k − 1/K)², var_k = p_k(1 − p_k)/(count − 1), clipped to
    [0, 1], and the estimate is λ/K + (1 − λ)·p.
    """
    out = np.array(exclusivity, dtype=np.float64)
    _js_shrink_in_place(out, np.asarray(term_freq, dtype=np.float64))
    return out


#: Columns (words) of a K × V matrix handled at once where every column is computed on
#: its own: the temporaries are K × this, not K × V (the vocabulary grows with the corpus).
_COLUMN_BLOCK = 4096


def _js_shrink_in_place(excl: np.ndarray, counts: np.ndarray) -> None:
    """:func:`js_shrink_exclusivity` of ``excl`` (float64, K × V) written into it."""
    unif = 1.0 / excl.shape[0]
    for start in range(0, excl.shape[1], _COLUMN_BLOCK):
        block = excl[:, start : start + _COLUMN_BLOCK]  # a view: written in place
        count = counts[start : start + _COLUMN_BLOCK]
        seen = count > 1
        with np.errstate(divide="ignore", invalid="ignore"):
            mlvar = block * (1.0 - block) / (count - 1.0)
            deviation = ((block - unif) ** 2).sum(axis=0)
            lam = mlvar.sum(axis=0) / deviation
        del mlvar
        lam = np.clip(np.nan_to_num(lam, nan=0.0, posinf=1.0), 0.0, 1.0)
        shrink = seen & (deviation > 0)
        block[:, shrink] = lam[shrink] * unif + (1.0 - lam[shrink]) * block[:, shrink]
        block[:, ~seen] = unif


def exclusivity(topic_term: np.ndarray, term_freq: np.ndarray | None = None) -> np.ndarray:
    """p(topic | word) = φ_kw / Σ_j φ_jw (K × V), shrunk as in stm if counts are given."""
    phi = _check_topic_term(topic_term)
    col = phi.sum(axis=0)
    excl = phi / np.where(col > 0, col, 1.0)
    excl[:, col == 0] = 1.0 / phi.shape[0]
    if term_freq is not None:
        _js_shrink_in_place(excl, _check_term_freq(term_freq, phi.shape[1]))
    return excl


def _average_ranks(values: np.ndarray) -> np.ndarray:
    """1-based ranks of the 1-D ``values`` (no NaN), tied values sharing their mean rank.

    The numbers of ``scipy.stats.rankdata(values, method="average")`` (all exact in
    float64), without importing SciPy's statistics (about 70 MB) for one function.

    >>> _average_ranks(np.array([0.0, 2.0, 3.0, 2.0])).tolist()
    [1.0, 2.5, 4.0, 2.5]
    """
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    counts = np.diff(np.append(starts, len(values)))
    ranks = np.empty(len(values), dtype=np.float64)
    ranks[order] = np.repeat((starts + 1) + (counts - 1) / 2, counts)
    return ranks


def frex_scores(
    topic_term: np.ndarray,
    *,
    frex_weight: float = 0.5,
    term_freq: Sequence[float] | np.ndarray | None = None,
) -> np.ndarray:
    """FREX score of every word in every topic (K × V), as stm's ``calcfrex``.

    Parameters
    ----------
    topic_term : numpy.ndarray
        φ, K × V, rows sum to 1.
    frex_weight : float
        Weight w on frequency (stm's ``frexweight``); 1 − w goes to exclusivity.
    term_freq : array-like, optional
        Corpus count of each word; enables stm's James–Stein shrinkage of exclusivity.

    Returns
    -------
    numpy.ndarray
        Scores in (0, 1]: 1/(w/F + (1 − w)/E) with F and E the within-topic ECDF ranks
        (rank/V, ties averaged) of frequency and exclusivity.
    """
    if not 0.0 <= frex_weight <= 1.0:
        raise ValueError(f"frex_weight must be between 0 and 1, got {frex_weight}")
    phi = _check_topic_term(topic_term)
    k, v = phi.shape
    excl = exclusivity(phi, None if term_freq is None else np.asarray(term_freq))
    # Topic by topic (the ranks are within a topic), each row of ``excl`` replaced by its
    # scores once ranked: memory holds one K × V array besides φ, not one per step.
    frex = excl
    for t in range(k):
        freq_score = _average_ranks(phi[t]) / v
        excl_score = _average_ranks(excl[t]) / v
        frex[t] = 1.0 / (frex_weight / freq_score + (1.0 - frex_weight) / excl_score)
    return frex


def relevance_scores(
    topic_term: np.ndarray, term_freq: Sequence[float] | np.ndarray, *, lam: float = 0.6
) -> np.ndarray:
    """LDAvis relevance λ·log φ_kw + (1 − λ)·log(φ_kw / p_w) (K × V), as pyLDAvis.

    ``p_w`` is ``term_freq / term_freq.sum()``. A zero φ_kw gives −inf.
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"relevance lambda must be between 0 and 1, got {lam}")
    phi = _check_topic_term(topic_term)
    freq = _check_term_freq(term_freq, phi.shape[1])
    p_w = freq / freq.sum()
    # In place, two K × V arrays: (1 − λ)·log lift, then λ·log φ added to it.
    with np.errstate(divide="ignore", invalid="ignore"):
        log_phi = np.log(phi)
        relevance = log_phi - np.log(p_w)[None, :]
    relevance *= 1.0 - lam
    log_phi *= lam
    relevance += log_phi
    return relevance


def _order(scores: np.ndarray, n: int | None = None) -> np.ndarray:
    """Word indices of each row by decreasing score, ties by vocabulary order; the first ``n``.

    Row by row, so that memory holds K × ``n`` indices, not K × V.
    """
    k, v = scores.shape
    n = v if n is None else min(n, v)
    order = np.empty((k, n), dtype=np.intp)
    for t in range(k):
        order[t] = np.argsort(-scores[t], kind="stable")[:n]
    return order


def _row_ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of every word of one row (1 = highest score, ties by index)."""
    ranks = np.empty(len(scores), dtype=np.intp)
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return ranks


def topic_terms(
    topic_term: np.ndarray,
    vocab: Sequence[str],
    term_freq: Sequence[float] | np.ndarray,
    *,
    n_terms: int = 20,
    lam: float = 0.6,
    frex_weight: float = 0.5,
    rank_by: str = "weight",
) -> list[dict[str, Any]]:
    """The top terms of every topic with their weight, FREX and relevance.

    Parameters
    ----------
    topic_term : numpy.ndarray
        φ, K × V.
    vocab : sequence of str
        The V terms.
    term_freq : array-like
        Corpus count of each term (for relevance's p_w and FREX shrinkage).
    n_terms : int
        Terms per topic.
    lam : float
        Relevance λ.
    frex_weight : float
        FREX weight on frequency.
    rank_by : {"weight", "frex", "relevance"}
        Which score chooses and orders the terms.

    Returns
    -------
    list of dict
        Rows ``topic`` (1-based), ``rank`` (1-based), ``term``, ``weight``, ``frex``,
        ``relevance``, ``frex_rank`` and ``relevance_rank`` (the term's rank among all
        terms of the topic by that score).
    """
    phi = _check_topic_term(topic_term)
    if len(vocab) != phi.shape[1]:
        raise ValueError(f"vocab has {len(vocab)} terms but topic_term has {phi.shape[1]}")
    freq = _check_term_freq(term_freq, phi.shape[1])
    frex = frex_scores(phi, frex_weight=frex_weight, term_freq=freq)
    rel = relevance_scores(phi, freq, lam=lam)
    scores = {"weight": phi, "frex": frex, "relevance": rel}
    if rank_by not in scores:
        raise ValueError(f"rank_by must be one of {sorted(scores)}, got {rank_by!r}")
    n = min(int(n_terms), phi.shape[1])
    order = _order(scores[rank_by], n)
    rows = []
    for k in range(phi.shape[0]):
        frex_rank = _row_ranks(frex[k])
        rel_rank = _row_ranks(rel[k])
        for r, w in enumerate(order[k]):
            rows.append(
                {
                    "topic": k + 1,
                    "rank": r + 1,
                    "term": vocab[w],
                    "weight": float(phi[k, w]),
                    "frex": float(frex[k, w]),
                    "relevance": float(rel[k, w]),
                    "frex_rank": int(frex_rank[w]),
                    "relevance_rank": int(rel_rank[w]),
                }
            )
    return rows


# ------------------------------------------------------------------------- labels
def _user_label_map(user_labels: Mapping[Any, str], n_topics: int) -> dict[int, str]:
    out: dict[int, str] = {}
    for key, label in user_labels.items():
        try:
            topic = int(key)
        except (TypeError, ValueError):
            raise ConfigError(
                f"Config key 'analysis.topic_labels' has the key {key!r}, which is not a "
                f"topic number. Use the topic numbers of the final model, 1 to {n_topics} "
                '(tables/topics.csv), e.g. {3: "E-tjänster"}.'
            ) from None
        if not 1 <= topic <= n_topics:
            raise ConfigError(
                f"Config key 'analysis.topic_labels' names topic {topic}, but the final model "
                f"has topics 1 to {n_topics}. Use a number from 1 to {n_topics} (see "
                "tables/topics.csv) or remove the entry; topic numbers change when K or the "
                "seed of the final model changes."
            )
        text = str(label).strip() if label is not None else ""
        if not text:
            raise ConfigError(
                f"Config key 'analysis.topic_labels' gives topic {topic} an empty label. Give "
                "it a name or remove the entry to use the automatic label."
            )
        out[topic] = text
    return out


def topic_labels(
    topic_term: np.ndarray,
    vocab: Sequence[str],
    *,
    user_labels: Mapping[Any, str],
    n: int = 3,
    term_freq: Sequence[float] | np.ndarray | None = None,
    frex_weight: float = 0.5,
) -> dict[int, str]:
    """A label per topic: ``"<topic>: <label>"``, e.g. ``"1: digital · kultur · skola"``.

    Automatic labels join the topic's top ``n`` terms by FREX (frequent and exclusive
    words distinguish topics better than the most probable ones). If two topics would get
    the same terms, both are extended by their next FREX terms until they differ (at most
    ``n + 5`` terms). User labels (1-based topic ids; YAML may give them as strings)
    replace the automatic ones.

    Raises
    ------
    ConfigError
        If a user label names a topic outside 1..K or is empty.
    """
    phi = _check_topic_term(topic_term)
    k, v = phi.shape
    if len(vocab) != v:
        raise ValueError(f"vocab has {len(vocab)} terms but topic_term has {v}")
    users = _user_label_map(user_labels, k)
    limit = min(n + 5, v)
    order = _order(frex_scores(phi, frex_weight=frex_weight, term_freq=term_freq), limit)
    lengths = dict.fromkeys(range(k), min(n, v))
    while True:
        seen: dict[tuple[int, ...], list[int]] = {}
        for t in range(k):
            if t + 1 not in users:
                seen.setdefault(tuple(order[t, : lengths[t]]), []).append(t)
        clashes = [ts for ts in seen.values() if len(ts) > 1]
        growable = [t for ts in clashes for t in ts if lengths[t] < limit]
        if not growable:
            break
        for t in growable:
            lengths[t] += 1
    for ts in clashes:
        logger.warning(
            "topics %s have the same top terms; they may be duplicates",
            ", ".join(str(t + 1) for t in ts),
        )
    labels = {}
    for t in range(k):
        text = users.get(t + 1) or LABEL_SEPARATOR.join(vocab[w] for w in order[t, : lengths[t]])
        labels[t + 1] = f"{t + 1}: {text}"
    return labels


def topics_table(
    topic_term: np.ndarray,
    vocab: Sequence[str],
    *,
    labels: Mapping[int, str],
    prevalence: Sequence[float] | np.ndarray,
    coherence_npmi: Sequence[float] | np.ndarray | None = None,
    term_freq: Sequence[float] | np.ndarray | None = None,
    n_top: int = 10,
    frex_weight: float = 0.5,
) -> list[dict[str, Any]]:
    """One row per topic: label, top terms by weight and by FREX, prevalence, coherence.

    Parameters
    ----------
    prevalence : array-like
        Corpus-wide prevalence of each topic. The workflow passes the mean document
        proportion (:func:`swedish_topics.analysis.corpus_prevalence`), the same
        estimator as the group prevalence tables, so each document counts once.
    coherence_npmi : array-like, optional
        NPMI coherence of each topic (from the model-selection tables).

    Returns
    -------
    list of dict
        Rows ``topic``, ``label``, ``top_terms`` and ``frex_terms`` (``n_top`` terms
        joined by ", "), ``prevalence``, ``coherence_npmi``.
    """
    phi = _check_topic_term(topic_term)
    k = phi.shape[0]
    prevalence = np.asarray(prevalence, dtype=np.float64)
    if prevalence.shape != (k,):
        raise ValueError(f"prevalence has {prevalence.size} values for {k} topics")
    if coherence_npmi is not None and len(coherence_npmi) != k:
        raise ValueError(f"coherence_npmi has {len(coherence_npmi)} values for {k} topics")
    n = min(n_top, phi.shape[1])
    by_weight = _order(phi, n)
    by_frex = _order(frex_scores(phi, frex_weight=frex_weight, term_freq=term_freq), n)
    return [
        {
            "topic": t + 1,
            "label": labels[t + 1],
            "top_terms": TERM_LIST_SEPARATOR.join(vocab[w] for w in by_weight[t]),
            "frex_terms": TERM_LIST_SEPARATOR.join(vocab[w] for w in by_frex[t]),
            "prevalence": float(prevalence[t]),
            "coherence_npmi": float(coherence_npmi[t]) if coherence_npmi is not None else None,
        }
        for t in range(k)
    ]


# ----------------------------------------------------------------------- passages
def trim_text(
    text: str, max_chars: int = 600, sentences: Callable[[str], list[str]] | None = None
) -> str:
    """Collapse whitespace and cut at a word boundary near ``max_chars``, adding "…".

    With ``sentences`` (a sentence splitter), a text that is too long keeps its whole
    first sentences up to ``max_chars`` when they fill at least half of it.

    >>> trim_text("ett två tre fyra", 9)
    'ett två…'
    >>> trim_text("Ett två. Tre fyra fem.", 12, sentences=lambda t: [t[:8], t[9:]])
    'Ett två. …'
    """
    flat = " ".join(text.split())
    if len(flat) <= max_chars:
        return flat
    if sentences is not None:
        kept = ""
        for sentence in sentences(flat):
            longer = f"{kept} {sentence}".strip()
            if len(longer) > max_chars:
                break
            kept = longer
        if len(kept) >= max_chars // 2:
            return f"{kept} …"
    cut = flat[:max_chars]
    space = cut.rfind(" ")
    if space >= max_chars // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:–-") + "…"


def passage_units(
    theta: np.ndarray,
    unit_doc_ids: Sequence[str],
    *,
    n_passages: int = 5,
    unit_n_tokens: Sequence[int] | None = None,
    min_tokens: int = 20,
    max_per_doc: int = 2,
) -> list[list[int]]:
    """Positions of the units that carry each topic most (see :func:`representative_passages`).

    Needs no texts, so that only the texts of the chosen units have to be read.

    Returns
    -------
    list of list of int
        Per topic, the chosen unit positions (rows of ``theta``), highest proportion
        first (ties by position).
    """
    # Kept in its dtype (float32 from the model file): only compared, so no float64 copy.
    theta = np.asarray(theta)
    n_units = theta.shape[0]
    if len(unit_doc_ids) != n_units:
        raise ValueError(f"theta has {n_units} rows but there are {len(unit_doc_ids)} doc ids")
    long_enough = (
        np.asarray(unit_n_tokens) >= min_tokens
        if unit_n_tokens is not None
        else np.ones(n_units, dtype=bool)
    )
    n = min(n_passages, n_units)
    out = []
    for t in range(theta.shape[1]):
        order = np.argsort(-theta[:, t], kind="stable")
        chosen: list[int] = []
        per_doc: dict[str, int] = {}
        passes = (
            (lambda i: long_enough[i], max_per_doc),
            (lambda i: True, max_per_doc),
            (lambda i: True, n_units),
        )
        for eligible, cap in passes:
            for i in order:
                if len(chosen) >= n:
                    break
                doc = unit_doc_ids[i]
                if i in chosen or not eligible(i) or per_doc.get(doc, 0) >= cap:
                    continue
                chosen.append(int(i))
                per_doc[doc] = per_doc.get(doc, 0) + 1
        chosen.sort(key=lambda i: (-theta[i, t], i))
        out.append(chosen)
    return out


def passage_rows(
    theta: np.ndarray,
    unit_ids: Sequence[str],
    unit_doc_ids: Sequence[str],
    chosen: Sequence[Sequence[int]],
    unit_texts: Mapping[int, str] | Sequence[str],
    *,
    max_chars: int = 600,
    sentences: Callable[[str], list[str]] | None = None,
) -> list[dict[str, Any]]:
    """The rows of ``representative_passages`` for the units chosen by :func:`passage_units`.

    Parameters
    ----------
    unit_texts
        The text of every unit (a sequence) or of the chosen units only (a mapping
        from unit position to text).
    sentences
        A sentence splitter: a long passage is cut after a sentence (:func:`trim_text`).
    """
    theta = np.asarray(theta)  # only read: ``float()`` of a float32 is exact
    rows = []
    for t, units in enumerate(chosen):
        for r, i in enumerate(units):
            rows.append(
                {
                    "topic": t + 1,
                    "rank": r + 1,
                    "doc_id": unit_doc_ids[i],
                    "unit_id": unit_ids[i],
                    "weight": float(theta[i, t]),
                    "text": trim_text(unit_texts[i], max_chars, sentences),
                }
            )
    return rows


def representative_passages(
    theta: np.ndarray,
    unit_ids: Sequence[str],
    unit_doc_ids: Sequence[str],
    unit_texts: Sequence[str],
    *,
    n_passages: int = 5,
    unit_n_tokens: Sequence[int] | None = None,
    min_tokens: int = 20,
    max_per_doc: int = 2,
    max_chars: int = 600,
) -> list[dict[str, Any]]:
    """The units that carry each topic most: highest topic proportion first.

    Selection per topic, in order of decreasing proportion (ties by unit order): units
    with at least ``min_tokens`` tokens (very short units reach extreme proportions from
    a handful of words) and at most ``max_per_doc`` units per document; if that gives
    fewer than ``n_passages``, shorter units and then further units of the same
    documents fill the list. Rows are then ordered by proportion. The two steps are
    :func:`passage_units` (which units) and :func:`passage_rows` (the table), for callers
    that read the texts of the chosen units only.

    Returns
    -------
    list of dict
        Rows ``topic``, ``rank``, ``doc_id``, ``unit_id``, ``weight`` (the unit's topic
        proportion) and ``text`` (whitespace collapsed, cut near ``max_chars`` at a word
        boundary with "…").
    """
    theta = np.asarray(theta, dtype=np.float64)
    n_units = theta.shape[0]
    if not (len(unit_ids) == len(unit_doc_ids) == len(unit_texts) == n_units):
        raise ValueError(
            f"theta has {n_units} rows but there are {len(unit_ids)} unit ids, "
            f"{len(unit_doc_ids)} doc ids and {len(unit_texts)} texts"
        )
    chosen = passage_units(
        theta,
        unit_doc_ids,
        n_passages=n_passages,
        unit_n_tokens=unit_n_tokens,
        min_tokens=min_tokens,
        max_per_doc=max_per_doc,
    )
    return passage_rows(theta, unit_ids, unit_doc_ids, chosen, unit_texts, max_chars=max_chars)


# --------------------------------------------------------------------------- inputs
def term_frequencies_from_vocabulary_csv(
    path: str | os.PathLike[str], vocab: Sequence[str]
) -> np.ndarray:
    """Corpus count of each term of ``vocab`` from ``vocabulary.csv`` (term, count, …).

    Raises
    ------
    CorpusError
        If a term of the model's vocabulary is missing from the file.
    """
    counts = {row["term"]: float(row["count"]) for row in sio.read_csv(path)}
    missing = [t for t in vocab if t not in counts]
    if missing:
        raise CorpusError(
            f"{path}: {len(missing)} term(s) of the model's vocabulary are not in this "
            f"file, e.g. {', '.join(missing[:5])}. The model and the vocabulary table come "
            "from different preprocessing runs; rerun the workflow from preprocessing."
        )
    return np.asarray([counts[t] for t in vocab], dtype=np.float64)


def load_unit_texts(
    path: str | os.PathLike[str], unit_ids: Sequence[str], *, n_units: int | None = None
) -> list[str]:
    """Texts of ``unit_ids`` from ``preprocess/units.jsonl`` (unit_id, doc_id, text).

    The file is read line by line and only the texts asked for are kept, so memory grows
    with ``unit_ids``, not with the corpus.

    Parameters
    ----------
    path
        ``preprocess/units.jsonl``.
    unit_ids
        The units whose texts are returned, in this order.
    n_units
        The number of units of ``units.tsv``, if known: the file must hold as many.

    Raises
    ------
    CorpusError
        If a unit is missing from the file, or it holds another number of units than
        ``n_units``.
    """
    wanted = set(unit_ids)
    texts: dict[str, str] = {}
    n_records = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                n_records += 1
                record = json.loads(line)
                if record["unit_id"] in wanted:
                    texts[record["unit_id"]] = record["text"]
    missing = [u for u in unit_ids if u not in texts]
    if missing or (n_units is not None and n_records != n_units):
        what = (
            f"{len(missing)} unit(s) of units.tsv have no text here, e.g. {', '.join(missing[:5])}"
            if missing
            else f"it holds {n_records} units but units.tsv has {n_units}"
        )
        raise CorpusError(
            f"{path}: {what}. The two files come from different preprocessing "
            "runs; rerun the workflow from preprocessing."
        )
    return [texts[u] for u in unit_ids]


# --------------------------------------------------------------------------- writing
def write_topic_terms(
    path: str | os.PathLike[str],
    rows: Sequence[Mapping[str, Any]],
    *,
    lam: float,
    frex_weight: float,
) -> None:
    """Write ``topic_terms`` (CSV, .tex, .md) with a caption defining every score."""
    caption = (
        "Top terms of every topic by weight (probability of the term in the topic), with "
        f"FREX (harmonic mean of frequency and exclusivity ranks, weight {frex_weight} on "
        "frequency, exclusivity shrunk as in stm) and LDAvis relevance "
        f"(lambda = {lam}); frex_rank and relevance_rank rank the term among all terms of "
        "the topic by those scores."
    )
    sio.write_table(path, rows, list(TOPIC_TERM_COLUMNS), caption)


def write_topics(path: str | os.PathLike[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """Write ``topics`` (CSV, .tex, .md)."""
    caption = (
        "Topics of the final model: label (from the top FREX terms unless named in the "
        "configuration), top terms by weight and by FREX, prevalence (mean topic proportion "
        "of the documents) and NPMI coherence of the top terms."
    )
    sio.write_table(path, rows, list(TOPIC_COLUMNS), caption)


def write_passages(path: str | os.PathLike[str], rows: Sequence[Mapping[str, Any]]) -> None:
    """Write ``representative_passages`` (CSV, .tex, .md)."""
    caption = (
        "Representative passages: the units of analysis with the highest proportion of each "
        "topic (at most two per document where possible), text shortened at a word boundary."
    )
    sio.write_table(path, rows, list(PASSAGE_COLUMNS), caption)
