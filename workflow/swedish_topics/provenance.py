"""Provenance of a run: versions, the merged config, input checksums, the git commit.

Written to ``provenance.json`` beside the results so that a paper's numbers can be traced
to exactly the software, parameters and corpus that produced them. Nothing in it depends
on the time of the run, so two runs of the same inputs give the same file.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import platform
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from swedish_topics import __version__
from swedish_topics.io import atomic_write_json

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


def corpus_checksums(corpus_dir: Path, doc_ids: Sequence[str]) -> dict[str, str]:
    """Checksums of metadata.csv and of every validated text, keyed by relative path."""
    sums = {"metadata.csv": sha256_file(corpus_dir / "metadata.csv")}
    for doc_id in doc_ids:
        rel = f"texts/{doc_id}.txt"
        sums[rel] = sha256_file(corpus_dir / rel)
    return sums


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
    """Everything needed to trace a result back to its inputs."""
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
            "sha256": corpus_checksums(corpus_dir, doc_ids),
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
    """Write provenance.json atomically."""
    atomic_write_json(path, provenance)
    logger.info("wrote %s", path)
