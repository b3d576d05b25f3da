"""Tests for the config that each rule reads (issue 21): RULE_CONFIG, config_for, the
fingerprints of the corpus and the pin as Snakemake compares it."""

from __future__ import annotations

import copy
import json
import os
import pickle
import re
from pathlib import Path
from typing import Any

import pytest
from swedish_topics import pipeline
from swedish_topics.config import known_keys, load_config
from swedish_topics.errors import ConfigError
from swedish_topics.fingerprint import metadata_fingerprint, texts_fingerprint
from swedish_topics.rule_config import (
    AUDIT_ENV,
    RULE_CONFIG,
    RuleConfig,
    config_for,
    declares,
    undeclared_reads,
)
from swedish_topics.selection import PinnedModel, pin_change

REPO = Path(__file__).resolve().parents[2]
RULES_DIR = REPO / "workflow" / "rules"


def _rules_with_cfg() -> dict[str, str]:
    """{rule: the text of its `cfg=` parameter} for every rule of workflow/rules/."""
    found = {}
    for smk in sorted(RULES_DIR.glob("*.smk")):
        rule = None
        for line in smk.read_text(encoding="utf-8").splitlines():
            match = re.match(r"(?:rule|checkpoint) (\w+):|use rule \w+ as (\w+) with:", line)
            if match:
                rule = match.group(1) or match.group(2)
            stripped = line.strip()
            if rule and stripped.startswith("cfg="):
                found[rule] = stripped
    return found


def test_every_rule_with_a_config_reads_its_own_entry() -> None:
    rules = _rules_with_cfg()
    assert len(rules) >= 30
    for rule, text in rules.items():
        assert rule in RULE_CONFIG, f"rule {rule} has no RULE_CONFIG entry"
        assert text in (
            f'cfg=config_for(CFG, "{rule}"),',
            f'cfg=variant_cfg("{rule}"),',
        ), f"rule {rule} passes {text!r} instead of its own RULE_CONFIG entry"


def test_no_rule_takes_the_whole_config() -> None:
    for smk in RULES_DIR.glob("*.smk"):
        text = smk.read_text(encoding="utf-8")
        assert "cfg=CFG," not in text, smk.name
        assert not re.search(r"=\s*CFG\s*,", text), smk.name


def test_declared_keys_exist() -> None:
    keys = set(known_keys())
    for rule, spec in RULE_CONFIG.items():
        for path in spec:
            path = path.removeprefix("-")
            assert path == "" or path in keys, f"RULE_CONFIG[{rule!r}] names unknown {path!r}"


@pytest.fixture(scope="module")
def cfg() -> dict[str, Any]:
    return load_config({"analysis": {"topic_labels": {1: "Skola"}}})


@pytest.mark.parametrize(
    "read",
    [
        lambda c: c["analysis"]["fdr"],
        lambda c: c.get("analysis")["fdr"],
        lambda c: c["analysis"].get("fdr", 0.05),
        lambda c: "fdr" in c["analysis"],
        lambda c: dict(c["analysis"])["effects"]["formula"],
        lambda c: dict(c["analysis"]).get("effects", {}).get("formula"),
        lambda c: c["model"]["k"],
        lambda c: c["facets"],
    ],
)
def test_reading_an_undeclared_key_raises(cfg: dict[str, Any], read: Any) -> None:
    sub = config_for(cfg, "heldout_split")
    with pytest.raises(ConfigError, match=r"Rule 'heldout_split' read the config key") as info:
        read(sub)
    message = str(info.value)
    assert "RULE_CONFIG['heldout_split']" in message and "stale" in message


def test_declared_keys_read_as_the_config(cfg: dict[str, Any]) -> None:
    sub = config_for(cfg, "compare_groups")
    assert sub["analysis"]["fdr"] == cfg["analysis"]["fdr"]
    assert sub["analysis"]["effects"] == cfg["analysis"]["effects"]
    assert sub["facets"] == cfg["facets"]
    assert dict(sub["analysis"])["ci_level"] == cfg["analysis"]["ci_level"]
    with pytest.raises(ConfigError, match=r"analysis\.topic_labels"):
        sub["analysis"]["topic_labels"]
    train = config_for(cfg, "train_lda")
    assert dict(train["model"])["passes"] == cfg["model"]["passes"]
    assert "k" not in dict(train["model"]) and "seeds" not in dict(train["model"])


def test_whole_config_and_exclusions(cfg: dict[str, Any]) -> None:
    sub = config_for(cfg, "provenance")
    assert sub["analysis"] == cfg["analysis"] and sub["model"] == cfg["model"]
    assert sub["selection"]["metric"] == cfg["selection"]["metric"]
    with pytest.raises(ConfigError, match=r"selection\.k"):
        sub["selection"]["k"]
    assert declares("provenance", "analysis.fdr")
    assert not declares("provenance", "selection.seed")
    assert declares("compare_groups", "analysis.effects.formula")
    assert not declares("compare_groups", "analysis.topic_labels")


def test_pickle_copy_and_json_keep_the_declared_part(cfg: dict[str, Any]) -> None:
    sub = config_for(cfg, "train_lda")
    for other in (pickle.loads(pickle.dumps(sub)), copy.deepcopy(sub)):
        assert repr(other) == repr(sub) and other == sub
        with pytest.raises(ConfigError, match=r"model\.seeds"):
            other["model"]["seeds"]
    assert json.loads(str(sub))["model"]["passes"] == cfg["model"]["passes"]
    assert "topic_labels" not in repr(sub) and "'k'" not in repr(sub)


def test_str_is_safe_in_the_report() -> None:
    sub = config_for(load_config({"analysis": {"topic_labels": {1: "</script>"}}}), "methods")
    assert "</script>" not in str(sub) and "</script>" in repr(sub)


def test_old_pickles_find_the_class_where_it_was() -> None:
    from swedish_topics import config

    assert config.RuleConfig is RuleConfig and config.config_for is config_for


def test_unknown_rule_is_explained(cfg: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match=r"no entry in RULE_CONFIG"):
        config_for(cfg, "no_such_rule")


def _changed(cfg: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(cfg)
    *parents, leaf = path.split(".")
    node = out
    for part in parents:
        node = node[part]
    node[leaf] = value
    return out


# (change, rules whose params must not change: the table, as Snakemake sees it)
UNCHANGED = [
    (
        "analysis.topic_labels",
        {1: "Skola", 2: "Vård"},
        [
            "validate_corpus",
            "corpus_texts",
            "train_sentences",
            "preprocess_shard",
            "build_corpus",
            "heldout_split",
            "train_lda",
            "evaluate_models",
            "select_model",
            "compare_groups",
            "trend",
            "effects",
            "robustness",
            "content_by_facet",
            "content_over_facet",
            "sensitivity_model",
            "sensitivity_effects",
        ],
    ),
    (
        "analysis.fdr",
        0.1,
        [
            "preprocess_shard",
            "build_corpus",
            "train_lda",
            "evaluate_models",
            "select_model",
            "topic_tables",
            "content_by_facet",
            "content_over_facet",
            "intrusion_tasks",
        ],
    ),
    (
        "content.n_terms",
        15,
        ["train_lda", "topic_tables", "compare_groups", "effects", "robustness", "trend"],
    ),
    ("model.k", [3, 4, 5, 6, 7], ["train_lda", "heldout_split", "preprocess_shard"]),
    ("selection.seed", 2, ["provenance", "methods", "topic_tables"]),
    ("min_group_docs", 5, ["corpus_texts", "preprocess_shard", "train_lda"]),
    ("preprocess.vocabulary.no_below", 5, ["preprocess_shard", "train_sentences"]),
]


@pytest.mark.parametrize(("path", "value", "rules"), UNCHANGED)
def test_a_change_leaves_the_other_rules_alone(
    cfg: dict[str, Any], path: str, value: Any, rules: list[str]
) -> None:
    new = _changed(cfg, path, value)
    for rule in rules:
        assert repr(config_for(new, rule)) == repr(config_for(cfg, rule)), (path, rule)


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("analysis.topic_labels", {1: "Vård"}, "topic_tables"),
        ("analysis.fdr", 0.1, "compare_groups"),
        ("analysis.effects.formula", "~ municipality", "effects"),
        ("analysis.interval", "t", "trend"),
        ("content.n_terms", 15, "content_by_facet"),
        ("preprocess.stopwords.extra", ["och"], "preprocess_shard"),
        ("preprocess.stopwords.remove_facet_values", False, "corpus_texts"),
        ("model.passes", 5, "train_lda"),
        ("selection.metric", "coherence_cv", "select_model"),
        ("analysis.fdr", 0.1, "provenance"),
    ],
)
def test_a_change_reruns_the_rules_that_read_it(
    cfg: dict[str, Any], path: str, value: Any, rule: str
) -> None:
    assert repr(config_for(_changed(cfg, path, value), rule)) != repr(config_for(cfg, rule))


def test_audit_records_reads_and_finds_undeclared_ones(
    cfg: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = tmp_path / "audit.tsv"
    monkeypatch.setenv(AUDIT_ENV, str(audit))
    sub = pickle.loads(pickle.dumps(config_for(cfg, "heldout_split")))
    assert sub["analysis"]["fdr"] == cfg["analysis"]["fdr"]  # every key is there
    assert sub["model"]["heldout_seed"] == cfg["model"]["heldout_seed"]
    dict(sub["evaluation"])
    lines = set(audit.read_text(encoding="utf-8").splitlines())
    assert "heldout_split\tanalysis.fdr" in lines and "heldout_split\tevaluation.top_n" in lines
    assert undeclared_reads(audit) == {
        "heldout_split": ["analysis.fdr", *sorted(f"evaluation.{k}" for k in cfg["evaluation"])]
    }


def test_a_rule_function_runs_on_its_declared_config(cfg: dict[str, Any], tmp_path: Path) -> None:
    units = tmp_path / "units.tsv"
    units.write_text(
        "unit_id\tdoc_id\tn_tokens\tlemmas\n" + "".join(f"u{i}\td{i}\t5\ta b\n" for i in range(20)),
        encoding="utf-8",
    )
    out = tmp_path / "split.json"
    pipeline.heldout_split(units_tsv=units, cfg=config_for(cfg, "heldout_split"), out_split=out)
    assert json.loads(out.read_text(encoding="utf-8"))["n_units"] == 20
    assert isinstance(config_for(cfg, "heldout_split"), RuleConfig)


# ---------------------------------------------------------------------- fingerprints
def _corpus(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    for name in ("a", "b"):
        (corpus / "texts" / f"{name}.txt").write_text(f"Text {name}.", encoding="utf-8")
    (corpus / "metadata.csv").write_text(
        "doc_id,kommun,year\na,Lund,2020\nb,Malmö,2021\n", encoding="utf-8"
    )
    return corpus


def test_texts_fingerprint_sees_an_edit_in_place_and_a_new_text(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    before = texts_fingerprint(corpus)
    assert texts_fingerprint(corpus) == before
    path = corpus / "texts" / "a.txt"
    stat = path.stat()
    path.write_text("Text A.", encoding="utf-8")  # same size, edited in place
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    edited = texts_fingerprint(corpus)
    assert edited != before
    (corpus / "texts" / "c.txt").write_text("Ny.", encoding="utf-8")
    assert texts_fingerprint(corpus) not in (before, edited)
    assert len(texts_fingerprint(tmp_path / "missing")) == 64


def test_metadata_fingerprint_reads_only_its_columns(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    before = metadata_fingerprint(corpus, ["kommun"])
    (corpus / "metadata.csv").write_text(
        "doc_id,year,kommun,party\na,2020,Lund,S\nb,2021,Malmö,M\n", encoding="utf-8"
    )
    assert metadata_fingerprint(corpus, ["kommun"]) == before  # new column, moved column
    (corpus / "metadata.csv").write_text(
        "doc_id,kommun,year\na,Lund,2020\nb,Lund,2021\n", encoding="utf-8"
    )
    assert metadata_fingerprint(corpus, ["kommun"]) != before  # a facet value changed
    assert metadata_fingerprint(corpus, []) == metadata_fingerprint(corpus, [])


# ------------------------------------------------------------------------------ pin
def test_pin_change(tmp_path: Path) -> None:
    choice = tmp_path / "choice.json"
    unpinned = PinnedModel(None, None)
    pinned = PinnedModel(4, 2)
    assert pin_change(unpinned, choice) is None
    assert pin_change(pinned, choice) == [4, 2]  # no choice yet
    choice.write_text(
        json.dumps({"k": 4, "seed": 2, "pinned": False, "rule_choice": {"k": 4, "seed": 2}}),
        encoding="utf-8",
    )
    assert pin_change(pinned, choice) is None  # the rule's own choice: nothing changes
    assert pin_change(PinnedModel(4, 1), choice) == [4, 1]
    choice.write_text(
        json.dumps({"k": 5, "seed": 1, "pinned": True, "rule_choice": {"k": 4, "seed": 2}}),
        encoding="utf-8",
    )
    assert pin_change(pinned, choice) == [4, 2]  # the file holds another pin's choice
    choice.write_text("{not json", encoding="utf-8")
    assert pin_change(pinned, choice) == [4, 2]


# ----------------------------------------------------------------- corpus_texts
def test_corpus_texts_holds_what_preprocessing_reads(tmp_path: Path) -> None:
    cfg = load_config({"corpus": str(REPO / "corpus")})
    texts, validation = tmp_path / "texts.json", tmp_path / "validation.json"
    pipeline.corpus_texts(cfg=config_for(cfg, "corpus_texts"), out_json=texts)
    pipeline.validate_corpus(cfg=config_for(cfg, "validate_corpus"), out_json=validation)
    got, full = json.loads(texts.read_text()), json.loads(validation.read_text())
    assert got["doc_ids"] == full["doc_ids"] and got["text_sizes"] == full["text_sizes"]
    assert got["groups"] == {"municipality": full["groups"]["municipality"]}
    assert pipeline.facet_stopword_values(cfg, got) == pipeline.facet_stopword_values(cfg, full)
    kept = load_config(
        {
            "corpus": str(REPO / "corpus"),
            "preprocess": {"stopwords": {"remove_facet_values": False}},
        }
    )
    pipeline.corpus_texts(cfg=config_for(kept, "corpus_texts"), out_json=texts)
    assert json.loads(texts.read_text())["groups"] == {}


def test_corpus_texts_stops_on_a_broken_corpus(tmp_path: Path) -> None:
    from swedish_topics.errors import CorpusError

    corpus = _corpus(tmp_path)
    (corpus / "texts" / "b.txt").unlink()
    cfg = load_config({"corpus": str(corpus), "facets": ["kommun"], "numeric_facets": []})
    with pytest.raises(CorpusError, match="b"):
        pipeline.corpus_texts(cfg=config_for(cfg, "corpus_texts"), out_json=tmp_path / "t.json")
