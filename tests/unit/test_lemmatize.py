"""Tests for swedish_topics.lemmatize: real lemmas, overrides, compounds, the cache."""

from __future__ import annotations

from pathlib import Path

import pytest
from swedish_topics import lemmatize as lem
from swedish_topics.errors import ConfigError
from swedish_topics.lemmatize import Lemmatizer, load_overrides
from swedish_topics.tokenize import tokenize

ROOT = Path(__file__).resolve().parents[2]
OVERRIDES = ROOT / "config" / "lemma_overrides.tsv"


@pytest.fixture(scope="module")
def lemmatizer() -> Lemmatizer:
    return Lemmatizer(overrides=load_overrides(OVERRIDES))


@pytest.fixture(scope="module")
def shipped_tokens() -> set[str]:
    texts = (ROOT / "corpus" / "texts").glob("*.txt")
    return {t for path in texts for t in tokenize(path.read_text(encoding="utf-8"))}


# (form, lemma) pairs, all taken from the shipped texts. Where simplemma is wrong the
# correction is in config/lemma_overrides.tsv (e.g. pris, plan, steg, it, tankar, modet).
PAIRS = [
    ("kommunerna", "kommun"),
    ("kommunen", "kommun"),
    ("kommuner", "kommun"),
    ("kommunens", "kommun"),
    ("verksamheterna", "verksamhet"),
    ("verksamheten", "verksamhet"),
    ("verksamheter", "verksamhet"),
    ("medborgarna", "medborgare"),
    ("medborgaren", "medborgare"),
    ("tjänstemän", "tjänsteman"),
    ("säger", "säga"),
    ("sägas", "säga"),
    ("pris", "pris"),
    ("it-avdelningen", "it-avdelning"),
    ("e-tjänsterna", "e-tjänst"),
    ("e-tjänster", "e-tjänst"),
    ("rpa-lösningar", "rpa-lösning"),
    ("lösningar", "lösning"),
    ("digitaliseringen", "digitalisering"),
    ("digitala", "digital"),
    ("digitalt", "digital"),
    ("förvaltningarna", "förvaltning"),
    ("förändringar", "förändring"),
    ("förändringen", "förändring"),
    ("möjligheter", "möjlighet"),
    ("möjligheten", "möjlighet"),
    ("myndigheter", "myndighet"),
    ("leverantörer", "leverantör"),
    ("leverantörerna", "leverantör"),
    ("processerna", "process"),
    ("processer", "process"),
    ("frågor", "fråga"),
    ("frågan", "fråga"),
    ("arbetet", "arbete"),
    ("arbetar", "arbeta"),
    ("behöver", "behöva"),
    ("behövs", "behöva"),
    ("ledningen", "ledning"),
    ("kompetenser", "kompetens"),
    ("erfarenheter", "erfarenhet"),
    ("investeringar", "investering"),
    ("besparingar", "besparing"),
    ("resurserna", "resurs"),
    ("organisationer", "organisation"),
    ("avdelningar", "avdelning"),
    ("utvecklingen", "utveckling"),
    ("samhället", "samhälle"),
    ("regeringen", "regering"),
    ("funktioner", "funktion"),
    ("verktyg", "verktyg"),
    ("möten", "möte"),
    ("månader", "månad"),
    ("städer", "stad"),
    ("nya", "ny"),
    ("stora", "stor"),
    ("större", "stor"),
    ("bättre", "bra"),
    ("gamla", "gammal"),
    ("kunskaper", "kunskap"),
    ("tankar", "tanke"),
    ("steg", "steg"),
    ("plan", "plan"),
    ("tillväxt", "tillväxt"),
    ("uppdrag", "uppdrag"),
    ("risk", "risk"),
    ("it", "it"),
    ("digitaliseringsresan", "digitaliseringsresa"),
    ("förändringsarbetet", "förändringsarbete"),
    ("molnlösningar", "molnlösning"),
    ("verksamhetsprocesser", "verksamhetsprocess"),
    ("trygghetskameror", "trygghetskamera"),
    ("hemsidan", "hemsida"),
    ("berättar", "berätta"),
    ("fortsätter", "fortsätta"),
    ("gjort", "göra"),
    ("tagit", "ta"),
    ("valt", "välja"),
    ("inneburit", "innebära"),
    ("satsar", "satsa"),
    ("ögonen", "öga"),
    ("robotar", "robot"),
    ("e-arkivet", "e-arkiv"),
    ("it-systemen", "it-system"),
    ("skolan", "skola"),
    ("tittar", "titta"),
    ("upphandlar", "upphandla"),
    ("modet", "mod"),
    ("första", "första"),
]


@pytest.mark.parametrize(("form", "lemma"), PAIRS)
def test_lemmas_of_shipped_forms(
    lemmatizer: Lemmatizer, shipped_tokens: set[str], form: str, lemma: str
) -> None:
    assert form in shipped_tokens  # the table describes the shipped corpus
    assert lemmatizer(form) == lemma


def test_table_is_large_enough() -> None:
    assert len(PAIRS) >= 60
    assert len({form for form, _ in PAIRS}) == len(PAIRS)


@pytest.mark.parametrize(
    ("form", "lemma"),
    [
        ("kommunerna", "kommun"),
        ("verksamheterna", "verksamhet"),
        ("medborgarna", "medborgare"),
        ("tjänstemän", "tjänsteman"),
        ("säger", "säga"),
        ("it-avdelningen", "it-avdelning"),
        ("e-tjänsterna", "e-tjänst"),
    ],
)
def test_required_examples_without_overrides(form: str, lemma: str) -> None:
    assert Lemmatizer()(form) == lemma


def test_pris_needs_its_override() -> None:
    assert Lemmatizer()("pris") == "prisa"  # simplemma's mistake, fixed in the table
    assert Lemmatizer(overrides={"pris": "pris"})("pris") == "pris"


def test_output_is_lower_case() -> None:
    assert Lemmatizer()("Umeås") == "umeå"
    assert Lemmatizer()("Sverige") == "sverige"


def test_overrides_apply_to_the_last_part_of_compounds() -> None:
    lemmatizer = Lemmatizer(overrides={"plan": "plan"})
    assert lemmatizer("it-plan") == "it-plan"
    assert Lemmatizer()("it-plan") == "it-plana"


def test_disabled_returns_the_token() -> None:
    assert Lemmatizer(enabled=False)("Kommunerna") == "kommunerna"


def test_cache_calls_simplemma_once_per_form(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def fake(word: str, lang: str, greedy: bool) -> str:
        calls.append(word)
        return word.upper()

    monkeypatch.setattr(lem.simplemma, "lemmatize", fake)
    lemmatizer = Lemmatizer()
    assert [lemmatizer(w) for w in ["kommunen", "kommunen", "e-tjänsten", "kommunen"]] == [
        "kommunen",
        "kommunen",
        "e-tjänsten",
        "kommunen",
    ]
    assert calls == ["kommunen", "tjänsten"]
    assert lemmatizer.cache == {"kommunen": "kommunen", "e-tjänsten": "e-tjänsten"}


# --------------------------------------------------------------------- override table
def test_shipped_override_table_parses() -> None:
    overrides = load_overrides(OVERRIDES)
    assert overrides["pris"] == "pris"
    assert overrides["tankar"] == "tanke"
    assert all(k == k.lower() and v == v.lower() for k, v in overrides.items())


def test_load_overrides_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "o.tsv"
    path.write_text("# kommentar\n\nPris\tpris  # rättelse\nsteg\tsteg\n", encoding="utf-8")
    assert load_overrides(path) == {"pris": "pris", "steg": "steg"}


@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("pris\tpris\nplan plan\n", 2),
        ("# ok\npris\n", 2),
        ("pris\tpris\textra\n", 1),
        ("\tpris\n", 1),
        ("två ord\tord\n", 1),
    ],
)
def test_malformed_override_line_names_file_and_line(
    tmp_path: Path, content: str, line: int
) -> None:
    path = tmp_path / "overrides.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_overrides(path)
    assert f"{path}, line {line}:" in str(info.value)
    assert "form<TAB>lemma" in str(info.value)


def test_missing_override_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_overrides(tmp_path / "saknas.tsv")


# A sample of the corrections found by the lemma screening of the Riksdag corpus
# (bench/lemmas/lemma_screening.tsv): simplemma alone gives the second column.
SCREENED = [
    ("norrgående", "norrgå", "norrgående"),
    ("förödande", "föröda", "förödande"),
    ("alarmerande", "alarmera", "alarmerande"),
    ("avsåg", "avsåga", "avse"),
    ("skulder", "skuldra", "skuld"),
    ("höstas", "hösta", "höst"),
    ("järnvägar", "järnvägare", "järnväg"),
    ("älgar", "älga", "älg"),
    ("älg", "älga", "älg"),
    ("torsk", "torska", "torsk"),
    ("gås", "gå", "gås"),
    ("björnar", "björna", "björn"),
]


@pytest.mark.parametrize(("form", "simplemma", "lemma"), SCREENED)
def test_screened_corrections(
    lemmatizer: Lemmatizer, form: str, simplemma: str, lemma: str
) -> None:
    assert Lemmatizer()(form) == simplemma  # the error the override corrects
    assert lemmatizer(form) == lemma


def test_every_screened_wrong_lemma_has_its_override() -> None:
    overrides = load_overrides(OVERRIDES)
    screening = ROOT / "bench" / "lemmas" / "lemma_screening.tsv"
    rows = [
        line.split("\t")
        for line in screening.read_text(encoding="utf-8").splitlines()
        if line and not line.startswith(("#", "screen\t"))
    ]
    assert len([r for r in rows if r[0] == "unseen_lemma"]) == 200
    assert {r[4] for r in rows} == {"right", "wrong"}
    fixes = [pair.split("=") for r in rows if r[4] == "wrong" for pair in r[5].split("; ")]
    missing = [(f, right) for f, right in fixes if overrides.get(f) != right and f != "boden"]
    assert not missing
