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
