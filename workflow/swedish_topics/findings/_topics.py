"""Topics and their warnings: a topic that is one document (or one source) in disguise,
or that is led by boilerplate.

A group difference on a topic that one document supplies is close to circular (the group
holding that document "writes more" about it), so the page says so beside the topic and
beside every finding on it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from swedish_topics.findings._tables import RunTables, number

#: A topic is concentrated in one document when more than this share of its token mass
#: (document proportion × modelled tokens) comes from that document.
DOC_SHARE = 0.5
#: ... in one ``source`` when more than this share comes from it and the share is at least
#: :data:`SOURCE_LIFT` times the source's share of all tokens (a source holding most of
#: the corpus supplies most of every topic).
SOURCE_SHARE = 0.5
SOURCE_LIFT = 1.5
#: A topic is led by boilerplate when at least this share of the occurrences of its
#: leading terms falls in passages repeated word for word in several documents.
BOILERPLATE_SHARE = 0.5
#: Leading terms checked for boilerplate and source names.
N_LEADING = 10
#: English function words: two or more among a topic's leading terms mean text in
#: English (abstracts, quotations, boilerplate), not a Swedish theme.
ENGLISH = frozenset(
    {
        "the", "of", "and", "to", "in", "is", "for", "that", "on", "with",
        "as", "by", "are", "this", "be", "from", "it", "at", "an", "was",
    }
)  # fmt: skip
#: Characters of a document's readable name (its title or first words).
NAME_CHARS = 60


@dataclass
class TopicInfo:
    """One topic of the final model with its warnings (plain sentences)."""

    topic: int
    label: str
    top_terms: list[str]
    prevalence: float
    warnings: list[str] = field(default_factory=list)


def doc_names(metadata: Sequence[Mapping[str, str]]) -> dict[str, str]:
    """A readable name per document: its ``title`` (shortened) when there is one."""
    out = {}
    for row in metadata:
        title = (row.get("title") or "").strip()
        if title and len(title) > NAME_CHARS:
            title = title[: NAME_CHARS - 1].rstrip() + "…"
        out[row["doc_id"]] = f"“{title}”" if title else row["doc_id"]
    return out


def topic_mass(run: RunTables) -> dict[int, dict[str, float]]:
    """Token mass of every topic per document: proportion × the document's tokens."""
    mass: dict[int, dict[str, float]] = {}
    for row in run.doc_topics:
        tokens = run.doc_tokens.get(row["doc_id"], 0)
        mass.setdefault(int(row["topic"]), {})[row["doc_id"]] = number(row["weight"]) * tokens
    return mass


def _doc_warning(by_doc: Mapping[str, float], names: Mapping[str, str]) -> str:
    total = sum(by_doc.values())
    if total <= 0:
        return ""
    doc, top = max(sorted(by_doc.items()), key=lambda item: item[1])
    share = top / total
    if share <= DOC_SHARE:
        return ""
    return f"{share:.0%} of its text comes from one document, {names.get(doc, doc)}"


def _source_warning(by_doc: Mapping[str, float], run: RunTables) -> str:
    source_of = {r["doc_id"]: (r.get("source") or "").strip() for r in run.metadata}
    sources = {s for s in source_of.values() if s}
    if len(sources) < 2:
        return ""
    topic_total = sum(by_doc.values())
    corpus_total = sum(run.doc_tokens.values())
    if topic_total <= 0 or corpus_total <= 0:
        return ""
    by_source: dict[str, float] = {}
    corpus_by_source: dict[str, float] = {}
    for doc, value in by_doc.items():
        by_source[source_of.get(doc, "")] = by_source.get(source_of.get(doc, ""), 0.0) + value
    for doc, tokens in run.doc_tokens.items():
        key = source_of.get(doc, "")
        corpus_by_source[key] = corpus_by_source.get(key, 0.0) + tokens
    source, value = max(sorted(by_source.items()), key=lambda item: item[1])
    share, base = value / topic_total, corpus_by_source.get(source, 0.0) / corpus_total
    if not source or share <= SOURCE_SHARE or share < SOURCE_LIFT * base:
        return ""
    return f"{share:.0%} of its text comes from one source, {source} ({base:.0%} of the corpus)"


def term_counts(run: RunTables) -> tuple[Counter[str], Counter[str]]:
    """Occurrences of every term, in all units and in units repeated word for word in
    more than one document (both empty when no unit is repeated)."""
    repeated = [lemmas for lemmas, docs in run.unit_docs.items() if len(docs) > 1]
    if not repeated:
        return Counter(), Counter()
    everywhere: Counter[str] = Counter()
    for _doc, lemmas in run.unit_rows:
        everywhere.update(lemmas.split())
    in_repeated: Counter[str] = Counter()
    for _doc, lemmas in run.unit_rows:
        if lemmas in run.unit_docs and len(run.unit_docs[lemmas]) > 1:
            in_repeated.update(lemmas.split())
    return everywhere, in_repeated


def _boilerplate_warning(terms: Sequence[str], counts: tuple[Counter[str], Counter[str]]) -> str:
    """Leading terms found mostly in passages repeated word for word across documents."""
    everywhere, in_repeated = counts
    total = sum(everywhere[t] for t in terms[:N_LEADING])
    repeated = sum(in_repeated[t] for t in terms[:N_LEADING])
    if not total or repeated / total < BOILERPLATE_SHARE:
        return ""
    return (
        f"led by boilerplate: {repeated / total:.0%} of its leading terms' occurrences are "
        "in passages repeated word for word in several documents"
    )


def _source_name_warning(terms: Sequence[str], run: RunTables) -> str:
    """A leading term that is the name of a source (a vendor's or a publisher's name)."""
    names = {}
    for row in run.metadata:
        source = (row.get("source") or "").strip()
        key = "_".join(source.lower().split())
        if key and key.replace("_", "").isalpha():
            names[key] = source
    hits = [f"{t} ({names[t]})" for t in terms[:N_LEADING] if t in names]
    if not hits:
        return ""
    return "its leading terms include the name of a source: " + ", ".join(hits)


def _english_warning(terms: Sequence[str]) -> str:
    hits = [t for t in terms[:N_LEADING] if t in ENGLISH]
    if len(hits) < 2:
        return ""
    return (
        f"its leading terms include English function words ({', '.join(hits)}): part of it "
        "is text in English, not a Swedish theme"
    )


def topic_infos(run: RunTables) -> list[TopicInfo]:
    """Every topic of ``topics.csv`` with its warnings."""
    mass = topic_mass(run)
    names = doc_names(run.metadata)
    counts = term_counts(run)
    out = []
    for row in run.topics:
        topic = int(row["topic"])
        terms = [t.strip() for t in row["top_terms"].split(",") if t.strip()]
        info = TopicInfo(topic, row["label"], terms, number(row["prevalence"]))
        by_doc = mass.get(topic, {})
        for text in (
            _doc_warning(by_doc, names),
            _source_warning(by_doc, run),
            _boilerplate_warning(terms, counts),
            _source_name_warning(terms, run),
            _english_warning(terms),
        ):
            if text:
                info.warnings.append(text)
        out.append(info)
    return out
