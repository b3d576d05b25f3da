"""Tests for swedish_topics.names: person names found and removed, organisations kept."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest
from swedish_topics.bagofwords import build_corpus
from swedish_topics.io import read_csv
from swedish_topics.names import (
    NameStats,
    classify,
    load_given_names,
    merge_counts,
    names_to_remove,
)
from swedish_topics.preprocess import preprocess_shard
from swedish_topics.tokenize import tokenize

from tests.unit.test_preprocess import preprocess_config, read_tsv

STOP = {"det", "sa", "enligt", "och", "i", "att", "är", "en", "som", "har", "till", "på", "vi"}

DOCS = [
    "Det sa Conny Björnehall på mötet. Skatteverket och EU vill ha nya e-tjänster i Sverige.\n"
    "– Vi har bråttom, säger Björnehall om Skatteverket.",
    "Enligt Åsa Melvanius är digitaliseringen viktig. Melvanius leder arbetet som EU stöder.\n"
    "Sverige och Skatteverket har en plan, sa Melvanius till GDPR-ansvariga.",
    "Kommunen i Sverige följer GDPR. Skatteverket granskar planen och EU betalar.\n"
    "Ask vill ha en ask med ägg, och en ask till.",
    "Justitieminister Beatrice Ask svarade. Ask har en plan om ask och björn.",
]


def lemma_of(word: str) -> str:
    return "" if word in STOP else word


def observe(docs: list[str]) -> dict[str, list[int]]:
    stats = NameStats(load_given_names())
    for doc in docs:
        stats.observe(doc.split("\n"), lemma_of)
    return stats.counts


def occurrences(docs: list[str]) -> Counter[str]:
    return Counter(t for doc in docs for t in tokenize(doc) if t not in STOP)


def removed(docs: list[str], mode: str = "persons") -> dict[str, str]:
    return names_to_remove(classify(observe(docs), occurrences(docs)), mode)


def test_given_names_list_is_shipped_lower_case() -> None:
    names = load_given_names(["Nyamko"])
    assert {"conny", "åsa", "jenny", "lars", "ann-christin", "nyamko"} <= names
    assert "sverige" not in names and "eu" not in names


@pytest.mark.parametrize(
    ("text", "name_words"),
    [
        ("Det sa Conny Björnehall i går.", {"conny", "björnehall"}),
        ("Kommunen växer, enligt Åsa Melvanius.", {"åsa", "melvanius"}),
        ("Enligt Skatteverkets Lars Sandström, chef, ska EU betala.", {"lars", "sandström"}),
        ("Det sa Björnehall i Sverige till EU.", set()),  # no given name in this document
    ],
)
def test_name_position_starts_at_a_given_name(text: str, name_words: set[str]) -> None:
    counts = observe([text])
    assert {w for w, (_, _, name) in counts.items() if name} == name_words


def test_sentence_initial_words_are_counted_apart() -> None:
    counts = observe(["Kommunen växer. Digitaliseringen går fort, sa Jenny Conradsson."])
    assert counts["kommunen"] == [0, 1, 0]
    assert counts["digitaliseringen"] == [0, 1, 0]
    assert counts["conradsson"] == [1, 0, 1]


def test_surname_alone_later_in_the_document_is_in_name_position() -> None:
    counts = observe([DOCS[1]])
    assert counts["melvanius"] == [2, 1, 3]  # after Åsa, sentence-initial, after "sa"


def test_persons_removed_organisations_and_places_kept() -> None:
    out = removed(DOCS)
    assert {"conny", "björnehall", "åsa", "melvanius", "beatrice"} <= set(out)
    assert set(out.values()) == {"person_name"}
    for kept in ["eu", "skatteverket", "sverige", "gdpr", "kommunen"]:
        assert kept not in out
    # "ask" is a name here but mostly the lower-case noun (a box): kept
    assert "ask" not in out and "björn" not in out


def test_proper_nouns_mode_removes_organisations_too_and_none_keeps_all() -> None:
    out = removed(DOCS, "proper_nouns")
    assert {"eu", "skatteverket", "sverige", "björnehall"} <= set(out)
    assert out["eu"] == "proper_noun" and out["björnehall"] == "person_name"
    assert removed(DOCS, "none") == {}
    with pytest.raises(ValueError, match="unknown names mode"):
        names_to_remove([], "people")


def test_merge_counts_is_order_free() -> None:
    parts = [observe([doc]) for doc in DOCS]
    assert merge_counts(parts) == merge_counts(parts[::-1]) == observe(DOCS)


def _run(out: Path, docs: list[tuple[str, str]], cuts: tuple[int, ...], **changes: object) -> Path:
    config = preprocess_config(
        **{"vocabulary.no_below": 1, "vocabulary.no_above": 1.0, "phrases.enabled": False},
        **changes,
    )
    bounds = [0, *cuts, len(docs)]
    shards, counts = [], []
    for index, (a, b) in enumerate(itertools.pairwise(bounds)):
        shards.append(out / f"{index}.jsonl")
        counts.append(out / f"{index}.counts.json")
        preprocess_shard(
            docs[a:b], config=config, facet_values=[], out_units=shards[-1], out_counts=counts[-1]
        )
    build_corpus(shards, counts, config=config, out_dir=out / "p", tables_dir=out / "t")
    return out


def test_build_corpus_lists_and_counts_removed_names_shard_free(tmp_path: Path) -> None:
    docs = [(f"d{i}", text) for i, text in enumerate(DOCS * 2)]
    one = _run(tmp_path / "one", docs, ())
    three = _run(tmp_path / "three", docs, (2, 5))
    for name in ["t/vocabulary.csv", "t/preprocessing_summary.csv", "p/units.tsv"]:
        assert (one / name).read_bytes() == (three / name).read_bytes()
    rows = read_csv(one / "t" / "vocabulary.csv")
    gone = {r["term"]: r for r in rows if r["removed"]}
    assert {"conny", "björnehall", "melvanius"} <= set(gone)
    assert gone["melvanius"]["count"] == "6" and gone["melvanius"]["doc_freq"] == "2"
    kept = {r["term"] for r in rows if not r["removed"]}
    assert {"eu", "skatteverk", "sverige"} <= kept and not kept & set(gone)
    lemmas = " ".join(r["lemmas"] for r in read_tsv(one / "p" / "units.tsv")).split()
    assert not set(lemmas) & set(gone)
    summary = {r["step"]: r for r in read_csv(one / "t" / "preprocessing_summary.csv")}
    n_gone = sum(int(r["count"]) for r in gone.values())
    before, after = summary["stopwords_removed"], summary["names_removed"]
    assert int(before["tokens"]) - int(after["tokens"]) == n_gone
    assert int(before["types"]) - int(after["types"]) == len(gone)


def test_names_none_keeps_the_names(tmp_path: Path) -> None:
    docs = [(f"d{i}", text) for i, text in enumerate(DOCS * 2)]
    out = _run(tmp_path / "none", docs, (), **{"names.remove": "none"})
    rows = read_csv(out / "t" / "vocabulary.csv")
    assert not [r for r in rows if r["removed"]]
    assert "melvanius" in {r["term"] for r in rows}
