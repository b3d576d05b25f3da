"""Shared helpers of the benchmark: paths, the merged workflow config, timing."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

logger = logging.getLogger(__name__)

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RIKSDAG = Path("/work/shared/corpora/riksdag_interpellationer")
RIKSDAG_CONFIG = BENCH_DIR / "riksdag.yaml"
PYTHON = sys.executable


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``override`` merged into ``base`` recursively (as Snakemake merges config files)."""
    out = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def workflow_config(configfile: Path = RIKSDAG_CONFIG, **overrides: Any) -> dict[str, Any]:
    """The validated config the workflow would run with ``--configfile configfile``.

    ``config/config.yaml`` is merged with ``configfile`` and ``overrides`` and validated
    with :func:`swedish_topics.config.load_config`.
    """
    from swedish_topics.config import load_config

    with open(REPO / "config" / "config.yaml", encoding="utf-8") as handle:
        cfg = yaml.safe_load(handle)
    with open(configfile, encoding="utf-8") as handle:
        cfg = deep_merge(cfg, yaml.safe_load(handle) or {})
    return load_config(deep_merge(cfg, overrides))


def doc_ids_of(corpus: Path) -> list[str]:
    """Doc ids of a corpus in metadata order."""
    from swedish_topics.corpus import read_metadata

    return [row["doc_id"] for row in read_metadata(Path(corpus) / "metadata.csv").rows]


@contextmanager
def timer() -> Iterator[list[float]]:
    """``with timer() as t: ...`` then ``t[0]`` is the elapsed wall seconds."""
    box = [0.0]
    started = time.perf_counter()
    try:
        yield box
    finally:
        box[0] = time.perf_counter() - started


def single_thread_env() -> dict[str, str]:
    """The environment with BLAS/OpenMP limited to one thread (as the Snakefile does)."""
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


def run_json(args: Sequence[str], *, cwd: Path = REPO) -> dict[str, Any]:
    """Run ``python <args>`` and parse the JSON object it prints last."""
    out = subprocess.run(
        [PYTHON, *args],
        cwd=cwd,
        env=single_thread_env(),
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result
