"""Tests for swedish_topics.metrics: diversity, exclusivity, matching, stability."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from gensim.corpora import Dictionary
from gensim.models import LdaModel
from swedish_topics.coherence import coherence_many, top_word_ids
from swedish_topics.metrics import (
    exclusivity,
    match_topics,
    stability,
    topic_diversity,
    topic_similarity,
)


def disjoint_topics(k: int, words_per_topic: int, *, seed: int = 0) -> np.ndarray:
    """K topics over disjoint blocks of the vocabulary, distinct probabilities."""
    rng = np.random.default_rng(seed)
    topic_term = np.zeros((k, k * words_per_topic))
    for t in range(k):
        block = rng.permutation(np.arange(1, words_per_topic + 1, dtype=float))
        topic_term[t, t * words_per_topic : (t + 1) * words_per_topic] = block / block.sum()
    return topic_term


def identical_topics(k: int, n_words: int) -> np.ndarray:
    row = np.arange(n_words, 0, -1, dtype=float)
    return np.tile(row / row.sum(), (k, 1))


# -------------------------------------------------------------- diversity, exclusivity
@pytest.mark.parametrize(
    ("topic_term", "top_n", "expected"),
    [
        (disjoint_topics(4, 30), 25, 1.0),
        (identical_topics(4, 30), 25, 0.25),
        (identical_topics(5, 30), 10, 0.2),
    ],
)
def test_topic_diversity(topic_term, top_n, expected):
    assert topic_diversity(topic_term, top_n=top_n) == pytest.approx(expected)


def test_diversity_with_two_shared_words():
    # 2 topics × top 3: words {0, 1, 2} and {0, 1, 3} → 4 unique of 6.
    topic_term = np.array([[0.4, 0.3, 0.2, 0.0, 0.1], [0.4, 0.3, 0.0, 0.2, 0.1]])
    assert topic_diversity(topic_term, top_n=3) == pytest.approx(4 / 6)


@pytest.mark.parametrize(
    ("topic_term", "expected"),
    [
        (disjoint_topics(4, 30), [1.0] * 4),
        (identical_topics(4, 30), [0.25] * 4),
        # top words {0, 1} and {2, 1}; word 0 is 0.5/0.6 topic 1's, word 1 0.5/0.9 and 0.4/0.9
        (
            np.array([[0.5, 0.5, 0.0], [0.1, 0.4, 0.5]]),
            [(0.5 / 0.6 + 0.5 / 0.9) / 2, (1.0 + 0.4 / 0.9) / 2],
        ),
    ],
)
def test_exclusivity(topic_term, expected):
    values = exclusivity(topic_term, top_n=2)
    assert len(values) == topic_term.shape[0]
    assert values == pytest.approx(expected)


# -------------------------------------------------------------------------- matching
@pytest.mark.parametrize("measure", ["hellinger", "jaccard"])
def test_matching_recovers_a_permutation(measure):
    a = disjoint_topics(6, 20, seed=3)
    shuffle = np.array([4, 2, 0, 5, 1, 3])
    perm, similarity = match_topics(a, a[shuffle], measure=measure, top_n=10)
    # topic i of a is topic j of b where shuffle[j] == i
    assert np.array_equal(shuffle[perm], np.arange(6))
    assert np.allclose(similarity, 1.0)


@pytest.mark.parametrize(
    ("p", "q", "measure", "expected"),
    [
        ([1.0, 0.0], [0.0, 1.0], "hellinger", 0.0),
        ([0.5, 0.5], [0.5, 0.5], "hellinger", 1.0),
        ([0.5, 0.5], [1.0, 0.0], "hellinger", 1 - math.sqrt(1 - math.sqrt(0.5))),
        # top 2 sets {0, 1} and {1, 2}: 1 shared of 3
        ([0.5, 0.4, 0.1, 0.0], [0.0, 0.4, 0.5, 0.1], "jaccard", 1 / 3),
    ],
)
def test_topic_similarity_values(p, q, measure, expected):
    sim = topic_similarity(np.array([p]), np.array([q]), measure=measure, top_n=2)
    assert sim.shape == (1, 1)
    assert sim[0, 0] == pytest.approx(expected)


def test_matching_refuses_different_vocabularies_and_measures():
    with pytest.raises(ValueError, match="vocabularies"):
        match_topics(disjoint_topics(2, 5), disjoint_topics(2, 6), measure="hellinger")
    with pytest.raises(ValueError, match="unknown"):
        match_topics(disjoint_topics(2, 5), disjoint_topics(2, 5), measure="cosine")  # type: ignore[arg-type]


# ------------------------------------------------------------------------- stability
def test_stability_of_one_seed_is_undefined():
    result = stability({7: disjoint_topics(3, 5)}, measure="hellinger", top_n=5)
    assert math.isnan(result.mean) and math.isnan(result.min) and math.isnan(result.max)
    assert result.n_pairs == 0
    assert math.isnan(result.per_seed[7])
    assert result.note is not None and "one seed" in result.note


def test_stability_pairs_and_per_seed_agreement():
    base = disjoint_topics(3, 10)
    noisy = 0.5 * base + 0.5 * np.full_like(base, 1 / base.shape[1])
    models = {1: base, 2: base.copy(), 3: noisy}
    result = stability(models, measure="hellinger", top_n=5)
    assert result.n_pairs == 3
    assert result.pairs[(1, 2)] == pytest.approx(1.0)
    assert result.max == pytest.approx(1.0)
    assert result.pairs[(1, 3)] < 0.99
    assert result.min == pytest.approx(result.pairs[(1, 3)])
    assert result.mean == pytest.approx(np.mean(list(result.pairs.values())))
    assert result.per_seed[1] == pytest.approx((1.0 + result.pairs[(1, 3)]) / 2)
    assert result.per_seed[3] < result.per_seed[1]
    assert result.per_seed[1] == result.per_seed[2]


# ------------------------------------------------ planted topics: the true K scores best
@pytest.fixture(scope="module")
def planted() -> dict[str, object]:
    """4 topics over disjoint vocabularies; LdaModel at K=4 (true) and K=10, 3 seeds."""
    rng = np.random.default_rng(11)
    k_true, words_per_topic = 4, 25
    vocab = [f"ord{t}_{i}" for t in range(k_true) for i in range(words_per_topic)]
    true_topics = disjoint_topics(k_true, words_per_topic, seed=5)
    texts = []
    for _ in range(300):
        theta = rng.dirichlet(np.full(k_true, 0.1))
        mix = theta @ true_topics
        texts.append([vocab[i] for i in rng.choice(len(vocab), size=60, p=mix / mix.sum())])
    dictionary = Dictionary(texts)
    corpus = [dictionary.doc2bow(t) for t in texts]
    models = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in (4, 10):
            for seed in (1, 2, 3):
                lda = LdaModel(
                    corpus,
                    id2word=dictionary,
                    num_topics=k,
                    random_state=seed,
                    passes=8,
                    iterations=50,
                    alpha="symmetric",
                )
                models[(k, seed)] = lda.get_topics().astype(np.float64)
    return {"texts": texts, "dictionary": dictionary, "corpus": corpus, "models": models}


def test_true_k_has_higher_npmi_coherence(planted):
    topic_sets = {f"{k}_{s}": top_word_ids(tt, 10) for (k, s), tt in planted["models"].items()}
    values = coherence_many(
        topic_sets,
        texts=planted["texts"],
        corpus=None,
        dictionary=planted["dictionary"],
        measures=("c_npmi",),
    )
    mean = {k: np.mean([np.mean(values[f"{k}_{s}"]["c_npmi"]) for s in (1, 2, 3)]) for k in (4, 10)}
    assert mean[4] > mean[10]


@pytest.mark.parametrize("measure", ["hellinger", "jaccard"])
def test_true_k_is_more_stable(planted, measure):
    result = {
        k: stability({s: planted["models"][(k, s)] for s in (1, 2, 3)}, measure=measure, top_n=10)
        for k in (4, 10)
    }
    assert result[4].mean > result[10].mean
    assert result[4].n_pairs == result[10].n_pairs == 3
    assert set(result[4].per_seed) == {1, 2, 3}


def test_true_k_has_exclusive_diverse_topics(planted):
    for seed in (1, 2, 3):
        true_k = planted["models"][(4, seed)]
        far_k = planted["models"][(10, seed)]
        assert np.mean(exclusivity(true_k)) > np.mean(exclusivity(far_k))
        assert topic_diversity(true_k, top_n=10) > topic_diversity(far_k, top_n=10)
