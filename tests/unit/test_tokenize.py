"""Tests for swedish_topics.tokenize: Swedish words, hyphens, numbers, URLs."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
from nltk.tokenize import RegexpTokenizer
from swedish_topics.tokenize import (
    CANDIDATE_PATTERN,
    SwedishTokenizer,
    get_tokenizer,
    strip_urls,
    tokenize,
)

SHIPPED = Path(__file__).resolve().parents[2] / "corpus" / "texts"


@pytest.fixture(scope="module")
def shipped_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SHIPPED.glob("*.txt"))]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("Kommunen satsar på digitalisering.", ["kommunen", "satsar", "på", "digitalisering"]),
        (
            "Åsa är Lunds första digitaliseringschef",
            ["åsa", "är", "lunds", "första", "digitaliseringschef"],
        ),
        ("Émile über Öst", ["émile", "über", "öst"]),
        # hyphenated words stay whole, lower-cased
        ("en ny e-tjänst", ["en", "ny", "e-tjänst"]),
        ("en välskött IT-avdelning", ["en", "välskött", "it-avdelning"]),
        ("ytterligare RPA-lösningar.", ["ytterligare", "rpa-lösningar"]),
        # dangling hyphens are stripped
        ("bygg- och miljöavdelning", ["bygg", "och", "miljöavdelning"]),
        ("-Det är full fart", ["det", "är", "full", "fart"]),
        # numbers and tokens with digits are dropped
        ("under 2018 och 2019", ["under", "och"]),
        ("i mitten av 2000-talet", ["mitten", "av"]),
        (
            "över 800 konsulter, 30 miljoner och 1,5 procent",
            ["över", "konsulter", "miljoner", "och", "procent"],
        ),
        ("C3PO och snake_case", ["och"]),
        # URLs and e-mail addresses are dropped
        ("PENG-modellen (www.peng.se) som", ["peng-modellen", "som"]),
        ("versionen av www.vellinge.se som lanseras", ["versionen", "av", "som", "lanseras"]),
        ("se https://www.umea.se/digital?x=1 nu", ["se", "nu"]),
        ("mejla info@vannas.se idag", ["mejla", "idag"]),
        # typographic quotes, dashes, ellipsis and punctuation
        (
            "”Vi har en jätteresa att göra”, säger",
            ["vi", "har", "en", "jätteresa", "att", "göra", "säger"],
        ),
        ("– Tempot … är – viktigt!?", ["tempot", "är", "viktigt"]),
        ("»Citat« och ’enkla’", ["citat", "och", "enkla"]),
        # single letters are shorter than min_length=2
        ("i en kommun å ö", ["en", "kommun"]),
        ("", []),
    ],
)
def test_tokenize(text: str, tokens: list[str]) -> None:
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("min_length", "tokens"),
    [(1, ["i", "en", "kommun", "å"]), (2, ["en", "kommun"]), (4, ["kommun"])],
)
def test_min_length(min_length: int, tokens: list[str]) -> None:
    assert tokenize("i en kommun å", min_length=min_length) == tokens


def test_spans_point_at_the_tokens_in_the_text() -> None:
    tokenizer = SwedishTokenizer()
    text = "Vår -e-tjänst (www.peng.se) 2018 – Umeå!"
    spans = list(tokenizer.span_tokenize(text))
    assert [text[a:b] for a, b in spans] == ["Vår", "e-tjänst", "Umeå"]
    assert tokenizer.tokenize_sents([text, "Två ord"]) == [
        ["vår", "e-tjänst", "umeå"],
        ["två", "ord"],
    ]


def test_candidates_equal_nltks_regexp_tokenizer_with_the_same_pattern(
    shipped_texts: list[str],
) -> None:
    """Our tokeniser is nltk's RegexpTokenizer without the import cost: same candidates."""
    nltk_tokenizer = RegexpTokenizer(CANDIDATE_PATTERN)
    tokenizer = SwedishTokenizer()
    for text in [*shipped_texts, "bygg- och -Det e-tjänst 2000-talet _x_ ––– a--b"]:
        text = strip_urls(text)
        assert tokenizer.candidates(text) == nltk_tokenizer.tokenize(text)


def test_the_package_does_not_import_nltk() -> None:
    """Importing nltk loads scipy.stats (over a second per preprocessing job)."""
    code = (
        "import sys, swedish_topics.preprocess, swedish_topics.pipeline;"
        "sys.exit('nltk' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_candidates_are_cached_per_distinct_string() -> None:
    tokenizer = SwedishTokenizer()
    tokenizer.tokenize("Kommunen kommunen KOMMUNEN 2018 kommunen")
    assert tokenizer.cache == {
        "Kommunen": "kommunen",
        "kommunen": "kommunen",
        "KOMMUNEN": "kommunen",
        "2018": "",
    }


def test_get_tokenizer_is_shared_per_min_length() -> None:
    assert get_tokenizer(2) is get_tokenizer(2)
    assert get_tokenizer(3).min_length == 3


def test_strip_urls_keeps_offsets() -> None:
    text = "se www.peng.se och a@b.se."
    stripped = strip_urls(text)
    assert len(stripped) == len(text)
    assert stripped.split() == ["se", "och", "."]


@pytest.mark.parametrize("min_length", [1, 2, 3])
def test_chunk_tokens_equal_tokenize_on_any_chunk(min_length: int) -> None:
    """The shortcut for "(word)," chunks must never change a token: random chunks."""
    rng = random.Random(7)
    pieces = [*"aÅöEİß.,:;!?()\"'«»“”…–—-_/@1²", "www.", "WWW.", "://", "ﬀ", "e-", "ab"]
    tokenizer = SwedishTokenizer(min_length=min_length)
    for _ in range(20_000):
        chunk = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 8)))
        assert tokenizer.chunk_tokens(chunk) == tuple(tokenizer.tokenize(chunk)), chunk


def test_chunk_tokens_of_the_shipped_texts(shipped_texts: list[str]) -> None:
    tokenizer = SwedishTokenizer()
    chunks = {chunk for text in shipped_texts for chunk in text.split()}
    assert len(chunks) > 1000
    for chunk in chunks:
        assert tokenizer.chunk_tokens(chunk) == tuple(tokenizer.tokenize(chunk)), chunk
