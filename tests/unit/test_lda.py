"""Tests for swedish_topics.lda: held-out split, training with both engines, npz."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gensim.corpora import Dictionary, MmCorpus
from swedish_topics.errors import ConfigError
from swedish_topics.lda import (
    NPZ_KEYS,
    asymmetric_alpha,
    gensim_priors,
    heldout_split,
    load_model_npz,
    load_topic_term,
    tomotopy_priors,
    train_model,
)

N_TOPICS = 3
WORDS_PER_TOPIC = 8
EMPTY_ROWS = (1, 8)  # rows of the generated corpus without any term
HELDOUT_ONLY = "bara_i_testet"  # a term that occurs in a held-out unit only

BASE_CFG: dict[str, Any] = {
    "alpha": "symmetric",
    "eta": None,
    "passes": 8,
    "iterations": 100,
    "eval_every": 2,
    "heldout_fraction": 0.1,
    "heldout_seed": 12345,
}


def write_corpus(folder: Path, *, n_docs: int = 200, seed: int = 0) -> tuple[Path, Path, int]:
    """Write a dictionary + MmCorpus of well-separated topics (disjoint word groups).

    Each unit mixes the topics with Dirichlet(0.2) weights; two rows are empty and the
    last row holds a term that no other unit has.
    """
    rng = np.random.default_rng(seed)
    texts: list[list[str]] = []
    for _ in range(n_docs):
        mix = rng.dirichlet([0.2] * N_TOPICS)
        topics = rng.choice(N_TOPICS, size=30, p=mix)
        words = rng.integers(0, WORDS_PER_TOPIC, size=30)
        texts.append([f"ämne{t}_ord{w}" for t, w in zip(topics, words, strict=True)])
    for row in EMPTY_ROWS:
        texts.insert(row, [])
    texts.append(["ämne0_ord0", HELDOUT_ONLY, HELDOUT_ONLY])
    dictionary = Dictionary(texts)
    folder.mkdir(parents=True, exist_ok=True)
    dictionary.save_as_text(str(folder / "dictionary.txt"))
    MmCorpus.serialize(str(folder / "corpus.mm"), [dictionary.doc2bow(t) for t in texts])
    return folder / "corpus.mm", folder / "dictionary.txt", len(texts)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, np.ndarray]:
    corpus_path, dictionary_path, n_units = write_corpus(tmp_path_factory.mktemp("corpus"))
    held = heldout_split(n_units, fraction=0.1, seed=12345)
    held = np.union1d(held, [n_units - 1])  # the unit with the held-out-only term
    return corpus_path, dictionary_path, held


def train(
    corpus: tuple[Path, Path, np.ndarray],
    out: Path,
    *,
    engine: str,
    seed: int = 1,
    k: int = N_TOPICS,
    **overrides: Any,
) -> Any:
    corpus_path, dictionary_path, held = corpus
    cfg = {**BASE_CFG, "engine": engine, **overrides}
    return train_model(
        corpus_path,
        dictionary_path,
        k=k,
        seed=seed,
        model_cfg=cfg,
        heldout=held,
        out_npz=out / "model.npz",
        out_json=out / "train.json",
        out_gensim_dir=out / "engine",
    )


@pytest.fixture(scope="module", params=["gensim", "tomotopy"])
def trained(
    request: pytest.FixtureRequest,
    corpus: tuple[Path, Path, np.ndarray],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """Three models per engine: seed 1 twice and seed 2."""
    engine = request.param
    runs = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        out = tmp_path_factory.mktemp(f"{engine}_{name}")
        runs[name] = (train(corpus, out, engine=engine, seed=seed), out)
    return {"engine": engine, **runs}


# --------------------------------------------------------------------------- split


@pytest.mark.parametrize(
    ("n_units", "fraction", "expected"),
    [
        (100, 0.1, 10),
        (1000, 0.25, 250),
        (10, 0.01, 1),  # at least one once there are 10 units
        (50, 0.001, 1),
        (9, 0.01, 0),  # fewer than 10 units: plain rounding
        (100, 0.0, 0),
        (2, 0.9, 1),  # never all units
        (1, 0.5, 0),
        (0, 0.1, 0),
    ],
)
def test_heldout_split_size(n_units: int, fraction: float, expected: int) -> None:
    held = heldout_split(n_units, fraction=fraction, seed=12345)
    assert held.size == expected
    assert held.dtype == np.int64
    assert np.array_equal(held, np.unique(held))  # sorted, no duplicates
    assert held.size == 0 or (held.min() >= 0 and held.max() < n_units)


def test_heldout_split_is_seeded() -> None:
    first = heldout_split(500, fraction=0.1, seed=7)
    assert np.array_equal(first, heldout_split(500, fraction=0.1, seed=7))
    assert not np.array_equal(first, heldout_split(500, fraction=0.1, seed=8))


@pytest.mark.parametrize("fraction", [-0.1, 1.0, 1.5])
def test_heldout_split_refuses_bad_fraction(fraction: float) -> None:
    with pytest.raises(ConfigError, match="heldout_fraction"):
        heldout_split(100, fraction=fraction, seed=1)


# --------------------------------------------------------------------------- priors


@pytest.mark.parametrize(
    ("alpha", "eta", "expected"),
    [
        ("symmetric", None, ("symmetric", "symmetric")),
        ("asymmetric", "auto", ("asymmetric", "auto")),
        ("auto", 0.01, ("auto", 0.01)),
        (0.5, "symmetric", (0.5, "symmetric")),
    ],
)
def test_gensim_priors(alpha: Any, eta: Any, expected: tuple[Any, Any]) -> None:
    assert gensim_priors({"alpha": alpha, "eta": eta}) == expected


@pytest.mark.parametrize(
    ("alpha", "eta", "k", "expected"),
    [
        ("symmetric", None, 4, (0.25, 0.25, False)),
        ("auto", 0.01, 4, (0.25, 0.01, True)),
        (0.1, "symmetric", 5, (0.1, 0.2, False)),
    ],
)
def test_tomotopy_priors(alpha: Any, eta: Any, k: int, expected: tuple[Any, ...]) -> None:
    assert tomotopy_priors({"alpha": alpha, "eta": eta}, k) == expected


def test_tomotopy_asymmetric_alpha_is_gensims() -> None:
    alpha, _, _ = tomotopy_priors({"alpha": "asymmetric"}, 4)
    expected = 1 / (np.arange(4) + 2.0)
    assert np.allclose(alpha, expected / expected.sum())
    assert np.allclose(asymmetric_alpha(4), alpha)


@pytest.mark.parametrize(
    ("cfg", "match"),
    [
        ({"alpha": "flat"}, "model.alpha"),
        ({"alpha": -1}, "model.alpha"),
        ({"alpha": True}, "model.alpha"),
        ({"eta": "asymmetric"}, "model.eta"),
        ({"eta": 0}, "model.eta"),
    ],
)
def test_bad_priors_are_config_errors(cfg: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        gensim_priors(cfg)


def test_tomotopy_cannot_learn_eta() -> None:
    with pytest.raises(ConfigError, match="eta"):
        tomotopy_priors({"eta": "auto"}, 3)


# --------------------------------------------------------------------------- training


def test_same_seed_gives_identical_arrays(trained: dict[str, Any]) -> None:
    a, b = trained["a"][0].arrays, trained["b"][0].arrays
    for key in NPZ_KEYS:
        assert np.array_equal(getattr(a, key), getattr(b, key)), key
    assert trained["a"][0].heldout_bound == trained["b"][0].heldout_bound


def test_different_seeds_give_different_models(trained: dict[str, Any]) -> None:
    a, c = trained["a"][0].arrays, trained["c"][0].arrays
    assert not np.array_equal(a.topic_term, c.topic_term)
    assert not np.array_equal(a.theta, c.theta)


def test_arrays_shapes_and_row_sums(trained: dict[str, Any], corpus: Any) -> None:
    arrays = trained["a"][0].arrays
    dictionary = Dictionary.load_from_text(str(corpus[1]))
    n_units = len(MmCorpus(str(corpus[0])))
    assert arrays.topic_term.shape == (N_TOPICS, len(dictionary))
    assert arrays.topic_term.dtype == np.float64
    assert arrays.theta.shape == (n_units, N_TOPICS)
    assert arrays.theta.dtype == np.float32
    assert arrays.alpha.shape == (N_TOPICS,)
    assert np.allclose(arrays.topic_term.sum(axis=1), 1.0, atol=1e-12)
    assert np.allclose(arrays.theta.sum(axis=1), 1.0, atol=1e-5)
    assert (arrays.topic_term > 0).all() and (arrays.theta >= 0).all()
    assert arrays.vocab.tolist() == [dictionary[i] for i in range(len(dictionary))]


def test_posterior_counts_are_stored_for_every_unit(trained: dict[str, Any], corpus: Any) -> None:
    """unit_topic_counts: one row per unit (held-out included), the unit's tokens in total,
    its mean Dirichlet(alpha + counts) equal to theta; identical for the same seed."""
    from swedish_topics.lda import POSTERIOR_KEY

    out = trained["a"][1]
    with np.load(out / "model.npz") as data:
        counts, theta, alpha = data[POSTERIOR_KEY], data["theta"], data["alpha"]
    with np.load(trained["b"][1] / "model.npz") as data:
        assert np.array_equal(counts, data[POSTERIOR_KEY])
    mm = MmCorpus(str(corpus[0]))
    tokens = np.array([sum(c for _, c in doc) for doc in mm])
    assert counts.shape == theta.shape and counts.dtype == np.float32 and (counts >= 0).all()
    held = corpus[2]
    known = np.ones(len(tokens), dtype=bool)
    known[len(tokens) - 1] = False  # its held-out-only term is unknown to tomotopy
    assert np.allclose(counts.sum(axis=1)[known], tokens[known], rtol=0.02, atol=0.05)
    assert counts[list(EMPTY_ROWS)].sum() == pytest.approx(0.0, abs=1e-3)
    mean = (counts + alpha) / (counts + alpha).sum(axis=1, keepdims=True)
    nonempty = tokens > 0
    assert np.abs(mean - theta)[nonempty & known].max() < 0.15
    # held-out units get counts too (not the empty prior)
    held_nonempty = [i for i in held if tokens[i] > 0 and known[i]]
    assert held_nonempty and (counts[held_nonempty].sum(axis=1) > 0).all()


def test_empty_units_get_the_prior_mean(trained: dict[str, Any]) -> None:
    arrays = trained["a"][0].arrays
    prior_mean = arrays.alpha / arrays.alpha.sum()
    for row in EMPTY_ROWS:
        assert np.allclose(arrays.theta[row], prior_mean, atol=1e-6)


def test_topics_separate_the_generated_word_groups(trained: dict[str, Any]) -> None:
    """Each topic puts most of its mass on one generated word group, each group once."""
    arrays = trained["a"][0].arrays
    groups = np.array([t.split("_")[0] if t.startswith("ämne") else "" for t in arrays.vocab])
    names = [f"ämne{i}" for i in range(N_TOPICS)]
    mass = np.array([[arrays.topic_term[k, groups == g].sum() for g in names] for k in range(3)])
    assert (mass.max(axis=1) > 0.8).all()
    assert sorted(mass.argmax(axis=1)) == list(range(N_TOPICS))


def test_term_seen_only_in_heldout_units_gets_smoothed_probability(
    trained: dict[str, Any],
) -> None:
    arrays = trained["a"][0].arrays
    column = arrays.vocab.tolist().index(HELDOUT_ONLY)
    assert (arrays.topic_term[:, column] > 0).all()
    assert (arrays.topic_term[:, column] < arrays.topic_term.max(axis=1)).all()


def test_train_json_and_npz_round_trip(trained: dict[str, Any], corpus: Any) -> None:
    result, out = trained["a"]
    info = json.loads((out / "train.json").read_text(encoding="utf-8"))
    assert info["engine"] == trained["engine"]
    assert (info["k"], info["seed"]) == (N_TOPICS, 1)
    assert info["n_heldout_units"] == corpus[2].size
    assert info["n_empty_units"] == len(EMPTY_ROWS)
    assert info["n_train_units"] + info["n_heldout_units"] + info["n_empty_units"] == len(
        result.arrays.theta
    )
    assert info["heldout_bound"] < 0
    assert info["perplexity"] == pytest.approx(2.0 ** (-info["heldout_bound"]))
    assert [e["pass"] for e in info["bound_log"]] == [2, 4, 6, 8]
    assert info["bound_log"][-1]["bound"] == info["heldout_bound"]
    assert info["engine_version"]
    loaded = load_model_npz(out / "model.npz")
    for key in NPZ_KEYS:
        assert np.array_equal(getattr(loaded, key), getattr(result.arrays, key)), key
    assert np.array_equal(load_topic_term(out / "model.npz"), result.arrays.topic_term)
    assert any((out / "engine").iterdir())


def test_evaluation_does_not_change_the_model(
    trained: dict[str, Any], corpus: Any, tmp_path: Path
) -> None:
    quiet = train(corpus, tmp_path, engine=trained["engine"], eval_every=0)
    assert quiet.info["bound_log"] == []
    assert np.array_equal(quiet.arrays.topic_term, trained["a"][0].arrays.topic_term)
    assert np.array_equal(quiet.arrays.theta, trained["a"][0].arrays.theta)
    assert quiet.heldout_bound == trained["a"][0].heldout_bound


def test_tomotopy_columns_follow_dictionary_ids(corpus: Any, tmp_path: Path) -> None:
    """topic_term equals tomotopy's own distribution once both use the same columns."""
    import tomotopy as tp

    result = train(corpus, tmp_path, engine="tomotopy")
    model = tp.LDAModel.load(str(tmp_path / "engine" / "model.bin"))
    columns = [result.arrays.vocab.tolist().index(w) for w in model.vocabs]
    for k in range(N_TOPICS):
        ours = result.arrays.topic_term[k, columns]
        theirs = np.asarray(model.get_topic_word_dist(k), dtype=np.float64)
        assert np.allclose(ours / ours.sum(), theirs, rtol=1e-5, atol=1e-7)


def test_topic_term_counts_are_the_same_in_any_chunk_size(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Summing the sample's counts in chunks (bounded memory) counts every token once."""
    from types import SimpleNamespace

    from swedish_topics.lda import _tomotopy as lda

    rng = np.random.default_rng(5)
    k, n_model_terms = 4, 30
    to_dict = rng.permutation(n_model_terms + 7)[:n_model_terms]  # model vocab → dictionary id
    docs = [
        SimpleNamespace(words=rng.integers(0, n_model_terms, n), topics=rng.integers(0, k, n))
        for n in rng.integers(0, 40, size=60)
    ]
    expected = np.zeros((k, n_model_terms + 7))
    for doc in docs:
        for word, topic in zip(doc.words, doc.topics, strict=True):
            expected[topic, to_dict[word]] += 1
    for chunk in (1, 17, 1 << 18):
        monkeypatch.setattr(lda, "COUNT_CHUNK_TOKENS", chunk)
        got = lda._topic_term_counts(iter(docs), to_dict, k, n_model_terms + 7)
        assert np.array_equal(got, expected)


def test_expanded_words_are_in_id_order_and_share_the_vocabulary_strings() -> None:
    from swedish_topics.lda import _tomotopy as lda

    vocab = ["".join(["kommun", str(i)]) for i in range(5)]  # built at run time, not interned
    words = lda._expand([(3, 2.0), (0, 1.0), (4, 1.0)], vocab)
    assert words == ["kommun0", "kommun3", "kommun3", "kommun4"]
    assert words[1] is vocab[3] and words[2] is vocab[3]  # a pointer per token, no copies
    assert lda._expand([], vocab) == []


@pytest.mark.parametrize("engine", ["gensim", "tomotopy"])
def test_no_heldout_units(engine: str, corpus: Any, tmp_path: Path) -> None:
    no_split = (corpus[0], corpus[1], np.zeros(0, dtype=np.int64))
    result = train(no_split, tmp_path, engine=engine, passes=2, eval_every=1)
    assert result.info["heldout_bound"] is None and result.info["perplexity"] is None
    assert result.info["bound_log_on"] == "train"
    assert len(result.info["bound_log"]) == 2


@pytest.mark.parametrize("engine", ["gensim", "tomotopy"])
def test_more_topics_than_training_units_is_a_config_error(engine: str, tmp_path: Path) -> None:
    corpus_path, dictionary_path, n_units = write_corpus(tmp_path / "c", n_docs=6)
    held = heldout_split(n_units, fraction=0.1, seed=1)
    with pytest.raises(ConfigError, match="K=9"):
        train((corpus_path, dictionary_path, held), tmp_path, engine=engine, k=9)
    assert not (tmp_path / "model.npz").exists()


def test_empty_vocabulary_is_a_config_error(tmp_path: Path) -> None:
    Dictionary([[]]).save_as_text(str(tmp_path / "dictionary.txt"))
    MmCorpus.serialize(str(tmp_path / "corpus.mm"), [[], []])
    with pytest.raises(ConfigError, match="vocabulary"):
        train(
            (tmp_path / "corpus.mm", tmp_path / "dictionary.txt", np.zeros(0, dtype=np.int64)),
            tmp_path,
            engine="gensim",
            k=1,
        )


def test_unknown_engine_is_a_config_error(corpus: Any, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"model\.engine"):
        train(corpus, tmp_path, engine="mallet")


@pytest.mark.parametrize("load", [load_model_npz, load_topic_term])
def test_loading_refuses_incomplete_file(load: Any, tmp_path: Path) -> None:
    np.savez(tmp_path / "x.npz", topic_term=np.ones((2, 3)))
    with pytest.raises(ValueError, match="lacks"):
        load(tmp_path / "x.npz")


def test_tomotopy_alpha_auto_is_reestimated_on_schedule(corpus: Any, tmp_path: Path) -> None:
    fixed = train(corpus, tmp_path / "fixed", engine="tomotopy", alpha="symmetric")
    learned = train(
        corpus, tmp_path / "auto", engine="tomotopy", alpha="auto", optim_interval=5,
        optim_burn_in=20,
    )  # fmt: skip
    again = train(
        corpus, tmp_path / "again", engine="tomotopy", alpha="auto", optim_interval=5,
        optim_burn_in=20,
    )  # fmt: skip
    assert np.ptp(fixed.arrays.alpha) == 0  # symmetric 1/K, never changed
    assert np.ptp(learned.arrays.alpha) > 0  # asymmetric: one value per topic
    np.testing.assert_array_equal(learned.arrays.alpha, again.arrays.alpha)
    np.testing.assert_array_equal(learned.arrays.theta, again.arrays.theta)
    info = json.loads((tmp_path / "auto" / "train.json").read_text(encoding="utf-8"))
    settings = json.dumps(info)
    assert '"optim_interval": 5' in settings and '"optim_burn_in": 20' in settings
