"""Word and topic intrusion tasks for human coders (Chang et al. 2009).

*Word intrusion*: the five most probable words of a topic and one *intruder*, a word that
is improbable in that topic but among the most probable words of another topic, shown in
random order. If the topic is coherent, coders find the intruder; the share of coders who
do is the topic's *model precision*.

*Topic intrusion*: a passage, three of its most probable topics and one improbable topic
(each shown by its top words), in random order. Coders pick the topic that does not
belong; the *topic log odds* (log θ of the true intruder minus log θ of the coder's pick)
is 0 when they pick the intruder and negative otherwise.

Everything is seeded: the same model, passages and seed give the same tasks. The coder's
view holds no answer; the answers (the *key*) are returned separately and written apart.

Examples
--------
>>> import numpy as np
>>> topic_term = np.full((2, 12), 0.01)
>>> topic_term[0, :6] = topic_term[1, 6:] = 0.16
>>> tasks = word_intrusion_tasks(topic_term, [f"w{i}" for i in range(12)], seed=1)
>>> len(tasks), len(tasks[0].words)
(2, 6)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

logger = logging.getLogger(__name__)

#: Top words of a topic shown in a word-intrusion task (Chang et al. 2009 use five).
N_TOP_WORDS = 5
#: An intruder is among this many most probable words of another topic, and in the less
#: probable half of the vocabulary of the task's topic (or, with a small vocabulary,
#: outside that topic's top ``INTRUDER_TOP`` words).
INTRUDER_TOP = 10


@dataclass(frozen=True)
class WordTask:
    """One word-intrusion task: ``words`` in the order shown; ``intruder`` its index."""

    task_id: str
    topic: int
    words: tuple[str, ...]
    intruder: int
    intruder_topic: int


@dataclass(frozen=True)
class TopicTask:
    """One topic-intrusion task: a passage and four topics (1-based ids) in shown order.

    ``theta`` holds the passage's proportion of each shown topic (same order);
    ``intruder`` is the index of the improbable topic.
    """

    task_id: str
    unit_id: str
    doc_id: str
    text: str
    topics: tuple[int, ...]
    theta: tuple[float, ...]
    intruder: int


def _rng(seed: int, purpose: str) -> np.random.Generator:
    from swedish_topics.analysis import make_rng

    return make_rng(seed, "intrusion", purpose)


def _intruder_pool(topic_term: np.ndarray, topic: int, top_ids: np.ndarray) -> list[int]:
    """Words among the top ``INTRUDER_TOP`` of another topic, improbable in ``topic``."""
    k, v = topic_term.shape
    order = np.argsort(-topic_term[topic], kind="stable")
    rank = np.empty(v, dtype=np.int64)
    rank[order] = np.arange(v)
    n_top = min(INTRUDER_TOP, v)
    shown = set(int(i) for i in top_ids[topic, :N_TOP_WORDS])
    others = sorted({int(w) for t in range(k) if t != topic for w in top_ids[t, :n_top]} - shown)
    low = [w for w in others if rank[w] >= v // 2]
    if low:
        return low
    # A small vocabulary: settle for words outside the topic's own top words.
    return [w for w in others if rank[w] >= n_top]


def word_intrusion_tasks(
    topic_term: np.ndarray,
    vocab: Sequence[str],
    *,
    seed: int,
    tasks_per_topic: int = 1,
) -> list[WordTask]:
    """Word-intrusion tasks for every topic of a model.

    Parameters
    ----------
    topic_term
        ``(K, V)`` topic-word probabilities.
    vocab
        The ``V`` words.
    seed
        Seeds the choice of intruders and the order of the words.
    tasks_per_topic
        Tasks per topic, each with a different intruder where the pool allows.

    Returns
    -------
    list of WordTask
        Topic by topic; a topic without any possible intruder (fewer than two topics, or
        a vocabulary too small) gets no task and a warning.
    """
    k, v = topic_term.shape
    if len(vocab) != v:
        raise ValueError(f"{len(vocab)} words for a topic-term array of {v} columns")
    top_ids = np.argsort(-topic_term, axis=1, kind="stable")[:, : max(N_TOP_WORDS, INTRUDER_TOP)]
    rng = _rng(seed, "word")
    tasks = []
    for topic in range(k):
        pool = _intruder_pool(topic_term, topic, top_ids)
        if not pool or v < N_TOP_WORDS + 1:
            logger.warning("topic %d: no intruder word is possible; no word task", topic + 1)
            continue
        picks = rng.permutation(pool)[:tasks_per_topic]
        picks = np.resize(picks, tasks_per_topic)  # a small pool repeats its intruders
        for n, intruder in enumerate(picks, start=1):
            words = [int(w) for w in top_ids[topic, :N_TOP_WORDS]] + [int(intruder)]
            order = rng.permutation(len(words))
            shown = tuple(vocab[words[i]] for i in order)
            owner = max((t for t in range(k) if t != topic), key=lambda t: topic_term[t, intruder])
            tasks.append(
                WordTask(
                    task_id=f"W{topic + 1:03d}-{n}",
                    topic=topic + 1,
                    words=shown,
                    intruder=int(np.flatnonzero(order == N_TOP_WORDS)[0]),
                    intruder_topic=owner + 1,
                )
            )
    return tasks


def choose_passages(
    theta: np.ndarray, n_tokens: Sequence[int], *, seed: int, per_topic: int, min_tokens: int = 1
) -> list[int]:
    """Units for topic-intrusion tasks: ``per_topic`` units per dominant topic, seeded.

    A unit is eligible if it has at least ``min_tokens`` tokens; each topic's units are
    drawn from those whose dominant topic it is (fewer if it dominates fewer). Returned
    sorted by (dominant topic, draw order).
    """
    dominant = np.argmax(theta, axis=1)
    eligible = np.asarray(n_tokens) >= min_tokens
    rng = _rng(seed, "passages")
    chosen: list[int] = []
    for topic in range(theta.shape[1]):
        units = np.flatnonzero((dominant == topic) & eligible)
        chosen += [int(u) for u in rng.permutation(units)[:per_topic]]
    return chosen


def topic_intrusion_tasks(
    theta: np.ndarray,
    units: Sequence[int],
    *,
    unit_ids: Sequence[str],
    doc_ids: Sequence[str],
    texts: Sequence[str],
    seed: int,
    n_top: int = 3,
) -> list[TopicTask]:
    """Topic-intrusion tasks for the given units (rows of ``theta``).

    The shown topics are the unit's ``n_top`` most probable topics and one intruder drawn
    from the less probable half of the topics strictly less probable than those (all of
    them with few topics); a unit without such a topic gives no task. A model with fewer
    than ``n_top + 1`` topics gives no task.

    Parameters
    ----------
    theta
        ``(units, K)`` topic proportions.
    units
        Rows of ``theta`` to make tasks of.
    unit_ids, doc_ids, texts
        For each of ``units``: its id, its document and the passage shown.
    seed
        Seeds the intruder and the order of the options.
    n_top
        Probable topics shown beside the intruder.
    """
    k = theta.shape[1]
    if k < n_top + 1:
        logger.warning("K=%d: topic intrusion needs at least %d topics; no task", k, n_top + 1)
        return []
    rng = _rng(seed, "topic")
    tasks: list[TopicTask] = []
    skipped = 0
    for u, unit_id, doc_id, text in zip(units, unit_ids, doc_ids, texts, strict=True):
        row = np.asarray(theta[u], dtype=np.float64)
        order = np.argsort(-row, kind="stable")
        rest = order[n_top:]
        # Only topics strictly less probable than the shown ones: a tie would make the
        # task unanswerable (short passages leave many topics at the prior's share).
        rest = rest[row[rest] < row[order[n_top - 1]]]
        if len(rest) == 0:
            skipped += 1
            continue
        pool = rest[len(rest) // 2 :] if len(rest) > 1 else rest
        intruder = int(rng.choice(pool))
        shown = [int(t) for t in order[:n_top]] + [intruder]
        perm = rng.permutation(len(shown))
        tasks.append(
            TopicTask(
                task_id=f"T{len(tasks) + 1:03d}",
                unit_id=unit_id,
                doc_id=doc_id,
                text=text,
                topics=tuple(shown[i] + 1 for i in perm),
                theta=tuple(float(row[shown[i]]) for i in perm),
                intruder=int(np.flatnonzero(perm == n_top)[0]),
            )
        )
    if skipped:
        logger.warning(
            "%d passage(s) give no topic-intrusion task: no topic is less probable than "
            "their %d most probable ones",
            skipped,
            n_top,
        )
    return tasks
