"""The topic browser in a real headless Chromium (Debian's ``chromium`` via Playwright).

A reader must answer "how does municipality X talk about theme Y" in three clicks, see
that group's words and passage (not another group's), offline, without a console
error, and corpus text containing markup must be shown as text, never run.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from swedish_topics import browser, pipeline
from swedish_topics import io as sio

from tests.browser_check import open_html

XSS_TEXT = "<script>alert(1)</script> Vännäs satsar på fiber"
XSS_GROUP = '<img src=x onerror="alert(2)">'
GROUPS = {"Umeå": 40, "Vännäs": 2, XSS_GROUP: 5}
WORDS = {"Umeå": ["etjänst", "app"], "Vännäs": ["fiber", "bredband"], XSS_GROUP: ["xss"]}
PASSAGES = {
    "Umeå": "Umeå bygger e-tjänster för medborgarna.",
    "Vännäs": XSS_TEXT,
    XSS_GROUP: "Text of the odd group.",
}


def make_tables(tmp: Path, *, with_q: bool = False, robustness: bool = False) -> dict[str, Any]:
    f = "kommun"
    topics = [
        {
            "topic": t,
            "label": f"{t}: digital · fiber",
            "top_terms": "a",
            "frex_terms": "fiber, digital",
            "prevalence": 0.5,
        }
        for t in (1, 2)
    ]
    sio.write_csv(
        tmp / "topics.csv",
        topics,
        ["topic", "label", "top_terms", "frex_terms", "prevalence", "coherence_npmi"],
    )
    terms = [
        {"topic": t, "rank": r, "term": w, "weight": 0.1, "frex_rank": r}
        for t in (1, 2)
        for r, w in enumerate(["digital", "fiber"], start=1)
    ]
    sio.write_csv(
        tmp / "topic_terms.csv",
        terms,
        ["topic", "rank", "term", "weight", "frex", "relevance", "frex_rank", "relevance_rank"],
    )
    sio.write_csv(
        tmp / "representative_passages.csv",
        [
            {
                "topic": t,
                "rank": 1,
                "doc_id": "d1",
                "unit_id": "d1#1",
                "weight": 0.9,
                "text": "Allmän text.",
            }
            for t in (1, 2)
        ],
        ["topic", "rank", "doc_id", "unit_id", "weight", "text"],
    )
    prev, diff, words, pas, rob = [], [], [], [], []
    for t in (1, 2):
        for g, n in GROUPS.items():
            flag = "few_docs" if n < 3 else ""
            prev.append(
                {
                    "topic": t,
                    f: g,
                    "mean": 0.3,
                    "ci_low": 0.2,
                    "ci_high": 0.4,
                    "n_docs": n,
                    "flag": flag,
                }
            )
            diff.append(
                {
                    "topic": t,
                    f: g,
                    "difference": 0.05,
                    "ci_low": 0.01,
                    "ci_high": 0.09,
                    "excludes_zero": True,
                    "q_value": 0.01,
                    "significant": True,
                    "n_docs": n,
                    "flag": flag,
                }
            )
            rob.append(
                {"table": "differences", "topic": t, f: g, "term": "", "holds_in": "2/2 seeds"}
            )
            for r, w in enumerate(WORDS[g], start=1):
                words.append(
                    {
                        "topic": t,
                        f: g,
                        "rank": r,
                        "term": f"{w}{t}",
                        "z": 3.0 - r,
                        "n_docs": n,
                        "topic_tokens": 100,
                        "holds_seeds": 1,
                        "n_seeds": 1,
                        "flag": flag,
                        "note": "few" if flag else "",
                    }
                )
            pas.append(
                {
                    "topic": t,
                    f: g,
                    "rank": 1,
                    "doc_id": f"doc-{g}",
                    "unit_id": "u",
                    "weight": 0.8,
                    "n_docs": n,
                    "flag": flag,
                    "text": PASSAGES[g] + f" (topic {t})",
                }
            )
    diff_cols = ["topic", f, "difference", "ci_low", "ci_high", "excludes_zero", "n_docs", "flag"]
    if with_q:
        diff_cols += ["q_value", "significant"]
    sio.write_csv(
        tmp / f"prevalence_by_{f}.csv",
        prev,
        ["topic", f, "mean", "ci_low", "ci_high", "n_docs", "flag"],
    )
    sio.write_csv(tmp / f"differences_by_{f}.csv", diff, diff_cols)
    if robustness:
        sio.write_csv(
            tmp / f"robustness_by_{f}.csv", rob, ["table", "topic", f, "term", "holds_in"]
        )
    sio.write_csv(
        tmp / f"topic_terms_by_{f}.csv",
        words,
        [
            "topic",
            f,
            "rank",
            "term",
            "z",
            "log_odds",
            "count_group",
            "count_rest",
            "n_docs",
            "topic_tokens",
            "holds_seeds",
            "n_seeds",
            "flag",
            "note",
        ],
    )
    sio.write_csv(
        tmp / f"representative_passages_by_{f}.csv",
        pas,
        ["topic", f, "rank", "doc_id", "unit_id", "weight", "n_docs", "flag", "text"],
    )
    return {
        "topics": tmp / "topics.csv",
        "topic_terms": tmp / "topic_terms.csv",
        "passages": tmp / "representative_passages.csv",
        "prevalence": [tmp / f"prevalence_by_{f}.csv"],
        "differences": [tmp / f"differences_by_{f}.csv"],
        "words": [tmp / f"topic_terms_by_{f}.csv"],
        "group_passages": [tmp / f"representative_passages_by_{f}.csv"],
        "over": [],
    }


CFG = {
    "facets": ["kommun"],
    "numeric_facets": [],
    "min_group_docs": 3,
    "content": {"min_topic_tokens": 50},
}


def test_json_in_script_cannot_close_the_element() -> None:
    text = browser.json_for_script({"t": "</script><!-- \u2028"})
    assert "<" not in text and ">" not in text and "\u2028" not in text


def test_page_has_a_strict_csp_and_no_raw_corpus_markup(tmp_path: Path) -> None:
    inputs = make_tables(tmp_path)
    out = tmp_path / "topic_browser.html"
    pipeline.topic_browser(inputs=inputs, cfg=CFG, out_html=out)
    html = out.read_text(encoding="utf-8")
    assert "default-src 'none'" in html and "unsafe-inline" not in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert len(re.findall(r"<script", html)) == 2  # the data and the page's own script


def test_three_clicks_show_the_small_groups_own_words_and_passage(tmp_path: Path) -> None:
    inputs = make_tables(tmp_path, with_q=True, robustness=True)
    out = tmp_path / "topic_browser.html"
    pipeline.topic_browser(inputs=inputs, cfg=CFG, out_html=out)
    with open_html(out) as view:
        dialogs: list[str] = []
        view.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        view.page.click('nav button[data-topic="2"]')
        view.page.click('.tabs button[data-facet="kommun"]')
        view.page.click('.groups button[data-group="Vännäs"]')
        panel = view.page.inner_text("#group-panel")
        assert "fiber2" in panel and "bredband2" in panel
        assert "etjänst2" not in panel and "fiber1" not in panel
        assert XSS_TEXT + " (topic 2)" in panel  # the markup is shown as text
        assert "2 document(s)" in panel and "Flagged" in panel
        assert "only 2 documents (fewer than 3)" in panel
        assert "q = 0.01" in panel and "holds in 2/2 seeds" in panel
        # the odd group name is shown as text too
        view.page.click(".groups button[data-group='" + XSS_GROUP.replace("'", "\\'") + "']")
        assert XSS_GROUP in view.page.inner_text("#group-panel")
        assert view.page.locator("img").count() == 0
        assert view.network == [] and view.errors == [] and dialogs == []


def test_without_q_values_or_robustness_the_page_falls_back(tmp_path: Path) -> None:
    inputs = make_tables(tmp_path)
    data = browser.browser_data(inputs, facets=["kommun"], numeric_facets=[])
    comparison = data["facets"][0]["comparison"]
    assert comparison["q"] is False and comparison["robust"] is False
    out = tmp_path / "b.html"
    pipeline.topic_browser(inputs=inputs, cfg=CFG, out_html=out)
    with open_html(out) as view:
        view.page.click('.groups button[data-group="Umeå"]')
        panel = view.page.inner_text("#group-panel")
        assert "interval excludes 0" in panel and "q =" not in panel
        assert "etjänst1" in panel
        assert view.network == [] and view.errors == []


@pytest.mark.parametrize("hash_", ["#topic=2&facet=kommun&group=V%C3%A4nn%C3%A4s"])
def test_a_link_opens_the_group_directly(tmp_path: Path, hash_: str) -> None:
    inputs = make_tables(tmp_path)
    out = tmp_path / "b.html"
    pipeline.topic_browser(inputs=inputs, cfg=CFG, out_html=out)
    with open_html(out) as view:
        view.page.goto(view.url + hash_)
        view.page.reload()
        assert "fiber2" in view.page.inner_text("#group-panel")
        assert view.errors == []


def _with_years(tmp: Path) -> dict[str, Any]:
    """make_tables plus a numeric facet: 2018 (3 documents), 2019 and 2021 (one each),
    no document in 2020: the shipped corpus's years."""
    inputs = make_tables(tmp, with_q=True)
    prev, diff = [], []
    for t in (1, 2):
        for year, n, flag in (
            ("2018", 3, ""),
            ("2019", 1, "single_doc"),
            ("2021", 1, "single_doc"),
        ):
            prev.append({"topic": t, "year": year, "mean": 0.3, "ci_low": 0.1, "ci_high": 0.5,
                         "n_docs": n, "flag": flag})  # fmt: skip
            diff.append({"topic": t, "year": year, "difference": 0.0, "ci_low": -0.1,
                         "ci_high": 0.1, "n_docs": n, "flag": flag})  # fmt: skip
    sio.write_csv(tmp / "prevalence_by_year.csv", prev, list(prev[0]))
    sio.write_csv(tmp / "differences_by_year.csv", diff, list(diff[0]))
    inputs["prevalence"].append(tmp / "prevalence_by_year.csv")
    inputs["differences"].append(tmp / "differences_by_year.csv")
    return inputs


def test_over_time_chart_has_no_tick_or_line_through_a_year_without_documents(
    tmp_path: Path,
) -> None:
    inputs = _with_years(tmp_path)
    out = tmp_path / "b.html"
    cfg = {**CFG, "facets": ["kommun", "year"], "numeric_facets": ["year"]}
    pipeline.topic_browser(inputs=inputs, cfg=cfg, out_html=out)
    with open_html(out) as view:
        view.page.click('.tabs button[data-facet="year"]')
        chart = view.page.locator("#main svg[width='640']")
        ticks = chart.locator("text.tick").evaluate_all("ts => ts.map(t => t.textContent)")
        assert ticks == ["2018", "2019", "2021"]  # no 2020
        # the mean line joins 2018 and 2019 only: no line across 2020
        lines = chart.locator("polyline").evaluate_all(
            "ps => ps.map(p => p.getAttribute('points').trim().split(' ').length)"
        )
        assert lines == [2]
        # no band joins 2018 (documents) with the single-document years
        assert chart.locator("polygon").count() == 0
        dashed = chart.locator("line[stroke-dasharray]").count()
        assert dashed == 2  # 2019 and 2021: each a single document's own interval
        note = view.page.inner_text("#main")
        assert "the line is broken where a value has no documents" in note
        assert view.errors == []


def test_passages_name_documents_by_title_not_id(tmp_path: Path) -> None:
    inputs = make_tables(tmp_path)
    corpus = tmp_path / "corpus"
    (corpus / "texts").mkdir(parents=True)
    sio.write_csv(
        corpus / "metadata.csv",
        [{"doc_id": "d1", "kommun": "Umeå", "title": "Umeås framtid är digital"}],
        ["doc_id", "kommun", "title"],
    )
    (corpus / "texts" / "d1.txt").write_text("Text.", encoding="utf-8")
    names = browser.doc_names({**CFG, "corpus": str(corpus)}, inputs)
    assert names == {"d1": "Umeås framtid är digital · Umeå"}
    data = browser.browser_data(inputs, facets=["kommun"], numeric_facets=[], doc_names=names)
    assert data["topic_passages"]["1"][0][0] == "Umeås framtid är digital · Umeå"


def test_an_untested_comparison_is_not_said_to_hold(tmp_path: Path) -> None:
    inputs = make_tables(tmp_path, with_q=True, robustness=True)
    path = tmp_path / "robustness_by_kommun.csv"
    rows = [
        r | {"holds_in": "not tested: single document"} if r["kommun"] == "Vännäs" else r
        for r in sio.read_csv(path)
    ]
    sio.write_csv(path, rows, list(rows[0]))
    out = tmp_path / "b.html"
    pipeline.topic_browser(inputs=inputs, cfg=CFG, out_html=out)
    with open_html(out) as view:
        view.page.click('.groups button[data-group="Vännäs"]')
        panel = view.page.inner_text("#group-panel")
        assert "robustness: not tested: single document" in panel
        assert "holds in not tested" not in panel
