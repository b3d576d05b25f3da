"""Figures of differences: each group against the rest of the corpus, with intervals."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.collections import LineCollection
from matplotlib.lines import Line2D

if TYPE_CHECKING:
    from matplotlib.typing import LineStyleType

from swedish_topics.figures import _style
from swedish_topics.figures._style import (
    FLAG_SHORT,
    GREY,
    INTERVAL_CAVEAT,
    LIGHT_GREY,
    NEGATIVE,
    NO_INTERVAL_TEXT,
    POSITIVE,
    WIDENED_TEXT,
    PathLike,
    _basis_footnote,
    _figure_legend,
    _flag_footnote,
    _flag_marks,
    _grid,
    _group_value,
    _has_interval,
    _int,
    _new_figure,
    _num,
    _read_table,
    _share_scale,
    _styled,
    _subplots,
    _truthy,
    _wrap,
    read_topics,
    topic_name,
)
from swedish_topics.figures.prevalence import (
    _Cell,
    _group_label,
    _Groups,
    _read_groups,
    _shown_groups_note,
)

logger = logging.getLogger(__name__)

FDR_CAVEAT = (
    "Filled: significant after the table's multiple-testing adjustment "
    "(analysis.multiplicity; false discovery rate ≤ analysis.fdr); hollow grey rows are "
    "not evidence of a difference. Intervals are not adjusted for the selection (see "
    "fcr_low/fcr_high in the table)."
)


# --------------------------------------------------------------------------- differences
@_styled
def plot_differences(
    diff_csv: PathLike,
    topics_csv: PathLike,
    facet: str,
    out_stem: PathLike,
    *,
    max_groups: int | None = None,
) -> list[Path]:
    """Forest plot per group: each topic's share in the group minus the rest of the corpus.

    One panel per group (shared axes), one row per topic, a dot with its interval, a zero
    line. Intervals that exclude zero are filled (vermillion above, blue below the rest);
    the others are grey and hollow. Flagged groups carry their mark (†, ‡) and what the
    flag means in the panel title; differences without an interval are crosses.

    Parameters
    ----------
    diff_csv
        ``tables/differences_by_<facet>.csv``.
    topics_csv
        ``tables/topics.csv``.
    facet
        The facet column.
    out_stem
        Output path without suffix.
    max_groups
        Draw panels for only this many groups, those with the most documents (in table
        order), and say so in the footnote; None draws every group. Each shown group is
        still compared with all other documents.

    Returns
    -------
    list of Path
        The PDF and PNG written.
    """
    required = ["topic", facet, "difference", "ci_low", "ci_high", "n_docs"]
    rows = _read_table(diff_csv, required, f"differences by {facet}")
    return _forest(
        rows,
        diff_csv,
        topics_csv,
        facet,
        out_stem,
        max_groups=max_groups,
        spec=_ForestText(
            value="difference",
            title=f"Topic prevalence: each {facet} minus the rest of the corpus",
            xlabel="difference to rest of corpus\n(percentage points)",
            higher="higher than the rest",
            lower="lower than the rest",
            dot=(
                "Dot: the mean topic proportion of the group's documents minus that of all "
                "other documents, with its interval; n = documents in the group."
            ),
        ),
    )


@dataclass(frozen=True)
class _ForestText:
    """What a forest figure plots and says (differences or adjusted effects)."""

    value: str
    title: str
    xlabel: str
    higher: str
    lower: str
    dot: str
    rest: bool = True
    #: What one estimate is, in words ("difference", "adjusted effect").
    noun: str = "difference"


def _evidence(row: Mapping[str, str], cell: _Cell) -> tuple[bool, bool]:
    """(drawn as evidence, FDR-based): ``significant`` (q ≤ analysis.fdr) when the table
    has it (empty: the row was not tested, never evidence), else the interval excluding 0
    (tables written before q-values existed)."""
    if "significant" in row:
        return _truthy(row["significant"] or "false"), True
    if "excludes_zero" in row and (row.get("excludes_zero") or "").strip():
        return _truthy(row["excludes_zero"]), False
    return _has_interval(cell.low, cell.high) and (cell.low > 0 or cell.high < 0), False


def _forest_cells(
    rows: list[dict[str, str]], diff_csv: PathLike, facet: str, spec: _ForestText, shown: _Groups
) -> tuple[dict[tuple[int, str], tuple[_Cell, bool]], dict[str, int], bool]:
    """The shown groups' cells (value, interval, whether it is evidence), each group's
    rest size, and whether the evidence is FDR-based."""
    cells: dict[tuple[int, str], tuple[_Cell, bool]] = {}
    n_rest: dict[str, int] = {}
    any_fdr = False
    for line, row in enumerate(rows, start=2):
        if (row.get("n_rest") or "").strip():
            n_rest[row[facet]] = _int(row, "n_rest", diff_csv, line)
        cell = _Cell(
            _num(row, spec.value, diff_csv, line),
            _num(row, "ci_low", diff_csv, line),
            _num(row, "ci_high", diff_csv, line),
        )
        excludes, fdr_based = _evidence(row, cell)
        any_fdr = any_fdr or fdr_based
        if row[facet] in shown.n_docs:
            cells[(_int(row, "topic", diff_csv, line), row[facet])] = (cell, excludes)
    return cells, n_rest, any_fdr


@dataclass
class _PanelMarks:
    """What the panels drew that the legend and footnote must explain."""

    no_interval: bool = False
    weak: bool = False


def _panel_artists(
    cells: Mapping[tuple[int, str], tuple[_Cell, bool]],
    group: str,
    topic_ids: Sequence[int],
    scale: float,
    weak: bool,
    seen: _PanelMarks,
) -> tuple[dict[str, list[Any]], dict[str, list[Any]], dict[str, list[float]], int]:
    """One panel's intervals, dots and crosses (no interval), and how many it draws.

    The panel's intervals become one line collection, its dots one scatter call and its
    crosses another: an artist per topic re-scaled every shared axis each time and was
    drawn one by one (31 panels x 40 topics: 24 s of 50). An interval from one or very
    few documents (``weak``) is no evidence of a group difference, even when it excludes
    zero: it is drawn dashed and hollow, never as a solid finding.
    """
    bars: dict[str, list[Any]] = {"xy": [], "colour": [], "lw": [], "ls": []}
    dots: dict[str, list[Any]] = {"x": [], "y": [], "face": [], "edge": []}
    crosses: dict[str, list[float]] = {"x": [], "y": []}
    drawn = 0
    for i, topic in enumerate(topic_ids):
        entry = cells.get((topic, group))
        if entry is None or not math.isfinite(entry[0].mean):
            continue
        drawn += 1
        cell, excludes = entry
        diff = cell.mean * scale
        style: LineStyleType = "-"
        if excludes:
            colour = POSITIVE if diff > 0 else NEGATIVE
            face = colour
            if weak:
                face, style, seen.weak = "white", (0, (2, 1.5)), True
        else:
            colour, face = GREY, "white"
        if _has_interval(cell.low, cell.high):
            bars["xy"].append([(cell.low * scale, i), (cell.high * scale, i)])
            bars["colour"].append(colour)
            bars["lw"].append(1.6 if excludes else 1.0)
            bars["ls"].append(style)
            for key, value in (("x", diff), ("y", i), ("face", face), ("edge", colour)):
                dots[key].append(value)
        else:
            seen.no_interval = True
            crosses["x"].append(diff)
            crosses["y"].append(i)
    return bars, dots, crosses, drawn


def _draw_panel(
    ax: Any,
    group: str,
    cells: Mapping[tuple[int, str], tuple[_Cell, bool]],
    topic_ids: Sequence[int],
    scale: float,
    weak: bool,
    other: Sequence[tuple[float, int]],
    seen: _PanelMarks,
) -> None:
    """Draw one group's panel: zero line, intervals, dots, other models' ticks."""
    ax.axvline(0, color="black", lw=0.8, zorder=1)
    bars, dots, crosses, drawn = _panel_artists(cells, group, topic_ids, scale, weak, seen)
    if bars["xy"]:
        ax.add_collection(
            LineCollection(
                bars["xy"],
                colors=bars["colour"],
                linewidths=bars["lw"],
                linestyles=bars["ls"],
                capstyle="butt",
                zorder=2,
            )
        )
    if dots["x"]:
        ax.scatter(
            dots["x"],
            dots["y"],
            s=22,
            facecolors=dots["face"],
            edgecolors=dots["edge"],
            linewidths=1.0,
            zorder=3,
        )
    if other:
        ax.scatter(
            [x for x, _ in other],
            [yy for _, yy in other],
            marker="|",
            s=30,
            color="black",
            lw=0.8,
            zorder=2.5,
        )
    if crosses["x"]:
        ax.scatter(crosses["x"], crosses["y"], marker="x", s=20, color="black", lw=0.9, zorder=3)
    if not drawn:
        ax.text(
            0.5,
            0.5,
            "no difference\ncould be estimated",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=GREY,
            fontsize=7,
        )
    ax.grid(axis="x", color=LIGHT_GREY, lw=0.5)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", length=0)


def _panel_title(group: str, groups: _Groups, spec: _ForestText, n_rest: Mapping[str, int]) -> str:
    title = _group_label(group, groups)
    # on its own line: side by side, long names run into the next panel
    if spec.rest and group in n_rest:
        title += f"\nvs rest (n={n_rest[group]})"
    flag_marks = _flag_marks(groups.all_flags())
    flagged = [f"{flag_marks[f]} {FLAG_SHORT.get(f, f)}" for f in groups.flags.get(group, ())]
    if flagged:
        title += "\n" + "; ".join(flagged)
    return title


def _forest_legend(spec: _ForestText, any_fdr: bool, marks: bool, seen: _PanelMarks) -> list[Any]:
    """The legend's handles: what colour, hollow, dashed, ticks and crosses mean."""
    why = "FDR-significant" if any_fdr else "interval excludes 0"
    handles = [
        Line2D([], [], color=POSITIVE, lw=1.6, label=f"{spec.higher} ({why})", marker="o", ms=4.5),
        Line2D([], [], color=NEGATIVE, lw=1.6, label=f"{spec.lower} ({why})", marker="o", ms=4.5),
        Line2D(
            [],
            [],
            color=GREY,
            mfc="white",
            lw=1.0,
            label="not FDR-significant or not tested: no evidence"
            if any_fdr
            else "interval includes 0",
            marker="o",
            ms=4.5,
        ),
    ]
    if marks:
        handles.append(
            Line2D(
                [], [], ls="", marker="|", ms=6, color="black", label="same effect in other models"
            )
        )
    if seen.weak:
        handles.append(
            Line2D(
                [],
                [],
                color=GREY,
                mfc="white",
                lw=1.4,
                ls=(0, (2, 1.5)),
                label="excludes 0, but from one or few documents: not evidence",
                marker="o",
                ms=4.5,
            )
        )
    if seen.no_interval:
        handles.append(
            Line2D([], [], ls="", marker="x", ms=4.5, color="black", label="no interval")
        )
    return handles


def _forest(
    rows: list[dict[str, str]],
    diff_csv: PathLike,
    topics_csv: PathLike,
    facet: str,
    out_stem: PathLike,
    *,
    max_groups: int | None,
    spec: _ForestText,
    marks: Mapping[tuple[int, str], Sequence[float]] | None = None,
) -> list[Path]:
    """One panel per group, one row per topic: value, interval, zero line (see
    :func:`plot_differences`); ``marks`` adds small ticks (other models' estimates)."""
    topics = read_topics(topics_csv)
    all_groups, topic_ids = _read_groups(rows, diff_csv, facet)
    groups = all_groups.largest(max_groups)
    cells, n_rest, any_fdr = _forest_cells(rows, diff_csv, facet, spec, groups)
    if not any(math.isfinite(c.mean) for c, _e in cells.values()):
        return _style.save_notice(out_stem, spec.title, _nothing_estimated(rows, diff_csv, spec))
    page = _page_selection(cells, groups, topic_ids, facet, diff_csv)
    groups, topic_ids = page.groups, page.topic_ids
    scale = _share_scale(
        [abs(c.low) for c, _ in cells.values()] + [abs(c.high) for c, _ in cells.values()]
    )
    n_topics, n_groups = len(topic_ids), len(groups.order)
    nrows, ncols = _grid(n_groups, 4 if n_topics <= 15 else 6)
    two_line = n_topics <= 15
    panel_h = 0.8 + (0.32 if two_line else 0.18) * n_topics
    fig, panel = _new_figure(2.6 + 2.0 * ncols, panel_h * nrows + 0.5)
    axes = _subplots(panel, n_groups, ncols, sharex=True, sharey=True)
    seen = _PanelMarks()
    for ax, group in zip(axes, groups.order, strict=True):
        other = [
            (v * scale, i)
            for i, topic in enumerate(topic_ids)
            for v in (marks or {}).get((topic, group), ())
            if math.isfinite(v)
        ]
        weak = bool(groups.flags.get(group))
        _draw_panel(ax, group, cells, topic_ids, scale, weak, other, seen)
        ax.set_title(_panel_title(group, groups, spec, n_rest), loc="left")
    names = [
        _wrap(topic_name(t, topics, 64), 32) if two_line else topic_name(t, topics, 32)
        for t in topic_ids
    ]
    axes[0].set_yticks(np.arange(n_topics), names)
    axes[0].set_ylim(n_topics - 0.5, -0.5)
    clipped = _set_xlim(axes[0], cells, groups.flags, scale)
    for ax in axes[-ncols:]:
        ax.set_xlabel(spec.xlabel)
    drew_marks = any(v for v in (marks or {}).values())
    _figure_legend(fig, panel, _forest_legend(spec, any_fdr, drew_marks, seen))
    panel.suptitle(
        _style.wrap_title(spec.title, fig.get_size_inches()[0]),
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    notes = [
        spec.dot,
        page.note or _shown_groups_note(all_groups, groups, facet, diff_csv),
        _basis_footnote({_group_value(g): b for g, b in groups.basis.items()}),
        FDR_CAVEAT if any_fdr else INTERVAL_CAVEAT,
        _flag_footnote(groups.all_flags()),
        f"{WIDENED_TEXT}." if groups.widened else "",
        f"×: {NO_INTERVAL_TEXT}." if seen.no_interval else "",
        "Intervals of flagged groups run past the axis where cut off." if clipped else "",
    ]
    return _style._save(fig, out_stem, footnote=" ".join(n for n in notes if n))


#: Most estimates a forest figure draws (groups × topics): past it, a page shows the
#: topics and groups with the most significant estimates and says how many are left out.
MAX_PAGE_ESTIMATES = 100
#: Most topics (rows) and groups (panels) of such a page: 6 panels of 12 topics fill a
#: printed page (about 8.6 × 11 inches) with 7-point labels.
MAX_PAGE_TOPICS = 12
MAX_PAGE_GROUPS = 6


@dataclass(frozen=True)
class _Page:
    """The groups and topics a forest figure draws, and the footnote that says so."""

    groups: _Groups
    topic_ids: list[int]
    note: str = ""


def _ranked(keys: Sequence[Any], score: Mapping[Any, tuple[int, float]], most: int) -> list[Any]:
    """The ``most`` keys with the most evidence (then the largest estimate); only keys
    with evidence when any has it."""
    with_evidence = [k for k in keys if score[k][0] > 0]
    pool = with_evidence or list(keys)
    return sorted(pool, key=lambda k: (-score[k][0], -score[k][1]))[:most]


def _page_selection(
    cells: Mapping[tuple[int, str], tuple[_Cell, bool]],
    groups: _Groups,
    topic_ids: Sequence[int],
    facet: str,
    table: PathLike,
) -> _Page:
    """All groups and topics when they fit a page (:data:`MAX_PAGE_ESTIMATES`); else, of
    the topics and of the groups, whichever are more than a page holds, those with the
    most significant estimates (ties: the largest estimate), in table order, and a
    footnote that counts what is left out."""
    if len(topic_ids) * len(groups.order) <= MAX_PAGE_ESTIMATES:
        return _Page(groups, list(topic_ids))

    def score(keys: Sequence[Any], pick: Callable[[int, str], Any]) -> dict[Any, tuple[int, float]]:
        out: dict[Any, tuple[int, float]] = {k: (0, 0.0) for k in keys}
        for (t, g), (c, evidence) in cells.items():
            k = pick(t, g)
            if k in out and math.isfinite(c.mean):
                n, size = out[k]
                out[k] = (n + int(evidence), max(size, abs(c.mean)))
        return out

    topics_kept = (
        _ranked(topic_ids, score(topic_ids, lambda t, _g: t), MAX_PAGE_TOPICS)
        if len(topic_ids) > MAX_PAGE_TOPICS
        else list(topic_ids)
    )
    kept_cells = {k: v for k, v in cells.items() if k[0] in topics_kept}
    cells_score = score(groups.order, lambda _t, g: g)
    for g in groups.order:  # count evidence in the kept topics only
        n = sum(int(e) for (t, gg), (_c, e) in kept_cells.items() if gg == g)
        cells_score[g] = (n, cells_score[g][1])
    groups_kept = set(
        _ranked(groups.order, cells_score, MAX_PAGE_GROUPS)
        if len(groups.order) > MAX_PAGE_GROUPS
        else groups.order
    )
    total = len(topic_ids) * len(groups.order)
    n_evidence = sum(int(e) for _c, e in cells.values())
    drawn_evidence = sum(
        int(e) for (t, g), (_c, e) in cells.items() if t in topics_kept and g in groups_kept
    )
    why = "most significant estimates" if n_evidence else "largest estimates (none is significant)"
    note = (
        f"Shown: {len(topics_kept)} of {len(topic_ids)} topics and {len(groups_kept)} of "
        f"{len(groups.order)} {facet} groups, those with the {why}: "
        f"{len(topics_kept) * len(groups_kept):,} of {total:,} estimates drawn"
        + (f", {drawn_evidence:,} of the {n_evidence:,} significant ones" if n_evidence else "")
        + f". {Path(table).name} has every estimate."
    )
    return _Page(groups.keep(groups_kept), sorted(topics_kept), note)


def _nothing_estimated(
    rows: Sequence[Mapping[str, str]], table: PathLike, spec: _ForestText
) -> str:
    """Why a forest figure has nothing to draw: the table's notes, counted."""
    notes: dict[str, int] = {}
    for row in rows:
        note = (row.get("note") or "").strip() or "no estimate"
        notes[note] = notes.get(note, 0) + 1
    if len(notes) == 1:
        said = f"every row: {next(iter(notes))}"
    else:
        said = "; ".join(f"{n} of {len(rows)} rows: {note}" for note, n in notes.items())
    return (
        f"No {spec.noun} could be estimated, so there is no figure to show. "
        f"{Path(table).name} says why ({said})."
    )


def _set_xlim(
    ax: Any,
    cells: Mapping[tuple[int, str], tuple[_Cell, bool]],
    flags: Mapping[str, Sequence[str]],
    scale: float,
) -> bool:
    """Limit the shared x axis to the estimates and the intervals of unflagged groups.

    A group of two documents has a t interval with one degree of freedom, often the whole
    range of a proportion; it would squeeze every other panel to a line. Returns whether
    an interval was cut off.
    """
    values = [c.mean for c, _ in cells.values() if math.isfinite(c.mean)]
    solid = [
        v
        for (_t, g), (c, _e) in cells.items()
        if not flags.get(g)
        for v in (c.low, c.high)
        if math.isfinite(v)
    ]
    every = [v for c, _e in cells.values() for v in (c.low, c.high) if math.isfinite(v)]
    if not values or not solid:
        return False
    lo, hi = min(values + solid), max(values + solid)
    if min(every, default=lo) >= lo and max(every, default=hi) <= hi:
        return False
    pad = 0.08 * max(hi - lo, 1e-9)
    ax.set_xlim((lo - pad) * scale, (hi + pad) * scale)
    return True
