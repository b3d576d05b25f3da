"""Tests for swedish_topics.preprocess: the pipeline, shards and the corpus files."""

from __future__ import annotations

import copy
import csv
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from gensim.corpora import Dictionary, MmCorpus
from swedish_topics.bagofwords import SUMMARY_STEPS, Phrases, build_corpus
from swedish_topics.io import atomic_write_json, read_csv
from swedish_topics.preprocess import (
    TextPipeline,
    _json_line,
    _write_counts,
    preprocess_shard,
)
from swedish_topics.units import Unit

ROOT = Path(__file__).resolve().parents[2]
TEXTS = sorted((ROOT / "corpus" / "texts").glob("*.txt"))
PLACES = ["Lund", "Vellinge", "Umeå", "Vännäs"]  # the municipality facet of the shipped corpus
DOC = (
    "Kommunens nya kultur\n\nStäng\n\nKommunerna och verksamheterna vill hjälpa medborgarna "
    "med nya e-tjänster i Umeå. Umeås it-avdelning säger att priset är bra – 2018.\n"
)


def preprocess_config(**changes: Any) -> dict[str, Any]:
    """The preprocess section of config/config.yaml, with ``section.key`` changes."""
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    section = copy.deepcopy(cfg["preprocess"])
    section["lemmatize"]["overrides"] = str(ROOT / "config" / "lemma_overrides.tsv")
    # The tests pin the shipped stopword list alone; the config's corpus-specific extras
    # are tested separately below.
    section["stopwords"]["extra"] = []
    for dotted, value in changes.items():
        group, key = dotted.split(".")
        section[group][key] = value
    return section


def documents() -> list[tuple[str, str]]:
    return [(p.stem, p.read_text(encoding="utf-8")) for p in TEXTS]


def run_all(
    out: Path,
    config: dict[str, Any],
    facet_values: list[str] = PLACES,
    cuts: tuple[int, ...] = (3,),
) -> Path:
    """Shards of the shipped texts (two by default), then build_corpus; returns ``out``."""
    docs = documents()
    bounds = [0, *cuts, len(docs)]
    shards, counts = [], []
    for index, part in enumerate(docs[a:b] for a, b in itertools.pairwise(bounds)):
        shards.append(out / "interim" / "shards" / f"{index}.jsonl")
        counts.append(out / "interim" / "shards" / f"{index}.counts.json")
        preprocess_shard(
            part,
            config=config,
            facet_values=facet_values,
            out_units=shards[-1],
            out_counts=counts[-1],
        )
    build_corpus(
        shards, counts, config=config, out_dir=out / "preprocess", tables_dir=out / "tables"
    )
    return out


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return run_all(tmp_path_factory.mktemp("built"), preprocess_config())


# ------------------------------------------------------------------------ TextPipeline
def test_process_document_gives_lemmas_without_stopwords_or_places() -> None:
    pipeline = TextPipeline(preprocess_config(), facet_values=["Umeå"])
    (unit,) = pipeline.process_document("d1", DOC)
    assert unit.unit_id == "d1#0000"
    assert unit.text.startswith("Kommunens nya kultur\nKommunerna och")
    assert unit.tokens == [
        "kommun", "ny", "kultur", "kommun", "verksamhet", "hjälpa", "medborgare",
        "ny", "e-tjänst", "it-avdelning", "säga", "pris", "bra",
    ]  # fmt: skip


def test_default_config_extras_remove_light_verbs() -> None:
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    extras = cfg["preprocess"]["stopwords"]["extra"]
    pipeline = TextPipeline(preprocess_config(**{"stopwords.extra": extras}), facet_values=[])
    (unit,) = pipeline.process_document("d1", DOC)
    assert "säga" not in unit.tokens and "ny" not in unit.tokens
    assert {"kommun", "verksamhet", "medborgare", "e-tjänst"} <= set(unit.tokens)


def test_counts_per_step() -> None:
    pipeline = TextPipeline(preprocess_config(), facet_values=["Umeå"])
    pipeline.process_document("d1", DOC)
    steps = pipeline.counts()["steps"]
    summary = {step: (v["tokens"], v["types"], v["units"]) for step, v in steps.items()}
    assert summary == {
        "raw": (21, 20, 1),  # "stäng" still there
        "cleaned": (20, 19, 1),
        "lemmatised": (20, 17, 1),  # kommunens/kommunerna -> kommun, nya -> ny
        "stopwords_removed": (13, 11, 1),
    }
    assert "stäng" in steps["raw"]["vocabulary"]
    assert "stäng" not in steps["cleaned"]["vocabulary"]
    assert pipeline.counts()["removed_paragraphs"]["furniture"] == 1


def test_step_vocabularies_equal_a_token_by_token_count() -> None:
    """Changed and unchanged documents sharing chunks, and a final_tokens call between
    them: each step's vocabulary is what tokenising every text on its own gives."""
    pipeline = TextPipeline(preprocess_config(), facet_values=["Umeå"])
    plain = "Kommunerna i Umeå bygger nya e-tjänster, och skolan säger att det går bra."
    changed = (
        "Stäng\n\nKommunerna digitali-\nserar skolan. Fler e-tjänster och nya kulturhus "
        "kommer, säger kommunen.\n"
    )
    assert not pipeline.cleaner.clean(plain).changed and pipeline.cleaner.clean(changed).changed
    units = pipeline.process_document("a", plain)
    pipeline.final_tokens("Ett helt annat ord: telefonväxeln.")  # not a document: not counted
    units += pipeline.process_document("b", changed)
    steps = pipeline.counts()["steps"]

    tokenize = pipeline.tokenizer.tokenize
    raw = set(tokenize(plain)) | set(tokenize(changed))
    cleaned = {t for unit in units for t in tokenize(unit.text)}
    lemmas = {pipeline.lemmatizer(t) for t in cleaned}
    kept = {t for unit in units for t in unit.tokens}
    assert steps["raw"]["vocabulary"] == sorted(raw)
    assert steps["cleaned"]["vocabulary"] == sorted(cleaned)
    assert steps["lemmatised"]["vocabulary"] == sorted(lemmas)
    assert steps["stopwords_removed"]["vocabulary"] == sorted(kept)
    assert "stäng" in raw and "stäng" not in cleaned  # furniture: raw only
    assert "digitaliserar" in cleaned and "digitaliserar" not in raw  # joined by cleaning
    assert "telefonväxeln" not in raw | cleaned
    assert steps["raw"]["tokens"] == len(tokenize(plain)) + len(tokenize(changed))
    assert steps["cleaned"]["tokens"] == sum(len(tokenize(u.text)) for u in units)


def test_hot_path_equals_process_document() -> None:
    pipeline = TextPipeline(preprocess_config(), facet_values=PLACES)
    for doc_id, text in documents():
        for unit in pipeline.process_document(doc_id, text):
            assert pipeline.final_tokens(unit.text) == unit.tokens


@pytest.mark.parametrize(
    "text",
    [
        "webbredaktörsorganisation.Den första (www.peng.se) kommun,kommunen och/eller",
        "e-post:info@vannas.se 2000-talet bygg- och -Det ”citat”… https://x.se/a b",
        "Kommunerna\u00a0verksamheterna\tmedborgarna\nRPA-lösningar",
    ],
)
def test_chunk_cache_equals_token_by_token(text: str) -> None:
    pipeline = TextPipeline(preprocess_config(), facet_values=["Umeå"])
    expected = []
    for token in pipeline.tokenizer.tokenize(text):
        lemma = pipeline.lemmatizer(token)
        if token not in pipeline.stopwords and lemma not in pipeline.stopwords:
            expected.append(lemma)
    assert pipeline.final_tokens(text) == expected
    assert pipeline.final_tokens(text) == expected  # from the cache


AWKWARD = [
    'a "quoted" word',
    "back\\slash \\u00e5 and /slash/",
    "controls \x00\x01\x08\t\n\r\x0c\x1f\x7f end",
    "non-BMP 😀 𝔘 and U+2028 \u2028 U+2029 \u2029 and é å",
    "",
]


@pytest.mark.parametrize("value", AWKWARD)
def test_shard_line_is_json_dumps_of_the_record(value: str) -> None:
    tokens = ["kommun", value, "e-tjänst"] if value else []
    unit = Unit(unit_id=f"d#{value}", doc_id=value, text=f"{value}\n\n{value}")
    record = {"unit_id": unit.unit_id, "doc_id": unit.doc_id, "text": unit.text}
    record["tokens"] = tokens
    line = _json_line(unit, json.dumps(tokens, ensure_ascii=False))
    assert line == json.dumps(record, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(
    "lemma",
    ["två ord", 'citat"tecken', "back\\slash", "kon\x01troll", "\x00", "rad\u2028brytning"],
)
def test_lemmas_that_json_escapes_give_the_same_tokens_and_lines(lemma: str) -> None:
    """A lemma with a quote, backslash or control character leaves the fast path."""
    config = preprocess_config(**{"lemmatize.overrides": None})
    pipeline = TextPipeline(config, facet_values=["Umeå"])
    pipeline.lemmatizer.overrides["kommunerna"] = lemma
    expected = [
        pipeline.lemmatizer(token)
        for token in pipeline.tokenizer.tokenize(DOC)
        if token not in pipeline.stopwords and pipeline.lemmatizer(token) not in pipeline.stopwords
    ]
    assert lemma in expected
    assert pipeline.final_tokens(DOC) == expected
    for unit, tokens in pipeline.encode_document("d1", DOC):
        assert json.loads(tokens) == pipeline.final_tokens(unit.text)
        assert tokens == json.dumps(json.loads(tokens), ensure_ascii=False)
    (unit,) = pipeline.process_document("d1", DOC)
    assert unit.tokens == pipeline.final_tokens(unit.text)
    steps = pipeline.counts()["steps"]
    assert steps["cleaned"]["tokens"] == steps["lemmatised"]["tokens"] == 2 * 20
    assert steps["stopwords_removed"]["tokens"] == 2 * len(unit.tokens)
    assert lemma in steps["stopwords_removed"]["vocabulary"]


@pytest.mark.parametrize("awkward", [False, True])
def test_counts_file_is_atomic_write_json(tmp_path: Path, awkward: bool) -> None:
    pipeline = TextPipeline(preprocess_config(), facet_values=PLACES)
    for doc_id, text in documents()[:3]:
        pipeline.process_document(doc_id, text)
    counts = pipeline.counts()
    if awkward:
        counts["steps"]["raw"]["vocabulary"] = sorted(AWKWARD)
        counts["steps"]["stopwords_removed"]["vocabulary"] = []
    _write_counts(tmp_path / "fast.json", counts)
    atomic_write_json(tmp_path / "slow.json", counts)
    assert (tmp_path / "fast.json").read_bytes() == (tmp_path / "slow.json").read_bytes()


def test_stopword_switches() -> None:
    text = "Kommunen i Umeå säger att skolan är bra."
    keep_places = TextPipeline(
        preprocess_config(**{"stopwords.remove_facet_values": False}), facet_values=["Umeå"]
    )
    extra = TextPipeline(preprocess_config(**{"stopwords.extra": ["säga"]}), facet_values=["Umeå"])
    no_lemmas = TextPipeline(preprocess_config(**{"lemmatize.enabled": False}), facet_values=[])
    assert keep_places.final_tokens(text) == ["kommun", "umeå", "säga", "skola", "bra"]
    assert extra.final_tokens(text) == ["kommun", "skola", "bra"]
    assert no_lemmas.final_tokens(text) == ["kommunen", "umeå", "säger", "skolan", "bra"]


# --------------------------------------------------------------- shards and the corpus
def test_shard_files(built: Path) -> None:
    records = read_jsonl(built / "interim" / "shards" / "0.jsonl")
    assert records[0]["doc_id"] == TEXTS[0].stem
    assert set(records[0]) == {"unit_id", "doc_id", "text", "tokens"}
    counts = json.loads((built / "interim" / "shards" / "0.counts.json").read_text("utf-8"))
    assert counts["documents"] == 3
    assert counts["removed_paragraphs"]["caption_lead"] == 2  # 002's photo caption


def test_files_are_written_and_aligned(built: Path) -> None:
    pre = built / "preprocess"
    tsv = read_tsv(pre / "units.tsv")
    jsonl = read_jsonl(pre / "units.jsonl")
    corpus = list(MmCorpus(str(pre / "corpus.mm")))
    dictionary = Dictionary.load_from_text(str(pre / "dictionary.txt"))
    assert len(tsv) == len(jsonl) == len(corpus) > 20
    for row, unit, bow in zip(tsv, jsonl, corpus, strict=True):
        assert row["unit_id"] == unit["unit_id"]
        assert row["doc_id"] == unit["doc_id"] == row["unit_id"].split("#")[0]
        lemmas = row["lemmas"].split()
        assert int(row["n_tokens"]) == len(lemmas) == sum(int(n) for _, n in bow) > 0
        assert sorted(dictionary.doc2bow(lemmas)) == [(i, int(n)) for i, n in bow]
    assert not (pre / "corpus.mm.index").exists()
    assert not [p for p in built.rglob("*") if ".tmp" in p.name]


def test_vocabulary_holds_lemmas_not_places(built: Path) -> None:
    every = read_csv(built / "tables" / "vocabulary.csv")
    rows = [r for r in every if not r["removed"]]
    # the removed person names follow the kept terms
    assert every[: len(rows)] == rows
    assert {r["term"] for r in every[len(rows) :]} >= {"conny", "björnehall", "melvanius"}
    terms = [r["term"] for r in rows]
    assert {"medborgare", "verksamhet", "digitalisering", "e-tjänst"} <= set(terms)
    for form in ["kommunerna", "verksamheterna", "medborgarna", "tjänstemän", "säger"]:
        assert form not in terms
    for place in ["lund", "lunds", "vellinge", "umeå", "umeås", "vännäs"]:
        assert place not in terms
    counts = [int(r["count"]) for r in rows]
    assert [(-c, t) for c, t in zip(counts, terms, strict=True)] == sorted(
        (-c, t) for c, t in zip(counts, terms, strict=True)
    )
    dictionary = Dictionary.load_from_text(str(built / "preprocess" / "dictionary.txt"))
    assert sorted(terms) == sorted(dictionary.token2id)
    assert all(int(r["doc_freq"]) >= 2 for r in rows)  # no_below: 2


def test_places_are_kept_when_the_switch_is_off(tmp_path: Path) -> None:
    out = run_all(tmp_path, preprocess_config(**{"stopwords.remove_facet_values": False}))
    tokens = {t for path in (out / "interim" / "shards").glob("*.jsonl")
              for r in read_jsonl(path) for t in r["tokens"]}  # fmt: skip
    assert {"lund", "vellinge", "umeå", "vännäs"} <= tokens
    lemmas = {
        t for row in read_tsv(out / "preprocess" / "units.tsv") for t in row["lemmas"].split()
    }
    assert {"vellinge", "umeå"} <= lemmas


def test_summary_table(built: Path) -> None:
    rows = read_csv(built / "tables" / "preprocessing_summary.csv")
    assert [r["step"] for r in rows] == list(SUMMARY_STEPS)
    tokens = {r["step"]: int(r["tokens"]) for r in rows}
    units = {r["step"]: int(r["units"]) for r in rows}
    assert units["raw"] == 5
    assert tokens["raw"] > tokens["cleaned"] > tokens["stopwords_removed"]
    assert tokens["cleaned"] == tokens["lemmatised"]
    assert tokens["stopwords_removed"] >= tokens["phrases"] >= tokens["vocabulary_filter"]
    assert units["vocabulary_filter"] == len(read_tsv(built / "preprocess" / "units.tsv"))
    types = {r["step"]: int(r["types"]) for r in rows}
    assert types["lemmatised"] < types["cleaned"]
    assert (built / "tables" / "preprocessing_summary.tex").exists()


#: The files build_corpus writes (relative to the output folder).
CORPUS_FILES = [
    "preprocess/units.tsv",
    "preprocess/units.jsonl",
    "preprocess/dictionary.txt",
    "preprocess/corpus.mm",
    "tables/vocabulary.csv",
    "tables/preprocessing_summary.csv",
]


def test_build_is_deterministic(built: Path, tmp_path: Path) -> None:
    again = run_all(tmp_path, preprocess_config())
    for rel in [*CORPUS_FILES, "interim/shards/1.counts.json"]:
        assert (built / rel).read_bytes() == (again / rel).read_bytes(), rel


@pytest.mark.parametrize("cuts", [(), (1,), (1, 2, 3, 4)], ids=["1 shard", "2", "5"])
def test_the_number_of_shards_changes_nothing(
    built: Path, tmp_path: Path, cuts: tuple[int, ...]
) -> None:
    """preprocess.shards is a matter of speed only: the same corpus files and summary."""
    again = run_all(tmp_path, preprocess_config(), cuts=cuts)
    for rel in CORPUS_FILES:
        assert (built / rel).read_bytes() == (again / rel).read_bytes(), rel


# ------------------------------------------------------------ phrases and empty units
def write_shard(path: Path, units: list[list[str]]) -> tuple[Path, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"unit_id": f"d{i}#0000", "doc_id": f"d{i}", "text": " ".join(t), "tokens": t})
        for i, t in enumerate(units)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    step = {"tokens": 0, "types": 0, "units": len(units), "vocabulary": []}
    steps = dict.fromkeys(["raw", "cleaned", "lemmatised", "stopwords_removed"], step)
    counts = path.with_suffix(".counts.json")
    counts.write_text(json.dumps({"steps": steps}), encoding="utf-8")
    return path, counts


SYNTHETIC = [
    ["digital", "agenda", "skola", "elev"],
    ["digital", "agenda", "vård", "omsorg"],
    ["digital", "agenda", "skola", "lärare"],
    [],  # empty after stopwords
    ["digital", "agenda", "vård", "patient"],
    ["unik"],  # empty after the vocabulary filter
    ["skola", "vård", "elev", "omsorg", "digital", "agenda"],
]


@pytest.mark.parametrize("enabled", [True, False])
def test_phrases_and_empty_units(tmp_path: Path, enabled: bool) -> None:
    shard, counts = write_shard(tmp_path / "s" / "0.jsonl", SYNTHETIC)
    config = preprocess_config(
        **{"phrases.enabled": enabled, "phrases.min_count": 2, "vocabulary.no_above": 1.0}
    )
    build_corpus(
        [shard], [counts], config=config, out_dir=tmp_path / "p", tables_dir=tmp_path / "t"
    )
    tsv = read_tsv(tmp_path / "p" / "units.tsv")
    assert [r["unit_id"] for r in tsv] == ["d0#0000", "d1#0000", "d2#0000", "d4#0000", "d6#0000"]
    assert [r["unit_id"] for r in read_jsonl(tmp_path / "p" / "units.jsonl")] == [
        r["unit_id"] for r in tsv
    ]
    assert len(MmCorpus(str(tmp_path / "p" / "corpus.mm"))) == len(tsv)
    terms = {r["term"] for r in read_csv(tmp_path / "t" / "vocabulary.csv")}
    assert ("digital_agenda" in terms) is enabled
    assert ("digital" in terms) is not enabled
    assert "unik" not in terms
    first = tsv[0]["lemmas"].split()
    assert first == (["digital_agenda", "skola", "elev"] if enabled else
                     ["digital", "agenda", "skola", "elev"])  # fmt: skip
    summary = {r["step"]: r for r in read_csv(tmp_path / "t" / "preprocessing_summary.csv")}
    assert summary["phrases"]["units"] == "6"
    assert summary["vocabulary_filter"]["units"] == "5"


# ------------------------------------------------- phrases: gensim's results, faster
def _gensim_phrases(
    units: list[list[str]], *, min_count: int, threshold: float, max_vocab_size: int
) -> Any:
    from gensim.models.phrases import Phrases as GensimPhrases

    return GensimPhrases(
        units,
        min_count=min_count,
        threshold=threshold,
        scoring="npmi",
        delimiter="_",
        max_vocab_size=max_vocab_size,
    ).freeze()


def _random_units(seed: int, *, awkward: bool) -> list[list[str]]:
    """Units from a Zipf-like vocabulary, so that pairs recur; ``awkward`` adds empty
    tokens and tokens that hold the delimiter."""
    import random

    rng = random.Random(seed)
    words = [f"w{i}" for i in range(40)]
    if awkward:
        words += ["", "_", "a_b", "w1_w2", "_w3", "w4_"]
    weights = [1.0 / (i + 1) for i in range(len(words))]
    units = []
    for _ in range(rng.randint(50, 400)):
        n = rng.choice([0, 1, 2, rng.randint(3, 30)])
        unit = rng.choices(words, weights, k=n)
        if n > 4 and rng.random() < 0.5:  # plant a recurring pair
            unit[2:4] = ["w5", "w6"]
        units.append(unit)
    return units


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("awkward", [False, True])
def test_phrases_learn_and_join_exactly_as_gensim(seed: int, awkward: bool) -> None:
    units = _random_units(seed, awkward=awkward)
    min_count = [1, 2, 5][seed % 3]
    threshold = [-0.5, 0.0, 0.3, 0.9][seed % 4]
    # A small cap makes both prune their counts (every fourth seed).
    cap = 60 if seed % 4 == 3 else 40_000_000
    ours = Phrases(units, min_count=min_count, threshold=threshold, max_vocab_size=cap)
    theirs = _gensim_phrases(units, min_count=min_count, threshold=threshold, max_vocab_size=cap)
    assert ours.phrasegrams == theirs.phrasegrams
    assert ours.phrasegrams or threshold > 0.3 or cap == 60  # the test joins something
    for unit in units:
        assert ours[unit] == theirs[unit]


def test_phrases_join_greedily_from_the_left_as_gensim() -> None:
    units = [["a", "b", "c"]] * 5 + [["b", "c"]] * 5 + [["x", "a", "b", "b", "c", "c"]]
    ours = Phrases(units, min_count=2, threshold=-0.9)
    theirs = _gensim_phrases(units, min_count=2, threshold=-0.9, max_vocab_size=40_000_000)
    assert {"a_b", "b_c"} <= set(ours.phrasegrams)
    for unit in [*units, ["a", "b", "c", "b", "c"], ["c", "a", "b"], []]:
        assert ours[unit] == theirs[unit]
    assert ours[["a", "b", "c"]] == ["a_b", "c"]  # the left pair wins
