"""A tiny document model, rendered to Markdown (``README.md``) and reStructuredText (the
first page of the Snakemake report).

Text from the corpus (group names, titles, topic labels) goes in plain segments and is
escaped for each target, so that it can neither break the layout nor inject HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: An inline segment: ("t", plain text), ("b", bold text) or ("c", code / a path).
Segment = tuple[str, str]
Inline = list[Segment]


def t(text: str) -> Segment:
    return ("t", text)


def b(text: str) -> Segment:
    return ("b", text)


def c(text: str) -> Segment:
    return ("c", text)


@dataclass
class Block:
    """A heading (level 1–3), a paragraph, a bullet list or a table."""

    kind: str  # "h", "p", "ul", "table"
    level: int = 0
    inline: Inline | None = None
    items: list[Inline] | None = None
    header: list[str] | None = None
    rows: list[list[Inline]] | None = None


def heading(level: int, text: str) -> Block:
    return Block("h", level=level, inline=[t(text)])


def para(*segments: Segment) -> Block:
    return Block("p", inline=list(segments))


def bullets(items: Sequence[Inline]) -> Block:
    return Block("ul", items=list(items))


def table(header: Sequence[str], rows: Sequence[Sequence[Inline]]) -> Block:
    return Block("table", header=list(header), rows=[list(r) for r in rows])


# ------------------------------------------------------------------------- Markdown
_WS = re.compile(r"\s+")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|<>])")


def _md_text(text: str) -> str:
    return _MD_SPECIAL.sub(_md_escape, _WS.sub(" ", text))


def _md_escape(match: re.Match[str]) -> str:
    char = match.group(1)
    return {"<": "&lt;", ">": "&gt;"}.get(char, "\\" + char)


def _md_inline(segments: Inline) -> str:
    out = []
    for kind, text in segments:
        if kind == "b":
            out.append(f"**{_md_text(text)}**")
        elif kind == "c":
            out.append("`" + text.replace("`", "'") + "`")
        else:
            out.append(_md_text(text))
    return "".join(out)


def to_markdown(blocks: Sequence[Block]) -> str:
    """The page as GitHub-flavoured Markdown."""
    parts = []
    for block in blocks:
        if block.kind == "h":
            parts.append("#" * block.level + " " + _md_inline(block.inline or []))
        elif block.kind == "p":
            parts.append(_md_inline(block.inline or []))
        elif block.kind == "ul":
            parts.append("\n".join("- " + _md_inline(item) for item in block.items or []))
        else:
            header = block.header or []
            lines = ["| " + " | ".join(_md_text(h) for h in header) + " |"]
            lines.append("|" + "|".join("---" for _ in header) + "|")
            for row in block.rows or []:
                lines.append("| " + " | ".join(_md_inline(cell) for cell in row) + " |")
            parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


# ------------------------------------------------------------------- reStructuredText
_RST_SPECIAL = re.compile(r"([\\`*_|])")
_UNDERLINE = {1: "=", 2: "-", 3: "~"}


def _rst_text(text: str) -> str:
    return _RST_SPECIAL.sub(r"\\\1", _WS.sub(" ", text))


def _rst_inline(segments: Inline) -> str:
    out = []
    for kind, text in segments:
        if not text:
            continue
        if kind == "b":
            out.append(f"**{_rst_text(text)}**")
        elif kind == "c":
            out.append("``" + " ".join(text.split()).replace("`", "'") + "``")
        else:
            out.append(_rst_text(text))
    # inline markup must be delimited by whitespace or punctuation: escape-join neighbours
    return "\\ ".join(out) if len(out) > 1 else "".join(out)


def to_rst(blocks: Sequence[Block]) -> str:
    """The page as reStructuredText (list tables)."""
    parts = []
    for block in blocks:
        if block.kind == "h":
            text = _rst_inline(block.inline or [])
            parts.append(text + "\n" + _UNDERLINE.get(block.level, "~") * max(4, len(text)))
        elif block.kind == "p":
            parts.append(_rst_inline(block.inline or []))
        elif block.kind == "ul":
            parts.append("\n".join("- " + _rst_inline(item) for item in block.items or []))
        else:
            lines = [".. list-table::", "   :header-rows: 1", ""]
            for i, row in enumerate([[[t(h)] for h in block.header or []], *(block.rows or [])]):
                del i
                for j, cell in enumerate(row):
                    lead = "   * - " if j == 0 else "     - "
                    lines.append(lead + (_rst_inline(cell) or "\\ "))
            parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"
