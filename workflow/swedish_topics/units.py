"""Units of analysis: paragraphs merged and split to a target length, or whole documents.

A topic model sees *units*. In ``"paragraphs"`` mode a unit is one or more consecutive
paragraphs of one document:

- paragraphs longer than ``max_tokens`` word tokens are split at sentence boundaries
  (a single sentence longer than that is split between words);
- consecutive paragraphs (or pieces) are merged until the unit has at least
  ``min_tokens`` word tokens, unless adding the next piece would take the unit above
  ``max_tokens``;
- a short tail at the end of a document is merged into the previous unit, so a unit can
  exceed ``max_tokens`` by less than ``min_tokens``; a document shorter than
  ``min_tokens`` is one (short) unit.

In ``"documents"`` mode a document is one unit: its paragraphs joined by ``"\\n"``.
A document without paragraphs (everything was furniture) gives no unit.

Word tokens are counted before stopword removal with :data:`WORD_RE` (runs of letters,
hyphenated words counted once), the same tokens the tokeniser keeps.
``unit_id`` is ``f"{doc_id}#{index:04d}"`` with the index counted from 0 per document.

Examples
--------
>>> [u.unit_id for u in make_units("d1", ["Kort.", "Också kort."], mode="paragraphs",
...                                min_tokens=5, max_tokens=50)]
['d1#0000']
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

logger = logging.getLogger(__name__)

#: A word token for counting unit length: letters, possibly hyphenated.
WORD_RE = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# A sentence ends with . ! ? or … (and closing quotes or brackets) before whitespace.
_SENTENCE_RE = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"”’»)\]])\s+")


@dataclass(frozen=True)
class Unit:
    """One unit of analysis: ``unit_id`` (``doc#0000``), ``doc_id`` and ``text``."""

    unit_id: str
    doc_id: str
    text: str


def count_words(text: str) -> int:
    """Number of word tokens in ``text`` (see :data:`WORD_RE`)."""
    return len(WORD_RE.findall(text))


def split_sentences(text: str) -> list[str]:
    """Split ``text`` after sentence-final punctuation followed by whitespace."""
    return [s for s in _SENTENCE_RE.split(text) if s.strip()]


def _split_words(text: str, max_tokens: int, count: Callable[[str], int]) -> list[str]:
    """Split a too-long sentence between words into balanced pieces."""
    words = text.split()
    n_pieces = math.ceil(count(text) / max_tokens)
    if n_pieces <= 1 or len(words) <= 1:
        return [text]
    size = math.ceil(len(words) / n_pieces)
    return [" ".join(words[i : i + size]) for i in range(0, len(words), size)]


def split_long(
    text: str,
    *,
    max_tokens: int,
    count: Callable[[str], int] = count_words,
    sentences: Callable[[str], list[str]] = split_sentences,
) -> list[str]:
    """Split a paragraph above ``max_tokens`` into pieces at sentence boundaries.

    Sentences (from ``sentences``: the corpus's trained Punkt splitter in the workflow,
    :func:`split_sentences` by default) are packed greedily into pieces of at most
    ``max_tokens`` word tokens; a sentence longer than that is split between words.
    """
    if count(text) <= max_tokens:
        return [text]
    pieces: list[str] = []
    current: list[str] = []
    current_n = 0
    for sentence in sentences(text):
        n = count(sentence)
        if n > max_tokens:
            if current:
                pieces.append(" ".join(current))
                current, current_n = [], 0
            pieces.extend(_split_words(sentence, max_tokens, count))
            continue
        if current and current_n + n > max_tokens:
            pieces.append(" ".join(current))
            current, current_n = [], 0
        current.append(sentence)
        current_n += n
    if current:
        pieces.append(" ".join(current))
    return pieces


def make_units(
    doc_id: str,
    paragraphs: Sequence[str],
    *,
    mode: Literal["paragraphs", "documents"],
    min_tokens: int,
    max_tokens: int,
    count: Callable[[str], int] = count_words,
    sentences: Callable[[str], list[str]] = split_sentences,
) -> list[Unit]:
    """Turn a document's paragraphs into units of analysis.

    Parameters
    ----------
    doc_id
        The document id (used in ``unit_id``).
    paragraphs
        The cleaned paragraphs, in order.
    mode
        ``"paragraphs"`` (merge/split to the target length) or ``"documents"``.
    min_tokens, max_tokens
        Target unit length in word tokens (paragraphs mode).
    count
        Function giving the number of word tokens of a text.
    sentences
        Function splitting a long paragraph into sentences (see :func:`split_long`).

    Returns
    -------
    list of Unit
        In document order; empty when ``paragraphs`` is empty.
    """
    paragraphs = [p for p in paragraphs if p.strip()]
    if not paragraphs:
        return []
    if mode == "documents":
        return [Unit(f"{doc_id}#0000", doc_id, "\n".join(paragraphs))]
    if mode != "paragraphs":
        raise ValueError(f"unknown unit mode {mode!r}; use 'paragraphs' or 'documents'")
    if min_tokens > max_tokens:
        raise ValueError(f"min_tokens ({min_tokens}) is larger than max_tokens ({max_tokens})")

    # Pieces as (joiner before it, text, n_tokens): "\n" between paragraphs, " " between
    # the pieces of a split paragraph.
    pieces: list[tuple[str, str, int]] = []
    for paragraph in paragraphs:
        n = count(paragraph)
        if n <= max_tokens:
            pieces.append(("\n", paragraph, n))
            continue
        parts = split_long(paragraph, max_tokens=max_tokens, count=count, sentences=sentences)
        for i, part in enumerate(parts):
            pieces.append((" " if i else "\n", part, count(part)))

    return [
        Unit(
            f"{doc_id}#{index:04d}",
            doc_id,
            group[0][1] + "".join(joiner + text for joiner, text, _ in group[1:]),
        )
        for index, group in enumerate(_group_pieces(pieces, min_tokens, max_tokens))
    ]


_Piece = tuple[str, str, int]


def _group_pieces(pieces: Sequence[_Piece], min_tokens: int, max_tokens: int) -> list[list[_Piece]]:
    """Pieces ``(joiner before it, text, n_tokens)`` gathered into units of
    ``min_tokens``–``max_tokens`` tokens where they fit, in order."""
    groups: list[list[_Piece]] = []
    buffer: list[_Piece] = []

    def size(group: list[_Piece]) -> int:
        return sum(n for _, _, n in group)

    for piece in pieces:
        if buffer and size(buffer) + piece[2] > max_tokens:
            # The buffer is short (else it was emitted): add it to the previous unit if it
            # fits there, else let it be a short unit of its own.
            if groups and size(groups[-1]) + size(buffer) <= max_tokens:
                groups[-1].extend(buffer)
            else:
                groups.append(buffer)
            buffer = []
        buffer.append(piece)
        if size(buffer) >= min_tokens:
            groups.append(buffer)
            buffer = []
    if buffer:
        if groups:
            groups[-1].extend(buffer)  # a short tail joins the previous unit
        else:
            groups.append(buffer)
    return groups
