"""Tests for swedish_topics.io: atomic writers."""

from __future__ import annotations

import json
from pathlib import Path

from swedish_topics.io import atomic_write_json


def test_json_is_written_as_json_dumps_sorted_indented_utf8(tmp_path: Path) -> None:
    data = {"doc_ids": [f"ö{i}" for i in range(1000)], "b": {"y": 1.5, "x": None}, "a": []}
    atomic_write_json(tmp_path / "out.json", data)
    expected = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert (tmp_path / "out.json").read_bytes() == expected.encode("utf-8")
    assert list(tmp_path.iterdir()) == [tmp_path / "out.json"]  # no temporary file left
