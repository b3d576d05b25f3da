"""Tests for swedish_topics.coherence: equal to gensim's CoherenceModel, faster."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from gensim.corpora import Dictionary, MmCorpus
from gensim.models import CoherenceModel, LdaModel
from swedish_topics.coherence import (
    MEASURES,
    coherence_many,
    count_cooccurrences,
    iter_unit_lemmas,
    top_word_ids,
)

SYLLABLES = ["kom", "mun", "skol", "vård", "bygg", "plan", "bor", "ar", "ning", "het", "lig"]
SYLLABLES += ["stad", "tjänst", "sam", "häll", "digi", "tal", "form", "verk", "ek", "on", "ö"]


def swedish_like_texts(n_docs: int, *, seed: int, n_vocab: int = 120) -> list[list[str]]:
    """Texts from 4 Zipfian topics over pseudo-Swedish words.

    About one text in six is shorter than 10 tokens (some empty), most are between the
    c_npmi and c_v window sizes and some are longer than 110 tokens; words repeat within
    windows, which is where gensim's window bookkeeping matters.
    """
    rng = np.random.default_rng(seed)
    vocab: set[str] = set()
    while len(vocab) < n_vocab:
        vocab.add("".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 4)))))
    words = sorted(vocab)
    zipf = 1.0 / np.arange(1, n_vocab + 1) ** 1.1
    topics = np.zeros((4, n_vocab))
    for k in range(4):
        topics[k, rng.permutation(n_vocab)] = zipf / zipf.sum()
    texts = []
    for _ in range(n_docs):
        r = rng.random()
        length = int(rng.integers(0, 10)) if r < 0.15 else int(rng.integers(10, 250))
        mix = rng.dirichlet(np.full(4, 0.2)) @ topics
        texts.append([words[i] for i in rng.choice(n_vocab, size=length, p=mix / mix.sum())])
    return texts


@pytest.fixture(scope="module")
def setting() -> dict[str, object]:
    texts = swedish_like_texts(220, seed=7)
    dictionary = Dictionary(texts)
    corpus = [dictionary.doc2bow(t) for t in texts]
    nonempty = [bow for bow in corpus if bow]
    ldas = {
        f"k{k}": LdaModel(nonempty, id2word=dictionary, num_topics=k, random_state=k, passes=2)
        for k in (3, 5)
    }
    topic_sets = {name: top_word_ids(lda.get_topics(), 10) for name, lda in ldas.items()}
    # A third "model" whose topics mix rare and frequent words (rare words miss most windows).
    by_freq = sorted(dictionary.dfs, key=lambda i: (dictionary.dfs[i], i))
    topic_sets["mixed"] = [by_freq[:5] + by_freq[-5:], by_freq[20:30]]
    return {
        "texts": texts,
        "dictionary": dictionary,
        "corpus": corpus,
        "ldas": ldas,
        "topic_sets": topic_sets,
    }


def gensim_values(topics, *, texts, corpus, dictionary, measure, window_size=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = CoherenceModel(
            topics=topics,
            texts=texts,
            corpus=corpus,
            dictionary=dictionary,
            coherence=measure,
            window_size=window_size,
            topn=len(topics[0]),
            processes=1,
        )
        return np.array(model.get_coherence_per_topic(), dtype=float)


# ----------------------------------------------------------------- equality with gensim
@pytest.mark.parametrize(
    ("measure", "tolerance"), [("u_mass", 1e-6), ("c_npmi", 1e-6), ("c_v", 1e-4)]
)
def test_many_models_equal_gensim(setting, measure, tolerance):
    ours = coherence_many(
        setting["topic_sets"],
        texts=iter(setting["texts"]),  # a one-shot iterator: read once
        corpus=iter(setting["corpus"]),
        dictionary=setting["dictionary"],
        measures=(measure,),
        chunk_tokens=3_000,  # several chunks, windows cut at chunk ends
    )
    for name, topics in setting["topic_sets"].items():
        expected = gensim_values(
            topics,
            texts=setting["texts"],
            corpus=setting["corpus"],
            dictionary=setting["dictionary"],
            measure=measure,
        )
        assert np.allclose(ours[name][measure], expected, atol=tolerance, rtol=0), name


def test_top_word_ids_are_gensims_choice(setting):
    dictionary = setting["dictionary"]
    for lda in setting["ldas"].values():
        expected = CoherenceModel.top_topics_as_word_lists(lda, dictionary, topn=10)
        ours = top_word_ids(lda.get_topics(), 10)
        assert [[dictionary[i] for i in topic] for topic in ours] == expected


@pytest.mark.parametrize("window_sizes", [{"c_npmi": 3, "c_v": 30}, {"c_npmi": 1, "c_v": 250}])
def test_other_window_sizes_equal_gensim(setting, window_sizes):
    topics = setting["topic_sets"]["k3"]
    ours = coherence_many(
        {"k3": topics},
        texts=setting["texts"],
        corpus=None,
        dictionary=setting["dictionary"],
        measures=("c_npmi", "c_v"),
        window_sizes=window_sizes,
    )["k3"]
    for measure, size in window_sizes.items():
        expected = gensim_values(
            topics,
            texts=setting["texts"],
            corpus=None,
            dictionary=setting["dictionary"],
            measure=measure,
            window_size=size,
        )
        assert np.allclose(ours[measure], expected, atol=1e-6, rtol=0)


def test_u_mass_from_texts_equals_u_mass_from_corpus(setting):
    kwargs = {"dictionary": setting["dictionary"], "measures": ("u_mass",)}
    sets = setting["topic_sets"]
    from_corpus = coherence_many(sets, texts=None, corpus=setting["corpus"], **kwargs)
    from_texts = coherence_many(sets, texts=setting["texts"], corpus=None, **kwargs)
    assert from_corpus == from_texts


def test_models_counted_together_equal_models_counted_alone(setting):
    kwargs = {"texts": setting["texts"], "corpus": setting["corpus"]}
    together = coherence_many(setting["topic_sets"], dictionary=setting["dictionary"], **kwargs)
    for name, topics in setting["topic_sets"].items():
        alone = coherence_many({name: topics}, dictionary=setting["dictionary"], **kwargs)
        assert alone[name] == together[name]


@pytest.mark.parametrize("chunk_tokens", [1, 7, 10**9])
def test_chunk_size_does_not_change_any_value(setting, chunk_tokens):
    """Chunks only bound memory: one text per chunk, a few, or all texts in one."""
    kwargs = {"dictionary": setting["dictionary"], "measures": MEASURES}
    sets = setting["topic_sets"]
    reference = coherence_many(sets, texts=setting["texts"], corpus=setting["corpus"], **kwargs)
    chunked = coherence_many(
        sets,
        texts=iter(setting["texts"]),
        corpus=iter(setting["corpus"]),
        chunk_tokens=chunk_tokens,
        **kwargs,
    )
    assert chunked == reference


# ------------------------------------------------------------------- window counting
# One text; w = window size; expected (windows, occurrences of a, co-occurrences a & c).
# gensim removes a word when one occurrence leaves the window even if another is inside.
WINDOW_CASES = [
    # text,            w, gensim (N, a, ac), exact (N, a, ac)
    ("a b a c", 3, (2, 1, 0), (2, 2, 1)),
    ("a x a x a", 3, (3, 2, 0), (3, 3, 0)),
    ("a c", 5, (1, 1, 1), (1, 1, 1)),  # shorter than the window: one window
    ("a c x", 3, (1, 1, 1), (1, 1, 1)),  # exactly the window size
    ("", 3, (1, 0, 0), (1, 0, 0)),  # an empty text is one (empty) window
    ("x a x x c a", 2, (5, 3, 1), (5, 3, 1)),
    ("a a c", 2, (2, 1, 0), (2, 2, 1)),
]


@pytest.mark.parametrize(("text", "window", "gensim_counts", "exact_counts"), WINDOW_CASES)
def test_sliding_window_counts(text, window, gensim_counts, exact_counts):
    texts = [text.split()]
    dictionary = Dictionary([["a", "c", "x"]])
    ids = [dictionary.token2id["a"], dictionary.token2id["c"]]
    for gensim_windows, expected in ((True, gensim_counts), (False, exact_counts)):
        counts = count_cooccurrences(
            ids,
            dictionary=dictionary,
            texts=texts,
            window_sizes=[window],
            gensim_windows=gensim_windows,
        )[f"window_{window}"]
        a, c = np.searchsorted(counts.word_ids, ids)
        got = (counts.n_docs, counts.occurrences[a], counts.co_occurrences[a, c])
        assert got == expected, f"gensim_windows={gensim_windows}"


@pytest.mark.parametrize("window", [1, 4, 10])
def test_exact_windows_equal_brute_force(window):
    rng = np.random.default_rng(window)
    texts = [list(rng.choice(list("abcdefg"), size=int(rng.integers(0, 30)))) for _ in range(40)]
    dictionary = Dictionary(texts)
    ids = [dictionary.token2id[w] for w in "abcde" if w in dictionary.token2id]
    counts = count_cooccurrences(
        ids,
        dictionary=dictionary,
        texts=texts,
        window_sizes=[window],
        gensim_windows=False,
        chunk_tokens=50,
    )[f"window_{window}"]
    index = {int(i): k for k, i in enumerate(counts.word_ids)}
    expected = np.zeros((len(ids), len(ids)), dtype=np.int64)
    n_windows = 0
    for text in texts:
        if len(text) <= window:
            spans = [text]
        else:
            spans = [text[j : j + window] for j in range(len(text) - window + 1)]
        for span in spans:
            n_windows += 1
            ids_in_span = {dictionary.token2id[t] for t in span}
            present = sorted(index[i] for i in ids_in_span if i in index)
            expected[np.ix_(present, present)] += 1
    assert counts.n_docs == n_windows
    assert np.array_equal(counts.co_occurrences, expected)
    assert np.array_equal(np.diag(counts.co_occurrences), counts.occurrences)


# -------------------------------------------------------------------------- errors, io
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"measures": ("c_uci2",)}, "unknown coherence measure"),
        ({"texts": None}, "need texts"),
        ({"topic_sets": {"m": [[1, 1, 2]]}}, "repeat"),
        ({"topic_sets": {"m": []}}, "no topics"),
        ({"topic_sets": {"m": [[0, 10_000]]}}, "dictionary ids"),
    ],
)
def test_bad_arguments_are_refused(kwargs, message):
    texts = [["a", "b", "c"], ["b", "c"]]
    dictionary = Dictionary(texts)
    arguments = {
        "topic_sets": {"m": [[0, 1, 2]]},
        "texts": texts,
        "corpus": None,
        "dictionary": dictionary,
        "measures": ("c_npmi",),
    }
    arguments.update(kwargs)
    topic_sets = arguments.pop("topic_sets")
    with pytest.raises(ValueError, match=message):
        coherence_many(topic_sets, **arguments)


def test_iter_unit_lemmas_streams_the_units_table(tmp_path: Path):
    path = tmp_path / "units.tsv"
    path.write_text(
        "unit_id\tdoc_id\tn_tokens\tlemmas\nd1_1\td1\t3\tkommun skola vård\nd1_2\td1\t0\t\n"
        "d2_1\td2\t1\tförskola\n",
        encoding="utf-8",
    )
    assert list(iter_unit_lemmas(path)) == [["kommun", "skola", "vård"], [], ["förskola"]]


def test_files_as_the_workflow_writes_them(setting, tmp_path: Path):
    """MmCorpus and a dictionary saved as text give the same values as in-memory input."""
    MmCorpus.serialize(str(tmp_path / "corpus.mm"), setting["corpus"])
    setting["dictionary"].save_as_text(str(tmp_path / "dictionary.txt"))
    dictionary = Dictionary.load_from_text(str(tmp_path / "dictionary.txt"))
    sets = {"k3": setting["topic_sets"]["k3"]}
    from_files = coherence_many(
        sets,
        texts=setting["texts"],
        corpus=MmCorpus(str(tmp_path / "corpus.mm")),
        dictionary=dictionary,
    )
    in_memory = coherence_many(
        sets, texts=setting["texts"], corpus=setting["corpus"], dictionary=setting["dictionary"]
    )
    assert from_files == in_memory
