"""Per-group prevalence and group − rest differences with their intervals."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from swedish_topics.analysis._common import (
    FLAG_FEW_DOCS,
    FLAG_NO_INTERVAL,
    FLAG_NO_REST,
    FLAG_REST_FEW_DOCS,
    FLAG_REST_SINGLE_DOC,
    FLAG_SINGLE_DOC,
    FLAG_WIDENED,
    _check_inputs,
    _check_n_boot,
    _group_positions,
    _join_notes,
    _unique,
    excludes_zero,
    make_rng,
)
from swedish_topics.analysis.aggregation import DocUnits, _count_units, _select_units
from swedish_topics.analysis.intervals import (
    bootstrap_means,
    bootstrap_weighted_means,
    percentile_interval,
)

logger = logging.getLogger(__name__)


# ----------------------------------------------------------------- group statistics
@dataclass(frozen=True)
class _Side:
    """Point estimate and bootstrap replicates of the mean of one set of documents."""

    mean: np.ndarray
    replicates: np.ndarray | None  # None: no interval possible
    basis: str
    n_docs: int
    n_units: int | None
    n_resampled_units: int = 0


def _side(
    doc_theta: np.ndarray,
    units: Sequence[DocUnits] | None,
    *,
    n_boot: int,
    rng: np.random.Generator,
) -> _Side:
    """Mean of a set of documents with bootstrap replicates (documents, or units if one)."""
    n = doc_theta.shape[0]
    mean = doc_theta.mean(axis=0)
    n_units = _count_units(units)
    if n >= 2:
        reps = bootstrap_means(doc_theta, n_boot=n_boot, rng=rng)
        return _Side(mean, reps, "documents", n, n_units)
    if units is None:
        return _Side(mean, None, "none", n, n_units)
    du = units[0]
    # Units with 0 tokens have weight 0 in the document's mean; resampling them would
    # only add replicates without information (or, with one weighted unit, a
    # zero-width interval that looks like certainty).
    keep = du.n_tokens > 0 if du.n_tokens.sum() > 0 else np.ones(len(du.n_tokens), dtype=bool)
    if keep.sum() < 2:
        return _Side(mean, None, "none", n, n_units)
    weights = du.n_tokens[keep] if du.n_tokens.sum() > 0 else np.ones(int(keep.sum()))
    reps = bootstrap_weighted_means(du.theta[keep], weights, n_boot=n_boot, rng=rng)
    return _Side(mean, reps, "units of one document", n, n_units, int(keep.sum()))


def _group_note(side: _Side, *, min_group_docs: int, units_given: bool) -> tuple[list[str], str]:
    """Flags and a plain-language note for one group's interval."""
    if side.n_docs == 1:
        if side.replicates is None:
            if units_given:
                return [FLAG_SINGLE_DOC, FLAG_NO_INTERVAL], (
                    "no interval: a single document with a single unit"
                    + ("" if side.n_units == 1 else " that has tokens")
                )
            return [FLAG_SINGLE_DOC, FLAG_NO_INTERVAL], (
                "no interval: a single document (its units were not supplied)"
            )
        return [FLAG_SINGLE_DOC], (
            f"a single document: the interval resamples its {side.n_resampled_units} units and "
            "reflects "
            "variation within one document, not between documents"
        )
    if side.n_docs < min_group_docs:
        return [FLAG_FEW_DOCS], (
            f"only {side.n_docs} documents (fewer than {min_group_docs}): the interval is "
            "unreliable"
        )
    return [], ""


@dataclass(frozen=True)
class _Estimate:
    """A per-topic estimate of one group with its interval, flags and note."""

    group: str
    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    widened: np.ndarray
    flags: list[str]
    note: str
    basis: str

    def cells(self, t: int) -> dict[str, Any]:
        """Interval, flag and note cells of topic index ``t``."""
        widened = bool(self.widened[t])
        return {
            "ci_low": float(self.low[t]),
            "ci_high": float(self.high[t]),
            "interval_basis": self.basis,
            "flag": ";".join([*self.flags, FLAG_WIDENED] if widened else self.flags),
            "note": _join_notes(
                self.note, "interval widened to contain the estimate" if widened else ""
            ),
        }


def _estimate(
    group: str,
    estimate: np.ndarray,
    replicates: np.ndarray | None,
    *,
    ci_level: float,
    flags: list[str],
    note: str,
    basis: str,
) -> _Estimate:
    if replicates is None:
        nan = np.full(estimate.shape, np.nan)
        no = np.zeros(estimate.shape, dtype=bool)
        if FLAG_NO_INTERVAL not in flags:
            flags = [*flags, FLAG_NO_INTERVAL]
        return _Estimate(group, estimate, nan, nan, no, flags, note, "none")
    low, high, widened = percentile_interval(replicates, estimate, ci_level=ci_level)
    return _Estimate(group, estimate, low, high, widened, flags, note, basis)


def prevalence_by_group(
    doc_theta: np.ndarray,
    groups: Sequence[str],
    *,
    n_boot: int,
    seed: int,
    ci_level: float,
    min_group_docs: int,
    facet: str = "group",
    unit_theta_by_doc: Sequence[DocUnits] | None = None,
) -> list[dict[str, Any]]:
    """Mean document proportion of every topic in every group, with bootstrap intervals.

    Parameters
    ----------
    doc_theta : numpy.ndarray
        ``n_docs × K`` document proportions (from :func:`doc_topics`).
    groups : sequence of str
        The group (facet value) of each document.
    n_boot : int
        Bootstrap replicates.
    seed : int
        Base seed; each group gets its own stream (see the module docstring).
    ci_level : float
        Interval level, e.g. 0.95 (percentile interval).
    min_group_docs : int
        Groups with fewer documents (but more than one) are flagged ``few_docs``.
    facet : str
        Facet name: the column holding the group in the returned rows.
    unit_theta_by_doc : sequence of DocUnits, optional
        Units of each document (from :func:`units_by_doc`), used for single-document
        groups; without it such groups get no interval.

    Returns
    -------
    list of dict
        Rows ``topic`` (1-based), ``<facet>``, ``mean``, ``ci_low``, ``ci_high``,
        ``n_docs``, ``n_units``, ``interval_basis`` ("documents", "units of one
        document" or "none"), ``flag`` and ``note``; topic-major, groups in
        :func:`group_order`. The interval always contains the mean.
    """
    _check_n_boot(n_boot)
    doc_theta = _check_inputs(doc_theta, groups, "group labels")
    units_given = unit_theta_by_doc is not None
    results = []
    for group, pos in _group_positions(groups).items():
        units = _select_units(unit_theta_by_doc, pos)
        rng = make_rng(seed, "prevalence", facet, group)
        side = _side(doc_theta[pos], units, n_boot=n_boot, rng=rng)
        flags, note = _group_note(side, min_group_docs=min_group_docs, units_given=units_given)
        est = _estimate(
            group,
            side.mean,
            side.replicates,
            ci_level=ci_level,
            flags=flags,
            note=note,
            basis=side.basis,
        )
        results.append((est, side))
    return [
        {
            "topic": t + 1,
            facet: est.group,
            "mean": float(est.estimate[t]),
            "n_docs": side.n_docs,
            "n_units": side.n_units,
            **est.cells(t),
        }
        for t in range(doc_theta.shape[1])
        for est, side in results
    ]


_REST_FLAGS = {FLAG_SINGLE_DOC: FLAG_REST_SINGLE_DOC, FLAG_FEW_DOCS: FLAG_REST_FEW_DOCS}


def differences_by_group(
    doc_theta: np.ndarray,
    groups: Sequence[str],
    *,
    n_boot: int,
    seed: int,
    ci_level: float,
    min_group_docs: int,
    facet: str = "group",
    unit_theta_by_doc: Sequence[DocUnits] | None = None,
) -> list[dict[str, Any]]:
    """Each group's mean proportion minus the mean of all other documents, per topic.

    The interval resamples documents independently within the group and within the rest
    (a two-sample percentile bootstrap). A side with a single document is resampled over
    that document's units, as in :func:`prevalence_by_group`, and the note says so.
    Parameters are those of :func:`prevalence_by_group`.

    Returns
    -------
    list of dict
        Rows ``topic``, ``<facet>``, ``group_mean``, ``rest_mean``, ``difference``,
        ``ci_low``, ``ci_high``, ``excludes_zero`` (the interval lies entirely above or
        below 0; False when there is no interval), ``n_docs``, ``n_rest``,
        ``interval_basis``, ``flag``, ``note``.
    """
    _check_n_boot(n_boot)
    doc_theta = _check_inputs(doc_theta, groups, "group labels")
    n, k = doc_theta.shape
    units_given = unit_theta_by_doc is not None
    results: list[tuple[_Estimate, _Side, _Side | None]] = []
    for group, pos in _group_positions(groups).items():
        rest_pos = np.setdiff1d(np.arange(n), pos)
        rng = make_rng(seed, "difference", facet, group)
        g_units = _select_units(unit_theta_by_doc, pos)
        g_side = _side(doc_theta[pos], g_units, n_boot=n_boot, rng=rng)
        flags, note = _group_note(g_side, min_group_docs=min_group_docs, units_given=units_given)
        if len(rest_pos) == 0:
            est = _estimate(
                group,
                np.full(k, np.nan),
                None,
                ci_level=ci_level,
                flags=[FLAG_NO_REST],
                note="no other documents to compare with: every document is in this group",
                basis="none",
            )
            results.append((est, g_side, None))
            continue
        r_units = _select_units(unit_theta_by_doc, rest_pos)
        r_side = _side(doc_theta[rest_pos], r_units, n_boot=n_boot, rng=rng)
        r_flags, r_note = _group_note(
            r_side, min_group_docs=min_group_docs, units_given=units_given
        )
        both = g_side.replicates is not None and r_side.replicates is not None
        est = _estimate(
            group,
            g_side.mean - r_side.mean,
            g_side.replicates - r_side.replicates if both else None,  # type: ignore[operator]
            ci_level=ci_level,
            flags=_unique([*flags, *(_REST_FLAGS.get(f, f) for f in r_flags)]),
            note=_join_notes(note, f"rest of the corpus: {r_note}" if r_note else ""),
            basis=(
                g_side.basis
                if g_side.basis == r_side.basis
                else f"{g_side.basis} (group) / {r_side.basis} (rest)"
            ),
        )
        results.append((est, g_side, r_side))
    rows: list[dict[str, Any]] = []
    for t in range(k):
        for est, group_side, rest_side in results:
            cells = est.cells(t)
            rows.append(
                {
                    "topic": t + 1,
                    facet: est.group,
                    "group_mean": float(group_side.mean[t]),
                    "rest_mean": float(rest_side.mean[t]) if rest_side is not None else math.nan,
                    "difference": float(est.estimate[t]),
                    "excludes_zero": excludes_zero(cells["ci_low"], cells["ci_high"]),
                    "n_docs": group_side.n_docs,
                    "n_rest": rest_side.n_docs if rest_side is not None else 0,
                    **cells,
                }
            )
    return rows
