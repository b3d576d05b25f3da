"""Paper figures: model selection, top terms, prevalence, differences, document composition.

Every function takes the paths of the tables the workflow writes (CSV read with
:func:`swedish_topics.io.read_csv`) and an output path *stem*; it writes ``<stem>.pdf`` and
``<stem>.png`` (300 dpi) atomically and returns the list of files written. A stem that ends
in ``.png`` or ``.pdf`` is accepted too (the suffix is dropped), so a rule can pass its PNG
output path.

Conventions shared by all figures:

- Matplotlib ``Figure`` objects are used directly (no ``pyplot``, no global state), drawn by
  the Agg (PNG) and PDF backends with DejaVu Sans, which has å, ä and ö.
- Colours are colour-blind safe: the Okabe–Ito palette for categories (topics beyond eight
  add a hatch pattern), viridis for heatmaps.
- Topics are named ``"<id>. <label>"`` with the label of ``tables/topics.csv``, truncated
  with "…" where space is short; ids are 1-based as in every table.
- Shares are shown in per cent (differences in percentage points); intervals are the
  table's ``ci_low``/``ci_high``. An interval of zero width (nothing could be resampled)
  is never drawn as a bar: it is marked "no interval" instead.
- Groups flagged by the analysis (one document, few documents, a small rest of the
  corpus) are marked († ‡ § ¶ ∅) and explained in a footnote; intervals that could not be
  estimated (flag ``no_interval``, empty ``ci_low``) are written "no interval" or drawn
  as a cross, never as a zero-width bar.

Examples
--------
>>> from swedish_topics.figures import plot_top_terms
>>> plot_top_terms("tables/topic_terms.csv", "tables/topics.csv", "figures/top_terms")
... # doctest: +SKIP
[PosixPath('figures/top_terms.pdf'), PosixPath('figures/top_terms.png')]
"""

from __future__ import annotations

import csv
import functools
import json
import logging
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar, cast

import matplotlib
import numpy as np
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure, FigureBase, SubFigure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from swedish_topics import io as sio
from swedish_topics.errors import UserError

if TYPE_CHECKING:
    from matplotlib.typing import LineStyleType, RcKeyType

logger = logging.getLogger(__name__)

PathLike = str | Path
P = ParamSpec("P")
R = TypeVar("R")

#: Resolution of every PNG (see :func:`png_resolution` for very large figures).
DPI = 300
#: Largest PNG in pixels (60 M: 240 MB of raster while it is drawn); a figure larger
#: than this at :data:`DPI` gets a lower resolution and a warning in its log.
MAX_PNG_PIXELS = 60_000_000

#: Okabe & Ito (2008) colour-blind-safe palette, black last (it hides hatching and text).
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#000000",  # black
)
#: Hatch patterns that, with the eight colours, tell up to 40 topics apart.
HATCHES: tuple[str, ...] = ("", "////", "....", "xxxx", "\\\\\\\\")
GREY = "#8C8C8C"
LIGHT_GREY = "#D9D9D9"
POSITIVE = "#D55E00"  # vermillion: group above the rest of the corpus
NEGATIVE = "#0072B2"  # blue: group below the rest of the corpus
HIGHLIGHT = "#E69F00"  # orange: the chosen K
HEATMAP_CMAP = "viridis"

#: Base style: DejaVu Sans (å ä ö, †, …), TrueType fonts in PDFs, no top/right spines.
STYLE: dict[RcKeyType, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 7,
    "legend.title_fontsize": 7.5,
    "figure.titlesize": 10,
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.unicode_minus": True,
    "hatch.linewidth": 0.6,
    "savefig.dpi": DPI,
}

#: Footnotes for the group-level codes of the ``flag`` column (codes are joined with
#: ";"); unknown codes are shown verbatim.
FLAG_TEXT: dict[str, str] = {
    "single_doc": (
        "one document only: its interval resamples the text units of that document, so it "
        "reflects variation within the document, not between documents of the group"
    ),
    "few_docs": (
        "fewer documents than min_group_docs: the interval rests on very few documents "
        "and is unreliable"
    ),
    "rest_single_doc": (
        "the rest of the corpus is one document: its side of the comparison reflects "
        "variation within that document only"
    ),
    "rest_few_docs": (
        "the rest of the corpus has fewer documents than min_group_docs: the interval is unreliable"
    ),
    "no_rest": "every document is in this group: there is nothing to compare it with",
}
#: Footnote marks of the known flags; other flags get the marks of EXTRA_MARKS in turn.
FLAG_MARKS: dict[str, str] = {
    "single_doc": "†",
    "few_docs": "‡",
    "rest_single_doc": "¶",
    "rest_few_docs": "§",
    "no_rest": "∅",
}
#: Short names of the known flags for panel titles.
FLAG_SHORT: dict[str, str] = {
    "single_doc": "one document",
    "few_docs": "few documents",
    "rest_single_doc": "rest: one document",
    "rest_few_docs": "rest: few documents",
    "no_rest": "no rest to compare",
}
EXTRA_MARKS: tuple[str, ...] = ("*", "**", "***")
#: Flag codes about one cell (topic), not the group; drawn in the cell instead.
CELL_FLAGS = frozenset({"no_interval", "widened"})
NO_INTERVAL_TEXT = "nothing could be resampled (e.g. a single text unit), so no interval is shown"
INTERVAL_CAVEAT = (
    "Intervals describe variation between documents (or units), not topic-model "
    "uncertainty, and are not adjusted for multiple comparisons."
)
WIDENED_TEXT = (
    "some bootstrap intervals did not contain the estimate and were widened to contain it "
    "(flag widened)"
)


# --------------------------------------------------------------------------- helpers
def _styled(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` inside the figure style (rcParams restored afterwards)."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with matplotlib.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def _stem(out_stem: PathLike) -> Path:
    path = Path(out_stem)
    if path.suffix.lower() in {".png", ".pdf"}:
        path = path.with_suffix("")
    return path


def _new_figure(width: float, height: float) -> tuple[Figure, SubFigure]:
    """A constrained-layout figure: a main panel and, below it, room for a footnote.

    Everything is laid out inside the figure (no ``bbox_inches="tight"``, which moves
    figure legends), so the footnote's height is set in :func:`_save` once its text is
    known.
    """
    fig = Figure(figsize=(width, height), layout="constrained")
    engine = fig.get_layout_engine()
    assert isinstance(engine, ConstrainedLayoutEngine)  # layout="constrained" above
    engine.set(w_pad=4 / 72, h_pad=4 / 72)
    fig.subfigures(2, 1, height_ratios=[height, 0.01], hspace=0)
    main, _foot = fig.subfigs  # the two just made: a new figure has no others
    return fig, main


def _add_footnote(fig: Figure, text: str, fontsize: float) -> None:
    """Write ``text`` into the footnote subfigure and grow the figure to fit it."""
    main, foot = fig.subfigs
    width, height = fig.get_size_inches()
    wrapped = _wrap_paragraph(text, width - 0.15, fontsize) if text else ""
    foot_h = (wrapped.count("\n") + 1) * fontsize * 1.3 / 72 + 0.12 if wrapped else 0.01
    if wrapped:
        foot.text(
            0.08 / width, 1.0, wrapped, ha="left", va="top", fontsize=fontsize, color="#333333"
        )
    main_h = height - 0.01
    # No public getter on SubFigure (and none in the stubs).
    gridspec = main._subplotspec.get_gridspec()  # type: ignore[attr-defined]
    gridspec.set_height_ratios([main_h, foot_h])
    fig.set_size_inches(width, main_h + foot_h)


def png_resolution(width_in: float, height_in: float) -> int:
    """The PNG's dpi: :data:`DPI`, lowered for a figure so large that it would exceed
    :data:`MAX_PNG_PIXELS` (whose raster, about 4 bytes a pixel, is held in memory)."""
    fit = math.sqrt(MAX_PNG_PIXELS / max(width_in * height_in, 1e-9))
    return max(1, min(DPI, int(fit)))


def _save(
    fig: Figure, out_stem: PathLike, *, footnote: str = "", fontsize: float = 6.5
) -> list[Path]:
    """Add the footnote, then save ``<stem>.pdf`` and ``<stem>.png`` (300 dpi) atomically."""
    if fig.subfigs:
        _add_footnote(fig, footnote, fontsize)
    stem = _stem(out_stem)
    png_dpi = png_resolution(*fig.get_size_inches())
    if png_dpi < DPI:
        logger.warning(
            "%s.png is %.0f x %.0f inches: written at %d dpi instead of %d to stay under "
            "%d M pixels (the PDF is vector and unaffected)",
            stem.name,
            *fig.get_size_inches(),
            png_dpi,
            DPI,
            MAX_PNG_PIXELS // 1_000_000,
        )
    written: list[Path] = []
    for fmt in ("pdf", "png"):
        target = stem.with_name(f"{stem.name}.{fmt}")
        # No creation date in the PDF: the same input gives the same bytes.
        metadata = {"CreationDate": None} if fmt == "pdf" else None
        dpi = png_dpi if fmt == "png" else DPI
        with sio.atomic_path(target, suffix=f".{fmt}") as tmp:
            fig.savefig(tmp, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
        written.append(target)
    logger.info("wrote %s", ", ".join(str(p) for p in written))
    return written


def _truncate(text: str, width: int) -> str:
    """Shorten ``text`` to at most ``width`` characters, ending in "…" if cut."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    space = max(cut.rfind(" "), cut.rfind(","))
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;") + "…"


def _wrap(text: str, width: int, max_lines: int = 2) -> str:
    """Wrap ``text`` to lines of ``width`` characters, at most ``max_lines`` lines."""
    lines = textwrap.wrap(" ".join(str(text).split()), width) or [""]
    if len(lines) > max_lines:
        rest = " ".join(lines[max_lines - 1 :])
        lines = [*lines[: max_lines - 1], _truncate(rest, width)]
    return "\n".join(lines)


def _wrap_paragraph(text: str, width_in: float, fontsize: float) -> str:
    """Wrap a footnote to the width of the figure (about 0.5 em per character)."""
    chars = max(30, int(width_in * 72 / (fontsize * 0.56)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def _read_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle), [])


def _check_table(path: Path, required: Sequence[str], what: str) -> None:
    """Check that a workflow table exists and has the ``required`` columns."""
    if not path.is_file():
        raise UserError(
            f"{path}: the table needed for the {what} figure does not exist. It is written "
            "by an earlier rule of the workflow; run snakemake for the whole workflow "
            "instead of this figure alone."
        )
    header = _read_header(path)
    missing = [col for col in required if col not in header]
    if missing:
        raise UserError(
            f"{path}, line 1 (header): the column(s) {', '.join(missing)} needed for the "
            f"{what} figure are missing (found: {', '.join(header) or 'nothing'}). The "
            "table was probably written by an older version of the workflow: delete it and "
            "run snakemake again so that it is rewritten."
        )


def _no_rows_error(path: Path, what: str) -> UserError:
    return UserError(
        f"{path}: the table has a header but no data rows, so there is nothing to draw "
        f"in the {what} figure. Check the log of the rule that wrote it for the reason "
        "(e.g. an empty facet or no models)."
    )


def _read_table(path: PathLike, required: Sequence[str], what: str) -> list[dict[str, str]]:
    """Read a workflow table, checking that it exists, has ``required`` columns and rows."""
    path = Path(path)
    _check_table(path, required, what)
    rows = sio.read_csv(path)
    if not rows:
        raise _no_rows_error(path, what)
    return rows


def _num(row: Mapping[str, str], col: str, path: PathLike, line: int) -> float:
    """Parse a numeric cell; an empty cell is NaN."""
    raw = (row.get(col) or "").strip()
    if raw == "":
        return math.nan
    try:
        return float(raw)
    except ValueError:
        raise UserError(
            f"{path}, line {line}, column {col!r}: {raw!r} is not a number. The table is "
            "written by the workflow; delete it and run snakemake again, or fix the value "
            "if you edited the file by hand."
        ) from None


def _int(row: Mapping[str, str], col: str, path: PathLike, line: int) -> int:
    value = _num(row, col, path, line)
    if not math.isfinite(value) or value != int(value):
        raise UserError(
            f"{path}, line {line}, column {col!r}: {row.get(col)!r} is not a whole number. "
            "The table is written by the workflow; delete it and run snakemake again, or "
            "fix the value if you edited the file by hand."
        )
    return int(value)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"true", "1", "yes"}


@dataclass(frozen=True)
class TopicInfo:
    """One row of ``tables/topics.csv`` as the figures use it."""

    topic: int
    label: str
    prevalence: float


def read_topics(topics_csv: PathLike) -> dict[int, TopicInfo]:
    """Read topic labels and prevalence from ``tables/topics.csv`` (topic ids 1-based)."""
    rows = _read_table(topics_csv, ["topic", "label"], "topic label")
    topics: dict[int, TopicInfo] = {}
    for line, row in enumerate(rows, start=2):
        topic = _int(row, "topic", topics_csv, line)
        prevalence = _num(row, "prevalence", topics_csv, line) if "prevalence" in row else math.nan
        topics[topic] = TopicInfo(topic, (row.get("label") or "").strip(), prevalence)
    return topics


def topic_name(topic: int, topics: Mapping[int, TopicInfo], width: int = 32) -> str:
    """Return ``"<id>. <label>"`` truncated to ``width`` characters (label never omitted).

    A label that already starts with its number (``"3: skola · elev"``, ``"Topic 3 …"``)
    is kept as it is instead of being numbered twice.
    """
    info = topics.get(topic)
    label = " ".join(info.label.split()) if info is not None and info.label else ""
    if not label:
        return _truncate(f"{topic}. Topic {topic}", width)
    if re.match(rf"(?i)(topic\s*)?{topic}(\s*[:.)\-–]|\s*$|\s)", label):
        return _truncate(label, width)
    return _truncate(f"{topic}. {label}", width)


def topic_style(topic: int) -> tuple[str, str]:
    """Colour and hatch of a topic (1-based): Okabe–Ito colours, then hatched repeats."""
    index = topic - 1
    colour = OKABE_ITO[index % len(OKABE_ITO)]
    hatch = HATCHES[(index // len(OKABE_ITO)) % len(HATCHES)]
    return colour, hatch


def _text_colour(rgba: Sequence[float]) -> str:
    """Black or white, whichever reads better on ``rgba``."""
    # to_rgb takes any 3 or 4 floats; its stub only names fixed-length tuples.
    r, g, b = mcolors.to_rgb(cast("tuple[float, float, float, float]", tuple(rgba)))
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


def _hatch_colour(colour: str) -> str:
    return "white" if _text_colour(mcolors.to_rgba(colour)) == "white" else "#333333"


def _share_scale(values: Sequence[float]) -> float:
    """100 if the values are proportions (0–1), 1 if they already are per cent."""
    finite = [abs(v) for v in values if math.isfinite(v)]
    return 100.0 if not finite or max(finite) <= 1.0 + 1e-9 else 1.0


def _has_interval(low: float, high: float) -> bool:
    return math.isfinite(low) and math.isfinite(high) and high - low > 1e-12


def _grid(n: int, max_cols: int) -> tuple[int, int]:
    """Rows and columns for ``n`` panels: near-square, at most ``max_cols`` columns."""
    if n <= 3:
        ncols = max(n, 1)
    elif n == 4:
        ncols = 2
    else:
        ncols = min(max_cols, math.ceil(math.sqrt(n * 1.5)))
    return math.ceil(n / ncols), ncols


def _subplots(
    panel: FigureBase,
    n: int,
    ncols: int,
    *,
    sharex: bool | Literal["none", "all", "row", "col"] = False,
    sharey: bool | Literal["none", "all", "row", "col"] = False,
) -> list[Axes]:
    """``n`` axes in a grid of ``ncols`` columns; unused cells removed, ticks labelled."""
    nrows = math.ceil(n / ncols)
    axes = panel.subplots(nrows, ncols, squeeze=False, sharex=sharex, sharey=sharey).ravel()
    for ax in axes[n:]:
        ax.remove()
    used = list(axes[:n])
    # An axis sharing x with a removed neighbour below would lose its tick labels.
    for index, ax in enumerate(used):
        if index + ncols >= n:
            ax.tick_params(labelbottom=True)
    return used


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _group_order(groups: Sequence[str]) -> list[str]:
    """Groups in table order, or sorted numerically when every group is a number."""
    unique = list(dict.fromkeys(groups))
    if unique and all(_is_number(g) for g in unique):
        return sorted(unique, key=float)
    return unique


def _group_value(group: str) -> str:
    """A numeric group shown without a trailing ``.0`` (2019, not 2019.0)."""
    if _is_number(group):
        value = float(group)
        if value == int(value):
            return str(int(value))
    return group


def split_flags(value: str | None) -> list[str]:
    """The codes of a ``flag`` cell (``"single_doc;no_interval"`` → two codes)."""
    return [code.strip() for code in (value or "").split(";") if code.strip()]


def _flag_marks(flags: Iterable[str]) -> dict[str, str]:
    """Footnote mark of each distinct flag: known flags first (†, ‡, ¶, §, ∅), then others."""
    distinct = list(dict.fromkeys(f for f in flags if f))
    known = [f for f in FLAG_MARKS if f in distinct]
    marks = {flag: FLAG_MARKS[flag] for flag in known}
    extra = iter(EXTRA_MARKS)
    for flag in distinct:
        if flag not in marks:
            marks[flag] = next(extra, "****")
    return marks


def _flag_text(flag: str) -> str:
    return FLAG_TEXT.get(flag, f"flagged {flag.replace('_', ' ')!r} by the analysis")


def _flag_footnote(flags: Iterable[str]) -> str:
    """One sentence per distinct flag, led by its mark."""
    parts = []
    for flag, mark in _flag_marks(flags).items():
        text = _flag_text(flag)
        parts.append(f"{mark}\u00a0{text[0].upper()}{text[1:]}.")
    return " ".join(parts)


def _basis_footnote(basis_by_group: Mapping[str, str], ci_word: str = "Intervals") -> str:
    """Say what each group's interval resamples, naming groups when bases differ."""
    by_basis: dict[str, list[str]] = {}
    for group, basis in basis_by_group.items():
        if basis:
            by_basis.setdefault(basis, []).append(group)
    if not by_basis:
        return ""
    if len(by_basis) == 1:
        return f"{ci_word}: bootstrap over {next(iter(by_basis))}."

    def names(groups: list[str]) -> str:
        shown = ", ".join(groups[:6])
        return shown + (f" and {len(groups) - 6} more" if len(groups) > 6 else "")

    parts = [f"over {basis} for {names(groups)}" for basis, groups in by_basis.items()]
    return f"{ci_word}: bootstrap " + "; ".join(parts) + "."


def _figure_legend(fig: Figure, panel: FigureBase, handles: Sequence[Any]) -> None:
    """A legend below the panels, in as many columns as fit the figure's width."""
    width_pt = fig.get_size_inches()[0] * 72 - 10
    fontsize = float(matplotlib.rcParams["legend.fontsize"])
    widths = [len(str(h.get_label())) * fontsize * 0.58 + 38 for h in handles]
    ncol = len(handles)
    while ncol > 1 and sum(sorted(widths, reverse=True)[:ncol]) > width_pt:
        ncol -= 1
    panel.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False)


def _int_axis(ax: Axes, values: Sequence[float], *, labels: Sequence[str] | None = None) -> None:
    """Integer ticks: every value when there are few, else a few integer ticks."""
    unique = sorted(set(values))
    if len(unique) <= 12:
        ax.set_xticks(unique)
        ax.set_xticklabels(labels if labels is not None else [f"{v:g}" for v in unique])
    else:
        ax.xaxis.set_major_locator(MaxNLocator(nbins=8, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:.0f}"))


# --------------------------------------------------------------------------- model selection
#: (column, panel title, which direction is better) of the model-selection figure.
SELECTION_PANELS: tuple[tuple[str, str, str], ...] = (
    ("coherence_npmi", "NPMI coherence", "higher is better"),
    ("coherence_cv", "C_V coherence", "higher is better"),
    ("coherence_umass", "UMass coherence", "higher (nearer 0) is better"),
    ("perplexity", "Held-out perplexity", "lower is better"),
    ("diversity", "Topic diversity", "higher is better"),
    ("exclusivity", "Exclusivity", "higher is better"),
    ("stability", "Stability across seeds", "higher is better"),
    ("train_seconds", "Training time (s)", "lower is cheaper"),
)


@_styled
def plot_model_selection(
    metrics_csv: PathLike,
    stability_csv: PathLike,
    choice_json: PathLike,
    out_stem: PathLike,
) -> list[Path]:
    """Small multiples of every selection metric against K, with the chosen K marked.

    Each panel shows one point per seed (grey), the mean over seeds (black line) and the
    range over seeds (grey band); the stability panel shows the mean with the min–max
    range over seed pairs and the threshold as a dashed line (Ks below it are hollow).
    The chosen K is an orange band in every panel and the chosen model a star; the
    panel of the selection metric is marked "selection metric"; the reason of the
    choice is printed below the figure.

    Parameters
    ----------
    metrics_csv, stability_csv, choice_json
        ``model_selection/metrics.csv``, ``stability.csv`` and ``choice.json``.
    out_stem
        Output path without suffix (``.pdf`` and ``.png`` are added).

    Returns
    -------
    list of Path
        The PDF and PNG written.
    """
    metric_cols = [col for col, _, _ in SELECTION_PANELS if col != "stability"]
    rows = _read_table(metrics_csv, ["k", "seed"], "model selection")
    stab_rows = _read_table(
        stability_csv, ["k", "stability_mean", "stability_min", "stability_max"], "stability"
    )
    try:
        choice = json.loads(Path(choice_json).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(
            f"{choice_json}: cannot read the model choice ({exc}). It is written by the rule "
            "select_model; delete it and run snakemake again."
        ) from None
    chosen_k = int(choice["k"]) if choice.get("k") is not None else None
    chosen_seed = int(choice["seed"]) if choice.get("seed") is not None else None
    threshold = choice.get("threshold")
    selection_metric = choice.get("metric")

    ks = np.array([_int(r, "k", metrics_csv, i) for i, r in enumerate(rows, start=2)])
    seeds = np.array([_int(r, "seed", metrics_csv, i) for i, r in enumerate(rows, start=2)])
    values = {
        col: np.array([_num(r, col, metrics_csv, i) for i, r in enumerate(rows, start=2)])
        if col in rows[0]
        else np.full(len(rows), np.nan)
        for col in metric_cols
    }
    unique_k = sorted(set(ks.tolist()) | {_int(r, "k", stability_csv, 2) for r in stab_rows})
    gap = float(np.min(np.diff(unique_k))) if len(unique_k) > 1 else 1.0
    seed_list = sorted(set(seeds.tolist()))
    offset = {s: (i - (len(seed_list) - 1) / 2) * 0.07 * gap for i, s in enumerate(seed_list)}

    fig, panel = _new_figure(10.0, 5.4)
    axes = _subplots(panel, len(SELECTION_PANELS), 4, sharex=True)
    for ax, (col, title, better) in zip(axes, SELECTION_PANELS, strict=True):
        if chosen_k is not None:
            ax.axvspan(
                chosen_k - 0.35 * gap,
                chosen_k + 0.35 * gap,
                color=HIGHLIGHT,
                alpha=0.22,
                lw=0,
                zorder=0,
            )
        star = col == selection_metric
        ax.set_title(
            f"{title}{'  ★ selection metric' if star else ''}\n({better})",
            fontweight="bold" if star else "normal",
            loc="left",
        )
        _int_axis(ax, unique_k)
        ax.grid(axis="y", color=LIGHT_GREY, lw=0.5)
        if col == "stability":
            _draw_stability(ax, stab_rows, stability_csv, threshold)
            continue
        vals = values[col]
        finite = np.isfinite(vals)
        if not finite.any():
            ax.text(
                0.5,
                0.5,
                "not computed",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color=GREY,
            )
            ax.set_yticks([])
            continue
        xs = np.array([k + offset[s] for k, s in zip(ks, seeds, strict=True)])
        ax.scatter(xs[finite], vals[finite], s=9, color=GREY, zorder=2, lw=0)
        means, lows, highs, kk = [], [], [], []
        for k in unique_k:
            sel = (ks == k) & finite
            if sel.any():
                kk.append(k)
                means.append(float(np.mean(vals[sel])))
                lows.append(float(np.min(vals[sel])))
                highs.append(float(np.max(vals[sel])))
        ax.fill_between(kk, lows, highs, color=GREY, alpha=0.2, lw=0, zorder=1)
        ax.plot(kk, means, color="black", lw=1.2, marker="o", ms=3, zorder=3)
        if chosen_k is not None and chosen_seed is not None:
            sel = (ks == chosen_k) & (seeds == chosen_seed) & finite
            if sel.any():
                ax.scatter(
                    xs[sel],
                    vals[sel],
                    marker="*",
                    s=90,
                    color=POSITIVE,
                    edgecolor="black",
                    lw=0.4,
                    zorder=4,
                )
    for ax in axes[-4:]:
        ax.set_xlabel("number of topics K")

    handles = [
        Line2D([], [], ls="", marker="o", ms=3.5, color=GREY, label="one model (seed)"),
        Line2D([], [], color="black", marker="o", ms=3, lw=1.2, label="mean over seeds"),
        Patch(color=GREY, alpha=0.3, label="range over seeds"),
        Patch(color=HIGHLIGHT, alpha=0.35, label=f"chosen K = {chosen_k}"),
        Line2D(
            [],
            [],
            ls="",
            marker="*",
            ms=9,
            color=POSITIVE,
            markeredgecolor="black",
            markeredgewidth=0.4,
            label=f"chosen model (K = {chosen_k}, seed {chosen_seed})",
        ),
        Line2D([], [], color="black", ls="--", lw=0.9, label="stability threshold"),
    ]
    _figure_legend(fig, panel, handles)
    edge = choice.get("edge") or {}
    at_edge = f" (the {edge['side']} K of the grid)" if edge.get("side") else ""
    panel.suptitle(
        f"Model selection: K = {chosen_k}, seed {chosen_seed} chosen{at_edge}",
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    reason = str(choice.get("reason") or "").strip()
    return _save(
        fig, out_stem, footnote=f"Why this model: {reason}" if reason else "", fontsize=7.5
    )


def _draw_stability(
    ax: Axes,
    rows: Sequence[Mapping[str, str]],
    path: PathLike,
    threshold: Any,
) -> None:
    """Stability panel: mean with min–max over seed pairs, threshold, failing Ks hollow."""
    data = sorted(
        (
            _int(r, "k", path, i),
            _num(r, "stability_mean", path, i),
            _num(r, "stability_min", path, i),
            _num(r, "stability_max", path, i),
        )
        for i, r in enumerate(rows, start=2)
    )
    data = [d for d in data if math.isfinite(d[1])]
    if not data:
        ax.text(
            0.5,
            0.5,
            "needs ≥ 2 seeds per K",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=GREY,
        )
        ax.set_yticks([])
        return
    ks = [d[0] for d in data]
    means = np.array([d[1] for d in data])
    lows = np.array([d[2] if math.isfinite(d[2]) else d[1] for d in data])
    highs = np.array([d[3] if math.isfinite(d[3]) else d[1] for d in data])
    ax.errorbar(
        ks,
        means,
        yerr=[means - lows, highs - means],
        color="black",
        lw=1.2,
        elinewidth=0.8,
        capsize=2,
        zorder=3,
        marker="none",
    )
    thr = float(threshold) if threshold is not None else None
    passes = np.ones(len(ks), bool) if thr is None else means >= thr
    ax.scatter(np.array(ks)[passes], means[passes], s=16, color="black", zorder=4)
    ax.scatter(
        np.array(ks)[~passes],
        means[~passes],
        s=16,
        facecolor="white",
        edgecolor="black",
        zorder=4,
        label="below threshold",
    )
    if thr is not None:
        ax.axhline(thr, color="black", ls="--", lw=0.9, zorder=2)
        ax.annotate(
            f"threshold {thr:g}",
            xy=(0.01, thr),
            xycoords=("axes fraction", "data"),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=6.5,
            va="bottom",
        )
        if (~passes).any():
            ax.text(
                0.99,
                0.02,
                "hollow: below threshold",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=6.5,
                color="#333333",
            )


# --------------------------------------------------------------------------- top terms
@_styled
def plot_top_terms(
    topic_terms_csv: PathLike,
    topics_csv: PathLike,
    out_stem: PathLike,
    n: int = 10,
) -> list[Path]:
    """One bar panel per topic with its ``n`` top terms by weight p(term | topic).

    Panels share the x axis so bar lengths compare across topics; each title is the
    topic's id and label and its prevalence (share of the corpus).

    Parameters
    ----------
    topic_terms_csv
        ``tables/topic_terms.csv`` (topic, rank, term, weight, ...).
    topics_csv
        ``tables/topics.csv`` (topic, label, prevalence, ...).
    out_stem
        Output path without suffix.
    n
        Terms per topic.

    Returns
    -------
    list of Path
        The PDF and PNG written.
    """
    rows = _read_table(topic_terms_csv, ["topic", "rank", "term", "weight"], "top terms")
    topics = read_topics(topics_csv)
    terms: dict[int, list[tuple[int, str, float]]] = {}
    for line, row in enumerate(rows, start=2):
        topic = _int(row, "topic", topic_terms_csv, line)
        rank = _int(row, "rank", topic_terms_csv, line)
        terms.setdefault(topic, []).append(
            (rank, row["term"], _num(row, "weight", topic_terms_csv, line))
        )
    topic_ids = sorted(terms)
    n_topics = len(topic_ids)
    nrows, ncols = _grid(n_topics, 4 if n_topics <= 16 else 5)
    panel_h = 0.75 + 0.15 * n
    fig, panel = _new_figure(2.6 * ncols, panel_h * nrows + 0.3)
    axes = _subplots(panel, n_topics, ncols, sharex=True)
    prevalences = [t.prevalence for t in topics.values()]
    scale = _share_scale(prevalences)
    for ax, topic in zip(axes, topic_ids, strict=True):
        top = sorted(terms[topic])[:n]
        labels = [_truncate(term, 22) for _, term, _ in top]
        weights = [w for _, _, w in top]
        y = np.arange(len(top))
        ax.barh(y, weights, color=OKABE_ITO[4], height=0.72)
        ax.set_yticks(y, labels)
        ax.set_ylim(n - 0.5, -0.5)
        ax.tick_params(axis="y", length=0, pad=2)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.grid(axis="x", color=LIGHT_GREY, lw=0.5)
        ax.set_axisbelow(True)
        info = topics.get(topic)
        prevalence = info.prevalence if info else math.nan
        prev_text = f"prevalence {prevalence * scale:.1f} %" if math.isfinite(prevalence) else ""
        name = _wrap(topic_name(topic, topics, width=80), 26, max_lines=2)
        ax.set_title(f"{name}\n{prev_text}" if prev_text else name, loc="left")
    for ax in axes[-ncols:]:
        ax.set_xlabel("weight p(term | topic)")
    return _save(fig, out_stem)


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
        keep = {self.order[i] for i in rank[:max_groups]}
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
    rows: Sequence[Mapping[str, str]], path: PathLike, facet: str
) -> dict[tuple[int, str], _Cell]:
    cells: dict[tuple[int, str], _Cell] = {}
    for line, row in enumerate(rows, start=2):
        key = (_int(row, "topic", path, line), row[facet])
        cells[key] = _Cell(
            _num(row, "mean", path, line),
            _num(row, "ci_low", path, line),
            _num(row, "ci_high", path, line),
        )
    return cells


PREVALENCE_COLUMNS = ("topic", "mean", "ci_low", "ci_high", "n_docs")


@_styled
def plot_prevalence_heatmap(
    prev_csv: PathLike,
    topics_csv: PathLike,
    facet: str,
    out_stem: PathLike,
    *,
    max_groups: int | None = None,
) -> list[Path]:
    """Heatmap of topic prevalence, topics × groups, each cell annotated with its interval.

    Prevalence is the table's ``mean``: the mean topic proportion of the group's
    documents (each document counts once).

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
    cells = {
        key: cell
        for key, cell in _prevalence_cells(rows, prev_csv, facet).items()
        if key[1] in groups.n_docs
    }
    scale = _share_scale([c.mean for c in cells.values()] + [c.high for c in cells.values()])
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
            ax.text(
                j,
                i,
                f"{cell.mean * scale:.1f}\n{ci}",
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
    ax.set_title(
        f"Topic prevalence by {facet}: mean document proportion (%) [interval]", loc="left"
    )
    bar = panel.colorbar(
        image, ax=ax, shrink=min(1.0, 4.0 / max(n_topics * cell_h, 1.0)), aspect=20, pad=0.01
    )
    bar.set_label("mean topic proportion (%)")
    notes = [
        "Each cell: mean proportion (%) of the topic in the group's documents, each "
        "document counting once, and its interval [low, high]; n = documents in the group.",
        _shown_groups_note(all_groups, groups, facet, prev_csv),
        _basis_footnote({_group_value(g): b for g, b in groups.basis.items()}),
        INTERVAL_CAVEAT,
        _flag_footnote(groups.all_flags()),
        f"{WIDENED_TEXT}." if groups.widened else "",
    ]
    if any_no_interval:
        notes.append(f"[no interval]: {NO_INTERVAL_TEXT}.")
    return _save(fig, out_stem, footnote=" ".join(n for n in notes if n))


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
    any_no_interval = False
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
        # Join only consecutive values: a line across a gap would suggest data there.
        isolated = np.zeros(len(xs), bool)
        start = 0
        for idx in range(1, len(xs) + 1):
            if idx == len(xs) or xs[idx] - xs[idx - 1] > step * 1.001:
                seg = slice(start, idx)
                isolated[seg] = idx - start == 1
                ax.plot(xs[seg], means[seg], color=OKABE_ITO[4], lw=0.9, zorder=2)
                ax.fill_between(
                    xs[seg],
                    lows[seg],
                    highs[seg],
                    where=has_ci[seg],
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
        + (" The line is broken where values have no documents." if gaps else ""),
        _basis_footnote({_group_value(g): b for g, b in groups.basis.items()}),
        INTERVAL_CAVEAT,
        _flag_footnote(groups.all_flags()),
        f"{WIDENED_TEXT}." if groups.widened else "",
        f"×: {NO_INTERVAL_TEXT}." if any_no_interval else "",
    ]
    return _save(fig, out_stem, footnote=" ".join(n for n in notes if n))


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
    topics = read_topics(topics_csv)
    all_groups, topic_ids = _read_groups(rows, diff_csv, facet)
    groups = all_groups.largest(max_groups)
    cells: dict[tuple[int, str], tuple[_Cell, bool]] = {}
    n_rest: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        if (row.get("n_rest") or "").strip():
            n_rest[row[facet]] = _int(row, "n_rest", diff_csv, line)
        cell = _Cell(
            _num(row, "difference", diff_csv, line),
            _num(row, "ci_low", diff_csv, line),
            _num(row, "ci_high", diff_csv, line),
        )
        if "excludes_zero" in row and (row.get("excludes_zero") or "").strip():
            excludes = _truthy(row["excludes_zero"])
        else:
            excludes = _has_interval(cell.low, cell.high) and (cell.low > 0 or cell.high < 0)
        if row[facet] in groups.n_docs:
            cells[(_int(row, "topic", diff_csv, line), row[facet])] = (cell, excludes)
    scale = _share_scale(
        [abs(c.low) for c, _ in cells.values()] + [abs(c.high) for c, _ in cells.values()]
    )
    n_topics, n_groups = len(topic_ids), len(groups.order)
    nrows, ncols = _grid(n_groups, 4 if n_topics <= 15 else 6)
    two_line = n_topics <= 15
    panel_h = 0.8 + (0.32 if two_line else 0.18) * n_topics
    fig, panel = _new_figure(2.6 + 2.0 * ncols, panel_h * nrows + 0.5)
    axes = _subplots(panel, n_groups, ncols, sharex=True, sharey=True)
    y = np.arange(n_topics)
    any_no_interval = False
    any_weak = False
    for ax, group in zip(axes, groups.order, strict=True):
        ax.axvline(0, color="black", lw=0.8, zorder=1)
        # An interval from one or very few documents is no evidence of a group difference,
        # even when it excludes zero: draw it dashed and hollow, never as a solid finding.
        weak = bool(groups.flags.get(group))
        drawn = 0
        # The panel's intervals are one line collection, its dots one scatter call and
        # its crosses another: an artist per topic re-scaled every shared axis each time
        # and was drawn one by one (31 panels x 40 topics: 24 s of 50).
        bars: dict[str, list[Any]] = {"xy": [], "colour": [], "lw": [], "ls": []}
        dots: dict[str, list[Any]] = {"x": [], "y": [], "face": [], "edge": []}
        crosses: dict[str, list[float]] = {"x": [], "y": []}
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
                    face, style, any_weak = "white", (0, (2, 1.5)), True
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
                any_no_interval = True
                crosses["x"].append(diff)
                crosses["y"].append(i)
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
        if crosses["x"]:
            ax.scatter(
                crosses["x"], crosses["y"], marker="x", s=20, color="black", lw=0.9, zorder=3
            )
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
        title = _group_label(group, groups)
        if group in n_rest:  # on its own line: side by side, long names run into the next panel
            title += f"\nvs rest (n={n_rest[group]})"
        marks = _flag_marks(groups.all_flags())
        flagged = [f"{marks[f]} {FLAG_SHORT.get(f, f)}" for f in groups.flags.get(group, ())]
        if flagged:
            title += "\n" + "; ".join(flagged)
        ax.set_title(title, loc="left")
        ax.grid(axis="x", color=LIGHT_GREY, lw=0.5)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
    names = [
        _wrap(topic_name(t, topics, 64), 32) if two_line else topic_name(t, topics, 32)
        for t in topic_ids
    ]
    axes[0].set_yticks(y, names)
    axes[0].set_ylim(n_topics - 0.5, -0.5)
    for ax in axes[-ncols:]:
        ax.set_xlabel("difference to rest of corpus\n(percentage points)")
    handles = [
        Line2D(
            [],
            [],
            color=POSITIVE,
            marker="o",
            ms=4.5,
            lw=1.6,
            label="higher than the rest (interval excludes 0)",
        ),
        Line2D(
            [],
            [],
            color=NEGATIVE,
            marker="o",
            ms=4.5,
            lw=1.6,
            label="lower than the rest (interval excludes 0)",
        ),
        Line2D(
            [], [], color=GREY, marker="o", ms=4.5, mfc="white", lw=1.0, label="interval includes 0"
        ),
    ]
    if any_weak:
        handles.append(
            Line2D(
                [],
                [],
                color=GREY,
                marker="o",
                ms=4.5,
                mfc="white",
                lw=1.4,
                ls=(0, (2, 1.5)),
                label="excludes 0, but from one or few documents: not evidence",
            )
        )
    if any_no_interval:
        handles.append(
            Line2D([], [], ls="", marker="x", ms=4.5, color="black", label="no interval")
        )
    _figure_legend(fig, panel, handles)
    panel.suptitle(
        f"Topic prevalence: each {facet} minus the rest of the corpus",
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    notes = [
        "Dot: the mean topic proportion of the group's documents minus that of all other "
        "documents, with its interval; n = documents in the group.",
        _shown_groups_note(all_groups, groups, facet, diff_csv),
        _basis_footnote({_group_value(g): b for g, b in groups.basis.items()}),
        INTERVAL_CAVEAT,
        _flag_footnote(groups.all_flags()),
        f"{WIDENED_TEXT}." if groups.widened else "",
        f"×: {NO_INTERVAL_TEXT}." if any_no_interval else "",
    ]
    return _save(fig, out_stem, footnote=" ".join(n for n in notes if n))


# --------------------------------------------------------------------------- documents
def order_documents(
    shares: np.ndarray, doc_ids: Sequence[str], *, max_docs: int | None = None
) -> list[int]:
    """Row indices of the documents to draw, in drawing order (top to bottom).

    Documents are sorted by dominant topic (column index), then by that topic's share
    (largest first), then by doc_id. With more than ``max_docs`` documents, ``max_docs``
    are taken at even steps through that order, always including the first and last.
    """
    shares = np.asarray(shares, dtype=float)
    dominant = shares.argmax(axis=1) if shares.size else np.zeros(len(doc_ids), int)
    order = sorted(
        range(len(doc_ids)),
        key=lambda i: (int(dominant[i]), -float(shares[i, dominant[i]]), doc_ids[i]),
    )
    if max_docs is not None and len(order) > max_docs:
        picks = np.unique(np.round(np.linspace(0, len(order) - 1, max_docs)).astype(int))
        order = [order[i] for i in picks]
    return order


def _read_doc_weights(doc_topics_csv: PathLike) -> tuple[list[str], np.ndarray, dict[int, int]]:
    """Read ``doc_topics.csv`` (long: doc_id, topic, weight) row by row into a matrix.

    Memory holds one number per document and topic, not a Python object per row. An
    empty or non-finite weight counts as 0; a document without a row for a topic has 0
    for it; of repeated (doc_id, topic) rows the last counts.

    Returns
    -------
    doc_ids : list of str
        Documents in the order of their first row.
    weights : numpy.ndarray
        ``len(doc_ids) × len(columns)`` weights.
    columns : dict
        Topic id to its column of ``weights`` (in the order of the topic's first row).

    Raises
    ------
    UserError
        If the table is missing, lacks a column, has no rows or a cell is not a number.
    """
    path = Path(doc_topics_csv)
    _check_table(path, ["doc_id", "topic", "weight"], "document composition")
    rows_of: dict[str, int] = {}
    columns: dict[int, int] = {}
    weights = np.zeros((1024, 8))
    with open(path, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            value = _num(row, "weight", doc_topics_csv, line)
            topic = _int(row, "topic", doc_topics_csv, line)
            i = rows_of.setdefault(row["doc_id"], len(rows_of))
            j = columns.setdefault(topic, len(columns))
            if i >= weights.shape[0] or j >= weights.shape[1]:
                grown = np.zeros(
                    (max(weights.shape[0], 2 * (i + 1)), max(weights.shape[1], 2 * (j + 1)))
                )
                grown[: weights.shape[0], : weights.shape[1]] = weights
                weights = grown
            weights[i, j] = value if math.isfinite(value) else 0.0
    if not rows_of:
        raise _no_rows_error(path, "document composition")
    return list(rows_of), weights[: len(rows_of), : len(columns)], columns


@_styled
def plot_doc_composition(
    doc_topics_csv: PathLike,
    topics_csv: PathLike,
    out_stem: PathLike,
    doc_labels: Mapping[str, str] | None = None,
    max_docs: int = 60,
) -> list[Path]:
    """Stacked horizontal bars: each document's topic composition (shares sum to 100 %).

    Documents are ordered by their dominant topic (topic id), then by that topic's share
    (largest first), so documents with the same main theme stand together. When there are
    more than ``max_docs`` documents, ``max_docs`` of them are shown, taken at even steps
    through that order (so every dominant topic keeps its share of rows); the title says
    how many of how many are shown. Topics use Okabe–Ito colours, with hatching from the
    ninth topic on; the legend (outside, right) names every topic.

    Parameters
    ----------
    doc_topics_csv
        ``tables/doc_topics.csv`` in long form: doc_id, topic, weight.
    topics_csv
        ``tables/topics.csv``.
    out_stem
        Output path without suffix.
    doc_labels
        Optional readable name per doc_id (e.g. "Lund 2019"); doc_id otherwise.
    max_docs
        Most documents drawn.

    Returns
    -------
    list of Path
        The PDF and PNG written.
    """
    if max_docs < 1:
        raise ValueError("max_docs must be at least 1")
    doc_ids, weights, columns = _read_doc_weights(doc_topics_csv)
    topics = read_topics(topics_csv)
    topic_ids = sorted(set(columns) | set(topics))
    matrix = np.zeros((len(doc_ids), len(topic_ids)))
    for j, topic in enumerate(topic_ids):
        if topic in columns:
            matrix[:, j] = weights[:, columns[topic]]
    del weights
    totals = matrix.sum(axis=1, keepdims=True)
    matrix = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0) * 100
    order = order_documents(matrix, doc_ids, max_docs=max_docs)
    n_all = len(doc_ids)
    labels = doc_labels or {}
    names = [_truncate(labels.get(doc_ids[i], doc_ids[i]), 48) for i in order]
    shown = matrix[order]

    n_topics = len(topic_ids)
    legend_cols = 1 if n_topics <= 20 else 2
    height = 1.3 + 0.2 * len(order)
    fig, panel = _new_figure(4.5 + 2.2 * legend_cols + 1.8, max(height, 2.0))
    ax = panel.subplots()
    y = np.arange(len(order))
    left = np.zeros(len(order))
    handles = []
    for j, topic in enumerate(topic_ids):
        colour, hatch = topic_style(topic)
        ax.barh(
            y,
            shown[:, j],
            left=left,
            height=0.78,
            color=colour,
            hatch=hatch,
            hatchcolor=_hatch_colour(colour),
            edgecolor="white",
            lw=0.4,
        )
        handles.append(
            Patch(
                facecolor=colour,
                hatch=hatch,
                hatchcolor=_hatch_colour(colour),
                edgecolor="white",
                label=_wrap(topic_name(topic, topics, 70), 34),
            )
        )
        if len(order) <= 40:
            # Print shares of 8 % or more inside their segment.
            for i in np.flatnonzero(shown[:, j] >= 8):
                ax.text(
                    left[i] + shown[i, j] / 2,
                    float(i),
                    f"{shown[i, j]:.0f}",
                    ha="center",
                    va="center",
                    fontsize=6,
                    color=_text_colour(mcolors.to_rgba(colour)),
                    bbox={"boxstyle": "square,pad=0.1", "fc": colour, "lw": 0} if hatch else None,
                )
        left += shown[:, j]
    ax.set_yticks(y, names)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the document's text (%)")
    ax.tick_params(axis="y", length=0)
    for spine in ("left", "top", "right"):
        ax.spines[spine].set_visible(False)
    ax.legend(
        handles=handles,
        title="Topic",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        ncol=legend_cols,
        frameon=False,
        handlelength=1.6,
        handleheight=1.1,
    )
    what = (
        f"Topic composition of {len(order)} of {n_all} documents"
        if n_all > len(order)
        else f"Topic composition of the {n_all} document{'s' if n_all != 1 else ''}"
    )
    ax.set_title(what, loc="left", fontweight="bold")
    note = (
        "Documents ordered by their dominant topic, then by its share; numbers are shares "
        "(%) of 8 % or more."
    )
    if n_all > len(order):
        note += (
            f" Only {len(order)} of {n_all} documents are drawn, taken at even steps through "
            "that order; tables/doc_topics.csv has all of them."
        )
    return _save(fig, out_stem, footnote=note)
