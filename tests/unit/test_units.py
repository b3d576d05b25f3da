"""Tests for swedish_topics.units: merging, splitting, ids, documents mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from swedish_topics.clean import clean_document
from swedish_topics.units import count_words, make_units, split_long, split_sentences

ROOT = Path(__file__).resolve().parents[2]


def sentence(word: str, n: int) -> str:
    """A sentence of ``n`` words ending with a full stop."""
    return " ".join([word.capitalize()] + [word] * (n - 1)) + "."


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("Kommunen satsar på e-tjänster.", 4),
        ("– Vi har 370 tjänstemän och 100 politiker.", 5),
        ("RPA-lösningar, it-avdelningen och bygg- och miljö", 6),
        ("", 0),
    ],
)
def test_count_words(text: str, n: int) -> None:
    assert count_words(text) == n


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Ett steg. Två steg! Tre steg?", ["Ett steg.", "Två steg!", "Tre steg?"]),
        ("”Vi har en resa.” Sedan kom nästa.", ["”Vi har en resa.”", "Sedan kom nästa."]),
        ("Inget slut", ["Inget slut"]),
    ],
)
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


def test_documents_mode_is_one_unit_joined_by_newlines() -> None:
    units = make_units(
        "d1", ["Rubrik", "Brödtext här."], mode="documents", min_tokens=60, max_tokens=250
    )
    assert [(u.unit_id, u.doc_id, u.text) for u in units] == [
        ("d1#0000", "d1", "Rubrik\nBrödtext här.")
    ]


@pytest.mark.parametrize("mode", ["paragraphs", "documents"])
def test_no_paragraphs_gives_no_unit(mode: str) -> None:
    assert make_units("d1", [], mode=mode, min_tokens=5, max_tokens=50) == []
    assert make_units("d1", ["  "], mode=mode, min_tokens=5, max_tokens=50) == []


def test_short_paragraphs_are_merged_until_min_tokens() -> None:
    paragraphs = ["Vad behövs?", sentence("svar", 6), "Nästa fråga?", sentence("text", 6)]
    units = make_units("d", paragraphs, mode="paragraphs", min_tokens=7, max_tokens=50)
    assert [u.text for u in units] == [
        "Vad behövs?\n" + paragraphs[1],
        "Nästa fråga?\n" + paragraphs[3],
    ]


def test_short_tail_is_merged_into_the_previous_unit() -> None:
    paragraphs = [sentence("ett", 10), sentence("två", 10), "Slut."]
    units = make_units("d", paragraphs, mode="paragraphs", min_tokens=8, max_tokens=50)
    assert [u.text for u in units] == [paragraphs[0], paragraphs[1] + "\nSlut."]


def test_document_shorter_than_min_tokens_is_one_unit() -> None:
    units = make_units(
        "d", ["Kort.", "Också kort."], mode="paragraphs", min_tokens=60, max_tokens=250
    )
    assert [u.text for u in units] == ["Kort.\nOckså kort."]


def test_long_paragraph_is_split_at_sentence_boundaries() -> None:
    paragraph = " ".join([sentence("alfa", 40), sentence("beta", 40), sentence("gamma", 40)])
    units = make_units("d", [paragraph], mode="paragraphs", min_tokens=30, max_tokens=100)
    assert [u.text for u in units] == [
        sentence("alfa", 40) + " " + sentence("beta", 40),
        sentence("gamma", 40),
    ]
    assert all(count_words(u.text) <= 100 for u in units)


def test_sentence_longer_than_max_is_split_between_words() -> None:
    pieces = split_long(" ".join(["ord"] * 250), max_tokens=100)
    assert [count_words(p) for p in pieces] == [84, 84, 82]


def test_unit_ids_are_doc_id_hash_four_digits() -> None:
    paragraphs = [sentence(f"ord{chr(97 + i)}", 10) for i in range(12)]
    units = make_units("ipq-1994--0001", paragraphs, mode="paragraphs", min_tokens=5, max_tokens=50)
    assert [u.unit_id for u in units] == [f"ipq-1994--0001#{i:04d}" for i in range(12)]


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown unit mode"):
        make_units("d", ["Text."], mode="sentences", min_tokens=5, max_tokens=50)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="larger than max_tokens"):
        make_units("d", ["Text."], mode="paragraphs", min_tokens=60, max_tokens=50)


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "corpus" / "texts").glob("*.txt")))
def test_units_of_shipped_texts_keep_every_word_in_order(name: str) -> None:
    text = (ROOT / "corpus" / "texts" / name).read_text(encoding="utf-8")
    paragraphs = clean_document(
        text,
        patterns=[],
        drop_bylines=True,
        drop_repeated_paragraphs=True,
        join_hyphenation=True,
        drop_caption_lead=True,
    ).paragraphs
    units = make_units(name, paragraphs, mode="paragraphs", min_tokens=60, max_tokens=250)
    assert " ".join(u.text for u in units).split() == " ".join(paragraphs).split()
    sizes = [count_words(u.text) for u in units]
    assert all(n >= 60 for n in sizes[:-1]) or len(units) == 1
    assert all(n <= 250 + 60 for n in sizes)
