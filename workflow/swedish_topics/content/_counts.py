"""Expected topic–word counts: how many of a unit's tokens of each word a topic holds.

Every engine writes the same three things: the units' topic proportions θ (units × K),
the topic–term matrix φ (K × V) and the bag of words ``corpus.mm`` (units × V). The
expected number of tokens of word w in unit d that belong to topic k is

    n(d, w) · θ_dk φ_kw / Σ_j θ_dj φ_jw,

the posterior share of topic k in that word given the unit's proportions (what one Gibbs
sweep would assign on average). It is computed from those arrays alone, so gensim and
tomotopy models give the same kind of table. Summed over the units of a group it gives
the group's use of each word *within* a topic, the input of the weighted log-odds.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.io
import scipy.sparse as sp

from swedish_topics.errors import CorpusError

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

# Non-zeros per block when the denominators are computed (block × K float64 twice).
_NNZ_BLOCK = 200_000


def read_bow(path: PathLike, n_terms: int) -> sp.csr_matrix:
    """The bag of words of ``preprocess/corpus.mm`` as a units × terms CSR matrix.

    Raises
    ------
    CorpusError
        If the file names a term beyond the model's vocabulary.
    """
    matrix = scipy.io.mmread(str(path))
    bow = sp.csr_matrix(matrix, dtype=np.float64)
    if bow.shape[1] > n_terms:
        raise CorpusError(
            f"{path}: the bag of words has {bow.shape[1]} terms but the model has "
            f"{n_terms}. The model and corpus.mm come from different preprocessing runs; "
            "rerun the workflow from preprocessing."
        )
    if bow.shape[1] < n_terms:  # trailing terms that occur in no unit
        bow = sp.csr_matrix((bow.data, bow.indices, bow.indptr), shape=(bow.shape[0], n_terms))
    bow.sum_duplicates()
    return bow


@dataclass
class ExpectedCounts:
    """The expected topic–word counts of every unit, one topic at a time.

    Parameters
    ----------
    bow
        Units × V word counts (CSR), rows in the order of ``theta``.
    theta
        Units × K topic proportions (rows sum to 1).
    topic_term
        K × V topic–term probabilities (rows sum to 1).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> bow = sp.csr_matrix(np.array([[2.0, 0.0], [0.0, 1.0]]))
    >>> ec = ExpectedCounts.build(bow, np.array([[0.5, 0.5], [1, 0]]),
    ...                           np.array([[0.5, 0.5], [0.5, 0.5]]))
    >>> ec.topic(0).toarray().tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """

    bow: sp.csr_matrix
    theta: np.ndarray
    topic_term: np.ndarray
    rows: np.ndarray  # row of each non-zero of ``bow``
    share_base: np.ndarray  # n(d, w) / Σ_j θ_dj φ_jw per non-zero

    @classmethod
    def build(cls, bow: sp.csr_matrix, theta: np.ndarray, topic_term: np.ndarray) -> ExpectedCounts:
        """Check shapes and compute the per-non-zero denominators once."""
        bow = sp.csr_matrix(bow, dtype=np.float64)
        theta = np.asarray(theta)
        phi = np.asarray(topic_term, dtype=np.float64)
        if theta.shape[0] != bow.shape[0]:
            raise CorpusError(
                f"the model has topic proportions for {theta.shape[0]} units but corpus.mm "
                f"has {bow.shape[0]}. They come from different runs; rerun the workflow "
                "from preprocessing."
            )
        if theta.shape[1] != phi.shape[0] or phi.shape[1] != bow.shape[1]:
            raise ValueError(f"shapes differ: theta {theta.shape}, topic_term {phi.shape}")
        rows = np.repeat(np.arange(bow.shape[0], dtype=np.int64), np.diff(bow.indptr))
        cols = bow.indices
        base = np.empty(bow.nnz, dtype=np.float64)
        for start in range(0, bow.nnz, _NNZ_BLOCK):
            stop = min(start + _NNZ_BLOCK, bow.nnz)
            r, c = rows[start:stop], cols[start:stop]
            denom = np.einsum("ik,ki->i", theta[r].astype(np.float64), phi[:, c])
            with np.errstate(divide="ignore", invalid="ignore"):
                base[start:stop] = np.where(denom > 0, bow.data[start:stop] / denom, 0.0)
        return cls(bow, theta, phi, rows, base)

    @property
    def n_topics(self) -> int:
        """K."""
        return int(self.topic_term.shape[0])

    def topic(self, k: int) -> sp.csr_matrix:
        """Units × V expected counts of topic ``k`` (0-based)."""
        data = self.share_base * self.theta[self.rows, k] * self.topic_term[k, self.bow.indices]
        return sp.csr_matrix(
            (data, self.bow.indices, self.bow.indptr), shape=self.bow.shape, copy=False
        )


def group_indicator(unit_groups: Sequence[int] | np.ndarray, n_groups: int) -> sp.csr_matrix:
    """Groups × units 0/1 matrix: ``G @ X`` sums the rows of X of each group."""
    idx = np.asarray(unit_groups, dtype=np.int64)
    n = idx.size
    return sp.csr_matrix((np.ones(n), (idx, np.arange(n))), shape=(n_groups, n))
