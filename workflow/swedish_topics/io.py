"""Atomic, deterministic file output.

Every file the workflow writes goes through this module: content is written to a
temporary file in the destination folder and renamed into place, so an interrupted
rule never leaves a file that looks complete.

Examples
--------
>>> from swedish_topics.io import atomic_write_text
>>> atomic_write_text(path, "hej\\n")  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import math
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np

logger = logging.getLogger(__name__)

#: Decimal places used for floats in every table, so that tables are byte-identical
#: across runs and machines whose last-bit floating-point results could differ.
FLOAT_DIGITS = 6

#: Most data rows a table may have to be written also as LaTeX and Markdown. A longer
#: table (e.g. ``doc_topics``: documents × topics) is data, not a table for a paper: its
#: ``.tex`` and ``.md`` hold a short note pointing to the CSV instead (see
#: :func:`write_display_note`).
MAX_DISPLAY_ROWS = 1000


def _file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


_FILE_MODE = _file_mode()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=f".tmp{suffix}", dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        if tmp.exists():
            os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; results are ordinary files
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextlib.contextmanager
def atomic_open(
    path: str | os.PathLike[str], mode: str = "w", encoding: str | None = "utf-8"
) -> Iterator[IO[Any]]:
    """Open a temporary file for writing; it replaces ``path`` only on success."""
    binary = "b" in mode
    with atomic_path(path) as tmp:
        kwargs: dict[str, Any] = {} if binary else {"encoding": encoding, "newline": ""}
        with open(tmp, mode, **kwargs) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary folder that replaces the folder ``path`` only on success."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` atomically."""
    with atomic_open(path) as handle:
        handle.write(text)


#: Indentation of the JSON files written by :func:`atomic_write_json`.
JSON_INDENT = 2


def iter_json(data: Any) -> Iterator[str]:
    """The text of :func:`atomic_write_json` in pieces, as they are encoded.

    Joined, the pieces are ``json.dumps(data, indent=2, sort_keys=True,
    ensure_ascii=False)`` followed by a line end.
    """
    encoder = json.JSONEncoder(indent=JSON_INDENT, sort_keys=True, ensure_ascii=False)
    yield from encoder.iterencode(data)
    yield "\n"


def atomic_write_json(path: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as sorted, indented JSON atomically.

    The text is written as it is encoded: memory holds neither the whole text nor its
    pieces (several times the text for long lists).
    """
    with atomic_open(path) as handle:
        for chunk in iter_json(data):
            handle.write(chunk)


#: Makes the stand-ins of :func:`json_stand_in` unique to this process.
_STAND_IN_TOKEN = uuid.uuid4().hex


def json_stand_in(name: str) -> str:
    """The string to put in the data for :func:`atomic_write_json_spliced` in place of
    the value that its ``splices[name]`` writes."""
    return f"stand-in-{_STAND_IN_TOKEN}-{name}"


def atomic_write_json_spliced(
    path: str | os.PathLike[str],
    data: Any,
    splices: Mapping[str, Callable[[str], Iterable[str]]],
) -> None:
    """Write ``data`` as :func:`atomic_write_json` does, some values written by the caller.

    ``data`` holds :func:`json_stand_in` ``(name)`` in place of each value that
    ``splices[name]`` writes: called with ``outer`` (a line end and the indentation of the
    line that holds the value's key), it yields the pieces of the value's JSON text as the
    indenting encoder would write it there. The rest is encoded as usual and the pieces
    are written as they come, so a long value (a checksum per document, a vocabulary) need
    not be held whole, nor go through the standard library's pure-Python indenting
    encoder.
    """
    text = "".join(iter_json(data))
    stand_ins = {name: json.dumps(json_stand_in(name)) for name in splices}
    with atomic_open(path) as handle:
        for name in sorted(splices, key=lambda name: text.index(stand_ins[name])):
            head, text = text.split(stand_ins[name], 1)
            key_line = head[head.rindex("\n") + 1 :]  # e.g. '    "sha256": '
            outer = "\n" + " " * (len(key_line) - len(key_line.lstrip(" ")))
            handle.write(head)
            for piece in splices[name](outer):
                handle.write(piece)
        handle.write(text)


def atomic_save_npz(path: str | os.PathLike[str], **arrays: np.ndarray) -> None:
    """Save arrays to a compressed ``.npz`` atomically (no object arrays: pickle-free)."""
    for name, arr in arrays.items():
        if np.asarray(arr).dtype == object:
            raise TypeError(f"array {name!r} has dtype object; it would need pickle")
    with atomic_open(path, "wb") as handle:
        np.savez_compressed(handle, allow_pickle=False, **arrays)


def load_npz(
    path: str | os.PathLike[str], names: Sequence[str] | None = None
) -> dict[str, np.ndarray]:
    """Load an ``.npz`` written by :func:`atomic_save_npz`, refusing pickled content.

    Parameters
    ----------
    path
        The ``.npz`` file.
    names
        Load only these arrays (each is stored separately, so the others are not read);
        all arrays by default.

    Raises
    ------
    KeyError
        If an array of ``names`` is not in the file.
    """
    with np.load(path, allow_pickle=False) as data:
        return {name: data[name] for name in (data.files if names is None else names)}


def format_value(value: Any) -> str:
    """Format one table cell deterministically (floats rounded to FLOAT_DIGITS)."""
    if value is None:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        if np.isnan(value):
            return ""
        rounded = round(float(value), FLOAT_DIGITS)
        if rounded == 0:
            rounded = 0.0  # no "-0.0"
        return repr(rounded)
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def write_csv(
    path: str | os.PathLike[str],
    rows: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
) -> int:
    """Write ``rows`` as a CSV with the given column order, atomically.

    Returns the number of data rows written.
    """
    count = 0
    with atomic_open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([format_value(row.get(col)) for col in columns])
            count += 1
    return count


def read_csv(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """Read a CSV written by :func:`write_csv` into a list of dicts of strings."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def latex_escape(text: str) -> str:
    """Escape LaTeX special characters (å, ä, ö pass through: use UTF-8 input)."""
    return "".join(_LATEX_SPECIALS.get(ch, ch) for ch in text)


def markdown_escape(text: str) -> str:
    """Escape characters that would break a Markdown table cell or render as HTML."""
    return (
        text.replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\n", " ")
    )


#: Columns that hold a share (a proportion, 0–1): printed in percent.
SHARE_COLUMNS = frozenset(
    {"mean", "group_mean", "rest_mean", "pooled_mean", "pooled_low", "pooled_high", "prevalence"}
)
#: Columns that hold a difference or a slope of shares: printed in percentage points.
SHARE_DIFFERENCE_COLUMNS = frozenset({"difference", "estimate", "slope"})
#: Interval bounds: printed in the unit of their table's estimate.
BOUND_COLUMNS = frozenset({"ci_low", "ci_high", "fcr_low", "fcr_high"})
#: p- and q-values: printed with two significant digits.
P_VALUE_COLUMNS = frozenset({"p_value", "q_value"})


def print_units(columns: Sequence[str]) -> dict[str, str]:
    """The print unit of each column of a table that holds shares: ``"%"`` (a share) or
    ``"pp"`` (a difference or slope of shares, and the bounds of its interval).

    A document's ``weight`` (tables with a ``doc_id``) is a share too; a term's weight
    (a word probability) is not.
    """
    diff = any(c in SHARE_DIFFERENCE_COLUMNS for c in columns)
    share = any(c in SHARE_COLUMNS for c in columns)
    units: dict[str, str] = {}
    for c in columns:
        if c in SHARE_COLUMNS or (c == "weight" and "doc_id" in columns):
            units[c] = "%"
        elif c in SHARE_DIFFERENCE_COLUMNS or (c in BOUND_COLUMNS and diff):
            units[c] = "pp"
        elif c in BOUND_COLUMNS and share:
            units[c] = "%"
    return units


def format_print(value: Any, column: str = "", unit: str = "") -> str:
    """Format one cell of a Markdown or LaTeX table for print.

    Shares in percent and differences in percentage points (``unit``), one decimal;
    p- and q-values with two significant digits; other floats with three (whole
    numbers without decimals). The CSV keeps :func:`format_value`'s full precision.
    """
    if value is None or isinstance(value, bool | np.bool_ | str | int | np.integer):
        return format_value(value)
    if not isinstance(value, float | np.floating):
        return str(value)
    v = float(value)
    if math.isnan(v):
        return ""
    if unit:
        text = f"{100 * v:.1f}"
    elif column in P_VALUE_COLUMNS:
        text = f"{v:#.2g}"
    elif v.is_integer() and abs(v) < 1e15:
        text = str(int(v))
    elif abs(v) >= 100:
        text = f"{v:.1f}"
    else:
        text = f"{v:.3g}"
    return "0.0" if text in ("-0.0", "-0") else text


def _print_header(columns: Sequence[str], units: Mapping[str, str]) -> list[str]:
    return [f"{c} ({units[c]})" if c in units else c for c in columns]


def print_caption(caption: str, units: Mapping[str, str]) -> str:
    """The caption of a printed table, saying its units and that the CSV is exact."""
    kinds = set(units.values())
    if not kinds:
        return caption
    said = " and ".join(
        part
        for part, kind in (
            ("shares in percent (%)", "%"),
            ("differences in percentage points (pp)", "pp"),
        )
        if kind in kinds
    )
    return (
        f"{caption} Printed here: {said}, one decimal; p- and q-values with two significant "
        "digits. The CSV beside this table holds proportions (0–1) at full precision."
    )


def table_to_latex(rows: Sequence[Mapping[str, Any]], columns: Sequence[str], caption: str) -> str:
    """Render rows as a booktabs LaTeX table, rounded for print (:func:`format_print`)."""
    units = print_units(columns)
    buf = io.StringIO()
    buf.write("% Requires \\usepackage{booktabs}; UTF-8 input (\\usepackage[utf8]{inputenc}).\n")
    buf.write("\\begin{table}[htbp]\n\\centering\n")
    buf.write(f"\\caption{{{latex_escape(print_caption(caption, units))}}}\n")
    buf.write("\\begin{tabular}{" + "l" * len(columns) + "}\n\\toprule\n")
    buf.write(
        " & ".join(latex_escape(c) for c in _print_header(columns, units)) + " \\\\\n\\midrule\n"
    )
    for row in rows:
        cells = [latex_escape(format_print(row.get(c), c, units.get(c, ""))) for c in columns]
        buf.write(" & ".join(cells) + " \\\\\n")
    buf.write("\\bottomrule\n\\end{tabular}\n\\end{table}\n")
    return buf.getvalue()


def table_to_markdown(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> str:
    """Render rows as a GitHub-flavoured Markdown table, rounded for print."""
    units = print_units(columns)
    header = _print_header(columns, units)
    lines = ["| " + " | ".join(markdown_escape(c) for c in header) + " |"]
    lines.append("|" + "|".join("---" for _ in columns) + "|")
    for row in rows:
        cells = [markdown_escape(format_print(row.get(c), c, units.get(c, ""))) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_display_copies(
    path: str | os.PathLike[str],
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    caption: str,
) -> None:
    """Write ``.tex`` (booktabs) and ``.md`` copies of a table beside its CSV ``path``,
    rounded for print (shares in percent, see :func:`print_units`); the CSV is exact."""
    csv_path = Path(path)
    atomic_write_text(csv_path.with_suffix(".tex"), table_to_latex(rows, columns, caption))
    md_caption = print_caption(caption, print_units(columns))
    atomic_write_text(
        csv_path.with_suffix(".md"), f"{md_caption}\n\n" + table_to_markdown(rows, columns)
    )


def write_display_note(path: str | os.PathLike[str], *, n_rows: int, caption: str) -> None:
    """Write ``.tex`` and ``.md`` notes beside a CSV ``path`` too long to show as a table.

    A table of ``n_rows`` rows (more than :data:`MAX_DISPLAY_ROWS`) belongs in no paper
    and no Markdown viewer; typesetting it would only take time, disk and memory. The
    files still exist (every table has its three files), so that a missing file is never
    mistaken for a failed run: the ``.tex`` holds LaTeX comments only (``\\input`` of it
    typesets nothing), the ``.md`` the caption and the note. The CSV is the full table.

    Parameters
    ----------
    path
        The CSV (full table) the notes are written beside.
    n_rows
        Data rows of the CSV.
    caption
        The table's caption, kept in both notes.
    """
    csv_path = Path(path)
    note = (
        f"The table has {n_rows:,} rows, more than {MAX_DISPLAY_ROWS:,}: too many to typeset, "
        f"so it is written as CSV only; the full table is {csv_path.name} beside this file."
    )
    latex = "".join(f"% {line}\n" for line in (f"Table: {caption}", note))
    atomic_write_text(csv_path.with_suffix(".tex"), latex)
    atomic_write_text(csv_path.with_suffix(".md"), f"{caption}\n\n{note}\n")


def write_table(
    path: str | os.PathLike[str],
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    caption: str,
) -> None:
    """Write a main table as CSV at ``path`` plus ``.tex`` (booktabs) and ``.md`` beside it."""
    write_csv(path, rows, columns)
    write_display_copies(path, rows, columns, caption)
