"""What the corpus cannot tell: groups too small to compare, and the smallest difference
each facet's comparisons could have detected.

The minimum detectable effect (MDE) of a test at two-sided level α with 80 % power is
``(z_{1-α/2} + z_{0.8}) · SE``. The standard error of each tested group − rest difference
is read back from its interval, ``SE = (ci_high − ci_low) / (2 z_{(1+level)/2})`` (the
score intervals are not symmetric, so this is the average half-width in SE units). Two
levels are reported, and named: the nominal ``α = 1 − ci_level`` (one planned comparison)
and ``α = fdr / m`` with ``m`` the tests of the table, the p-value a lone true difference
needs to be called significant by a Benjamini–Hochberg step-up at the FDR level (the
procedure of the run may ask more or less: the page says which).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

from scipy.stats import norm

from swedish_topics.findings._tables import FacetTables, count, number

POWER = 0.8


@dataclass
class FacetPower:
    """One facet: its groups, which can be compared, and the detectable difference."""

    facet: str
    n_groups: int
    sizes: dict[str, int]
    small: list[str]  # groups under min_group_docs documents
    comparable: list[str]  # groups with ≥ min_group_docs documents and such a rest
    n_tests: int  # rows of the differences table with a p-value
    mde_nominal: float  # median over the tested rows (proportion); NaN when none
    mde_fdr: float
    mde_best: float  # the smallest nominal MDE (the largest, best-measured group)
    alpha_fdr: float


def mde(se: float, alpha: float, power: float = POWER) -> float:
    """``(z_{1-α/2} + z_power) · se``."""
    return float((norm.ppf(1 - alpha / 2) + norm.ppf(power)) * se)


def facet_power(
    facet: FacetTables, *, min_group_docs: int, ci_level: float, fdr: float
) -> FacetPower:
    """Group sizes, comparability and MDEs of one facet from its tables."""
    sizes = facet.group_sizes()
    total = sum(sizes.values())
    small = sorted(g for g, n in sizes.items() if n < min_group_docs)
    comparable = sorted(
        g for g, n in sizes.items() if n >= min_group_docs and total - n >= min_group_docs
    )
    z_level = norm.ppf((1 + ci_level) / 2)
    ses = []
    for row in facet.differences:
        p = number(row.get("p_value"))
        low, high = number(row.get("ci_low")), number(row.get("ci_high"))
        if math.isnan(p) or math.isnan(low) or math.isnan(high):
            continue
        ses.append((high - low) / (2 * z_level))
    m = len(ses)
    alpha_fdr = fdr / m if m else math.nan
    if ses:
        se_med = statistics.median(ses)
        nominal, adjusted = mde(se_med, 1 - ci_level), mde(se_med, alpha_fdr)
        best = mde(min(ses), 1 - ci_level)
    else:
        nominal = adjusted = best = math.nan
    return FacetPower(
        facet.name,
        len(sizes),
        sizes,
        small,
        comparable,
        m,
        nominal,
        adjusted,
        best,
        alpha_fdr,
    )


def effects_note(facet: FacetTables) -> str:
    """Why no adjusted effect was estimated (the tables' note), or ""."""
    rows = facet.effects
    if not rows or any(number(r.get("estimate")) == number(r.get("estimate")) for r in rows):
        return ""
    notes = sorted({r.get("note", "") for r in rows if r.get("note")})
    return notes[0].removeprefix("not estimated: ") if notes else "the model could not be fitted"


def n_estimated(rows: list[dict[str, str]], column: str) -> int:
    """Rows with an estimate and a p-value (tested)."""
    return sum(
        1 for r in rows if not math.isnan(number(r.get("p_value"))) and r.get(column, "") != ""
    )


__all__ = ["FacetPower", "count", "effects_note", "facet_power", "mde", "n_estimated"]
