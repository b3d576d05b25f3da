"""Adjusted effects: every topic's document proportion regressed on all facets at once.

What ``stm::estimateEffect`` does, with the choices spelled out:

* **Model.** Per topic, ordinary least squares of the document proportion on a design
  built from an R-style formula (``analysis.effects.formula``; default: every facet,
  additively). ``a + b`` adds terms, ``a:b`` is an interaction, ``a*b`` means
  ``a + b + a:b``. Facets listed in ``numeric_facets`` and other metadata columns whose
  every value is a number enter linearly (centred); every other column is categorical,
  wrapped as ``C(x)`` to force that.
* **Coding.** Categorical variables in deviation (sum-to-zero) coding, so a group's
  effect reads "this group against the unweighted average of the groups, holding the
  other terms fixed"; the last level's effect is minus the sum of the others, and is
  reported like every other level. A numeric term's effect is its slope (change in
  proportion per unit, e.g. per year); a categorical × numeric interaction gives each
  group's deviation from the average slope, and a categorical × categorical one ``a:b``
  each cell's departure from the sum of its two main effects (row ``a:b=x:y``).
* **Uncertainty.** By default (``analysis.effects.variance: quasi``) a sandwich whose
  meat is each document's variance from the quasi-binomial variance function
  ``φ μ⁰(1 − μ⁰)``, ``μ⁰`` the fit without the facet with the most groups
  (:func:`_quasi_null_variance`): a small group's variance is never taken from its own
  few documents, which was what made "significant" group effects false with 100 groups
  of 3–30 documents in the calibration study; ``n - p`` degrees of freedom. The
  alternative ``hc2`` is the HC2 sandwich (heteroskedasticity-consistent), per group
  moderated towards the typical group variance (:func:`_moderate_residuals`), with
  ``n_g - 1`` (plus the prior's) degrees of freedom for a group's effect. Either is
  combined with the spread of the estimate over posterior draws of the documents'
  proportions by Rubin's rules (:func:`~swedish_topics.analysis.posterior.rubin_combine`).
  With ``quasi`` the null reference is skewed: the estimate's third cumulant under the
  same Beta model (a small group's mean of a minor topic has a long upper tail), the
  Pearson type III tail mapped to t (:func:`~swedish_topics.analysis.score.skew_p_value`);
  with ``hc2`` the t statistic. Intervals invert the same test, so they agree.
* **Multiplicity.** q-values over each table by ``analysis.multiplicity`` (the topic the
  family of the hierarchical procedures), FCR intervals for the significant rows
  (:mod:`~swedish_topics.analysis.multiplicity`).

Examples
--------
>>> [t.label for t in parse_formula("~ municipality * year + C(size)")]
['municipality', 'year', 'municipality:year', 'size']
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from swedish_topics.analysis._common import FLAG_FEW_DOCS, FLAG_NO_INTERVAL, FLAG_SINGLE_DOC
from swedish_topics.analysis._common import group_order as _group_order
from swedish_topics.analysis.multiplicity import procedure, qvalue_caption
from swedish_topics.analysis.score import skew_interval, skew_p_value, third_cumulant
from swedish_topics.errors import ConfigError, CorpusError

logger = logging.getLogger(__name__)

EFFECT_COLUMNS = (
    "topic",
    "{facet}",
    "term",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "q_value",
    "significant",
    "fcr_low",
    "fcr_high",
    "n_docs",
    "flag",
    "note",
    "omnibus_p",
)

_NAME = re.compile(r"^(C\()?([A-Za-z_][A-Za-z0-9_]*)\)?$")
_SPLINE = re.compile(r"^ns\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*,\s*(?:df\s*=\s*)?(\d+)\s*\)$")


@dataclass(frozen=True)
class Term:
    """One term of the formula: a variable or an interaction of variables."""

    variables: tuple[str, ...]
    forced_categorical: frozenset[str] = field(default_factory=frozenset)
    #: ``ns(x, df)``: a natural spline with this many degrees of freedom (0: linear).
    spline_df: int = 0

    @property
    def label(self) -> str:
        """The term as written in the tables (``a``, ``a:b`` or ``ns(a, 3)``)."""
        if self.spline_df:
            return f"ns({self.variables[0]}, {self.spline_df})"
        return ":".join(self.variables)


def parse_formula(formula: str | None, facets: Sequence[str] = ()) -> list[Term]:
    """The terms of an R-style right-hand side (``~`` optional), in formula order.

    ``None`` or an empty formula means every facet, additively.

    Raises
    ------
    ConfigError
        A term that is not a column name, ``C(name)``, ``a:b`` or ``a*b``.
    """
    text = (formula or "").strip()
    if text.startswith("~"):
        text = text[1:].strip()
    if not text:
        return [Term((f,)) for f in facets]
    terms: list[Term] = []
    for chunk in text.split("+"):
        chunk = chunk.strip()
        spline = _SPLINE.match(chunk)
        if spline is not None:
            if int(spline.group(2)) < 1:
                raise ConfigError(
                    f"analysis.effects.formula {formula!r}: {chunk!r} needs at least 1 degree "
                    "of freedom, e.g. ns(year, 3)."
                )
            terms.append(Term((spline.group(1),), spline_df=int(spline.group(2))))
            continue
        if "ns(" in chunk:
            raise ConfigError(
                f"analysis.effects.formula {formula!r}: the term {chunk!r} is not understood. "
                "A natural spline is written ns(column, df), e.g. ns(year, 3), as a term of "
                "its own (not inside an interaction)."
            )
        op = "*" if "*" in chunk else ":"
        parts = [p.strip() for p in chunk.split(op)]
        names, forced = [], set()
        for part in parts:
            m = _NAME.match(part)
            if m is None or (m.group(1) is None) != (not part.endswith(")")):
                raise ConfigError(
                    f"analysis.effects.formula {formula!r}: the term {chunk!r} is not understood. "
                    "Write metadata column names joined by + (terms), : (interaction) or * "
                    "(both and their interaction), e.g. '~ municipality + year' or "
                    "'~ kommungrupp * year'; C(name) treats a numeric column as categorical."
                )
            names.append(m.group(2))
            if m.group(1):
                forced.add(m.group(2))
        expanded = [(n,) for n in names] + [tuple(names)] if op == "*" else [tuple(names)]
        for variables in expanded:
            term = Term(tuple(variables), frozenset(forced & set(variables)))
            if term.label not in {t.label for t in terms}:
                terms.append(term)
    return terms


@dataclass
class _Variable:
    name: str
    categorical: bool
    levels: list[str]
    codes: np.ndarray  # categorical: level index per document; numeric: centred value
    counts: np.ndarray  # documents per level (categorical)


def _variable(
    name: str, values: Sequence[str], *, numeric: bool, forced_categorical: bool
) -> _Variable:
    if numeric and not forced_categorical:
        try:
            x = np.asarray([float(v) for v in values], dtype=np.float64)
        except ValueError as err:
            raise CorpusError(
                f"The metadata column {name!r} is used as a number in the effects model, but "
                f"a value is not a number ({err}). Fix the value in metadata.csv, or write "
                f"C({name}) in analysis.effects.formula to treat it as categorical."
            ) from err
        return _Variable(name, False, [], x - x.mean(), np.array([len(x)]))
    levels = _group_order(list(values))
    index = {lv: i for i, lv in enumerate(levels)}
    codes = np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))
    return _Variable(name, True, levels, codes, np.bincount(codes, minlength=len(levels)))


def _columns_of(var: _Variable) -> np.ndarray:
    """Design columns of one variable (deviation coding: L - 1 columns for L levels)."""
    if not var.categorical:
        return var.codes[:, None]
    n_levels = len(var.levels)
    cols = np.zeros((len(var.codes), max(n_levels - 1, 0)))
    for j in range(n_levels - 1):
        cols[:, j] = (var.codes == j).astype(np.float64)
    if n_levels > 1:
        cols[var.codes == n_levels - 1, :] = -1.0
    return cols


@dataclass
class Design:
    """The design matrix and the contrasts reported from it."""

    x: np.ndarray
    #: One row per reported effect: (term label, variable-of-level or "", level or
    #: "slope", contrast vector over the columns of x, documents behind it).
    contrasts: list[tuple[Term, str, str, np.ndarray, int]]
    variables: dict[str, _Variable]
    #: Each term's columns of ``x``: (term, first, past-the-last).
    spans: list[tuple[Term, int, int]] = field(default_factory=list)


def build_design(
    terms: Sequence[Term],
    columns: Mapping[str, Sequence[str]],
    *,
    numeric: Sequence[str],
) -> Design:
    """Intercept plus every term's columns; the contrasts of every reportable effect.

    Parameters
    ----------
    terms
        From :func:`parse_formula`.
    columns
        Each variable's value per document (metadata strings).
    numeric
        Variables that enter linearly (unless forced categorical with ``C()``).
    """
    forced = set().union(*(t.forced_categorical for t in terms)) if terms else set()
    splined = {t.variables[0] for t in terms if t.spline_df}
    variables = {
        name: _variable(
            name,
            vals,
            numeric=name in numeric or name in splined,
            forced_categorical=name in forced,
        )
        for name, vals in columns.items()
    }
    slopes: dict[str, np.ndarray] = {}  # spline term label → its average-slope weights
    n = len(next(iter(columns.values()))) if columns else 0
    blocks: list[np.ndarray] = [np.ones((n, 1))]
    spans: list[tuple[Term, int, int]] = []
    start = 1
    for term in terms:
        block = np.ones((n, 1))
        if term.spline_df:
            from swedish_topics.analysis.splines import average_slope_contrast, natural_spline_basis

            block, derivative, _knots = natural_spline_basis(
                variables[term.variables[0]].codes, term.spline_df
            )
            slopes[term.label] = average_slope_contrast(derivative)
        for name in () if term.spline_df else term.variables:
            cols = _columns_of(variables[name])
            block = (block[:, :, None] * cols[:, None, :]).reshape(n, -1)
        blocks.append(block)
        spans.append((term, start, start + block.shape[1]))
        start += block.shape[1]
    x = np.hstack(blocks)
    contrasts: list[tuple[Term, str, str, np.ndarray, int]] = []
    for term, lo, hi in spans:
        cats = [variables[v] for v in term.variables if variables[v].categorical]
        if hi == lo:
            continue
        if len(cats) > 1:
            if len(cats) == 2 == len(term.variables):
                contrasts += _interaction_contrasts(term, cats[0], cats[1], lo, hi, x.shape[1])
            continue  # three categorical variables, or two and a slope: fitted, not reported
        if not cats:
            c = np.zeros(x.shape[1])
            if term.label in slopes:  # a spline: its average slope
                c[lo:hi] = slopes[term.label]
            else:
                c[lo] = 1.0
            contrasts.append((term, "", "slope", c, n))
            continue
        var = cats[0]
        for j, level in enumerate(var.levels):
            c = np.zeros(x.shape[1])
            if j < len(var.levels) - 1:
                c[lo + j] = 1.0
            else:
                c[lo:hi] = -1.0
            contrasts.append((term, var.name, level, c, int(var.counts[j])))
    return Design(x, contrasts, variables, spans)


def _deviation(j: int, n_levels: int) -> np.ndarray:
    """Level ``j``'s coefficient as a combination of the ``L - 1`` deviation columns."""
    return np.eye(n_levels - 1)[j] if j < n_levels - 1 else -np.ones(n_levels - 1)


def _interaction_contrasts(
    term: Term, a: _Variable, b: _Variable, lo: int, hi: int, width: int
) -> list[tuple[Term, str, str, np.ndarray, int]]:
    """The contrasts of a categorical × categorical term ``a:b``: for every pair of
    levels its interaction effect in deviation coding (how far the cell departs from
    the sum of its two main effects; the effects of a row or column of cells sum to
    0), labelled ``level_a:level_b`` with the documents in the cell."""
    out = []
    for i, la in enumerate(a.levels):
        for j, lb in enumerate(b.levels):
            c = np.zeros(width)
            c[lo:hi] = np.kron(_deviation(i, len(a.levels)), _deviation(j, len(b.levels)))
            n_cell = int(((a.codes == i) & (b.codes == j)).sum())
            out.append((term, term.label, f"{la}:{lb}", c, n_cell))
    return out


@dataclass(frozen=True)
class EffectEstimates:
    """Per contrast (rows) and topic (columns): estimate, standard error, df."""

    estimate: np.ndarray
    se: np.ndarray
    df: np.ndarray
    #: term label → per topic the p-value of the joint Wald test that every coefficient
    #: of the (categorical) term is 0 (:func:`_omnibus_pvalues`)
    omnibus: dict[str, np.ndarray] = field(default_factory=dict)
    #: skewness of each estimate under the null (quasi-binomial variance only; None:
    #: symmetric), for :func:`~swedish_topics.analysis.score.skew_p_value`
    skew: np.ndarray | None = None


def fit_effects(
    design: Design,
    doc_theta: np.ndarray,
    doc_draws: np.ndarray | None = None,
    *,
    moderate: bool = True,
    variance: str = "quasi",
) -> EffectEstimates:
    """OLS of every topic's proportion on the design; HC2 variance; Rubin's rules.

    ``doc_draws`` (``M × n_docs × K``) adds the model's uncertainty; the estimate is
    the one of the point proportions ``doc_theta``. With ``moderate``, the HC2 squared
    residuals of each group of the categorical variable with the most levels are scaled
    to that group's moderated variance (:func:`_moderate_residuals`).
    """
    from swedish_topics.analysis.posterior import rubin_combine

    x = design.x
    n, p = x.shape
    if n <= p:
        logger.warning(
            "The effects model has %d coefficients but only %d documents: it cannot be "
            "estimated, and the effects tables hold no estimates. Use fewer terms in "
            "analysis.effects.formula, or a larger corpus.",
            p,
            n,
        )
        nan = np.full((len(design.contrasts), doc_theta.shape[1]), np.nan)
        return EffectEstimates(nan, nan, nan)
    xtx_inv = np.linalg.pinv(x.T @ x)
    a = xtx_inv @ x.T  # p × n: beta = a @ y
    lev = np.einsum("ij,ji->i", x, a)
    y = np.asarray(doc_theta, dtype=np.float64)
    beta = a @ y
    resid = y - x @ beta
    # HC2; a document fitted exactly (leverage 1: a group of one) adds no variance.
    ok = lev < 1.0 - 1e-9
    r = np.where(ok[:, None], resid**2 / np.where(ok, 1.0 - lev, 1.0)[:, None], 0.0)
    df_com = np.array(
        [
            max(n_g - 1, 1) if level != "slope" else n - p
            for _t, _v, level, _c, n_g in design.contrasts
        ],
        dtype=np.float64,
    )[:, None] * np.ones((1, y.shape[1]))
    kappa3 = None
    if variance == "quasi":
        r, df_com, kappa3 = _quasi_null_variance(design, y, y - resid, ok, df_com, n - p)
    elif moderate:
        r, df_com = _moderate_residuals(design, r, ok, df_com, n - p)
    cmat = (
        np.vstack([c for *_, c, _n in design.contrasts]) if design.contrasts else np.zeros((0, p))
    )
    la = cmat @ a  # contrasts × n
    estimate = cmat @ beta
    within = (la**2) @ r
    draws = None
    if doc_draws is not None and len(doc_draws):
        draws = np.stack([la @ np.asarray(d, dtype=np.float64) for d in doc_draws])
    se, df = rubin_combine(within, draws, df_com)
    omnibus = _omnibus_pvalues(design, a, beta, r, doc_draws, n - p)
    skew = None
    if kappa3 is not None:  # a small group's mean of a minor topic has a long upper tail
        with np.errstate(invalid="ignore", divide="ignore"):
            skew = np.where(se > 0, ((la**3) @ kappa3) / se**3, 0.0)
    return EffectEstimates(estimate, se, df, omnibus, skew)


def _omnibus_pvalues(
    design: Design,
    a: np.ndarray,
    beta: np.ndarray,
    r: np.ndarray,
    doc_draws: np.ndarray | None,
    df_resid: int,
) -> dict[str, np.ndarray]:
    """Per categorical term and topic: the p-value of the Wald test that all the term's
    coefficients are 0 ("does any group of this facet differ in this topic?").

    The covariance is the same sandwich as the rows' (``r``: the documents' variances),
    plus ``(1 + 1/M)`` times the covariance over posterior draws (Rubin's rules); the
    statistic over its rank ``q`` is referred to F(q, n − p).
    """
    from scipy import stats

    out: dict[str, np.ndarray] = {}
    draws = None if doc_draws is None or len(doc_draws) < 2 else np.asarray(doc_draws)
    for term, lo, hi in design.spans:
        if not all(design.variables[v].categorical for v in term.variables) or hi == lo:
            continue
        rows = a[lo:hi]
        b_draws = None if draws is None else np.einsum("qn,mnk->mqk", rows, draws)
        p = np.full(beta.shape[1], np.nan)
        for k in range(beta.shape[1]):
            cov = (rows * r[:, k]) @ rows.T
            if b_draws is not None:
                cov = cov + (1.0 + 1.0 / len(b_draws)) * np.cov(b_draws[:, :, k].T, ddof=1)
            rank = int(np.linalg.matrix_rank(cov))
            if rank == 0:
                continue
            wald = float(beta[lo:hi, k] @ np.linalg.pinv(cov) @ beta[lo:hi, k])
            p[k] = float(stats.f.sf(wald / rank, rank, max(df_resid, 1)))
        out[term.label] = p
    return out


def _many_level_factor(design: Design) -> _Variable | None:
    """The categorical variable with the most levels (at least 3), or None."""
    cats = [v for v in design.variables.values() if v.categorical and len(v.levels) >= 3]
    return max(cats, key=lambda v: len(v.levels)) if cats else None


def _quasi_null_variance(
    design: Design,
    y: np.ndarray,
    fitted: np.ndarray,
    ok: np.ndarray,
    df_com: np.ndarray,
    df_resid: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each document's variance from the quasi-binomial variance function, taken under
    the null of the factor with the most levels (a score-type sandwich), and its third
    cumulant under the same Beta model
    (:func:`~swedish_topics.analysis.score.third_cumulant` of one document).

    ``Var(θ_dk) = φ_k μ⁰_dk (1 − μ⁰_dk)``: ``μ⁰`` is the fitted proportion of the model
    without that factor's terms (the hypothesis "no group differs", under which its
    groups' effects are tested), ``φ_k`` the dispersion of the full model's residuals
    against its own fitted values. A group's variance is then never taken from its own
    few documents, whose mean and variance are low together when they happen to miss a
    skewed topic. Without such a factor, ``μ⁰`` is the full model's fit. Degrees of
    freedom: the residual ones, ``n - p``.
    """
    var = _many_level_factor(design)
    keep = np.ones(design.x.shape[1], dtype=bool)
    if var is not None:
        for term, lo, hi in design.spans:
            if var.name in term.variables:
                keep[lo:hi] = False
    x0 = design.x[:, keep]
    null_fit = x0 @ (np.linalg.pinv(x0.T @ x0) @ (x0.T @ y)) if var is not None else fitted
    eps = 1e-4
    mu0 = np.clip(null_fit, eps, 1.0 - eps)
    mu = np.clip(fitted, eps, 1.0 - eps)
    resid2 = np.where(ok[:, None], (y - fitted) ** 2, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = resid2.sum(axis=0) / np.where(ok[:, None], mu * (1.0 - mu), 0.0).sum(axis=0)
        phi = phi * len(y) / max(df_resid, 1)  # residual degrees of freedom
    r = np.where(ok[:, None], phi[None, :] * mu0 * (1.0 - mu0), 0.0)
    kappa3 = np.where(ok[:, None], third_cumulant(mu0, phi[None, :], np.ones(1)), 0.0)
    return r, np.full_like(df_com, float(max(df_resid, 1))), kappa3


def _moderate_residuals(
    design: Design, r: np.ndarray, ok: np.ndarray, df_com: np.ndarray, df_resid: int
) -> tuple[np.ndarray, np.ndarray]:
    """HC2 squared residuals ``r`` (n × K) scaled to moderated group variances.

    The groups are the levels of the categorical variable with the most levels (the
    facet with many small groups, where a group's own residuals are too few to estimate
    its variance). A group's variance is the mean of its documents' ``r`` on ``n_g - 1``
    degrees of freedom; :func:`~swedish_topics.analysis.moderation.squeeze_variances`
    pulls it towards the topic's typical group variance, every ``r`` of the group is
    scaled by the ratio, and the contrasts of that variable get the moderated degrees of
    freedom (at most the residual degrees of freedom).
    """
    from swedish_topics.analysis.moderation import squeeze_variances

    var = _many_level_factor(design)
    if var is None:
        return r, df_com
    codes = var.codes
    n_levels = len(var.levels)
    used = np.bincount(codes, weights=ok.astype(np.float64), minlength=n_levels)
    sums = np.zeros((n_levels, r.shape[1]))
    np.add.at(sums, codes, r)
    with np.errstate(invalid="ignore", divide="ignore"):
        s2 = np.where(used[:, None] > 0, sums / used[:, None], np.nan)
    df_g = np.maximum(used - 1.0, 0.0)
    post, post_df, _s0, _d0 = squeeze_variances(s2, df_g)
    has = np.isfinite(post) & (df_g[:, None] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(has & (s2 > 0), post / s2, 1.0)
    fill = np.where(has & ~(s2 > 0), post, 0.0)  # a group whose residuals are all 0
    r = np.where(ok[:, None], r * scale[codes] + fill[codes], 0.0)
    index = {lv: i for i, lv in enumerate(var.levels)}
    df_com = df_com.copy()
    for row, (_t, vname, level, _c, _n) in enumerate(design.contrasts):
        if vname == var.name and level in index and has[index[level]].any():
            g = index[level]
            df_com[row] = np.where(has[g], np.minimum(post_df[g], df_resid), df_com[row])
    return r, df_com


def effect_rows(
    design: Design,
    fit: EffectEstimates,
    *,
    facet: str,
    ci_level: float,
    fdr: float,
    min_group_docs: int,
    multiplicity: str = "by",
) -> list[dict[str, Any]]:
    """The rows of ``effects_by_<facet>``: every contrast whose term involves ``facet``.

    Topic-major; p-values, q-values over the table (procedure ``multiplicity``, the topic
    the family of the hierarchical ones), ``significant`` and FCR intervals for the
    significant rows.
    """
    from swedish_topics.analysis.multiplicity import select

    picked = [(i, c) for i, c in enumerate(design.contrasts) if facet in c[0].variables]
    k = fit.estimate.shape[1]
    cells = []
    for t in range(k):
        for i, (term, var, level, _c, n_g) in picked:
            est, se, df = fit.estimate[i, t], fit.se[i, t], fit.df[i, t]
            if level != "slope" and n_g < 2:  # a single document: no variance
                se = math.nan
            cells.append((t, term, var, level, n_g, est, se, df))
    est, se, df = (np.array([c[j] for c in cells]) for j in range(5, 8))
    if fit.skew is None:
        skew = np.zeros_like(est)
    else:
        skew = np.array([fit.skew[i, t] for t in range(k) for i, _c in picked])
    low, high = skew_interval(est, se, skew, df, alpha=np.full_like(est, 1.0 - ci_level))
    p = skew_p_value(est, se, skew, df)
    chosen = select(p, [c[0] for c in cells], fdr=fdr, method=multiplicity)
    q, sig = chosen.q, chosen.significant
    flow, fhigh = skew_interval(est, se, skew, df, alpha=np.asarray(chosen.fcr_alpha, float))
    rows = []
    for j, (t, term, var, level, n_g, *_rest) in enumerate(cells):
        flags, note = _effect_note(
            term, var, level, n_g, facet, min_group_docs, bool(np.isfinite(est[j]))
        )
        rows.append(
            {
                "topic": t + 1,
                facet: level if var in ("", facet) else f"{var}={level}",
                "term": term.label,
                "estimate": float(est[j]),
                "ci_low": max(float(low[j]), -1.0),  # effects on a proportion: in [-1, 1]
                "ci_high": min(float(high[j]), 1.0),
                "p_value": float(p[j]),
                "q_value": float(q[j]),
                # untested (no p-value: not estimated, or one document): empty, not false
                "significant": bool(sig[j]) if np.isfinite(p[j]) else None,
                "fcr_low": float(flow[j]) if sig[j] else math.nan,
                "fcr_high": float(fhigh[j]) if sig[j] else math.nan,
                "n_docs": n_g,
                "flag": ";".join(flags),
                "note": note,
                "omnibus_p": (
                    float(fit.omnibus[term.label][t]) if term.label in fit.omnibus else math.nan
                ),
            }
        )
    return rows


def _effect_note(
    term: Term, var: str, level: str, n_g: int, facet: str, min_group_docs: int, fitted: bool
) -> tuple[list[str], str]:
    if not fitted:
        return [FLAG_NO_INTERVAL], "not estimated: the model has more coefficients than documents"
    if level == "slope":
        return [], ""
    if n_g < 2:
        return [FLAG_SINGLE_DOC, FLAG_NO_INTERVAL], (
            f"no interval: {var} {level!r} has a single document, fitted exactly by its own "
            "coefficient"
        )
    if n_g < min_group_docs:
        return [FLAG_FEW_DOCS], (
            f"only {n_g} documents (fewer than {min_group_docs}): the interval is unreliable"
        )
    return [], ""


def effects_caption(
    rows: Sequence[Mapping[str, Any]],
    *,
    facet: str,
    terms: Sequence[Term],
    ci_level: float,
    fdr: float,
    posterior: bool,
    variance: str = "quasi",
    multiplicity: str = "by",
) -> str:
    """Caption of an effects table: model, coding, uncertainty and multiplicity."""
    formula = " + ".join(t.label for t in terms)
    sandwich = (
        "a sandwich variance with each document's variance from the quasi-binomial variance "
        "function at the fit without the facet with the most groups"
        if variance == "quasi"
        else "the HC2 sandwich variance"
    )
    sources = (
        f"{sandwich} combined with the topic model's uncertainty about each "
        "document's proportions (posterior draws, Rubin's rules)"
        if posterior
        else f"{sandwich} (the model file keeps no posterior: the topic "
        "model's own uncertainty is not included)"
    )
    return (
        f"Adjusted effects on topic prevalence involving {facet}: per topic, ordinary least "
        f"squares of the document proportion on {formula}. Categorical terms in deviation "
        "coding: a group's estimate is its difference from the unweighted average of the "
        "groups, holding the other terms fixed; a numeric term's estimate is its slope "
        f"(change in proportion per unit). {ci_level:.0%} intervals from {sources}"
        + (
            ", referred to a skewed (Pearson type III) null distribution with the third "
            "moment of the same variance function (a small group's mean of a minor topic "
            "has a long upper tail), mapped to t"
            if variance == "quasi"
            else ", t intervals"
        )
        + "; p_value from the same test."
        + qvalue_caption(fdr, multiplicity)
        + " fcr_low/fcr_high: the significant rows' interval adjusted for the selection "
        "(false coverage rate; it excludes 0). omnibus_p (CSV): per topic, the Wald test "
        "that every coefficient of the row's categorical term is 0 (does any group "
        "differ in this topic?), from the same variance, not adjusted over the topics."
    )


def write_effects_tables(
    paths: Mapping[str, Any],
    *,
    columns: Mapping[str, Sequence[str]],
    numeric: Sequence[str],
    doc_theta: np.ndarray,
    analysis_cfg: Mapping[str, Any],
    min_group_docs: int,
    doc_draws: np.ndarray | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Fit the effects model once and write ``effects_by_<facet>`` for every facet.

    Parameters
    ----------
    paths
        Facet name → CSV path (``.tex`` and ``.md`` are written beside it).
    columns
        Every variable of the formula (facets and covariates) → value per document.
    numeric
        Variables entering linearly.

    Returns
    -------
    dict
        Facet → its rows.
    """
    from swedish_topics import io as sio

    eff_cfg = analysis_cfg.get("effects") or {}
    terms = parse_formula(eff_cfg.get("formula"), list(paths))
    missing = sorted({v for t in terms for v in t.variables} - set(columns))
    if missing:
        raise ConfigError(
            f"analysis.effects.formula names {', '.join(missing)}, which the effects step was "
            "not given. Add them as columns of metadata.csv (and check the spelling)."
        )
    design = build_design(terms, columns, numeric=numeric)
    moderate = bool(analysis_cfg.get("moderate_variances", True))
    variance = str(eff_cfg.get("variance", "quasi"))
    fit = fit_effects(design, doc_theta, doc_draws, moderate=moderate, variance=variance)
    ci_level = float(analysis_cfg["ci_level"])
    fdr = float(analysis_cfg.get("fdr", 0.05))
    multiplicity = procedure(analysis_cfg)
    out = {}
    for facet, path in paths.items():
        rows = effect_rows(
            design,
            fit,
            facet=facet,
            ci_level=ci_level,
            fdr=fdr,
            min_group_docs=min_group_docs,
            multiplicity=multiplicity,
        )
        if not rows:
            logger.warning(
                "analysis.effects.formula has no term with %s: its table is empty", facet
            )
        cols = [c.format(facet=facet) for c in EFFECT_COLUMNS]
        caption = effects_caption(
            rows,
            facet=facet,
            terms=terms,
            ci_level=ci_level,
            fdr=fdr,
            multiplicity=multiplicity,
            posterior=doc_draws is not None,
            variance=variance,
        )
        hidden = ("note", "p_value", "fcr_low", "fcr_high", "omnibus_p")
        shown = [c for c in cols if c not in hidden]
        sio.write_table(path, rows, shown, caption)
        sio.write_csv(path, rows, cols)
        out[facet] = rows
    return out
