"""The findings that hold: rows significant after the FDR adjustment (the tables'
``significant`` column) that also hold in the other models (the robustness tables), and
wording differences that hold across seeds.

Nothing is recomputed: estimates, intervals, q-values and the significance call are
the comparison tables' own; "holds" is read from ``holds_seeds``/``holds_k``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from swedish_topics.findings._tables import FacetTables, Row, count, is_true, number

#: A significant comparison holds when it holds (same sign, q ≤ the FDR level) in more
#: than this share of the other models of the robustness table (other seeds of the chosen
#: K and the neighbouring K together). With no other model it is "not checked".
HOLD_SHARE = 0.5
#: A word difference is listed when its log-odds z is at least this (two-sided 0.1 %:
#: z is descriptive, not adjusted for the many words and groups compared, so the 5 % cut-off
#: of Monroe, Colaresi & Quinn 2008 would list chance words of every topic), it carries no
#: flag (small group, few tokens, not in every seed) and it is among the group's leading
#: words in every other seed.
WORD_Z = 3.29

FINDINGS_COLUMNS = (
    "kind",
    "topic",
    "topic_label",
    "facet",
    "group_or_term",
    "estimate",
    "unit",
    "ci_low",
    "ci_high",
    "fcr_low",
    "fcr_high",
    "q_value",
    "holds_in",
    "n_docs",
    "source_table",
    "source_row",
    "figure",
    "caveat",
)


@dataclass
class Finding:
    """One row of ``findings.csv``."""

    kind: str  # difference | adjusted effect | adjusted trend | wording
    topic: int
    topic_label: str
    facet: str
    group_or_term: str
    estimate: float
    unit: str
    ci_low: float
    ci_high: float
    fcr_low: float
    fcr_high: float
    q_value: float
    holds_in: str
    n_docs: int
    source_table: str
    source_row: int
    figure: str
    caveat: str = ""

    def as_row(self) -> dict[str, Any]:
        return {c: getattr(self, c) for c in FINDINGS_COLUMNS}

    @property
    def size(self) -> float:
        """|estimate|, the ranking key."""
        return abs(self.estimate)


@dataclass
class Tally:
    """Significant rows of the adjusted families: how many hold, fail, were not checked."""

    significant: int = 0
    held: int = 0
    failed: int = 0
    unchecked: int = 0


def _robustness_index(rows: Sequence[Row], facet: str) -> dict[tuple[str, str, str], Row]:
    return {(r["table"], r["topic"], r.get(facet, "")): r for r in rows}


def holds(rob: Row | None) -> bool | None:
    """Whether a row holds in the other models (None: no other model, or not tested)."""
    if rob is None:
        return None
    n_other = count(rob.get("n_seeds")) + count(rob.get("n_k"))
    if n_other == 0 or (rob.get("holds_seeds", "") == "" and rob.get("holds_k", "") == ""):
        return None
    held = count(rob.get("holds_seeds")) + count(rob.get("holds_k"))
    return held > HOLD_SHARE * n_other


def _kind(table: str, facet: FacetTables, group: str) -> tuple[str, str]:
    if table == "differences":
        return "difference", "proportion"
    if facet.numeric and group == "slope":
        return "adjusted trend", f"proportion per {facet.name}"
    return "adjusted effect", "proportion"


def facet_findings(
    facet: FacetTables, labels: Mapping[int, str], warnings: Mapping[int, list[str]]
) -> tuple[list[Finding], Tally]:
    """The significant rows of one facet's differences and effects that hold."""
    index = _robustness_index(facet.robustness, facet.name)
    out: list[Finding] = []
    tally = Tally()
    for table, rows, estimate_col in (
        ("differences", facet.differences, "difference"),
        ("effects", facet.effects, "estimate"),
    ):
        for i, row in enumerate(rows, start=1):
            if not is_true(row.get("significant")):
                continue
            tally.significant += 1
            rob = index.get((table, row["topic"], row.get(facet.name, "")))
            verdict = holds(rob)
            if verdict is None:
                tally.unchecked += 1
                continue
            if not verdict:
                tally.failed += 1
                continue
            tally.held += 1
            topic = int(row["topic"])
            kind, unit = _kind(table, facet, row.get(facet.name, ""))
            figure = f"figures/{table}_by_{facet.name}.png"
            if kind == "adjusted trend":
                figure = f"figures/prevalence_over_{facet.name}.png"
            out.append(
                Finding(
                    kind=kind,
                    topic=topic,
                    topic_label=labels.get(topic, str(topic)),
                    facet=facet.name,
                    group_or_term=row.get(facet.name, ""),
                    estimate=number(row[estimate_col]),
                    unit=unit,
                    ci_low=number(row.get("ci_low")),
                    ci_high=number(row.get("ci_high")),
                    fcr_low=number(row.get("fcr_low")),
                    fcr_high=number(row.get("fcr_high")),
                    q_value=number(row.get("q_value")),
                    holds_in=(rob or {}).get("holds_in", ""),
                    n_docs=count(row.get("n_docs")),
                    source_table=f"tables/{table}_by_{facet.name}.csv",
                    source_row=i,
                    figure=figure,
                    caveat="; ".join(warnings.get(topic, [])),
                )
            )
    return out, tally


def word_findings(facet: FacetTables, labels: Mapping[int, str]) -> list[Finding]:
    """Words a group uses more within a topic, unflagged and held in every other seed."""
    out = []
    for i, row in enumerate(facet.words, start=1):
        n_seeds = count(row.get("n_seeds"))
        if row.get("flag") or n_seeds == 0 or count(row.get("holds_seeds")) < n_seeds:
            continue
        z = number(row.get("z"))
        if not z >= WORD_Z:
            continue
        topic = int(row["topic"])
        out.append(
            Finding(
                kind="wording",
                topic=topic,
                topic_label=labels.get(topic, str(topic)),
                facet=facet.name,
                group_or_term=f"{row[facet.name]}: {row['term']}",
                estimate=z,
                unit="log-odds z",
                ci_low=float("nan"),
                ci_high=float("nan"),
                fcr_low=float("nan"),
                fcr_high=float("nan"),
                q_value=float("nan"),
                holds_in=f"{row['holds_seeds']}/{n_seeds} seeds",
                n_docs=count(row.get("n_docs")),
                source_table=f"tables/topic_terms_by_{facet.name}.csv",
                source_row=i,
                figure=f"figures/topic_words_by_{facet.name}.png",
            )
        )
    return out


def rank(findings: Sequence[Finding]) -> list[Finding]:
    """Largest first; ties in table order (deterministic)."""
    return sorted(findings, key=lambda f: (-f.size, f.source_table, f.source_row))
