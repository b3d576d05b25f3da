"""Model metrics other than coherence: perplexity, diversity, exclusivity and stability.

All functions take the portable ``topic_term`` array of a model (``K × V`` float, rows sum
to 1, columns are dictionary ids), so they work the same for every training engine.

- **Perplexity** follows gensim: ``2 ** -bound`` of its per-word likelihood bound.
- **Topic diversity** (Dieng, Ruiz & Blei 2020): the share of distinct words among the
  top 25 words of all topics; 1 means no two topics share a top word.
- **Exclusivity** (the exclusivity half of FREX in stm, Roberts et al.; Bischof & Airoldi
  2012): for each topic, the mean over its top-N words of the word's share of probability
  that falls in this topic, ``phi[k, w] / sum_j phi[j, w]``; 1 means the topic's top words
  belong to it alone, ``1/K`` that they are spread evenly over all topics.
- **Stability** across seeds: topics of two runs with the same K are matched one-to-one
  (Hungarian algorithm, maximising similarity); a pair of runs scores the mean similarity
  of the matched topics; a K scores the mean over all pairs of seeds.

Examples
--------
>>> topic_diversity(topic_term, top_n=25)  # doctest: +SKIP
0.84
>>> stability({1: tt1, 2: tt2, 3: tt3}, measure="hellinger", top_n=10).mean  # doctest: +SKIP
0.91
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.spatial.distance import cdist

from swedish_topics.coherence import top_word_ids

logger = logging.getLogger(__name__)

Measure = Literal["hellinger", "jaccard"]
MATCH_MEASURES: tuple[str, ...] = ("hellinger", "jaccard")


def _check_topic_term(topic_term: np.ndarray) -> np.ndarray:
    arr = np.asarray(topic_term, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(f"topic_term must be a non-empty 2-D array, got shape {arr.shape}")
    return arr


# ------------------------------------------------------------------------------- diversity
def topic_diversity(topic_term: np.ndarray, top_n: int = 25) -> float:
    """Share of distinct words among all topics' top ``top_n`` words (Dieng et al. 2020).

    Parameters
    ----------
    topic_term
        ``(K, V)`` topic-word probabilities.
    top_n
        Words per topic (capped at ``V``).

    Returns
    -------
    float
        In ``[1/K, 1]``: 1 when no two topics share a top word.
    """
    arr = _check_topic_term(topic_term)
    top = top_word_ids(arr, min(top_n, arr.shape[1]))
    n_words = sum(len(t) for t in top)
    return len({w for t in top for w in t}) / n_words


# ----------------------------------------------------------------------------- exclusivity
def exclusivity(topic_term: np.ndarray, top_n: int = 10) -> list[float]:
    """Per-topic exclusivity of the top words (the exclusivity part of stm's FREX).

    For topic ``k`` with top words ``T_k`` (the ``top_n`` most probable, as in
    :func:`swedish_topics.coherence.top_word_ids`)::

        exclusivity_k = mean over w in T_k of  phi[k, w] / sum_j phi[j, w]

    i.e. the average share of each top word's probability mass (summed over topics) that
    this topic holds. stm's FREX goes on to rank these shares (empirical CDF) and combine
    them with frequency; this is the unranked share, which is comparable across models
    with the same K.

    Parameters
    ----------
    topic_term
        ``(K, V)`` topic-word probabilities.
    top_n
        Top words per topic (capped at ``V``).

    Returns
    -------
    list of float
        One value per topic, in ``(0, 1]``; 1 when no other topic gives the top words any
        probability.
    """
    arr = _check_topic_term(topic_term)
    totals = arr.sum(axis=0)
    values = []
    for k, words in enumerate(top_word_ids(arr, min(top_n, arr.shape[1]))):
        idx = np.asarray(words)
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(totals[idx] > 0, arr[k, idx] / totals[idx], 0.0)
        values.append(float(np.mean(shares)))
    return values


# -------------------------------------------------------------------------------- matching
def _sqrt_clipped(arr: np.ndarray) -> np.ndarray:
    """``sqrt(max(arr, 0))`` in one new array (the root taken in place: no second K×V)."""
    roots = np.clip(arr, 0.0, None)
    return np.sqrt(roots, out=roots)


def topic_similarity(
    a: np.ndarray, b: np.ndarray, measure: Measure = "hellinger", top_n: int = 10
) -> np.ndarray:
    """Similarity of every topic of ``a`` (rows) to every topic of ``b`` (columns).

    ``"hellinger"``: ``1 - H(p, q)`` with the Hellinger distance
    ``H = sqrt(sum((sqrt(p) - sqrt(q))**2) / 2)`` of the topic-word rows (both models
    must share the vocabulary). ``"jaccard"``: ``|A ∩ B| / |A ∪ B|`` of the top-``top_n``
    word sets. Both are in ``[0, 1]`` and exactly 1 for identical topics.
    """
    a = _check_topic_term(a)
    b = _check_topic_term(b)
    if measure == "hellinger":
        if a.shape[1] != b.shape[1]:
            raise ValueError(
                f"the models have different vocabularies ({a.shape[1]} vs {b.shape[1]} words)"
            )
        roots_a = _sqrt_clipped(a)
        roots_b = _sqrt_clipped(b)
        distance = cdist(roots_a, roots_b, metric="euclidean") / math.sqrt(2.0)
        return np.clip(1.0 - distance, 0.0, 1.0)
    if measure == "jaccard":
        sets_a = [set(t) for t in top_word_ids(a, min(top_n, a.shape[1]))]
        sets_b = [set(t) for t in top_word_ids(b, min(top_n, b.shape[1]))]
        return np.array([[len(x & y) / len(x | y) for y in sets_b] for x in sets_a])
    raise ValueError(f"unknown similarity measure {measure!r}; choose from {list(MATCH_MEASURES)}")


def match_topics(
    a: np.ndarray, b: np.ndarray, measure: Measure = "hellinger", top_n: int = 10
) -> tuple[np.ndarray, np.ndarray]:
    """Match the topics of ``b`` one-to-one to those of ``a``, maximising total similarity.

    Parameters
    ----------
    a, b
        ``(K, V)`` topic-word arrays of two models with the same K.
    measure
        ``"hellinger"`` or ``"jaccard"`` (see :func:`topic_similarity`).
    top_n
        Top words per topic for ``"jaccard"``.

    Returns
    -------
    perm : numpy.ndarray
        ``perm[i]`` is the topic of ``b`` matched to topic ``i`` of ``a`` (0-based).
    similarity : numpy.ndarray
        ``similarity[i]``: similarity of topic ``i`` of ``a`` and topic ``perm[i]`` of ``b``.
    """
    sim = topic_similarity(a, b, measure, top_n)
    if sim.shape[0] != sim.shape[1]:
        raise ValueError(f"the models have different numbers of topics: {sim.shape}")
    rows, cols = linear_sum_assignment(sim, maximize=True)
    perm = np.empty(sim.shape[0], dtype=np.int64)
    perm[rows] = cols
    return perm, sim[rows, cols]


# ------------------------------------------------------------------------------- stability
@dataclass(frozen=True)
class StabilityResult:
    """Agreement of the runs (seeds) of one K.

    Attributes
    ----------
    mean, min, max
        Mean, smallest and largest matched mean similarity over all pairs of seeds (NaN
        with fewer than two seeds).
    per_seed
        Seed → mean matched similarity of that seed to every other seed (NaN with one
        seed); the seed that agrees most with the others is the most typical run.
    n_pairs
        Number of seed pairs compared.
    measure, top_n
        How topics were compared.
    pairs
        ``(seed_a, seed_b)`` → matched mean similarity.
    note
        Why the values are undefined, if they are.
    """

    mean: float
    min: float
    max: float
    per_seed: dict[int, float]
    n_pairs: int
    measure: str
    top_n: int
    pairs: dict[tuple[int, int], float] = field(default_factory=dict)
    note: str | None = None


def stability(
    models: Mapping[int, np.ndarray], measure: Measure = "hellinger", top_n: int = 10
) -> StabilityResult:
    """Stability of one K across seeds: matched topic similarity over all pairs of seeds.

    Parameters
    ----------
    models
        Seed → ``(K, V)`` topic-word array, all with the same K and vocabulary.
    measure
        ``"hellinger"`` or ``"jaccard"`` (see :func:`topic_similarity`).
    top_n
        Top words per topic for ``"jaccard"``.

    Returns
    -------
    StabilityResult
        With a single seed every value is NaN and ``note`` says why: stability then cannot
        inform the choice of K.
    """
    if measure not in MATCH_MEASURES:
        raise ValueError(
            f"unknown similarity measure {measure!r}; choose from {list(MATCH_MEASURES)}"
        )
    if not models:
        raise ValueError("no models given")
    seeds = sorted(models)
    shapes = {np.shape(models[s]) for s in seeds}
    if len(shapes) != 1:
        raise ValueError(f"the models of one K must have the same shape, got {sorted(shapes)}")
    if len(seeds) < 2:
        note = f"only one seed ({seeds[0]}): stability across seeds is undefined"
        logger.warning("%s", note)
        nan = float("nan")
        return StabilityResult(nan, nan, nan, {seeds[0]: nan}, 0, measure, top_n, {}, note)

    pairs: dict[tuple[int, int], float] = {}
    for s1, s2 in itertools.combinations(seeds, 2):
        _, sim = match_topics(models[s1], models[s2], measure, top_n)
        pairs[(s1, s2)] = float(np.mean(sim))
    values = np.array(list(pairs.values()))
    per_seed = {s: float(np.mean([v for pair, v in pairs.items() if s in pair])) for s in seeds}
    return StabilityResult(
        mean=float(values.mean()),
        min=float(values.min()),
        max=float(values.max()),
        per_seed=per_seed,
        n_pairs=len(pairs),
        measure=measure,
        top_n=top_n,
        pairs=pairs,
    )
