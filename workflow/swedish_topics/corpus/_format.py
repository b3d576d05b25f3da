"""The corpus format: names, limits, the result classes and portable doc ids."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
INTEGER = re.compile(r"[+-]?[0-9]+")


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


class Findings:
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


def nearest(word: str, candidates: Sequence[str]) -> str | None:
    """The candidate closest to ``word`` (case-insensitive), or None."""
    lowered = {c.casefold(): c for c in candidates}
    match = difflib.get_close_matches(word.casefold(), list(lowered), n=1, cutoff=0.5)
    return lowered[match[0]] if match else None


def line_and_column(data: bytes, offset: int) -> tuple[int, int]:
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


def safe_id_suggestion(doc_id: str) -> str:
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


def encoding_hint(data: bytes, offset: int) -> str:
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


# --------------------------------------------------------------------------------------
# Texts


def looks_utf16(data: bytes) -> bool:
    """True if ``data`` has NUL bytes at every other position, as UTF-16 text does."""
    head = data[:4000]
    if len(head) < 4:
        return False
    even = head[0::2].count(0) / len(head[0::2])
    odd = head[1::2].count(0) / max(1, len(head[1::2]))
    return max(even, odd) > 0.3 and min(even, odd) < 0.05


def join_problems(where: Path, problems: Sequence[str]) -> str:
    if len(problems) == 1:
        return problems[0]
    head = f"{where}: {len(problems)} problems were found; fix them all, then run again."
    return "\n\n".join([head, *(f"({i}) {p}" for i, p in enumerate(problems, start=1))])


def text_name(stem: str) -> str:
    """The file name of a text in ``texts/``; texts are listed in the order of these."""
    return stem + ".txt"
