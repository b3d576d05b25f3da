"""From units to documents to groups: each document's topic proportions (token-weighted
mean of its units') and the facet value of each document."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from swedish_topics.analysis._common import _normalise_rows_in_place
from swedish_topics.errors import CorpusError

logger = logging.getLogger(__name__)


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

    def unit_positions(self, i: int) -> np.ndarray:
        """Rows of the model's ``theta`` holding the units of document ``i``."""
        return np.asarray(self._order[self._starts[i] : self._stops[i]], dtype=np.int64)

    def unit_tokens(self, i: int) -> np.ndarray:
        """Token counts of the units of document ``i`` (float64)."""
        return np.asarray(self._n_tokens[self.unit_positions(i)], dtype=np.float64)

    @property
    def n_total_units(self) -> int:
        """Rows of the model's ``theta`` (all units, also those of other documents)."""
        return int(self._theta.shape[0])


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
