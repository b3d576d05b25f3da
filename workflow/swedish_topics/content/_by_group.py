"""Per topic and group of one facet: distinctive words, wording divergence, passages.

One pass over the topics computes, from the expected counts of each topic
(:mod:`swedish_topics.content._counts`), every group's weighted log-odds against the
rest of the corpus and the divergence of the groups' word distributions with its
permutation null, so the bag of words is read and weighed once per facet.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from swedish_topics.analysis import FLAG_FEW_DOCS, FLAG_SINGLE_DOC, make_rng
from swedish_topics.content._counts import ExpectedCounts, group_indicator
from swedish_topics.content._logodds import leading_terms, weighted_log_odds

logger = logging.getLogger(__name__)

#: Flag of a group whose expected tokens of the topic are fewer than ``min_topic_tokens``.
FLAG_FEW_TOKENS = "few_tokens"
#: Flag of a leading word that is not among the group's leading words in another seed.
FLAG_SEED_UNSTABLE = "not_in_all_seeds"

#: A group's word is listed only if the group holds at least this many expected tokens of
#: it in the topic: a word the group "uses" a fraction of one time is not its word.
MIN_WORD_COUNT = 0.5

# Words of a topic kept for the divergence (the rest pooled into one "other" word).
_DIVERGENCE_TERMS = 500


@dataclass(frozen=True)
class Groups:
    """The groups of one facet: names in display order, each unit's group, documents."""

    names: list[str]
    unit_group: np.ndarray  # position in ``names`` of each unit's group
    n_docs: np.ndarray  # documents per group
    doc_of_unit: np.ndarray  # position of each unit's document
    doc_group: np.ndarray  # position in ``names`` of each document's group

    @property
    def indicator(self) -> sp.csr_matrix:
        """Groups × units 0/1 matrix."""
        return group_indicator(self.unit_group, len(self.names))


def group_flags(
    n_docs: int, n_tokens: float, *, min_group_docs: int, min_topic_tokens: float
) -> tuple[list[str], str]:
    """Flags and note of one group in one topic: few documents or few topic tokens.

    >>> group_flags(1, 500.0, min_group_docs=3, min_topic_tokens=50)[0]
    ['single_doc']
    >>> group_flags(40, 12.0, min_group_docs=3, min_topic_tokens=50)[0]
    ['few_tokens']
    """
    flags, notes = [], []
    if n_docs == 1:
        flags.append(FLAG_SINGLE_DOC)
        notes.append("a single document")
    elif n_docs < min_group_docs:
        flags.append(FLAG_FEW_DOCS)
        notes.append(f"only {n_docs} documents (fewer than {min_group_docs})")
    if n_tokens < min_topic_tokens:
        flags.append(FLAG_FEW_TOKENS)
        notes.append(f"only {n_tokens:.0f} tokens of this topic (fewer than {min_topic_tokens:g})")
    if notes:
        notes.append("its words are descriptive, not a finding")
    return flags, "; ".join(notes)


@dataclass
class TopicGroupWords:
    """Rows of ``topic_terms_by_<facet>`` and, per topic and group, the leading term ids."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    leading: dict[tuple[int, int], list[int]] = field(default_factory=dict)


def _words_of_topic(
    k: int,
    counts: np.ndarray,
    groups: Groups,
    vocab: Sequence[str],
    facet: str,
    cfg: Mapping[str, Any],
    out: TopicGroupWords,
) -> None:
    """Append topic ``k``'s rows (every group's leading words) to ``out``."""
    lo = weighted_log_odds(counts, prior_strength=float(cfg["prior_strength"]))
    n_terms = int(cfg["n_terms"])
    order = leading_terms(lo.z, n_terms)
    topic_tokens = counts.sum(axis=1)
    for g, name in enumerate(groups.names):
        flags, note = group_flags(
            int(groups.n_docs[g]),
            float(topic_tokens[g]),
            min_group_docs=int(cfg["min_group_docs"]),
            min_topic_tokens=float(cfg["min_topic_tokens"]),
        )
        chosen = [
            int(w)
            for w in order[g]
            if np.isfinite(lo.z[g, w]) and lo.z[g, w] > 0 and counts[g, w] >= MIN_WORD_COUNT
        ]
        out.leading[(k, g)] = chosen
        for rank, w in enumerate(chosen, start=1):
            out.rows.append(
                {
                    "topic": k + 1,
                    facet: name,
                    "rank": rank,
                    "term": vocab[w],
                    "z": float(lo.z[g, w]),
                    "log_odds": float(lo.log_odds[g, w]),
                    "count_group": float(lo.count_group[g, w]),
                    "count_rest": float(lo.count_rest[g, w]),
                    "n_docs": int(groups.n_docs[g]),
                    "topic_tokens": float(topic_tokens[g]),
                    "flag": ";".join(flags),
                    "note": note,
                }
            )


def _entropy_bits(p: np.ndarray) -> np.ndarray:
    """Row entropies (bits) of non-negative rows that sum to 1 (0 log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log2(p), 0.0)
    return np.asarray(-terms.sum(axis=1))


def js_divergence(counts: np.ndarray) -> float:
    """Token-weighted Jensen–Shannon divergence (bits) of the rows of ``counts``.

    The mutual information between group and word within the topic:
    H(Σ π_g p_g) − Σ π_g H(p_g), π_g the group's share of the tokens. 0 when every group
    uses the words in the same proportions.

    >>> round(js_divergence(np.array([[1.0, 0.0], [0.0, 1.0]])), 6)
    1.0
    >>> js_divergence(np.array([[2.0, 2.0], [1.0, 1.0]]))
    0.0
    """
    counts = np.asarray(counts, dtype=np.float64)
    n = counts.sum(axis=1)
    keep = n > 0
    if keep.sum() < 2:
        return 0.0
    counts, n = counts[keep], n[keep]
    pi = n / n.sum()
    p = counts / n[:, None]
    mix = (pi[:, None] * p).sum(axis=0, keepdims=True)
    value = float(_entropy_bits(mix)[0] - (pi * _entropy_bits(p)).sum())
    return max(value, 0.0)


def _doc_counts(topic_counts: sp.csr_matrix, groups: Groups, n_docs: int) -> sp.csr_matrix:
    """Documents × (top words + "other") expected counts of one topic."""
    totals = np.asarray(topic_counts.sum(axis=0)).ravel()
    top = np.argsort(-totals, kind="stable")[:_DIVERGENCE_TERMS]
    doc_ind = group_indicator(groups.doc_of_unit, n_docs)
    per_doc = doc_ind @ topic_counts
    kept = per_doc[:, top]
    other = np.asarray(per_doc.sum(axis=1)).ravel() - np.asarray(kept.sum(axis=1)).ravel()
    return sp.hstack([kept, sp.csr_matrix(np.maximum(other, 0.0)[:, None])], format="csr")


def divergence_with_null(
    doc_counts: sp.csr_matrix,
    doc_group: np.ndarray,
    n_groups: int,
    *,
    n_permutations: int,
    rng: np.random.Generator,
    ci_level: float = 0.95,
) -> dict[str, float]:
    """Observed divergence of the groups' words, and its null with groups shuffled.

    Documents keep their words; their group labels are permuted (group sizes kept), so
    the null holds the divergence that groups of these sizes show by chance.

    Returns
    -------
    dict
        ``observed``, ``null_mean``, ``excess`` (observed − null mean), ``null_low`` and
        ``null_high`` (the null's ``ci_level`` interval, minus the null mean: the excess
        chance alone gives) and ``p_value`` ((1 + #null ≥ observed) / (1 + permutations)).
    """

    def value(labels: np.ndarray) -> float:
        agg = group_indicator(labels, n_groups) @ doc_counts
        return js_divergence(agg.toarray())

    observed = value(doc_group)
    null = np.array([value(rng.permutation(doc_group)) for _ in range(n_permutations)])
    tail = (1.0 - ci_level) / 2.0
    mean = float(null.mean()) if null.size else float("nan")
    low, high = np.quantile(null, [tail, 1.0 - tail]) if null.size else (np.nan, np.nan)
    return {
        "observed": observed,
        "null_mean": mean,
        "excess": observed - mean,
        "null_low": float(low) - mean,
        "null_high": float(high) - mean,
        "p_value": float((1 + (null >= observed - 1e-12).sum()) / (1 + null.size)),
    }


def words_and_divergence(
    ec: ExpectedCounts,
    groups: Groups,
    vocab: Sequence[str],
    *,
    facet: str,
    cfg: Mapping[str, Any],
) -> tuple[TopicGroupWords, list[dict[str, Any]]]:
    """Every topic's leading words per group, and its wording divergence per facet.

    Parameters
    ----------
    cfg
        ``n_terms``, ``prior_strength``, ``min_group_docs``, ``min_topic_tokens``,
        ``permutations``, ``seed``, ``ci_level``.

    Returns
    -------
    words : TopicGroupWords
        The rows of ``topic_terms_by_<facet>``.
    divergence : list of dict
        Per topic: ``topic`` and the fields of :func:`divergence_with_null`.
    """
    indicator = groups.indicator
    words = TopicGroupWords()
    divergence = []
    n_docs = int(groups.doc_group.size)
    for k in range(ec.n_topics):
        topic_counts = ec.topic(k)
        counts = np.asarray((indicator @ topic_counts).toarray())
        _words_of_topic(k, counts, groups, vocab, facet, cfg, words)
        rng = make_rng(int(cfg["seed"]), "wording divergence", facet, str(k + 1))
        div = divergence_with_null(
            _doc_counts(topic_counts, groups, n_docs),
            groups.doc_group,
            len(groups.names),
            n_permutations=int(cfg["permutations"]),
            rng=rng,
            ci_level=float(cfg["ci_level"]),
        )
        divergence.append({"topic": k + 1, **div})
        logger.info("%s: topic %d of %d done", facet, k + 1, ec.n_topics)
    return words, divergence


def seed_agreement(
    final: TopicGroupWords,
    others: Sequence[tuple[ExpectedCounts, np.ndarray]],
    groups: Groups,
    *,
    prior_strength: float,
    depth: int,
) -> dict[tuple[int, int], list[int]]:
    """For each (topic, group), how many other seeds' models share each leading word.

    Parameters
    ----------
    others
        Per other model of the same K: its expected counts and ``perm`` (``perm[k]`` is
        its topic matched to topic k of the final model).
    depth
        A word holds in another model when it is among that model's ``depth`` leading
        words of the group in the matched topic.

    Returns
    -------
    dict
        ``(topic index, group index)`` → per leading word, the number of other models
        where it holds.
    """
    indicator = groups.indicator
    held = {key: [0] * len(words) for key, words in final.leading.items()}
    for ec, perm in others:
        for k in range(ec.n_topics):
            counts = np.asarray((indicator @ ec.topic(int(perm[k]))).toarray())
            lo = weighted_log_odds(counts, prior_strength=prior_strength)
            order = leading_terms(lo.z, depth)
            for g in range(len(groups.names)):
                top = {int(w) for w in order[g] if np.isfinite(lo.z[g, w]) and lo.z[g, w] > 0}
                for i, w in enumerate(final.leading[(k, g)]):
                    held[(k, g)][i] += w in top
    return held
