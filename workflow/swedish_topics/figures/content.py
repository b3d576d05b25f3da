"""Content figures: how the largest groups word the leading topics; rise and fall of words.

Both read the content tables (``topic_terms_by_<facet>.csv``,
``topic_terms_over_<facet>.csv``) and ``topics.csv``. One function draws a panel of
words and z-scores, the others lay the panels out.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes

from swedish_topics.figures._style import (
    PathLike,
    TopicInfo,
    _new_figure,
    _num,
    _read_table,
    _save,
    _styled,
    _truncate,
    read_topics,
    save_notice,
    split_flags,
    topic_name,
    topic_style,
    wrap_title,
)

logger = logging.getLogger(__name__)

GREY = "#BBBBBB"
#: Flags of a group (not of a word) that make its words descriptive only.
GROUP_FLAGS = frozenset({"single_doc", "few_docs", "few_tokens"})
SEED_FLAG = "not_in_all_seeds"
Z_CAVEAT = (
    "z of the weighted log-odds (informative Dirichlet prior, Monroe et al. 2008) on the "
    "model's expected counts: descriptive, not a test, not adjusted for the many words compared."
)


def _leading_topics(topics: Mapping[int, TopicInfo], n: int) -> list[int]:
    """The ``n`` topics with the highest prevalence (ties by number)."""
    ranked = sorted(
        topics,
        key=lambda t: (-(topics[t].prevalence if math.isfinite(topics[t].prevalence) else 0), t),
    )
    return ranked[:n]


def draw_words(
    ax: Axes,
    words: Sequence[tuple[str, float, bool]],
    *,
    colour: str,
    title: str,
    greyed: bool = False,
) -> None:
    """One panel: horizontal bars of z, the first word on top.

    Parameters
    ----------
    words
        ``(term, z, holds)``; a word that does not hold in every seed is hatched.
    """
    if not words:
        ax.text(
            0.5,
            0.5,
            "no distinctive word",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=7,
            color="#555555",
        )
        ax.set_xticks([])
        ax.set_yticks([])
    labels = []
    for i, (term, z, holds) in enumerate(words):
        y = len(words) - 1 - i
        ax.barh(
            y,
            z,
            color=GREY if greyed else colour,
            edgecolor="#333333",
            linewidth=0.4,
            hatch=None if holds else "////",
        )
        labels.append((y, _truncate(term, 22)))
    if labels:
        ax.set_yticks([y for y, _ in labels], [t for _, t in labels], fontsize=6.5)
        ax.tick_params(axis="y", length=0, pad=2)
    ax.set_title(title, fontsize=7, loc="left")
    ax.axvline(0, color="#333333", linewidth=0.5)
    ax.tick_params(axis="x", labelsize=6)


def _group_panels(
    rows: Sequence[Mapping[str, str]], facet: str, path: PathLike
) -> tuple[dict[tuple[int, str], list[Mapping[str, str]]], dict[str, int]]:
    by_pair: dict[tuple[int, str], list[Mapping[str, str]]] = {}
    n_docs: dict[str, int] = {}
    for line, row in enumerate(rows, start=2):
        by_pair.setdefault((int(row["topic"]), row[facet]), []).append(row)
        n_docs[row[facet]] = int(_num(row, "n_docs", path, line))
    return by_pair, n_docs


def _drawn_note(facet: str, n_topics: int, n_drawn: int, n_solid: int, n_all: int) -> str:
    """What the words figure draws, and which groups it leaves out."""
    return (
        f"Words each {facet} uses more within a topic than the rest of the corpus; n = documents "
        f"of the group. Drawn: the {n_topics} most prevalent topics (in topic order) "
        + (
            f"and the {n_drawn} group{'s' if n_drawn != 1 else ''} with most documents whose "
            f"words are findings in at least one of them; {n_all - n_solid:,} of {n_all:,} "
            "groups (one or few "
            "documents, or few tokens of these topics) are left out"
            if n_solid < n_all
            else f"and the {n_drawn} of {n_all:,} groups with most documents"
        )
        + f"; every group is in topic_terms_by_{facet}.csv and the topic browser. {Z_CAVEAT}"
    )


@_styled
def plot_topic_words_by_group(
    words_csv: PathLike,
    topics_csv: PathLike,
    facet: str,
    out_stem: PathLike,
    *,
    n_topics: int = 4,
    n_groups: int = 4,
    n_words: int = 8,
) -> list[Path]:
    """Small multiples: rows = leading topics, columns = the largest groups of ``facet``.

    Each panel shows the group's most distinctive words within the topic (z); flagged
    groups are grey, words that do not hold in every seed hatched. Only the groups with
    most documents are drawn and the footnote says so.
    """
    rows = _read_table(
        words_csv, ["topic", facet, "rank", "term", "z", "n_docs", "flag"], "topic words by group"
    )
    topics = read_topics(topics_csv)
    by_pair, n_docs = _group_panels(rows, facet, words_csv)
    chosen_topics = sorted(_leading_topics(topics, n_topics))  # drawn in topic order

    def flagged(topic: int, group: str) -> bool:
        pair = by_pair.get((topic, group), [])
        return not pair or bool(set(split_flags(pair[0]["flag"])) & GROUP_FLAGS)

    # groups whose words are findings in at least one leading topic, largest first
    solid = [
        g
        for g in sorted(n_docs, key=lambda g: (-n_docs[g], g))
        if any(not flagged(t, g) for t in chosen_topics)
    ]
    if not solid:
        return save_notice(
            out_stem,
            f"Words of the leading topics by {facet}",
            f"No {facet} group has enough documents and tokens of a leading topic for its "
            "words to be findings (every group is flagged single_doc, few_docs or few_tokens), "
            "so there is no figure to show. The words are in "
            f"topic_terms_by_{facet}.csv and the topic browser, as description.",
        )
    groups = solid[:n_groups]
    fig, main = _new_figure(2.6 * len(groups) + 0.3, 1.55 * len(chosen_topics) + 0.4)
    axes = main.subplots(len(chosen_topics), len(groups), squeeze=False)
    any_flagged = any_unstable = False
    for r, topic in enumerate(chosen_topics):
        colour, _ = topic_style(topic)
        for c, group in enumerate(groups):
            pair = by_pair.get((topic, group), [])[:n_words]
            flags = set(split_flags(pair[0]["flag"])) if pair else set()
            greyed = bool(flags & GROUP_FLAGS)
            words = [
                (p["term"], float(p["z"]), SEED_FLAG not in split_flags(p["flag"])) for p in pair
            ]
            any_flagged |= greyed
            any_unstable |= any(not w[2] for w in words)
            title = f"{_truncate(group, 20)} (n = {n_docs[group]:,})"
            if c == 0:
                title = f"{topic_name(topic, topics, 34)}\n{title}"
            draw_words(axes[r][c], words, colour=colour, title=title, greyed=greyed)
    for ax in axes[-1]:
        ax.set_xlabel("z (descriptive)", fontsize=6.5)
    note = [_drawn_note(facet, len(chosen_topics), len(groups), len(solid), len(n_docs))]
    if any_flagged:
        note.append(
            "Grey: group with few documents or few tokens of the topic; its words are not findings."
        )
    if any_unstable:
        note.append(
            "Hatched: not among the group's leading words in every other seed of the chosen K."
        )
    main.suptitle(
        wrap_title(f"Words of the leading topics by {facet}", fig.get_size_inches()[0]),
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    return _save(fig, out_stem, footnote=" ".join(note))


@_styled
def plot_topic_words_over(
    over_csv: PathLike,
    topics_csv: PathLike,
    facet: str,
    out_stem: PathLike,
    *,
    n_topics: int = 4,
    n_words: int = 6,
) -> list[Path]:
    """Per leading topic, the words that rose (right) and fell (left) most over ``facet``."""
    rows = _read_table(
        over_csv, ["topic", "kind", facet, "term", "z", "n_strata"], "themes over time"
    )
    topics = read_topics(topics_csv)
    chosen = sorted(_leading_topics(topics, n_topics))  # drawn in topic order
    ncols = min(2, len(chosen))
    nrows = math.ceil(len(chosen) / ncols)
    fig, main = _new_figure(3.4 * ncols + 0.2, (0.22 * 2 * n_words + 0.7) * nrows)
    axes = main.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[len(chosen) :]:
        ax.remove()
    notes: set[str] = set()
    period = ""
    for ax, topic in zip(axes, chosen, strict=False):
        shift = [r for r in rows if int(r["topic"]) == topic and r["kind"] in ("rising", "falling")]
        rising = [r for r in shift if r["kind"] == "rising"][:n_words]
        falling = [r for r in shift if r["kind"] == "falling"][:n_words]
        notes |= {r.get("note", "") for r in shift}
        period = period or next((r[facet] for r in shift), "")
        _draw_shift(ax, rising, falling, topic_style(topic)[0])
        ax.set_title(topic_name(topic, topics, 40), fontsize=7.5, loc="left")
    if any(n.startswith("stratified") for n in notes):
        how = "Compared within the groups of the other facets and pooled (stratified)."
    else:
        how = (
            "Marginal comparison over all documents: a word can rise only because later "
            "documents come from other groups."
        )
    note = (
        f"Words whose share of the topic grew (right) or shrank (left) from the earlier to the "
        f"later half of the period ({period or 'one period only: nothing to compare'}). {how} "
        f"{Z_CAVEAT} All topics: topic_terms_over_{facet}.csv."
    )
    main.suptitle(
        wrap_title(
            f"Words rising and falling within the leading topics over {facet}",
            fig.get_size_inches()[0],
        ),
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    return _save(fig, out_stem, footnote=note)


def _draw_shift(
    ax: Axes, rising: Sequence[Mapping[str, Any]], falling: Sequence[Mapping[str, Any]], colour: str
) -> None:
    """Diverging bars: rising words above (positive z), falling words below (negative)."""
    items = [(r["term"], float(r["z"])) for r in rising] + [
        (r["term"], float(r["z"])) for r in reversed(falling)
    ]
    if not items:
        ax.text(
            0.5,
            0.5,
            "no change to show",
            ha="center",
            va="center",
            transform=ax.transAxes,
            fontsize=7,
        )
        ax.set_axis_off()
        return
    span = max(abs(z) for _, z in items)
    for i, (term, z) in enumerate(items):
        y = len(items) - 1 - i
        ax.barh(y, z, color=colour if z > 0 else "#777777", edgecolor="#333333", linewidth=0.4)
        offset = 0.03 * span
        ax.text(
            z + (offset if z > 0 else -offset),
            y,
            _truncate(term, 22),
            va="center",
            ha="left" if z > 0 else "right",
            fontsize=6.5,
        )
    ax.axvline(0, color="#333333", linewidth=0.6)
    ax.set_xlim(-1.6 * span, 1.6 * span)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)  # the words reach past it
    ax.set_xlabel("z (descriptive): falling ← → rising", fontsize=6.5)
    ax.tick_params(axis="x", labelsize=6)
