"""Provenance of a run: versions, the merged config, input checksums, the git commit.

Written to ``provenance.json`` beside the results so that a paper's numbers can be traced
to exactly the software, parameters and corpus that produced them. Nothing in it depends
on the time of the run, so two runs of the same inputs give the same file.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import platform
import subprocess
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from swedish_topics import __version__
from swedish_topics import io as sio
from swedish_topics.corpus import METADATA_NAME, TEXTS_NAME

logger = logging.getLogger(__name__)

#: Distributions whose versions can change the numbers.
TRACKED_PACKAGES = (
    "swedish-topics",
    "gensim",
    "simplemma",
    "numpy",
    "scipy",
    "pandas",
    "matplotlib",
    "pyLDAvis",
    "tomotopy",
    "scikit-learn",
    "snakemake",
    "jsonschema",
    "PyYAML",
)


def package_versions(names: Iterable[str] = TRACKED_PACKAGES) -> dict[str, str]:
    """Installed versions of ``names`` ("not installed" where absent)."""
    versions = {}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def sha256_file(path: Path, *, chunk_size: int = 1 << 20) -> str:
    """SHA-256 of a file, read in chunks (large texts are never held in memory)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def _text_path(doc_id: str) -> str:
    """Path of a text relative to the corpus folder, as provenance.json names it."""
    return f"{TEXTS_NAME}/{doc_id}.txt"


def _in_path_order(doc_ids: Iterable[str]) -> list[str]:
    """``doc_ids`` sorted as their text paths sort (the order of provenance.json).

    Sorting the ids gives the same order except where one id begins with another: 'a'
    sorts before 'a-b', but 'a-b.txt' before 'a.txt'. Such an id is followed by the run
    of ids that begin with it, which is sorted again by path; so no path is built for
    ids that need none.
    """
    ids = sorted(doc_ids)
    start = 0
    while start < len(ids):
        end = start + 1
        while end < len(ids) and ids[end].startswith(ids[start]):
            end += 1
        if end > start + 1:
            ids[start:end] = sorted(ids[start:end], key=_text_path)
        start = end
    return ids


class CorpusChecksums:
    """SHA-256 of metadata.csv and of every validated text, computed as they are read.

    Iterating gives ``(relative path, checksum)`` pairs in path order, the order of
    ``provenance.json``, reading one file at a time: memory holds the ids, not the
    checksums. ``dict(checksums)`` gives them all as a dict.
    """

    def __init__(self, corpus_dir: Path, doc_ids: Sequence[str]) -> None:
        self.corpus_dir = Path(corpus_dir)
        self._doc_ids = _in_path_order(doc_ids)

    def __len__(self) -> int:
        return 1 + len(self._doc_ids)

    def __iter__(self) -> Iterator[tuple[str, str]]:
        yield METADATA_NAME, sha256_file(self.corpus_dir / METADATA_NAME)  # before "texts/"
        for doc_id in self._doc_ids:
            rel = _text_path(doc_id)
            yield rel, sha256_file(self.corpus_dir / rel)


def git_commit(repo_dir: Path) -> dict[str, Any]:
    """The commit of the workflow's checkout and whether it had local changes."""

    def _git(*args: str) -> str | None:
        try:
            out = subprocess.run(
                ["git", "-C", str(repo_dir), *args],
                capture_output=True,
                text=True,
                timeout=30,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return out.stdout.strip()

    commit = _git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": None, "dirty": None, "note": "not a git checkout"}
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def build_provenance(
    *,
    cfg: Mapping[str, Any],
    corpus_dir: Path,
    doc_ids: Sequence[str],
    workflow_dir: Path,
    models: Sequence[Mapping[str, Any]],
    choice: Mapping[str, Any],
) -> dict[str, Any]:
    """Everything needed to trace a result back to its inputs.

    ``["corpus"]["sha256"]`` is a :class:`CorpusChecksums`, computed as it is read (by
    :func:`write_provenance`, one file at a time).
    """
    return {
        "swedish_topics_version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
        "git": git_commit(workflow_dir),
        "config": dict(cfg),
        "corpus": {
            "path": str(corpus_dir),
            "n_documents": len(doc_ids),
            "sha256": CorpusChecksums(corpus_dir, doc_ids),
        },
        "seeds": {
            "models": sorted({int(m["seed"]) for m in models}),
            "heldout_seed": cfg["model"]["heldout_seed"],
            "bootstrap_seed": cfg["analysis"]["bootstrap_seed"],
        },
        "models": [
            {key: m.get(key) for key in ("k", "seed", "engine", "engine_version")} for m in models
        ],
        "final_model": {"k": choice["k"], "seed": choice["seed"], "reason": choice["reason"]},
    }


def write_provenance(path: Path, provenance: Mapping[str, Any]) -> None:
    """Write provenance.json atomically, the corpus checksums one file at a time.

    The file is what :func:`~swedish_topics.io.atomic_write_json` writes for the same
    data with ``provenance["corpus"]["sha256"]`` as a plain dict; but the checksums are
    computed and written one by one, never all held in memory.
    """
    checksums = provenance["corpus"]["sha256"]
    items = checksums if isinstance(checksums, CorpusChecksums) else sorted(checksums.items())

    def checksums_json(outer: str) -> Iterator[str]:
        inner = outer + " " * sio.JSON_INDENT
        first = True
        for rel, digest in items:
            key = json.dumps(rel, ensure_ascii=False)
            yield f"{'{' if first else ','}{inner}{key}: {json.dumps(digest)}"
            first = False
        yield "{}" if first else outer + "}"

    stand_in = sio.json_stand_in("sha256")
    skeleton = {**provenance, "corpus": {**provenance["corpus"], "sha256": stand_in}}
    sio.atomic_write_json_spliced(path, skeleton, {"sha256": checksums_json})
    logger.info("wrote %s", path)
