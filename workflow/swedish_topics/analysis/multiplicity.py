"""Many comparisons at once: q-values and intervals adjusted for selection.

A table of 290 municipalities × 30 topics holds 8,700 intervals; at 5 % hundreds exclude
zero by chance. Every table is one family of comparisons, and a row is ``significant``
when its q-value is at most ``analysis.fdr``. The procedures (:data:`PROCEDURES`,
chosen by ``analysis.multiplicity``; the calibration study in ``studies/calibration``
measured each on the same planted effects):

* :func:`by_qvalues`: Benjamini–Yekutieli (2001), valid under any dependence, at the
  price of the factor ``c(m) = 1 + 1/2 + … + 1/m``.
* :func:`bh_qvalues`: Benjamini–Hochberg (1995), proved under independence and positive
  dependence (the tests of one group's topics are negatively dependent: proportions sum
  to one).
* :func:`bky_qvalues`: the adaptive two-stage procedure of Benjamini, Krieger &
  Yekutieli (2006): BH at ``q/(1+q)`` estimates the number of true nulls, then BH again
  at the level that estimate allows.
* :func:`storey_qvalues`: Storey's q-values, BH scaled by the estimated share of true
  nulls ``π0`` (λ = 1/2, with the finite-sample +1 of Storey, Taylor & Siegmund 2004).
* :func:`hierarchical_qvalues`: Benjamini & Bogomolov (2014), two levels. Each family
  (a topic: all its groups) gets a Simes p-value (:func:`simes_pvalues`, "does any group
  differ in this topic?"); BH across the ``T`` families at ``q`` selects ``R`` of them;
  inside each selected family BH runs at ``q R / T``. With ``within="holm"`` the
  second stage is Holm's procedure at ``q R / T`` instead (the stage-wise testing of
  Heller, Manduchi, Grant & Ewens 2009 and R's ``stageR``, Van den Berge et al. 2017).
  The rejections grow with ``q``, so the q-value of a row, the smallest ``q`` at which
  it is rejected, exists, and ``q_value <= fdr`` is exactly the procedure's call.
* ``"none"``: the p-value itself (no adjustment; what ``stm`` users get).

:func:`select` runs a procedure on a table and gives, beside the q-values and calls, the
level of each selected row's false-coverage-rate interval (Benjamini & Yekutieli 2005),
``1 - R q / m`` with the ``q`` and ``m`` of the step that selected it, so that a
significant row's FCR interval, built from the same test as its p-value, excludes 0.

>>> by_qvalues(np.array([0.001, 0.02, 0.5, np.nan])).round(4).tolist()
[0.0055, 0.055, 0.9167, nan]
>>> p, topic = np.array([0.001, 0.04, 0.5, 0.6]), np.array([0, 0, 1, 1])
>>> hierarchical_qvalues(p, topic).round(4).tolist()
[0.004, 0.08, 0.6, 0.6]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: ``analysis.multiplicity`` values → what they are.
PROCEDURES = {
    "by": "Benjamini–Yekutieli",
    "bh": "Benjamini–Hochberg",
    "bky": "adaptive two-stage Benjamini–Krieger–Yekutieli",
    "storey": "Storey's q-values",
    "hierarchical": "Benjamini–Bogomolov hierarchical (Simes screen per topic, BH within)",
    "stagewise": "stage-wise (Simes screen per topic, Holm within)",
    "none": "no adjustment",
}


#: The procedure when ``analysis.multiplicity`` is not set (the schema's default).
DEFAULT_PROCEDURE = "storey"

#: What the q-value of each procedure is, for captions and methods.md.
QVALUE_WORDS = {
    "by": "Benjamini–Yekutieli adjusted p-value over the whole table (valid under any "
    "dependence between topics)",
    "bh": "Benjamini–Hochberg adjusted p-value over the whole table",
    "bky": "adjusted p-value of the adaptive two-stage Benjamini–Krieger–Yekutieli "
    "procedure over the whole table (it estimates the share of true nulls)",
    "storey": "Storey's q-value over the whole table (Benjamini–Hochberg scaled by the "
    "estimated share of true nulls)",
    "hierarchical": "hierarchical q-value (Benjamini & Bogomolov 2014): each topic is "
    "screened by the Simes test of all its rows, the topics by Benjamini–Hochberg, and the "
    "rows of the selected topics by Benjamini–Hochberg at the level the selection allows",
    "stagewise": "stage-wise q-value: each topic screened by the Simes test of all its "
    "rows, the topics by Benjamini–Hochberg, and the rows of the selected topics by Holm's "
    "procedure at the level the selection allows",
    "none": "the p-value itself (no adjustment for the many comparisons)",
}


#: How methods.md names and cites each procedure.
METHODS_WORDS = {
    "by": "the Benjamini–Yekutieli procedure (Benjamini & Yekutieli 2001), valid under the "
    "negative dependence of proportions that sum to one",
    "bh": "the Benjamini–Hochberg procedure (Benjamini & Hochberg 1995)",
    "bky": "the adaptive two-stage procedure of Benjamini, Krieger & Yekutieli (2006), which "
    "estimates the number of true null hypotheses from a first Benjamini–Hochberg pass at "
    "q/(1 + q)",
    "storey": "Storey's q-values (Storey 2002; λ = 0.5, with the finite-sample correction of "
    "Storey, Taylor & Siegmund 2004)",
    "hierarchical": "the hierarchical procedure of Benjamini & Bogomolov (2014): each topic "
    "is first screened by the Simes test of all its comparisons (does any group differ in "
    "this topic?), the T topics by Benjamini–Hochberg at q, and within each of the R "
    "selected topics the comparisons by Benjamini–Hochberg at q·R/T; the q-value of a "
    "comparison is the smallest q at which it is selected",
    "stagewise": "stage-wise testing (Heller et al. 2009; R's stageR, Van den Berge et al. "
    "2017): each topic is screened by the Simes test of all its comparisons, the T topics "
    "by Benjamini–Hochberg at q, and within each of the R selected topics the comparisons "
    "by Holm's procedure at q·R/T",
    "none": "no procedure (each comparison tested on its own, with no control of false "
    "discoveries)",
}


def methods_sentence(analysis_cfg: Mapping[str, Any]) -> str:
    """The methods.md sentence on multiplicity for ``analysis_cfg``'s procedure."""
    method = procedure(analysis_cfg)
    fdr = float(analysis_cfg.get("fdr", 0.05))
    return (
        " Multiplicity: within every table (all topics × groups) p-values are adjusted by "
        f"{METHODS_WORDS[method]}; a comparison is called significant when q ≤ {fdr:g}, "
        "and the significant ones get false-coverage-rate intervals (Benjamini & Yekutieli "
        "2005) at the level of the step that selected them, so that they exclude 0."
    )


def procedure(analysis_cfg: Mapping[str, Any]) -> str:
    """``analysis.multiplicity`` (the default when absent)."""
    return str(analysis_cfg.get("multiplicity") or DEFAULT_PROCEDURE)


def qvalue_caption(fdr: float, method: str = DEFAULT_PROCEDURE) -> str:
    """The caption sentence on ``q_value`` and ``significant`` of a table."""
    expected = (
        f"i.e. at most {fdr:.0%} of the rows marked significant are expected to be false "
        "discoveries."
        if method != "none"
        else "each row tested on its own, so many of the rows marked significant may be "
        "false discoveries."
    )
    return f" q_value: {QVALUE_WORDS[method]}; significant: q ≤ {fdr:g}, {expected}"


def harmonic(m: int) -> float:
    """``c(m) = 1 + 1/2 + … + 1/m``, the Benjamini–Yekutieli factor (1 for m = 0)."""
    return float(np.sum(1.0 / np.arange(1, m + 1))) if m > 0 else 1.0


def by_qvalues(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Yekutieli q-values of a family of p-values (NaN ones are not tests).

    ``q_(i) = min_{j >= i} min(1, p_(j) m c(m) / j)`` over the ``m`` finite p-values in
    ascending order; NaN stays NaN.
    """
    return _step_up(p_values, by_factor=True)


def bh_qvalues(p_values: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg q-values, ``min_{j >= i} min(1, p_(j) m / j)`` (NaN stays NaN)."""
    return _step_up(p_values, by_factor=False)


def _step_up(p_values: np.ndarray, *, by_factor: bool) -> np.ndarray:
    """The step-up adjusted p-values, with or without the BY factor ``c(m)``."""
    p = np.asarray(p_values, dtype=np.float64)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m == 0:
        return q
    order = ok[np.argsort(p[ok], kind="stable")]
    factor = harmonic(m) if by_factor else 1.0
    raw = p[order] * m * factor / np.arange(1, m + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(raw[::-1])[::-1])
    return q


def holm_pvalues(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values, ``max_{j <= i} min(1, (m - j + 1) p_(j))``."""
    p = np.asarray(p_values, dtype=np.float64)
    q = np.full(p.shape, np.nan)
    ok = np.flatnonzero(np.isfinite(p))
    m = len(ok)
    if m == 0:
        return q
    order = ok[np.argsort(p[ok], kind="stable")]
    raw = p[order] * (m - np.arange(m))
    q[order] = np.minimum(1.0, np.maximum.accumulate(raw))
    return q


def storey_qvalues(p_values: np.ndarray, lam: float = 0.5) -> np.ndarray:
    """Storey's q-values: BH q-values times ``π0 = (#{p > λ} + 1) / (m (1 − λ))`` (≤ 1)."""
    p = np.asarray(p_values, dtype=np.float64)
    finite = p[np.isfinite(p)]
    if finite.size == 0:
        return np.full(p.shape, np.nan)
    pi0 = min(1.0, (float((finite > lam).sum()) + 1.0) / (finite.size * (1.0 - lam)))
    return bh_qvalues(p) * pi0


def simes_pvalues(p_values: np.ndarray, family: np.ndarray) -> dict[object, float]:
    """Simes' p-value of every family, ``min_i p_(i) m / i`` over its finite p-values.

    It tests "every hypothesis of the family is null" and is valid under independence and
    positive dependence (Simes 1986; Sarkar 2008). A family without a finite p-value gets
    none.
    """
    p = np.asarray(p_values, dtype=np.float64)
    fam = np.asarray(family)
    out: dict[object, float] = {}
    for f in _families(fam):
        sel = np.sort(p[(fam == f) & np.isfinite(p)])
        if sel.size:
            out[f] = float(min(1.0, np.min(sel * sel.size / np.arange(1, sel.size + 1))))
    return out


def family_screen(p_values: np.ndarray, family: np.ndarray) -> dict[object, float]:
    """The first stage of the hierarchical procedures: BH q-values of the families'
    Simes p-values (a family is selected at level ``q`` when its value is at most ``q``)."""
    simes = simes_pvalues(p_values, family)
    names = list(simes)
    adjusted = bh_qvalues(np.array([simes[f] for f in names], dtype=np.float64))
    return dict(zip(names, adjusted.tolist(), strict=True))


def _families(fam: np.ndarray) -> list[object]:
    seen: dict[object, None] = {}
    for f in fam.tolist():
        seen.setdefault(f, None)
    return list(seen)


def hierarchical_qvalues(
    p_values: np.ndarray, family: np.ndarray | Sequence[object], *, within: str = "bh"
) -> np.ndarray:
    """Benjamini–Bogomolov (2014) q-values: Simes screen per family, BH across families,
    then BH (``within="bh"``) or Holm (``"holm"``, stage-wise) inside the selected ones.

    At level ``q`` a row is rejected when its family's BH-adjusted Simes p-value is at
    most ``q`` (``R(q)`` of the ``T`` families are) and its within-family adjusted
    p-value is at most ``q R(q) / T``. Both conditions only get easier as ``q`` grows, so
    the row's q-value is the smallest such ``q``:
    ``min over r with a_(r) >= a_f of max(a_(r), w T / r)``, where ``a_(1) <= … <= a_(T)``
    are the families' adjusted Simes p-values, ``a_f`` the row's family's and ``w`` its
    within-family adjusted p-value. NaN p-values stay NaN.
    """
    if within not in ("bh", "holm"):
        raise ValueError(f"within must be 'bh' or 'holm', not {within!r}")
    p = np.asarray(p_values, dtype=np.float64)
    fam = np.asarray(family)
    if fam.shape != p.shape:
        raise ValueError(f"family has shape {fam.shape}, the p-values {p.shape}")
    q = np.full(p.shape, np.nan)
    screen = family_screen(p, fam)
    if not screen:
        return q
    names = list(screen)
    a = np.sort(np.array(list(screen.values())))
    n_fam = len(a)
    ranks = np.arange(1, n_fam + 1)
    adjust = bh_qvalues if within == "bh" else holm_pvalues
    for f in names:
        rows = np.flatnonzero((fam == f) & np.isfinite(p))
        w = adjust(p[rows])
        usable = a >= screen[f] - 1e-15  # the levels at which family f is selected
        cand = np.maximum(a[None, usable], w[:, None] * n_fam / ranks[None, usable])
        q[rows] = np.minimum(1.0, cand.min(axis=1))
    return q


def bky_qvalues(p_values: np.ndarray) -> np.ndarray:
    """q-values of the two-stage adaptive procedure of Benjamini, Krieger & Yekutieli
    (2006, Definition 6).

    At level ``q``: BH at ``q' = q/(1+q)`` rejects ``r1``; none when ``r1 = 0``, all when
    ``r1 = m``, else BH at ``q' m / (m − r1)``. A row with BH q-value ``b`` is rejected
    when ``b <= q' m / (m − r1(q'))``; that grows with ``q``, so its q-value is ``u/(1−u)``
    with ``u = min over r of max(b_(r), b (m − r)/m)`` (``b_(0) = 0``), at most 1.
    """
    p = np.asarray(p_values, dtype=np.float64)
    b = bh_qvalues(p)
    q = np.full(p.shape, np.nan)
    ok = np.isfinite(b)
    m = int(ok.sum())
    if m == 0:
        return q
    levels = np.concatenate([[0.0], np.sort(b[ok])])  # b_(0..m)
    r = np.arange(m + 1)
    u = np.maximum(levels[None, :], b[ok][:, None] * (m - r[None, :]) / m).min(axis=1)
    with np.errstate(divide="ignore"):
        q[ok] = np.minimum(1.0, u / (1.0 - u))
    return q


def adjusted_qvalues(
    p_values: np.ndarray,
    family: np.ndarray | Sequence[object] | None = None,
    *,
    method: str = "by",
) -> np.ndarray:
    """The q-values of ``method`` (a key of :data:`PROCEDURES`) over one table.

    ``family`` (one label per p-value, e.g. the topic) is used by the hierarchical
    procedures and required by them; the flat ones ignore it.
    """
    p = np.asarray(p_values, dtype=np.float64)
    if method in ("hierarchical", "stagewise"):
        if family is None:
            raise ValueError(f"the {method} procedure needs the family (topic) of each test")
        within = "bh" if method == "hierarchical" else "holm"
        return hierarchical_qvalues(p, np.asarray(family), within=within)
    flat = {
        "by": by_qvalues,
        "bh": bh_qvalues,
        "bky": bky_qvalues,
        "storey": storey_qvalues,
        "none": lambda x: np.where(np.isfinite(x), np.minimum(x, 1.0), np.nan),
    }
    if method not in flat:
        raise ValueError(f"analysis.multiplicity is {method!r}; use one of {', '.join(PROCEDURES)}")
    return flat[method](p)


def fcr_level(n_selected: int, n_tests: int, fdr: float) -> float:
    """Coverage level of the Benjamini–Yekutieli false-coverage-rate intervals of
    ``n_selected`` rows selected by BY: ``1 - R q / (m c(m))`` (the ``R = 1`` level when
    nothing is selected). :func:`select` gives the level of every procedure."""
    if n_tests <= 0:
        return 1.0 - fdr
    return 1.0 - max(n_selected, 1) * fdr / (n_tests * harmonic(n_tests))


@dataclass(frozen=True)
class Selection:
    """What a procedure selects in one table: q-values, calls and the FCR level per row.

    ``fcr_alpha`` is ``1 -`` the coverage level of each row's false-coverage-rate interval
    (Benjamini & Yekutieli 2005): ``R_f · α_f / m_f`` for the ``R_f`` rows selected among
    the ``m_f`` tests of the row's family tested at level ``α_f`` (the whole table for the
    flat procedures: ``α = q`` for BH, ``q / c(m)`` for BY, ``q/π0`` for Storey, the
    second stage's level for BKY; ``q R / T`` inside a selected topic for the
    hierarchical ones). Every selected row has ``p <= fcr_alpha``, so its FCR interval,
    built from the same test, excludes 0: the interval never contradicts ``significant``.
    """

    q: np.ndarray
    significant: np.ndarray
    fcr_alpha: np.ndarray


def select(
    p_values: np.ndarray,
    family: np.ndarray | Sequence[object] | None = None,
    *,
    fdr: float,
    method: str = "by",
) -> Selection:
    """Run ``method`` at level ``fdr`` on one table (see :func:`adjusted_qvalues`)."""
    p = np.asarray(p_values, dtype=np.float64)
    q = adjusted_qvalues(p, family, method=method)
    sig = np.nan_to_num(q, nan=1.0) <= fdr
    hier = method in ("hierarchical", "stagewise")
    fam = np.asarray(family) if hier else np.zeros(p.shape, dtype=np.int64)
    tested = np.isfinite(p)
    alpha = np.full(p.shape, np.nan)
    screen = family_screen(p, fam) if hier else {}
    n_fam, r_fam = len(screen), sum(v <= fdr for v in screen.values())
    for f in _families(fam):
        rows = (fam == f) & tested
        m_f, r_f = int(rows.sum()), int((rows & sig).sum())
        if m_f == 0:
            continue
        if method == "none":  # each row on its own: the unadjusted interval
            alpha[rows] = fdr
            continue
        level = fdr * max(r_fam, 1) / n_fam if hier else _flat_level(p[rows], fdr, method)
        alpha[rows] = max(r_f, 1) * level / m_f
    return Selection(q=q, significant=sig, fcr_alpha=alpha)


def _flat_level(p: np.ndarray, fdr: float, method: str) -> float:
    """The level at which a flat procedure's last step runs BH on the ``m`` tests ``p``."""
    m = len(p)
    if method == "by":
        return fdr / harmonic(m)
    if method == "storey":
        return fdr / min(1.0, (float((p > 0.5).sum()) + 1.0) / (m * 0.5))
    if method == "bky":
        first = fdr / (1.0 + fdr)
        r1 = int((bh_qvalues(p) <= first).sum())
        return first if r1 == m else first * m / (m - r1)
    return fdr
