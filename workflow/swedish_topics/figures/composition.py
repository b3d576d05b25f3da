"""Figures of documents: the topic composition of (a sample of) documents."""

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.patches import Patch

if TYPE_CHECKING:
    pass

from swedish_topics.figures import _style
from swedish_topics.figures._style import (
    PathLike,
    _check_table,
    _hatch_colour,
    _int,
    _new_figure,
    _no_rows_error,
    _num,
    _styled,
    _text_colour,
    _truncate,
    _wrap,
    read_topics,
    topic_name,
    topic_style,
)

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- documents
def order_documents(
    shares: np.ndarray, doc_ids: Sequence[str], *, max_docs: int | None = None
) -> list[int]:
    """Row indices of the documents to draw, in drawing order (top to bottom).

    Documents are sorted by dominant topic (column index), then by that topic's share
    (largest first), then by doc_id. With more than ``max_docs`` documents, ``max_docs``
    are taken at even steps through that order, always including the first and last.
    """
    shares = np.asarray(shares, dtype=float)
    dominant = shares.argmax(axis=1) if shares.size else np.zeros(len(doc_ids), int)
    order = sorted(
        range(len(doc_ids)),
        key=lambda i: (int(dominant[i]), -float(shares[i, dominant[i]]), doc_ids[i]),
    )
    if max_docs is not None and len(order) > max_docs:
        picks = np.unique(np.round(np.linspace(0, len(order) - 1, max_docs)).astype(int))
        order = [order[i] for i in picks]
    return order


def _read_doc_weights(doc_topics_csv: PathLike) -> tuple[list[str], np.ndarray, dict[int, int]]:
    """Read ``doc_topics.csv`` (long: doc_id, topic, weight) row by row into a matrix.

    Memory holds one number per document and topic, not a Python object per row. An
    empty or non-finite weight counts as 0; a document without a row for a topic has 0
    for it; of repeated (doc_id, topic) rows the last counts.

    Returns
    -------
    doc_ids : list of str
        Documents in the order of their first row.
    weights : numpy.ndarray
        ``len(doc_ids) × len(columns)`` weights.
    columns : dict
        Topic id to its column of ``weights`` (in the order of the topic's first row).

    Raises
    ------
    UserError
        If the table is missing, lacks a column, has no rows or a cell is not a number.
    """
    path = Path(doc_topics_csv)
    _check_table(path, ["doc_id", "topic", "weight"], "document composition")
    rows_of: dict[str, int] = {}
    columns: dict[int, int] = {}
    weights = np.zeros((1024, 8))
    with open(path, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            value = _num(row, "weight", doc_topics_csv, line)
            topic = _int(row, "topic", doc_topics_csv, line)
            i = rows_of.setdefault(row["doc_id"], len(rows_of))
            j = columns.setdefault(topic, len(columns))
            if i >= weights.shape[0] or j >= weights.shape[1]:
                grown = np.zeros(
                    (max(weights.shape[0], 2 * (i + 1)), max(weights.shape[1], 2 * (j + 1)))
                )
                grown[: weights.shape[0], : weights.shape[1]] = weights
                weights = grown
            weights[i, j] = value if math.isfinite(value) else 0.0
    if not rows_of:
        raise _no_rows_error(path, "document composition")
    return list(rows_of), weights[: len(rows_of), : len(columns)], columns


#: Characters of a document's title in its label (the facets follow it).
TITLE_CHARS = 36


def first_words(path: PathLike, n: int = 6) -> str:
    """The first ``n`` words of a text file, "…" after them ("" if it cannot be read)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(400)
    except OSError:
        return ""
    words = head.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "")


def readable_doc_labels(
    metadata_rows: Sequence[Mapping[str, str]],
    facets: Sequence[str],
    *,
    corpus_dir: PathLike | None = None,
) -> dict[str, str]:
    """A readable name per ``doc_id``: its title (shortened) and its facets.

    ``"”I kommunen finns frihet…” · Lund · 2018"``. A document without a ``title`` is
    named by the first words of its text (in ``corpus_dir``), else by its
    ``doc_id``. Two documents that would get the same name keep their ``doc_id`` in it,
    so no two bars carry the same label.
    """
    from swedish_topics.corpus import text_path

    labels: dict[str, str] = {}
    for row in metadata_rows:
        doc_id = row["doc_id"]
        title = " ".join((row.get("title") or "").split())
        if not title and corpus_dir is not None:
            title = first_words(text_path(Path(corpus_dir), doc_id))
        head = _truncate(title, TITLE_CHARS) if title else doc_id[:24]
        labels[doc_id] = " · ".join([head, *(row.get(f, "") for f in facets)])
    seen: dict[str, int] = {}
    for label in labels.values():
        seen[label] = seen.get(label, 0) + 1
    return {d: (f"{label} ({d[:16]})" if seen[label] > 1 else label) for d, label in labels.items()}


@_styled
def plot_doc_composition(
    doc_topics_csv: PathLike,
    topics_csv: PathLike,
    out_stem: PathLike,
    doc_labels: Mapping[str, str] | None = None,
    max_docs: int = 60,
) -> list[Path]:
    """Stacked horizontal bars: each document's topic composition (shares sum to 100 %).

    Documents are ordered by their dominant topic (topic id), then by that topic's share
    (largest first), so documents with the same main theme stand together. When there are
    more than ``max_docs`` documents, ``max_docs`` of them are shown, taken at even steps
    through that order (so every dominant topic keeps its share of rows); the title says
    how many of how many are shown. Topics use Okabe–Ito colours, with hatching from the
    ninth topic on; the legend (outside, right) names every topic.

    Parameters
    ----------
    doc_topics_csv
        ``tables/doc_topics.csv`` in long form: doc_id, topic, weight.
    topics_csv
        ``tables/topics.csv``.
    out_stem
        Output path without suffix.
    doc_labels
        Optional readable name per doc_id (e.g. "Lund 2019"); doc_id otherwise.
    max_docs
        Most documents drawn.

    Returns
    -------
    list of Path
        The PDF and PNG written.
    """
    if max_docs < 1:
        raise ValueError("max_docs must be at least 1")
    doc_ids, weights, columns = _read_doc_weights(doc_topics_csv)
    topics = read_topics(topics_csv)
    topic_ids = sorted(set(columns) | set(topics))
    matrix = np.zeros((len(doc_ids), len(topic_ids)))
    for j, topic in enumerate(topic_ids):
        if topic in columns:
            matrix[:, j] = weights[:, columns[topic]]
    del weights
    totals = matrix.sum(axis=1, keepdims=True)
    matrix = np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0) * 100
    order = order_documents(matrix, doc_ids, max_docs=max_docs)
    n_all = len(doc_ids)
    labels = doc_labels or {}
    names = [_truncate(labels.get(doc_ids[i], doc_ids[i]), 48) for i in order]
    shown = matrix[order]

    n_topics = len(topic_ids)
    legend_cols = 1 if n_topics <= 20 else 2
    height = 1.3 + 0.2 * len(order)
    fig, panel = _new_figure(4.5 + 2.2 * legend_cols + 1.8, max(height, 2.0))
    ax = panel.subplots()
    y = np.arange(len(order))
    left = np.zeros(len(order))
    handles = []
    for j, topic in enumerate(topic_ids):
        colour, hatch = topic_style(topic)
        ax.barh(
            y,
            shown[:, j],
            left=left,
            height=0.78,
            color=colour,
            hatch=hatch,
            hatchcolor=_hatch_colour(colour),
            edgecolor="white",
            lw=0.4,
        )
        handles.append(
            Patch(
                facecolor=colour,
                hatch=hatch,
                hatchcolor=_hatch_colour(colour),
                edgecolor="white",
                label=_wrap(topic_name(topic, topics, 70), 34),
            )
        )
        if len(order) <= 40:
            # Print shares of 8 % or more inside their segment.
            for i in np.flatnonzero(shown[:, j] >= 8):
                ax.text(
                    left[i] + shown[i, j] / 2,
                    float(i),
                    f"{shown[i, j]:.0f}",
                    ha="center",
                    va="center",
                    fontsize=6,
                    color=_text_colour(mcolors.to_rgba(colour)),
                    bbox={"boxstyle": "square,pad=0.1", "fc": colour, "lw": 0} if hatch else None,
                )
        left += shown[:, j]
    ax.set_yticks(y, names)
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the document's text (%)")
    ax.tick_params(axis="y", length=0)
    for spine in ("left", "top", "right"):
        ax.spines[spine].set_visible(False)
    ax.legend(
        handles=handles,
        title="Topic",
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        ncol=legend_cols,
        frameon=False,
        handlelength=1.6,
        handleheight=1.1,
    )
    what = (
        f"Topic composition of {len(order)} of {n_all} documents"
        if n_all > len(order)
        else f"Topic composition of the {n_all} document{'s' if n_all != 1 else ''}"
    )
    ax.set_title(what, loc="left", fontweight="bold")
    note = (
        "Documents ordered by their dominant topic, then by its share; numbers are shares "
        "(%) of 8 % or more."
    )
    if n_all > len(order):
        note += (
            f" Only {len(order)} of {n_all} documents are drawn, taken at even steps through "
            "that order; tables/doc_topics.csv has all of them."
        )
    return _style._save(fig, out_stem, footnote=note)
