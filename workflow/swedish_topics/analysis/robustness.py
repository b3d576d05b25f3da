"""Would another model say the same? Every reported comparison recomputed in the other
models of the grid.

The chosen model is one K and one seed, but the grid trained others. For every other
seed of the chosen K, and for one model (the chosen seed, or the first) of each
neighbouring K of the grid, the topics are matched to the chosen model's:

* **same K** (:func:`match_same_k`): one-to-one Hungarian matching of the topic-word
  distributions by cosine similarity;
* **other K** (:func:`match_split_merge`): topics split and merge as K changes, so each
  topic of the other model is assigned to the chosen topic it resembles most, and a
  chosen topic corresponds to the *sum* of the topics assigned to it (their proportions
  added); its similarity is that of the prevalence-weighted mixture of their word
  distributions.

A chosen topic whose best match is below :data:`MATCH_THRESHOLD` is unmatched in that
model (the comparison does not hold there). In each matched model the documents'
proportions of the matched topics are recomputed from that model's ``theta`` and the
differences and adjusted effects are refitted with the same code as the chosen model's
(:func:`~swedish_topics.analysis.score.score_group_inference` or
:func:`~swedish_topics.analysis.groups.t_group_inference`, as ``analysis.interval``
says, and :func:`~swedish_topics.analysis.effects.fit_effects`; sampling variance only, no
posterior draws, to keep the step fast). A comparison *holds* in a model when its
estimate has the same sign and its q-value (Benjamini–Yekutieli over that model's
table) is at most ``analysis.fdr``.

>>> import numpy as np
>>> a = np.array([[0.7, 0.3, 0.0], [0.0, 0.2, 0.8]])
>>> match_same_k(a, a[::-1])[0].tolist()
[1, 0]
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

#: Cosine similarity of topic-word distributions below which a topic is unmatched.
MATCH_THRESHOLD = 0.5

ROBUSTNESS_COLUMNS = (
    "table",
    "topic",
    "{facet}",
    "term",
    "holds_in",
    "holds_seeds",
    "n_seeds",
    "holds_k",
    "n_k",
    "other_estimates",
)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-300)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-300)
    return np.asarray(a @ b.T)


def match_same_k(chosen: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hungarian one-to-one matching: for each chosen topic its other topic and similarity."""
    from scipy.optimize import linear_sum_assignment

    sim = _cosine(chosen, other)
    rows, cols = linear_sum_assignment(-sim)
    match = np.full(chosen.shape[0], -1, dtype=np.int64)
    match[rows] = cols
    return match, sim[np.arange(chosen.shape[0]), match]


def match_split_merge(
    chosen: np.ndarray, other: np.ndarray, other_prevalence: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Across K: a ``K_other × K_chosen`` 0/1 matrix assigning each other topic to the
    chosen topic it resembles most, and each chosen topic's similarity to the
    prevalence-weighted mixture of its assigned topics (0 when none is assigned)."""
    sim = _cosine(other, chosen)
    assign = np.zeros((other.shape[0], chosen.shape[0]))
    assign[np.arange(other.shape[0]), sim.argmax(axis=1)] = 1.0
    mixture = (assign * other_prevalence[:, None]).T @ other
    has = assign.sum(axis=0) > 0
    similarity = np.where(has, np.diag(_cosine(chosen, np.where(has[:, None], mixture, 1.0))), 0.0)
    return assign, similarity


@dataclass(frozen=True)
class OtherModel:
    """One other model of the grid: its K, seed, topic-term and unit proportions."""

    k: int
    seed: int
    topic_term: np.ndarray
    theta: np.ndarray


def mapped_unit_theta(
    chosen_tt: np.ndarray, other: OtherModel, same_k: bool
) -> tuple[np.ndarray, np.ndarray]:
    """The other model's unit proportions in the chosen model's topics, and which chosen
    topics are matched (similarity ≥ :data:`MATCH_THRESHOLD`)."""
    theta = np.asarray(other.theta, dtype=np.float64)
    if same_k:
        match, sim = match_same_k(chosen_tt, other.topic_term)
        return theta[:, match], sim >= MATCH_THRESHOLD
    assign, sim = match_split_merge(chosen_tt, other.topic_term, theta.mean(axis=0))
    return theta @ assign, sim >= MATCH_THRESHOLD


def holds(
    estimate: np.ndarray,
    q_value: np.ndarray,
    other_estimate: np.ndarray,
    other_q: np.ndarray,
    fdr: float,
) -> np.ndarray:
    """Same sign and q ≤ fdr in the other model (False where either is missing)."""
    with np.errstate(invalid="ignore"):
        return (np.sign(estimate) == np.sign(other_estimate)) & (
            np.nan_to_num(other_q, nan=1.0) <= fdr
        )


def holds_text(holds_seeds: int, n_seeds: int, holds_k: int, n_k: int) -> str:
    """``"3/3 seeds, 2/2 neighbouring K"`` (parts without models left out)."""
    parts = []
    if n_seeds:
        parts.append(f"{holds_seeds}/{n_seeds} seeds")
    if n_k:
        parts.append(f"{holds_k}/{n_k} neighbouring K")
    return ", ".join(parts) if parts else "no other model"


def untested_reason(row: Mapping[str, str], value: str) -> str:
    """Why a row of the chosen model's table was not tested (``""`` when it was).

    A row was tested when it has a q-value. Otherwise the reason is read from its
    estimate (``value`` column) and flags: a single document, no other documents, or no
    estimate (more coefficients than documents).
    """
    from swedish_topics.analysis._common import FLAG_NO_REST, FLAG_SINGLE_DOC

    if (row.get("q_value") or "").strip():
        return ""
    flags = set((row.get("flag") or "").split(";"))
    if not (row.get(value) or "").strip():
        if FLAG_NO_REST in flags:
            return "no other documents to compare with"
        return "not estimated (more coefficients than documents)"
    if FLAG_SINGLE_DOC in flags:
        return "single document"
    if FLAG_NO_REST in flags:
        return "no other documents to compare with"
    return "no p-value"


def robustness_counts(
    estimate: float,
    q_value: float,
    others: Sequence[tuple[str, float, float]],
    fdr: float,
    untested: str = "",
) -> dict[str, Any]:
    """``holds_in`` and its counts for one comparison of the chosen model.

    ``others`` lists ``(kind, estimate, q_value)`` per other model (kind ``"seed"`` or
    ``"k"``). An untested comparison (``untested`` gives the reason) says so, with the
    share of other models whose estimate has the same sign, and its counts are empty
    (None): untested is not "failed". Another model in which the comparison has an
    estimate but no q-value could not test it and is left out of the count; an unmatched
    topic (no estimate) counts as not holding. When no other model could test it, the
    row is empty.
    """
    empty = dict.fromkeys(("holds_seeds", "n_seeds", "holds_k", "n_k"))
    if untested:
        finite = [o for _k, o, _q in others if math.isfinite(o)]
        same = sum(math.isfinite(estimate) and np.sign(o) == np.sign(estimate) for o in finite)
        extra = (
            f" (estimate of the same sign in {same} of {len(others)} other models)"
            if math.isfinite(estimate) and others
            else ""
        )
        return {"holds_in": f"not tested: {untested}{extra}", **empty}
    n = {"seed": 0, "k": 0}
    held = {"seed": 0, "k": 0}
    for kind, o_est, o_q in others:
        if math.isfinite(o_est) and not math.isfinite(o_q):
            continue  # the other model could not test it
        n[kind] += 1
        held[kind] += bool(
            holds(np.array(estimate), np.array(q_value), np.array(o_est), np.array(o_q), fdr)
        )
    if others and not n["seed"] + n["k"]:
        return {"holds_in": None, **empty}
    return {
        "holds_in": holds_text(held["seed"], n["seed"], held["k"], n["k"]),
        "holds_seeds": held["seed"] if n["seed"] else None,
        "n_seeds": n["seed"],
        "holds_k": held["k"] if n["k"] else None,
        "n_k": n["k"],
    }


def write_robustness(
    path: str | os.PathLike[str], rows: Sequence[Mapping[str, Any]], facet: str, caption: str
) -> None:
    """``robustness_by_<facet>`` (CSV, .tex, .md)."""
    from swedish_topics import io as sio

    cols = [c.format(facet=facet) for c in ROBUSTNESS_COLUMNS]
    sio.write_table(path, rows, [c for c in cols if c != "other_estimates"], caption)
    sio.write_csv(path, rows, cols)


def other_model_marks(
    path: str | os.PathLike[str], facet: str
) -> dict[tuple[int, str], list[float]]:
    """(topic, group) → the other models' estimates of the adjusted effects, for the
    figure's marks (empty when the table has no such column)."""
    from swedish_topics import io as sio

    out: dict[tuple[int, str], list[float]] = {}
    for row in sio.read_csv(path):
        if row.get("table") != "effects" or row.get("term") != facet:
            continue
        values = [float(v) for v in (row.get("other_estimates") or "").split(";") if v]
        out[(int(row["topic"]), row[facet])] = [v for v in values if math.isfinite(v)]
    return out
