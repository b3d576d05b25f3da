"""The run install (README's first Quick-start command, without the test extras) holds
everything the commands the README shows after it need.

The tests themselves run with the test extras, so a package that only they bring in (as
pygments once was, which `snakemake --report` needs) would pass every test and still fail
for a user; this reads what the run install asks for instead.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}


@pytest.fixture(scope="module")
def project() -> dict:
    with open(REPO / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]


@pytest.mark.parametrize(
    ("package", "needed_by"),
    [
        ("pygments", "snakemake --report results/report.html"),
        ("pyarrow", "the Parquet exports under exports/"),
        ("nltk", "the Punkt sentence splitter (rule train_sentences)"),
        ("snakemake", "the workflow itself"),
    ],
)
def test_run_install_has_what_the_readme_commands_need(
    project: dict, package: str, needed_by: str
) -> None:
    assert package in _names(project["dependencies"]), (
        f"{package} is needed by {needed_by} but is not a run dependency in pyproject.toml"
    )


def test_every_run_dependency_is_pinned_in_the_lock(project: dict) -> None:
    locked = {
        line.split("==")[0].lower().replace("_", "-")
        for line in (REPO / "requirements.lock").read_text(encoding="utf-8").splitlines()
        if "==" in line
    }
    missing = {n.replace("_", "-") for n in _names(project["dependencies"])} - locked
    assert not missing, f"run dependencies without a pin in requirements.lock: {missing}"
