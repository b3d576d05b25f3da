"""The findings page of a run: ``README.md`` (and its reStructuredText twin, the first
page of the Snakemake report) and ``findings.csv``, built from the run's own tables.

A reader should know within five minutes what was analysed, which model, the topics and
their warnings, the findings that hold (significant after the FDR adjustment *and* in
the other models of the grid), what the corpus cannot tell (groups too small, and the
smallest difference each facet could have detected), and where every file is.

>>> from swedish_topics.findings import FINDINGS_COLUMNS
>>> FINDINGS_COLUMNS[:3]
('kind', 'topic', 'topic_label')
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from swedish_topics.findings._collect import (
    FINDINGS_COLUMNS,
    Finding,
    Tally,
    facet_findings,
    holds,
    rank,
    word_findings,
)
from swedish_topics.findings._page import (
    analysed_blocks,
    files_blocks,
    findings_blocks,
    limits_blocks,
    opening,
    topic_blocks,
)
from swedish_topics.findings._power import FacetPower, effects_note, facet_power, mde
from swedish_topics.findings._render import Block, heading, to_markdown, to_rst
from swedish_topics.findings._tables import RunTables, load_tables
from swedish_topics.findings._topics import TopicInfo, topic_infos

logger = logging.getLogger(__name__)

__all__ = [
    "FINDINGS_COLUMNS",
    "FacetPower",
    "Finding",
    "Page",
    "RunTables",
    "TopicInfo",
    "build_page",
    "comparable",
    "facet_power",
    "holds",
    "load_tables",
    "mde",
    "write_page",
]


@dataclass
class Page:
    """The page as blocks, and the rows of findings.csv."""

    blocks: list[Block]
    findings: list[Finding]
    words: list[Finding]
    powers: list[FacetPower]
    topics: list[TopicInfo]


def comparable(run: RunTables) -> bool:
    """Whether any facet has a group that, and whose rest, reach ``min_group_docs``."""
    return any(_powers(run)[i].comparable for i in range(len(run.facets)))


def _powers(run: RunTables) -> list[FacetPower]:
    acfg = run.cfg["analysis"]
    return [
        facet_power(
            facet,
            min_group_docs=int(run.cfg["min_group_docs"]),
            ci_level=float(acfg["ci_level"]),
            fdr=float(acfg["fdr"]),
        )
        for facet in run.facets
    ]


def build_page(run: RunTables) -> Page:
    """Everything the page says, from the run's tables."""
    topics = topic_infos(run)
    labels = {info.topic: info.label for info in topics}
    warnings = {info.topic: info.warnings for info in topics}
    findings: list[Finding] = []
    words: list[Finding] = []
    tally = Tally()
    for facet in run.facets:
        rows, part = facet_findings(facet, labels, warnings)
        findings += rows
        words += word_findings(facet, labels)
        for name in ("significant", "held", "failed", "unchecked"):
            setattr(tally, name, getattr(tally, name) + getattr(part, name))
    findings = rank(findings)
    words = rank(words)
    powers = _powers(run)
    notes = {f.name: effects_note(f) for f in run.facets if effects_note(f)}
    cited = sorted({f.source_table for f in findings} | {f.figure for f in findings})
    blocks = [heading(1, "Findings of this run"), opening(run, powers, len(findings))]
    # Findings before the topic table: with 40 topics the table is a page long, and each
    # finding names its topic's label and carries the topic's warning itself.
    blocks += analysed_blocks(run, powers)
    blocks += findings_blocks(findings, words, tally, run.cfg)
    blocks += limits_blocks(powers, notes, run.cfg)
    blocks += topic_blocks(topics)
    blocks += files_blocks(cited, run.cfg)
    return Page(blocks, findings, words, powers, topics)


def write_page(
    page: Page,
    *,
    out_md: str | os.PathLike[str],
    out_csv: str | os.PathLike[str],
    out_rst: str | os.PathLike[str],
) -> None:
    """``README.md``, ``findings.csv`` (findings, then wording) and the report's rst."""
    from swedish_topics import io as sio

    sio.atomic_write_text(out_md, to_markdown(page.blocks))
    sio.atomic_write_text(out_rst, to_rst(page.blocks))
    rows: list[Mapping[str, Any]] = [f.as_row() for f in page.findings + page.words]
    sio.write_csv(out_csv, rows, list(FINDINGS_COLUMNS))
    logger.info("findings page: %d findings, %d wording rows", len(page.findings), len(page.words))
