"""Exports: the tidy table (Parquet equals CSV), posterior draws (by simulation)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from swedish_topics import exports
from swedish_topics import io as sio
from swedish_topics.analysis import units_by_doc


def test_tidy_table_has_a_row_per_document_and_topic_and_parquet_equals_csv(tmp_path: Path) -> None:
    theta = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    n = exports.write_doc_topics_export(
        tmp_path / "d.parquet",
        tmp_path / "d.csv",
        doc_theta=theta,
        doc_ids=["a", "b"],
        facet_values={"kommun": ["Umeå", "Lund"], "year": ["2019", "2020"]},
        numeric_facets=["year"],
        labels={1: "skola", 2: "vård", 3: "<b>it</b>"},
    )
    assert n == 6
    table = pq.read_table(tmp_path / "d.parquet").to_pylist()
    csv_rows = sio.read_csv(tmp_path / "d.csv")
    assert [r["doc_id"] for r in table] == ["a"] * 3 + ["b"] * 3
    assert [r["rank"] for r in table] == [1, 2, 3, 3, 2, 1]
    assert table[5] == {
        "doc_id": "b",
        "kommun": "Lund",
        "year": 2020,
        "topic": 3,
        "label": "<b>it</b>",
        "proportion": 0.6,
        "rank": 1,
    }
    for p, c in zip(table, csv_rows, strict=True):
        assert {k: str(v) for k, v in p.items() if k != "proportion"} == {
            k: v for k, v in c.items() if k != "proportion"
        }
        assert float(c["proportion"]) == pytest.approx(p["proportion"], abs=1e-6)


def test_posterior_draws_center_on_the_posterior_mean_and_shrink_with_counts() -> None:
    # Two documents; document 0 has two units of 10 and 30 tokens, document 1 one unit.
    counts = np.array([[8.0, 2.0, 0.0], [0.0, 6.0, 24.0], [400.0, 300.0, 300.0]], dtype=np.float32)
    tokens = [10, 30, 1000]
    alpha = np.full(3, 0.5)
    units = units_by_doc(counts, ["a", "a", "b"], tokens, ["a", "b"])
    draws = exports.posterior_draws(alpha, units, n_draws=4000, rng=np.random.default_rng(1))
    assert draws.shape == (2, 4000, 3)
    assert np.allclose(draws.sum(axis=2), 1.0)
    post = (alpha + counts) / (alpha + counts).sum(axis=1, keepdims=True)
    expected_a = (10 * post[0] + 30 * post[1]) / 40
    assert np.allclose(draws[0].mean(axis=0), expected_a, atol=0.01)
    assert np.allclose(draws[1].mean(axis=0), post[2], atol=0.005)
    # More counts, less spread: the 1,000-token unit's draws are tighter.
    assert draws[1].std(axis=0).max() < draws[0].std(axis=0).min()


def test_without_counts_the_draws_file_has_columns_and_no_rows(tmp_path: Path) -> None:
    assert exports.write_draws(tmp_path / "x.parquet", ["a"], None) == 0
    table = pq.read_table(tmp_path / "x.parquet")
    assert table.num_rows == 0 and table.column_names == list(exports.DRAW_COLUMNS)
    draws = np.full((1, 2, 3), 1 / 3)
    assert exports.write_draws(tmp_path / "y.parquet", ["a"], draws) == 6
    rows = pq.read_table(tmp_path / "y.parquet").to_pylist()
    assert [(r["draw"], r["topic"]) for r in rows] == [
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 1),
        (2, 2),
        (2, 3),
    ]


def test_draws_streamed_in_row_groups_equal_the_array_and_a_short_stream_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Streaming keeps memory bounded on large corpora; the file must not change with it.
    monkeypatch.setattr(exports, "DRAW_BLOCK_DOCS", 2)
    counts = np.abs(np.random.default_rng(3).normal(5, 3, size=(7, 4))).astype(np.float32)
    ids = [f"d{i}" for i in range(5)]
    units = units_by_doc(counts, ["d0", "d0", "d1", "d2", "d3", "d3", "d4"], [5] * 7, ids)
    alpha = np.full(4, 0.25)
    array = exports.posterior_draws(alpha, units, n_draws=3, rng=np.random.default_rng(9))
    stream = exports.iter_posterior_draws(alpha, units, n_draws=3, rng=np.random.default_rng(9))
    assert exports.write_draws(tmp_path / "a.parquet", ids, array) == 5 * 3 * 4
    assert exports.write_draws(tmp_path / "s.parquet", ids, stream) == 5 * 3 * 4
    a, s = pq.read_table(tmp_path / "a.parquet"), pq.read_table(tmp_path / "s.parquet")
    assert a.equals(s)
    assert pq.ParquetFile(tmp_path / "s.parquet").num_row_groups == 3
    rows = s.to_pylist()
    assert [r["doc_id"] for r in rows[::12]] == ids
    assert rows[13]["proportion"] == pytest.approx(array[1, 0, 1])
    with pytest.raises(ValueError, match="draws for 4 documents"):
        exports.write_draws(tmp_path / "short.parquet", ids, list(array[:4]))
    assert not (tmp_path / "short.parquet").exists()  # no half-written file
