"""Tests for swedish_topics.clean: furniture, bylines, hyphenation, caption leads."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from swedish_topics import clean
from swedish_topics.clean import Cleaner, clean_document, is_byline, is_dateline, join_hyphenation
from swedish_topics.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ROOT / "corpus" / "texts"
ALL_ON = {
    "drop_bylines": True,
    "drop_repeated_paragraphs": True,
    "join_hyphenation": True,
    "drop_caption_lead": True,
}


def config_patterns() -> list[str]:
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    section = cfg["preprocess"]["clean"]
    return [*section["furniture_patterns"], *section["extra_patterns"]]


def run(text: str, patterns: tuple[str, ...] = (), **switches: bool) -> clean.CleanResult:
    return clean_document(text, patterns=patterns, **{**ALL_ON, **switches})


# --------------------------------------------------------------------- line ends, BOM
@pytest.mark.parametrize(
    ("text", "paragraphs"),
    [
        ("\ufeffFörsta stycket.\r\nAndra stycket.\r\n", ["Första stycket.", "Andra stycket."]),
        ("Ett.\rTvå.\r\rTre.", ["Ett.", "Två.", "Tre."]),
        ("  Blanksteg   inuti\tstycket.  \n\n\n", ["Blanksteg inuti stycket."]),
        ("vapenexpor\u00adten ökar", ["vapenexporten ökar"]),
        ("a\u030angström", ["ångström"]),  # decomposed å becomes one character (NFC)
        ("", []),
    ],
)
def test_paragraphs_are_non_empty_normalised_lines(text: str, paragraphs: list[str]) -> None:
    assert run(text).paragraphs == paragraphs


WHITESPACE = [chr(c) for c in range(0x110000) if chr(c).isspace()]


@pytest.mark.parametrize("space", WHITESPACE, ids=[f"U+{ord(c):04X}" for c in WHITESPACE])
def test_every_kind_of_whitespace_is_tidied_to_single_spaces(space: str) -> None:
    # Texts without odd whitespace skip the tidying (clean.ODD_SPACES): each kind must
    # still be found, alone, doubled, and at the ends of a line.
    text = f"Ett{space}två\ntre{space}{space}fyra{space}\n{space}fem sex"
    lines = "\n".join(["Ett två", "tre fyra", "fem sex"]).split("\n")
    if space in "\n\r\x85\u2028\u2029":  # a line end (normalise_text)
        lines = ["Ett", "två", "tre", "fyra", "fem sex"]
    assert run(text, drop_bylines=False).paragraphs == lines


# ----------------------------------------------------------------------- hyphenation
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Den digitali-\nsering som pågår", "Den digitalisering som pågår"),
        ("flertal motio-\nner påpekat", "flertal motioner påpekat"),
        ("vår bygg-\noch miljöavdelning", "vår bygg- och miljöavdelning"),
        ("en välskött IT-\navdelning", "en välskött IT-avdelning"),
        ("ny e-\ntjänst", "ny e-tjänst"),
        ("under 1930-\ntalet", "under 1930-talet"),
        ("vår e-tjänste-\nplattform", "vår e-tjänsteplattform"),
        ("ny it-\nstrategi", "ny it-strategi"),
        # OCR artefact: a lost line break left as hyphen + space inside a line
        ("till ut- vecklingsfrämjande verksamhet", "till utvecklingsfrämjande verksamhet"),
        ("den EU- motiverade ändringen", "den EU-motiverade ändringen"),
        ("de fackliga a- kassorna", "de fackliga a-kassorna"),
        # real hyphens and suspended compounds are kept
        ("både kommun- och leverantörssidan", "både kommun- och leverantörssidan"),
        ("hård- och mjukvara", "hård- och mjukvara"),
        ("inom- eller internationella", "inom- eller internationella"),
        ("e-tjänst och RPA-lösningar", "e-tjänst och RPA-lösningar"),
        ("Öst- Tyskland", "Öst- Tyskland"),
        ("- Jag kommer från näringslivet", "- Jag kommer från näringslivet"),
    ],
)
def test_join_hyphenation(text: str, expected: str) -> None:
    assert join_hyphenation(text)[0] == expected
    assert run(text).paragraphs == [expected]


def test_join_hyphenation_counts_and_can_be_switched_off() -> None:
    text = "Den digitali-\nsering och ut- vecklingen.\nbygg-\noch miljö"
    assert run(text).hyphenations_joined == 2
    off = run(text, join_hyphenation=False)
    assert off.hyphenations_joined == 0
    assert off.paragraphs == ["Den digitali-", "sering och ut- vecklingen.", "bygg-", "och miljö"]


# ------------------------------------------------------------------------- furniture
def test_patterns_match_whole_line_case_insensitively() -> None:
    text = "STÄNG\nStäng dörren efter dig.\nstäng\nMer text."
    result = run(text, patterns=("^Stäng$",))
    assert result.paragraphs == ["Stäng dörren efter dig.", "Mer text."]
    assert result.removed["furniture"] == 2


def test_pattern_without_anchors_still_needs_the_whole_line() -> None:
    result = run("Facebook\nVi finns på Facebook.", patterns=("Facebook",))
    assert result.paragraphs == ["Vi finns på Facebook."]


@pytest.mark.parametrize("bad", ["^(Stäng$", "[a-z", "*fel", "(?P<x>a)(?P<x>b)"])
def test_bad_pattern_is_a_config_error_naming_it(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        Cleaner(patterns=["^Stäng$", bad])
    message = str(info.value)
    assert repr(bad) in message
    assert "item 2" in message
    assert "not a valid regular expression" in message


def test_patterns_are_compiled_once_per_configuration() -> None:
    clean._cached_cleaner.cache_clear()
    for _ in range(3):
        clean_document("Stäng\nText.", patterns=["^Stäng$"], **ALL_ON)
    info = clean._cached_cleaner.cache_info()
    assert (info.misses, info.hits) == (1, 2)


# -------------------------------------------------------------------- bylines, dates
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Caroline Wendt", True),
        ("Mikael Hansson", True),
        ("Anna-Karin Hatt", True),
        ("Carl von Linné", True),
        ("Text av: Mikael Hansson", True),
        ("Text av:", True),
        ("Publicerad:", True),
        ("Publicerad: 12 februari, 2018Dela artikel:", True),
        ("Foto: Lars Bygdemark", True),
        ("vännäs stationshus.jpg", True),
        ("Kommunens nya kultur", False),
        ("Utbilda ledningen", False),
        ("Umeås framtid är digital", False),
        ("Inte en IT-fråga", False),
        ("Trial fast, fail fast", False),
        ("E-tjänstsamarbete", False),
        ("Åsa är Lunds första digitaliseringschef och efterträder en IT-chef.", False),
    ],
)
def test_is_byline(line: str, expected: bool) -> None:
    assert is_byline(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("12 februari, 2018", True),
        ("24 september 2018", True),
        ("1 jan. 2020", True),
        ("måndag 3 maj 2021 kl. 10.15", True),
        ("September 24, 2018", True),
        ("2018-09-24", True),
        ("2018-09-24 14:30", True),
        ("Sedan 2015 har man arbetat med planen.", False),
        ("12 kommuner deltar", False),
    ],
)
def test_is_dateline(line: str, expected: bool) -> None:
    assert is_dateline(line) is expected


def test_bylines_and_datelines_are_dropped_only_when_switched_on() -> None:
    text = "Rubrik här\nCaroline Wendt\nSeptember 24, 2018\nBrödtext om kommunen."
    on = run(text)
    assert on.paragraphs == ["Rubrik här", "Brödtext om kommunen."]
    assert (on.removed["byline"], on.removed["dateline"]) == (1, 1)
    assert run(text, drop_bylines=False).paragraphs == text.split("\n")


# --------------------------------------------------------------- repeated paragraphs
def test_repeated_paragraphs_keep_the_first() -> None:
    text = "Ett stycke.\nAnnat stycke.\nETT  STYCKE.\nSista."
    result = run(text, drop_caption_lead=False)
    assert result.paragraphs == ["Ett stycke.", "Annat stycke.", "Sista."]
    assert result.removed["repeated_paragraph"] == 1
    off = run(text, drop_caption_lead=False, drop_repeated_paragraphs=False)
    assert off.paragraphs == ["Ett stycke.", "Annat stycke.", "ETT STYCKE.", "Sista."]


def test_repeats_are_found_by_case_folding_each_paragraph() -> None:
    text = "Straße ΟΔΟΣ.\nMitten.\nSTRASSE οδος.\nstraße οδοσ."
    result = run(text, drop_caption_lead=False)
    assert result.paragraphs == ["Straße ΟΔΟΣ.", "Mitten."]
    assert result.removed["repeated_paragraph"] == 2


# ---------------------------------------------------------------------- caption lead
CAPTION = (
    "”Vi har en jätteresa att göra. Det handlar inte om en ny e-tjänst, inte om en ny app. "
    "Vi måste se över hela det digitala ekosystemet”, säger Jenny Conradsson, "
    "verksamhetsutvecklare i Umeå kommun. Här tillsammans med Johan Gammelgård, "
    "tillväxtdirektör, och Lars Sandström, IT-strateg, som vill se ett digitalt Umeå."
)
BODY = (
    "– Vi har en jätteresa att göra. Det handlar inte om en ny e-tjänst, inte om en ny app. "
    "Vi måste se över hela det digitala ekosystemet, säger Jenny Conradsson, "
    "verksamhetsutvecklare vid Umeå kommun."
)


def test_caption_lead_repeated_nearly_in_the_body_is_dropped() -> None:
    text = "\n".join([CAPTION, CAPTION, "Umeås framtid är digital", "Ingress här.", BODY, "Slut."])
    result = run(text)
    assert result.paragraphs == ["Umeås framtid är digital", "Ingress här.", BODY, "Slut."]
    assert result.removed["caption_lead"] == 2


def test_caption_lead_switched_off_keeps_one_copy() -> None:
    text = "\n".join([CAPTION, CAPTION, "Umeås framtid är digital", BODY])
    result = run(text, drop_caption_lead=False)
    assert result.paragraphs == [CAPTION, "Umeås framtid är digital", BODY]


def test_exact_repeat_of_the_first_line_drops_the_first() -> None:
    text = "Digital Cities & Citizens\nRubrik\nBrödtext.\nDigital Cities & Citizens"
    assert run(text).paragraphs == ["Rubrik", "Brödtext.", "Digital Cities & Citizens"]


def test_lead_sharing_one_quote_with_the_body_is_kept() -> None:
    lead = (
        "Åsa Melvanius är Lunds första digitaliseringschef och vill inspirera och hjälpa "
        "verksamheterna på deras digitala transformationsresa. Med tiden hoppas hon att Lund "
        "nyttjar sina resurser på bästa sätt. Jag vill att vi i Lund ska bli kända för vårt "
        "höga marknadsvärde!"
    )
    last = (
        "- Att utnyttja resurserna höjer kvalitet och service. Jag vill att vi i Lund ska bli "
        "kända för vårt höga marknadsvärde!"
    )
    text = "\n".join(["Rubrik", lead, "Brödtext om annat.", last])
    assert run(text).paragraphs == ["Rubrik", lead, "Brödtext om annat.", last]


def test_a_late_paragraph_repeated_is_not_a_caption_lead() -> None:
    text = "\n".join(["Rubrik", "Ingress.", "Text ett.", BODY, "Mera.", BODY])
    result = run(text)
    assert result.removed["caption_lead"] == 0
    assert result.paragraphs == ["Rubrik", "Ingress.", "Text ett.", BODY, "Mera."]


# ------------------------------------------------------------ the five shipped texts
FORBIDDEN_LINES = {
    "Rekommenderad läsning",
    "Stäng",
    "Facebook",
    "Caroline Wendt",
    "Mikael Hansson",
    "September 24, 2018",
    "12 februari, 2018",
    "Digital Cities & Citizens",
    "Text av:",
    "Publicerad:",
}
FORBIDDEN_SUBSTRINGS = (
    "Related videos to category",
    "MER ATT LÄSA",
    "Se alla artiklar",
    "Dela artikel",
    "Voisters nyhetsbrev",
    "Allt om digitalisering, branschens insikter",
    "Uppdaterad 2 oktober 2023",
    "Text av: Mikael",
    ".jpg",
    "Här tillsammans med Johan Gammelgård",  # the photo caption of 002
)
# Exactly these lines are furniture; every other line is article text and must remain.
FURNITURE = {
    "000_d05961ad828120c4.txt": [
        "Digital Cities & Citizens",
        "Caroline Wendt",
        "September 24, 2018",
        "Related videos to category:",
        "MER ATT LÄSA",
        "Se alla artiklar",
    ],
    "001_69f360cf5bc1e1cb.txt": [
        "23 september 2021Uppdaterad 2 oktober 2023Reporter Fredrik AdolfssondigitFoto "
        "Voister, Vellinge kommun/Lars Bygdemark",
        "Voisters nyhetsbrev",
        "Allt om digitalisering, branschens insikter och smartare teknik.",
        "Rekommenderad läsning",
        "Stäng",
    ],
    "002_f323569b1564ba78.txt": [
        # the photo caption printed twice before the title (an entry ending in … is a prefix)
        "”Vi har en jätteresa att göra. Det handlar inte om en ny e-tjänst, inte om en ny "
        "app. Vi måste se över hela det digitala ekosystemet”, säger Jenny Conradsson, "
        "verksamhetsutvecklare i Umeå kommun. Här tillsammans med…",
        "Text av: Mikael Hansson",
        "Publicerad: 12 februari, 2018Dela artikel:",
        "Text av:",
        "Publicerad:",
        "Facebook",
        "Mikael Hansson",
        "12 februari, 2018",
    ],
    "003_1c230e9f33a39e1b.txt": [
        "vännäs stationshus.jpg",
        "11 november 2019Uppdaterad 2 oktober 2023Reporter Tim LefflerdigitFoto Mostphotos",
        "Voisters nyhetsbrev",
        "Allt om digitalisering, branschens insikter och smartare teknik.",
        "Rekommenderad läsning",
        "Stäng",
    ],
    "004_3743fa9254c4b3aa.txt": [],
}


def shipped_lines(name: str) -> list[str]:
    text = (TEXTS / name).read_text(encoding="utf-8")
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("name", sorted(FURNITURE))
def test_shipped_texts_lose_exactly_their_furniture(name: str) -> None:
    def matches(line: str, entry: str) -> bool:
        return line.startswith(entry[:-1]) if entry.endswith("…") else line == entry

    def is_furniture(line: str) -> bool:
        return any(matches(line, entry) for entry in FURNITURE[name])

    lines = shipped_lines(name)
    result = clean_document(
        (TEXTS / name).read_text(encoding="utf-8"), patterns=config_patterns(), **ALL_ON
    )
    expected = [line for line in lines if not is_furniture(line)]
    for entry in FURNITURE[name]:  # the list describes the file
        assert any(matches(line, entry) for line in lines), entry
    assert result.paragraphs == expected
    for paragraph in result.paragraphs:
        assert paragraph not in FORBIDDEN_LINES
        assert not any(s in paragraph for s in FORBIDDEN_SUBSTRINGS), paragraph


def test_shipped_002_keeps_the_body_copy_of_the_caption_quote() -> None:
    name = "002_f323569b1564ba78.txt"
    result = clean_document(
        (TEXTS / name).read_text(encoding="utf-8"), patterns=config_patterns(), **ALL_ON
    )
    assert result.paragraphs[0] == "Umeås framtid är digital"
    assert sum(p.startswith("– Vi har en jätteresa att göra.") for p in result.paragraphs) == 1
    assert result.removed["caption_lead"] == 2


def test_parallel_list_items_are_not_repeats_of_a_lead() -> None:
    items = [
        "1. Norra Sverige har 28,6 helårsstudenter per 1 000 invånare.",
        "2. Mellersta Sverige har 28,8 helårsstudenter per 1 000 invånare.",
        "3. Södra Sverige har 28,6 helårsstudenter per 1 000 invånare.",
    ]
    text = "\n".join(["Rubrik", "Högskolan har byggts ut.", *items])
    assert run(text).paragraphs == ["Rubrik", "Högskolan har byggts ut.", *items]


def test_long_lead_paragraph_is_never_a_caption() -> None:
    long_lead = " ".join([BODY] * 4)  # > LEAD_MAX_WORDS words, all repeated later
    text = "\n".join(["Rubrik", long_lead, "Mitten.", BODY])
    assert run(text).removed["caption_lead"] == 0
