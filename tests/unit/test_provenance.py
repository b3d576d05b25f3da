"""Tests for swedish_topics.provenance: the corpus checksums and provenance.json."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from swedish_topics.io import atomic_write_json
from swedish_topics.provenance import (
    CorpusChecksums,
    _in_path_order,
    _text_path,
    build_provenance,
    write_provenance,
)

# Ids of which some begin with others: sorted as ids and as file names they differ.
IDS = ["a.txt", "Umeå", "a", "a-b", "a.b", "a_", "ab", "a.t", "b", "a-", "0"]


def make_corpus(root: Path, doc_ids: list[str]) -> Path:
    (root / "texts").mkdir(parents=True)
    (root / "metadata.csv").write_text("doc_id\n" + "\n".join(doc_ids) + "\n", encoding="utf-8")
    for doc_id in doc_ids:
        (root / "texts" / f"{doc_id}.txt").write_text(f"Text {doc_id}.\n", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("doc_ids", "ordered"),
    [
        (["b", "a"], ["a", "b"]),
        (["a", "a-b"], ["a-b", "a"]),  # 'a-b.txt' < 'a.txt'
        (["a", "a.b", "a-b", "ab"], ["a-b", "a.b", "a", "ab"]),  # 'a.b.txt' < 'a.txt'
        (["a.t", "a", "a.txt"], ["a.t", "a", "a.txt"]),  # 'a.t.txt' < 'a.txt' < 'a.txt.txt'
        ([], []),
    ],
)
def test_texts_are_listed_in_file_name_order(doc_ids: list[str], ordered: list[str]) -> None:
    assert _in_path_order(doc_ids) == ordered


def test_file_name_order_is_the_order_of_sorted_paths() -> None:
    rng = random.Random(7)
    for _ in range(500):
        doc_ids = {"".join(rng.choices("ab.-_tx", k=rng.randint(1, 5))) for _ in range(30)}
        assert _in_path_order(doc_ids) == sorted(doc_ids, key=_text_path)


def test_checksums_cover_metadata_and_every_text(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path, IDS)
    sums = dict(CorpusChecksums(corpus, IDS))
    assert len(sums) == len(IDS) + 1 == len(CorpusChecksums(corpus, IDS))
    for rel in ["metadata.csv", "texts/Umeå.txt", "texts/a.txt.txt"]:
        assert sums[rel] == hashlib.sha256((corpus / rel).read_bytes()).hexdigest()


def test_provenance_json_is_the_json_of_the_whole_provenance(tmp_path: Path) -> None:
    # The checksums are written one by one; the file must be what writing the whole
    # dict always gave: sorted keys, two-space indentation, UTF-8 ids.
    corpus = make_corpus(tmp_path / "corpus", IDS)
    cfg = {"corpus": str(corpus), "model": {"heldout_seed": 1}, "analysis": {"bootstrap_seed": 2}}
    provenance = build_provenance(
        cfg=cfg,
        corpus_dir=corpus,
        doc_ids=IDS,
        workflow_dir=tmp_path,
        models=[{"k": 5, "seed": 1, "engine": "gensim"}],
        choice={"k": 5, "seed": 1, "reason": "only model"},
    )
    write_provenance(tmp_path / "provenance.json", provenance)
    whole = {
        **provenance,
        "corpus": {**provenance["corpus"], "sha256": dict(CorpusChecksums(corpus, IDS))},
    }
    atomic_write_json(tmp_path / "expected.json", whole)
    written = (tmp_path / "provenance.json").read_bytes()
    assert written == (tmp_path / "expected.json").read_bytes()
    write_provenance(tmp_path / "from_dict.json", whole)  # checksums given as a dict
    assert (tmp_path / "from_dict.json").read_bytes() == written
