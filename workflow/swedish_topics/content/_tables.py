"""Columns, captions and writers of the content tables."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from typing import Any

from swedish_topics import io as sio

PathLike = str | os.PathLike[str]

WORD_COLUMNS = (
    "topic",
    "{facet}",
    "rank",
    "term",
    "z",
    "log_odds",
    "count_group",
    "count_rest",
    "n_docs",
    "topic_tokens",
    "holds_seeds",
    "n_seeds",
    "flag",
    "note",
)
PASSAGE_COLUMNS = (
    "topic",
    "{facet}",
    "rank",
    "doc_id",
    "unit_id",
    "weight",
    "n_docs",
    "flag",
    "text",
)
OVER_COLUMNS = (
    "topic",
    "kind",
    "{facet}",
    "rank",
    "term",
    "share",
    "z",
    "log_odds",
    "count_early",
    "count_late",
    "n_docs",
    "n_strata",
    "flag",
    "note",
)
DIVERGENCE_COLUMNS = (
    "topic",
    "observed",
    "null_mean",
    "excess",
    "null_low",
    "null_high",
    "p_value",
)

# Leading rows in the LaTeX/Markdown copies: words per group, groups per topic.
DISPLAY_WORDS = 6
DISPLAY_GROUPS = 8


def columns(template: Sequence[str], facet: str) -> list[str]:
    """The column names with ``{facet}`` filled in."""
    return [c.format(facet=facet) for c in template]


def words_caption(facet: str, *, prior_strength: float, n_seeds: int, min_group_docs: int) -> str:
    """Caption of ``topic_terms_by_<facet>``."""
    seeds = (
        f" holds_seeds counts the other {n_seeds} seed(s) of the same K whose matched topic "
        "has the word among the group's leading words; a word marked not_in_all_seeds "
        "depends on the run."
        if n_seeds
        else " No other seed of the chosen K was trained, so whether the words hold across "
        "runs is unknown."
    )
    return (
        f"Words each {facet} uses more within a topic than the rest of the corpus: weighted "
        "log-odds with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008; "
        f"prior = {prior_strength:g} x the topic's corpus-wide counts) on expected counts "
        "n(d,w) theta_dk phi_kw / sum_j theta_dj phi_jw. z is descriptive (the counts are "
        "model estimates, not independent draws) and not adjusted for the many words and "
        f"groups compared. Groups with fewer than {min_group_docs} documents (single_doc, "
        "few_docs) or few tokens of the topic (few_tokens) are listed but their words are "
        "not findings." + seeds
    )


def write_words(
    path: PathLike,
    rows: Sequence[Mapping[str, Any]],
    *,
    facet: str,
    caption: str,
) -> None:
    """``topic_terms_by_<facet>``: every row in the CSV; leading words of the largest
    unflagged groups, one line per topic and group, in the ``.tex`` and ``.md``."""
    sio.write_csv(path, rows, columns(WORD_COLUMNS, facet))
    by_pair: dict[tuple[int, str], list[Mapping[str, Any]]] = {}
    for row in rows:
        if not row["flag"]:
            by_pair.setdefault((row["topic"], row[facet]), []).append(row)
    display = []
    for topic in sorted({t for t, _ in by_pair}):
        pairs = [(g, r) for (t, g), r in by_pair.items() if t == topic]
        pairs.sort(key=lambda p: (-p[1][0]["n_docs"], p[0]))
        for group, group_rows in pairs[:DISPLAY_GROUPS]:
            words = ", ".join(f"{r['term']} ({r['z']:.1f})" for r in group_rows[:DISPLAY_WORDS])
            display.append(
                {"topic": topic, facet: group, "n_docs": group_rows[0]["n_docs"], "words": words}
            )
    display_caption = (
        caption + f" Shown: the {DISPLAY_GROUPS} unflagged groups with most documents per "
        f"topic, {DISPLAY_WORDS} words each with z, leaving out words flagged "
        "not_in_all_seeds; the CSV holds every group and word."
    )
    sio.write_display_copies(
        path, display[: sio.MAX_DISPLAY_ROWS], ["topic", facet, "n_docs", "words"], display_caption
    )


def write_passages(
    path: PathLike, rows: Sequence[Mapping[str, Any]], *, facet: str, min_weight: float
) -> None:
    """``representative_passages_by_<facet>`` (CSV; ``.tex``/``.md`` leading rows)."""
    caption = (
        f"Representative passages of every topic within each {facet}: the units of the "
        f"group with the highest proportion of the topic (at least {min_weight:g}; at most "
        "two per document where possible), with the group's document count; a group "
        "without such a unit has no row. Flagged groups (few documents) show how one or "
        "two documents word the topic, not how the group does."
    )
    cols = columns(PASSAGE_COLUMNS, facet)
    sio.write_csv(path, rows, cols)
    shown = [r for r in rows if r["rank"] == 1 and not r["flag"]][:200]
    sio.write_display_copies(
        path,
        shown,
        [c for c in cols if c != "unit_id"],
        caption
        + " Shown: the first passage of up to 200 unflagged topic-group pairs; the CSV holds all.",
    )


def write_divergence(path: PathLike, rows: Sequence[Mapping[str, Any]]) -> None:
    """The intermediate divergence table of one facet (read by ``topic_tables``)."""
    sio.write_csv(path, rows, list(DIVERGENCE_COLUMNS))


def over_time_caption(facet: str, *, strata: Sequence[str], prior_strength: float) -> str:
    """Caption of ``topic_terms_over_<facet>``: says whether the comparison is stratified."""
    how = (
        f"compared within each group of {', '.join(strata)} and pooled with inverse-variance "
        "weights (groups that wrote in only one half contribute nothing), so a word does not "
        f"rise merely because other {' and '.join(strata)} groups wrote more in later years"
        if strata
        else "a marginal comparison over all documents: a word can rise merely because the "
        "documents of later years come from other groups (no other facet to stratify by)"
    )
    return (
        f"Themes over {facet}. kind = leading: the most used words of the topic at each "
        f"{facet} (share of the topic's expected tokens). kind = rising/falling: words whose "
        f"share within the topic grew or shrank from the earlier to the later half of the "
        f"period (split at the median {facet} of the documents), weighted log-odds with an "
        f"informative Dirichlet prior (prior = {prior_strength:g} x the counts), {how}. "
        "z is descriptive, not a test; n_strata is the number of groups compared."
    )


def write_over_time(
    path: PathLike,
    rows: Sequence[Mapping[str, Any]],
    *,
    facet: str,
    strata: Sequence[str],
    prior_strength: float,
) -> None:
    """``topic_terms_over_<facet>`` (CSV; ``.tex``/``.md``: rising and falling words)."""
    caption = over_time_caption(facet, strata=strata, prior_strength=prior_strength)
    cols = columns(OVER_COLUMNS, facet)
    sio.write_csv(path, rows, cols)
    display: list[dict[str, Any]] = []
    for topic in sorted({r["topic"] for r in rows}):
        line: dict[str, Any] = {"topic": topic}
        for kind in ("rising", "falling"):
            words = [r for r in rows if r["topic"] == topic and r["kind"] == kind][:DISPLAY_WORDS]
            line[kind] = ", ".join(f"{r['term']} ({r['z']:.1f})" for r in words)
            if words:
                line[facet] = words[0][facet]
        display.append(line)
    sio.write_display_copies(
        path,
        display,
        ["topic", facet, "rising", "falling"],
        caption + f" Shown: {DISPLAY_WORDS} rising and falling words per topic with z.",
    )


def divergence_column(facet: str) -> str:
    """The ``topics.csv`` column of a facet's wording divergence (excess over the null)."""
    return f"wording_divergence_{facet}"


_DIVERGENCE_FILE = re.compile(r"divergence_by_(.+)\.csv$")


def add_divergence_columns(
    topics_csv: PathLike,
    topic_rows: Sequence[Mapping[str, Any]],
    divergence_csvs: Sequence[PathLike] | PathLike,
) -> None:
    """Rewrite ``topics.csv`` with each facet's wording divergence and its null interval.

    Columns ``wording_divergence_<facet>`` (bits: observed divergence minus the mean of
    the permutation null) and ``wording_divergence_<facet>_null_low`` / ``_null_high``
    (the null's interval around its mean: the excess chance alone gives) follow the
    existing columns; the ``.tex`` and ``.md`` copies are left as written.

    Parameters
    ----------
    divergence_csvs
        ``content/divergence_by_<facet>.csv`` files (the facet is read from the name).
    """
    from swedish_topics.terms import TOPIC_COLUMNS

    paths = [divergence_csvs] if isinstance(divergence_csvs, str | os.PathLike) else divergence_csvs
    rows = [dict(r) for r in topic_rows]
    extra: list[str] = []
    for path in paths:
        match = _DIVERGENCE_FILE.search(os.fspath(path))
        if match is None:
            raise ValueError(f"not a divergence_by_<facet>.csv file: {path}")
        col = divergence_column(match.group(1))
        extra += [col, f"{col}_null_low", f"{col}_null_high"]
        by_topic = {int(r["topic"]): r for r in sio.read_csv(path)}
        for row in rows:
            div = by_topic[int(row["topic"])]
            row[col] = float(div["excess"])
            row[f"{col}_null_low"] = float(div["null_low"])
            row[f"{col}_null_high"] = float(div["null_high"])
    sio.write_csv(topics_csv, rows, [*TOPIC_COLUMNS, *extra])
