"""Sensitivity to preprocessing: variant configs, topic matching, effects kept."""

from __future__ import annotations

import numpy as np
import pytest
from swedish_topics.config import load_config
from swedish_topics.errors import ConfigError
from swedish_topics.sensitivity import (
    compare_effects,
    describe_change,
    is_significant,
    match_shared,
    reuses_main_shards,
    summary_row,
    variant_config,
    variant_configs,
)


def test_variants_merge_over_the_main_config_and_only_run_what_is_named() -> None:
    cfg = load_config(
        {
            "preprocess": {"vocabulary": {"no_below": 3}},
            "sensitivity": {"run": ["raw_forms", "no_phrases"]},
        }
    )
    variants = variant_configs(cfg)
    assert list(variants) == ["raw_forms", "no_phrases"]
    raw = variants["raw_forms"]
    assert raw["preprocess"]["lemmatize"]["enabled"] is False
    assert raw["preprocess"]["vocabulary"]["no_below"] == 3  # the main run's value kept
    assert not reuses_main_shards(cfg, raw)
    assert reuses_main_shards(cfg, variants["no_phrases"])  # phrases: corpus level only
    assert (
        describe_change(cfg["sensitivity"]["variants"]["raw_forms"])
        == "preprocess.lemmatize.enabled=false"
    )


def test_a_bad_variant_is_explained() -> None:
    cfg = load_config({"sensitivity": {"run": ["nope"]}})
    with pytest.raises(ConfigError, match="names the variant 'nope'"):
        variant_configs(cfg)
    cfg = load_config({"sensitivity": {"run": ["k5"], "variants": {"k5": {"model": {"k": [5]}}}}})
    with pytest.raises(ConfigError, match="may change only the preprocess section"):
        variant_config(cfg, "k5")
    cfg = load_config(
        {
            "sensitivity": {
                "run": ["typo"],
                "variants": {"typo": {"preprocess": {"vocabulary": {"no_belw": 5}}}},
            }
        }
    )
    with pytest.raises(ConfigError, match=r"typo.*no_below"):
        variant_config(cfg, "typo")


def _topics(rng: np.random.Generator, k: int, v: int) -> np.ndarray:
    tt = rng.dirichlet(np.full(v, 0.05), size=k)
    return tt


def test_matching_recovers_permuted_topics_over_a_partly_shared_vocabulary() -> None:
    rng = np.random.default_rng(0)
    k, v = 6, 200
    main = _topics(rng, k, v)
    vocab = [f"w{i}" for i in range(v)]
    perm = rng.permutation(k)
    # The variant: topics permuted, 40 words dropped, 30 words of its own, columns shuffled.
    keep = rng.permutation(v)[:160]
    extra = rng.dirichlet(np.full(30, 0.5), size=k) * 0.1
    variant = np.hstack([main[perm][:, keep], extra])
    variant /= variant.sum(axis=1, keepdims=True)
    variant_vocab = [vocab[i] for i in keep] + [f"new{i}" for i in range(30)]
    found, sim = match_shared(main, vocab, variant, variant_vocab)
    assert found.tolist() == np.argsort(perm).tolist()
    assert np.all(sim > 0.99)
    # Unrelated topics match much worse.
    _, sim_other = match_shared(main, vocab, _topics(rng, k, v), vocab)
    assert sim_other.mean() < 0.6


def _diff(topic: int, group: str, estimate: float, significant: bool, *, with_q: bool) -> dict:
    row = {
        "topic": str(topic),
        "town": group,
        "difference": str(estimate),
        "excludes_zero": "true",
        "flag": "",
    }
    if with_q:
        row["significant"] = "true" if significant else "false"
    else:
        row["excludes_zero"] = "true" if significant else "false"
    return row


@pytest.mark.parametrize("with_q", [False, True])
def test_effects_keep_sign_and_significance_of_the_matched_topic(with_q: bool) -> None:
    main = [
        _diff(1, "A", 0.2, True, with_q=with_q),
        _diff(1, "B", -0.1, True, with_q=with_q),
        _diff(2, "A", 0.3, True, with_q=with_q),
        _diff(2, "B", 0.05, False, with_q=with_q),  # not significant: not counted
    ]
    # The variant's topic 2 is main topic 1 and vice versa.
    variant = [
        _diff(2, "A", 0.15, True, with_q=with_q),  # keeps sign and significance
        _diff(2, "B", -0.02, False, with_q=with_q),  # keeps sign only
        _diff(1, "A", -0.1, True, with_q=with_q),  # flips
        _diff(1, "B", 0.1, True, with_q=with_q),
    ]
    rows = compare_effects(
        main,
        variant,
        np.array([1, 0]),
        table="differences_by_town",
        facet="town",
        group_column="town",
    )
    assert [(r["topic"], r["group"], r["variant_topic"]) for r in rows] == [
        (1, "A", 2),
        (1, "B", 2),
        (2, "A", 1),
    ]
    assert [r["keeps_sign"] for r in rows] == [True, True, False]
    assert [r["keeps_significance"] for r in rows] == [True, False, False]
    row = summary_row(
        "v", change="x", similarity=np.array([0.9, 0.7]), effects=rows, basis="b", extra={}
    )
    assert row["share_kept_sign"] == pytest.approx(2 / 3) and row[
        "share_kept_significance"
    ] == pytest.approx(1 / 3)
    assert row["mean_similarity"] == pytest.approx(0.8) and row["min_similarity"] == pytest.approx(
        0.7
    )


def _effect(topic: int, group: str, term: str, estimate: float, significant: bool) -> dict:
    return {
        "topic": str(topic),
        "town": group,
        "term": term,
        "estimate": str(estimate),
        "significant": "true" if significant else "false",
    }


def test_adjusted_effects_are_compared_per_group_and_term() -> None:
    from swedish_topics.pipeline.validation import _variant_effects

    # An interaction row shares its group value with the main effect: they must not mix.
    main = [
        _effect(1, "A", "town", 0.2, True),
        _effect(1, "A", "town:size", -0.3, True),
        _effect(1, "B", "town", 0.1, False),
    ]
    variant = [
        _effect(1, "A", "town", 0.1, True),  # keeps sign and significance
        _effect(1, "A", "town:size", 0.2, True),  # flips
        _effect(1, "B", "town", 0.1, True),
    ]
    rows = _variant_effects(np.array([0]), {}, {}, {}, {}, {"town": main}, {"town": variant})
    assert [(r["table"], r["group"]) for r in rows] == [
        ("effects_by_town", "A"),
        ("effects_by_town", "A · town:size"),
    ]
    assert [r["keeps_sign"] for r in rows] == [True, False]
    assert [r["keeps_significance"] for r in rows] == [True, False]


def test_q_value_column_wins_over_excludes_zero() -> None:
    assert is_significant({"excludes_zero": "true", "significant": "false"}) is False
    assert is_significant({"excludes_zero": "true"}) is True
    assert is_significant({"excludes_zero": ""}) is None


def test_a_variant_that_cannot_be_modelled_is_named(monkeypatch, tmp_path) -> None:
    from swedish_topics.errors import UserError
    from swedish_topics.pipeline import model as pipeline_model
    from swedish_topics.pipeline import validation as pipeline_validation

    def too_few_units(**kwargs) -> None:
        raise ConfigError("Config key 'model.k' asks for 6 topics, but the corpus has 5 units.")

    monkeypatch.setattr(pipeline_model, "train_lda", too_few_units)
    choice = tmp_path / "choice.json"
    choice.write_text('{"k": 6, "seed": 2}', encoding="utf-8")
    with pytest.raises(
        UserError, match=r"variant 'documents' cannot be modelled .* K = 6: .*5 units"
    ):
        pipeline_validation.sensitivity_model(
            inputs={"choice": choice}, cfg={}, outputs={}, variant="documents"
        )


def test_a_variant_equal_to_the_main_settings_is_not_run_nor_reported(caplog) -> None:
    """Riksdag: the config has no_below: 5, so no_below_5 changes nothing. It is left out
    with a warning, not reported as a variant."""
    cfg = load_config(
        {
            "preprocess": {"vocabulary": {"no_below": 5}},
            "sensitivity": {"run": ["raw_forms", "no_below_5"]},
        }
    )
    with caplog.at_level("WARNING", logger="swedish_topics.sensitivity"):
        variants = variant_configs(cfg)
    assert list(variants) == ["raw_forms"]
    assert "no_below_5 (preprocess.vocabulary.no_below=5) is the same as the main" in caplog.text
    cfg = load_config({"sensitivity": {"run": ["no_below_5"]}})  # default no_below differs
    assert list(variant_configs(cfg)) == ["no_below_5"]
