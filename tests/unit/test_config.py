"""Tests for swedish_topics.config: defaults, validation messages, derived values."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from swedish_topics.config import (
    SCHEMA_PATH,
    check_against_corpus,
    check_paths,
    known_keys,
    load_config,
    load_schema,
    schema_defaults,
    shard_count,
)
from swedish_topics.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]


def config_error(config: Mapping[str, Any]) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(config)
    return str(info.value)


# --------------------------------------------------------------------------------------
# Defaults and schema


def test_schema_defaults_equal_shipped_config_yaml() -> None:
    with open(REPO / "config" / "config.yaml", encoding="utf-8") as handle:
        shipped = yaml.safe_load(handle)
    assert schema_defaults() == shipped


def test_shipped_config_loads_unchanged() -> None:
    with open(REPO / "config" / "config.yaml", encoding="utf-8") as handle:
        shipped = yaml.safe_load(handle)
    assert load_config(shipped) == shipped


def _walk(schema: Mapping[str, Any], path: str = "") -> list[tuple[str, Mapping[str, Any]]]:
    out = []
    for key, sub in schema.get("properties", {}).items():
        out.append((f"{path}{key}", sub))
        out.extend(_walk(sub, f"{path}{key}."))
    return out


def test_every_key_has_description_and_default_and_objects_are_closed() -> None:
    schema = load_schema()
    assert schema["additionalProperties"] is False
    for key, sub in _walk(schema):
        assert sub.get("description"), key
        assert "default" in sub, key
        if "properties" in sub:
            assert sub["additionalProperties"] is False, key


def test_every_key_is_explained_in_config_readme() -> None:
    readme = (REPO / "config" / "README.md").read_text(encoding="utf-8")
    missing = [key for key in known_keys() if f"`{key}`" not in readme]
    assert missing == []


def test_schema_file_is_where_the_workflow_expects_it() -> None:
    assert SCHEMA_PATH == REPO / "workflow" / "schemas" / "config.schema.yaml"


# --------------------------------------------------------------------------------------
# Merging and coercion


def test_partial_config_is_merged_onto_defaults() -> None:
    cfg = load_config({"model": {"k": [5, 10]}, "preprocess": {"units": {"mode": "documents"}}})
    assert cfg["model"]["k"] == [5, 10]
    assert cfg["model"]["seeds"] == [1, 2, 3]
    assert cfg["preprocess"]["units"] == {"mode": "documents", "min_tokens": 60, "max_tokens": 250}


def test_empty_section_means_defaults() -> None:
    assert load_config({"model": None})["model"] == schema_defaults()["model"]


@pytest.mark.parametrize(
    ("given", "key", "expected"),
    [
        ({"model": {"k": ["5", "7"]}}, ("model", "k"), [5, 7]),
        ({"model": {"k": "8"}}, ("model", "k"), [8]),
        ({"model": {"alpha": "0.1"}}, ("model", "alpha"), 0.1),
        ({"model": {"alpha": "auto"}}, ("model", "alpha"), "auto"),
        ({"model": {"eta": "null"}}, ("model", "eta"), None),
        ({"preprocess": {"max_text_mb": "100"}}, ("preprocess", "max_text_mb"), 100),
        ({"preprocess": {"shards": "4"}}, ("preprocess", "shards"), 4),
        (
            {"preprocess": {"phrases": {"enabled": "false"}}},
            ("preprocess", "phrases", "enabled"),
            False,
        ),
        ({"facets": "county", "numeric_facets": []}, ("facets",), ["county"]),
        (
            {"analysis": {"topic_labels": {"3": "E-tjänster"}}},
            ("analysis", "topic_labels"),
            {3: "E-tjänster"},
        ),
        (
            {"analysis": {"topic_labels": {3: "E-tjänster"}}},
            ("analysis", "topic_labels"),
            {3: "E-tjänster"},
        ),
    ],
)
def test_strings_from_command_line_are_coerced(
    given: Mapping[str, Any], key: tuple[str, ...], expected: Any
) -> None:
    value: Any = load_config(given)
    for part in key:
        value = value[part]
    assert value == expected
    assert type(value) is type(expected)


# --------------------------------------------------------------------------------------
# Messages


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"model": {"seed": [1]}}, "Unknown config key 'model.seed' — did you mean 'model.seeds'?"),
        ({"preprocess": {"vocabluary": {}}}, "did you mean 'preprocess.vocabulary'?"),
        ({"k": [5]}, "Unknown config key 'k' — did you mean 'model.k' or 'selection.k'?"),
        ({"zzz": 1}, "The keys allowed here are 'corpus', 'results'"),
    ],
)
def test_unknown_key_suggests_nearest(config: Mapping[str, Any], expected: str) -> None:
    assert expected in config_error(config)


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"model": {"passes": "twenty"}},
            "'model.passes' must be an integer >= 1, but it is 'twenty' (text)",
        ),
        ({"corpus": 5}, "'corpus' must be a text, but it is 5 (an integer)"),
        ({"model": 5}, "'model' must be a mapping"),
        ({"model": {"k": []}}, "'model.k' is an empty list; it needs at least 1 value(s)"),
        ({"model": {"k": [1, 5]}}, "'model.k' (item 1) must be an integer >= 2, but it is 1"),
        ({"model": {"k": [4, 4]}}, "'model.k' lists 4 more than once"),
        (
            {"model": {"seeds": [1.5]}},
            "'model.seeds' (item 1) must be an integer >= 0, but it is 1.5",
        ),
        (
            {"model": {"seeds": ["one"]}},
            "'model.seeds' (item 1) must be an integer >= 0, but it is 'one'",
        ),
        (
            {"model": {"engine": "tomotop"}},
            "must be one of 'gensim', 'tomotopy', but it is 'tomotop' (text). "
            "Did you mean 'tomotopy'?",
        ),
        ({"preprocess": {"units": {"mode": "paragraph"}}}, "Did you mean 'paragraphs'?"),
        (
            {"model": {"alpha": "foo"}},
            "must be one of 'symmetric', 'asymmetric', 'auto' or a number > 0",
        ),
        (
            {"preprocess": {"vocabulary": {"no_above": 1.5}}},
            "'preprocess.vocabulary.no_above' must be a number > 0 and <= 1",
        ),
        (
            {"analysis": {"topic_labels": {"0": "x"}}},
            "has the key '0', which is not a topic number",
        ),
        (
            {"analysis": {"topic_labels": {"E3": "x"}}},
            "has the key 'E3', which is not a topic number",
        ),
    ],
)
def test_schema_errors_are_explained(config: Mapping[str, Any], expected: str) -> None:
    message = config_error(config)
    assert expected in message
    assert "\n" not in message  # one paragraph
    assert "config/README.md" in message


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"selection": {"k": 5}}, "'selection.k' is set but 'selection.seed' is not"),
        ({"selection": {"seed": 2}}, "'selection.seed' is set but 'selection.k' is not"),
        (
            {"selection": {"k": 9, "seed": 1}},
            "'selection.k' is 9, which is not in the grid model.k",
        ),
        ({"selection": {"k": 5, "seed": 7}}, "'selection.seed' is 7, which is not in model.seeds"),
        ({"numeric_facets": ["date"]}, "'numeric_facets' lists 'date', which is not in facets"),
        ({"preprocess": {"units": {"min_tokens": 300}}}, "min_tokens' (300) is larger than"),
        (
            {"preprocess": {"clean": {"extra_patterns": ["(abc"]}}},
            "is not a valid regular expression: '(abc'",
        ),
        ({"analysis": {"topic_labels": {9: "x"}}}, "names topic 9, but no model has more than 6"),
    ],
)
def test_cross_key_errors_are_explained(config: Mapping[str, Any], expected: str) -> None:
    assert expected in config_error(config)


def test_pinned_model_with_both_keys_is_accepted() -> None:
    cfg = load_config({"selection": {"k": 5, "seed": 2}})
    assert (cfg["selection"]["k"], cfg["selection"]["seed"]) == (5, 2)


def test_several_problems_are_listed_together() -> None:
    message = config_error({"model": {"seed": [1], "passes": 0}, "corpus": 5})
    assert message.startswith("The configuration has 3 problems")
    assert message.count("\n\n") == 3


# --------------------------------------------------------------------------------------
# Paths and derived values


def test_missing_corpus_path_names_path_and_fix(tmp_path: Path) -> None:
    cfg = load_config(
        {"corpus": str(tmp_path / "nowhere"), "preprocess": {"lemmatize": {"overrides": None}}}
    )
    with pytest.raises(ConfigError) as info:
        check_paths(cfg)
    message = str(info.value)
    assert f"'{tmp_path / 'nowhere'}' (config key 'corpus'" in message
    assert "--config corpus=/path/to/corpus" in message


def test_missing_optional_file_is_named(tmp_path: Path) -> None:
    cfg = load_config(
        {
            "corpus": str(tmp_path),
            "preprocess": {
                "stopwords": {"extra_file": "nope.txt"},
                "lemmatize": {"overrides": None},
            },
        }
    )
    with pytest.raises(
        ConfigError, match=r"'nope\.txt' \(config key 'preprocess\.stopwords\.extra_file'"
    ):
        check_paths(cfg)


def test_existing_paths_pass(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.tsv"
    overrides.write_text("", encoding="utf-8")
    cfg = load_config(
        {"corpus": str(tmp_path), "preprocess": {"lemmatize": {"overrides": str(overrides)}}}
    )
    check_paths(cfg)


@pytest.mark.parametrize(
    ("shards", "n_docs", "expected"),
    [
        ("auto", 0, 1),
        ("auto", 5, 1),
        ("auto", 10_000, 1),
        ("auto", 10_001, 2),
        ("auto", 15565, 2),
        ("auto", 100_000, 10),
        (4, 100, 4),
        (4, 2, 2),
    ],
)
def test_shard_count(shards: str | int, n_docs: int, expected: int) -> None:
    cfg = load_config({"preprocess": {"shards": shards}})
    assert shard_count(cfg, n_docs) == expected


def test_k_larger_than_units_is_refused() -> None:
    cfg = load_config({"model": {"k": [3, 10]}})
    check_against_corpus(cfg, 10)
    with pytest.raises(ConfigError) as info:
        check_against_corpus(cfg, 9)
    message = str(info.value)
    assert "asks for 10 topics, but the corpus has only 9 unit(s)" in message
    assert "--config model='{k: [2, 3, 4, 5]}'" in message


def test_fewer_than_two_units_is_refused() -> None:
    with pytest.raises(ConfigError, match="only 1 unit"):
        check_against_corpus(load_config({}), 1)
