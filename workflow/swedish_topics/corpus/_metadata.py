"""Reading ``metadata.csv``: encoding, delimiter, field counts and the header."""

from __future__ import annotations

import codecs
import csv
import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from swedish_topics.corpus._format import (
    DELIMITERS,
    DOC_ID,
    INTEGER,
    METADATA_NAME,
    Findings,
    Metadata,
    encoding_hint,
    join_problems,
    line_and_column,
    looks_utf16,
    nearest,
)
from swedish_topics.errors import CorpusError

logger = logging.getLogger(__name__)
#: The first line of a text after leading line ends (the line boundaries of str.splitlines).
_FIRST_LINE = re.compile(r"[\r\n]*([^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*)")
#: metadata.csv is checked in chunks of this many bytes.
_CHUNK_BYTES = 1 << 16
_DELIMITER_NAMES = {",": "comma ','", ";": "semicolon ';'", "\t": "tab"}


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
        line, column = line_and_column(data, nul)
        what = "UTF-16 without a byte-order mark" if looks_utf16(data) else "a binary file"
        raise CorpusError(
            f"{path} contains NUL bytes, the first at byte {nul} (line {line}, byte {column} "
            f"of the line); it looks like {what}, not a UTF-8 CSV file. {resave}."
        )
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = err.start + bom
        line, column = line_and_column(data, offset)
        raise CorpusError(
            f"{path} is not valid UTF-8: byte {offset} (line {line}, byte {column} of the "
            f"line) is 0x{data[offset]:02X}. {encoding_hint(data, offset)}. {resave}."
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
class MetadataFile:
    """What :func:`metadata_rows` found in ``metadata.csv`` besides the rows."""

    path: Path
    #: The header's column names, known before the first row is yielded.
    columns: list[str] = field(default_factory=list)
    delimiter: str = ","
    #: Every problem of the file, complete once the rows have been read to the end.
    problems: list[str] = field(default_factory=list)


def metadata_rows(source: MetadataFile) -> Iterator[tuple[int, list[str]]]:
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
    findings = Findings()
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
    source = MetadataFile(path)
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    kept = None if keep is None else {DOC_ID, *keep}
    for line, values in metadata_rows(source):
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
        near = nearest(DOC_ID, columns)
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
        raise CorpusError(join_problems(Path(path), problems))
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
            raise CorpusError(missing_facet_problem(metadata.path, metadata.columns, facet))
        values = {value for value in metadata.column(facet) if value}
        out[facet] = sort_values(values)
    return out


def sort_values(values: Sequence[str] | set[str]) -> list[str]:
    """Sort numerically if every value is an integer, else as text."""
    if values and all(INTEGER.fullmatch(v) for v in values):
        return sorted(values, key=lambda v: (int(v), v))
    return sorted(values)


def missing_facet_problem(path: Path, columns: Sequence[str], facet: str) -> str:
    near = nearest(facet, [c for c in columns if c != DOC_ID])
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
