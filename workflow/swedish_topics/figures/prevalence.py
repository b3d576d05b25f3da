"""Figures of prevalence: the heatmap of topics by group and the trend over a numeric facet."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from swedish_topics.errors import UserError

if TYPE_CHECKING:
    pass

from swedish_topics.figures import _style
from swedish_topics.figures._style import (
    CELL_FLAGS,
    HEATMAP_CMAP,
    INTERVAL_CAVEAT,
    LIGHT_GREY,
    NO_INTERVAL_TEXT,
    OKABE_ITO,
    WIDENED_TEXT,
    PathLike,
    _basis_footnote,
    _figure_legend,
    _flag_footnote,
    _flag_marks,
    _grid,
    _group_order,
    _group_value,
    _has_interval,
    _int,
    _int_axis,
    _is_number,
    _new_figure,
    _num,
    _read_table,
    _share_scale,
    _styled,
    _subplots,
    _text_colour,
    _truncate,
    _wrap,
    read_topics,
    split_flags,
    topic_name,
)

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- prevalence
@dataclass(frozen=True)
class _Cell:
    mean: float
    low: float
    high: float


@dataclass
class _Groups:
    """Cells of a prevalence or difference table keyed by (topic, group)."""

    order: list[str]
    n_docs: dict[str, int]
    #: Group-level flag codes of each flagged group, in table order.
    flags: dict[str, tuple[str, ...]]
    basis: dict[str, str]
    #: The groups with a cell that carries the ``widened`` flag.
    widened_groups: frozenset[str] = frozenset()

    @property
    def widened(self) -> bool:
        """Whether any cell of these groups carries the ``widened`` flag."""
        return bool(self.widened_groups)

    def all_flags(self) -> list[str]:
        """Distinct group-level flags in table order."""
        return list(dict.fromkeys(f for codes in self.flags.values() for f in codes))

    def largest(self, max_groups: int | None) -> _Groups:
        """The ``max_groups`` groups with the most documents (ties: table order), in
        table order; all of them when there are not more (or ``max_groups`` is None)."""
        if max_groups is None or len(self.order) <= max_groups:
            return self
        rank = sorted(range(len(self.order)), key=lambda i: (-self.n_docs[self.order[i]], i))
        return self.keep({self.order[i] for i in rank[:max_groups]})

    def keep(self, keep: set[str] | frozenset[str]) -> _Groups:
        """These groups only, in table order."""
        return _Groups(
            [g for g in self.order if g in keep],
            {g: n for g, n in self.n_docs.items() if g in keep},
            {g: f for g, f in self.flags.items() if g in keep},
            {g: b for g, b in self.basis.items() if g in keep},
            self.widened_groups & keep,
        )


def _shown_groups_note(all_groups: _Groups, shown: _Groups, facet: str, table: PathLike) -> str:
    """Footnote for a figure that shows only the largest groups ("" if it shows all)."""
    if len(shown.order) == len(all_groups.order):
        return ""
    n_all, n_shown = len(all_groups.order), len(shown.order)
    docs_all = sum(all_groups.n_docs.values())
    docs_shown = sum(shown.n_docs.values())
    return (
        f"Shown: the {n_shown} of {n_all} {facet} groups with the most documents "
        f"({docs_shown:,} of {docs_all:,} documents; analysis.max_plot_groups = {n_shown}); "
        f"{Path(table).name} has every group."
    )


def _read_groups(
    rows: Sequence[Mapping[str, str]], path: PathLike, facet: str
) -> tuple[_Groups, list[int]]:
    order = _group_order([r[facet] for r in rows])
    n_docs: dict[str, int] = {}
    flags: dict[str, dict[str, None]] = {}
    basis: dict[str, str] = {}
    widened: set[str] = set()
    for line, row in enumerate(rows, start=2):
        group = row[facet]
        n_docs[group] = max(n_docs.get(group, 0), _int(row, "n_docs", path, line))
        codes = split_flags(row.get("flag"))
        if "widened" in codes:
            widened.add(group)
        for code in codes:
            if code not in CELL_FLAGS:
                flags.setdefault(group, {})[code] = None
        value = (row.get("interval_basis") or "").strip()
        if value and value != "none":
            basis[group] = value
    topic_ids = sorted({_int(r, "topic", path, i) for i, r in enumerate(rows, start=2)})
    group_flags = {g: tuple(codes) for g, codes in flags.items()}
    return _Groups(order, n_docs, group_flags, basis, frozenset(widened)), topic_ids


def _group_mark(group: str, groups: _Groups) -> str:
    """The footnote marks of the group's flags, or "" for an unflagged group."""
    marks = _flag_marks(groups.all_flags())
    return "".join(marks[f] for f in groups.flags.get(group, ()))


def _group_label(group: str, groups: _Groups, *, newline: bool = False) -> str:
    """``"Lund (n=1)†"``: the group, its number of documents and its flag's mark."""
    sep = "\n" if newline else " "
    name = _truncate(_group_value(group), 18)
    return f"{name}{sep}(n={groups.n_docs.get(group, 0)}){_group_mark(group, groups)}"


def _prevalence_cells(
    rows: Sequence[Mapping[str, str]], path: PathLike, facet: str, *, pooled: bool = False
) -> dict[tuple[int, str], _Cell]:
    mean, low, high = ("pooled_mean", "pooled_low", "pooled_high") if pooled else _RAW
    cells: dict[tuple[int, str], _Cell] = {}
    for line, row in enumerate(rows, start=2):
        key = (_int(row, "topic", path, line), row[facet])
        cells[key] = _Cell(
            _num(row, mean, path, line),
            _num(row, low, path, line),
            _num(row, high, path, line),
        )
    return cells


_RAW = ("mean", "ci_low", "ci_high")


def _use_pooled(
    rows: Sequence[Mapping[str, str]], facet: str, pool_from_groups: int | None
) -> bool:
    """Whether the heatmap shows the partially pooled estimates: the facet has at least
    ``pool_from_groups`` groups and the table has the pooled columns."""
    if pool_from_groups is None or not rows or "pooled_mean" not in rows[0]:
        return False
    return len({r[facet] for r in rows}) >= pool_from_groups


PREVALENCE_COLUMNS = ("topic", "mean", "ci_low", "ci_high", "n_docs")


def _raw_outside_pooled(
    rows: Sequence[Mapping[str, str]],
    cells: Mapping[tuple[int, str], _Cell],
    facet: str,
    path: PathLike,
) -> set[tuple[int, str]]:
    """The (topic, group) cells whose raw ``mean`` lies outside the pooled interval."""
    out = set()
    for line, row in enumerate(rows, start=2):
        key = (_int(row, "topic", path, line), row[facet])
        cell = cells.get(key)
        raw = _num(row, "mean", path, line)
        if cell is None or not math.isfinite(raw) or not _has_interval(cell.low, cell.high):
            continue
        if raw < cell.low or raw > cell.high:
            out.add(key)
    return out


@_styled
def plot_prevalence_heatmap(
    prev_csv: PathLike,
    topics_csv: PathLike,
    facet: str,
    out_stem: PathLike,
    *,
    max_groups: int | None = None,
    pool_from_groups: int | None = None,
) -> list[Path]:
    """Heatmap of topic prevalence, topics × groups, each cell annotated with its interval.

    Prevalence is the table's ``mean``: the mean topic proportion of the group's
    documents (each document counts once); when the facet has at least
    ``pool_from_groups`` groups, the partially pooled estimate and interval instead
    (``pooled_mean``, ``pooled_low``, ``pooled_high``: the calibration study found them
    closer to the truth and covering it with 100 groups, but not with 6), and the title
    and footnote say so.

    Cells read "mean [low, high]" in per cent; colour is the mean (viridis). Columns are
    labelled with the group and its number of documents; flagged groups carry a mark
    († one document, ‡ few documents) and a dashed outline (unless all groups are
    flagged), explained in a footnote together with what the intervals resample.

    Parameters
    ----------
    prev_csv
        ``tables/prevalence_by_<facet>.csv``.
    topics_csv
        ``tables/topics.csv``.
    facet
        The facet column (e.g. ``municipality``).
    out_stem
        Output path without suffix.
    max_groups
        Show only this many groups, those with the most documents (in table order), and
        say so in the footnote; None shows every group.

    Returns
    -------
    list of Path
        The PDF and PNG written.
    """
    rows = _read_table(prev_csv, [*PREVALENCE_COLUMNS, facet], f"prevalence by {facet}")
    topics = read_topics(topics_csv)
    all_groups, topic_ids = _read_groups(rows, prev_csv, facet)
    groups = all_groups.largest(max_groups)
    pooled = _use_pooled(rows, facet, pool_from_groups)
    cells = {
        key: cell
        for key, cell in _prevalence_cells(rows, prev_csv, facet, pooled=pooled).items()
        if key[1] in groups.n_docs
    }
    scale = _share_scale([c.mean for c in cells.values()] + [c.high for c in cells.values()])
    # pooled: the raw means (the tables' and the differences') outside the pooled interval
    disagree = _raw_outside_pooled(rows, cells, facet, prev_csv) if pooled else set()
    n_groups, n_topics = len(groups.order), len(topic_ids)
    matrix = np.full((n_topics, n_groups), np.nan)
    for i, topic in enumerate(topic_ids):
        for j, group in enumerate(groups.order):
            cell = cells.get((topic, group))
            if cell is not None:
                matrix[i, j] = cell.mean * scale

    cell_w, cell_h = 0.82, 0.42
    width = 2.6 + cell_w * n_groups + 0.9
    fig, panel = _new_figure(width, 1.2 + cell_h * n_topics)
    ax = panel.subplots()
    vmax = float(np.nanmax(matrix)) if np.isfinite(matrix).any() else 1.0
    cmap = matplotlib.colormaps[HEATMAP_CMAP].with_extremes(bad=LIGHT_GREY)
    norm = mcolors.Normalize(vmin=0.0, vmax=max(vmax, 1e-9))
    # pcolormesh, not imshow: imshow resamples the matrix to the output resolution in
    # float RGBA (1.1 GB for 40 topics x 21 groups at 300 dpi, in the PDF and the PNG
    # alike); these are K x groups vector cells. Cell (i, j) is centred on (j, i), as
    # imshow would place it, with row 0 at the top.
    image = ax.pcolormesh(
        np.arange(n_groups + 1) - 0.5,
        np.arange(n_topics + 1) - 0.5,
        np.ma.masked_invalid(matrix),
        cmap=cmap,
        norm=norm,
        shading="flat",
        edgecolors="none",
        antialiased=False,
    )
    ax.set_xlim(-0.5, n_groups - 0.5)
    ax.set_ylim(n_topics - 0.5, -0.5)
    fontsize = 6.3 if n_groups <= 12 else 5.8
    any_no_interval = False
    for i, topic in enumerate(topic_ids):
        for j, group in enumerate(groups.order):
            cell = cells.get((topic, group))
            if cell is None or not math.isfinite(cell.mean):
                ax.text(j, i, "–", ha="center", va="center", fontsize=fontsize)
                continue
            if _has_interval(cell.low, cell.high):
                ci = f"[{cell.low * scale:.1f}, {cell.high * scale:.1f}]"
            else:
                ci, any_no_interval = "[no interval]", True
            colour = _text_colour(cmap(norm(cell.mean * scale)))
            mark = "*" if (topic, group) in disagree else ""
            ax.text(
                j,
                i,
                f"{cell.mean * scale:.1f}{mark}\n{ci}",
                ha="center",
                va="center",
                fontsize=fontsize,
                color=colour,
                linespacing=1.15,
            )
    # Outline flagged columns, unless every column is flagged (the marks then suffice).
    if len(groups.flags) < n_groups:
        for j, group in enumerate(groups.order):
            if group in groups.flags:
                ax.add_patch(
                    Rectangle(
                        (j - 0.5, -0.5),
                        1,
                        n_topics,
                        fill=False,
                        ls=(0, (3, 2)),
                        lw=0.9,
                        edgecolor="black",
                        clip_on=False,
                        zorder=3,
                    )
                )
    ax.set_yticks(range(n_topics), [_wrap(topic_name(t, topics, 64), 32) for t in topic_ids])
    long_names = max(len(_group_value(g)) for g in groups.order) > 9
    rotate = n_groups > 8 or (long_names and n_groups > 4)
    ax.set_xticks(
        range(n_groups),
        [_group_label(g, groups, newline=not rotate) for g in groups.order],
        rotation=40 if rotate else 0,
        ha="right" if rotate else "center",
        rotation_mode="anchor",
    )
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlabel(facet)
    what = "partially pooled mean" if pooled else "mean document proportion"
    ax.set_title(f"Topic prevalence by {facet}: {what} (%) [interval]", loc="left")
    bar = panel.colorbar(
        image, ax=ax, shrink=min(1.0, 4.0 / max(n_topics * cell_h, 1.0)), aspect=20, pad=0.01
    )
    bar.set_label("mean topic proportion (%)")
    notes = [
        (
            f"Each cell: the partially pooled (empirical-Bayes) prevalence (%) of the topic "
            f"and its interval [low, high]: with {len(all_groups.order)} groups "
            f"(analysis.pool_figures_from_groups = {pool_from_groups}), a group's mean is "
            "pulled towards the average of the groups the more, the fewer documents it has; "
            f"the raw means are in {Path(prev_csv).name}, and the differences table uses "
            f"them; *: the raw mean lies outside the pooled interval ({len(disagree)} of "
            f"{len(cells)} cells), the group's own documents disagree with the pooled "
            "estimate; n = documents in the group."
            if pooled
            else "Each cell: mean proportion (%) of the topic in the group's documents, each "
            "document counting once, and its interval [low, high]; n = documents in the group."
        ),
        _shown_groups_note(all_groups, groups, facet, prev_csv),
        _basis_footnote({_group_value(g): b for g, b in groups.basis.items()}),
        INTERVAL_CAVEAT,
        _flag_footnote(groups.all_flags()),
        f"{WIDENED_TEXT}." if groups.widened else "",
    ]
    if any_no_interval:
        notes.append(f"[no interval]: {NO_INTERVAL_TEXT}.")
    return _style._save(fig, out_stem, footnote=" ".join(n for n in notes if n))


def _runs(kinds: Sequence[str], start: int, stop: int) -> list[slice]:
    """``start..stop`` cut into runs of equal ``kinds`` (the interval basis)."""
    runs, first = [], start
    for i in range(start + 1, stop + 1):
        if i == stop or kinds[i] != kinds[i - 1]:
            runs.append(slice(first, i))
            first = i
    return runs


@_styled
def plot_prevalence_trend(
    prev_csv: PathLike,
    topics_csv: PathLike,
    facet: str,
    out_stem: PathLike,
) -> list[Path]:
    """Topic share over a numeric facet (e.g. year), one panel per topic, shared axes.

    Points are group means with vertical interval bars and a light band; consecutive
    values are joined by a thin line (never across a gap in the values). Point area
    grows with the number of documents; flagged groups are hollow points with their mark
    (†, ‡) in the tick label; groups without an interval get a cross, no bar, and a
    footnote.

    Parameters
    ----------
    prev_csv
        ``tables/prevalence_by_<facet>.csv`` for a numeric facet.
    topics_csv
        ``tables/topics.csv``.
    facet
        The numeric facet column (e.g. ``year``).
    out_stem
        Output path without suffix.

    Returns
    -------
    list of Path
        The PDF and PNG written.
    """
    rows = _read_table(prev_csv, [*PREVALENCE_COLUMNS, facet], f"prevalence over {facet}")
    topics = read_topics(topics_csv)
    groups, topic_ids = _read_groups(rows, prev_csv, facet)
    for line, row in enumerate(rows, start=2):
        if not _is_number(row[facet]):
            raise UserError(
                f"{prev_csv}, line {line}, column {facet!r}: {row[facet]!r} is not a number, "
                f"so prevalence cannot be drawn over {facet}. List only numeric facets under "
                "numeric_facets in the config."
            )
    cells = _prevalence_cells(rows, prev_csv, facet)
    scale = _share_scale([c.mean for c in cells.values()] + [c.high for c in cells.values()])
    xs_all = [float(g) for g in groups.order]
    steps = np.diff(xs_all)
    step = float(np.min(steps)) if len(steps) else 1.0
    few = len(xs_all) <= 12
    max_docs = max(groups.n_docs.values()) if groups.n_docs else 1

    n_topics = len(topic_ids)
    nrows, ncols = _grid(n_topics, 4)
    panel_w = 2.5 if few else 2.8
    fig, panel = _new_figure(panel_w * ncols, 2.0 * nrows + 0.5)
    axes = _subplots(panel, n_topics, ncols, sharex=True, sharey=True)
    any_no_interval = mixed_kinds = False
    y_top = 0.0
    for ax, topic in zip(axes, topic_ids, strict=True):
        found = [(float(g), g, cells.get((topic, g))) for g in groups.order]
        pts = [(x, g, c) for x, g, c in found if c is not None and math.isfinite(c.mean)]
        xs = np.array([x for x, _, _ in pts])
        means = np.array([c.mean for _, _, c in pts]) * scale
        has_ci = np.array([_has_interval(c.low, c.high) for _, _, c in pts], bool)
        lows = (
            np.array([c.low if h else c.mean for (_, _, c), h in zip(pts, has_ci, strict=True)])
            * scale
        )
        highs = (
            np.array([c.high if h else c.mean for (_, _, c), h in zip(pts, has_ci, strict=True)])
            * scale
        )
        if len(pts):
            y_top = max(y_top, float(np.nanmax(highs)))
        # Join only consecutive values: a line across a gap would suggest data there. A
        # band joins only intervals of one kind (never a score interval from documents
        # and a single document's bootstrap over its units).
        kinds = [groups.basis.get(g, "") for _, g, _ in pts]
        isolated = np.zeros(len(xs), bool)
        start = 0
        for idx in range(1, len(xs) + 1):
            if idx == len(xs) or xs[idx] - xs[idx - 1] > step * 1.001:
                seg = slice(start, idx)
                ax.plot(xs[seg], means[seg], color=OKABE_ITO[4], lw=0.9, zorder=2)
                for run in _runs(kinds, start, idx):
                    isolated[run] = run.stop - run.start == 1
                    mixed_kinds |= run.stop - run.start < idx - start
                    ax.fill_between(
                        xs[run],
                        lows[run],
                        highs[run],
                        where=has_ci[run],
                        color=OKABE_ITO[4],
                        alpha=0.15,
                        lw=0,
                        zorder=1,
                    )
                start = idx
        # Few values: a bar for every interval; many: the band, bars only where alone.
        bars = has_ci if few else has_ci & isolated
        if bars.any():
            ax.errorbar(
                xs[bars],
                means[bars],
                yerr=[means[bars] - lows[bars], highs[bars] - means[bars]],
                fmt="none",
                ecolor=OKABE_ITO[4],
                elinewidth=1.0,
                capsize=2,
                zorder=3,
            )
        any_no_interval |= bool((~has_ci).any())
        sizes = np.array([12 + 48 * groups.n_docs.get(g, 1) / max_docs for _, g, _ in pts])
        flagged = np.array([g in groups.flags for _, g, _ in pts], bool)
        if len(pts):
            ax.scatter(
                xs[~flagged],
                means[~flagged],
                s=sizes[~flagged],
                color=OKABE_ITO[4],
                edgecolor="white",
                lw=0.5,
                zorder=4,
            )
            ax.scatter(
                xs[flagged],
                means[flagged],
                s=sizes[flagged],
                facecolor="white",
                edgecolor=OKABE_ITO[4],
                lw=1.1,
                zorder=4,
            )
            no_ci = ~has_ci
            ax.scatter(xs[no_ci], means[no_ci], marker="x", s=18, color="black", lw=0.8, zorder=5)
        ax.set_title(_wrap(topic_name(topic, topics, width=80), 32), loc="left")
        ax.grid(axis="y", color=LIGHT_GREY, lw=0.5)
        ax.set_axisbelow(True)
    tick_labels = [
        f"{_group_value(g)}\nn={groups.n_docs.get(g, 0)}{_group_mark(g, groups)}"
        for g in groups.order
    ]
    for ax in axes:
        _int_axis(ax, xs_all, labels=tick_labels if few else None)
        ax.set_xlim(min(xs_all) - 0.5 * step, max(xs_all) + 0.5 * step)
    axes[0].set_ylim(0, max(y_top * 1.08, 1e-6))
    for ax in axes[::ncols]:
        ax.set_ylabel("mean topic proportion (%)")
    for ax in axes[-ncols:]:
        ax.set_xlabel(facet)
    handles = [
        Line2D(
            [],
            [],
            color=OKABE_ITO[4],
            marker="o",
            ms=5,
            lw=0.9,
            mec="white",
            label="mean proportion with interval",
        ),
    ]
    if groups.flags:
        marks = "/".join(_flag_marks(groups.all_flags()).values())
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                ms=5,
                mfc="white",
                mec=OKABE_ITO[4],
                mew=1.1,
                label=f"flagged group ({marks}, see note)",
            )
        )
    if any_no_interval:
        handles.append(
            Line2D([], [], ls="", marker="x", ms=4.5, color="black", label="no interval")
        )
    _figure_legend(fig, panel, handles)
    panel.suptitle(f"Topic prevalence over {facet}", x=0.01, ha="left", fontweight="bold")
    gaps = len(steps) > 0 and bool((steps > step * 1.001).any())
    what = "bars" if few else "band (bars for values without neighbours)"
    notes = [
        f"Points: mean proportion of the topic in the group's documents (each document "
        f"counts once); {what}: interval; "
        "n = documents (point area grows with n)."
        + (" The line is broken where values have no documents." if gaps else "")
        + (
            " The band joins only intervals of one kind (it stops where the interval "
            "basis changes)."
            if mixed_kinds and not few
            else ""
        ),
        _basis_footnote({_group_value(g): b for g, b in groups.basis.items()}),
        INTERVAL_CAVEAT,
        _flag_footnote(groups.all_flags()),
        f"{WIDENED_TEXT}." if groups.widened else "",
        f"×: {NO_INTERVAL_TEXT}." if any_no_interval else "",
    ]
    return _style._save(fig, out_stem, footnote=" ".join(n for n in notes if n))
