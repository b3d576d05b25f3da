"""Shared pieces of the comparisons: flags, column templates, seeded random streams,
group order and small helpers."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

#: Flag codes used in the ``flag`` column (several are joined with ``;``).
FLAG_SINGLE_DOC = "single_doc"
FLAG_FEW_DOCS = "few_docs"
FLAG_NO_INTERVAL = "no_interval"
FLAG_REST_SINGLE_DOC = "rest_single_doc"
FLAG_REST_FEW_DOCS = "rest_few_docs"
FLAG_NO_REST = "no_rest"
FLAG_FEW_VALUES = "few_values"
FLAG_WIDENED = "widened"

PREVALENCE_COLUMNS = (
    "topic",
    "{facet}",
    "mean",
    "ci_low",
    "ci_high",
    "q_value",
    "significant",
    "pooled_mean",
    "pooled_low",
    "pooled_high",
    "n_docs",
    "n_units",
    "interval_basis",
    "flag",
    "note",
)
DIFFERENCE_COLUMNS = (
    "topic",
    "{facet}",
    "group_mean",
    "rest_mean",
    "difference",
    "ci_low",
    "ci_high",
    "excludes_zero",
    "p_value",
    "q_value",
    "significant",
    "fcr_low",
    "fcr_high",
    "n_docs",
    "n_rest",
    "interval_basis",
    "flag",
    "note",
)
TREND_COLUMNS = (
    "topic",
    "slope",
    "ci_low",
    "ci_high",
    "excludes_zero",
    "mean",
    "n_docs",
    "n_distinct_values",
    "value_min",
    "value_max",
    "flag",
    "note",
)
DOC_TOPIC_COLUMNS = ("doc_id", "topic", "weight")


def stable_hash(text: str) -> int:
    """A 64-bit hash of ``text`` that is the same in every Python process.

    Python's built-in :func:`hash` is salted per process, so it cannot seed random
    numbers reproducibly.

    >>> stable_hash("Lund") == stable_hash("Lund")
    True
    """
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


def make_rng(seed: int, *keys: str) -> np.random.Generator:
    """A PCG64 generator for ``seed`` and the names ``keys`` (purpose, facet, group …)."""
    seq = np.random.SeedSequence([int(seed), *(stable_hash(k) for k in keys)])
    return np.random.Generator(np.random.PCG64(seq))


def _alpha(ci_level: float) -> float:
    if not 0.0 < ci_level < 1.0:
        raise ValueError(f"ci_level must be between 0 and 1 (exclusive), got {ci_level}")
    return 1.0 - ci_level


def _check_n_boot(n_boot: int) -> None:
    if n_boot < 1:
        raise ValueError(f"the number of bootstrap replicates must be at least 1, got {n_boot}")


#: Interval bounds within this distance of 0 count as touching 0 (floating-point noise
#: in a difference of equal means must not read as "excludes zero").
ZERO_TOLERANCE = 1e-12


def excludes_zero(low: float, high: float) -> bool:
    """True if the interval lies entirely above or below 0 (False for a missing interval)."""
    return bool(low > ZERO_TOLERANCE or high < -ZERO_TOLERANCE)


def _normalise_rows_in_place(matrix: np.ndarray) -> None:
    """Divide every row of ``matrix`` by its sum (all-zero rows stay zero)."""
    sums = matrix.sum(axis=1, keepdims=True)
    np.divide(matrix, np.where(sums > 0, sums, 1.0), out=matrix)


def _join_notes(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _group_positions(groups: Sequence[str]) -> dict[str, np.ndarray]:
    """Row positions of each group, groups in display order (see :func:`group_order`)."""
    positions: dict[str, list[int]] = {}
    for i, g in enumerate(groups):
        positions.setdefault(str(g), []).append(i)
    return {g: np.asarray(positions[g], dtype=np.int64) for g in group_order(positions)}


_INTEGER = re.compile(r"[+-]?\d+")
_SWEDISH = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}", "ü": "y", "é": "e"})


def group_order(groups: Sequence[str] | Mapping[str, Any]) -> list[str]:
    """Distinct groups in display order: numerically if all are integers, else Swedish order.

    >>> group_order(["Örebro", "Ale", "Åre", "Älvsbyn"])
    ['Ale', 'Åre', 'Älvsbyn', 'Örebro']
    >>> group_order(["2019", "2018", "2021"])
    ['2018', '2019', '2021']
    """
    distinct = set(groups)
    if distinct and all(_INTEGER.fullmatch(g.strip()) for g in distinct):
        return sorted(distinct, key=lambda g: (int(g), g))
    return sorted(distinct, key=lambda g: (g.casefold().translate(_SWEDISH), g))


def _check_inputs(doc_theta: np.ndarray, labels: Sequence[Any], what: str) -> np.ndarray:
    doc_theta = np.asarray(doc_theta, dtype=np.float64)
    if doc_theta.ndim != 2 or doc_theta.shape[0] != len(labels):
        raise ValueError(
            f"doc_theta has shape {doc_theta.shape} but there are {len(labels)} {what}; "
            "they must describe the same documents in the same order"
        )
    return doc_theta


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _as_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)
