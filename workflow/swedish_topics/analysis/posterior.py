"""Draws from the model's posterior of every document's topic proportions.

A topic model estimates each unit's proportions from a handful of tokens; a short unit's
proportions are uncertain. ``model.npz`` keeps what a posterior needs
(:data:`swedish_topics.lda.POSTERIOR_KEY`): ``unit_topic_counts[u]``, the unit's topic
counts averaged over the last Gibbs states (tomotopy) or the variational
``gamma - alpha`` (gensim). Unit ``u``'s posterior is Dirichlet(alpha +
``unit_topic_counts[u]``), as in ``stm``'s method of composition (Roberts et al. 2016):
a draw of every unit's proportions, aggregated to documents exactly as the point
estimates are (token-weighted mean of the units), is one draw of every document's
proportions. The comparisons compute each estimate once per draw; the spread of these
estimates is the model's share of the uncertainty (:func:`rubin_combine`).

Examples
--------
>>> import numpy as np
>>> from swedish_topics.analysis import units_by_doc
>>> theta = np.array([[0.5, 0.5], [0.5, 0.5]])
>>> units = units_by_doc(theta, ["a", "b"], [4, 400], ["a", "b"])
>>> post = Posterior(alpha=np.array([0.5, 0.5]), counts=np.array([[2.0, 2.0], [200, 200]]))
>>> draws = np.stack(list(doc_theta_draws(units, post, n_draws=200, seed=1)))
>>> bool(draws[:, 0, 0].std() > 5 * draws[:, 1, 0].std())  # 4 tokens vs 400
True
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from swedish_topics.analysis._common import make_rng
from swedish_topics.analysis.aggregation import UnitsByDoc

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Posterior:
    """The Dirichlet posterior of every unit's topic proportions.

    Attributes
    ----------
    alpha : numpy.ndarray
        The K document-topic prior of the model.
    counts : numpy.ndarray
        ``n_units × K`` topic counts (``model.npz``'s ``unit_topic_counts``), in the
        order of the model's ``theta``.
    """

    alpha: np.ndarray
    counts: np.ndarray

    def __post_init__(self) -> None:
        if self.counts.ndim != 2 or self.counts.shape[1] != np.asarray(self.alpha).shape[0]:
            raise ValueError(
                f"unit_topic_counts has shape {self.counts.shape} but alpha has "
                f"{np.asarray(self.alpha).shape[0]} topics"
            )

    def draw_units(self, rng: np.random.Generator) -> np.ndarray:
        """One draw of every unit's proportions (``n_units × K`` float64, rows sum to 1).

        Dirichlet draws as normalised Gamma variates (numpy's own construction),
        vectorised over all units.
        """
        shape = np.asarray(self.counts, dtype=np.float64) + np.asarray(self.alpha)[None, :]
        gamma = rng.standard_gamma(np.maximum(shape, 1e-12))
        sums = gamma.sum(axis=1, keepdims=True)
        # A unit whose Gamma variates all underflow (tiny alpha, no tokens) gets its mean.
        bad = ~(sums[:, 0] > 0)
        if bad.any():
            gamma[bad] = shape[bad]
            sums[bad] = shape[bad].sum(axis=1, keepdims=True)
        out: np.ndarray = gamma / sums
        return out


def aggregation_matrix(units: UnitsByDoc) -> sp.csr_matrix:
    """The sparse ``n_docs × n_units_total`` matrix that turns unit proportions into
    document proportions: row ``d`` holds the token weights of document ``d``'s units
    (summing to 1; equal weights for a document whose units have no tokens), as in
    :func:`~swedish_topics.analysis.doc_topics_from_units`."""
    rows, cols, vals = [], [], []
    for d in range(len(units)):
        pos = units.unit_positions(d)
        w = units.unit_tokens(d)
        total = float(w.sum())
        weights = w / total if total > 0 else np.full(len(pos), 1.0 / len(pos))
        rows.append(np.full(len(pos), d, dtype=np.int64))
        cols.append(pos)
        vals.append(weights)
    n_total = units.n_total_units
    if not rows:
        return sp.csr_matrix((0, n_total))
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(len(units), n_total),
    )


def doc_theta_draws(
    units: UnitsByDoc, posterior: Posterior, *, n_draws: int, seed: int
) -> Iterator[np.ndarray]:
    """``n_draws`` draws of every document's proportions (each ``n_docs × K`` float64).

    Draws are made per unit (:meth:`Posterior.draw_units`) and aggregated to documents
    by :func:`aggregation_matrix`. The generator is seeded by ``seed`` alone, so the same
    model, documents and seed give the same draws.
    """
    if posterior.counts.shape[0] != units.n_total_units:
        raise ValueError(
            f"unit_topic_counts has {posterior.counts.shape[0]} units but the model's theta "
            f"has {units.n_total_units}"
        )
    agg = aggregation_matrix(units)
    rng = make_rng(seed, "posterior")
    for _ in range(n_draws):
        yield np.asarray(agg @ posterior.draw_units(rng))


def rubin_combine(
    within_var: np.ndarray, draw_estimates: np.ndarray | None, df_complete: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Standard error and degrees of freedom from sampling and model uncertainty.

    Rubin's rules for ``M`` draws: total variance ``T = W + (1 + 1/M) B`` with ``W`` the
    sampling variance (between documents) and ``B`` the variance of the estimate across
    posterior draws; degrees of freedom by Barnard & Rubin (1999), which fall back to
    ``df_complete`` when the draws agree (``B = 0``).

    Parameters
    ----------
    within_var : numpy.ndarray
        Sampling variance of each estimate.
    draw_estimates : numpy.ndarray or None
        ``M × ...`` the estimate in every posterior draw; None (no posterior stored): W only.
    df_complete : numpy.ndarray
        Degrees of freedom of the sampling variance alone (broadcast to ``within_var``).

    Returns
    -------
    se, df : numpy.ndarray
    """
    w = np.asarray(within_var, dtype=np.float64)
    nu_com = np.broadcast_to(np.asarray(df_complete, dtype=np.float64), w.shape)
    if draw_estimates is None or len(draw_estimates) < 2:
        return np.sqrt(w), np.array(nu_com, dtype=np.float64)
    m = len(draw_estimates)
    b = np.var(np.asarray(draw_estimates, dtype=np.float64), axis=0, ddof=1)
    total = w + (1.0 + 1.0 / m) * b
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(total > 0, (1.0 + 1.0 / m) * b / total, 0.0)
        nu_old = np.where(lam > 0, (m - 1) / lam**2, np.inf)
        nu_obs = (nu_com + 1.0) / (nu_com + 3.0) * nu_com * (1.0 - lam)
        df = 1.0 / (1.0 / nu_old + 1.0 / nu_obs)
    return np.sqrt(total), np.where(np.isfinite(df), df, nu_com)
