"""Shared fixtures: paths of the repository and of the shared development corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
RIKSDAG = SHARED / "corpora" / "riksdag_interpellationer"


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def shipped_corpus() -> Path:
    return REPO / "corpus"
