"""Tests for swedish_topics.stopwords: the shipped list, additions, facet values."""

from __future__ import annotations

from pathlib import Path

import pytest
from swedish_topics.errors import ConfigError
from swedish_topics.lemmatize import Lemmatizer
from swedish_topics.stopwords import (
    facet_value_stopwords,
    load_stopwords,
    parse_stopwords,
    shipped_stopwords,
)
from swedish_topics.tokenize import tokenize

_SNOWBALL_TEXT = (
    "och det att i en jag hon som han på den med var sig för så till är men ett om hade "
    "de av icke mig du henne då sin nu har inte hans honom skulle hennes där min man ej "
    "vid kunde något från ut när efter upp vi dem vara vad över än dig kan sina här ha "
    "mot alla under någon eller allt mycket sedan ju denna själv detta åt utan varit "
    "hur ingen mitt ni bli blev oss din dessa några deras blir mina samma vilken er "
    "sådan vår blivit dess inom mellan sådant varför varje vilka ditt vem vilket sådana "
    "vart dina vars vårt våra ert era vilkas"
)
SNOWBALL_SAMPLE = _SNOWBALL_TEXT.split()


def test_shipped_list_holds_the_snowball_words() -> None:
    assert set(SNOWBALL_SAMPLE) <= shipped_stopwords()
    assert len(SNOWBALL_SAMPLE) == 113  # Snowball's 114 minus "sitta" (see the file)


@pytest.mark.parametrize(
    "word", ["ska", "skall", "böra", "bör", "kunna", "få", "fick", "finns", "in", "ex", "bl"]
)
def test_function_words_and_their_lemmas_are_stopwords(word: str) -> None:
    assert word in shipped_stopwords()


@pytest.mark.parametrize(
    "word",
    [
        "skola",  # lemma of ska, but also the noun "school"
        "vilja",  # the noun "will"
        "sitta",  # Snowball's entry; the verb "sit"
        "dom",  # the noun "verdict"
        "kommun",
        "digital",
        "göra",
        "säga",
        "sex",
        "fast",
    ],
)
def test_content_words_are_not_stopwords(word: str) -> None:
    assert word not in shipped_stopwords()


def test_parse_stopwords_lower_cases_and_skips_comments() -> None:
    assert parse_stopwords("# rubrik\nOch\n\n  att  # kommentar\n") == ["och", "att"]


def test_extra_words_and_file(tmp_path: Path) -> None:
    path = tmp_path / "extra.txt"
    path.write_text("# egna\nSäga\ngöra\n", encoding="utf-8")
    words = load_stopwords(extra=["Digital", " "], extra_file=path)
    assert {"digital", "säga", "göra", "och"} <= words
    assert "" not in words


def test_missing_extra_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="extra_file"):
        load_stopwords(extra_file=tmp_path / "saknas.txt")


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["Umeå"], {"umeå", "umeås"}),
        (["Vellinge kommun"], {"vellinge", "vellinges"}),
        (["Vännäs"], {"vännäs"}),
        (["Lund"], {"lund", "lunds"}),
        (["Skåne län"], {"skåne", "skånes"}),
        (["Västra Götalands län"], {"götalands", "götaland"}),
        (["2018", "1994"], set()),
        (["vellinge kommun"], {"vellinge", "vellinges"}),
    ],
)
def test_facet_value_stopwords(values: list[str], expected: set[str]) -> None:
    assert facet_value_stopwords(values, tokenizer=tokenize, lemmatizer=Lemmatizer()) == expected


def test_surface_or_lemma_policy_in_the_pipeline() -> None:
    # "skolan" is kept although "ska" lemmatises to "skola": skola is not a stopword.
    stop = shipped_stopwords()
    lemmatizer = Lemmatizer()
    kept = [
        lemmatizer(t)
        for t in tokenize("Barnen ska gå i skolan och borde få en bra utbildning")
        if t not in stop and lemmatizer(t) not in stop
    ]
    assert kept == ["barn", "gå", "skola", "bra", "utbildning"]
