"""Tests for swedish_topics.bagofwords: the vocabulary and corpus.mm exactly as gensim's."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest
from gensim.corpora import Dictionary, MmCorpus
from swedish_topics.bagofwords import (
    ShardUnits,
    count_vocabulary,
    pack,
    unpack,
    write_corpus_files,
)

UNITS = [
    ["skola", "elev", "skola", "lärare"],
    ["vård", "patient"],
    ["elev", "vård", "skola", "omsorg", "omsorg", "omsorg"],
    ["ö", "å", "ä", "a_b", "skola"],
    ["lärare"],
    ["patient", "vård", "vård", "elev", "ö"],
]


@pytest.mark.parametrize(
    "tokens",
    [[], [""], ["", ""], ["a"], ["a", "b"], ["", "x", ""], ["a b", "c"], [" "], ["å", "ä", "ö"]],
)
def test_pack_gives_back_the_tokens(tokens: list[str]) -> None:
    assert unpack(pack(tokens)) == tokens


def test_count_vocabulary_is_gensims_dictionary(tmp_path: Path) -> None:
    ours = count_vocabulary(iter(UNITS))
    theirs = Dictionary(UNITS, prune_at=None)
    assert ours.token2id == theirs.token2id
    assert list(ours.token2id) == list(theirs.token2id)  # the same order of first sight
    assert ours.dfs == theirs.dfs and ours.cfs == theirs.cfs
    assert (ours.num_docs, ours.num_pos, ours.num_nnz) == (
        theirs.num_docs,
        theirs.num_pos,
        theirs.num_nnz,
    )
    for dictionary, name in ((ours, "ours"), (theirs, "theirs")):
        dictionary.filter_extremes(no_below=2, no_above=0.6, keep_n=4)
        dictionary.compactify()
        dictionary.save_as_text(str(tmp_path / f"{name}.txt"))
    assert (tmp_path / "ours.txt").read_bytes() == (tmp_path / "theirs.txt").read_bytes()


def test_corpus_files_are_gensims_and_aligned(tmp_path: Path) -> None:
    dictionary = Dictionary(UNITS, prune_at=None)
    dictionary.filter_extremes(no_below=2, no_above=1.0)
    dictionary.compactify()
    units = ShardUnits()
    spool = io.StringIO()
    for number, tokens in enumerate([*UNITS, ["unknown"], []]):
        units.ids.append((f"d{number}#0000", f"d{number}"))
        units.tokens.append(pack(tokens))
        row = {"unit_id": f"d{number}#0000", "doc_id": f"d{number}", "text": " ".join(tokens)}
        spool.write(json.dumps(row, ensure_ascii=False) + "\n")
    kept = write_corpus_files(units, spool, dictionary.token2id, tmp_path)

    known = [[t for t in u if t in dictionary.token2id] for u in UNITS]
    bows = [sorted(Counter(dictionary.token2id[t] for t in u).items()) for u in known if u]
    MmCorpus.save_corpus(str(tmp_path / "gensim.mm"), bows, id2word=dictionary)
    assert (tmp_path / "corpus.mm").read_bytes() == (tmp_path / "gensim.mm").read_bytes()
    assert kept == {"units": len(bows), "tokens": sum(map(len, known))}
    tsv = (tmp_path / "units.tsv").read_text(encoding="utf-8").splitlines()[1:]
    jsonl = (tmp_path / "units.jsonl").read_text(encoding="utf-8").splitlines()
    assert [line.split("\t")[0] for line in tsv] == [json.loads(j)["unit_id"] for j in jsonl]
    assert len(tsv) == len(bows) == len(list(MmCorpus(str(tmp_path / "corpus.mm"))))
    assert "d6#0000" not in "".join(tsv)  # a unit with no known token is left out
