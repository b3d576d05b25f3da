"""Tests of swedish_topics.ldavis: topic order, offline page, escaping, determinism."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from swedish_topics import ldavis

XSS = "<script>alert(1)</script>"
K, V, D = 3, 40, 12


@pytest.fixture(scope="module")
def model() -> dict:
    """A small model whose topic 3 (row 2) is by far the largest; term 0 is hostile."""
    rng = np.random.default_rng(0)
    topic_term = rng.dirichlet(np.full(V, 0.3), size=K)
    topic_term[:, 0] += 0.2  # the hostile term is among the most salient terms
    topic_term /= topic_term.sum(axis=1, keepdims=True)
    theta = rng.dirichlet(np.ones(K), size=D)
    theta[:, 2] += 3.0
    theta = (theta / theta.sum(axis=1, keepdims=True)).astype(np.float32)
    vocab = [f"ärende_{i}" for i in range(V)]
    vocab[0] = "</script>" + XSS
    return {
        "topic_term": topic_term,
        "theta_docs": theta,
        "doc_lengths": rng.integers(20, 200, size=D),
        "vocab": vocab,
        "term_freq": rng.integers(1, 60, size=V),
    }


LABELS = {1: "e-tjänst, digital", 2: XSS, 3: "äldreomsorg & välfärd"}


@pytest.fixture(scope="module")
def page(model: dict, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("map") / "topic_map.html"
    ldavis.write_ldavis_html(**model, labels=LABELS, out_html=out)
    return out.read_text(encoding="utf-8")


def embedded_data(page: str) -> dict:
    match = re.search(rf"var {ldavis.VIS_ID}_data = (.*?);\n", page)
    assert match is not None
    return json.loads(match.group(1))


def test_topic_k_is_row_k_minus_one(model: dict) -> None:
    prepared = ldavis.prepare_topic_map(**model)
    assert list(prepared.topic_order) == [1, 2, 3]
    coords = prepared.topic_coordinates
    assert list(coords["topics"]) == [1, 2, 3]
    weight = model["theta_docs"].astype(float).T @ model["doc_lengths"]
    np.testing.assert_allclose(coords["Freq"], 100 * weight / weight.sum(), rtol=1e-6)
    assert int(np.argmax(coords["Freq"])) == 2  # topic 3, the large one, kept its number


def test_page_is_offline(page: str) -> None:
    assert re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page) is None
    assert "<link" not in page and "<script src" not in page and "@import" not in page
    assert "LDAvis_load_lib" not in page and "cdn.jsdelivr" not in page
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    # d3 and the LDAvis code are inline.
    assert "var LDAvis = function" in page and "d3js.org" in page
    assert page.count("<script>") == 3 and page.count("</script>") == 3


def test_corpus_text_is_escaped(page: str) -> None:
    assert XSS not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # label 2 shown as text
    assert "äldreomsorg &amp; välfärd" in page
    data = embedded_data(page)
    assert "</script>" + XSS in data["tinfo"]["Term"]  # the term survives as data


@pytest.mark.parametrize(
    "value",
    ["</script>", "<!-- x", "a & b", "]]>", "\u2028 line", "å ä ö", {"k": ["</", "<script>"]}],
)
def test_script_safe_json_round_trips_without_markup(value: object) -> None:
    text = ldavis.script_safe_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == value


def test_label_table_lists_every_topic(page: str) -> None:
    table = page[page.index('<table class="topic-labels">') :]
    rows = re.findall(r'<tr><td class="num">(\d+)</td>', table)
    assert rows == ["1", "2", "3"]
    # Below the visualisation.
    assert page.index("<h2>Topic labels</h2>") > page.index(f'<div id="{ldavis.VIS_ID}"')


def test_same_input_gives_same_bytes(model: dict, tmp_path: Path, page: str) -> None:
    out = tmp_path / "again.html"
    ldavis.write_ldavis_html(**model, labels=LABELS, out_html=out)
    assert out.read_text(encoding="utf-8") == page
    assert [p.name for p in tmp_path.iterdir()] == ["again.html"]  # no temporary files left


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"theta_docs": np.full((D, K + 1), 1 / (K + 1))}, "theta_docs has 4 topics"),
        ({"doc_lengths": np.ones(D - 1)}, "doc_lengths for 12 documents"),
        ({"vocab": ["a", "b"]}, "vocab"),
    ],
)
def test_bad_shapes_are_refused_and_nothing_written(
    model: dict, tmp_path: Path, change: dict, message: str
) -> None:
    out = tmp_path / "map.html"
    with pytest.raises(ValueError, match=message):
        ldavis.write_ldavis_html(**{**model, **change}, labels=LABELS, out_html=out)
    assert list(tmp_path.iterdir()) == []
