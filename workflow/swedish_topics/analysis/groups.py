"""Per-group prevalence and group − rest differences with their intervals."""

from __future__ import annotations

import logging
import math
from collections.abc import Collection, Sequence
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
    replicates: np.ndarray | None  # None: no interval possible (or none asked for)
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
    resample: bool = True,
) -> _Side:
    """Mean of a set of documents with bootstrap replicates (documents, or units if one);
    of two or more documents without replicates when not ``resample``."""
    n = doc_theta.shape[0]
    mean = doc_theta.mean(axis=0)
    n_units = _count_units(units)
    if n >= 2:
        reps = bootstrap_means(doc_theta, n_boot=n_boot, rng=rng) if resample else None
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
    resampled: bool = True,
) -> _Estimate:
    """The percentile interval of ``replicates``; NaN, with ``no_interval`` if
    ``resampled`` (else the interval is another's: :func:`add_inference_columns`)."""
    if not resampled:
        nan = np.full(estimate.shape, np.nan)
        return _Estimate(
            group, estimate, nan, nan, np.zeros(estimate.shape, bool), flags, note, basis
        )
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
    resample: Collection[str] | None = None,
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
    resample : collection of str, optional
        The groups of two or more documents to bootstrap (default: all); the others get
        NaN intervals, for :func:`add_inference_columns` to fill (see
        :func:`bootstrap_groups`).

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
        wanted = resample is None or group in resample or len(pos) < 2
        side = _side(doc_theta[pos], units, n_boot=n_boot, rng=rng, resample=wanted)
        flags, note = _group_note(side, min_group_docs=min_group_docs, units_given=units_given)
        est = _estimate(
            group,
            side.mean,
            side.replicates,
            ci_level=ci_level,
            flags=flags,
            note=note,
            basis=side.basis,
            resampled=wanted,
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
    resample: Collection[str] | None = None,
) -> list[dict[str, Any]]:
    """Each group's mean proportion minus the mean of all other documents, per topic.

    The interval resamples documents independently within the group and within the rest
    (a two-sample percentile bootstrap). A side with a single document is resampled over
    that document's units, as in :func:`prevalence_by_group`, and the note says so.
    Parameters are those of :func:`prevalence_by_group`; ``resample`` names the groups
    whose group and rest are bootstrapped.

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
        wanted = resample is None or group in resample or min(len(pos), len(rest_pos)) < 2
        g_units = _select_units(unit_theta_by_doc, pos)
        g_side = _side(doc_theta[pos], g_units, n_boot=n_boot, rng=rng, resample=wanted)
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
        r_side = _side(doc_theta[rest_pos], r_units, n_boot=n_boot, rng=rng, resample=wanted)
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
            resampled=wanted,
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


# ------------------------------------------------------- t intervals (both sources)
#: interval_basis of rows whose interval is a t interval from documents and the posterior.
BASIS_T_POSTERIOR = "documents + model posterior (t, Rubin's rules)"
#: interval_basis of rows whose interval is a t interval from documents alone.
BASIS_T = "documents (t)"
#: interval_basis of rows with a score interval from documents and the posterior.
BASIS_SCORE_POSTERIOR = "documents + model posterior (score, Rubin's rules)"
#: interval_basis of rows with a score interval from documents alone.
BASIS_SCORE = "documents (score)"


def _basis(interval: str, posterior: bool) -> str:
    if interval == "score":
        return BASIS_SCORE_POSTERIOR if posterior else BASIS_SCORE
    return BASIS_T_POSTERIOR if posterior else BASIS_T


@dataclass(frozen=True)
class GroupMoments:
    """Per-group means, sampling variances and posterior draws of the means (G × K)."""

    groups: list[str]
    n: np.ndarray
    mean: np.ndarray
    var_mean: np.ndarray
    rest_n: np.ndarray
    rest_mean: np.ndarray
    rest_var_mean: np.ndarray
    draw_mean: np.ndarray | None  # M × G × K
    draw_rest_mean: np.ndarray | None
    #: degrees of freedom of ``var_mean`` (G × K): ``n - 1``, more when moderated
    df: np.ndarray
    #: ``s² / n`` from the group's own variance (``var_mean`` before moderation)
    raw_var_mean: np.ndarray


def group_moments(
    doc_theta: np.ndarray,
    groups: Sequence[str],
    doc_draws: np.ndarray | None = None,
    *,
    moderate: bool = True,
) -> GroupMoments:
    """Means and variances of every group and of its rest, with the draws' means.

    ``var_mean`` is ``s² / n`` (the sampling variance of a mean of ``n`` documents with
    sample variance ``s²``); NaN for a group of one document. With ``moderate`` (the
    default) ``s²`` is the group's moderated variance
    (:func:`~swedish_topics.analysis.moderation.squeeze_variances`: a small group's
    variance pulled towards the topic's typical group variance), with its larger degrees
    of freedom in ``df``.
    """
    from swedish_topics.analysis.moderation import squeeze_variances

    doc_theta = _check_inputs(doc_theta, groups, "group labels")
    positions = _group_positions(groups)
    names = list(positions)
    index = np.empty(len(groups), dtype=np.int64)
    for g, pos in enumerate(positions.values()):
        index[pos] = g
    n_groups, n_all = len(names), doc_theta.shape[0]
    n = np.bincount(index, minlength=n_groups).astype(np.float64)[:, None]

    def sums(x: np.ndarray) -> np.ndarray:
        out = np.zeros((n_groups, x.shape[1]))
        np.add.at(out, index, x)
        return out

    s1, s2 = sums(doc_theta), sums(doc_theta**2)
    t1, t2 = doc_theta.sum(axis=0), (doc_theta**2).sum(axis=0)
    rest_n = n_all - n
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = s1 / n
        s2_group = np.maximum(s2 - n * mean**2, 0.0) / (n - 1)
        df = np.broadcast_to(n - 1.0, s2_group.shape).copy()
        raw_var = s2_group / n
        if moderate:
            s2_group, df, _s0, _d0 = squeeze_variances(s2_group, n[:, 0] - 1.0)
        var = s2_group / n
        rest_mean = (t1 - s1) / rest_n
        rest_var = np.maximum((t2 - s2) - rest_n * rest_mean**2, 0.0) / (rest_n - 1) / rest_n
        draw_mean = draw_rest = None
        if doc_draws is not None and len(doc_draws):
            ds = np.stack([sums(d) for d in doc_draws])
            draw_mean = ds / n[None]
            draw_rest = (np.asarray(doc_draws).sum(axis=1)[:, None, :] - ds) / rest_n[None]
    return GroupMoments(
        names,
        n[:, 0],
        mean,
        var,
        rest_n[:, 0],
        rest_mean,
        rest_var,
        draw_mean,
        draw_rest,
        df,
        raw_var,
    )


def _welch_df(v1: np.ndarray, d1: np.ndarray, v2: np.ndarray, d2: np.ndarray) -> np.ndarray:
    """Welch–Satterthwaite degrees of freedom of a difference of two means, from each
    side's variance of the mean and its degrees of freedom (broadcast to ``v1``)."""
    d1 = np.broadcast_to(d1, v1.shape)
    d2 = np.broadcast_to(d2, v2.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = v1**2 / d1 + v2**2 / d2
        return np.where(den > 0, (v1 + v2) ** 2 / den, d1 + d2)


def t_group_inference(
    moments: GroupMoments, *, ci_level: float
) -> dict[str, dict[str, np.ndarray]]:
    """t intervals (Rubin's rules over the posterior draws) for prevalence and differences.

    Returns
    -------
    dict
        ``{"prevalence": {...}, "differences": {...}}``, each with ``estimate``,
        ``low``, ``high``, ``se``, ``df`` (G × K) and for differences ``p_value``.
        Groups of one document (or a rest of one) get NaN: no between-document variance.
    """
    from swedish_topics.analysis.intervals import t_interval, t_p_value
    from swedish_topics.analysis.posterior import rubin_combine

    m = moments
    se_p, df_p = rubin_combine(m.var_mean, m.draw_mean, m.df)
    low_p, high_p = t_interval(m.mean, se_p, df_p, ci_level=ci_level)
    diff = m.mean - m.rest_mean
    draws = None if m.draw_mean is None else m.draw_mean - m.draw_rest_mean  # type: ignore[operator]
    df_com = _welch_df(m.var_mean, m.df, m.rest_var_mean, (m.rest_n - 1)[:, None])
    se_d, df_d = rubin_combine(m.var_mean + m.rest_var_mean, draws, df_com)
    low_d, high_d = t_interval(diff, se_d, df_d, ci_level=ci_level)
    return {
        "prevalence": {"estimate": m.mean, "low": low_p, "high": high_p, "se": se_p, "df": df_p},
        "differences": {
            "estimate": diff,
            "low": low_d,
            "high": high_d,
            "se": se_d,
            "df": df_d,
            "p_value": t_p_value(diff, se_d, df_d),
        },
    }


def bootstrap_groups(
    moments: GroupMoments, *, interval: str, ci_level: float
) -> tuple[set[str], set[str]] | tuple[None, None]:
    """The groups whose bootstrap interval a prevalence row, and a difference row, keeps.

    :func:`add_inference_columns` gives every row of a group (and rest) of two or more
    documents with a finite standard error the score or t interval; the bootstrap is
    needed only for the other groups, and for all with ``interval="percentile"`` (then
    ``(None, None)``: every group).
    """
    from swedish_topics.analysis.score import score_group_inference

    if interval == "percentile":
        return None, None
    if interval == "score":
        inf = score_group_inference(moments, ci_level=ci_level)
    else:
        inf = t_group_inference(moments, ci_level=ci_level)
    multi = moments.n >= 2
    prevalence, differences = set(), set()
    for g, group in enumerate(moments.groups):
        if not (multi[g] and np.isfinite(inf["prevalence"]["se"][g]).all()):
            prevalence.add(group)
        if not (multi[g] and np.isfinite(inf["differences"]["se"][g]).all()):
            differences.add(group)
    return prevalence, differences


def add_inference_columns(
    prevalence_rows: list[dict[str, Any]],
    difference_rows: list[dict[str, Any]],
    moments: GroupMoments,
    *,
    facet: str,
    ci_level: float,
    fdr: float,
    interval: str = "t",
    multiplicity: str = "by",
) -> None:
    """Add ``p_value``, ``q_value``, ``significant`` and FCR intervals to the two tables.

    With ``interval="t"`` the intervals of groups (and rests) of at least two documents
    become t intervals from both sources of uncertainty (:func:`t_group_inference`);
    single-document groups keep their within-document bootstrap interval and get no
    p-value (a single text says nothing about a population of texts). With
    ``"percentile"`` the bootstrap intervals stay and the p-value is the t test's.

    The q-values (procedure ``multiplicity``, see
    :mod:`~swedish_topics.analysis.multiplicity`; the topic is the family of the
    hierarchical ones) adjust over the differences table: all its rows with a p-value.
    A prevalence row carries the q-value and ``significant`` of its group's difference
    from the rest (the same question a heatmap reader asks). A row without a p-value was
    not tested: its ``significant`` and ``excludes_zero`` are empty (None), not false.
    Rows marked ``significant`` get ``fcr_low``/``fcr_high``, the interval at their
    false-coverage-rate level (:func:`~swedish_topics.analysis.multiplicity.select`),
    which excludes 0.
    """
    from swedish_topics.analysis.intervals import t_interval
    from swedish_topics.analysis.multiplicity import select
    from swedish_topics.analysis.score import score_bounds, score_group_inference

    if interval == "score":
        inf = score_group_inference(moments, ci_level=ci_level)
    else:
        inf = t_group_inference(moments, ci_level=ci_level)
    gi = {g: i for i, g in enumerate(moments.groups)}
    posterior = moments.draw_mean is not None
    basis = _basis(interval, posterior)
    d = inf["differences"]
    p = np.array([d["p_value"][gi[r[facet]], r["topic"] - 1] for r in difference_rows])
    chosen = select(p, [r["topic"] for r in difference_rows], fdr=fdr, method=multiplicity)
    q, sig = chosen.q, chosen.significant
    by_key: dict[tuple[int, str], tuple[float, bool | None]] = {}
    for row, pv, qv, s, a in zip(difference_rows, p, q, sig, chosen.fcr_alpha, strict=True):
        g, t = gi[row[facet]], row["topic"] - 1
        if interval != "percentile" and np.isfinite(d["se"][g, t]) and moments.n[g] >= 2:
            # a difference of proportions lies in [-1, 1]: a wider t interval is clipped
            row["ci_low"] = max(float(d["low"][g, t]), -1.0)
            row["ci_high"] = min(float(d["high"][g, t]), 1.0)
            row["interval_basis"] = basis
            row["flag"] = ";".join(f for f in row["flag"].split(";") if f and f != FLAG_WIDENED)
            row["note"] = row["note"].replace("interval widened to contain the estimate", "")
            row["note"] = row["note"].strip("; ")
            row["excludes_zero"] = excludes_zero(row["ci_low"], row["ci_high"])
        fl, fh = math.nan, math.nan
        if s and interval == "score":
            fl, fh = score_bounds(d, g, t, 1.0 - a)
        elif s:
            tl, th = t_interval(d["estimate"][g, t], d["se"][g, t], d["df"][g, t], ci_level=1 - a)
            fl, fh = float(tl), float(th)
        tested = bool(np.isfinite(pv))  # untested (one document): empty, not false
        if not tested:
            row["excludes_zero"] = None
        row.update(
            p_value=float(pv),
            q_value=float(qv),
            significant=bool(s) if tested else None,
            fcr_low=float(fl) if s else math.nan,
            fcr_high=float(fh) if s else math.nan,
        )
        by_key[(row["topic"], row[facet])] = (float(qv), bool(s) if tested else None)
    pr = inf["prevalence"]
    for row in prevalence_rows:
        g, t = gi[row[facet]], row["topic"] - 1
        if interval != "percentile" and moments.n[g] >= 2 and np.isfinite(pr["se"][g, t]):
            row["ci_low"] = max(float(pr["low"][g, t]), 0.0)  # a proportion lies in [0, 1]
            row["ci_high"] = min(float(pr["high"][g, t]), 1.0)
            row["interval_basis"] = basis
            row["flag"] = ";".join(f for f in row["flag"].split(";") if f and f != FLAG_WIDENED)
            row["note"] = row["note"].replace("interval widened to contain the estimate", "")
            row["note"] = row["note"].strip("; ")
        qv, s = by_key.get((row["topic"], row[facet]), (math.nan, None))
        row.update(q_value=qv, significant=s)


def add_pooled_columns(
    prevalence_rows: list[dict[str, Any]], moments: GroupMoments, *, facet: str, ci_level: float
) -> None:
    """Add ``pooled_mean``, ``pooled_low``, ``pooled_high`` (empirical Bayes, see
    :mod:`~swedish_topics.analysis.pooling`) to the prevalence rows."""
    from scipy import stats

    from swedish_topics.analysis.pooling import pooled_estimates

    m = moments
    n = m.n[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        within = m.var_mean * n  # s² per group (NaN for one document)
        multi = m.n >= 2
        df = np.maximum(m.n - 1, 0)[:, None]
        s2 = np.nansum(np.where(multi[:, None], within * df, 0.0), axis=0) / max(
            float(df[multi].sum()), 1.0
        )
        v = s2[None, :] / n
        if m.draw_mean is not None and len(m.draw_mean) > 1:
            v = v + np.var(m.draw_mean, axis=0, ddof=1)
    pooled, var, _b = pooled_estimates(m.mean, v)
    z = float(stats.norm.ppf(0.5 + ci_level / 2.0))
    gi = {g: i for i, g in enumerate(m.groups)}
    for row in prevalence_rows:
        g, t = gi[row[facet]], row["topic"] - 1
        half = z * float(np.sqrt(var[g, t]))
        row["pooled_mean"] = float(pooled[g, t])
        row["pooled_low"] = max(float(pooled[g, t]) - half, 0.0)
        row["pooled_high"] = min(float(pooled[g, t]) + half, 1.0)
