"""Reading ``texts/<doc_id>.txt``: encodings, binary files, line ends."""

from __future__ import annotations

import codecs
import logging
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from swedish_topics.corpus._format import (
    BYTES_PER_MB,
    TEXTS_NAME,
    Findings,
    encoding_hint,
    line_and_column,
    looks_utf16,
    text_name,
)
from swedish_topics.errors import CorpusError

logger = logging.getLogger(__name__)
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
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or looks_utf16(data):
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
        line, column = line_and_column(data, nul)
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
        line, column = line_and_column(data, offset)
        return (
            f"{path} is not valid UTF-8: byte {offset} (line {line}, byte {column} of the "
            f"line) is 0x{data[offset]:02X}. {encoding_hint(data, offset)}."
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
    return Path(corpus_dir) / TEXTS_NAME / text_name(doc_id)


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
            with open(os.path.join(texts_dir, text_name(doc_id)), "rb", buffering=0) as handle:
                text = _decode_plain_text(handle.readall())
        except OSError:
            text = None
        if text is None:
            text = read_text(text_path(corpus_dir, doc_id))
        yield doc_id, text


def check_text(path: Path, *, max_bytes: int, problems: Findings, warnings: Findings) -> int:
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
