"""Validating a whole corpus folder: every problem at once (:func:`validate_corpus`)."""

from __future__ import annotations

import itertools
import logging
import os
import re
import unicodedata
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from swedish_topics.corpus._format import (
    BYTES_PER_MB,
    DOC_ID,
    INTEGER,
    METADATA_NAME,
    TEXTS_NAME,
    Findings,
    ValidationReport,
    doc_id_problem,
    join_problems,
    safe_id_suggestion,
    text_name,
)
from swedish_topics.corpus._metadata import (
    MetadataFile,
    metadata_rows,
    missing_facet_problem,
    sort_values,
)
from swedish_topics.corpus._texts import check_text
from swedish_topics.errors import CorpusError

logger = logging.getLogger(__name__)
_Number = TypeVar("_Number", int, float)


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


def _folded_stems(stems: Iterable[str]) -> dict[str, str]:
    """For each case- and Unicode-form-folded stem, the first stem (by file name) with it."""
    folded: dict[str, str] = {}
    for stem in sorted(stems, key=text_name):
        folded.setdefault(unicodedata.normalize("NFC", stem).casefold(), stem)
    return folded


def _match_hint(doc_id: str, folded_stems: Mapping[str, str], texts_dir: Path) -> str:
    """A hint for a row without a text: a file that differs in case or Unicode form."""
    stem = folded_stems.get(unicodedata.normalize("NFC", doc_id).casefold())
    if stem is None:
        return ""
    return (
        f" The file {texts_dir / text_name(stem)} differs from it only in upper/lower case "
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
    source = MetadataFile(path)
    table = _Table(path)
    id_column: int | None = None
    kept: list[tuple[int, list[str], dict[str, int], array[int]]] | None = None
    for line, values in metadata_rows(source):
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
    problems = Findings()
    warnings = Findings()
    texts_dir = corpus_dir / TEXTS_NAME
    stems, table = _read_layout(
        corpus_dir, [*facets, *numeric_facets], problems=problems, warnings=warnings
    )
    doc_ids: list[str] = []
    groups: dict[str, dict[str, int]] = {}
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
    max_bytes = int(max_text_mb * BYTES_PER_MB)
    text_sizes = _check_texts(texts_dir, stems, table, doc_ids, max_bytes, problems, warnings)
    if problems:
        raise CorpusError(join_problems(corpus_dir, problems.paragraphs()))
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


def _read_layout(
    corpus_dir: Path, columns: Sequence[str], *, problems: Findings, warnings: Findings
) -> tuple[dict[str, str] | None, _Table | None]:
    """List ``texts/`` and read ``metadata.csv`` (doc_id and ``columns``); the text stems
    and the table, None where unusable (the problems say why)."""
    texts_dir = corpus_dir / TEXTS_NAME
    # texts/ is listed first so that the doc ids read next share the strings of the file
    # names; what the listing finds is reported after the problems of metadata.csv.
    listing = _list_texts(texts_dir)
    stems = None if listing is None else listing[0]
    # Only doc_id and the facets are checked: the other columns are not kept in memory.
    table, metadata_problems = _read_table(corpus_dir / METADATA_NAME, columns, stems or {})
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
    if table is not None and not table.doc_ids:
        problems.add(
            "metadata.csv",
            f"{table.path} has a header but no rows, so the corpus has no documents. Add "
            "one row per text in texts/ (doc_id = the file name without .txt).",
        )
    return stems, table


def _check_texts(
    texts_dir: Path,
    stems: Mapping[str, str] | None,
    table: _Table | None,
    doc_ids: Sequence[str],
    max_bytes: int,
    problems: Findings,
    warnings: Findings,
) -> list[int]:
    """Check the text of every row and find the texts without a row; the text sizes."""
    text_sizes: list[int] = []
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
                    f"{texts_dir / text_name(doc_id)}."
                    f"{_match_hint(doc_id, folded_stems, texts_dir)} Add the text, or delete "
                    "the row.",
                )
                continue
            n_with_text += 1
            text_sizes.append(
                check_text(
                    texts_dir / text_name(doc_id),
                    max_bytes=max_bytes,
                    problems=problems,
                    warnings=warnings,
                )
            )
        if n_with_text < len(stems):  # doc ids are distinct: some texts have no row
            id_set = set(doc_ids)
            for stem in sorted(stems, key=text_name):
                if stem not in id_set:
                    problems.add(
                        "texts without a metadata row",
                        f"{texts_dir / text_name(stem)} has no row in {table.path} (no "
                        f"doc_id '{stem}'). Add a row for it, or move the file out of texts/.",
                    )
    elif stems is not None:
        # metadata.csv is unusable: still check every text so that all problems show.
        for stem in sorted(stems, key=text_name):
            check_text(
                texts_dir / text_name(stem),
                max_bytes=max_bytes,
                problems=problems,
                warnings=warnings,
            )
    return text_sizes


def _list_texts(texts_dir: Path) -> tuple[dict[str, str], list[tuple[str, bool]]] | None:
    """The ``.txt`` files and the other entries of ``texts_dir``; None if it is no folder.

    Returns each text's stem (its file name without ``.txt``) mapped to itself, in no
    particular order (sort with :func:`text_name` as the key for file-name order), and
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
    table: _Table, problems: Findings, warnings: Findings
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
                else f"rename it, e.g. to '{safe_id_suggestion(doc_id)}', in metadata.csv "
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
    problems: Findings,
    warnings: Findings,
) -> dict[str, dict[str, int]]:
    """Check facet columns and the values of ``rows``; return the group sizes per facet."""
    groups: dict[str, dict[str, int]] = {}
    numeric = set(numeric_facets)
    for facet in dict.fromkeys([*facets, *numeric_facets]):
        if facet not in table.columns:
            problems.add(
                "missing facet columns", missing_facet_problem(table.path, table.columns, facet)
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
        groups[facet] = {value: sizes[value] for value in sort_values(set(sizes))}
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
    problems: Findings,
    warnings: Findings,
) -> None:
    """Numeric facet values must be integers; far outliers get a warning."""
    values = table.values.get(facet, [])
    codes = table.codes.get(facet, array("I"))
    numbers = [int(value) if INTEGER.fullmatch(value) else None for value in values]
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
