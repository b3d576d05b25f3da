"""Document-topic aggregation and the group statistics users cite.

The model gives topic proportions per *unit* (paragraph or document). This module turns
them into per-document proportions and compares groups of documents (the values of a
metadata facet such as municipality or year):

* :func:`doc_topics`: each document's topic proportions, the token-weighted mean of its
  units' proportions.
* :func:`prevalence_by_group`: per group and topic the mean document proportion with a
  seeded percentile-bootstrap interval that resamples *documents* within the group.
* :func:`differences_by_group`: each group's mean minus the mean of all other documents,
  with an interval from resampling documents independently on both sides.
* :func:`trend`: per topic the ordinary-least-squares slope of document proportion on a
  numeric facet (change in proportion per unit, e.g. per year), with a bootstrap
  interval over documents.

What the intervals mean
-----------------------
Every document counts once, whatever its length; prevalence is the *mean document
proportion*. The intervals describe sampling variation between documents (if these
documents were a sample from a larger population of such documents), not the uncertainty
of the topic model's estimates of each document's proportions. R's ``stm::estimateEffect``
additionally propagates the model's posterior uncertainty by the "method of composition";
the LDA engines used here return point estimates only, so the closest check on model
uncertainty is the stability of topics across seeds (see the model-selection tables).
Intervals are not adjusted for multiple comparisons (K topics × G groups). Percentile
intervals run slightly narrow in small groups: in the simulation of the unit tests
(Dirichlet-distributed proportions), nominal 95% intervals contained the true value
in 92.6% of data sets with 30 documents per group and 88.8% with 10.

Small groups are never shown with false certainty: a group with a single document gets
an interval from resampling that document's units (noted: it reflects variation within
one text, not between documents); a single document with a single unit gets no interval;
groups with fewer than ``min_group_docs`` documents are flagged ``few_docs``.

Random numbers
--------------
Each (purpose, facet, group) gets its own generator, ``PCG64`` seeded with
``SeedSequence([seed, h(purpose), h(facet), h(group)])`` where ``h`` is a stable
(unsalted) BLAKE2b hash of the UTF-8 name. Results therefore do not depend on the order
of the groups, and the same inputs and seed give identical tables on every run.

Examples
--------
>>> import numpy as np
>>> theta = np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]])
>>> doc_topics(theta, ["a", "a", "b"], [30, 10, 5], ["a", "b"]).round(2).tolist()
[[0.8, 0.2], [0.2, 0.8]]
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import numpy as np

from swedish_topics import io as sio
from swedish_topics.errors import CorpusError

logger = logging.getLogger(__name__)

#: Upper bound on the number of cells of one block of the bootstrap count matrix
#: (replicates × documents); replicates are drawn block by block to bound memory.
_BLOCK_CELLS = 4_000_000

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


# --------------------------------------------------------------------------- helpers
@dataclass(frozen=True)
class DocUnits:
    """The units of one document: their topic proportions and token counts.

    Attributes
    ----------
    theta : numpy.ndarray
        ``n_units × K`` topic proportions of the document's units.
    n_tokens : numpy.ndarray
        Number of tokens of each unit (the weights of the token-weighted mean).
    """

    theta: np.ndarray
    n_tokens: np.ndarray


class UnitsByDoc(Sequence[DocUnits]):
    """The units of each document, made on access from shared arrays.

    ``units[i]`` is the :class:`DocUnits` of the ``i``-th document. Nothing is held per
    document but two offsets, so a corpus of a million documents costs 16 MB here, not a
    Python object per document; :meth:`take` selects documents the same way. The
    proportions are kept as given (float32 as stored in the model file: half the memory
    of float64) and each document's are float64 on access, an exact conversion.

    Parameters
    ----------
    theta, n_tokens
        Every unit's proportions (``n_units × K``, float32 or float64) and token count.
    order
        Unit positions grouped by document.
    starts, stops
        The units of document ``i`` are ``order[starts[i]:stops[i]]``.
    """

    def __init__(
        self,
        theta: np.ndarray,
        n_tokens: np.ndarray,
        order: np.ndarray,
        starts: np.ndarray,
        stops: np.ndarray,
    ) -> None:
        self._theta = theta
        self._n_tokens = n_tokens
        self._order = order
        self._starts = starts
        self._stops = stops

    def __len__(self) -> int:
        return len(self._starts)

    @overload
    def __getitem__(self, i: int) -> DocUnits: ...
    @overload
    def __getitem__(self, i: slice) -> list[DocUnits]: ...
    def __getitem__(self, i: int | slice) -> DocUnits | list[DocUnits]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        pos = self._order[self._starts[i] : self._stops[i]]
        theta = self._theta[pos].astype(np.float64, copy=False)
        return DocUnits(theta=theta, n_tokens=self._n_tokens[pos])

    def take(self, positions: np.ndarray | Sequence[int]) -> UnitsByDoc:
        """The documents at ``positions``, in that order (no proportions are copied)."""
        index = np.asarray(positions, dtype=np.int64)
        return UnitsByDoc(
            self._theta, self._n_tokens, self._order, self._starts[index], self._stops[index]
        )

    @property
    def n_topics(self) -> int:
        """K, the number of topic proportions of each unit."""
        return int(self._theta.shape[1])

    def n_units(self) -> int:
        """Total number of units of these documents."""
        return int((self._stops - self._starts).sum())


def _select_units(
    units: Sequence[DocUnits] | None, positions: np.ndarray
) -> Sequence[DocUnits] | None:
    """The units of the documents at ``positions`` (a view for :class:`UnitsByDoc`)."""
    if units is None:
        return None
    if isinstance(units, UnitsByDoc):
        return units.take(positions)
    return [units[i] for i in positions]


def _count_units(units: Sequence[DocUnits] | None) -> int | None:
    if units is None:
        return None
    if isinstance(units, UnitsByDoc):
        return units.n_units()
    return sum(len(u.n_tokens) for u in units)


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


def _resample_counts(rng: np.random.Generator, n: int, n_boot: int) -> Iterator[np.ndarray]:
    """Blocks of a ``n_boot × n`` matrix: how often each item is drawn in each replicate.

    Each replicate draws ``n`` indices uniformly with replacement (an index matrix);
    counting them per replicate lets a replicate's mean be one matrix product. Blocks are
    yielded one at a time, so memory holds one block (at most :data:`_BLOCK_CELLS` cells),
    not the whole matrix.
    """
    block = max(1, min(n_boot, _BLOCK_CELLS // max(n, 1)))
    done = 0
    while done < n_boot:
        b = min(block, n_boot - done)
        idx = rng.integers(0, n, size=(b, n))
        idx += (np.arange(b, dtype=np.int64) * n)[:, None]  # in place: one block in memory
        counts = np.bincount(idx.ravel(), minlength=b * n)
        del idx
        block_counts = counts.reshape(b, n).astype(np.float64)
        del counts
        yield block_counts
        done += b


def bootstrap_means(values: np.ndarray, *, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    """Means of ``values`` (``n × K``) over ``n_boot`` resamples of its rows.

    Returns
    -------
    numpy.ndarray
        ``n_boot × K`` replicate means.
    """
    values = np.asarray(values, dtype=np.float64)
    n = values.shape[0]
    return np.vstack([c @ values for c in _resample_counts(rng, n, n_boot)]) / n


def bootstrap_weighted_means(
    values: np.ndarray, weights: np.ndarray, *, n_boot: int, rng: np.random.Generator
) -> np.ndarray:
    """Weighted means of ``values`` (``n × K``, weights ``n``) over resamples of its rows.

    A replicate whose drawn rows all have weight 0 gives NaN (ignored by the quantiles).
    """
    values = np.asarray(values, dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    n = values.shape[0]
    weighted = values * weights[:, None]
    out = []
    for c in _resample_counts(rng, n, n_boot):
        num = c @ weighted
        den = c @ weights
        with np.errstate(invalid="ignore", divide="ignore"):
            out.append(np.where(den[:, None] > 0, num / den[:, None], np.nan))
    return np.vstack(out)


def percentile_interval(
    replicates: np.ndarray, estimate: np.ndarray, *, ci_level: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile bootstrap interval per column, widened if needed to contain ``estimate``.

    Returns
    -------
    low, high, widened : numpy.ndarray
        Interval bounds and whether a bound had to be moved to the estimate (a percentile
        interval can miss the estimate for strongly skewed replicates; the tables say so).
    """
    alpha = _alpha(ci_level)
    estimate = np.asarray(estimate, dtype=np.float64)
    ok = ~np.isnan(replicates).all(axis=0)
    low = np.full(estimate.shape, np.nan)
    high = np.full(estimate.shape, np.nan)
    if ok.any():
        q = np.nanquantile(replicates[:, ok], [alpha / 2, 1 - alpha / 2], axis=0)
        low[ok], high[ok] = q[0], q[1]
    # Floating-point noise (replicates equal to the estimate up to rounding) is not widening.
    tol = 1e-12 * np.maximum(1.0, np.abs(estimate))
    widened = ok & ((low > estimate + tol) | (high < estimate - tol))
    low = np.where(ok, np.minimum(low, estimate), np.nan)
    high = np.where(ok, np.maximum(high, estimate), np.nan)
    return low, high, widened


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


# ---------------------------------------------------------------------- documents
def _unit_positions(
    unit_doc_ids: Sequence[str], doc_ids: Sequence[str]
) -> tuple[dict[str, int], np.ndarray, np.ndarray]:
    """Where the units of each document are, without a Python object per unit.

    Returns
    -------
    index : dict
        Each distinct document of ``doc_ids`` to its slot (first-seen order).
    order : numpy.ndarray
        Unit positions grouped by slot, ascending within a slot (units of other
        documents left out).
    bounds : numpy.ndarray
        ``len(index) + 1`` offsets: the units of slot ``s`` are
        ``order[bounds[s]:bounds[s + 1]]``.

    Raises
    ------
    CorpusError
        If a document of ``doc_ids`` has no units (see :func:`doc_topics`).
    """
    index = {doc_id: slot for slot, doc_id in enumerate(dict.fromkeys(doc_ids))}
    slot_of = np.fromiter(
        (index.get(doc_id, -1) for doc_id in unit_doc_ids),
        dtype=np.int64,
        count=len(unit_doc_ids),
    )
    unknown = int(np.count_nonzero(slot_of < 0))
    if unknown:
        logger.warning("%d unit(s) belong to documents that are not analysed; ignored", unknown)
    counts = np.bincount(slot_of[slot_of >= 0], minlength=len(index))
    if not counts.all():
        missing = [doc_id for doc_id, slot in index.items() if counts[slot] == 0]
        shown = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise CorpusError(
            f"{len(missing)} document(s) have no units of analysis in preprocess/units.tsv, so "
            f"they have no topic proportions: {shown}. This happens when cleaning removes a "
            "whole text (e.g. it is only page furniture) or the text is empty. Check these "
            "texts, or leave them out of the analysed documents."
        )
    # A stable sort keeps the units of a document in file order; unknown units (-1) first.
    order = np.argsort(slot_of, kind="stable")[unknown:]
    bounds = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return index, order, bounds


def _check_units(theta: np.ndarray, unit_doc_ids: Sequence[str], tokens: np.ndarray) -> None:
    if theta.ndim != 2 or theta.shape[0] != len(unit_doc_ids) or len(tokens) != len(unit_doc_ids):
        raise ValueError(
            f"theta has shape {theta.shape} but there are {len(unit_doc_ids)} unit doc ids and "
            f"{len(tokens)} token counts; they must describe the same units in the same order"
        )


def units_by_doc(
    theta: np.ndarray,
    unit_doc_ids: Sequence[str],
    unit_n_tokens: Sequence[int],
    doc_ids: Sequence[str],
) -> UnitsByDoc:
    """Group the units' proportions and token counts by document, in ``doc_ids`` order.

    ``theta`` is not copied if it is float32 or float64 (see :class:`UnitsByDoc`).

    Raises
    ------
    CorpusError
        If a document of ``doc_ids`` has no units (see :func:`doc_topics`).
    """
    theta = np.asarray(theta)
    if theta.dtype not in (np.float32, np.float64):
        theta = theta.astype(np.float64)
    tokens = np.asarray(unit_n_tokens, dtype=np.float64)
    _check_units(theta, unit_doc_ids, tokens)
    index, order, bounds = _unit_positions(unit_doc_ids, doc_ids)
    slots = np.fromiter((index[doc_id] for doc_id in doc_ids), dtype=np.int64, count=len(doc_ids))
    return UnitsByDoc(theta, tokens, order, bounds[slots], bounds[slots + 1])


def doc_topics(
    theta: np.ndarray,
    unit_doc_ids: Sequence[str],
    unit_n_tokens: Sequence[int],
    doc_ids: Sequence[str],
) -> np.ndarray:
    """Each document's topic proportions: the token-weighted mean of its units' proportions.

    Parameters
    ----------
    theta : numpy.ndarray
        ``n_units × K`` unit topic proportions (rows sum to 1), in ``units.tsv`` order.
    unit_doc_ids : sequence of str
        The document of each unit.
    unit_n_tokens : sequence of int
        Tokens of each unit (after preprocessing); units with 0 tokens get weight 0.
    doc_ids : sequence of str
        Documents to return, in this order.

    Returns
    -------
    numpy.ndarray
        ``n_docs × K`` (float64), rows sum to 1. A document whose units have no tokens
        at all gets the plain mean of its units (logged as a warning).

    Raises
    ------
    CorpusError
        If a document has no units.
    """
    return doc_topics_from_units(units_by_doc(theta, unit_doc_ids, unit_n_tokens, doc_ids), doc_ids)


def doc_topics_from_units(units: UnitsByDoc, doc_ids: Sequence[str]) -> np.ndarray:
    """:func:`doc_topics` from each document's units (:func:`units_by_doc`), in order.

    ``doc_ids`` name the documents of ``units`` (for the warning about documents
    without tokens).
    """
    out = np.empty((len(units), units.n_topics), dtype=np.float64)
    no_tokens = []
    # One document's units at a time: memory holds the result, not a copy of theta.
    for row, (doc_id, du) in enumerate(zip(doc_ids, units, strict=True)):
        total = du.n_tokens.sum()
        if total > 0:
            out[row] = du.n_tokens @ du.theta / total
        else:
            no_tokens.append(doc_id)
            out[row] = du.theta.mean(axis=0)
    if no_tokens:
        logger.warning(
            "%d document(s) have no tokens after preprocessing; their topic proportions are "
            "the plain mean of their units' (uninformative) proportions: %s",
            len(no_tokens),
            ", ".join(no_tokens[:10]),
        )
    _normalise_rows_in_place(out)
    return out


def corpus_prevalence(doc_theta: np.ndarray) -> np.ndarray:
    """Corpus-wide prevalence of each topic: the mean document proportion (length K)."""
    return np.asarray(doc_theta, dtype=np.float64).mean(axis=0)


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


def _unique(items: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(items))


def trend(
    doc_theta: np.ndarray,
    values: Sequence[int | float | str],
    *,
    n_boot: int,
    seed: int,
    ci_level: float,
    facet: str = "value",
    min_docs: int = 10,
) -> list[dict[str, Any]]:
    """Per topic the OLS slope of document proportion on a numeric facet, with an interval.

    The slope is the change in a document's topic proportion per unit of the facet (per
    year for ``year``), fitted with every document weighted equally. The interval is a
    percentile bootstrap over documents (pairs bootstrap: rows resampled with their
    values). Replicates in which all drawn documents share one value are dropped.

    Parameters
    ----------
    doc_theta : numpy.ndarray
        ``n_docs × K`` document proportions.
    values : sequence of int
        The facet value of each document (strings of integers are accepted).
    n_boot, seed, ci_level
        As in :func:`prevalence_by_group`.
    facet : str
        Facet name (seeds the random stream and is used in notes).
    min_docs : int
        With fewer documents the rows are flagged ``few_docs``: a bootstrap of a slope
        from a handful of documents is unreliable.

    Returns
    -------
    list of dict
        One row per topic: ``topic``, ``slope``, ``ci_low``, ``ci_high``,
        ``excludes_zero``, ``mean``, ``n_docs``, ``n_distinct_values``, ``value_min``,
        ``value_max``, ``flag``, ``note``. With fewer than 3 distinct values the slope is
        NaN (``flag`` = ``few_values``): two values only give a difference of two means,
        which the differences table already reports.
    """
    _check_n_boot(n_boot)
    doc_theta = _check_inputs(doc_theta, values, "values")
    try:
        x = np.asarray([float(v) for v in values], dtype=np.float64)
    except ValueError as err:
        raise CorpusError(
            f"The numeric facet {facet!r} has a value that is not a number ({err}). List the "
            "facet under numeric_facets only if every document has an integer value."
        ) from err
    n, k = doc_theta.shape
    mean = doc_theta.mean(axis=0) if n else np.full(k, np.nan)
    n_distinct = len(np.unique(x))
    base = {
        "n_docs": n,
        "n_distinct_values": n_distinct,
        "value_min": _as_number(x.min()) if n else None,
        "value_max": _as_number(x.max()) if n else None,
    }
    if n_distinct < 3:
        note = (
            f"no trend: {facet} has {n_distinct} distinct value(s); a slope needs at least 3 "
            "(with 2 it is only the difference of two means, see the differences table)"
        )
        return [
            {
                "topic": t + 1,
                "slope": math.nan,
                "ci_low": math.nan,
                "ci_high": math.nan,
                "excludes_zero": False,
                "mean": float(mean[t]),
                **base,
                "flag": FLAG_FEW_VALUES,
                "note": note,
            }
            for t in range(k)
        ]
    xc = x - x.mean()
    slope = xc @ doc_theta / (xc @ xc)
    rng = make_rng(seed, "trend", facet)
    reps = []
    for c in _resample_counts(rng, n, n_boot):
        sx = c @ xc
        sxx = c @ (xc * xc) - sx * sx / n
        sy = c @ doc_theta
        sxy = c @ (xc[:, None] * doc_theta) - sx[:, None] * sy / n
        degenerate = sxx <= 1e-12 * max(float(xc @ xc), 1e-300)
        with np.errstate(invalid="ignore", divide="ignore"):
            reps.append(np.where(degenerate[:, None], np.nan, sxy / sxx[:, None]))
    replicates = np.vstack(reps)
    n_dropped = int(np.isnan(replicates[:, 0]).sum())
    low, high, widened = percentile_interval(replicates, slope, ci_level=ci_level)
    dropped_note = (
        f"{n_dropped} of {n_boot} replicates drew a single {facet} value and were dropped"
        if n_dropped
        else ""
    )
    few = (
        f"only {n} documents (fewer than {min_docs}): the interval is unreliable"
        if n < min_docs
        else ""
    )
    rows = []
    for t in range(k):
        lo, hi = float(low[t]), float(high[t])
        flags = ([FLAG_FEW_DOCS] if few else []) + ([FLAG_WIDENED] if widened[t] else [])
        rows.append(
            {
                "topic": t + 1,
                "slope": float(slope[t]),
                "ci_low": lo,
                "ci_high": hi,
                "excludes_zero": excludes_zero(lo, hi),
                "mean": float(mean[t]),
                **base,
                "flag": ";".join(flags),
                "note": _join_notes(
                    few,
                    dropped_note,
                    "interval widened to contain the estimate" if widened[t] else "",
                ),
            }
        )
    return rows


def _as_number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


# ---------------------------------------------------------------------------- tables
def facet_groups(
    metadata_rows: Sequence[Mapping[str, str]], doc_ids: Sequence[str], facet: str
) -> list[str]:
    """The value of ``facet`` for each of ``doc_ids`` (metadata rows keyed by ``doc_id``).

    Raises
    ------
    CorpusError
        If a document has no metadata row or an empty value.
    """
    by_id = {row["doc_id"]: row for row in metadata_rows}
    out = []
    problems = []
    for doc_id in doc_ids:
        row = by_id.get(doc_id)
        value = (row.get(facet) or "").strip() if row is not None else ""
        if not value:
            problems.append(doc_id)
        out.append(value)
    if problems:
        raise CorpusError(
            f"{len(problems)} document(s) have no value for the facet {facet!r} in the "
            f"metadata: {', '.join(problems[:10])}. Fill in the column {facet!r} of "
            "metadata.csv for every document, or remove the facet from 'facets'."
        )
    return out


def _groups_of_docs(
    doc_ids: Sequence[str],
    facet: str,
    metadata_rows: Sequence[Mapping[str, str]] | None,
    groups: Sequence[str] | None,
) -> Sequence[str]:
    """The facet value of each document: ``groups`` as given, or from ``metadata_rows``."""
    if (metadata_rows is None) == (groups is None):
        raise TypeError("give either metadata_rows or the groups of the documents")
    if groups is None:
        assert metadata_rows is not None
        return facet_groups(metadata_rows, doc_ids, facet)
    if len(groups) != len(doc_ids):
        raise ValueError(f"{len(groups)} groups for {len(doc_ids)} documents")
    return groups


def _interval_words(n_boot: int, ci_level: float, seed: int) -> str:
    return f"{ci_level:.0%} percentile bootstrap interval (B = {n_boot} replicates, seed {seed})"


def _small_groups_caption(rows: Sequence[Mapping[str, Any]], facet: str) -> str:
    singles = sorted({r[facet] for r in rows if FLAG_SINGLE_DOC in r["flag"].split(";")})
    few = sorted({r[facet] for r in rows if FLAG_FEW_DOCS in r["flag"].split(";")})
    parts = []
    if singles:
        parts.append(
            f"Single-document groups ({', '.join(group_order(singles))}; flag single_doc): "
            "the interval resamples that document's units and reflects variation within one "
            "document, not between documents."
        )
    if few:
        parts.append(
            f"Groups with few documents ({', '.join(group_order(few))}; flag few_docs): "
            "intervals are unreliable."
        )
    return (" " + " ".join(parts)) if parts else ""


def prevalence_caption(
    rows: Sequence[Mapping[str, Any]], *, facet: str, n_boot: int, ci_level: float, seed: int
) -> str:
    """Caption of a prevalence table: estimator, interval method, B and small groups."""
    return (
        f"Topic prevalence by {facet}: mean topic proportion of the documents in each group, "
        f"with a {_interval_words(n_boot, ci_level, seed)} resampling documents within the "
        "group." + _small_groups_caption(rows, facet) + " Intervals describe variation between "
        "documents, not topic-model uncertainty, and are not adjusted for multiple comparisons."
    )


def differences_caption(
    rows: Sequence[Mapping[str, Any]], *, facet: str, n_boot: int, ci_level: float, seed: int
) -> str:
    """Caption of a differences table."""
    return (
        f"Difference in topic prevalence between each {facet} and the rest of the corpus "
        f"(group mean minus mean of all other documents), with a "
        f"{_interval_words(n_boot, ci_level, seed)} resampling documents independently in "
        "the group and in the rest; excludes_zero marks intervals entirely above or below 0."
        + _small_groups_caption(rows, facet)
        + " Intervals are not adjusted for multiple comparisons."
    )


def trend_caption(*, facet: str, n_boot: int, ci_level: float, seed: int) -> str:
    """Caption of a trend table."""
    return (
        f"Trend of every topic over {facet}: ordinary-least-squares slope of document topic "
        f"proportion on {facet} (change in proportion per 1 {facet}), with a "
        f"{_interval_words(n_boot, ci_level, seed)} resampling documents. A linear trend is a "
        "summary; inspect the prevalence by "
        f"{facet} before reading it as steady change."
    )


def _columns(template: Sequence[str], facet: str) -> list[str]:
    return [c.format(facet=facet) for c in template]


def _write_main_table(
    path: str | os.PathLike[str],
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    caption: str,
    *,
    display_columns: Sequence[str] | None = None,
) -> None:
    """CSV with every column; LaTeX and Markdown (beside it) with ``display_columns``."""
    sio.write_table(path, rows, list(display_columns or columns), caption)
    if display_columns is not None:
        sio.write_csv(path, rows, list(columns))


def _analysis_params(analysis_cfg: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "n_boot": int(analysis_cfg["bootstrap"]),
        "seed": int(analysis_cfg["bootstrap_seed"]),
        "ci_level": float(analysis_cfg["ci_level"]),
    }


def _doc_topic_rows(doc_theta: np.ndarray, doc_ids: Sequence[str]) -> Iterator[dict[str, Any]]:
    """The rows of ``doc_topics`` one at a time (document-major, topics 1..K)."""
    topics = range(1, doc_theta.shape[1] + 1)
    for doc_id, weights in zip(doc_ids, doc_theta, strict=True):
        for topic, weight in zip(topics, weights.tolist(), strict=True):
            yield {"doc_id": doc_id, "topic": topic, "weight": weight}


def write_doc_topics(
    path: str | os.PathLike[str], doc_theta: np.ndarray, doc_ids: Sequence[str]
) -> int:
    """Write ``doc_topics.csv`` (long: doc_id, topic, weight; every document × topic).

    Rows are streamed to the CSV, so memory does not grow with the number of rows. The
    ``.tex`` and ``.md`` beside it hold the table when it has at most
    :data:`swedish_topics.io.MAX_DISPLAY_ROWS` rows (a handful of documents); a longer
    table is data for further analysis, not for a paper, and they hold a note pointing
    to the CSV instead (:func:`swedish_topics.io.write_display_note`).

    Returns
    -------
    int
        The number of rows of the CSV.
    """
    doc_theta = _check_inputs(doc_theta, doc_ids, "doc ids")
    caption = (
        "Topic proportions of every document: the token-weighted mean of the proportions "
        "of its units; each document's proportions sum to 1."
    )
    columns = list(DOC_TOPIC_COLUMNS)
    n_rows = sio.write_csv(path, _doc_topic_rows(doc_theta, doc_ids), columns)
    if n_rows <= sio.MAX_DISPLAY_ROWS:
        rows = list(_doc_topic_rows(doc_theta, doc_ids))
        sio.write_display_copies(path, rows, columns, caption)
    else:
        sio.write_display_note(path, n_rows=n_rows, caption=caption)
    return n_rows


def write_group_tables(
    prevalence_path: str | os.PathLike[str],
    differences_path: str | os.PathLike[str],
    *,
    facet: str,
    doc_theta: np.ndarray,
    doc_ids: Sequence[str],
    metadata_rows: Sequence[Mapping[str, str]] | None = None,
    analysis_cfg: Mapping[str, Any],
    min_group_docs: int,
    unit_theta_by_doc: Sequence[DocUnits] | None = None,
    groups: Sequence[str] | None = None,
) -> None:
    """Write ``prevalence_by_<facet>`` and ``differences_by_<facet>`` (CSV, .tex, .md).

    Each document's group is looked up in ``metadata_rows`` (:func:`facet_groups`), or
    given as ``groups`` (one per document of ``doc_ids``) by a caller that need not keep
    the metadata table in memory while the bootstrap runs.
    """
    groups = _groups_of_docs(doc_ids, facet, metadata_rows, groups)
    params = _analysis_params(analysis_cfg)
    common = {
        **params,
        "min_group_docs": int(min_group_docs),
        "facet": facet,
        "unit_theta_by_doc": unit_theta_by_doc,
    }
    prev = prevalence_by_group(doc_theta, groups, **common)
    cols = _columns(PREVALENCE_COLUMNS, facet)
    _write_main_table(
        prevalence_path,
        prev,
        cols,
        prevalence_caption(prev, facet=facet, **params),
        display_columns=[c for c in cols if c not in ("note", "interval_basis", "n_units")],
    )
    diff = differences_by_group(doc_theta, groups, **common)
    cols = _columns(DIFFERENCE_COLUMNS, facet)
    _write_main_table(
        differences_path,
        diff,
        cols,
        differences_caption(diff, facet=facet, **params),
        display_columns=[c for c in cols if c not in ("note", "interval_basis")],
    )
    small = {FLAG_SINGLE_DOC, FLAG_FEW_DOCS}
    flagged = sorted({r[facet] for r in prev if small & set(r["flag"].split(";"))})
    if flagged:
        logger.warning(
            "%s: groups with few documents (see the flag and note columns): %s",
            facet,
            ", ".join(group_order(flagged)),
        )


def write_trend_table(
    path: str | os.PathLike[str],
    *,
    facet: str,
    doc_theta: np.ndarray,
    doc_ids: Sequence[str],
    metadata_rows: Sequence[Mapping[str, str]] | None = None,
    analysis_cfg: Mapping[str, Any],
    values: Sequence[str] | None = None,
) -> None:
    """Write ``trend_by_<facet>`` (CSV, .tex, .md) for a numeric facet.

    The facet's values come from ``metadata_rows`` or ``values``, as the groups of
    :func:`write_group_tables`.
    """
    values = _groups_of_docs(doc_ids, facet, metadata_rows, values)
    params = _analysis_params(analysis_cfg)
    rows = trend(doc_theta, values, facet=facet, **params)
    if rows and rows[0]["flag"] == FLAG_FEW_VALUES:
        logger.warning("%s: %s", facet, rows[0]["note"])
    _write_main_table(
        path,
        rows,
        TREND_COLUMNS,
        trend_caption(facet=facet, **params),
        display_columns=[c for c in TREND_COLUMNS if c != "note"],
    )


def write_analysis_tables(
    tables_dir: str | os.PathLike[str],
    *,
    theta: np.ndarray,
    unit_doc_ids: Sequence[str],
    unit_n_tokens: Sequence[int],
    doc_ids: Sequence[str],
    metadata_rows: Sequence[Mapping[str, str]],
    facets: Sequence[str],
    numeric_facets: Sequence[str],
    analysis_cfg: Mapping[str, Any],
    min_group_docs: int,
) -> dict[str, Path]:
    """Write every analysis table into ``tables_dir``.

    ``doc_topics.csv``, ``prevalence_by_<facet>.csv`` and ``differences_by_<facet>.csv``
    for every facet, and ``trend_by_<facet>.csv`` for numeric facets; each also as
    ``.tex`` and ``.md``. Documents of ``doc_ids`` without units are left out with a
    warning.

    Returns
    -------
    dict
        Table name (e.g. ``"prevalence_by_year"``) to CSV path.
    """
    out_dir = Path(tables_dir)
    present = set(unit_doc_ids)
    analysed = [d for d in doc_ids if d in present]
    if len(analysed) < len(doc_ids):
        logger.warning(
            "%d document(s) have no units after preprocessing and are left out of the analysis: %s",
            len(doc_ids) - len(analysed),
            ", ".join([d for d in doc_ids if d not in present][:10]),
        )
    units = units_by_doc(theta, unit_doc_ids, unit_n_tokens, analysed)
    doc_theta = doc_topics_from_units(units, analysed)
    paths: dict[str, Path] = {"doc_topics": out_dir / "doc_topics.csv"}
    write_doc_topics(paths["doc_topics"], doc_theta, analysed)
    for facet in facets:
        prev = out_dir / f"prevalence_by_{facet}.csv"
        diff = out_dir / f"differences_by_{facet}.csv"
        write_group_tables(
            prev,
            diff,
            facet=facet,
            doc_theta=doc_theta,
            doc_ids=analysed,
            metadata_rows=metadata_rows,
            analysis_cfg=analysis_cfg,
            min_group_docs=min_group_docs,
            unit_theta_by_doc=units,
        )
        paths[f"prevalence_by_{facet}"] = prev
        paths[f"differences_by_{facet}"] = diff
    for facet in numeric_facets:
        path = out_dir / f"trend_by_{facet}.csv"
        write_trend_table(
            path,
            facet=facet,
            doc_theta=doc_theta,
            doc_ids=analysed,
            metadata_rows=metadata_rows,
            analysis_cfg=analysis_cfg,
        )
        paths[f"trend_by_{facet}"] = path
    return paths
