"""The findings page on a planted corpus: the workflow, run as a user runs it on a corpus
simulated with known group differences by the calibration study's generator, lists the
planted differences and nothing on a null topic.

The regime is one where the run has the power to see the planted differences: 4 groups
of 50 documents of ~150 tokens, K = 5, two planted topics (corpus seed 2 plants 10 and
20 points: one group up and one down on each, group − rest differences of ±13 and ±27
points, the absorbing topic the reverse) and two null topics, documents close to their
group's mean (Dirichlet concentration 10). The study's own ``large`` regime
(concentration 3) has a minimum detectable difference of about 14 points after the FDR
adjustment, which the findings page reports, so its smaller differences are found only
on some corpora.
"""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from tests.e2e.helpers import REPO, run_workflow

pytestmark = pytest.mark.e2e

#: The calibration study's corpus generator (studies/calibration/ once the study moves
#: there from bench/calibration/; the one place that names it).
GENERATOR = next(
    (
        path
        for path in (
            REPO / "studies" / "calibration" / "generate.py",
            REPO / "bench" / "calibration" / "generate.py",
        )
        if path.is_file()
    ),
    REPO / "studies" / "calibration" / "generate.py",
)
#: The corpus seed (it also picks the planted sizes: 10 and 20 points). The workflow is
#: deterministic, so the result is too; at FDR 5 % a false discovery on some corpus is
#: what the procedure allows.
SEED = 2
#: Planted group − rest differences at least this large must be found.
MIN_PLANTED = 0.1


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("calibration_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _match(model_npz: Path, phi: np.ndarray, vocab: list[str]) -> np.ndarray:
    """Model topic (1-based) of every true topic: Hungarian matching of the topic-word
    distributions (cosine) over the true lemmas."""
    from scipy.optimize import linear_sum_assignment

    with np.load(model_npz) as data:
        topic_term, model_vocab = data["topic_term"], [str(v) for v in data["vocab"]]
    index = {w: i for i, w in enumerate(vocab)}
    est = np.zeros((topic_term.shape[0], len(vocab)))
    for j, w in enumerate(model_vocab):
        if w in index:
            est[:, index[w]] += topic_term[:, j]
    a = phi / np.linalg.norm(phi, axis=1, keepdims=True)
    b = est / np.maximum(np.linalg.norm(est, axis=1, keepdims=True), 1e-12)
    rows, cols = linear_sum_assignment(-(a @ b.T))
    match = np.empty(phi.shape[0], dtype=np.int64)
    match[rows] = cols + 1
    return match


def test_findings_list_the_planted_differences_and_no_null_topic(tmp_path: Path) -> None:
    gen = _generator()
    regime = gen.Regime(
        "findings", 4, (50, 50), 150, k=5, concentration=10.0,
        planted=((0, 0.5), (1, 0.5)), trend=(), null_topics=(3, 4),
    )  # fmt: skip
    truth = gen.generate(regime, SEED, tmp_path / "corpus")
    config = tmp_path / "planted.yaml"
    config.write_text(
        f"corpus: {tmp_path / 'corpus'}\n"
        "facets: [municipality, year]\nnumeric_facets: [year]\n"
        "model: {k: [4, 5, 6], seeds: [1, 2, 3]}\n"
        "selection: {k: 5, seed: 1}\n"  # the true K, as in the calibration study
        "analysis: {bootstrap: 200}\n"
        "validation: {enabled: false}\nsensitivity: {run: []}\n",
        encoding="utf-8",
    )
    results = tmp_path / "results"
    run_workflow(results, configfile=config)
    match = _match(results / "final" / "model.npz", truth.phi, truth.vocab)
    with open(results / "findings.csv", encoding="utf-8", newline="") as handle:
        found = list(csv.DictReader(handle))
    differences = {
        (int(r["topic"]), r["group_or_term"]): float(r["estimate"])
        for r in found
        if r["kind"] == "difference"
    }
    planted = [
        (int(match[k]), truth.groups[g], truth.difference[g, k])
        for g in range(len(truth.groups))
        for k in range(regime.k)
        if abs(truth.difference[g, k]) >= MIN_PLANTED
    ]
    assert planted, "the regime plants differences of at least MIN_PLANTED"
    for topic, group, true_value in planted:
        assert (topic, group) in differences, f"planted {group}, topic {topic} not found"
        assert np.sign(differences[(topic, group)]) == np.sign(true_value)
    null = {int(match[k]) for k in regime.null_topics}
    on_null = [r for r in found if int(r["topic"]) in null]
    assert on_null == [], f"findings on null topics {sorted(null)}: {on_null}"
    page = (results / "README.md").read_text(encoding="utf-8")
    assert "findings hold" in page.split("\n\n")[1]
    for _topic, group, _ in planted:
        assert f"**{group}** (municipality, " in page
