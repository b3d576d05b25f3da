"""Tests for swedish_topics.analysis.groups: only the kept bootstrap intervals are drawn."""

from __future__ import annotations

import math

import numpy as np
import pytest
from swedish_topics import analysis as an
from swedish_topics.analysis import groups as gr
from swedish_topics.analysis.multiplicity import procedure


def _data() -> tuple[np.ndarray, list[str], list[an.DocUnits], np.ndarray]:
    """Groups of 1 (with three units), 2, 5 and 30 documents; a topic absent from one
    group; posterior draws."""
    rng = np.random.default_rng(3)
    sizes = {"solo": 1, "pair": 2, "five": 5, "many": 30}
    groups = [g for g, n in sizes.items() for _ in range(n)]
    theta = rng.dirichlet([2.0, 1.0, 0.5], size=len(groups))
    theta[np.array(groups) == "five", 2] = 0.0
    theta /= theta.sum(axis=1, keepdims=True)
    units = [
        an.DocUnits(rng.dirichlet([1.0, 1.0, 1.0], size=3).astype(np.float32), np.array([5, 9, 4]))
        for _ in groups
    ]
    draws = np.stack([rng.dirichlet(t * 50 + 0.1) for t in theta for _ in range(4)])
    draws = draws.reshape(len(groups), 4, 3).transpose(1, 0, 2)
    return theta, groups, units, draws


def _same(a: list[dict], b: list[dict]) -> bool:
    def cell(v: object) -> object:
        return "nan" if isinstance(v, float) and math.isnan(v) else v

    return [{k: cell(v) for k, v in r.items()} for r in a] == [
        {k: cell(v) for k, v in r.items()} for r in b
    ]


@pytest.mark.parametrize("interval", ["score", "t", "percentile"])
@pytest.mark.parametrize("posterior", [False, True])
def test_rows_equal_those_of_bootstrapping_every_group(interval: str, posterior: bool) -> None:
    theta, groups, units, draws = _data()
    doc_draws = draws if posterior else None
    cfg = {"bootstrap": 200, "bootstrap_seed": 7, "ci_level": 0.95, "interval": interval}
    cfg |= {"fdr": 0.05, "moderate_variances": True}
    prev, diff, _ = an.group_table_rows(
        theta, groups, facet="f", analysis_cfg=cfg, min_group_docs=10,
        unit_theta_by_doc=units, doc_draws=doc_draws,
    )  # fmt: skip
    common = {"n_boot": 200, "seed": 7, "ci_level": 0.95, "min_group_docs": 10, "facet": "f"}
    all_prev = an.prevalence_by_group(theta, groups, **common, unit_theta_by_doc=units)
    all_diff = an.differences_by_group(theta, groups, **common, unit_theta_by_doc=units)
    moments = an.group_moments(theta, groups, doc_draws, moderate=True)
    gr.add_inference_columns(
        all_prev, all_diff, moments, facet="f", ci_level=0.95, fdr=0.05, interval=interval,
        multiplicity=procedure(cfg),
    )  # fmt: skip
    gr.add_pooled_columns(all_prev, moments, facet="f", ci_level=0.95)
    assert _same(prev, all_prev) and _same(diff, all_diff)


def test_only_groups_whose_interval_is_kept_are_resampled() -> None:
    theta, groups, _units, _draws = _data()
    moments = an.group_moments(theta, groups, moderate=True)
    prev, diff = gr.bootstrap_groups(moments, interval="score", ci_level=0.95)
    # a single document has no between-document variance; five documents that all miss
    # topic 3 have a score interval, so only "solo" needs the bootstrap
    assert prev == {"solo"} and diff == {"solo"}
    assert gr.bootstrap_groups(moments, interval="percentile", ci_level=0.95) == (None, None)
