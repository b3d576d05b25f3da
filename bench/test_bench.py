"""Tests of the benchmark's own helpers (run with ``pytest bench/test_bench.py``).

The benchmark's figures are only as good as these pieces: the recovery score, the derived
corpora, the generated corpus and the mapping of rule scripts to stages.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_train import recovery
from make_corpus import replicate_corpus, subset_corpus, synthetic_lda_corpus
from monitor import STAGES, rule_table
from run import Table, recommend

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "texts").mkdir(parents=True)
    rows = []
    for i in range(10):
        doc_id = f"doc-{i:02d}"
        (src / "texts" / f"{doc_id}.txt").write_text(f"Text nummer {i}.\n", encoding="utf-8")
        rows.append(
            {
                "doc_id": doc_id,
                "county": "Skåne län" if i % 2 else "Uppsala län",
                "year": str(2000 + i),
            }
        )
    with open(src / "metadata.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["doc_id", "county", "year"])
        writer.writeheader()
        writer.writerows(rows)
    return src


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path / "metadata.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("true", "estimated", "expected"),
    [
        ([[1, 0, 0], [0, 1, 0]], [[0, 2, 0], [3, 0, 0]], 1.0),  # order and scale ignored
        ([[1, 0], [0, 1]], [[1, 1], [1, 1]], np.sqrt(0.5)),
        ([[1, 0, 0], [0, 1, 0]], [[0, 0, 1], [0, 0, 1]], 0.0),
    ],
)
def test_recovery_matches_topics_one_to_one(true, estimated, expected):
    assert recovery(np.array(true, float), np.array(estimated, float)) == pytest.approx(expected)


def test_replicate_corpus_copies_every_document_with_new_ids(corpus, tmp_path):
    out = replicate_corpus(corpus, tmp_path / "x4", copies=4)
    rows = _rows(out)
    original = _rows(corpus)
    assert len(rows) == 40
    assert len({r["doc_id"] for r in rows}) == 40
    assert rows[10]["doc_id"] == "doc-00_r2"  # blocks: all first copies, then second …
    assert [r["county"] for r in rows[:10]] == [r["county"] for r in original]
    text = (out / "texts" / "doc-03_r4.txt").read_text(encoding="utf-8")
    assert text == (corpus / "texts" / "doc-03.txt").read_text(encoding="utf-8")
    assert len(list((out / "texts").iterdir())) == 40


def test_subset_corpus_spans_the_whole_corpus(corpus, tmp_path):
    out = subset_corpus(corpus, tmp_path / "sub", n_docs=4)
    ids = [r["doc_id"] for r in _rows(out)]
    assert ids[0] == "doc-00" and ids[-1] == "doc-09" and len(ids) == 4
    assert sorted(p.stem for p in (out / "texts").iterdir()) == sorted(ids)


def test_synthetic_corpus_has_the_requested_size_and_shapes():
    data = synthetic_lda_corpus(n_tokens=5_000, k=4, n_vocab=50, mean_doc_length=40, seed=3)
    assert data.topics.shape == (4, 50)
    np.testing.assert_allclose(data.topics.sum(axis=1), 1.0)
    assert data.n_tokens >= 5_000
    assert sum(c for doc in data.docs for _, c in doc) == data.n_tokens
    again = synthetic_lda_corpus(n_tokens=5_000, k=4, n_vocab=50, mean_doc_length=40, seed=3)
    assert again.docs == data.docs


def test_every_rule_script_maps_to_a_stage():
    table = rule_table(REPO / "workflow")
    assert table["train_lda"] == ("train_lda", "model")
    assert table["plot_prevalence_heatmap"] == ("plot_prevalence_by_facet", "report")
    assert {stage for _, stage in table.values()} <= set(STAGES)
    scripts = {p.stem for p in (REPO / "workflow" / "scripts").glob("*.py")}
    assert scripts <= set(table)


@pytest.mark.parametrize(
    ("gensim", "tomotopy", "expected"),
    [
        # (npmi, recovery, seconds) per engine
        ((0.01, 0.90, 100.0), (0.06, 0.95, 50.0), "tomotopy"),  # better and faster
        ((0.06, 0.95, 100.0), (0.06, 0.95, 50.0), "tomotopy"),  # equal, faster
        ((0.06, 0.95, 50.0), (0.06, 0.95, 100.0), "gensim"),  # equal, faster
        ((0.06, 0.95, 100.0), (0.01, 0.95, 50.0), "gensim"),  # faster but worse
    ],
)
def test_recommend_the_faster_engine_at_equal_or_better_quality(gensim, tomotopy, expected):
    def rows(key: str) -> list[dict[str, float | str]]:
        return [
            {"name": name, key: values[0 if key == "npmi" else 1], "train_seconds": values[2]}
            for name, values in (("gensim", gensim), ("tomotopy", tomotopy))
        ]

    assert recommend({"riksdag": rows("npmi"), "synthetic": rows("recovery")}) == expected


def test_table_marks_targets():
    table = Table()
    table.add("x", 2.0, 1.0, 2.0, "≥ 1.7", True)
    table.add("y", 0.5, None, None, "≤ 0.1", False)
    text = table.markdown()
    assert "| x | 2 | 1 | 2 | ≥ 1.7 | yes |" in text
    assert text.endswith("| y | 0.5 |  |  | ≤ 0.1 | NO |")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        (
            "nedläggningar av CSN-kontor till utbildningsminister Thomas Östros om nedläggningar",
            ("utbildningsminister", ["Thomas", "Östros"]),
        ),
        (
            "Interpellation 2016/17:331 av Johan Forssell (M) till Justitie- och "
            "migrationsminister Morgan Johansson (S) om Migrationsverkets handläggningstider",
            ("justitieminister", ["Morgan", "Johansson"]),
        ),
        (
            "Regeringens ordval till Fredrik Reinfeldt (m), statsminister om Regeringens ordval",
            ("statsminister", ["Fredrik", "Reinfeldt"]),
        ),
        ("1994/95:1 av Per Gahrton (mp) till statsministern om EU", ("statsminister", [])),
        ("x till statsrådet Mats Hellström om han\xaddelspolitiken", (None, ["Mats", "Hellström"])),
        (
            "Stöd till Afghanistan till miljöminister Anna Lind om skog",
            ("miljöminister", ["Anna", "Lind"]),
        ),
    ],
)
def test_portfolio_and_minister_names_from_a_title(
    title: str, expected: tuple[str | None, list[str]]
) -> None:
    from bench_quality import parse_title

    assert parse_title(title) == expected


def test_leaking_tokens_are_masked(tmp_path: Path) -> None:
    from bench_quality import masked_units

    units = tmp_path / "units.tsv"
    units.write_text(
        "unit_id\tdoc_id\tn_tokens\tlemmas\n"
        "a#0000\ta\t6\tskola justitieminister anna_lind statsråd lind skog\n",
        encoding="utf-8",
    )
    doc_ids, texts, masked = masked_units(units, ["Anna", "Lind", "Skog"], str.lower)
    # lind and skog name ministers but are common words (lime tree, forest): kept
    assert doc_ids == ["a"] and texts == [["skola", "lind", "skog"]] and masked == 3


def test_topica_variant_aligns_to_the_dictionary_and_is_seeded() -> None:
    """φ's columns are the gensim dictionary's ids, an empty unit keeps its θ row, and one
    seed gives one model (topica is a bench-only tool: skipped when it is not installed)."""
    pytest.importorskip("topica")
    from bench_quality import VARIANTS, fit_topica
    from gensim.corpora import Dictionary

    assert VARIANTS["topica"][0] == "topica"
    rng = np.random.default_rng(0)
    words = [["skola", "lärare", "elev"], ["skatt", "budget", "moms"]]
    texts = [list(rng.choice(words[i % 2], size=30)) for i in range(40)]
    texts[3] = []  # a unit that masking left empty
    dictionary = Dictionary(texts)
    topic_term, theta = fit_topica(texts, dictionary, 2, 1)
    assert topic_term.shape == (2, len(dictionary)) and theta.shape == (40, 2)
    np.testing.assert_allclose(theta.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(theta[3], 0.5)
    # the two themes fall in two topics, read through the dictionary's ids
    school = [dictionary.token2id[w] for w in words[0]]
    tax = [dictionary.token2id[w] for w in words[1]]
    top = topic_term[:, school].sum(axis=1).argmax()
    assert topic_term[1 - top, tax].sum() > 0.9
    assert (theta[0].argmax() == top) and (theta[1].argmax() == 1 - top)
    again = fit_topica(texts, dictionary, 2, 1)
    np.testing.assert_array_equal(again[0], topic_term)
    np.testing.assert_array_equal(again[1], theta)
