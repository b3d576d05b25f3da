"""Tests for swedish_topics.io: atomic writers."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

from swedish_topics.io import atomic_write_json, atomic_write_json_spliced, json_stand_in


def test_json_is_written_as_json_dumps_sorted_indented_utf8(tmp_path: Path) -> None:
    data = {"doc_ids": [f"ö{i}" for i in range(1000)], "b": {"y": 1.5, "x": None}, "a": []}
    atomic_write_json(tmp_path / "out.json", data)
    expected = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert (tmp_path / "out.json").read_bytes() == expected.encode("utf-8")
    assert list(tmp_path.iterdir()) == [tmp_path / "out.json"]  # no temporary file left


def test_spliced_values_are_written_where_the_encoder_would_put_them(tmp_path: Path) -> None:
    # Two values at different depths, given out of file order, one of them empty.
    data = {"z": {"deep": {"words": ["a", "b\u00e5"]}}, "a": {"list": []}, "m": 1}
    skeleton = {
        "z": {"deep": {"words": json_stand_in("words")}},
        "a": {"list": json_stand_in("list")},
        "m": 1,
    }

    def encoded(value: list[str]) -> Callable[[str], Iterator[str]]:
        def pieces(outer: str) -> Iterator[str]:
            # the value as the indenting encoder writes it, one element at a time
            text = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", outer)
            yield from text

        return pieces

    atomic_write_json_spliced(
        tmp_path / "out.json",
        skeleton,
        {"words": encoded(data["z"]["deep"]["words"]), "list": encoded([])},
    )
    atomic_write_json(tmp_path / "plain.json", data)
    assert (tmp_path / "out.json").read_bytes() == (tmp_path / "plain.json").read_bytes()


def test_markdown_and_latex_are_rounded_for_print_and_the_csv_is_exact(tmp_path: Path) -> None:
    """Six decimals of a proportion in a paper's table: no. Shares in percent with one
    decimal, differences in percentage points, q-values with two significant digits,
    the unit in the header and the caption; the CSV keeps full precision."""
    from swedish_topics import io as sio

    rows = [
        {"topic": 1, "group": "Umeå", "group_mean": 0.725114, "difference": 0.582843,
         "ci_low": 0.415082, "ci_high": 0.726572, "q_value": 0.0123456, "p_value": 0.000321,
         "significant": True, "n_docs": 12, "z": 1.234567},
        {"topic": 2, "group": "Lund", "group_mean": 0.038933, "difference": -0.0000004,
         "ci_low": None, "ci_high": float("nan"), "q_value": 1.0, "p_value": 0.701228,
         "significant": None, "n_docs": 1, "z": 2018.0},
    ]  # fmt: skip
    path = tmp_path / "differences_by_group.csv"
    sio.write_table(path, rows, list(rows[0]), "Differences.")
    csv_text = path.read_text(encoding="utf-8")
    assert "0.725114,0.582843" in csv_text and "0.012346" in csv_text
    md = path.with_suffix(".md").read_text(encoding="utf-8")
    header = md.split("\n\n", 1)[1].splitlines()[0]
    assert "group_mean (%)" in header and "difference (pp)" in header
    assert "ci_low (pp)" in header and "q_value |" in header
    assert "| 1 | Umeå | 72.5 | 58.3 | 41.5 | 72.7 | 0.012 | 0.00032 | true | 12 | 1.23 |" in md
    assert "| 2 | Lund | 3.9 | 0.0 |  |  | 1.0 | 0.70 |  | 1 | 2018 |" in md
    assert "shares in percent (%)" in md and "holds proportions (0–1) at full precision" in md
    tex = path.with_suffix(".tex").read_text(encoding="utf-8")
    assert "group\\_mean (\\%)" in tex and "72.5 & 58.3" in tex and "0.725114" not in tex
    # a table of other numbers keeps its unit: no percent where there is no share
    other = tmp_path / "metrics.csv"
    sio.write_table(other, [{"k": 4, "coherence_npmi": 0.0281234}], ["k", "coherence_npmi"], "M.")
    assert "| 4 | 0.0281 |" in other.with_suffix(".md").read_text(encoding="utf-8")
    assert "Printed here" not in other.with_suffix(".md").read_text(encoding="utf-8")
