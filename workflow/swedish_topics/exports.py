"""Exports for the next tool: document–topic proportions in a tidy long format.

``exports/doc_topics.parquet`` and ``exports/doc_topics.csv`` hold one row per document
and topic: ``doc_id``, the value of every facet, ``topic`` (1-based), ``label``,
``proportion`` (the document's share of the topic: the token-weighted mean of its units'
proportions, as in ``tables/doc_topics.csv``) and ``rank`` (1 = the document's dominant
topic). R reads the Parquet with ``arrow::read_parquet``, Stata the CSV with
``import delimited``; ``exports/data_dictionary.md`` describes every column.

Posterior draws (``exports/doc_topic_draws.parquet``: ``doc_id, draw, topic,
proportion``) need the model's per-unit topic counts (``unit_topic_counts`` in
``model.npz``): unit ``u``'s proportions are drawn from Dirichlet(alpha +
unit_topic_counts[u]) and averaged over the document's units with token weights. Both
engines keep those counts; ``exports.posterior_draws: 0`` gives the file with its columns
and no rows, and the data dictionary says so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from swedish_topics import io as sio

logger = logging.getLogger(__name__)

PathLike = str | Path

DRAW_COLUMNS = ("doc_id", "draw", "topic", "proportion")


def long_rows(
    doc_theta: np.ndarray,
    doc_ids: Sequence[str],
    facet_values: Mapping[str, Sequence[Any]],
    labels: Mapping[int, str],
) -> dict[str, list[Any]]:
    """Columns of the tidy table: one row per document and topic (documents in order)."""
    n_docs, k = doc_theta.shape
    ranks = np.empty_like(doc_theta, dtype=np.int64)
    order = np.argsort(-doc_theta, axis=1, kind="stable")
    np.put_along_axis(ranks, order, np.arange(1, k + 1)[None, :].repeat(n_docs, 0), axis=1)
    cols: dict[str, list[Any]] = {"doc_id": [d for d in doc_ids for _ in range(k)]}
    for facet, values in facet_values.items():
        cols[facet] = [v for v in values for _ in range(k)]
    cols["topic"] = list(range(1, k + 1)) * n_docs
    cols["label"] = [labels.get(t, "") for t in range(1, k + 1)] * n_docs
    cols["proportion"] = doc_theta.astype(np.float64).ravel().tolist()
    cols["rank"] = ranks.ravel().tolist()
    return cols


def write_parquet(
    path: PathLike, columns: Mapping[str, Sequence[Any]], types: Mapping[str, Any]
) -> None:
    """Write ``columns`` as a Parquet file (atomically; no pandas index, zstd-compressed)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {name: pa.array(values, type=types.get(name)) for name, values in columns.items()}
    )
    with sio.atomic_path(path, suffix=".parquet") as tmp:
        pq.write_table(table, tmp, compression="zstd")


def write_doc_topics_export(
    out_parquet: PathLike,
    out_csv: PathLike,
    *,
    doc_theta: np.ndarray,
    doc_ids: Sequence[str],
    facet_values: Mapping[str, Sequence[Any]],
    numeric_facets: Sequence[str],
    labels: Mapping[int, str],
) -> int:
    """Write the tidy document–topic table as Parquet and CSV; return its rows."""
    import pyarrow as pa

    values = {
        f: [int(v) for v in vs] if f in numeric_facets else [str(v) for v in vs]
        for f, vs in facet_values.items()
    }
    cols = long_rows(doc_theta, doc_ids, values, labels)
    types = {"topic": pa.int32(), "rank": pa.int32(), "proportion": pa.float64()}
    types |= {f: pa.int64() if f in numeric_facets else pa.string() for f in values}
    write_parquet(out_parquet, cols, types)
    names = list(cols)
    n = len(cols["doc_id"])
    sio.write_csv(out_csv, ({c: cols[c][i] for c in names} for i in range(n)), names)
    return n


def iter_posterior_draws(
    alpha: np.ndarray,
    count_units: Sequence[Any],
    *,
    n_draws: int,
    rng: np.random.Generator,
) -> Iterator[np.ndarray]:
    """Draws of each document's topic proportions in turn, ``(n_draws, K)`` per document.

    Parameters
    ----------
    alpha
        The model's Dirichlet prior (K values, or one).
    count_units
        Per document, its units' topic counts (``.theta``: ``unit_topic_counts`` rows)
        and token counts (``.n_tokens``): :func:`swedish_topics.analysis.units_by_doc`
        applied to ``unit_topic_counts``.
    n_draws
        Draws per document.
    rng
        The random generator (seeded by the caller).

    Notes
    -----
    Unit ``u``'s proportions are drawn from Dirichlet(``alpha + unit_topic_counts[u]``)
    (the posterior agreed for ``model.npz``); a document's draw is the token-weighted
    mean of its units' draws, as its point estimate is of theirs. One document at a
    time, so that 15,565 documents × 100 draws × 40 topics never sit in memory at once.
    """
    k = count_units[0].theta.shape[1] if len(count_units) else 0
    alpha = np.broadcast_to(np.asarray(alpha, dtype=np.float64), (k,))
    for units in count_units:
        conc = alpha[None, :] + np.asarray(units.theta, dtype=np.float64)
        draws = np.stack([rng.dirichlet(c, size=n_draws) for c in conc])  # units × draws × K
        weights = np.asarray(units.n_tokens, dtype=np.float64)
        total = weights.sum()
        weights = weights / total if total > 0 else np.full(len(weights), 1 / len(weights))
        yield np.tensordot(weights, draws, axes=1)


def posterior_draws(
    alpha: np.ndarray,
    count_units: Sequence[Any],
    *,
    n_draws: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """All documents' draws at once, ``(documents, n_draws, K)``
    (:func:`iter_posterior_draws`, the same values)."""
    k = count_units[0].theta.shape[1] if len(count_units) else 0
    out = np.empty((len(count_units), n_draws, k))
    for d, draws in enumerate(iter_posterior_draws(alpha, count_units, n_draws=n_draws, rng=rng)):
        out[d] = draws
    return out


#: Documents per Parquet row group of the draws file (bounds the memory of the writer).
DRAW_BLOCK_DOCS = 500


def write_draws(
    path: PathLike,
    doc_ids: Sequence[str],
    draws: np.ndarray | Iterable[np.ndarray] | None,
) -> int:
    """Write posterior draws in long format (no rows when ``draws`` is None); return rows.

    ``draws`` is an array ``(documents, n_draws, K)`` or an iterable of one
    ``(n_draws, K)`` array per document in the order of ``doc_ids``
    (:func:`iter_posterior_draws`). Rows are written one block of
    :data:`DRAW_BLOCK_DOCS` documents at a time (a Parquet row group each), from numpy
    arrays, atomically.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("doc_id", pa.string()),
            ("draw", pa.int32()),
            ("topic", pa.int32()),
            ("proportion", pa.float64()),
        ]
    )
    with (
        sio.atomic_path(path, suffix=".parquet") as tmp,
        pq.ParquetWriter(tmp, schema, compression="zstd") as writer,
    ):
        n_rows, start, block = 0, 0, []
        for doc_draws in () if draws is None else draws:
            block.append(np.asarray(doc_draws, dtype=np.float64))
            if len(block) == DRAW_BLOCK_DOCS:
                n_rows += _write_draw_block(
                    writer, schema, doc_ids[start : start + len(block)], block
                )
                start, block = start + len(block), []
        if block or start == 0:
            n_rows += _write_draw_block(writer, schema, doc_ids[start : start + len(block)], block)
            start += len(block)
        if draws is not None and start != len(doc_ids):
            raise ValueError(f"draws for {start} documents, but {len(doc_ids)} document ids")
    return n_rows


def _write_draw_block(
    writer: Any, schema: Any, doc_ids: Sequence[str], block: Sequence[np.ndarray]
) -> int:
    """One row group: documents × draws × topics in that order."""
    import pyarrow as pa

    if not block:
        writer.write_table(schema.empty_table())
        return 0
    arr = np.stack(block)  # docs × draws × K
    n_docs, n_draws, k = arr.shape
    per_doc = n_draws * k
    ids = pa.array(list(doc_ids), type=pa.string())
    table = pa.table(
        {
            "doc_id": ids.take(pa.array(np.repeat(np.arange(n_docs), per_doc))),
            "draw": pa.array(
                np.tile(np.repeat(np.arange(1, n_draws + 1, dtype=np.int32), k), n_docs)
            ),
            "topic": pa.array(np.tile(np.arange(1, k + 1, dtype=np.int32), n_docs * n_draws)),
            "proportion": pa.array(arr.reshape(-1)),
        },
        schema=schema,
    )
    writer.write_table(table)
    return table.num_rows


def data_dictionary(
    *,
    facets: Sequence[str],
    numeric_facets: Sequence[str],
    n_rows: int,
    n_draw_rows: int,
    n_draws: int,
    draws_note: str,
) -> str:
    """The Markdown data dictionary of ``exports/``."""
    facet_lines = [
        f"| `{f}` | {'integer' if f in numeric_facets else 'string'} | the document's value of "
        f"the metadata column `{f}` |"
        for f in facets
    ]
    return "\n".join(
        [
            "# Data dictionary of exports/",
            "",
            f"## doc_topics.parquet, doc_topics.csv ({n_rows:,} rows)",
            "",
            "One row per document and topic (tidy long format). The CSV is UTF-8, comma-"
            "separated, with proportions rounded to 6 decimals; the Parquet keeps full "
            "precision.",
            "",
            "| column | type | meaning |",
            "|---|---|---|",
            "| `doc_id` | string | the document (the file name of its text without `.txt`) |",
            *facet_lines,
            "| `topic` | integer | topic id, 1 to K, as in every table and figure |",
            "| `label` | string | the topic's label (tables/topics.csv) |",
            "| `proportion` | float | the document's share of the topic: the token-weighted "
            "mean of its units' proportions; a document's proportions sum to 1 |",
            "| `rank` | integer | the topic's rank in the document (1 = dominant topic) |",
            "",
            f"## doc_topic_draws.parquet ({n_draw_rows:,} rows)",
            "",
            draws_note,
            "",
            "| column | type | meaning |",
            "|---|---|---|",
            "| `doc_id` | string | the document |",
            f"| `draw` | integer | the posterior draw, 1 to {n_draws} |",
            "| `topic` | integer | topic id, 1 to K |",
            "| `proportion` | float | the document's share of the topic in this draw |",
            "",
        ]
    )
