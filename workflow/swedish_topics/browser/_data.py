"""The browser's data: every table the page shows, read by column name and made compact.

Readers tolerate what other steps may or may not write: ``q_value``/``significant`` in
the differences tables and ``tables/robustness_by_<facet>.csv`` are shown when present
(else ``excludes_zero``); the wording divergence columns of ``topics.csv`` likewise.
Numbers are rounded (3 significant digits) and repeated strings (terms, groups, texts)
stored once, so a 290-group facet stays a few MB.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from swedish_topics import io as sio

PathLike = str | os.PathLike[str]

#: Characters of a group's passage in the page (the CSV keeps the longer text).
PASSAGE_CHARS = 280
#: Words per topic and group in the page.
WORDS_SHOWN = 8


def _num(value: str | None, digits: int = 3) -> float | None:
    """A table cell as a rounded float (None if empty or not finite)."""
    if value is None or value == "":
        return None
    x = float(value)
    if not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


def _short(text: str, n: int) -> str:
    flat = " ".join(text.split())
    if len(flat) <= n:
        return flat
    cut = flat[:n]
    space = cut.rfind(" ")
    return (cut[:space] if space > n // 2 else cut).rstrip(" ,;:") + "…"


class _Strings:
    """A table of distinct strings; ``id`` gives each its position."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self._pos: dict[str, int] = {}

    def id(self, text: str) -> int:
        if text not in self._pos:
            self._pos[text] = len(self.items)
            self.items.append(text)
        return self._pos[text]


def _facet_of(path: PathLike, stem: str) -> str:
    name = Path(path).name
    return name[len(stem) : -len(".csv")]


def _by_facet(paths: Sequence[PathLike] | PathLike | None, stem: str) -> dict[str, Path]:
    if paths is None:
        return {}
    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    return {_facet_of(p, stem): Path(p) for p in items}


def _topics(topics_csv: PathLike, topic_terms_csv: PathLike, facets: Sequence[str]) -> list[Any]:
    terms: dict[int, list[list[Any]]] = {}
    for row in sio.read_csv(topic_terms_csv):
        terms.setdefault(int(row["topic"]), []).append(
            [row["term"], _num(row["weight"]), int(row["frex_rank"])]
        )
    out = []
    for row in sio.read_csv(topics_csv):
        t = int(row["topic"])
        divergence = {}
        for f in facets:
            col = f"wording_divergence_{f}"
            if row.get(col):
                divergence[f] = [
                    _num(row[col]),
                    _num(row.get(f"{col}_null_low")),
                    _num(row.get(f"{col}_null_high")),
                ]
        out.append(
            {
                "id": t,
                "label": row["label"],
                "prevalence": _num(row["prevalence"]),
                "frex": row["frex_terms"].split(", "),
                "terms": terms.get(t, [])[:20],
                "divergence": divergence,
            }
        )
    return out


def _robustness(path: Path, facet: str) -> dict[tuple[int, str], str]:
    """``holds_in`` of the ``differences`` rows of a robustness table (if it exists)."""
    if not path.is_file():
        return {}
    out = {}
    for row in sio.read_csv(path):
        if row.get("table", "differences") == "differences" and row.get("holds_in"):
            out[(int(row["topic"]), row[facet])] = row["holds_in"]
    return out


def _comparison(
    prevalence_csv: Path, differences_csv: Path | None, facet: str, groups: _Strings
) -> dict[str, Any]:
    """Per topic, one compact row per group: prevalence, difference, significance."""
    diff: dict[tuple[int, str], Mapping[str, str]] = {}
    columns: list[str] = []
    if differences_csv is not None and differences_csv.is_file():
        rows = sio.read_csv(differences_csv)
        columns = list(rows[0]) if rows else []
        diff = {(int(r["topic"]), r[facet]): r for r in rows}
        robust = _robustness(differences_csv.with_name(f"robustness_by_{facet}.csv"), facet)
    else:
        robust = {}
    has_q = "q_value" in columns
    per_topic: dict[str, list[Any]] = {}
    for row in sio.read_csv(prevalence_csv):
        key = (int(row["topic"]), row[facet])
        d = diff.get(key, {})
        sig = d.get("significant") if has_q else d.get("excludes_zero")
        flags = sorted(
            {*filter(None, row["flag"].split(";")), *filter(None, d.get("flag", "").split(";"))}
        )
        per_topic.setdefault(row["topic"], []).append(
            [
                groups.id(row[facet]),
                _num(row["mean"]),
                _num(row["ci_low"]),
                _num(row["ci_high"]),
                _num(d.get("difference")),
                _num(d.get("ci_low")),
                _num(d.get("ci_high")),
                1 if sig == "true" else 0,
                _num(d.get("q_value"), 3) if has_q else None,
                robust.get(key, ""),
                ";".join(flags),
                int(row["n_docs"]),
            ]
        )
    return {"rows": per_topic, "q": has_q, "robust": bool(robust)}


#: One letter per group flag in the page (the page spells them out).
FLAG_CODES = {"single_doc": "s", "few_docs": "f", "few_tokens": "t"}
#: Words shown for a flagged group (its words are description, not findings).
WORDS_SHOWN_FLAGGED = 5


def _words(words_csv: Path, facet: str, groups: _Strings, terms: _Strings) -> dict[str, Any]:
    """Per topic and group: [n_docs, topic tokens, flag letters, [term, z, holds]…].

    ``holds`` is the number of other seeds in which the word holds (-1: unknown); the
    facet's ``n_seeds`` is returned beside the words.
    """
    out: dict[str, dict[str, list[Any]]] = {}
    n_seeds = 0
    for row in sio.read_csv(words_csv):
        topic = out.setdefault(row["topic"], {})
        g = str(groups.id(row[facet]))
        flags = row["flag"].split(";")
        if g not in topic:
            code = "".join(c for f, c in FLAG_CODES.items() if f in flags)
            topic[g] = [int(row["n_docs"]), round(float(row["topic_tokens"])), code, []]
        entry = topic[g]
        shown = WORDS_SHOWN_FLAGGED if entry[2] else WORDS_SHOWN
        if len(entry[3]) < 3 * shown:
            held = row.get("holds_seeds", "")
            n_seeds = int(row["n_seeds"]) if row.get("n_seeds") else 0
            entry[3] += [terms.id(row["term"]), _num(row["z"], 2), int(held) if held else -1]
    return {"by_topic": out, "n_seeds": n_seeds}


def _passages(
    passages_csv: Path,
    facet: str,
    groups: _Strings,
    texts: _Strings,
    doc_names: Mapping[str, str] | None = None,
) -> dict[str, dict[str, list[Any]]]:
    """Per topic and group, the first passage: [document name, weight, text id]."""
    names = doc_names or {}
    out: dict[str, dict[str, list[Any]]] = {}
    for row in sio.read_csv(passages_csv):
        if row["rank"] != "1":
            continue
        out.setdefault(row["topic"], {})[str(groups.id(row[facet]))] = [
            names.get(row["doc_id"], row["doc_id"]),
            _num(row["weight"], 3),
            texts.id(_short(row["text"], PASSAGE_CHARS)),
        ]
    return out


def _over(over_csv: Path, facet: str, terms: _Strings) -> dict[str, Any]:
    """Per topic: period, note, rising and falling [term, z], leading words per value."""
    out: dict[str, dict[str, Any]] = {}
    for row in sio.read_csv(over_csv):
        topic = out.setdefault(
            row["topic"], {"period": "", "note": "", "rising": [], "falling": [], "leading": {}}
        )
        if row["kind"] == "leading":
            words = topic["leading"].setdefault(row[facet], [])
            if len(words) < WORDS_SHOWN:
                words.append(terms.id(row["term"]))
        else:
            topic["period"], topic["note"] = row[facet], row["note"]
            if len(topic[row["kind"]]) < 2 * WORDS_SHOWN:
                topic[row["kind"]] += [terms.id(row["term"]), _num(row["z"], 3)]
    return out


def _topic_passages(
    passages_csv: PathLike, texts: _Strings, doc_names: Mapping[str, str] | None = None
) -> dict[str, list[Any]]:
    names = doc_names or {}
    out: dict[str, list[Any]] = {}
    for row in sio.read_csv(passages_csv):
        out.setdefault(row["topic"], []).append(
            [
                names.get(row["doc_id"], row["doc_id"]),
                _num(row["weight"], 3),
                texts.id(_short(row["text"], 2 * PASSAGE_CHARS)),
            ]
        )
    return out


def doc_names(cfg: Mapping[str, Any], inputs: Mapping[str, Any]) -> dict[str, str]:
    """Readable names of the documents whose passages the page shows: title (or first
    words) and facets, from the corpus's ``metadata.csv``; {} when it cannot be read."""
    from swedish_topics.corpus import read_metadata
    from swedish_topics.errors import CorpusError
    from swedish_topics.figures.composition import readable_doc_labels

    paths = [inputs["passages"], *_by_facet(inputs.get("group_passages"), "").values()]
    shown = {row["doc_id"] for path in paths for row in sio.read_csv(path)}
    corpus = Path(str(cfg.get("corpus", "")))
    facets = list(cfg.get("facets", []))
    try:
        metadata = read_metadata(corpus / "metadata.csv", [*facets, "title"])
    except (CorpusError, OSError):
        return {}
    rows = [r for r in metadata.rows if r["doc_id"] in shown]
    return readable_doc_labels(rows, facets, corpus_dir=corpus)


def browser_data(
    inputs: Mapping[str, Any],
    *,
    facets: Sequence[str],
    numeric_facets: Sequence[str],
    doc_names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything the page shows, from the workflow's tables (see the module docstring).

    Parameters
    ----------
    inputs
        ``topics``, ``topic_terms``, ``passages`` (paths) and ``prevalence``,
        ``differences``, ``words``, ``group_passages``, ``over`` (lists of per-facet
        tables; the facet is read from each file name).
    doc_names
        A readable name per ``doc_id`` (title or first words, see
        :func:`swedish_topics.figures.readable_doc_labels`) shown with passages instead
        of the id; the id where none is given.
    """
    prevalence = _by_facet(inputs.get("prevalence"), "prevalence_by_")
    differences = _by_facet(inputs.get("differences"), "differences_by_")
    words = _by_facet(inputs.get("words"), "topic_terms_by_")
    group_passages = _by_facet(inputs.get("group_passages"), "representative_passages_by_")
    over = _by_facet(inputs.get("over"), "topic_terms_over_")
    terms, texts = _Strings(), _Strings()
    facet_data = []
    for facet in facets:
        groups = _Strings()
        entry: dict[str, Any] = {"name": facet, "numeric": facet in numeric_facets}
        if facet in prevalence:
            entry["comparison"] = _comparison(
                prevalence[facet], differences.get(facet), facet, groups
            )
        if facet in words:
            entry["words"] = _words(words[facet], facet, groups, terms)
        if facet in group_passages:
            entry["passages"] = _passages(group_passages[facet], facet, groups, texts, doc_names)
        if facet in over:
            entry["over"] = _over(over[facet], facet, terms)
        entry["groups"] = groups.items
        facet_data.append(entry)
    topic_passages = _topic_passages(inputs["passages"], texts, doc_names)
    return {
        "topics": _topics(inputs["topics"], inputs["topic_terms"], facets),
        "facets": facet_data,
        "topic_passages": topic_passages,
        "terms": terms.items,
        "texts": texts.items,
    }
