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
