"""Derived corpora for the benchmark, built under a scratch folder (never in the repo).

- :func:`subset_corpus`: every n-th document of a corpus (all years and counties stay
  represented), for ``--quick`` runs.
- :func:`replicate_corpus`: every document copied ``copies`` times with new doc ids
  (``<doc_id>_r1`` … ``<doc_id>_r4``), in blocks (all first copies, then all second
  copies, …), metadata rows copied accordingly: the 4× corpus of the memory benchmark.
- :func:`synthetic_lda_corpus`: a bag-of-words corpus drawn from the LDA generative model
  with known topics, for the topic-recovery benchmark.

Run as a script to build a replicated corpus by hand::

    python bench/make_corpus.py SRC DST --copies 4
"""

from __future__ import annotations

import argparse
import csv
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

METADATA = "metadata.csv"
TEXTS = "texts"


def _read_metadata(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _write_metadata(path: Path, fields: list[str], rows: list[dict[str, str]]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def _complete(dst: Path, n_docs: int) -> bool:
    """True when ``dst`` already holds a finished corpus of ``n_docs`` documents."""
    marker = dst / ".complete"
    return marker.exists() and marker.read_text(encoding="utf-8").strip() == str(n_docs)


def subset_corpus(src: Path, dst: Path, *, n_docs: int) -> Path:
    """Copy ``n_docs`` documents of ``src``, evenly spaced in metadata order, to ``dst``.

    Parameters
    ----------
    src, dst
        Corpus folders (``texts/`` + ``metadata.csv``); ``dst`` is rebuilt unless it
        already holds the same subset.
    n_docs
        Number of documents (all of them when larger than the corpus).

    Returns
    -------
    Path
        ``dst``.
    """
    fields, rows = _read_metadata(src / METADATA)
    n_docs = min(n_docs, len(rows))
    if _complete(dst, n_docs):
        return dst
    picked = [rows[i] for i in np.linspace(0, len(rows) - 1, n_docs).round().astype(int)]
    if dst.exists():
        shutil.rmtree(dst)
    (dst / TEXTS).mkdir(parents=True)
    for row in picked:
        name = f"{row['doc_id']}.txt"
        shutil.copyfile(src / TEXTS / name, dst / TEXTS / name)
    _write_metadata(dst / METADATA, fields, picked)
    (dst / ".complete").write_text(str(n_docs), encoding="utf-8")
    logger.info("built %s: %d documents", dst, n_docs)
    return dst


def replicate_corpus(src: Path, dst: Path, *, copies: int = 4) -> Path:
    """Copy every document of ``src`` ``copies`` times with new ids into ``dst``.

    Copy ``i`` (1-based) of document ``d`` is ``d_r{i}``; its metadata row is ``d``'s with
    the new id. Rows are in blocks: all first copies in the original order, then all
    second copies, and so on.

    Returns
    -------
    Path
        ``dst``.
    """
    fields, rows = _read_metadata(src / METADATA)
    n_docs = copies * len(rows)
    if _complete(dst, n_docs):
        return dst
    if dst.exists():
        shutil.rmtree(dst)
    (dst / TEXTS).mkdir(parents=True)
    out_rows = []
    for copy in range(1, copies + 1):
        for row in rows:
            new_id = f"{row['doc_id']}_r{copy}"
            shutil.copyfile(src / TEXTS / f"{row['doc_id']}.txt", dst / TEXTS / f"{new_id}.txt")
            out_rows.append({**row, "doc_id": new_id})
    _write_metadata(dst / METADATA, fields, out_rows)
    (dst / ".complete").write_text(str(n_docs), encoding="utf-8")
    logger.info("built %s: %d documents (%d copies)", dst, n_docs, copies)
    return dst


@dataclass(frozen=True)
class SyntheticCorpus:
    """A corpus drawn from LDA with known topics.

    Attributes
    ----------
    topics
        ``(K, V)`` true topic-word distributions.
    docs
        Bag-of-words documents (gensim format: ``(word id, count)`` pairs, ids ascending).
    n_tokens
        Total number of tokens.
    """

    topics: np.ndarray
    docs: list[list[tuple[int, int]]]
    n_tokens: int


def synthetic_lda_corpus(
    *,
    n_tokens: int = 3_000_000,
    k: int = 20,
    n_vocab: int = 10_000,
    mean_doc_length: int = 200,
    alpha: float = 0.1,
    eta: float = 0.05,
    seed: int = 0,
) -> SyntheticCorpus:
    """Draw documents from the LDA generative model.

    Topics are ``Dirichlet(eta)`` over ``n_vocab`` words; each document has a length drawn
    from ``Poisson(mean_doc_length)`` (at least 10), a topic mixture ``Dirichlet(alpha)``,
    and word counts ``Multinomial(length, theta @ topics)`` (the topic assignments
    marginalised). Documents are drawn until ``n_tokens`` tokens are reached.
    """
    rng = np.random.default_rng(seed)
    topics = rng.dirichlet(np.full(n_vocab, eta), size=k)
    docs: list[list[tuple[int, int]]] = []
    total = 0
    while total < n_tokens:
        length = max(10, int(rng.poisson(mean_doc_length)))
        theta = rng.dirichlet(np.full(k, alpha))
        p = theta @ topics
        counts = rng.multinomial(length, p / p.sum())
        ids = np.flatnonzero(counts)
        docs.append([(int(i), int(counts[i])) for i in ids])
        total += length
    return SyntheticCorpus(topics=topics, docs=docs, n_tokens=total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("src", type=Path)
    parser.add_argument("dst", type=Path)
    parser.add_argument("--copies", type=int, default=4)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    replicate_corpus(args.src, args.dst, copies=args.copies)


if __name__ == "__main__":
    main()
