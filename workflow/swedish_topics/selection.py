"""The rule that chooses the final model (K and seed) from the grid.

Rule
----
1. Keep the Ks whose stability (mean matched topic similarity between the seeds of that
   K) is at least ``threshold``. If no K passes, keep all Ks and say so.
2. Among them take the K with the best mean ``metric`` across its seeds (highest, or
   lowest for metrics where lower is better such as perplexity); ties go to the smaller
   K.
3. Of that K, take the seed whose topics agree most with the other seeds of the same K
   (``seed_agreement``); ties go to the smallest seed.

Ties are judged on values rounded to :data:`swedish_topics.io.FLOAT_DIGITS` decimals,
the precision of every table, so that a choice never hangs on a last-bit difference a
reader cannot see. A pinned K and seed (``selection.k``/``selection.seed``) override the
rule; the result still reports what the rule would have chosen. A pin that names the
rule's own choice changes nothing: the result is the rule's, as without the pin, so
that pinning the model a run chose reruns nothing (README, "Changing your analysis").

Examples
--------
>>> choice = select_model(metrics, stability, threshold=0.5, pinned_k=None,
...     pinned_seed=None, seed_agreement=agreement)  # doctest: +SKIP
>>> choice["k"], choice["seed"], choice["reason"]  # doctest: +SKIP
(5, 2, 'K=5 has the highest mean NPMI coherence (0.123) among ...')
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from swedish_topics.errors import ConfigError
from swedish_topics.io import FLOAT_DIGITS

logger = logging.getLogger(__name__)

#: Metrics for which a lower value is better.
LOWER_IS_BETTER = frozenset({"perplexity"})

#: Names used in the reason sentence.
METRIC_NAMES = {
    "coherence_npmi": "NPMI coherence",
    "coherence_umass": "UMass coherence",
    "coherence_cv": "C_V coherence",
    "perplexity": "perplexity",
    "heldout_bound": "held-out per-word bound",
    "diversity": "topic diversity",
    "exclusivity": "exclusivity",
}


def _number(value: Any) -> float | None:
    """A finite float, or None for missing/NaN values."""
    if value is None or isinstance(value, bool):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _fmt(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 100 else f"{value:.1f}"


def _ks(ks: Sequence[int]) -> str:
    return ", ".join(str(k) for k in ks)


def _best(values: Mapping[int, float | None], *, lower: bool) -> int | None:
    """Key with the best value (rounded to FLOAT_DIGITS); ties → smallest key."""
    ranked = [
        (round(-v if lower else v, FLOAT_DIGITS), -key)
        for key, v in values.items()
        if v is not None
    ]
    return -max(ranked)[1] if ranked else None


def _stability_value(row: Mapping[str, Any]) -> Any:
    """``stability``, or ``stability_mean`` as in ``model_selection/stability.csv``."""
    return row["stability"] if "stability" in row else row.get("stability_mean")


def candidate_table(
    metrics: Sequence[Mapping[str, Any]],
    stability: Sequence[Mapping[str, Any]],
    *,
    metric: str,
    threshold: float,
) -> list[dict[str, Any]]:
    """One row per K: seeds, mean and sd of ``metric``, stability and the passes flag.

    Parameters
    ----------
    metrics : sequence of mapping
        One entry per model with ``k``, ``seed`` and ``metric``.
    stability : sequence of mapping
        One entry per K with ``k`` and ``stability`` (or ``stability_mean``); a K without
        an entry or with a missing/NaN value does not pass.
    metric : str
        The metric column.
    threshold : float
        Minimum stability.

    Returns
    -------
    list of dict
        Rows sorted by K with ``k``, ``n_seeds``, ``metric_mean``, ``metric_sd`` (sample
        standard deviation, None for one seed), ``stability`` and ``passes``. NaN and
        missing values are left out of the mean; a K without values has mean None.
    """
    by_k: dict[int, list[float]] = {}
    seeds: dict[int, int] = {}
    for row in metrics:
        k = int(row["k"])
        seeds[k] = seeds.get(k, 0) + 1
        value = _number(row.get(metric))
        by_k.setdefault(k, [])
        if value is not None:
            by_k[k].append(value)
    stab = {int(row["k"]): _number(_stability_value(row)) for row in stability}
    table = []
    for k in sorted(by_k):
        values = np.array(by_k[k], dtype=np.float64)
        k_stability = stab.get(k)
        table.append(
            {
                "k": k,
                "n_seeds": seeds[k],
                "metric_mean": float(values.mean()) if values.size else None,
                "metric_sd": float(values.std(ddof=1)) if values.size > 1 else None,
                "stability": k_stability,
                "passes": k_stability is not None and k_stability >= threshold,
            }
        )
    return table


def _check_inputs(metrics: Sequence[Mapping[str, Any]], metric: str) -> None:
    if not metrics:
        raise ValueError("select_model needs at least one model's metrics")
    if not any(metric in row for row in metrics):
        available = sorted({key for row in metrics for key in row} - {"k", "seed"})
        raise ConfigError(
            f"selection.metric is {metric!r}, but the model metrics have no such value; "
            f"available: {', '.join(available)}. Fix: set selection.metric in "
            "config/config.yaml to one of these."
        )


def _check_pinned(
    metrics: Sequence[Mapping[str, Any]], pinned_k: int | None, pinned_seed: int | None
) -> bool:
    if pinned_k is None and pinned_seed is None:
        return False
    if pinned_k is None or pinned_seed is None:
        raise ConfigError(
            f"selection.k is {pinned_k!r} and selection.seed is {pinned_seed!r}, but a "
            "pinned model needs both. Fix: in config/config.yaml set both selection.k and "
            "selection.seed, or set both to null to let the rule choose."
        )
    grid = {(int(row["k"]), int(row["seed"])) for row in metrics}
    if (int(pinned_k), int(pinned_seed)) not in grid:
        ks = sorted({k for k, _ in grid})
        seeds = sorted({s for _, s in grid})
        raise ConfigError(
            f"selection.k={pinned_k} and selection.seed={pinned_seed} pin a model that was "
            f"not trained: the grid has K in ({_ks(ks)}) and seeds ({_ks(seeds)}). Fix: in "
            "config/config.yaml pin a K from model.k and a seed from model.seeds, or set "
            "selection.k and selection.seed to null to let the rule choose."
        )
    return True


def _seed_agreement(
    metrics: Sequence[Mapping[str, Any]],
    seed_agreement: Mapping[tuple[int, int], float],
    k: int,
) -> dict[int, float | None]:
    """Agreement of each seed of K with the other seeds (None where unknown), by seed."""
    seeds = sorted({int(row["seed"]) for row in metrics if int(row["k"]) == k})
    return {s: _number(seed_agreement.get((k, s))) for s in seeds}


def grid_edge(ks: Sequence[int], chosen: int) -> dict[str, Any] | None:
    """Whether ``chosen`` is the largest or smallest K of the grid, and the Ks to add.

    The suggested Ks continue the grid beyond the edge in the step of its last (or
    first) interval, at most half the K below it: K ∈ {3, 4, 5, 6} choosing 6 suggests 7
    and 8; {10, 20, 30, 40} choosing 10 suggests 5 (no K below 2). A grid of one K has no
    edge.

    Returns
    -------
    dict or None
        ``{"side": "largest" | "smallest", "suggest": [K, ...], "sentence": str}``, or
        None when ``chosen`` is inside the grid.
    """
    grid = sorted(set(int(k) for k in ks))
    if len(grid) < 2 or grid[0] < chosen < grid[-1] or chosen not in grid:
        return None
    if chosen == grid[-1]:
        step = grid[-1] - grid[-2]
        side, suggest = "largest", [chosen + step, chosen + 2 * step]
    else:
        step = max(1, min(grid[1] - grid[0], chosen // 2))  # K stays ≥ 2
        side = "smallest"
        suggest = sorted(k for k in {chosen - step, chosen - 2 * step} if k >= 2)
    direction = "more" if side == "largest" else "fewer"
    if suggest:
        advice = (
            f"a model with {direction} topics may score better: add K = "
            f"{', '.join(map(str, suggest))} to model.k and run again"
        )
    else:
        advice = "no smaller K is possible (K ≥ 2)"
    sentence = f"K={chosen} is the {side} K of the grid ({_ks(grid)}), so {advice}."
    return {"side": side, "suggest": suggest, "sentence": sentence}


def select_model(
    metrics: Sequence[Mapping[str, Any]],
    stability: Sequence[Mapping[str, Any]],
    *,
    metric: str = "coherence_npmi",
    threshold: float,
    pinned_k: int | None = None,
    pinned_seed: int | None = None,
    seed_agreement: Mapping[tuple[int, int], float],
) -> dict[str, Any]:
    """Choose the final K and seed (see the module docstring for the rule).

    Parameters
    ----------
    metrics : sequence of mapping
        One entry per trained model: ``k``, ``seed`` and at least ``metric``.
    stability : sequence of mapping
        One entry per K: ``k`` and ``stability`` (or ``stability_mean``).
    metric : str
        Metric compared across Ks; lower is better for :data:`LOWER_IS_BETTER`.
    threshold : float
        Minimum stability for a K to be considered.
    pinned_k, pinned_seed : int or None
        Both set: use this model (it must be in ``metrics``). Both None: apply the rule.
    seed_agreement : mapping
        ``(k, seed)`` → mean matched similarity of that seed's topics to the other seeds
        of the same K.

    Returns
    -------
    dict
        JSON-able: ``k``, ``seed``, ``rule``, ``metric``, ``direction``, ``threshold``,
        ``reason`` (a sentence with the numbers), ``candidates`` (:func:`candidate_table`
        plus ``eligible``), ``seed_agreement`` (rows for the chosen K), ``fallback``
        (no K passed the threshold), ``pinned`` and ``edge`` (:func:`grid_edge` of the
        rule's K: null inside the grid; at its edge, the reason says so and which Ks to
        add).

    Raises
    ------
    ConfigError
        Unknown metric, only one of ``pinned_k``/``pinned_seed``, or a pinned model that
        is not in the grid.
    """
    _check_inputs(metrics, metric)
    pinned = _check_pinned(metrics, pinned_k, pinned_seed)
    lower = metric in LOWER_IS_BETTER
    name = METRIC_NAMES.get(metric, metric)
    table = candidate_table(metrics, stability, metric=metric, threshold=threshold)

    passing = [row["k"] for row in table if row["passes"]]
    fallback = not passing
    eligible = [row["k"] for row in table] if fallback else passing
    for row in table:
        row["eligible"] = row["k"] in eligible
    means = {row["k"]: row["metric_mean"] for row in table if row["k"] in eligible}
    best_k = _best(means, lower=lower)
    if best_k is None:
        raise ValueError(f"no model has a finite {metric!r} value")

    agreement = _seed_agreement(metrics, seed_agreement, best_k)
    best_seed = _best(agreement, lower=False)

    which = "lowest" if lower else "highest"
    if fallback:
        known = [row for row in table if row["stability"] is not None]
        top = max(known, key=lambda row: (row["stability"], -row["k"])) if known else None
        closest = f" (highest: K={top['k']}, {_fmt(top['stability'])})" if top else ""
        k_part = (
            f"No K reaches stability ≥ {threshold:g}{closest}, so all Ks "
            f"({_ks(eligible)}) were compared: K={best_k} has the {which} mean {name} "
            f"({_fmt(means[best_k])})"
        )
    else:
        k_part = (
            f"K={best_k} has the {which} mean {name} ({_fmt(means[best_k])}) among the Ks "
            f"whose stability ≥ {threshold:g} ({_ks(eligible)})"
        )
    best_agreement = agreement.get(best_seed) if best_seed is not None else None
    if best_seed is None or best_agreement is None:
        best_seed = min(agreement)
        s_part = f"no seed agreement is available for K={best_k}, so seed {best_seed} is used"
    else:
        s_part = f"seed {best_seed} agrees most with the other seeds ({_fmt(best_agreement)})"
    rule_reason = f"{k_part}; {s_part}."
    edge = grid_edge([row["k"] for row in table], best_k)
    if edge is not None:
        rule_reason = f"{rule_reason} {edge['sentence']}"

    rule = (
        f"Among the Ks whose stability ≥ {threshold:g} (all Ks if none passes), the K with "
        f"the {which} mean {metric} across seeds (ties → smaller K); then the seed whose "
        "topics agree most with the other seeds of that K (ties → smaller seed)."
    )
    if pinned and (int(pinned_k), int(pinned_seed)) == (best_k, best_seed):  # type: ignore[arg-type]
        logger.info("the pinned K=%d, seed %d is the rule's own choice", best_k, best_seed)
        pinned = False
    if pinned:
        k, seed = int(pinned_k), int(pinned_seed)  # type: ignore[arg-type]
        agreement = _seed_agreement(metrics, seed_agreement, k)
        reason = (
            f"K={k} and seed {seed} are pinned in the configuration (selection.k, "
            f"selection.seed). Without the pin the rule would choose K={best_k} and seed "
            f"{best_seed}: {rule_reason}"
        )
        rule = "pinned"
    else:
        k, seed = best_k, best_seed
        reason = rule_reason
    for row in table:
        row["chosen"] = row["k"] == k
    logger.info("selected K=%d, seed %d: %s", k, seed, reason)
    return {
        "k": k,
        "seed": seed,
        "rule": rule,
        "metric": metric,
        "direction": "lower is better" if lower else "higher is better",
        "threshold": float(threshold),
        "reason": reason,
        "candidates": table,
        "seed_agreement": [{"k": k, "seed": s, "agreement": a} for s, a in agreement.items()],
        "rule_choice": {"k": best_k, "seed": best_seed},
        "edge": edge,
        "fallback": fallback,
        "pinned": pinned,
    }


@dataclass(frozen=True)
class PinnedModel:
    """``selection.k`` and ``selection.seed`` as the select_model rule reads them.

    A rule parameter that Snakemake does not compare between runs (it compares only
    built-in values): what it compares is :func:`pin_change`, so that pinning the model
    that the rule already chose reruns nothing, while the rule still reads the pin itself.
    """

    k: int | None
    seed: int | None


def pin_change(pinned: PinnedModel, choice_json: str | Path) -> list[int] | None:
    """The pin as Snakemake should compare it: ``None`` when it changes no output.

    That is when nothing is pinned, or when the existing ``choice.json`` was made by the
    rule (not by a pin) and the rule chose the pinned model: :func:`select_model` then
    writes the same file with the pin as without it. Otherwise ``[k, seed]``.
    """
    if pinned.k is None or pinned.seed is None:
        return None
    try:
        with open(choice_json, encoding="utf-8") as handle:
            choice = json.load(handle)
        rule_choice = choice["rule_choice"]
        agrees = not choice["pinned"] and [rule_choice["k"], rule_choice["seed"]] == [
            pinned.k,
            pinned.seed,
        ]
    except (OSError, ValueError, KeyError, TypeError):
        agrees = False
    return None if agrees else [int(pinned.k), int(pinned.seed)]
