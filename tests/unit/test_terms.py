"""Tests for swedish_topics.terms: FREX, relevance, top terms, labels, passages."""

from __future__ import annotations

import json
import logging
import math

import numpy as np
import pytest
from swedish_topics import io as sio
from swedish_topics import terms as tm
from swedish_topics.errors import ConfigError, CorpusError

# Two topics over three words. Exclusivity p(topic | word) = φ / column sum:
#   topic 1: 0.5/0.6, 0.3/0.5, 0.2/0.9 = 0.833, 0.6, 0.222 -> ECDF ranks 1, 2/3, 1/3
#   topic 2: 0.167, 0.4, 0.778 -> 1/3, 2/3, 1; frequency ECDF ranks are the same.
PHI = np.array([[0.5, 0.3, 0.2], [0.1, 0.2, 0.7]])
VOCAB = ["kommun", "digital", "skola"]


@pytest.mark.parametrize(
    ("phi", "w", "expected"),
    [
        (PHI, 0.5, [[1.0, 2 / 3, 1 / 3], [1 / 3, 2 / 3, 1.0]]),
        # frequency and exclusivity disagree: word 1 is most frequent in topic 1 but
        # shared (excl 0.5); word 2 is rare in topic 1 but exclusive to it (excl 0.9)
        # topic 1: F = (1, 1/3, 2/3), E = (2/3, 1, 1/3); topic 2: E = (2/3, 1/3, 1)
        ([[0.5, 0.09, 0.41], [0.5, 0.01, 0.49]], 0.5, [[0.8, 0.5, 4 / 9], [0.8, 1 / 3, 0.8]]),
        # w = 1: frequency ECDF only; w = 0: exclusivity ECDF only
        ([[0.5, 0.09, 0.41], [0.5, 0.01, 0.49]], 1.0, [[1.0, 1 / 3, 2 / 3], [1.0, 1 / 3, 2 / 3]]),
        ([[0.5, 0.09, 0.41], [0.5, 0.01, 0.49]], 0.0, [[2 / 3, 1.0, 1 / 3], [2 / 3, 1 / 3, 1.0]]),
        # ties get the average rank (as data.table::frank in stm)
        ([[0.25, 0.25, 0.5], [0.25, 0.25, 0.5]], 1.0, [[0.5, 0.5, 1.0], [0.5, 0.5, 1.0]]),
    ],
)
def test_frex_known_values(phi, w, expected):
    got = tm.frex_scores(np.asarray(phi), frex_weight=w)
    np.testing.assert_allclose(got, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("column", "count", "expected"),
    [
        # λ = Σ var / Σ (p - 1/K)² = (2 · 0.8·0.2/4) / (2 · 0.3²) = 4/9 -> (2/3, 1/3)
        ([0.8, 0.2], 5, [2 / 3, 1 / 3]),
        # a word seen at most once: uniform
        ([0.9, 0.1], 1, [0.5, 0.5]),
        # already uniform: unchanged
        ([0.5, 0.5], 10, [0.5, 0.5]),
        # many observations: almost no shrinkage
        ([0.8, 0.2], 10**6, [0.8, 0.2]),
    ],
)
def test_js_shrinkage_matches_stm(column, count, expected):
    got = tm.js_shrink_exclusivity(np.asarray(column)[:, None], np.asarray([count]))
    np.testing.assert_allclose(got[:, 0], expected, atol=1e-6)


def test_frex_shrinkage_demotes_rare_exclusive_words():
    # word 3 is fully exclusive to topic 1 but seen once in the corpus
    phi = np.array([[0.6, 0.3, 0.1], [0.3, 0.7, 0.0]])
    plain = tm.frex_scores(phi)
    shrunk = tm.frex_scores(phi, term_freq=[100, 100, 1])
    assert plain[0, 2] > plain[0, 1]  # unshrunk: the rare word outranks a frequent one
    assert shrunk[0, 2] < plain[0, 2] and shrunk[0, 2] <= shrunk[0, 1]


def test_shrinkage_of_a_long_vocabulary_is_that_of_each_word_alone():
    # Words are shrunk block by block (bounded memory): every word as if on its own.
    rng = np.random.default_rng(5)
    v = 2 * tm._COLUMN_BLOCK + 3
    excl = rng.dirichlet(np.ones(4), size=v).T
    counts = rng.integers(0, 6, size=v)
    got = tm.js_shrink_exclusivity(excl, counts)
    for w in (0, tm._COLUMN_BLOCK - 1, tm._COLUMN_BLOCK, v - 1):
        alone = tm.js_shrink_exclusivity(excl[:, [w]], counts[[w]])
        np.testing.assert_array_equal(got[:, [w]], alone)


def test_frex_ranks_are_scipys_average_ranks():
    from scipy.stats import rankdata

    rng = np.random.default_rng(6)
    values = np.round(rng.random(500), 2)  # many ties
    np.testing.assert_array_equal(tm._average_ranks(values), rankdata(values, method="average"))


@pytest.mark.parametrize(
    ("lam", "expected"),
    [
        (1.0, [math.log(0.5), math.log(0.3), math.log(0.2)]),
        # lift φ/p with p = (0.25, 0.25, 0.5)
        (0.0, [math.log(2.0), math.log(1.2), math.log(0.4)]),
        (0.6, [0.6 * math.log(0.5) + 0.4 * math.log(2.0), 0.6 * math.log(0.3)
               + 0.4 * math.log(1.2), 0.6 * math.log(0.2) + 0.4 * math.log(0.4)]),
    ],
)  # fmt: skip
def test_relevance_known_values(lam, expected):
    got = tm.relevance_scores(PHI, [25, 25, 50], lam=lam)
    np.testing.assert_allclose(got[0], expected, rtol=1e-12)


def test_relevance_order_equals_pyldavis():
    import pandas as pd
    from pyLDAvis._prepare import _find_relevance

    rng = np.random.default_rng(3)
    phi = rng.dirichlet(np.full(40, 0.3), size=4)
    freq = rng.integers(1, 500, size=40).astype(float)
    p = freq / freq.sum()
    log_ttd = pd.DataFrame(np.log(phi))
    log_lift = pd.DataFrame(np.log(phi / p))
    theirs = _find_relevance(log_ttd, log_lift, 10, 0.6)
    ours = np.argsort(-tm.relevance_scores(phi, freq, lam=0.6), axis=1, kind="stable")[:, :10]
    for k in range(4):
        assert list(theirs[k]) == list(ours[k])


def test_topic_terms_rows_contract():
    rng = np.random.default_rng(0)
    phi = rng.dirichlet(np.full(30, 0.2), size=3)
    vocab = [f"ord{i}" for i in range(30)]
    rows = tm.topic_terms(phi, vocab, np.arange(1, 31), n_terms=5)
    assert [(r["topic"], r["rank"]) for r in rows] == [
        (t, r) for t in (1, 2, 3) for r in range(1, 6)
    ]
    for t in (1, 2, 3):
        weights = [r["weight"] for r in rows if r["topic"] == t]
        assert weights == sorted(weights, reverse=True)
        assert weights[0] == pytest.approx(phi[t - 1].max())
    assert all(0 < r["frex"] <= 1 and r["frex_rank"] >= 1 for r in rows)
    by_frex = tm.topic_terms(phi, vocab, np.arange(1, 31), n_terms=5, rank_by="frex")
    assert [r["frex_rank"] for r in by_frex if r["topic"] == 1] == [1, 2, 3, 4, 5]


def test_topic_terms_checks_lengths():
    with pytest.raises(ValueError, match="term_freq"):
        tm.topic_terms(PHI, VOCAB, [1, 2])


# ------------------------------------------------------------------------ labels
def test_automatic_labels_use_frex_terms():
    labels = tm.topic_labels(PHI, VOCAB, user_labels={}, n=2)
    assert labels == {1: "1: kommun · digital", 2: "2: skola · digital"}


def test_clashing_labels_are_extended_until_unique():
    # topics 1 and 2 share their top three FREX terms (a, b, c) and differ at the fourth
    phi = np.array(
        [
            [0.30, 0.25, 0.20, 0.15, 0.10],
            [0.30, 0.25, 0.20, 0.10, 0.15],
            [0.01, 0.01, 0.01, 0.47, 0.50],
        ]
    )
    labels = tm.topic_labels(phi, list("abcde"), user_labels={}, n=3)
    assert labels[1] == "1: a · b · c · d"
    assert labels[2] == "2: a · b · c · e"
    assert len({v.split(": ", 1)[1] for v in labels.values()}) == 3


def test_identical_topics_are_logged(caplog):
    phi = np.array([[0.5, 0.3, 0.2], [0.5, 0.3, 0.2]])
    with caplog.at_level(logging.WARNING, logger="swedish_topics.terms"):
        labels = tm.topic_labels(phi, VOCAB, user_labels={}, n=2)
    assert labels[1] != labels[2]
    assert "duplicates" in caplog.text


@pytest.mark.parametrize("key", [2, "2"])
def test_user_labels_override(key):
    labels = tm.topic_labels(PHI, VOCAB, user_labels={key: "E-tjänster"})
    assert labels[2] == "2: E-tjänster" and labels[1].startswith("1: kommun")


@pytest.mark.parametrize(
    ("user", "message"),
    [
        ({3: "x"}, "names topic 3, but the final model has topics 1 to 2"),
        ({0: "x"}, "names topic 0"),
        ({"tre": "x"}, "'tre', which is not a topic number"),
        ({1: "  "}, "empty label"),
    ],
)
def test_bad_user_labels_are_config_errors(user, message):
    with pytest.raises(ConfigError, match=message):
        tm.topic_labels(PHI, VOCAB, user_labels=user)


def test_topics_table():
    labels = tm.topic_labels(PHI, VOCAB, user_labels={})
    rows = tm.topics_table(
        PHI, VOCAB, labels=labels, prevalence=[0.6, 0.4], coherence_npmi=[0.1, -0.2], n_top=2
    )
    assert rows == [
        {
            "topic": 1,
            "label": labels[1],
            "top_terms": "kommun, digital",
            "frex_terms": "kommun, digital",
            "prevalence": 0.6,
            "coherence_npmi": 0.1,
        },
        {
            "topic": 2,
            "label": labels[2],
            "top_terms": "skola, digital",
            "frex_terms": "skola, digital",
            "prevalence": 0.4,
            "coherence_npmi": -0.2,
        },
    ]


# ---------------------------------------------------------------------- passages
@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("kort text", 600, "kort text"),
        ("rad ett\n\nrad  två", 600, "rad ett rad två"),
        ("ett två tre fyra", 9, "ett två…"),
        ("ett, två tre", 8, "ett…"),  # cut at the last space; the trailing comma goes
        ("abcdefghijklmnop", 10, "abcdefghij…"),  # no space: hard cut
    ],
)
def test_trim_text(text, limit, expected):
    assert tm.trim_text(text, limit) == expected


def passages_fixture():
    # topic 1 weights: d1 units highest, then d2, d3
    theta = np.array(
        [
            [0.95, 0.05],
            [0.94, 0.06],
            [0.93, 0.07],
            [0.90, 0.10],
            [0.80, 0.20],
            [0.10, 0.90],
        ]
    )
    unit_ids = ["d1_1", "d1_2", "d1_3", "d2_1", "d3_1", "d3_2"]
    docs = ["d1", "d1", "d1", "d2", "d3", "d3"]
    texts = [f"text {u} " + "ord " * 300 for u in unit_ids]
    return theta, unit_ids, docs, texts


def test_passages_prefer_distinct_documents_and_trim():
    theta, unit_ids, docs, texts = passages_fixture()
    rows = tm.representative_passages(theta, unit_ids, docs, texts, n_passages=4)
    first = [r for r in rows if r["topic"] == 1]
    assert [r["unit_id"] for r in first] == ["d1_1", "d1_2", "d2_1", "d3_1"]  # d1_3 capped
    assert [r["rank"] for r in first] == [1, 2, 3, 4]
    assert all(len(r["text"]) <= 601 and r["text"].endswith("…") for r in rows)
    assert first[0]["text"].startswith("text d1_1 ord")
    assert first[0]["weight"] == pytest.approx(0.95)


def test_passages_fill_from_same_document_when_too_few_documents():
    theta, unit_ids, docs, texts = passages_fixture()
    rows = tm.representative_passages(theta, unit_ids, docs, texts, n_passages=6)
    assert len([r for r in rows if r["topic"] == 1]) == 6


def test_passages_prefer_units_with_enough_tokens():
    theta, unit_ids, docs, texts = passages_fixture()
    tokens = [3, 50, 50, 50, 50, 50]  # d1_1 has the highest weight but only 3 tokens
    rows = tm.representative_passages(
        theta, unit_ids, docs, texts, n_passages=3, unit_n_tokens=tokens, min_tokens=10
    )
    assert [r["unit_id"] for r in rows if r["topic"] == 1] == ["d1_2", "d1_3", "d2_1"]


# ------------------------------------------------------------------------ inputs
def test_term_frequencies_from_vocabulary_csv(tmp_path):
    path = tmp_path / "vocabulary.csv"
    sio.write_csv(
        path,
        [
            {"term": "skola", "count": 7, "doc_freq": 2},
            {"term": "kommun", "count": 3, "doc_freq": 1},
        ],
        ["term", "count", "doc_freq"],
    )
    np.testing.assert_array_equal(
        tm.term_frequencies_from_vocabulary_csv(path, ["kommun", "skola"]), [3, 7]
    )
    with pytest.raises(CorpusError, match="digital"):
        tm.term_frequencies_from_vocabulary_csv(path, ["kommun", "digital"])


def test_load_unit_texts(tmp_path):
    path = tmp_path / "units.jsonl"
    lines = [
        {"unit_id": "a_1", "doc_id": "a", "text": "Hej då"},
        {"unit_id": "a_2", "doc_id": "a", "text": "Två"},
    ]
    path.write_text(
        "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8"
    )
    assert tm.load_unit_texts(path, ["a_2", "a_1"]) == ["Två", "Hej då"]
    with pytest.raises(CorpusError, match="a_3"):
        tm.load_unit_texts(path, ["a_3"])


def test_writers_write_three_formats(tmp_path):
    rows = tm.topic_terms(PHI, VOCAB, [25, 25, 50], n_terms=2)
    tm.write_topic_terms(tmp_path / "topic_terms.csv", rows, lam=0.6, frex_weight=0.5)
    for suffix in (".csv", ".tex", ".md"):
        assert (tmp_path / "topic_terms").with_suffix(suffix).exists()
    assert len(sio.read_csv(tmp_path / "topic_terms.csv")) == 4


def test_passages_from_the_texts_of_the_chosen_units_only(tmp_path):
    theta, unit_ids, docs, texts = passages_fixture()
    tokens = [3, 50, 50, 50, 50, 50]
    expected = tm.representative_passages(
        theta, unit_ids, docs, texts, n_passages=3, unit_n_tokens=tokens
    )
    chosen = tm.passage_units(theta, docs, n_passages=3, unit_n_tokens=tokens)
    needed = sorted({i for units in chosen for i in units})
    assert len(needed) < len(unit_ids)  # not every text is needed
    path = tmp_path / "units.jsonl"
    path.write_text(
        "".join(
            json.dumps({"unit_id": u, "doc_id": d, "text": t}, ensure_ascii=False) + "\n"
            for u, d, t in zip(unit_ids, docs, texts, strict=True)
        ),
        encoding="utf-8",
    )
    loaded = tm.load_unit_texts(path, [unit_ids[i] for i in needed], n_units=len(unit_ids))
    rows = tm.passage_rows(theta, unit_ids, docs, chosen, dict(zip(needed, loaded, strict=True)))
    assert rows == expected


def test_load_unit_texts_refuses_a_file_of_another_run(tmp_path):
    path = tmp_path / "units.jsonl"
    path.write_text(
        json.dumps({"unit_id": "a_1", "doc_id": "a", "text": "Hej"}) + "\n", encoding="utf-8"
    )
    assert tm.load_unit_texts(path, ["a_1"], n_units=1) == ["Hej"]
    with pytest.raises(CorpusError, match=r"holds 1 units but units\.tsv has 2"):
        tm.load_unit_texts(path, ["a_1"], n_units=2)
