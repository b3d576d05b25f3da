"""Figures of adjusted effects: each group against the average group, other facets fixed."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from swedish_topics.figures._style import PathLike, _read_table, _styled
from swedish_topics.figures.differences import _forest, _ForestText

logger = logging.getLogger(__name__)


@_styled
def plot_effects(
    effects_csv: PathLike,
    topics_csv: PathLike,
    facet: str,
    out_stem: PathLike,
    *,
    max_groups: int | None = None,
    marks: Mapping[tuple[int, str], Sequence[float]] | None = None,
) -> list[Path]:
    """Forest plot of ``effects_by_<facet>``: the facet's main effects, one panel per group
    (or one panel, ``slope``, for a numeric facet).

    Filled dots are FDR-significant effects (``significant``); the others are hollow and
    grey, so a reader never takes an unadjusted interval that excludes 0 for evidence.
    ``marks`` (topic, group) → the same effect in other models of the grid, drawn as
    small ticks beside the chosen model's dot.
    """
    required = ["topic", facet, "term", "estimate", "ci_low", "ci_high", "n_docs"]
    rows = [
        r for r in _read_table(effects_csv, required, f"effects by {facet}") if r["term"] == facet
    ]
    numeric = bool(rows) and all(r[facet] == "slope" for r in rows)
    spec = _ForestText(
        value="estimate",
        title=(
            f"Trend per {facet},\nother facets held fixed"
            if numeric
            else f"Adjusted effects: each {facet} against the average {facet}, other facets fixed"
        ),
        xlabel=(
            f"change per 1 {facet}\n(percentage points)"
            if numeric
            else "difference to the average group\n(percentage points)"
        ),
        higher="rising" if numeric else "above the average group",
        lower="falling" if numeric else "below the average group",
        dot=(
            "Dot: the regression estimate with its t interval (a sandwich variance from the "
            "documents, and the topic model's posterior); n = documents behind the estimate."
        ),
        rest=False,
        noun=f"trend over {facet}" if numeric else "adjusted effect",
    )
    return _forest(
        rows,
        effects_csv,
        topics_csv,
        facet,
        out_stem,
        max_groups=max_groups,
        spec=spec,
        marks=marks,
    )
