"""Tests for swedish_topics.methods: the sentences on priors and the person-name filter."""

from __future__ import annotations

from swedish_topics.methods import _names_text, _priors_text

SUMMARY = [
    {"step": "stopwords_removed", "tokens": "1644", "types": "760", "units": "46"},
    {"step": "names_removed", "tokens": "1577", "types": "744", "units": "46"},
]


def test_learned_alpha_is_named_with_its_schedule() -> None:
    model = {"engine": "tomotopy", "alpha": "auto", "eta": 0.01, "optim_interval": 10}
    text = _priors_text({**model, "optim_burn_in": 100})
    assert "asymmetric document-topic prior α" in text
    assert "every 10 sweeps after 100 sweeps" in text and "Wallach" in text
    assert text.endswith("η = 0.01")
    fixed = _priors_text({"engine": "tomotopy", "alpha": "symmetric", "eta": None})
    assert fixed == "α = 1/K (symmetric, fixed), η = 1/K (symmetric, fixed)"


def test_names_sentence_counts_the_removed_lemmas() -> None:
    text = _names_text({"remove": "persons", "capitalised_share": 0.9}, SUMMARY)
    assert "16 person names" in text and "90%" in text and "given name" in text
    assert "16 proper nouns" in _names_text({"remove": "proper_nouns"}, SUMMARY)
    assert _names_text({"remove": "none"}, SUMMARY) == ""
    assert _names_text({"remove": "persons"}, SUMMARY[:1]) == ""  # results from before


# ------------------------------------------- issue 22: only what this run did
CHOICE = {
    "k": 4,
    "seed": 1,
    "metric": "coherence_npmi",
    "direction": "higher is better",
    "rule": "Among the Ks whose stability ≥ 0.5, the K with the highest mean coherence_npmi.",
    "reason": "K=4 … add K = 7, 8 to model.k and run again.",
    "edge": {"side": "largest", "suggest": [7, 8], "sentence": "… run again."},
    "candidates": [
        {"k": 4, "eligible": True, "chosen": True, "metric_mean": -0.102, "metric_sd": 0.040},
        {"k": 3, "eligible": True, "chosen": False, "metric_mean": -0.130, "metric_sd": 0.042},
    ],
}


def test_the_k_choice_says_when_it_is_within_the_seed_noise_and_gives_no_instruction() -> None:
    from swedish_topics.methods import choice_sentence

    text = choice_sentence(CHOICE)
    assert "smaller than the standard deviation across seeds (0.042)" in text
    assert "not distinguished" in text and "largest of the grid" in text
    assert "run again" not in text and "add K" not in text
    clear = {**CHOICE, "edge": None}
    clear["candidates"] = [dict(c, metric_sd=0.01) for c in CHOICE["candidates"]]
    assert "not distinguished" not in choice_sentence(clear)


def test_a_corpus_too_small_for_any_comparison_opens_with_one_plain_sentence() -> None:
    from swedish_topics.methods import too_small_sentence

    rows = {
        "municipality": [
            {"municipality": g, "n_docs": str(n)} for g, n in (("Lund", 1), ("Vellinge", 2))
        ],
        "year": [{"year": y, "n_docs": str(n)} for y, n in (("2018", 3), ("2019", 2))],
    }
    text = too_small_sentence(rows, 3, 5)
    assert text.startswith("**This corpus is too small for any comparison between groups.**")
    assert "With 5 documents" in text
    rows["year"] = [{"year": y, "n_docs": "3"} for y in ("2018", "2019")]
    assert too_small_sentence(rows, 3, 6) == ""


def test_comparisons_name_only_the_estimands_estimated_and_the_reason() -> None:
    from swedish_topics.config import load_config
    from swedish_topics.methods import comparisons_paragraph

    cfg = load_config({})
    run = {
        "effects_estimated": False,
        "effects_note": "not estimated: the model has more coefficients than documents",
        "single_doc_groups": False,
        "units_are_documents": True,
    }
    text = comparisons_paragraph(cfg, run=run)
    assert "Two estimands are reported" in text and "Three estimands" not in text
    assert "could not be estimated in this run: the model has more coefficients" in text
    assert "*Adjusted effects*:" not in text
    assert "Single-document groups" not in text and "units' proportions" not in text
    full = comparisons_paragraph(cfg)
    assert "Three estimands are reported" in full and "Single-document groups" in full


def test_validation_says_whole_corpus_counts_adjusted_rows_and_drops_identical_variants() -> None:
    from swedish_topics.methods import same_as_main_left_out, validation_paragraph

    variant = {
        "k": "4", "seed": "1", "mean_similarity": "0.6", "main_seed_stability": "0.65",
        "n_effects": "3", "share_kept_sign": "1", "share_kept_significance": "1",
    }  # fmt: skip
    facts = {
        "seed": 17,
        "facets": ["municipality"],
        "coding_size": 5,
        "n_docs": 5,
        "sensitivity": [
            {**variant, "variant": "raw_forms", "change": "preprocess.lemmatize.enabled=false"},
            {**variant, "variant": "no_below_5", "change": "preprocess.vocabulary.no_below=5"},
        ],
        "sensitivity_effects": [
            {"variant": "raw_forms", "table": t, "keeps_sign": k, "keeps_significance": k}
            for t, k in (
                ("differences_by_municipality", "true"),
                ("effects_by_municipality", "false"),
                ("trend_by_year", "true"),  # unadjusted: never counted
            )
        ],
    }
    cfg = {"preprocess": {"vocabulary": {"no_below": 5}, "lemmatize": {"enabled": True}}}
    text = validation_paragraph(same_as_main_left_out(facts, cfg))
    assert "All 5 documents of the corpus were drawn for hand coding" in text
    assert "stratified random sample" not in text
    assert "no_below_5" not in text and "raw_forms" in text
    assert "Of the 2 comparisons significant after the FDR adjustment" in text
    assert "50–50% kept their sign" in text
    assert "rerun" not in text and "score the" not in text
