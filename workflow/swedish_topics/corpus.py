"""Read and validate a corpus folder: ``texts/<doc_id>.txt`` plus ``metadata.csv``.

The corpus format is the workflow's public input interface:

- ``texts/<doc_id>.txt``: one plain-text document per file, UTF-8 (a byte-order mark and
  CRLF or CR line ends are accepted and normalised away).
- ``metadata.csv``: a header line with a ``doc_id`` column plus any metadata columns, one
  row per document. Comma, semicolon and tab delimiters are recognised from the header
  line (so a file saved by Excel, with a BOM and semicolons, works), with standard CSV
  quoting. Surrounding whitespace of column names and values is removed; wholly empty
  rows are skipped.

Doc ids become file names in ``texts/`` and appear in output paths, tables and HTML, so
they are restricted to a portable set: ASCII letters and digits, the Swedish letters
å, ä, ö, Å, Ä, Ö, and ``.``, ``_``, ``-``; they must start with a letter or digit, must not
end with ``.``, must not be a reserved Windows device name (``CON``, ``NUL``, ``COM1`` …)
and must fit a file name (at most 251 bytes in UTF-8, leaving room for ``.txt``).

:func:`validate_corpus` checks everything and reports every problem at once, each as one
paragraph naming the file, the line or byte and the fix. It reads ``metadata.csv`` a row
at a time and the texts one at a time; memory holds the doc ids and a few bytes per
document besides them.

Examples
--------
>>> from pathlib import Path
>>> report = validate_corpus(  # doctest: +SKIP
...     Path("corpus"), facets=["municipality", "year"], numeric_facets=["year"],
...     min_group_docs=3, max_text_mb=50)
>>> for doc_id, text in iter_documents(Path("corpus"), report.doc_ids):  # doctest: +SKIP
...     ...
"""

from __future__ import annotations

import codecs
import csv
import difflib
import itertools
import logging
import os
import re
import unicodedata
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from swedish_topics.errors import CorpusError

logger = logging.getLogger(__name__)

#: Name of the metadata table inside a corpus folder.
METADATA_NAME = "metadata.csv"
#: Name of the folder of texts inside a corpus folder.
TEXTS_NAME = "texts"
#: The column that links a metadata row to ``texts/<doc_id>.txt``.
DOC_ID = "doc_id"
#: Delimiters recognised in ``metadata.csv``, in order of preference on a tie.
DELIMITERS = (",", ";", "\t")
#: Bytes in one MB for ``preprocess.max_text_mb`` (decimal megabytes).
BYTES_PER_MB = 1_000_000
#: At most this many problems (or warnings) of one kind are listed one by one; the rest
#: are summarised in one paragraph, so that a wrong folder does not print 15,000 lines.
MAX_LISTED_PER_KIND = 10

_SAFE_ID = re.compile(r"[A-Za-z0-9ÅÄÖåäö][A-Za-z0-9ÅÄÖåäö._-]*")
_SAFE_CHAR = re.compile(r"[A-Za-z0-9ÅÄÖåäö._-]")
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{i}" for i in range(1, 10)]
    + [f"LPT{i}" for i in range(1, 10)]
)
_MAX_ID_BYTES = 255 - len(".txt")
_INTEGER = re.compile(r"[+-]?[0-9]+")
#: The first line of a text after leading line ends (the line boundaries of str.splitlines).
_FIRST_LINE = re.compile(r"[\r\n]*([^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*)")
#: metadata.csv is checked in chunks of this many bytes.
_CHUNK_BYTES = 1 << 16
_Number = TypeVar("_Number", int, float)
_DELIMITER_NAMES = {",": "comma ','", ";": "semicolon ';'", "\t": "tab"}
# UTF-8 text decoded as Latin-1/Windows-1252 and saved again as UTF-8 ("Ã¥" for "å").
_MOJIBAKE = re.compile("Ã[¥¤¶…„–©¼]")
# Bytes that occur in text; a file with over 5 % other (control) bytes is binary.
_TEXT_BYTES = bytes([7, 8, 9, 10, 11, 12, 13, 27, *range(0x20, 0x100)])
_BINARY_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF", "a PDF file", "extract its text first, e.g. `pdftotext -enc UTF-8 in.pdf out.txt`"),
    (
        b"PK\x03\x04",
        "a ZIP archive (a .docx, .odt or .xlsx file is one)",
        "save it as plain text (UTF-8) from its program, or convert it with "
        "`pandoc in.docx -t plain -o out.txt`",
    ),
    (
        b"\xd0\xcf\x11\xe0",
        "an old Microsoft Office file (.doc/.xls)",
        "save it as plain text (UTF-8) from Word or LibreOffice",
    ),
    (b"{\\rtf", "an RTF document", "save it as plain text (UTF-8) from its word processor"),
    (b"\x89PNG", "a PNG image", "remove it from texts/"),
    (b"\xff\xd8\xff", "a JPEG image", "remove it from texts/"),
    (b"GIF8", "a GIF image", "remove it from texts/"),
)


# --------------------------------------------------------------------------------------
# Data classes


@dataclass(frozen=True)
class Metadata:
    """The parsed ``metadata.csv``.

    Attributes
    ----------
    path
        The file read.
    columns
        Column names in file order (whitespace-stripped).
    rows
        One ``{column: value}`` dict of strings per data row, in file order (only the
        columns asked for, see :func:`read_metadata`).
    line_numbers
        For each row, the 1-based line of ``path`` on which it starts (the header is
        line 1).
    delimiter
        The delimiter recognised from the header line.
    """

    path: Path
    columns: list[str]
    rows: list[dict[str, str]]
    line_numbers: list[int]
    delimiter: str = ","

    def column(self, name: str) -> list[str]:
        """Return the values of column ``name`` in row order."""
        return [row[name] for row in self.rows]


@dataclass
class ValidationReport:
    """What :func:`validate_corpus` found in a valid corpus.

    Attributes
    ----------
    doc_ids
        Document ids in metadata order.
    warnings
        One paragraph per warning (problems that do not stop the workflow).
    groups
        For each facet, the number of documents per value (sorted by value; numerically
        for numeric facets).
    facets, numeric_facets
        The facets that were checked.
    text_sizes
        Size of each text in bytes, in the order of ``doc_ids`` (the preprocessing shards
        are cut by them without looking at every file again).
    """

    doc_ids: list[str]
    warnings: list[str] = field(default_factory=list)
    groups: dict[str, dict[str, int]] = field(default_factory=dict)
    facets: list[str] = field(default_factory=list)
    numeric_facets: list[str] = field(default_factory=list)
    text_sizes: list[int] = field(default_factory=list)

    @property
    def n_docs(self) -> int:
        """Number of documents."""
        return len(self.doc_ids)

    @property
    def text_bytes(self) -> int:
        """Total size of the texts in bytes."""
        return sum(self.text_sizes)

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict (the content of ``interim/validation.json``)."""
        return {
            "n_docs": self.n_docs,
            "doc_ids": list(self.doc_ids),
            "facets": list(self.facets),
            "numeric_facets": list(self.numeric_facets),
            "groups": {facet: dict(values) for facet, values in self.groups.items()},
            "text_bytes": self.text_bytes,
            "text_sizes": list(self.text_sizes),
            "warnings": list(self.warnings),
        }


class _Findings:
    """Problems or warnings collected by kind, listed up to a cap per kind."""

    def __init__(self, *, cap: int = MAX_LISTED_PER_KIND) -> None:
        self.cap = cap
        self._by_kind: dict[str, list[str]] = defaultdict(list)
        self._counts: Counter[str] = Counter()

    def add(self, kind: str, message: str) -> None:
        self._counts[kind] += 1
        if len(self._by_kind[kind]) < self.cap:
            self._by_kind[kind].append(message)

    def __len__(self) -> int:
        return sum(self._counts.values())

    def paragraphs(self) -> list[str]:
        out: list[str] = []
        for kind, messages in self._by_kind.items():
            out.extend(messages)
            more = self._counts[kind] - len(messages)
            if more:
                out.append(
                    f"... and {more:,} more like the above ({kind}); the first "
                    f"{len(messages)} are listed. Fix those, then run the validation again."
                )
        return out


# --------------------------------------------------------------------------------------
# Small helpers


def _nearest(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate closest to ``word`` (case-insensitive), or None."""
    lowered = {c.casefold(): c for c in candidates}
    match = difflib.get_close_matches(word.casefold(), list(lowered), n=1, cutoff=0.5)
    return lowered[match[0]] if match else None


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and byte column of ``offset`` in ``data`` (LF, CRLF or CR line ends)."""
    newline = b"\n" if b"\n" in data[:offset] or b"\r" not in data[:offset] else b"\r"
    line = data.count(newline, 0, offset) + 1
    column = offset - (data.rfind(newline, 0, offset) + 1) + 1
    return line, column


def _char_name(ch: str) -> str:
    """A readable name for a character, e.g. ``'/' (SOLIDUS)``."""
    name = unicodedata.name(ch, f"control character U+{ord(ch):04X}")
    shown = ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"
    return f"'{shown}' ({name})"


def _safe_id_suggestion(doc_id: str) -> str:
    """A safe id derived from ``doc_id`` (unsafe runs become ``_``)."""
    nfc = unicodedata.normalize("NFC", doc_id)
    safe = re.sub(r"[^A-Za-z0-9ÅÄÖåäö._-]+", "_", nfc).strip("._-")
    return safe or "doc_1"


def doc_id_problem(doc_id: str) -> str | None:
    """Explain why ``doc_id`` is not a safe document id, or return None if it is.

    Parameters
    ----------
    doc_id
        A document id (the file name of its text without ``.txt``).

    Returns
    -------
    str or None
        A sentence saying what is wrong, without the location; None for a safe id.
    """
    if doc_id == "":
        return "is empty"
    if "/" in doc_id or "\\" in doc_id:
        return "contains a path separator ('/' or '\\'), so it would point outside texts/"
    if doc_id.startswith("."):
        return "starts with '.', which makes a hidden file or a path such as '..'"
    if unicodedata.normalize("NFC", doc_id) != doc_id and _SAFE_ID.fullmatch(
        unicodedata.normalize("NFC", doc_id)
    ):
        return (
            "is in decomposed Unicode form (NFD, as macOS writes file names: 'a' plus a "
            "combining ring instead of 'å'); use the composed form (NFC)"
        )
    bad = sorted({ch for ch in doc_id if not _SAFE_CHAR.fullmatch(ch)})
    if bad:
        return "contains characters that are unsafe in file names and HTML: " + ", ".join(
            _char_name(ch) for ch in bad
        )
    if not _SAFE_ID.fullmatch(doc_id):
        return "must start with a letter or digit"
    if doc_id.endswith("."):
        return "ends with '.', which Windows drops from file names"
    if doc_id.split(".")[0].upper() in _WINDOWS_RESERVED:
        return "is a reserved device name on Windows"
    if len(doc_id.encode("utf-8")) > _MAX_ID_BYTES:
        return f"is longer than {_MAX_ID_BYTES} bytes, too long for a file name"
    return None


# --------------------------------------------------------------------------------------
# metadata.csv


def _encoding_hint(data: bytes, offset: int) -> str:
    """Say which encoding non-UTF-8 ``data`` looks like and how to convert it."""
    context = data[max(0, offset - 20) : offset + 20]
    for codec, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1 (ISO-8859-1)")):
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        char = data[offset : offset + 1].decode(codec)
        near = " ".join(context.decode(codec).split())
        return (
            f"It looks like {label}, in which byte 0x{data[offset]:02X} is '{char}' "
            f"(near '{near}'). Convert it to UTF-8, e.g. "
            f"`iconv -f {'WINDOWS-1252' if codec == 'cp1252' else 'LATIN1'} -t UTF-8 "
            "in.txt > out.txt`, or open it in a text editor and save it as UTF-8"
        )
    return (
        "Its encoding is unknown (`file -i` may tell). Convert it to UTF-8, e.g. with "
        "`iconv -f <encoding> -t UTF-8 in.txt > out.txt`, or open it in a text editor and "
        "save it as UTF-8"
    )


def _decode_metadata(path: Path, data: bytes) -> str:
    """Decode ``metadata.csv`` bytes as UTF-8, raising CorpusError with the fix."""
    resave = (
        "Re-save it as UTF-8: in Excel choose 'CSV UTF-8 (comma delimited)', in "
        "LibreOffice tick 'Edit filter settings' and pick 'Unicode (UTF-8)'"
    )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CorpusError(
            f"{path} is saved as UTF-16 (it starts with a UTF-16 byte-order mark; Excel "
            f"calls this 'Unicode text'), but the workflow reads UTF-8. {resave}, or run "
            "`iconv -f UTF-16 -t UTF-8 metadata.csv > metadata-utf8.csv`."
        )
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _line_and_column(data, nul)
        what = "UTF-16 without a byte-order mark" if _looks_utf16(data) else "a binary file"
        raise CorpusError(
            f"{path} contains NUL bytes, the first at byte {nul} (line {line}, byte {column} "
            f"of the line); it looks like {what}, not a UTF-8 CSV file. {resave}."
        )
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = err.start + bom
        line, column = _line_and_column(data, offset)
        raise CorpusError(
            f"{path} is not valid UTF-8: byte {offset} (line {line}, byte {column} of the "
            f"line) is 0x{data[offset]:02X}. {_encoding_hint(data, offset)}. {resave}."
        ) from None


def _sniff_delimiter(header: str) -> str:
    """The delimiter used most often outside quotes in the header line."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])  # max keeps the first on a tie
    return best if counts[best] else ","


def _field_count_problem(
    path: Path, line: int, fields: list[str], n_columns: int, delimiter: str
) -> str:
    """Explain a row whose number of fields differs from the header's."""
    joined = delimiter.join(fields)
    hints = []
    others = [d for d in DELIMITERS if d != delimiter and d in joined]
    if others:
        hints.append(
            f"the line contains {' and '.join(_DELIMITER_NAMES[d] for d in others)} while "
            f"the header uses {_DELIMITER_NAMES[delimiter]} (mixed delimiters: use one "
            "delimiter in the whole file)"
        )
    if '"' in joined:
        hints.append(
            "it contains a quote character: a value with a quote must be wrapped in "
            'quotes with the inner quote doubled, e.g. "Kommunen ""Ny"""'
        )
    if len(fields) > n_columns and not hints:
        hints.append(
            f"a value probably contains the delimiter: wrap such a value in double quotes, "
            f'e.g. "Malmö{delimiter} Skåne"'
        )
    if len(fields) < n_columns and not hints:
        hints.append("a value is missing: give every column a value (it may be empty)")
    return (
        f"{path} line {line} has {len(fields)} field(s) but the header has {n_columns} "
        f"columns (delimiter {_DELIMITER_NAMES[delimiter]}): {'; '.join(hints)}. Fix that "
        "line so that it has one value per column."
    )


def _blank_utf8(path: Path) -> bool | None:
    """Whether UTF-8 file ``path`` holds only whitespace; None if it is not UTF-8 text.

    Not UTF-8 text means: a UTF-16 byte-order mark, a NUL byte or invalid UTF-8 (as
    :func:`_decode_metadata` refuses). The file is read in chunks, never whole.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    blank = True
    with open(path, "rb") as handle:
        chunk = handle.read(_CHUNK_BYTES)
        if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return None
        while chunk:
            if b"\x00" in chunk:
                return None
            try:
                text = decoder.decode(chunk)
            except UnicodeDecodeError:
                return None
            blank = blank and (not text or text.isspace())  # as not text.strip(), no copy
            chunk = handle.read(_CHUNK_BYTES)
    try:
        rest = decoder.decode(b"", final=True)  # a character cut off at the end
    except UnicodeDecodeError:
        return None
    return blank and (not rest or rest.isspace())


def _metadata_file_problem(path: Path) -> str | None:
    """Why ``metadata.csv`` cannot be read as UTF-8 text with content, or None if it can.

    The file is read in chunks and decoded as it goes, so memory does not hold it; only
    a file with a problem is read whole, to say where the problem is.
    """
    if not path.exists():
        return (
            f"{path} not found. A corpus needs a metadata table beside texts/: a UTF-8 CSV "
            f"file named {METADATA_NAME} with a header line that has a '{DOC_ID}' column "
            "(the text's file name without .txt) plus one column per metadata field, e.g. "
            "'doc_id,municipality,year'. Create it, or point --config corpus=... at the "
            "right folder."
        )
    if not path.is_file():
        return f"{path} is not a file. Replace it with the CSV metadata table."
    blank = _blank_utf8(path)
    if blank is None:
        # Read the file whole to name the byte, its line and the encoding it looks like.
        try:
            _decode_metadata(path, path.read_bytes())
        except CorpusError as err:
            return str(err)
    if blank:
        return (
            f"{path} is empty. Give it a header line with a '{DOC_ID}' column and one row "
            "per document."
        )
    return None


@dataclass
class _MetadataFile:
    """What :func:`_metadata_rows` found in ``metadata.csv`` besides the rows."""

    path: Path
    #: The header's column names, known before the first row is yielded.
    columns: list[str] = field(default_factory=list)
    delimiter: str = ","
    #: Every problem of the file, complete once the rows have been read to the end.
    problems: list[str] = field(default_factory=list)


def _metadata_rows(source: _MetadataFile) -> Iterator[tuple[int, list[str]]]:
    """Read ``source.path`` one row at a time: yield ``(line, values)`` of each good row.

    ``values`` are the stripped fields of a row that has one per column (Excel's empty
    trailing fields dropped); ``line`` is where the row starts. Blank rows and rows with
    a wrong number of fields are not yielded; the latter, an unreadable file and header
    problems end up in ``source.problems``. Memory holds one row, not the file.
    """
    path = source.path
    problem = _metadata_file_problem(path)
    if problem:
        source.problems.append(problem)
        return
    findings = _Findings()
    columns = source.columns
    # newline="" gives the lines with their ends (\n, \r\n or \r), as the csv module wants.
    with open(path, encoding="utf-8-sig", newline="") as handle:
        head: list[str] = []  # up to the first line with content: the delimiter's line
        for text_line in handle:
            head.append(text_line)
            if text_line.strip("\r\n"):
                break
        match = _FIRST_LINE.match("".join(head))
        assert match is not None  # the pattern matches every text
        delimiter = source.delimiter = _sniff_delimiter(match.group(1))
        reader = csv.reader(itertools.chain(head, handle), delimiter=delimiter, strict=True)
        start = 1
        try:
            for fields in reader:
                line, start = start, reader.line_num + 1
                values = [value.strip() for value in fields]
                if not any(values):
                    continue  # a blank line or a row of empty fields (Excel writes ';;;')
                if not columns:
                    columns.extend(values)
                    while columns and not columns[-1]:
                        columns.pop()  # Excel's empty trailing columns
                    continue
                while len(values) > len(columns) and not values[-1]:
                    values.pop()
                if len(values) != len(columns):
                    findings.add(
                        "rows with a wrong number of fields",
                        _field_count_problem(path, line, fields, len(columns), delimiter),
                    )
                    continue
                yield line, values
        except csv.Error as err:
            source.problems.append(
                f"{path} line {start} cannot be read as CSV ({err}), near line "
                f"{reader.line_num}: probably a quote that is opened but never closed, or a "
                "quote inside an unquoted value. Wrap values that contain quotes in quotes "
                'and double the inner quotes, e.g. "Kommunen ""Ny""", or remove stray quotes.'
            )
    source.problems.extend(_header_problems(path, columns))
    source.problems.extend(findings.paragraphs())


def _parse_metadata(
    path: Path, keep: Sequence[str] | None = None
) -> tuple[Metadata | None, list[str]]:
    """Parse ``metadata.csv``; return the table (None if unusable) and its problems.

    With ``keep``, the rows hold only those columns (and ``doc_id``): every row is still
    parsed and checked the same way, but memory does not hold the other columns.
    """
    source = _MetadataFile(path)
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    kept = None if keep is None else {DOC_ID, *keep}
    for line, values in _metadata_rows(source):
        row = dict(zip(source.columns, values, strict=True))
        if kept is not None:
            row = {c: v for c, v in row.items() if c in kept}
        rows.append(row)
        lines.append(line)
    if source.problems or not source.columns:
        return None, source.problems
    return Metadata(path, source.columns, rows, lines, source.delimiter), []


def _header_problems(path: Path, columns: list[str]) -> list[str]:
    """Problems of the header line: no doc_id column, unnamed or repeated columns."""
    problems = []
    for index, name in enumerate(columns, start=1):
        if not name:
            problems.append(
                f"{path} line 1: column {index} has no name. Give every column a name in "
                "the header line, or delete the empty column."
            )
    for name, n in Counter(columns).items():
        if name and n > 1:
            problems.append(
                f"{path} line 1: the column name '{name}' appears {n} times. Give each "
                "column a distinct name."
            )
    if DOC_ID not in columns:
        found = ", ".join(f"'{c}'" for c in columns) or "none"
        near = _nearest(DOC_ID, columns)
        guess = f" Did you mean '{near}'? Rename it to '{DOC_ID}'." if near else ""
        problems.append(
            f"{path} line 1 (the header) has no '{DOC_ID}' column; the columns found are "
            f"{found}.{guess} The '{DOC_ID}' column holds each text's file name without "
            ".txt and links the row to texts/<doc_id>.txt; add it to the header line."
        )
    return problems


def read_metadata(path: Path, columns: Sequence[str] | None = None) -> Metadata:
    """Read a corpus ``metadata.csv``.

    Accepts a UTF-8 byte-order mark, CRLF/CR line ends, comma, semicolon or tab
    delimiters (recognised from the header line) and standard CSV quoting.

    Parameters
    ----------
    path
        Path of the CSV file.
    columns
        Keep only these columns (and ``doc_id``) in the rows, for callers that need a
        few of them: memory then holds a small dict per row instead of the whole table.
        Every row is checked all the same, and ``Metadata.columns`` still lists every
        column of the header. All columns by default.

    Returns
    -------
    Metadata
        Columns, rows (dicts of stripped strings) and the line on which each row starts.

    Raises
    ------
    CorpusError
        If the file is missing, not UTF-8, has no ``doc_id`` column, or a row has a
        different number of fields than the header; the message lists every problem.
    """
    metadata, problems = _parse_metadata(Path(path), columns)
    if metadata is None:
        raise CorpusError(_join_problems(Path(path), problems))
    return metadata


def facet_values(metadata: Metadata, facets: Sequence[str]) -> dict[str, list[str]]:
    """Distinct non-empty values of each facet column, sorted (numerically if integers).

    Raises
    ------
    CorpusError
        If a facet is not a column of the metadata.
    """
    out: dict[str, list[str]] = {}
    for facet in facets:
        if facet not in metadata.columns:
            raise CorpusError(_missing_facet_problem(metadata.path, metadata.columns, facet))
        values = {value for value in metadata.column(facet) if value}
        out[facet] = _sort_values(values)
    return out


def _sort_values(values: Sequence[str] | set[str]) -> list[str]:
    """Sort numerically if every value is an integer, else as text."""
    if values and all(_INTEGER.fullmatch(v) for v in values):
        return sorted(values, key=lambda v: (int(v), v))
    return sorted(values)


def _missing_facet_problem(path: Path, columns: Sequence[str], facet: str) -> str:
    near = _nearest(facet, [c for c in columns if c != DOC_ID])
    guess = (
        f" Did you mean '{near}'? Rename the column or set the facet to '{near}'"
        if near
        else " Add the column, or remove the facet"
    )
    return (
        f"{path} line 1 (the header) has no column '{facet}', which the config "
        f"lists as a facet; the columns are {', '.join(repr(c) for c in columns)}."
        f"{guess} (config keys 'facets' and 'numeric_facets')."
    )


# --------------------------------------------------------------------------------------
# Texts


def _looks_utf16(data: bytes) -> bool:
    """True if ``data`` has NUL bytes at every other position, as UTF-16 text does."""
    head = data[:4000]
    if len(head) < 4:
        return False
    even = head[0::2].count(0) / len(head[0::2])
    odd = head[1::2].count(0) / max(1, len(head[1::2]))
    return max(even, odd) > 0.3 and min(even, odd) < 0.05


def _text_problem_undecodable(path: Path, data: bytes) -> str | None:
    """Explain why ``data`` cannot be read as UTF-8 text, or return None if it can."""
    for signature, what, fix in _BINARY_SIGNATURES:
        if data.startswith(signature):
            return f"{path} is {what}, not plain text. Fix: {fix}."
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return (
            f"{path} is UTF-32 (it starts with a UTF-32 byte-order mark), not UTF-8. Convert "
            "it with `iconv -f UTF-32 -t UTF-8 in.txt > out.txt`."
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16(data):
        how = (
            "it starts with a UTF-16 byte-order mark"
            if data[:2]
            in (
                codecs.BOM_UTF16_LE,
                codecs.BOM_UTF16_BE,
            )
            else "every other byte is NUL"
        )
        return (
            f"{path} is UTF-16 ({how}; Windows Notepad calls it 'Unicode'), not UTF-8. "
            "Convert it with `iconv -f UTF-16 -t UTF-8 in.txt > out.txt` or save it again "
            "as UTF-8."
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _line_and_column(data, nul)
        n_nul = data.count(b"\x00")
        kind = (
            "looks like a binary file, not plain text"
            if len(data.translate(None, _TEXT_BYTES)) * 20 > len(data)
            else "is plain text with NUL bytes"
        )
        return (
            f"{path} contains {n_nul} NUL byte(s), the first at byte {nul} (line {line}, "
            f"byte {column} of the line); it {kind}. Replace it with the document's plain "
            "text in UTF-8 (a stray NUL can be removed with `tr -d '\\000' < in.txt > "
            "out.txt`)."
        )
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = err.start + bom
        line, column = _line_and_column(data, offset)
        return (
            f"{path} is not valid UTF-8: byte {offset} (line {line}, byte {column} of the "
            f"line) is 0x{data[offset]:02X}. {_encoding_hint(data, offset)}."
        )
    return None


def _decode_text(data: bytes) -> str:
    """Decode checked UTF-8 bytes: strip a BOM and normalise CRLF/CR to LF."""
    return _normalise_line_ends(data.decode("utf-8-sig"))


def _normalise_line_ends(text: str) -> str:
    """CRLF and CR become LF."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


#: Starts of files that :func:`_text_problem_undecodable` may refuse although they
#: decode as UTF-8 without a NUL byte: the binary signatures and byte-order marks.
_SUSPECT_STARTS = (
    *(signature for signature, _, _ in _BINARY_SIGNATURES),
    codecs.BOM_UTF32_LE,
    codecs.BOM_UTF32_BE,
    codecs.BOM_UTF16_LE,
    codecs.BOM_UTF16_BE,
)


def _decode_plain_text(data: bytes) -> str | None:
    """:func:`_decode_text` of ``data`` if it is plainly UTF-8 text, else None.

    Plainly UTF-8 text: it decodes (after an optional BOM) and holds no NUL byte, and it
    does not start like a binary file or with a UTF-16/32 byte-order mark. Such data
    has no problem for :func:`_text_problem_undecodable` (whose UTF-16 guess needs NUL
    bytes), so this equals checking it and then decoding it, with one decoding pass;
    None means "check it".
    """
    if data.startswith(_SUSPECT_STARTS):
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return _normalise_line_ends(text)


def read_text(path: Path) -> str:
    """Read one text: UTF-8 without BOM, with ``\\n`` line ends.

    Raises
    ------
    CorpusError
        If the file is not UTF-8 text (with the encoding it looks like and the fix).
    """
    path = Path(path)
    data = path.read_bytes()
    text = _decode_plain_text(data)
    if text is not None:
        return text
    problem = _text_problem_undecodable(path, data)
    if problem:
        raise CorpusError(problem)
    return _decode_text(data)


def text_path(corpus_dir: Path, doc_id: str) -> Path:
    """Path of the text of ``doc_id`` in ``corpus_dir``."""
    return Path(corpus_dir) / TEXTS_NAME / _text_name(doc_id)


def iter_documents(corpus_dir: Path, doc_ids: Sequence[str]) -> Iterator[tuple[str, str]]:
    """Yield ``(doc_id, text)`` for ``doc_ids`` in order, reading one file at a time.

    Each text is what :func:`read_text` gives; the usual file (plainly UTF-8 text) is
    read by its path as a string, without building a ``Path``, and anything else
    (an error to report, or text to check) goes through :func:`read_text`, so that
    errors and their messages are the same.
    """
    texts_dir = os.path.join(corpus_dir, TEXTS_NAME)
    for doc_id in doc_ids:
        try:
            with open(os.path.join(texts_dir, _text_name(doc_id)), "rb", buffering=0) as handle:
                text = _decode_plain_text(handle.readall())
        except OSError:
            text = None
        if text is None:
            text = read_text(text_path(corpus_dir, doc_id))
        yield doc_id, text


def _check_text(path: Path, *, max_bytes: int, problems: _Findings, warnings: _Findings) -> int:
    """Check one text file, adding to ``problems``/``warnings``; return its size."""
    size = path.stat().st_size
    if size > max_bytes:
        problems.add(
            "texts above the size limit",
            f"{path} is {size / BYTES_PER_MB:,.1f} MB, above the limit "
            f"preprocess.max_text_mb = {max_bytes / BYTES_PER_MB:g} MB. Split it into "
            "several documents (a topic model works on passages anyway), or raise the limit "
            "in your config file (preprocess: {max_text_mb: ...}) or with "
            "--config preprocess='{max_text_mb: ...}'.",
        )
        return size
    if size == 0:
        problems.add(
            "empty texts",
            f"{path} is empty (0 bytes). Put the document's text in it, or delete the file "
            "and its row in metadata.csv.",
        )
        return size
    data = path.read_bytes()
    problem = _text_problem_undecodable(path, data)
    if problem:
        problems.add("texts that are not UTF-8 plain text", problem)
        return size
    text = _decode_text(data)
    if not text.strip():
        problems.add(
            "empty texts",
            f"{path} contains only whitespace ({size} bytes). Put the document's text in it, "
            "or delete the file and its row in metadata.csv.",
        )
        return size
    mojibake = _MOJIBAKE.search(text)
    if mojibake:
        line = text.count("\n", 0, mojibake.start()) + 1
        warnings.add(
            "texts that look double-encoded",
            f"{path} line {line} contains '{mojibake.group()}', which is how 'å', 'ä' or 'ö' "
            "look after UTF-8 was read as Latin-1 and saved again as UTF-8 (double "
            "encoding). Export the text again from its source as UTF-8; otherwise these "
            "words will be counted misspelt.",
        )
    if "\ufffd" in text:
        line = text.count("\n", 0, text.index("\ufffd")) + 1
        warnings.add(
            "texts with replacement characters",
            f"{path} line {line} contains the replacement character '\ufffd', left by an "
            "earlier lossy conversion: letters there are lost. Export the text again from "
            "its source as UTF-8 if you can.",
        )
    return size


# --------------------------------------------------------------------------------------
# Validation


def _median(counts: Mapping[_Number, int]) -> float:
    """:func:`statistics.median` of the keys of ``counts``, each repeated its count."""
    values = sorted(counts)
    n = sum(counts.values())

    def at(rank: int) -> _Number:
        for value in values:
            rank -= counts[value]
            if rank < 0:
                return value
        raise IndexError(rank)

    if n % 2:
        return at(n // 2)
    return (at(n // 2 - 1) + at(n // 2)) / 2


def _outliers(counts: Mapping[int, int]) -> tuple[float, float]:
    """Bounds outside which an integer facet value is suspicious.

    ``counts`` holds how many documents have each value. A value is an outlier if it is
    more than 5 robust standard deviations (1.4826 × the median absolute deviation, at
    least 1) from the median.
    """
    median = _median(counts)
    deviations: Counter[float] = Counter()
    for value, n in counts.items():
        deviations[abs(value - median)] += n
    spread = 5 * max(1.4826 * _median(deviations), 1.0)
    return median - spread, median + spread


def _join_problems(where: Path, problems: Sequence[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    head = f"{where}: {len(problems)} problems were found; fix them all, then run again."
    return "\n\n".join([head, *(f"({i}) {p}" for i, p in enumerate(problems, start=1))])


def _text_name(stem: str) -> str:
    """The file name of a text in ``texts/``; texts are listed in the order of these."""
    return stem + ".txt"


def _folded_stems(stems: Iterable[str]) -> dict[str, str]:
    """For each case- and Unicode-form-folded stem, the first stem (by file name) with it."""
    folded: dict[str, str] = {}
    for stem in sorted(stems, key=_text_name):
        folded.setdefault(unicodedata.normalize("NFC", stem).casefold(), stem)
    return folded


def _match_hint(doc_id: str, folded_stems: Mapping[str, str], texts_dir: Path) -> str:
    """A hint for a row without a text: a file that differs in case or Unicode form."""
    stem = folded_stems.get(unicodedata.normalize("NFC", doc_id).casefold())
    if stem is None:
        return ""
    return (
        f" The file {texts_dir / _text_name(stem)} differs from it only in upper/lower case "
        "or Unicode form; rename the file or fix the doc_id so they are identical."
    )


@dataclass
class _Table:
    """``metadata.csv`` as :func:`validate_corpus` keeps it: what the checks need, compactly.

    Per row: the doc id, the line, and for each facet the index of the row's value in that
    facet's list of distinct values (a few bytes a row besides the id, where a dict per
    row took hundreds).
    """

    path: Path
    columns: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    lines: array[int] = field(default_factory=lambda: array("I"))
    #: Per facet column: its distinct values, in order of appearance.
    values: dict[str, list[str]] = field(default_factory=dict)
    #: Per facet column: for each row, the index of its value in ``values[facet]``.
    codes: dict[str, array[int]] = field(default_factory=dict)


def _read_table(
    path: Path, facets: Sequence[str], stems: Mapping[str, str]
) -> tuple[_Table | None, list[str]]:
    """Read ``metadata.csv`` into a :class:`_Table`; return it (None if unusable) and its problems.

    Every row is parsed and checked as :func:`read_metadata` does. A doc id that names a
    text is stored as the string in ``stems`` (``stem -> stem``), so that the id and the
    file name share one string.
    """
    source = _MetadataFile(path)
    table = _Table(path)
    id_column: int | None = None
    kept: list[tuple[int, list[str], dict[str, int], array[int]]] | None = None
    for line, values in _metadata_rows(source):
        if kept is None:  # the first row: the header is known
            columns = source.columns
            id_column = columns.index(DOC_ID) if DOC_ID in columns else None
            kept = []
            for facet in dict.fromkeys(facets):
                if facet in columns:
                    distinct = table.values[facet] = []
                    codes = table.codes[facet] = array("I")
                    kept.append((columns.index(facet), distinct, {}, codes))
        if id_column is None:
            continue  # no doc_id column: a problem of the header, reported as such
        doc_id = values[id_column]
        table.doc_ids.append(stems.get(doc_id, doc_id))
        table.lines.append(line)
        for column, distinct, code_of, codes in kept:
            value = values[column]
            code = code_of.get(value)
            if code is None:
                code = code_of[value] = len(distinct)
                distinct.append(value)
            codes.append(code)
    if source.problems or not source.columns:
        return None, source.problems
    table.columns = source.columns
    return table, []


def validate_corpus(
    corpus_dir: Path,
    *,
    facets: Sequence[str],
    numeric_facets: Sequence[str],
    min_group_docs: int,
    max_text_mb: float,
) -> ValidationReport:
    """Check a corpus folder and report every problem at once.

    Checks the folder layout, ``metadata.csv`` (encoding, delimiter, field counts, the
    ``doc_id`` column, duplicate and unsafe ids, facet columns and values, integer values
    of numeric facets) and every text (a metadata row for each and a text for each row,
    UTF-8 without NUL bytes, not binary, not empty, not above the size limit). Texts are
    read one at a time and dropped.

    Parameters
    ----------
    corpus_dir
        The corpus folder (``texts/`` + ``metadata.csv``).
    facets
        Metadata columns whose groups are compared; each must exist and have no empty
        value.
    numeric_facets
        Facets whose values must be integers (e.g. year).
    min_group_docs
        Groups with fewer documents get a warning.
    max_text_mb
        Texts larger than this many MB (10^6 bytes) are refused.

    Returns
    -------
    ValidationReport
        Document ids in metadata order, warnings and group sizes.

    Raises
    ------
    CorpusError
        Listing every problem, one paragraph each with the file, line or byte and the fix.
    """
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        what = "is not a folder" if corpus_dir.exists() else "does not exist"
        raise CorpusError(
            f"The corpus folder {corpus_dir} {what}. A corpus is a folder with texts/"
            "<doc_id>.txt files and a metadata.csv table; set its path in your config file "
            "(corpus: /path/to/corpus) or with --config corpus=/path/to/corpus."
        )
    problems = _Findings()
    warnings = _Findings()
    texts_dir = corpus_dir / TEXTS_NAME
    # texts/ is listed first so that the doc ids read next share the strings of the file
    # names; what the listing finds is reported after the problems of metadata.csv.
    listing = _list_texts(texts_dir)
    stems = None if listing is None else listing[0]
    # Only doc_id and the facets are checked: the other columns are not kept in memory.
    table, metadata_problems = _read_table(
        corpus_dir / METADATA_NAME, [*facets, *numeric_facets], stems or {}
    )
    for problem in metadata_problems:
        problems.add("metadata.csv", problem)
    if listing is None:
        problems.add(
            "texts folder",
            f"The folder {texts_dir} "
            f"{'is not a folder' if texts_dir.exists() else 'does not exist'}. Put one "
            "UTF-8 plain-text file per document in it, named <doc_id>.txt.",
        )
    else:
        for name, is_dir in listing[1]:
            warnings.add("other entries in texts/", _other_entry_warning(texts_dir / name, is_dir))
    doc_ids: list[str] = []
    groups: dict[str, dict[str, int]] = {}
    if table is not None and not table.doc_ids:
        problems.add(
            "metadata.csv",
            f"{table.path} has a header but no rows, so the corpus has no documents. Add "
            "one row per text in texts/ (doc_id = the file name without .txt).",
        )
    if table is not None:
        doc_ids, rows = _check_ids(table, problems, warnings)
        groups = _check_facets(
            table,
            rows,
            facets=facets,
            numeric_facets=numeric_facets,
            min_group_docs=min_group_docs,
            problems=problems,
            warnings=warnings,
        )
    text_sizes: list[int] = []
    max_bytes = int(max_text_mb * BYTES_PER_MB)
    if stems is not None and table is not None:
        n_with_text = 0
        line_of: dict[str, int] | None = None
        folded_stems: dict[str, str] = {}
        for doc_id in doc_ids:
            if doc_id not in stems:
                if line_of is None:  # the first row without a text: look-ups for the message
                    line_of = dict(zip(table.doc_ids, table.lines, strict=True))
                    folded_stems = _folded_stems(stems)
                problems.add(
                    "metadata rows without a text",
                    f"{table.path} line {line_of[doc_id]}: doc_id '{doc_id}' has no text "
                    f"{texts_dir / _text_name(doc_id)}."
                    f"{_match_hint(doc_id, folded_stems, texts_dir)} Add the text, or delete "
                    "the row.",
                )
                continue
            n_with_text += 1
            text_sizes.append(
                _check_text(
                    texts_dir / _text_name(doc_id),
                    max_bytes=max_bytes,
                    problems=problems,
                    warnings=warnings,
                )
            )
        if n_with_text < len(stems):  # doc ids are distinct: some texts have no row
            id_set = set(doc_ids)
            for stem in sorted(stems, key=_text_name):
                if stem not in id_set:
                    problems.add(
                        "texts without a metadata row",
                        f"{texts_dir / _text_name(stem)} has no row in {table.path} (no "
                        f"doc_id '{stem}'). Add a row for it, or move the file out of texts/.",
                    )
    elif stems is not None:
        # metadata.csv is unusable: still check every text so that all problems show.
        for stem in sorted(stems, key=_text_name):
            _check_text(
                texts_dir / _text_name(stem),
                max_bytes=max_bytes,
                problems=problems,
                warnings=warnings,
            )
    if problems:
        raise CorpusError(_join_problems(corpus_dir, problems.paragraphs()))
    report = ValidationReport(
        doc_ids=doc_ids,
        warnings=warnings.paragraphs(),
        groups=groups,
        facets=list(facets),
        numeric_facets=list(numeric_facets),
        text_sizes=text_sizes,
    )
    for warning in report.warnings:
        logger.warning("%s", warning)
    logger.info(
        "Corpus %s: %d documents, %.1f MB of text, %d warning(s)",
        corpus_dir,
        report.n_docs,
        report.text_bytes / BYTES_PER_MB,
        len(report.warnings),
    )
    return report


def _list_texts(texts_dir: Path) -> tuple[dict[str, str], list[tuple[str, bool]]] | None:
    """The ``.txt`` files and the other entries of ``texts_dir``; None if it is no folder.

    Returns each text's stem (its file name without ``.txt``) mapped to itself, in no
    particular order (sort with :func:`_text_name` as the key for file-name order), and
    ``(name, is a folder)`` for every other entry, sorted by name. Hidden entries such
    as ``.DS_Store`` are skipped.
    """
    if not texts_dir.is_dir():
        return None
    stems: dict[str, str] = {}
    others: list[tuple[str, bool]] = []
    with os.scandir(texts_dir) as entries:
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            if entry.is_dir():
                others.append((name, True))
            elif name.endswith(".txt"):
                stem = name[: -len(".txt")]
                stems[stem] = stem
            else:
                others.append((name, False))
    others.sort()
    return stems, others


def _other_entry_warning(path: Path, is_dir: bool) -> str:
    """The warning for an entry of ``texts/`` that is not a ``.txt`` file."""
    if is_dir:
        return (
            f"{path} is a folder; folders inside texts/ are ignored. Move its texts into "
            "texts/ itself if they belong to the corpus."
        )
    return (
        f"{path} does not end in .txt and is ignored. Rename it to <doc_id>.txt (plain "
        "text, UTF-8) if it is a document of the corpus."
    )


def _fold(doc_id: str) -> str:
    """``doc_id`` case-folded; the same string object if folding does not change it."""
    key = doc_id.casefold()
    return doc_id if key == doc_id else key


def _check_ids(
    table: _Table, problems: _Findings, warnings: _Findings
) -> tuple[list[str], Sequence[int]]:
    """Check doc ids; return the distinct safe ids and the indices of their rows.

    The ids that occur more than once, and those whose case-folded form another id
    shares, are found first by sorting; only they are then tracked by id, so that memory
    holds no dictionary of every id.
    """
    ordered = sorted(table.doc_ids)
    repeated = {a for a, b in itertools.pairwise(ordered) if a == b}
    keys = sorted(_fold(doc_id) for doc_id, _ in itertools.groupby(ordered))
    del ordered
    shared_keys = {a for a, b in itertools.pairwise(keys) if a == b}
    del keys
    first_line: dict[str, int] = {}  # of the repeated ids and those with a shared key
    folded: dict[str, str] = {}  # shared key -> the first safe id with it
    skipped: list[int] = []
    for index, (doc_id, line) in enumerate(zip(table.doc_ids, table.lines, strict=True)):
        if doc_id in repeated:
            if doc_id in first_line:
                problems.add(
                    "duplicate doc ids",
                    f"{table.path} lines {first_line[doc_id]} and {line} both have doc_id "
                    f"'{doc_id}'. Each document needs its own id: delete the repeated row or "
                    "give one of them another id (and its text the matching file name).",
                )
                skipped.append(index)
                continue
            first_line[doc_id] = line
        problem = doc_id_problem(doc_id)
        if problem:
            fix = (
                "give the row a doc_id"
                if not doc_id
                else f"rename it, e.g. to '{_safe_id_suggestion(doc_id)}', in metadata.csv "
                "and in the text's file name"
            )
            problems.add(
                "unsafe doc ids",
                f"{table.path} line {line}: doc_id '{doc_id}' {problem}. Doc ids may use "
                "letters A-Z, a-z, å, ä, ö, digits, '.', '_' and '-' and must start with a "
                f"letter or digit; {fix}.",
            )
            skipped.append(index)
            continue
        key = _fold(doc_id)
        if key in shared_keys:
            first_line.setdefault(doc_id, line)
            if key in folded:
                warnings.add(
                    "doc ids that differ only in case",
                    f"{table.path} line {line}: doc_id '{doc_id}' differs from "
                    f"'{folded[key]}' (line {first_line[folded[key]]}) only in upper/lower "
                    "case; on Windows and macOS their texts would be the same file. Rename "
                    "one.",
                )
            else:
                folded[key] = doc_id
    if not skipped:
        return table.doc_ids, range(len(table.doc_ids))
    kept = sorted(set(range(len(table.doc_ids))).difference(skipped))
    return [table.doc_ids[i] for i in kept], kept


def _check_facets(
    table: _Table,
    rows: Sequence[int],
    *,
    facets: Sequence[str],
    numeric_facets: Sequence[str],
    min_group_docs: int,
    problems: _Findings,
    warnings: _Findings,
) -> dict[str, dict[str, int]]:
    """Check facet columns and the values of ``rows``; return the group sizes per facet."""
    groups: dict[str, dict[str, int]] = {}
    numeric = set(numeric_facets)
    for facet in dict.fromkeys([*facets, *numeric_facets]):
        if facet not in table.columns:
            problems.add(
                "missing facet columns", _missing_facet_problem(table.path, table.columns, facet)
            )
            continue
        values = table.values.get(facet, [])  # none without rows
        codes = table.codes.get(facet, array("I"))
        empty = [table.lines[i] for i in rows if not values[codes[i]]]
        if empty:
            shown = ", ".join(str(n) for n in empty[:20]) + (" ..." if len(empty) > 20 else "")
            problems.add(
                "empty facet values",
                f"{table.path}: column '{facet}' is empty on {len(empty)} line(s): "
                f"{shown}. Every document needs a value for each facet; fill them in (e.g. "
                "'unknown'), or delete those rows, or remove the facet from the config.",
            )
        if facet in numeric:
            _check_numeric(table, rows, facet, problems=problems, warnings=warnings)
        counts = Counter(codes[i] for i in rows)
        sizes = {values[code]: n for code, n in counts.items() if values[code]}
        groups[facet] = {value: sizes[value] for value in _sort_values(set(sizes))}
        for value, n in groups[facet].items():
            if n < min_group_docs:
                warnings.add(
                    "small groups",
                    f"Facet '{facet}' value '{value}' has only {n} document(s), fewer than "
                    f"min_group_docs = {min_group_docs}; its estimates will be uncertain and "
                    "are flagged in every table. Merge small groups into a broader value in "
                    "metadata.csv if that suits your question.",
                )
    return groups


def _check_numeric(
    table: _Table,
    rows: Sequence[int],
    facet: str,
    *,
    problems: _Findings,
    warnings: _Findings,
) -> None:
    """Numeric facet values must be integers; far outliers get a warning."""
    values = table.values.get(facet, [])
    codes = table.codes.get(facet, array("I"))
    numbers = [int(value) if _INTEGER.fullmatch(value) else None for value in values]
    counts: Counter[int] = Counter()
    for i in rows:
        number = numbers[codes[i]]
        if number is not None:
            counts[number] += 1
            continue
        value = values[codes[i]]
        if not value:
            continue
        hint = ""
        if re.fullmatch(r"[+-]?[0-9]+[.,]0+", value):
            hint = f" (write '{re.split(r'[.,]', value)[0]}': spreadsheets add '.0')"
        problems.add(
            "non-integer numeric facet values",
            f"{table.path} line {table.lines[i]}: '{facet}' is '{value}', which is not an "
            f"integer{hint}. '{facet}' is a numeric facet (config key numeric_facets), so "
            "every value must be a whole number such as 2019; fix the value, or remove the "
            "facet from numeric_facets to treat it as a category.",
        )
    if sum(counts.values()) < 3:
        return
    low, high = _outliers(counts)
    for i in rows:
        number = numbers[codes[i]]
        if number is not None and not low <= number <= high:
            warnings.add(
                "outlying numeric facet values",
                f"{table.path} line {table.lines[i]}: '{facet}' is {number}, far from the "
                f"other values (expected about {low:.0f} to {high:.0f}). Check that it is not "
                "a typo; it will get its own group and stretch the trend axis.",
            )
