"""Tests for swedish_topics.analysis: document aggregation, bootstrap prevalence,
differences, trends, and the tables written from them."""

from __future__ import annotations

import logging
import math
from pathlib import Path

import numpy as np
import pytest
from swedish_topics import analysis as an
from swedish_topics import io as sio
from swedish_topics.errors import CorpusError

NULL = 0.5 / 3  # share of each of topics 3-5 in the planted data set


def planted(data_seed: int, *, n: int = 30, concentration: float = 20.0):
    """Two groups of ``n`` documents, K = 5, Dirichlet noise around planted means.

    Topic 1: A 0.4 vs B 0.1; topic 2 the mirror image (proportions sum to 1, so some
    topic must make room); topics 3-5 have the same mean (1/6) in both groups.
    """
    rng = np.random.default_rng(data_seed)
    a = rng.dirichlet(np.array([0.4, 0.1, NULL, NULL, NULL]) * concentration, size=n)
    b = rng.dirichlet(np.array([0.1, 0.4, NULL, NULL, NULL]) * concentration, size=n)
    return np.vstack([a, b]), ["A"] * n + ["B"] * n


def by_key(rows, facet="group"):
    return {(r["topic"], r[facet]): r for r in rows}


BOOT = {"n_boot": 1000, "ci_level": 0.95, "min_group_docs": 3}


# ----------------------------------------------------------------------- seeds
@pytest.mark.parametrize(
    ("text", "expected"),
    [("Lund", 8335196647488370118), ("år 2021", 445531397149914709)],
)
def test_stable_hash_is_the_same_in_every_process(text, expected):
    assert an.stable_hash(text) == expected


def test_make_rng_differs_by_key_and_repeats_for_the_same_key():
    draw = lambda *keys: an.make_rng(1, *keys).integers(0, 10**9, 5).tolist()  # noqa: E731
    assert draw("prevalence", "municipality", "Lund") == draw("prevalence", "municipality", "Lund")
    assert draw("prevalence", "municipality", "Lund") != draw("prevalence", "municipality", "Umeå")
    assert draw("prevalence", "year", "2018") != draw("difference", "year", "2018")


# ------------------------------------------------------------------- documents
@pytest.mark.parametrize(
    ("theta", "unit_docs", "tokens", "doc_ids", "expected"),
    [
        # token-weighted: (30*0.9 + 10*0.5)/40 = 0.8
        ([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]], ["a", "a", "b"], [30, 10, 5], ["a", "b"],
         [[0.8, 0.2], [0.2, 0.8]]),
        # a unit with 0 tokens has weight 0
        ([[1.0, 0.0], [0.0, 1.0]], ["a", "a"], [7, 0], ["a"], [[1.0, 0.0]]),
        # rows returned in doc_ids order, not unit order
        ([[0.9, 0.1], [0.2, 0.8]], ["a", "b"], [1, 1], ["b", "a"], [[0.2, 0.8], [0.9, 0.1]]),
        # float32 rows that do not sum exactly to 1 are renormalised
        ([[0.6, 0.3]], ["a"], [3], ["a"], [[2 / 3, 1 / 3]]),
    ],
)  # fmt: skip
def test_doc_topics_is_the_token_weighted_mean(theta, unit_docs, tokens, doc_ids, expected):
    got = an.doc_topics(np.asarray(theta, dtype=np.float32), unit_docs, tokens, doc_ids)
    np.testing.assert_allclose(got, expected, atol=1e-7)
    np.testing.assert_allclose(got.sum(axis=1), 1.0, atol=1e-12)


def test_doc_without_tokens_gets_plain_mean_and_is_logged(caplog):
    theta = np.array([[1.0, 0.0], [0.0, 1.0], [0.3, 0.7]])
    with caplog.at_level(logging.WARNING, logger="swedish_topics.analysis"):
        got = an.doc_topics(theta, ["a", "a", "b"], [0, 0, 4], ["a", "b"])
    np.testing.assert_allclose(got, [[0.5, 0.5], [0.3, 0.7]])
    assert "no tokens" in caplog.text and "a" in caplog.text


def test_doc_without_units_is_a_corpus_error_naming_it():
    with pytest.raises(CorpusError, match="doc_x"):
        an.doc_topics(np.array([[0.5, 0.5]]), ["a"], [3], ["a", "doc_x"])


# ------------------------------------------------------------------ prevalence
def test_prevalence_contract_every_topic_and_group_interval_contains_mean():
    theta, groups = planted(0)
    rows = an.prevalence_by_group(theta, groups, seed=1, **BOOT)
    assert [(r["topic"], r["group"]) for r in rows] == [
        (t, g) for t in range(1, 6) for g in ("A", "B")
    ]
    for r in rows:
        assert r["ci_low"] <= r["mean"] <= r["ci_high"]
        assert r["ci_high"] - r["ci_low"] > 0
        assert r["n_docs"] == 30 and r["flag"] == "" and r["interval_basis"] == "documents"
    means = np.array([[r["mean"] for r in rows if r["group"] == g] for g in "AB"])
    np.testing.assert_allclose(means.sum(axis=1), 1.0)


@pytest.mark.parametrize("data_seed", [0, 1, 2, 3, 4, 5, 6, 7])
def test_planted_difference_is_found_in_every_data_set(data_seed):
    theta, groups = planted(data_seed)
    prev = by_key(an.prevalence_by_group(theta, groups, seed=2024, **BOOT))
    diff = by_key(an.differences_by_group(theta, groups, seed=2024, **BOOT))
    assert prev[(1, "A")]["ci_low"] > prev[(1, "B")]["ci_high"]
    assert diff[(1, "A")]["excludes_zero"] and diff[(1, "A")]["ci_low"] > 0
    assert diff[(1, "B")]["excludes_zero"] and diff[(1, "B")]["ci_high"] < 0
    assert diff[(1, "A")]["difference"] == pytest.approx(0.3, abs=0.06)


@pytest.mark.parametrize("boot_seed", [1, 2, 3, 2024, 99999])
def test_topics_with_nothing_planted_overlap_and_contain_zero(boot_seed):
    # data seed 0: the null topics' sample differences are moderate (checked across
    # bootstrap seeds so that the result does not hinge on one random stream)
    theta, groups = planted(0)
    prev = by_key(an.prevalence_by_group(theta, groups, seed=boot_seed, **BOOT))
    diff = by_key(an.differences_by_group(theta, groups, seed=boot_seed, **BOOT))
    for t in (3, 4, 5):
        a, b = prev[(t, "A")], prev[(t, "B")]
        assert a["ci_low"] <= b["ci_high"] and b["ci_low"] <= a["ci_high"]
        for g in "AB":
            assert diff[(t, g)]["ci_low"] < 0 < diff[(t, g)]["ci_high"]
            assert not diff[(t, g)]["excludes_zero"]


def test_null_coverage_is_close_to_the_nominal_level():
    # 400 data sets x 3 null topics: a 95% interval for the difference should contain the
    # true difference 0 about 95% of the time. Percentile intervals run a little narrow
    # with 30 documents per group (measured 92.6%); a broken bootstrap (zero width,
    # wrong scale, shared streams) lands far outside these bounds.
    hits = total = 0
    for data_seed in range(400):
        theta, groups = planted(data_seed)
        diff = an.differences_by_group(theta, groups, seed=data_seed, **{**BOOT, "n_boot": 400})
        for r in diff:
            if r["topic"] >= 3 and r["group"] == "A":
                hits += r["ci_low"] <= 0 <= r["ci_high"]
                total += 1
    assert 0.90 <= hits / total <= 0.98


def test_same_seed_same_rows_and_other_seed_other_intervals():
    theta, groups = planted(3)
    one = an.prevalence_by_group(theta, groups, seed=5, **BOOT)
    assert one == an.prevalence_by_group(theta, groups, seed=5, **BOOT)
    other = an.prevalence_by_group(theta, groups, seed=6, **BOOT)
    assert [r["mean"] for r in one] == [r["mean"] for r in other]
    assert [r["ci_low"] for r in one] != [r["ci_low"] for r in other]


@pytest.mark.parametrize("func", [an.prevalence_by_group, an.differences_by_group])
def test_group_results_do_not_depend_on_group_order(func):
    theta, groups = planted(4)
    order = np.r_[30:60, 0:30]  # B's documents first; each group keeps its own order
    first = by_key(func(theta, groups, seed=11, **BOOT))
    swapped = by_key(func(theta[order], [groups[i] for i in order], seed=11, **BOOT))
    assert first == swapped


# -------------------------------------------------------------- small groups
def small_corpus():
    """Four documents: Lund (3 units, one without tokens), Umeå (1 unit), Vellinge (2)."""
    theta = np.array(
        [
            [0.7, 0.2, 0.1],
            [0.2, 0.5, 0.3],
            [0.1, 0.1, 0.8],
            [0.3, 0.3, 0.4],
            [0.6, 0.3, 0.1],
            [0.5, 0.4, 0.1],
            [0.2, 0.2, 0.6],
        ]
    )
    unit_docs = ["lund", "lund", "lund", "umea", "vel1", "vel1", "vel2"]
    tokens = [40, 25, 0, 12, 30, 30, 50]
    doc_ids = ["lund", "umea", "vel1", "vel2"]
    groups = ["Lund", "Umeå", "Vellinge", "Vellinge"]
    units = an.units_by_doc(theta, unit_docs, tokens, doc_ids)
    doc_theta = an.doc_topics(theta, unit_docs, tokens, doc_ids)
    return doc_theta, groups, units


def test_single_document_group_resamples_its_units_and_says_so():
    doc_theta, groups, units = small_corpus()
    rows = by_key(
        an.prevalence_by_group(
            doc_theta, groups, seed=1, unit_theta_by_doc=units, facet="group", **BOOT
        )
    )
    for t in (1, 2, 3):
        lund = rows[(t, "Lund")]
        assert lund["interval_basis"] == "units of one document"
        assert lund["flag"] == "single_doc"
        assert "within one document, not between documents" in lund["note"]
        assert "2 units" in lund["note"]  # the unit without tokens carries no weight
        assert lund["ci_low"] <= lund["mean"] <= lund["ci_high"]
        assert lund["ci_high"] - lund["ci_low"] > 0.01


def test_single_document_with_single_unit_has_no_interval():
    doc_theta, groups, units = small_corpus()
    rows = by_key(
        an.prevalence_by_group(doc_theta, groups, seed=1, unit_theta_by_doc=units, **BOOT)
    )
    umea = rows[(1, "Umeå")]
    assert math.isnan(umea["ci_low"]) and math.isnan(umea["ci_high"])
    assert umea["note"] == "no interval: a single document with a single unit"
    assert umea["flag"] == "single_doc;no_interval" and umea["interval_basis"] == "none"
    assert umea["mean"] == pytest.approx(0.3)


def test_single_document_without_units_supplied_has_no_interval():
    doc_theta, groups, _ = small_corpus()
    rows = by_key(an.prevalence_by_group(doc_theta, groups, seed=1, **BOOT))
    assert math.isnan(rows[(1, "Lund")]["ci_low"])
    assert "no_interval" in rows[(1, "Lund")]["flag"]


def test_few_documents_are_flagged_with_their_number():
    doc_theta, groups, units = small_corpus()
    rows = by_key(
        an.prevalence_by_group(doc_theta, groups, seed=1, unit_theta_by_doc=units, **BOOT)
    )
    vel = rows[(1, "Vellinge")]
    assert vel["flag"] == "few_docs" and vel["interval_basis"] == "documents"
    assert "only 2 documents" in vel["note"] and "unreliable" in vel["note"]
    assert vel["ci_low"] <= vel["mean"] <= vel["ci_high"]


def test_differences_with_single_document_group_note_and_rest_flags():
    doc_theta, groups, units = small_corpus()
    rows = by_key(
        an.differences_by_group(doc_theta, groups, seed=1, unit_theta_by_doc=units, **BOOT)
    )
    lund = rows[(1, "Lund")]
    assert lund["n_docs"] == 1 and lund["n_rest"] == 3
    assert lund["difference"] == pytest.approx(lund["group_mean"] - lund["rest_mean"])
    assert lund["ci_low"] <= lund["difference"] <= lund["ci_high"]
    assert "within one document" in lund["note"]
    assert lund["interval_basis"] == "units of one document (group) / documents (rest)"
    vel = rows[(1, "Vellinge")]
    assert vel["flag"] == "few_docs;rest_few_docs"
    umea = rows[(1, "Umeå")]
    assert math.isnan(umea["ci_low"]) and umea["excludes_zero"] is False


def test_differences_without_other_documents():
    theta = np.array([[0.2, 0.8], [0.4, 0.6]])
    r1, _ = an.differences_by_group(theta, ["x", "x"], seed=1, **BOOT)
    assert (
        r1["flag"] == "no_rest;no_interval" and r1["n_rest"] == 0 and math.isnan(r1["difference"])
    )
    assert r1["excludes_zero"] is False


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.01, 0.2, True),
        (-0.2, -0.01, True),
        (-0.01, 0.2, False),
        (5e-17, 0.2, False),  # floating-point noise around an exact 0 is not "excludes 0"
        (math.nan, math.nan, False),
    ],
)
def test_excludes_zero(low, high, expected):
    assert an.excludes_zero(low, high) is expected


def test_percentile_interval_is_widened_to_contain_the_estimate():
    reps = np.array([[1.0], [1.1], [1.2], [1.3]])
    low, high, widened = an.percentile_interval(reps, np.array([0.5]), ci_level=0.9)
    assert low[0] == 0.5 and high[0] > 1.2 and widened[0]


@pytest.mark.parametrize(
    ("groups", "expected"),
    [
        (["Örebro", "Ale", "Åre", "Älvsbyn", "Umeå"], ["Ale", "Umeå", "Åre", "Älvsbyn", "Örebro"]),
        (["2021", "2018", "2019", "2018"], ["2018", "2019", "2021"]),
        (["10", "9", "x"], ["10", "9", "x"]),
    ],
)
def test_group_order(groups, expected):
    assert an.group_order(groups) == expected


# ----------------------------------------------------------------------- trend
def trend_data(slope: float, seed: int = 0):
    rng = np.random.default_rng(seed)
    years = np.repeat(np.arange(2016, 2024), 8)
    p = np.clip(0.2 + slope * (years - 2016) + rng.normal(0, 0.06, years.size), 0.01, 0.99)
    return np.column_stack([p, (1 - p) / 2, (1 - p) / 2]), years


@pytest.mark.parametrize("data_seed", [0, 1, 2, 3])
def test_planted_linear_increase_is_detected(data_seed):
    theta, years = trend_data(0.03, data_seed)
    rows = an.trend(theta, [str(y) for y in years], n_boot=1000, seed=1, ci_level=0.95)
    first = rows[0]
    assert first["ci_low"] > 0 and first["excludes_zero"]
    assert first["slope"] == pytest.approx(np.polyfit(years, theta[:, 0], 1)[0])
    assert first["slope"] == pytest.approx(0.03, abs=0.01)
    assert first["ci_low"] <= first["slope"] <= first["ci_high"]
    assert first["n_docs"] == 64 and first["n_distinct_values"] == 8
    assert (first["value_min"], first["value_max"]) == (2016, 2023)
    assert sum(r["slope"] for r in rows) == pytest.approx(0.0, abs=1e-12)


def test_no_planted_trend_gives_interval_containing_zero():
    theta, years = trend_data(0.0, seed=5)
    rows = an.trend(theta, years, n_boot=1000, seed=1, ci_level=0.95)
    assert all(r["ci_low"] < 0 < r["ci_high"] for r in rows)


def test_trend_is_deterministic():
    theta, years = trend_data(0.01)
    assert an.trend(theta, years, n_boot=300, seed=9, ci_level=0.9) == an.trend(
        theta, years, n_boot=300, seed=9, ci_level=0.9
    )


@pytest.mark.parametrize("values", [[2018, 2018, 2019, 2019], [2020, 2020, 2020, 2020]])
def test_trend_needs_three_distinct_values(values):
    theta = np.full((4, 2), 0.5)
    rows = an.trend(theta, values, n_boot=50, seed=1, ci_level=0.95, facet="year")
    assert all(math.isnan(r["slope"]) and r["flag"] == "few_values" for r in rows)
    assert "year has" in rows[0]["note"] and "at least 3" in rows[0]["note"]


# ----------------------------------------------------------------------- tables
METADATA = [
    {"doc_id": "lund", "municipality": "Lund", "year": "2018"},
    {"doc_id": "umea", "municipality": "Umeå", "year": "2018"},
    {"doc_id": "vel1", "municipality": "Vellinge", "year": "2019"},
    {"doc_id": "vel2", "municipality": "Vellinge", "year": "2021"},
    {"doc_id": "empty", "municipality": "Vellinge", "year": "2021"},
]
ANALYSIS_CFG = {"bootstrap": 200, "bootstrap_seed": 2024, "ci_level": 0.95}


def write_tables(out: Path) -> dict[str, Path]:
    theta = np.array(
        [[0.7, 0.2, 0.1], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4], [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]],
        dtype=np.float32,
    )
    # What the rules write, one table at a time; "empty" has no units and is left out.
    doc_ids = ["lund", "umea", "vel1", "vel2"]
    units = an.units_by_doc(
        theta, ["lund", "lund", "umea", "vel1", "vel2"], [10, 20, 5, 8, 9], doc_ids
    )
    doc_theta = an.doc_topics_from_units(units, doc_ids)
    paths = {"doc_topics": out / "doc_topics.csv"}
    out.mkdir(parents=True, exist_ok=True)
    an.write_doc_topics(paths["doc_topics"], doc_theta, doc_ids)
    for facet in ("municipality", "year"):
        paths[f"prevalence_by_{facet}"] = out / f"prevalence_by_{facet}.csv"
        paths[f"differences_by_{facet}"] = out / f"differences_by_{facet}.csv"
        an.write_group_tables(
            paths[f"prevalence_by_{facet}"],
            paths[f"differences_by_{facet}"],
            facet=facet,
            doc_theta=doc_theta,
            doc_ids=doc_ids,
            metadata_rows=METADATA,
            analysis_cfg=ANALYSIS_CFG,
            min_group_docs=3,
            unit_theta_by_doc=units,
        )
    paths["trend_by_year"] = out / "trend_by_year.csv"
    an.write_trend_table(
        paths["trend_by_year"],
        facet="year",
        doc_theta=doc_theta,
        doc_ids=doc_ids,
        metadata_rows=METADATA,
        analysis_cfg=ANALYSIS_CFG,
    )
    return paths


def test_every_table_is_written_three_ways(tmp_path):
    paths = write_tables(tmp_path)
    assert sorted(paths) == [
        "differences_by_municipality",
        "differences_by_year",
        "doc_topics",
        "prevalence_by_municipality",
        "prevalence_by_year",
        "trend_by_year",
    ]
    for path in paths.values():
        for suffix in (".csv", ".tex", ".md"):
            assert path.with_suffix(suffix).exists(), path.with_suffix(suffix)
    doc_rows = sio.read_csv(paths["doc_topics"])
    # "empty" has no units: left out; every other document x topic present
    assert {(r["doc_id"], r["topic"]) for r in doc_rows} == {
        (d, str(t)) for d in ("lund", "umea", "vel1", "vel2") for t in (1, 2, 3)
    }
    for doc in ("lund", "umea", "vel1", "vel2"):
        assert sum(float(r["weight"]) for r in doc_rows if r["doc_id"] == doc) == pytest.approx(
            1.0, abs=1e-5
        )
    prev = sio.read_csv(paths["prevalence_by_municipality"])
    assert list(prev[0]) == [
        "topic", "municipality", "mean", "ci_low", "ci_high", "q_value", "significant",
        "pooled_mean", "pooled_low", "pooled_high", "n_docs", "n_units", "interval_basis",
        "flag", "note",
    ]  # fmt: skip
    caption = paths["prevalence_by_municipality"].with_suffix(".md").read_text(encoding="utf-8")
    from swedish_topics.analysis.multiplicity import DEFAULT_PROCEDURE, QVALUE_WORDS

    assert "95% t interval" in caption and QVALUE_WORDS[DEFAULT_PROCEDURE] in caption
    assert "Single-document groups (Lund, Umeå" in caption
    tex = paths["differences_by_municipality"].with_suffix(".tex").read_text(encoding="utf-8")
    assert "t interval" in tex and "note" not in tex.split("\\midrule")[0]
    trend_rows = sio.read_csv(paths["trend_by_year"])
    assert [r["topic"] for r in trend_rows] == ["1", "2", "3"]
    assert trend_rows[0]["n_distinct_values"] == "3"
    assert trend_rows[0]["flag"] == "few_docs" and "only 4 documents" in trend_rows[0]["note"]


def test_written_tables_are_byte_identical_across_runs(tmp_path):
    first = write_tables(tmp_path / "a")
    second = write_tables(tmp_path / "b")
    for name, path in first.items():
        for suffix in (".csv", ".tex", ".md"):
            assert (
                path.with_suffix(suffix).read_bytes()
                == second[name].with_suffix(suffix).read_bytes()
            )


def test_facet_groups_names_documents_without_a_value():
    with pytest.raises(CorpusError, match=r"'region'.*lund"):
        an.facet_groups(METADATA, ["lund"], "region")


# --------------------------------------------------------- doc_topics table, memory
def _expected_doc_topic_rows(doc_theta: np.ndarray, doc_ids: list[str]) -> list[dict]:
    return [
        {"doc_id": d, "topic": t + 1, "weight": float(doc_theta[i, t])}
        for i, d in enumerate(doc_ids)
        for t in range(doc_theta.shape[1])
    ]


def test_doc_topics_csv_is_streamed_with_the_table_formatting(tmp_path):
    rng = np.random.default_rng(7)
    doc_theta = rng.dirichlet(np.ones(4), size=30)
    doc_theta[0] = [1.0, 0.0, -0.0, 0.0]  # no "-0.0" in the table
    doc_ids = [f"doc,{i}" if i == 3 else f"doc_{i}" for i in range(30)]  # one needs quoting
    path = tmp_path / "doc_topics.csv"
    assert an.write_doc_topics(path, doc_theta, doc_ids) == 120
    reference = tmp_path / "reference.csv"
    sio.write_table(
        reference,
        _expected_doc_topic_rows(doc_theta, doc_ids),
        ["doc_id", "topic", "weight"],
        "Topic proportions of every document: the token-weighted mean of the proportions "
        "of its units; each document's proportions sum to 1.",
    )
    # small enough for a paper: the same three files as every other table
    for suffix in (".csv", ".tex", ".md"):
        assert path.with_suffix(suffix).read_bytes() == reference.with_suffix(suffix).read_bytes()
    assert "-0.0" not in path.read_text(encoding="utf-8")


def test_long_doc_topics_table_gets_a_note_instead_of_latex_and_markdown(tmp_path):
    k = 4
    n_docs = sio.MAX_DISPLAY_ROWS // k + 1  # one document more than fits
    doc_theta = np.random.default_rng(8).dirichlet(np.ones(k), size=n_docs)
    doc_ids = [f"d{i}" for i in range(n_docs)]
    path = tmp_path / "doc_topics.csv"
    assert an.write_doc_topics(path, doc_theta, doc_ids) == n_docs * k
    reference = tmp_path / "reference.csv"
    sio.write_csv(reference, _expected_doc_topic_rows(doc_theta, doc_ids), an.DOC_TOPIC_COLUMNS)
    assert path.read_bytes() == reference.read_bytes()  # the CSV is the full table
    tex = path.with_suffix(".tex").read_text(encoding="utf-8")
    md = path.with_suffix(".md").read_text(encoding="utf-8")
    assert "\\begin{tabular}" not in tex and all(line.startswith("% ") for line in tex.splitlines())
    assert "|" not in md
    for text in (tex, md):
        assert f"{n_docs * k:,} rows" in text and "doc_topics.csv" in text
        assert "Topic proportions of every document" in text  # the caption is kept


def test_doc_topics_and_units_by_doc_with_interleaved_units_and_unknown_documents(caplog):
    theta = np.array([[0.6, 0.4], [0.1, 0.9], [0.5, 0.5], [0.3, 0.7], [1.0, 0.0]])
    unit_docs = ["b", "a", "other", "b", "a"]
    tokens = [2, 1, 5, 2, 3]
    with caplog.at_level(logging.WARNING):
        got = an.doc_topics(theta, unit_docs, tokens, ["a", "b", "a"])
    assert "1 unit(s) belong to documents that are not analysed" in caplog.text
    a = (1 * theta[1] + 3 * theta[4]) / 4
    b = (2 * theta[0] + 2 * theta[3]) / 4
    np.testing.assert_allclose(got, [a, b, a])
    units = an.units_by_doc(theta, unit_docs, tokens, ["b", "a"])
    np.testing.assert_array_equal(units[0].theta, theta[[0, 3]])  # file order kept
    np.testing.assert_array_equal(units[1].n_tokens, [1, 3])


def test_units_by_doc_is_a_view_that_selects_and_counts_without_copies():
    theta = np.array([[0.6, 0.4], [0.1, 0.9], [0.5, 0.5], [0.3, 0.7], [1.0, 0.0]])
    unit_docs = ["b", "a", "c", "b", "a"]
    units = an.units_by_doc(theta, unit_docs, [2, 1, 5, 2, 3], ["a", "b", "c", "a"])
    assert len(units) == 4 and units.n_units() == 2 + 2 + 1 + 2
    picked = units.take(np.array([2, 0]))
    assert len(picked) == 2 and picked.n_units() == 3
    np.testing.assert_array_equal(picked[0].theta, theta[[2]])
    np.testing.assert_array_equal(picked[1].n_tokens, [1, 3])
    assert [len(u.n_tokens) for u in units] == [2, 2, 1, 2]  # iterates like a list
    assert [len(u.n_tokens) for u in units[1:3]] == [2, 1]


def test_float32_proportions_give_the_results_of_their_float64_copy():
    # The model file stores theta as float32; it is kept so and converted per document.
    rng = np.random.default_rng(8)
    theta = rng.dirichlet(np.ones(5), size=9).astype(np.float32)
    unit_docs = ["a", "b", "a", "c", "b", "a", "c", "d", "d"]
    tokens = [3, 0, 7, 2, 5, 1, 4, 6, 2]
    units = an.units_by_doc(theta, unit_docs, tokens, ["a", "b", "c", "d"])
    wide = an.units_by_doc(theta.astype(np.float64), unit_docs, tokens, ["a", "b", "c", "d"])
    assert units[0].theta.dtype == np.float64
    np.testing.assert_array_equal(units[2].theta, wide[2].theta)
    np.testing.assert_array_equal(
        an.doc_topics_from_units(units, ["a", "b", "c", "d"]),
        an.doc_topics_from_units(wide, ["a", "b", "c", "d"]),
    )


def test_group_and_trend_tables_from_given_groups_equal_those_from_metadata(tmp_path):
    rng = np.random.default_rng(9)
    doc_theta = rng.dirichlet(np.ones(3), size=12)
    doc_ids = [f"d{i}" for i in range(12)]
    years = [str(2000 + i % 4) for i in range(12)]
    rows = [{"doc_id": d, "year": y} for d, y in zip(doc_ids, years, strict=True)]
    common = {"facet": "year", "doc_theta": doc_theta, "doc_ids": doc_ids}
    for how, source in (("rows", {"metadata_rows": rows}), ("given", {"groups": years})):
        an.write_group_tables(
            tmp_path / how / "prev.csv",
            tmp_path / how / "diff.csv",
            **common,
            **source,
            analysis_cfg=ANALYSIS_CFG,
            min_group_docs=3,
        )
        values = {"values": years} if how == "given" else source
        an.write_trend_table(
            tmp_path / how / "trend.csv", **common, **values, analysis_cfg=ANALYSIS_CFG
        )
    for path in (tmp_path / "rows").iterdir():
        assert path.read_bytes() == (tmp_path / "given" / path.name).read_bytes()
    with pytest.raises(TypeError):
        an.write_trend_table(tmp_path / "t.csv", **common, analysis_cfg=ANALYSIS_CFG)
