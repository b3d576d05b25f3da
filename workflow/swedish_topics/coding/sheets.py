"""Reading the sheets coders fill in (CSV saved by a spreadsheet or a text editor).

A sheet is the CSV the workflow wrote (``validation/word_intrusion.csv``,
``validation/topic_intrusion.csv`` or ``validation/coding_sample.csv``) with the answer
column filled in. Spreadsheets save it in their own way: a UTF-8 byte-order mark, Windows
line ends, ``;`` instead of ``,`` (Excel with a Swedish locale), quoted cells. All of
these are accepted; a sheet that cannot be read is refused with a message naming the
file, line and column and the fix.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from swedish_topics.errors import UserError

_DELIMITERS = (",", ";", "\t")


class SheetError(UserError):
    """A coder's sheet (or a key file) that cannot be read or holds an invalid answer."""


@dataclass(frozen=True)
class Sheet:
    """A sheet's rows (dicts of stripped strings) and the line on which each row starts."""

    path: Path
    columns: list[str]
    rows: list[dict[str, str]]
    lines: list[int]

    @property
    def coder(self) -> str:
        """The coder's name: the file name without its extension."""
        return self.path.stem

    def column_number(self, name: str) -> int:
        """1-based column of ``name`` (as a spreadsheet counts)."""
        return self.columns.index(name) + 1


def read_sheet(path: str | Path, required: Sequence[str]) -> Sheet:
    """Read a filled-in sheet; check that it has the ``required`` columns.

    Raises
    ------
    SheetError
        If the file is missing, not UTF-8, lacks a required column, or a row has more
        fields than the header.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise SheetError(
            f"{path} does not exist. Give the path of a sheet a coder filled in (a copy of "
            "the CSV under results/validation/, e.g. word_intrusion.csv)."
        ) from None
    except UnicodeDecodeError as err:
        raise SheetError(
            f"{path} is not UTF-8 (byte {err.start} is 0x{text_byte(path, err.start):02X}). "
            "Save it again as 'CSV UTF-8' (Excel: File > Save As > CSV UTF-8; LibreOffice: "
            "character set Unicode (UTF-8))."
        ) from None
    header = text.splitlines()[0] if text.strip() else ""
    delimiter = max(_DELIMITERS, key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        columns = [c.strip() for c in next(reader)]
    except StopIteration:
        raise SheetError(f"{path} is empty. Give the sheet a coder filled in.") from None
    missing = [c for c in required if c not in columns]
    if missing:
        raise SheetError(
            f"{path} line 1: the header has no column {', '.join(repr(c) for c in missing)} "
            f"(it has {', '.join(repr(c) for c in columns)}). Keep the header row of the sheet "
            "the workflow wrote, and write answers in its answer column without renaming it."
        )
    rows, lines = [], []
    for fields in reader:
        if not any(f.strip() for f in fields):
            continue
        if len(fields) > len(columns):
            raise SheetError(
                f"{path} line {reader.line_num}: {len(fields)} fields but {len(columns)} "
                "columns in the header. A cell probably holds an unquoted delimiter; save the "
                "sheet from a spreadsheet program, which quotes such cells."
            )
        fields = fields + [""] * (len(columns) - len(fields))
        rows.append({c: f.strip() for c, f in zip(columns, fields, strict=True)})
        lines.append(reader.line_num)
    return Sheet(path=path, columns=columns, rows=rows, lines=lines)


def text_byte(path: Path, offset: int) -> int:
    """The byte at ``offset`` of ``path`` (for error messages)."""
    return path.read_bytes()[offset]
