"""Tests for swedish_topics.selection: the K/seed rule on hand-made metric tables."""

from __future__ import annotations

import json
from typing import Any

import pytest
from swedish_topics.errors import ConfigError
from swedish_topics.selection import candidate_table, grid_edge, select_model


def grid(rows: list[tuple[int, int, float]], metric: str = "coherence_npmi") -> list[dict]:
    """Metric rows from (k, seed, value) triples."""
    return [{"k": k, "seed": s, metric: v} for k, s, v in rows]


def stab(values: dict[int, float]) -> list[dict]:
    return [{"k": k, "stability": v} for k, v in values.items()]


# Two seeds per K; K=5 has the best NPMI but is unstable.
METRICS = grid(
    [
        (3, 1, 0.10),
        (3, 2, 0.12),
        (4, 1, 0.15),
        (4, 2, 0.17),
        (5, 1, 0.30),
        (5, 2, 0.32),
        (6, 1, 0.05),
        (6, 2, 0.07),
    ]
)
STABILITY = stab({3: 0.80, 4: 0.60, 5: 0.40, 6: 0.90})
AGREEMENT = {
    (3, 1): 0.7,
    (3, 2): 0.9,
    (4, 1): 0.6,
    (4, 2): 0.8,
    (5, 1): 0.5,
    (5, 2): 0.4,
    (6, 1): 0.9,
    (6, 2): 0.9,
}


@pytest.mark.parametrize(
    ("threshold", "expected_k", "expected_seed", "fallback"),
    [
        (0.5, 4, 2, False),  # K=5 is better but below the threshold
        (0.3, 5, 1, False),  # every K passes: the best NPMI wins
        (0.85, 6, 1, False),  # only K=6 passes; its seeds tie → seed 1
        (0.95, 5, 1, True),  # nobody passes: all Ks compete
    ],
)
def test_rule_picks_expected_model(
    threshold: float, expected_k: int, expected_seed: int, fallback: bool
) -> None:
    choice = select_model(
        METRICS,
        STABILITY,
        threshold=threshold,
        pinned_k=None,
        pinned_seed=None,
        seed_agreement=AGREEMENT,
    )
    assert (choice["k"], choice["seed"]) == (expected_k, expected_seed)
    assert choice["fallback"] is fallback
    assert choice["pinned"] is False
    json.dumps(choice)  # JSON-able


def test_reason_names_numbers_and_eligible_ks() -> None:
    choice = select_model(METRICS, STABILITY, threshold=0.5, seed_agreement=AGREEMENT)
    assert choice["reason"] == (
        "K=4 has the highest mean NPMI coherence (0.160) among the Ks whose stability "
        "≥ 0.5 (3, 4, 6); seed 2 agrees most with the other seeds (0.800)."
    )


def test_fallback_reason_says_no_k_passed() -> None:
    choice = select_model(METRICS, STABILITY, threshold=0.95, seed_agreement=AGREEMENT)
    assert choice["reason"].startswith(
        "No K reaches stability ≥ 0.95 (highest: K=6, 0.900), so all Ks (3, 4, 5, 6) "
        "were compared: K=5 has the highest mean NPMI coherence (0.310)"
    )
    assert all(row["eligible"] for row in choice["candidates"])
    assert not any(row["passes"] for row in choice["candidates"])


def test_candidates_table() -> None:
    table = candidate_table(METRICS, STABILITY, metric="coherence_npmi", threshold=0.5)
    assert [row["k"] for row in table] == [3, 4, 5, 6]
    assert [row["passes"] for row in table] == [True, True, False, True]
    assert table[0]["metric_mean"] == pytest.approx(0.11)
    assert table[0]["metric_sd"] == pytest.approx(0.0141421356)
    assert table[2]["stability"] == 0.40
    assert all(row["n_seeds"] == 2 for row in table)


def test_lower_is_better_for_perplexity() -> None:
    metrics = grid([(3, 1, 900.0), (4, 1, 850.0), (5, 1, 870.0)], metric="perplexity")
    choice = select_model(
        metrics,
        stab({3: 1.0, 4: 1.0, 5: 1.0}),
        metric="perplexity",
        threshold=0.5,
        seed_agreement={},
    )
    assert choice["k"] == 4
    assert choice["direction"] == "lower is better"
    assert "lowest mean perplexity (850.0)" in choice["reason"]


@pytest.mark.parametrize(
    ("rows", "expected_k"),
    [
        ([(3, 1, 0.2), (4, 1, 0.2), (5, 1, 0.1)], 3),  # exact tie → smaller K
        ([(5, 1, 0.2), (4, 1, 0.2), (3, 1, 0.1)], 4),  # order of rows does not matter
        ([(3, 1, 0.2000001), (4, 1, 0.2000004)], 3),  # equal at table precision
        ([(3, 1, 0.200001), (4, 1, 0.200004)], 4),
    ],
)
def test_k_ties_go_to_smaller_k(rows: list[tuple[int, int, float]], expected_k: int) -> None:
    ks = {k for k, _, _ in rows}
    choice = select_model(
        grid(rows), stab(dict.fromkeys(ks, 1.0)), threshold=0.5, seed_agreement={}
    )
    assert choice["k"] == expected_k


def test_seed_ties_go_to_smallest_seed() -> None:
    metrics = grid([(3, 7, 0.1), (3, 2, 0.1), (3, 5, 0.1)])
    agreement = {(3, 7): 0.8, (3, 2): 0.6, (3, 5): 0.8}
    choice = select_model(metrics, stab({3: 1.0}), threshold=0.5, seed_agreement=agreement)
    assert choice["seed"] == 5


def test_missing_agreement_falls_back_to_smallest_seed() -> None:
    metrics = grid([(3, 4, 0.1), (3, 2, 0.1)])
    choice = select_model(metrics, stab({3: 1.0}), threshold=0.5, seed_agreement={})
    assert choice["seed"] == 2
    assert "no seed agreement is available" in choice["reason"]


def test_stability_mean_column_is_accepted() -> None:
    """Rows as read from model_selection/stability.csv use ``stability_mean``."""
    rows = [{"k": r["k"], "stability_mean": r["stability"], "n_pairs": 1} for r in STABILITY]
    choice = select_model(METRICS, rows, threshold=0.5, seed_agreement=AGREEMENT)
    assert (choice["k"], choice["fallback"]) == (4, False)


def test_k_without_stability_does_not_pass() -> None:
    choice = select_model(METRICS, stab({3: 0.8}), threshold=0.5, seed_agreement=AGREEMENT)
    assert choice["k"] == 3


def test_nan_metric_values_are_ignored() -> None:
    metrics = grid([(3, 1, 0.1), (3, 2, float("nan")), (4, 1, float("nan"))])
    choice = select_model(
        metrics, stab({3: 1.0, 4: 1.0}), threshold=0.5, seed_agreement={(3, 1): 0.5}
    )
    assert choice["k"] == 3
    assert choice["candidates"][1]["metric_mean"] is None


def test_pinned_model_overrides_rule() -> None:
    choice = select_model(
        METRICS,
        STABILITY,
        threshold=0.5,
        pinned_k=6,
        pinned_seed=2,
        seed_agreement=AGREEMENT,
    )
    assert (choice["k"], choice["seed"]) == (6, 2)
    assert choice["pinned"] is True
    assert choice["rule_choice"] == {"k": 4, "seed": 2}
    assert "pinned" in choice["reason"] and "K=4" in choice["reason"]


def test_pin_of_the_rules_own_choice_changes_nothing() -> None:
    """Pinning the model the rule chose gives the same record as no pin (issue 21: the
    pin then reruns nothing, and a clean run with it gives the same files)."""
    kwargs: dict[str, Any] = {"threshold": 0.5, "seed_agreement": AGREEMENT}
    rule = select_model(METRICS, STABILITY, pinned_k=None, pinned_seed=None, **kwargs)
    same = select_model(METRICS, STABILITY, pinned_k=4, pinned_seed=2, **kwargs)
    assert same == rule and same["pinned"] is False
    other = select_model(METRICS, STABILITY, pinned_k=4, pinned_seed=1, **kwargs)
    assert other["pinned"] is True and (other["k"], other["seed"]) == (4, 1)


@pytest.mark.parametrize(
    ("pinned_k", "pinned_seed", "match"),
    [
        (7, 1, "not trained"),
        (3, 9, "not trained"),
        (3, None, "needs both"),
        (None, 1, "needs both"),
    ],
)
def test_bad_pin_is_config_error(pinned_k: Any, pinned_seed: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        select_model(
            METRICS,
            STABILITY,
            threshold=0.5,
            pinned_k=pinned_k,
            pinned_seed=pinned_seed,
            seed_agreement=AGREEMENT,
        )


def test_unknown_metric_is_config_error() -> None:
    with pytest.raises(ConfigError, match="coherence_npmi"):
        select_model(
            METRICS, STABILITY, metric="coherence_xyz", threshold=0.5, seed_agreement=AGREEMENT
        )


@pytest.mark.parametrize(
    ("ks", "chosen", "expected"),
    [
        ([3, 4, 5, 6], 6, ("largest", [7, 8])),
        ([10, 20, 30, 40], 40, ("largest", [50, 60])),
        ([10, 20, 30, 40], 10, ("smallest", [5])),  # 0 is no K
        ([3, 4, 5, 6], 3, ("smallest", [2])),
        ([2, 4], 2, ("smallest", [])),
        ([3, 4, 5, 6], 4, None),
        ([5], 5, None),
    ],
)
def test_grid_edge(ks: list[int], chosen: int, expected: tuple[str, list[int]] | None) -> None:
    edge = grid_edge(ks, chosen)
    if expected is None:
        assert edge is None
    else:
        assert edge is not None and (edge["side"], edge["suggest"]) == expected


def test_choice_at_the_edge_says_so_and_suggests_ks() -> None:
    choice = select_model(METRICS, STABILITY, threshold=0.85, seed_agreement=AGREEMENT)
    assert choice["k"] == 6
    assert choice["edge"] == {
        "side": "largest",
        "suggest": [7, 8],
        "sentence": "K=6 is the largest K of the grid (3, 4, 5, 6), so a model with more "
        "topics may score better: add K = 7, 8 to model.k and run again.",
    }
    assert choice["reason"].endswith(choice["edge"]["sentence"])
    inside = select_model(METRICS, STABILITY, threshold=0.5, seed_agreement=AGREEMENT)
    assert inside["edge"] is None and "grid" not in inside["reason"]
