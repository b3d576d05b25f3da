"""Tests for swedish_topics.findings: which rows become findings, the topic warnings, the
minimum detectable effect, the page's plain opening and the escaping of corpus text."""

from __future__ import annotations

import pytest
from swedish_topics.findings import build_page, holds, mde
from swedish_topics.findings._collect import facet_findings, rank, word_findings
from swedish_topics.findings._power import facet_power
from swedish_topics.findings._render import b, bullets, para, t, to_markdown, to_rst
from swedish_topics.findings._tables import FacetTables, RunTables
from swedish_topics.findings._topics import topic_infos

CFG = {
    "facets": ["municipality"],
    "numeric_facets": [],
    "min_group_docs": 3,
    "analysis": {"fdr": 0.05, "ci_level": 0.95},
    "preprocess": {"units": {"mode": "documents"}},
}


def diff_row(topic: int, group: str, d: float, *, sig: str, p: str = "0.001", n: int = 10) -> dict:
    return {
        "topic": str(topic),
        "municipality": group,
        "difference": str(d),
        "ci_low": str(d - 0.05),
        "ci_high": str(d + 0.05),
        "p_value": p,
        "q_value": "0.01" if sig == "true" else "0.5",
        "significant": sig,
        "fcr_low": str(d - 0.08) if sig == "true" else "",
        "fcr_high": str(d + 0.08) if sig == "true" else "",
        "n_docs": str(n),
    }


def rob_row(topic: int, group: str, seeds: str, ks: str, n_seeds: int = 2, n_k: int = 2) -> dict:
    return {
        "table": "differences",
        "topic": str(topic),
        "municipality": group,
        "term": "difference",
        "holds_in": f"{seeds}/{n_seeds} seeds, {ks}/{n_k} neighbouring K",
        "holds_seeds": seeds,
        "n_seeds": str(n_seeds),
        "holds_k": ks,
        "n_k": str(n_k),
    }


def test_holds_needs_more_than_half_of_the_other_models() -> None:
    assert holds(rob_row(1, "A", "2", "1")) is True  # 3 of 4
    assert holds(rob_row(1, "A", "1", "1")) is False  # 2 of 4: not more than half
    assert holds(rob_row(1, "A", "", "", n_seeds=0, n_k=0)) is None  # no other model
    assert holds(rob_row(1, "A", "", "")) is None  # not tested (empty, not 0)
    assert holds(None) is None


def test_only_significant_rows_that_hold_are_findings_ranked_by_size() -> None:
    facet = FacetTables("municipality", numeric=False)
    facet.differences = [
        diff_row(1, "A", 0.05, sig="true"),  # holds
        diff_row(2, "A", -0.20, sig="true"),  # holds, larger
        diff_row(3, "B", 0.30, sig="true"),  # significant but does not hold
        diff_row(4, "B", 0.40, sig="false"),  # not significant
        diff_row(1, "C", 0.50, sig="", p=""),  # not tested: empty, never a finding
        diff_row(2, "C", 0.10, sig="true"),  # no other model: not checked
    ]
    facet.robustness = [
        rob_row(1, "A", "2", "2"),
        rob_row(2, "A", "2", "1"),
        rob_row(3, "B", "0", "1"),
        rob_row(2, "C", "", "", n_seeds=0, n_k=0),
    ]
    rows, tally = facet_findings(facet, {1: "one", 2: "two"}, {2: ["mostly one document"]})
    rows = rank(rows)
    assert [(f.topic, f.group_or_term) for f in rows] == [(2, "A"), (1, "A")]
    assert (tally.significant, tally.held, tally.failed, tally.unchecked) == (4, 2, 1, 1)
    first = rows[0]
    assert first.estimate == -0.20 and first.fcr_low == pytest.approx(-0.28)
    assert first.source_table == "tables/differences_by_municipality.csv" and first.source_row == 2
    assert first.caveat == "mostly one document" and first.holds_in.startswith("2/2 seeds")


def test_wording_needs_a_large_z_no_flag_and_every_seed() -> None:
    facet = FacetTables("municipality", numeric=False)
    base = {"topic": "1", "municipality": "A", "n_docs": "10", "n_seeds": "2", "flag": ""}
    facet.words = [
        {**base, "term": "skola", "z": "4.0", "holds_seeds": "2"},
        {**base, "term": "vård", "z": "2.5", "holds_seeds": "2"},  # z too small
        {**base, "term": "väg", "z": "5.0", "holds_seeds": "1"},  # not in every seed
        {**base, "term": "park", "z": "6.0", "holds_seeds": "2", "flag": "few_docs"},
        {**base, "term": "buss", "z": "6.0", "holds_seeds": "", "n_seeds": "0"},
    ]
    assert [w.group_or_term for w in word_findings(facet, {1: "one"})] == ["A: skola"]


def test_minimum_detectable_effect_at_80_percent_power() -> None:
    assert mde(0.01, 0.05) == pytest.approx((1.959964 + 0.841621) * 0.01, rel=1e-5)
    facet = FacetTables("municipality", numeric=False)
    facet.prevalence = [
        {"municipality": g, "n_docs": str(n)} for g, n in (("A", 20), ("B", 20), ("C", 1))
    ]
    # intervals ±0.0392 around the estimate: SE 0.02
    facet.differences = [
        {**diff_row(1, g, 0.0, sig="false"), "ci_low": "-0.0392", "ci_high": "0.0392"}
        for g in ("A", "B")
    ] + [diff_row(1, "C", 0.3, sig="", p="")]  # untested: not used
    power = facet_power(facet, min_group_docs=3, ci_level=0.95, fdr=0.05)
    assert power.n_tests == 2 and power.alpha_fdr == pytest.approx(0.025)
    assert power.mde_nominal == pytest.approx(mde(0.02, 0.05), rel=1e-3)
    assert power.mde_fdr == pytest.approx(mde(0.02, 0.025), rel=1e-3)
    assert power.small == ["C"] and power.comparable == ["A", "B"]


def _run(n_docs: int, sizes: dict[str, int], **extra) -> RunTables:
    facet = FacetTables("municipality", numeric=False)
    facet.prevalence = [{"municipality": g, "n_docs": str(n)} for g, n in sizes.items()]
    docs = [f"d{i}" for i in range(n_docs)]
    return RunTables(
        cfg=CFG,
        n_docs=n_docs,
        summary=[
            {"step": "raw", "tokens": "1000", "types": "300", "units": str(n_docs)},
            {"step": "vocabulary", "tokens": "500", "types": "100", "units": str(n_docs)},
        ],
        choice={"k": 2, "seed": 1, "pinned": True},
        metrics=[],
        topics=[
            {"topic": "1", "label": "1: skola", "top_terms": "skola, elev", "prevalence": "0.6"},
            {"topic": "2", "label": "2: väg", "top_terms": "väg, voister", "prevalence": "0.4"},
        ],
        doc_topics=extra.get("doc_topics", []),
        doc_tokens=extra.get("doc_tokens", {d: 100 for d in docs}),
        unit_docs=extra.get("unit_docs", {}),
        unit_rows=extra.get("unit_rows", []),
        metadata=extra.get("metadata", [{"doc_id": d} for d in docs]),
        facets=[facet],
    )


def test_a_corpus_too_small_says_so_first_and_lists_no_finding() -> None:
    page = build_page(_run(5, {"Lund": 1, "Umeå": 1, "Vellinge": 2, "Vännäs": 1}))
    text = to_markdown(page.blocks)
    opening = text.split("\n\n")[1]
    assert "With 5 documents, this corpus supports no comparison between groups" in opening
    assert "No finding is listed" in opening
    assert page.findings == [] and "### Differences" not in text
    assert "no difference by municipality can be told from chance" in text


def test_topic_warnings_one_document_one_source_boilerplate_and_a_source_name() -> None:
    docs = ["a", "b", "c", "d"]
    # topic 1 lives in document a; topic 2 is spread
    doc_topics = [
        {"doc_id": d, "topic": k, "weight": w}
        for d in docs
        for k, w in (("1", "0.9" if d == "a" else "0.1"), ("2", "0.1" if d == "a" else "0.9"))
    ]
    metadata = [
        {"doc_id": "a", "title": "Umeås framtid", "source": "Voister"},
        {"doc_id": "b", "title": "", "source": "Tidning"},
        {"doc_id": "c", "title": "", "source": "Tidning"},
        {"doc_id": "d", "title": "", "source": "Tidning"},
    ]
    blurb = "väg voister nyhetsbrev"
    unit_rows = [("a", "skola elev"), ("b", blurb), ("c", blurb), ("d", "väg park")]
    unit_docs: dict[str, set[str]] = {}
    for doc, lemmas in unit_rows:
        unit_docs.setdefault(lemmas, set()).add(doc)
    tokens = {d: 100 for d in docs}
    run = _run(4, {"x": 4}, doc_topics=doc_topics, metadata=metadata, doc_tokens=tokens)
    run.unit_rows, run.unit_docs = unit_rows, unit_docs
    infos = {i.topic: i for i in topic_infos(run)}
    one = " | ".join(infos[1].warnings)
    assert "75% of its text comes from one document, “Umeås framtid”" in one
    assert "one source, Voister (25% of the corpus)" in one
    two = " | ".join(infos[2].warnings)
    assert "led by boilerplate" in two and "voister (Voister)" in two
    assert "one document" not in two


def test_a_topic_led_by_english_function_words_is_flagged() -> None:
    from swedish_topics.findings._topics import _english_warning

    assert "English function words (the, of)" in _english_warning(["varg", "the", "of", "jakt"])
    assert _english_warning(["varg", "the", "jakt"]) == ""  # one is not enough


def test_corpus_text_is_escaped_in_markdown_and_rst() -> None:
    blocks = [para(b("<script>x</script>"), t(" a|b *c* _d_ `e`")), bullets([[t("[l](u)")]])]
    md = to_markdown(blocks)
    assert "<script" not in md and "&lt;script\\>x&lt;/script\\>" in md
    assert "a\\|b \\*c\\* \\_d\\_ \\`e\\`" in md and "\\[l\\](u)" in md
    rst = to_rst(blocks)
    assert "a\\|b \\*c\\* \\_d\\_ \\`e\\`" in rst


def test_rst_renders_without_docutils_warnings() -> None:
    from docutils.core import publish_parts

    page = build_page(_run(5, {"Lund": 1, "Umeå": 4}))
    from swedish_topics.findings._render import to_rst as render

    html = publish_parts(
        render(page.blocks), writer="html", settings_overrides={"report_level": 2}
    )["html_body"]
    assert "System Message" not in html and "Findings of this run" in html
    assert "<table" in html and "Umeå (4)" in html
