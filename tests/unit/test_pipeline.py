"""The per-rule functions of swedish_topics.pipeline, run without Snakemake."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from swedish_topics import pipeline
from swedish_topics.config import load_config
from swedish_topics.errors import ConfigError, CorpusError, UserError

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("n_docs", "n_shards"),
    [(5, 1), (5, 2), (10, 3), (15565, 8), (1, 1)],
)
def test_shards_partition_the_documents_in_order(n_docs: int, n_shards: int) -> None:
    doc_ids = [f"d{i}" for i in range(n_docs)]
    shards = [pipeline.shard_doc_ids(doc_ids, i, n_shards) for i in range(n_shards)]
    assert [d for shard in shards for d in shard] == doc_ids
    sizes = [len(s) for s in shards if s]
    assert max(sizes) - min(sizes) <= max(1, n_docs // n_shards)


def make_corpus(root: Path, texts: dict[str, str], rows: list[dict[str, str]]) -> Path:
    (root / "texts").mkdir(parents=True)
    for doc_id, text in texts.items():
        (root / "texts" / f"{doc_id}.txt").write_text(text, encoding="utf-8")
    with open(root / "metadata.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return root


def run_preprocessing(corpus: Path, results: Path, **overrides: Any) -> dict[str, Any]:
    cfg = load_config(
        {
            "corpus": str(corpus),
            "results": str(results),
            "preprocess": {"lemmatize": {"overrides": str(REPO / "config/lemma_overrides.tsv")}},
            **overrides,
        }
    )
    validation = results / "interim" / "validation.json"
    pipeline.validate_corpus(cfg=cfg, out_json=validation)
    shard = results / "interim" / "shards" / "000.jsonl"
    counts = results / "interim" / "shards" / "000.counts.json"
    pipeline.preprocess_shard(
        validation_json=validation,
        cfg=cfg,
        shard_index=0,
        n_shards=1,
        out_units=shard,
        out_counts=counts,
    )
    outputs = {
        "units_tsv": results / "preprocess" / "units.tsv",
        "units_jsonl": results / "preprocess" / "units.jsonl",
        "dictionary": results / "preprocess" / "dictionary.txt",
        "corpus": results / "preprocess" / "corpus.mm",
        "vocabulary": results / "tables" / "vocabulary.csv",
        "summary": results / "tables" / "preprocessing_summary.csv",
    }
    pipeline.build_corpus(shard_files=[shard], count_files=[counts], cfg=cfg, outputs=outputs)
    return cfg


ROWS = [
    {"doc_id": "a", "municipality": "Lund", "year": "2019"},
    {"doc_id": "b", "municipality": "Umeå", "year": "2020"},
]


def test_texts_of_only_numbers_and_stopwords_are_refused_with_a_clear_message(
    tmp_path: Path,
) -> None:
    corpus = make_corpus(
        tmp_path / "corpus",
        {"a": "2019 2020 12 345\n\n67 89", "b": "och det är att som en på\n\ni för med"},
        ROWS,
    )
    with pytest.raises(CorpusError) as err:
        run_preprocessing(corpus, tmp_path / "results")
    message = str(err.value)
    assert "Nothing is left to model" in message
    assert "preprocessing_summary.csv" in message
    assert "no_below" in message


def test_single_document_corpus_is_modelled_in_paragraph_units(tmp_path: Path) -> None:
    text = (REPO / "corpus" / "texts" / "002_f323569b1564ba78.txt").read_text(encoding="utf-8")
    corpus = make_corpus(tmp_path / "corpus", {"a": text}, ROWS[:1])
    cfg = run_preprocessing(corpus, tmp_path / "results")
    units = pipeline.read_units_tsv(tmp_path / "results" / "preprocess" / "units.tsv")
    assert len(units["unit_id"]) >= 5
    assert set(units["doc_id"]) == {"a"}
    split = tmp_path / "results" / "preprocess" / "split.json"
    pipeline.heldout_split(
        units_tsv=tmp_path / "results" / "preprocess" / "units.tsv", cfg=cfg, out_split=split
    )
    assert json.loads(split.read_text())["n_units"] == len(units["unit_id"])


def test_single_document_in_document_mode_is_refused(tmp_path: Path) -> None:
    text = (REPO / "corpus" / "texts" / "002_f323569b1564ba78.txt").read_text(encoding="utf-8")
    corpus = make_corpus(tmp_path / "corpus", {"a": text}, ROWS[:1])
    with pytest.raises(UserError) as err:
        run_preprocessing(
            corpus,
            tmp_path / "results",
            preprocess={
                "units": {"mode": "documents"},
                "lemmatize": {"overrides": str(REPO / "config/lemma_overrides.tsv")},
            },
        )
    assert "Nothing is left to model" in str(err.value)
    assert "mode: paragraphs" in str(err.value)


def test_k_above_the_number_of_units_stops_training(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    results = tmp_path / "results"
    cfg = run_preprocessing(corpus, results, model={"k": [400], "seeds": [1]})
    split = results / "preprocess" / "split.json"
    pipeline.heldout_split(units_tsv=results / "preprocess" / "units.tsv", cfg=cfg, out_split=split)
    model_dir = results / "models" / "k400_s1"
    with pytest.raises(ConfigError) as err:
        pipeline.train_lda(
            inputs={
                "corpus": results / "preprocess" / "corpus.mm",
                "dictionary": results / "preprocess" / "dictionary.txt",
                "split": split,
            },
            cfg=cfg,
            k=400,
            seed=1,
            outputs={
                "model": model_dir / "model.npz",
                "train": model_dir / "train.json",
                "native": model_dir / "native",
            },
        )
    assert "400" in str(err.value)
    assert not (model_dir / "model.npz").exists()


def test_a_200_mb_text_is_refused_by_its_size_without_being_read(tmp_path: Path) -> None:
    corpus = make_corpus(tmp_path / "corpus", {"a": "Kommunen digitaliserar.", "b": ""}, ROWS)
    with open(corpus / "texts" / "b.txt", "wb") as handle:
        handle.truncate(200_000_000)  # sparse: 200 MB by size, no disk used
    cfg = load_config({"corpus": str(corpus), "results": str(tmp_path / "results")})
    with pytest.raises(CorpusError) as err:
        pipeline.validate_corpus(cfg=cfg, out_json=tmp_path / "results" / "validation.json")
    assert "b.txt is 200.0 MB, above the limit preprocess.max_text_mb = 50 MB" in str(err.value)
    assert not (tmp_path / "results" / "validation.json").exists()


def test_shards_by_size_balance_bytes_and_keep_the_order() -> None:
    doc_ids = [f"d{i}" for i in range(100)]
    sizes = [1000 if i < 10 else 10 for i in range(100)]  # ten large texts first
    shards = [pipeline.shard_doc_ids(doc_ids, i, 2, sizes=sizes) for i in range(2)]
    assert shards[0] + shards[1] == doc_ids
    by_id = dict(zip(doc_ids, sizes, strict=True))
    totals = [sum(by_id[d] for d in shard) for shard in shards]
    assert abs(totals[0] - totals[1]) <= 2 * max(sizes)  # a shard ends after a whole text
    assert len(shards[0]) < len(shards[1])  # by count they would be 50 and 50


def _shard_doc_ids(units_jsonl: Path) -> list[str]:
    with open(units_jsonl, encoding="utf-8") as handle:
        return list(dict.fromkeys(json.loads(line)["doc_id"] for line in handle))


def test_validation_records_each_text_size_in_document_order(tmp_path: Path) -> None:
    texts = {"b": "Kommunen digitaliserar. " * 40, "a": "Lund bygger e-tjänster.", "c": "Å"}
    rows = [{"doc_id": d, "municipality": "Lund", "year": "2019"} for d in ("b", "a", "c")]
    corpus = make_corpus(tmp_path / "corpus", texts, rows)
    cfg = load_config({"corpus": str(corpus), "results": str(tmp_path / "results")})
    out = tmp_path / "results" / "validation.json"
    pipeline.validate_corpus(cfg=cfg, out_json=out)
    report = json.loads(out.read_text(encoding="utf-8"))
    sizes = [(corpus / "texts" / f"{d}.txt").stat().st_size for d in ("b", "a", "c")]
    assert report["doc_ids"] == ["b", "a", "c"]
    assert report["text_sizes"] == sizes
    assert report["text_bytes"] == sum(sizes)


def _two_shard_corpus(tmp_path: Path) -> tuple[Path, dict[str, Any], Path]:
    long = "Umeå kommun digitaliserar sina tjänster för invånarna. " * 30
    texts = {"a": long, "b": "Lund inför e-tjänster.", "c": "Vännäs bygger bredband.", "d": "x y"}
    places = {"a": "Umeå", "b": "Lund", "c": "Vännäs", "d": "Lund"}
    rows = [{"doc_id": d, "municipality": places[d], "year": "2020"} for d in texts]
    corpus = make_corpus(tmp_path / "corpus", texts, rows)
    cfg = load_config(
        {
            "corpus": str(corpus),
            "results": str(tmp_path / "results"),
            "min_group_docs": 1,
            "preprocess": {"lemmatize": {"overrides": str(REPO / "config/lemma_overrides.tsv")}},
        }
    )
    validation = tmp_path / "results" / "validation.json"
    pipeline.validate_corpus(cfg=cfg, out_json=validation)
    return corpus, cfg, validation


def test_a_shard_is_cut_by_the_recorded_sizes_and_reads_only_its_own_texts(
    tmp_path: Path,
) -> None:
    corpus, cfg, validation = _two_shard_corpus(tmp_path)
    # The long first text fills shard 0 by bytes. The shard needs neither metadata.csv
    # (facet values come from validation.json) nor the other shard's texts.
    (corpus / "metadata.csv").unlink()
    for doc_id in "bcd":
        (corpus / "texts" / f"{doc_id}.txt").unlink()
    out = tmp_path / "shards"
    pipeline.preprocess_shard(
        validation_json=validation,
        cfg=cfg,
        shard_index=0,
        n_shards=2,
        out_units=out / "000.jsonl",
        out_counts=out / "000.counts.json",
    )
    assert _shard_doc_ids(out / "000.jsonl") == ["a"]
    with open(out / "000.jsonl", encoding="utf-8") as handle:
        tokens = {token for line in handle for token in json.loads(line)["tokens"]}
    assert "kommun" in tokens
    assert "umeå" not in tokens  # a facet value, dropped as a stopword


def test_a_validation_file_without_text_sizes_still_gives_shards_by_count(
    tmp_path: Path,
) -> None:
    _, cfg, validation = _two_shard_corpus(tmp_path)
    report = json.loads(validation.read_text(encoding="utf-8"))
    del report["text_sizes"]  # as written before the sizes were recorded
    validation.write_text(json.dumps(report), encoding="utf-8")
    out = tmp_path / "shards"
    for index in range(2):
        pipeline.preprocess_shard(
            validation_json=validation,
            cfg=cfg,
            shard_index=index,
            n_shards=2,
            out_units=out / f"{index:03d}.jsonl",
            out_counts=out / f"{index:03d}.counts.json",
        )
    assert _shard_doc_ids(out / "000.jsonl") == ["a", "b"]
    assert _shard_doc_ids(out / "001.jsonl") == ["c", "d"]
