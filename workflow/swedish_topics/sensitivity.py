"""Sensitivity of the findings to preprocessing choices (Denny & Spirling 2018).

A *variant* is a named change to the ``preprocess`` section of the config; the variants
named in ``sensitivity.run`` run, e.g.::

    sensitivity:
      run: [raw_forms, no_below_5]
      variants:
        raw_forms: {preprocess: {lemmatize: {enabled: false}}}
        no_below_5: {preprocess: {vocabulary: {no_below: 5}}}

Each variant reruns preprocessing with its change merged over the main config, fits one
model with the main run's chosen K and seed, and reruns the group comparisons. This module
compares the variant with the main run:

* **topics**: the main model's topics are matched one-to-one to the variant's
  (Hungarian algorithm, :func:`swedish_topics.metrics.match_topics`) on
  1 − Hellinger distance between their word distributions restricted to the vocabulary
  both models share (renormalised); the mean matched similarity is 1 for identical topics.
* **effects**: every group difference, trend and adjusted effect that the main tables report as
  significant (their ``significant`` column where the comparison tables have one, else
  ``excludes_zero``) is looked up for the matched topic in the variant's tables: does it
  keep its sign, and its sign and significance?

Examples
--------
>>> import numpy as np
>>> a = np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]])
>>> perm, sim = match_shared(a, ["x", "y", "z"], a[::-1], ["x", "y", "z"])
>>> perm.tolist(), sim.round(3).tolist()
([1, 0], [1.0, 1.0])
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from swedish_topics.errors import ConfigError

logger = logging.getLogger(__name__)

#: Preprocessing keys used only when the shards are joined into the corpus (phrases and the
#: vocabulary filter): a variant that changes nothing else reuses the main run's shards.
CORPUS_LEVEL_KEYS = frozenset({"phrases", "vocabulary"})
#: Top-level keys a variant may change.
VARIANT_KEYS = frozenset({"preprocess"})


def _merge(base: Any, override: Any) -> Any:
    if isinstance(base, Mapping) and isinstance(override, Mapping):
        out = dict(copy.deepcopy(base))
        for key, value in override.items():
            out[key] = _merge(out.get(key), value) if key in out else copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


def variant_configs(cfg: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The full config of every variant of ``sensitivity.run``, in that order.

    A variant whose preprocessing equals the main run's (``no_below_5`` when the config
    already has ``no_below: 5``) is no variant: it is left out, with a warning that says
    so, rather than reported as a change that changed nothing.

    Raises
    ------
    ConfigError
        As :func:`variant_config`, for the first variant that fails.
    """
    out = {}
    for name in cfg["sensitivity"]["run"]:
        merged = variant_config(cfg, name)
        if same_as_main(cfg, merged):
            change = describe_change(cfg["sensitivity"]["variants"][name] or {})
            logger.warning(
                "sensitivity variant %s (%s) is the same as the main settings: not run, not "
                "reported. Remove it from sensitivity.run, or change it.",
                name,
                change or "no change",
            )
            continue
        out[name] = merged
    return out


def same_as_main(cfg: Mapping[str, Any], variant_cfg: Mapping[str, Any]) -> bool:
    """True if the variant's preprocessing equals the main run's (it changes nothing)."""
    return dict(cfg["preprocess"]) == dict(variant_cfg["preprocess"])


def variant_config(cfg: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The full config of variant ``name``: its changes merged over the main config.

    Raises
    ------
    ConfigError
        If the variant is not declared, changes a key outside ``preprocess`` (a variant is
        a preprocessing choice; K and seed are the main run's), or its merged config is
        invalid (the message of :func:`swedish_topics.config.load_config`, prefixed with
        the variant's name).
    """
    from swedish_topics.config import load_config

    variants = cfg["sensitivity"]["variants"]
    if name not in variants:
        raise ConfigError(
            f"Config key 'sensitivity.run' names the variant {name!r}, which is not declared "
            f"under sensitivity.variants (declared: {', '.join(sorted(variants)) or 'none'}). "
            f"Declare it, e.g. sensitivity: {{variants: {{{name}: {{preprocess: {{vocabulary: "
            "{no_below: 5}}}}}, or remove it from sensitivity.run."
        )
    change = variants[name] or {}
    outside = sorted(set(change) - VARIANT_KEYS)
    if outside:
        raise ConfigError(
            f"Config key 'sensitivity.variants.{name}' changes {', '.join(outside)}, but a "
            "variant may change only the preprocess section (the main run's K and seed are "
            f"used for every variant). Write it as sensitivity: {{variants: {{{name}: "
            "{preprocess: {...}}}}, e.g. {preprocess: {vocabulary: {no_below: 5}}}."
        )
    base = {k: v for k, v in cfg.items() if k != "sensitivity"}
    try:
        merged = load_config(_merge(base, change))
    except ConfigError as err:
        raise ConfigError(
            f"Sensitivity variant {name!r} (sensitivity.variants.{name}): {err}"
        ) from None
    merged["sensitivity"] = copy.deepcopy(dict(cfg["sensitivity"]))
    return merged


def reuses_main_shards(cfg: Mapping[str, Any], variant_cfg: Mapping[str, Any]) -> bool:
    """True if the variant's shards equal the main run's (it changes only phrases or the
    vocabulary filter), so that it can skip cleaning, tokenising and lemmatising."""
    main, var = cfg["preprocess"], variant_cfg["preprocess"]
    keys = (set(main) | set(var)) - CORPUS_LEVEL_KEYS - {"shards"}
    return all(main.get(k) == var.get(k) for k in keys)


def describe_change(change: Mapping[str, Any], prefix: str = "") -> str:
    """A variant's change as ``key=value`` pairs, e.g. ``preprocess.vocabulary.no_below=5``."""
    parts = []
    for key, value in sorted(change.items()):
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            parts.append(describe_change(value, f"{dotted}."))
        else:
            shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            parts.append(f"{dotted}={shown}")
    return "; ".join(parts)


def match_shared(
    main: np.ndarray, main_vocab: Sequence[str], variant: np.ndarray, variant_vocab: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Match the variant's topics to the main model's over the vocabulary both share.

    Returns
    -------
    perm : numpy.ndarray
        ``perm[i]``: the variant's topic (0-based) matched to main topic ``i``.
    similarity : numpy.ndarray
        1 − Hellinger distance of each matched pair, over the shared words (each topic's
        probabilities renormalised to sum to 1 there; a topic with no mass there is
        uniform on them).
    """
    from swedish_topics.metrics import match_topics

    index = {w: j for j, w in enumerate(variant_vocab)}
    shared = [(i, index[w]) for i, w in enumerate(main_vocab) if w in index]
    if not shared:
        raise ValueError("the main model and the variant share no word")
    cols_main = np.array([i for i, _ in shared])
    cols_var = np.array([j for _, j in shared])
    a = _renormalise(np.asarray(main, dtype=np.float64)[:, cols_main])
    b = _renormalise(np.asarray(variant, dtype=np.float64)[:, cols_var])
    return match_topics(a, b, "hellinger")


def _renormalise(rows: np.ndarray) -> np.ndarray:
    sums = rows.sum(axis=1, keepdims=True)
    out = np.where(sums > 0, rows / np.where(sums > 0, sums, 1.0), 1.0 / rows.shape[1])
    return out


def is_significant(row: Mapping[str, str]) -> bool | None:
    """A table row's significance: ``significant`` (q-value based) when the table has it,
    else ``excludes_zero``; None when neither is filled (no interval)."""
    for column in ("significant", "excludes_zero"):
        value = row.get(column)
        if value not in (None, ""):
            return str(value).strip().lower() in ("true", "1", "yes")
    return None


def significance_basis(rows: Sequence[Mapping[str, str]]) -> str:
    """Which column decided significance in a table (for captions)."""
    if rows and "significant" in rows[0]:
        return "q-value, column significant"
    return "interval excluding 0, column excludes_zero"


def _estimate(row: Mapping[str, str]) -> float:
    for column in ("estimate", "difference", "slope"):
        if row.get(column) not in (None, ""):
            return float(row[column])
    return float("nan")


def compare_effects(
    main_rows: Sequence[Mapping[str, str]],
    variant_rows: Sequence[Mapping[str, str]],
    perm: np.ndarray,
    *,
    table: str,
    facet: str,
    group_column: str | None,
) -> list[dict[str, Any]]:
    """Each significant effect of a main table against the matched topic in the variant.

    Parameters
    ----------
    main_rows, variant_rows
        Rows of the same table (``differences_by_<facet>`` or ``trend_by_<facet>``).
    perm
        ``perm[i]``: the variant's topic matched to main topic ``i`` (0-based).
    table, facet
        Names written into the rows.
    group_column
        The group column (the facet, for differences); None for trends.
    """

    def key(row: Mapping[str, str], topic: int) -> tuple[int, str]:
        return topic, row[group_column] if group_column else ""

    lookup = {key(r, int(r["topic"])): r for r in variant_rows}
    out = []
    for row in main_rows:
        if not is_significant(row):
            continue
        topic = int(row["topic"])
        matched = int(perm[topic - 1]) + 1
        other = lookup.get(key(row, matched))
        estimate = _estimate(row)
        var_estimate = _estimate(other) if other is not None else float("nan")
        var_sig = is_significant(other) if other is not None else None
        same_sign = bool(np.sign(estimate) == np.sign(var_estimate)) if other else False
        out.append(
            {
                "table": table,
                "facet": facet,
                "group": row[group_column] if group_column else "",
                "topic": topic,
                "estimate": estimate,
                "flag": row.get("flag", ""),
                "variant_topic": matched,
                "variant_estimate": var_estimate,
                "variant_significant": var_sig,
                "keeps_sign": same_sign,
                "keeps_significance": bool(same_sign and var_sig),
            }
        )
    return out


def summary_row(
    variant: str,
    *,
    change: str,
    similarity: np.ndarray,
    effects: Sequence[Mapping[str, Any]],
    basis: str,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """One row of ``sensitivity/summary.csv``."""
    n = len(effects)
    kept_sign = sum(bool(e["keeps_sign"]) for e in effects)
    kept_sig = sum(bool(e["keeps_significance"]) for e in effects)
    return {
        "variant": variant,
        "change": change,
        **extra,
        "mean_similarity": float(np.mean(similarity)),
        "min_similarity": float(np.min(similarity)),
        "n_effects": n,
        "kept_sign": kept_sign,
        "kept_significance": kept_sig,
        "share_kept_sign": kept_sign / n if n else float("nan"),
        "share_kept_significance": kept_sig / n if n else float("nan"),
        "significance_basis": basis,
    }
