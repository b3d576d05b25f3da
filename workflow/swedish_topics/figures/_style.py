"""Shared styling and helpers of every figure: palette, fonts, saving, table reading, flags.

See :mod:`swedish_topics.figures` for the conventions every figure follows.
"""

from __future__ import annotations

import csv
import functools
import logging
import math
import re
import textwrap
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, ParamSpec, TypeVar, cast

import matplotlib
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase, SubFigure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FuncFormatter, MaxNLocator

from swedish_topics import io as sio
from swedish_topics.errors import UserError

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

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
    "A bootstrap interval describes variation between documents (or units), not topic-model "
    "uncertainty; a score or t interval from documents + model posterior includes both. "
    "Intervals are "
    "not adjusted for multiple comparisons (the tables' q_value is)."
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


#: Text of the PNG ``Description`` of a figure that only says why it has nothing to show
#: (:func:`save_notice`); :func:`is_notice` reads it, so a page that lists the figures
#: can leave such a file off.
NOTICE_DESCRIPTION = "swedish_topics notice: nothing to show"


def wrap_title(text: str, width_in: float, fontsize: float | None = None) -> str:
    """Wrap a bold title to a figure ``width_in`` inches wide (about 0.62 em a character),
    so that it is never cut off at the figure's right edge."""
    size = float(fontsize or matplotlib.rcParams["figure.titlesize"])
    chars = max(20, int((width_in - 0.2) * 72 / (size * 0.62)))
    return "\n".join(textwrap.fill(part, chars) for part in text.split("\n"))


def save_notice(out_stem: PathLike, title: str, reason: str) -> list[Path]:
    """A small image in place of a figure with nothing to show: its title and why.

    Written as ``<stem>.pdf`` and ``<stem>.png`` like every figure (a rule's output
    exists), with :data:`NOTICE_DESCRIPTION` in the PNG's metadata (:func:`is_notice`).
    """
    width = 6.0
    fontsize = 8.0
    body = _wrap_paragraph(reason, width - 0.4, fontsize)
    titled = wrap_title(title, width)
    height = 0.35 + (titled.count("\n") + 1) * 0.2 + (body.count("\n") + 1) * fontsize * 1.4 / 72
    fig = Figure(figsize=(width, height))
    fig.text(
        0.2 / width,
        1 - 0.15 / height,
        titled,
        ha="left",
        va="top",
        fontweight="bold",
        fontsize=float(matplotlib.rcParams["figure.titlesize"]),
    )
    fig.text(
        0.2 / width, 0.15 / height, body, ha="left", va="bottom", fontsize=fontsize, color="#333333"
    )
    stem = _stem(out_stem)
    written: list[Path] = []
    for fmt in ("pdf", "png"):
        target = stem.with_name(f"{stem.name}.{fmt}")
        metadata = {"CreationDate": None} if fmt == "pdf" else {"Description": NOTICE_DESCRIPTION}
        with sio.atomic_path(target, suffix=f".{fmt}") as tmp:
            fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata, facecolor="white")
        written.append(target)
    logger.warning("%s: nothing to show (%s); wrote a notice instead", stem.name, reason)
    return written


def is_notice(png: PathLike) -> bool:
    """Whether ``png`` is a notice written by :func:`save_notice` (not a figure)."""
    from PIL import Image

    with Image.open(png) as image:
        return image.info.get("Description") == NOTICE_DESCRIPTION


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

    def how(basis: str) -> str:
        # score and t intervals (analysis.interval) are not a bootstrap
        for word in ("score", "t"):
            if f"({word}" in basis:
                return f"{word} interval from {basis.split(f' ({word}')[0]}"
        return f"bootstrap over {basis}"

    if len(by_basis) == 1:
        return f"{ci_word}: {how(next(iter(by_basis)))}."

    def names(groups: list[str]) -> str:
        shown = ", ".join(groups[:6])
        return shown + (f" and {len(groups) - 6} more" if len(groups) > 6 else "")

    parts = [f"{how(basis)} for {names(groups)}" for basis, groups in by_basis.items()]
    return f"{ci_word}: " + "; ".join(parts) + "."


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
