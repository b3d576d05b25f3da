"""Tests for swedish_topics.sentences: Punkt trained per corpus, shard-free results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from swedish_topics import pipeline
from swedish_topics.config import load_config
from swedish_topics.sentences import (
    SentenceSplitter,
    load_abbreviations,
    load_params,
    sample_ids,
    save_params,
    train_punkt,
)
from swedish_topics.terms import trim_text
from swedish_topics.units import make_units

REPO = Path(__file__).resolve().parents[2]
SHIPPED = sorted((REPO / "corpus" / "texts").glob("*.txt"))


@pytest.fixture(scope="module")
def splitter() -> SentenceSplitter:
    texts = [p.read_text(encoding="utf-8") for p in SHIPPED]
    return SentenceSplitter(train_punkt(texts, sample_documents=10, seed=1))


def test_shipped_abbreviations() -> None:
    abbreviations = load_abbreviations(["Prop."])
    assert {"t.ex", "bl.a", "s.k", "m.m", "d.v.s", "prop"} <= abbreviations


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Kommunen erbjuder bl.a. e-tjänster. Det gäller t.ex. skolan och s.k. "
            "bygglov m.m. Medborgarna är nöjda.",
            [
                "Kommunen erbjuder bl.a. e-tjänster.",
                "Det gäller t.ex. skolan och s.k. bygglov m.m.",
                "Medborgarna är nöjda.",
            ],
        ),
        (
            "Det vill säga d.v.s. en plan. Vad händer nu? Vi får se!",
            ["Det vill säga d.v.s. en plan.", "Vad händer nu?", "Vi får se!"],
        ),
    ],
)
def test_swedish_sentences(splitter: SentenceSplitter, text: str, expected: list[str]) -> None:
    assert splitter.split(text) == expected


def test_params_round_trip_and_same_seed_same_bytes(tmp_path: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in SHIPPED]
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    save_params(first, train_punkt(texts, sample_documents=10, seed=1))
    save_params(second, train_punkt(texts, sample_documents=10, seed=1))
    assert first.read_bytes() == second.read_bytes()
    params = load_params(first)
    assert "t.ex" in params["abbrev_types"] and params["documents"] == len(texts)
    text = " ".join(texts)
    assert SentenceSplitter(params).split(text) == SentenceSplitter(
        train_punkt(texts, sample_documents=10, seed=1)
    ).split(text)


def test_sample_is_seeded_and_in_corpus_order() -> None:
    ids = [f"d{i:03d}" for i in range(100)]
    a = sample_ids(ids, 10, seed=1)
    assert a == sample_ids(ids, 10, seed=1) == sorted(a) and len(a) == 10
    assert a != sample_ids(ids, 10, seed=2)
    assert sample_ids(ids, 500, seed=1) == ids


def test_long_paragraphs_split_at_punkt_sentences(splitter: SentenceSplitter) -> None:
    sentence = "Kommunen erbjuder bl.a. e-tjänster till medborgarna i hela regionen. "
    paragraph = sentence * 6
    units = make_units("d", [paragraph], mode="paragraphs", min_tokens=5, max_tokens=20,
                       sentences=splitter.split)  # fmt: skip
    assert all(u.text.endswith("regionen.") for u in units)
    assert all("bl.a. e-tjänster" in u.text for u in units)


def test_passages_are_cut_after_a_sentence(splitter: SentenceSplitter) -> None:
    text = "Det gäller t.ex. skolan och vården. " * 10
    cut = trim_text(text, 100, splitter.split)
    assert cut.endswith("vården. …") and len(cut) <= 102
    assert trim_text(text, 100).endswith("…")


def _run(corpus: Path, results: Path, n_shards: int, cfg: dict) -> Path:
    validation = results / "interim" / "validation.json"
    pipeline.validate_corpus(cfg=cfg, out_json=validation)
    sentences = results / "interim" / "sentences.json"
    pipeline.train_sentences(validation_json=validation, cfg=cfg, out_json=sentences)
    shards, counts = [], []
    for index in range(n_shards):
        shards.append(results / "interim" / "shards" / f"{index}.jsonl")
        counts.append(results / "interim" / "shards" / f"{index}.counts.json")
        pipeline.preprocess_shard(
            validation_json=validation,
            cfg=cfg,
            shard_index=index,
            n_shards=n_shards,
            out_units=shards[-1],
            out_counts=counts[-1],
            sentences_json=sentences,
        )
    outputs = {
        "units_tsv": results / "preprocess" / "units.tsv",
        "units_jsonl": results / "preprocess" / "units.jsonl",
        "dictionary": results / "preprocess" / "dictionary.txt",
        "corpus": results / "preprocess" / "corpus.mm",
        "vocabulary": results / "tables" / "vocabulary.csv",
        "summary": results / "tables" / "preprocessing_summary.csv",
    }
    pipeline.build_corpus(shard_files=shards, count_files=counts, cfg=cfg, outputs=outputs)
    return results


def test_one_and_three_shards_give_identical_files(tmp_path: Path) -> None:
    def cfg(results: Path) -> dict:
        return load_config(
            {
                "corpus": str(REPO / "corpus"),
                "results": str(results),
                "preprocess": {
                    "lemmatize": {"overrides": str(REPO / "config/lemma_overrides.tsv")},
                    # short units: many paragraphs are split at sentences
                    "units": {"min_tokens": 10, "max_tokens": 30},
                    "sentences": {"sample_documents": 3, "seed": 7},
                },
            }
        )

    one = _run(REPO / "corpus", tmp_path / "one", 1, cfg(tmp_path / "one"))
    three = _run(REPO / "corpus", tmp_path / "three", 3, cfg(tmp_path / "three"))
    for name in [
        "interim/sentences.json",
        "preprocess/units.jsonl",
        "preprocess/units.tsv",
        "preprocess/corpus.mm",
        "tables/vocabulary.csv",
        "tables/preprocessing_summary.csv",
    ]:
        assert (one / name).read_bytes() == (three / name).read_bytes(), name
    params = json.loads((one / "interim" / "sentences.json").read_text(encoding="utf-8"))
    assert params["documents"] == 3 and params["seed"] == 7
    texts = [
        json.loads(line)["text"]
        for line in (one / "preprocess" / "units.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert len(texts) > 46  # more units than the default 46: long paragraphs were split
