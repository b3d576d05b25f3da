"""The run's tables that the findings page reads, loaded once.

Everything here is read, never recomputed: ``significant`` and ``q_value`` come from the
comparison tables as the multiplicity procedure wrote them, ``holds_seeds``/``holds_k``
from the robustness tables.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from swedish_topics import io as sio

PathLike = str | os.PathLike[str]
Row = dict[str, str]


def number(value: Any) -> float:
    """A table cell as a float (NaN when empty or not a number)."""
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def count(value: Any) -> int:
    """A table cell as an int (0 when empty)."""
    x = number(value)
    return 0 if math.isnan(x) else int(x)


def is_true(value: Any) -> bool:
    """``"true"`` (any case) is true; empty, ``"false"`` and anything else are not."""
    return str(value).strip().lower() == "true"


@dataclass
class FacetTables:
    """One facet's comparison tables (rows as read; empty lists when absent)."""

    name: str
    numeric: bool
    prevalence: list[Row] = field(default_factory=list)
    differences: list[Row] = field(default_factory=list)
    effects: list[Row] = field(default_factory=list)
    robustness: list[Row] = field(default_factory=list)
    words: list[Row] = field(default_factory=list)

    def group_sizes(self) -> dict[str, int]:
        """Documents per group, from the prevalence table (first row of each group)."""
        sizes: dict[str, int] = {}
        for row in self.prevalence:
            sizes.setdefault(row[self.name], count(row.get("n_docs")))
        return sizes


@dataclass
class RunTables:
    """What the findings page reads from one run."""

    cfg: Mapping[str, Any]
    n_docs: int
    summary: list[Row]
    choice: Mapping[str, Any]
    metrics: list[Row]
    topics: list[Row]
    doc_topics: list[Row]
    doc_tokens: dict[str, int]
    unit_docs: dict[str, set[str]]  # a unit's lemma string → documents holding it
    unit_rows: list[tuple[str, str]]  # (doc_id, lemmas) of every unit
    metadata: list[Row]
    facets: list[FacetTables]

    def topic_label(self, topic: int | str) -> str:
        for row in self.topics:
            if row["topic"] == str(topic):
                return row["label"]
        return f"topic {topic}"


def _per_facet(inputs: Mapping[str, Any], key: str, facets: Sequence[str]) -> dict[str, Path]:
    """The input files of ``key`` by facet: a list in facet order, or one path per facet
    whose name ends in ``_<facet>.csv`` (numeric facets have no prevalence heatmap but do
    have every table read here)."""
    files = inputs.get(key) or []
    if isinstance(files, str | os.PathLike):
        files = [files]
    out: dict[str, Path] = {}
    for path in map(Path, files):
        for facet in facets:
            if path.name.endswith(f"_{facet}.csv"):
                out[facet] = path
    return out


def _units(path: PathLike) -> tuple[dict[str, int], dict[str, set[str]], list[tuple[str, str]]]:
    """Modelled tokens per document, and which documents hold each unit's lemma string."""
    tokens: dict[str, int] = {}
    holders: dict[str, set[str]] = {}
    units: list[tuple[str, str]] = []
    with open(path, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split("\t")
        i_doc, i_n, i_lem = header.index("doc_id"), header.index("n_tokens"), header.index("lemmas")
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            doc, lemmas = parts[i_doc], parts[i_lem]
            tokens[doc] = tokens.get(doc, 0) + int(parts[i_n])
            holders.setdefault(lemmas, set()).add(doc)
            units.append((doc, lemmas))
    return tokens, holders, units


def load_tables(inputs: Mapping[str, Any], cfg: Mapping[str, Any]) -> RunTables:
    """Read the run's outputs named in ``inputs`` (the findings rule's inputs)."""
    from swedish_topics.corpus import read_metadata

    facet_names = list(cfg["facets"])
    numeric = set(cfg.get("numeric_facets") or [])
    facets = [FacetTables(f, f in numeric) for f in facet_names]
    for key in ("prevalence", "differences", "effects", "robustness", "words"):
        paths = _per_facet(inputs, key, facet_names)
        for facet in facets:
            if facet.name in paths:
                setattr(facet, key, sio.read_csv(paths[facet.name]))
    with open(inputs["validation"], encoding="utf-8") as handle:
        validation = json.load(handle)
    with open(inputs["choice"], encoding="utf-8") as handle:
        choice = json.load(handle)
    doc_tokens, unit_docs, unit_rows = _units(inputs["units_tsv"])
    metadata = read_metadata(Path(inputs["metadata"])).rows
    return RunTables(
        cfg=cfg,
        n_docs=int(validation["n_docs"]),
        summary=sio.read_csv(inputs["summary"]),
        choice=choice,
        metrics=sio.read_csv(inputs["metrics"]),
        topics=sio.read_csv(inputs["topics"]),
        doc_topics=sio.read_csv(inputs["doc_topics"]),
        doc_tokens=doc_tokens,
        unit_docs=unit_docs,
        unit_rows=unit_rows,
        metadata=[dict(r) for r in metadata],
        facets=facets,
    )
