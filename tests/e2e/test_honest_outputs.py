"""Issue 22, item 2: no output of a default run on the shipped corpus claims more than the
run can support, or prints a template or a hash where a reader expects words.

One default run (config/config.yaml) on the shipped corpus: five documents, groups of one
and two documents, no document from 2020, no estimable adjusted effect.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from swedish_topics import figures
from swedish_topics import io as sio

from tests.browser_check import open_html
from tests.e2e.helpers import run_workflow

pytestmark = pytest.mark.e2e

FACETS = ("municipality", "year")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    results = tmp_path_factory.mktemp("honest") / "results"
    run_workflow(results, configfile=None)
    return results


def test_untested_rows_are_empty_not_false(run: Path) -> None:
    for facet in FACETS:
        diff = sio.read_csv(run / f"tables/differences_by_{facet}.csv")
        untested = [r for r in diff if not r["p_value"]]
        assert untested, facet  # the shipped corpus has single-document groups
        assert all(r["significant"] == "" and r["excludes_zero"] == "" for r in untested)
        tested = [r for r in diff if r["p_value"]]
        assert all(r["significant"] in ("true", "false") for r in tested)
        prev = sio.read_csv(run / f"tables/prevalence_by_{facet}.csv")
        assert all(r["significant"] == "" for r in prev if "single_doc" in r["flag"])
        effects = sio.read_csv(run / f"tables/effects_by_{facet}.csv")
        assert all(r["significant"] == "" for r in effects if not r["p_value"])


def test_robustness_says_not_tested_instead_of_zero_of_n(run: Path) -> None:
    for facet in FACETS:
        diff = {
            (r["topic"], r[facet]): r
            for r in sio.read_csv(run / f"tables/differences_by_{facet}.csv")
        }
        for row in sio.read_csv(run / f"tables/robustness_by_{facet}.csv"):
            if row["table"] == "differences" and not diff[(row["topic"], row[facet])]["p_value"]:
                assert row["holds_in"].startswith("not tested: single document"), row
                assert row["n_seeds"] == row["holds_seeds"] == row["n_k"] == ""
            if row["table"] == "effects":  # nothing estimable: 5 documents, 5 coefficients
                assert row["holds_in"].startswith("not tested: not estimated"), row
            assert not re.fullmatch(r"0/\d+ seeds.*", row["holds_in"]) or row["n_seeds"]


def test_figures_with_nothing_to_show_are_one_small_notice(run: Path) -> None:
    for facet in FACETS:
        png = run / f"figures/effects_by_{facet}.png"
        assert figures.is_notice(png), png
        from PIL import Image

        with Image.open(png) as image:
            width, height = image.size
        assert height < width / 2
    # every municipality has one or two documents: no grid of grey panels
    assert figures.is_notice(run / "figures/topic_words_by_municipality.png")
    # 2018 has three documents: its words are drawn
    assert not figures.is_notice(run / "figures/topic_words_by_year.png")


def test_every_template_is_filled(run: Path) -> None:
    over = sio.read_csv(run / "tables/topic_terms_over_year.csv")
    notes = {r["note"] for r in over if r["kind"] != "leading"}
    assert notes and not any("n_strata" in n or "{" in n for n in notes)
    html = (run / "figures/topic_browser.html").read_text(encoding="utf-8")
    assert "n_strata groups" not in html


def test_browser_over_time_has_no_2020_and_names_documents(run: Path) -> None:
    with open_html(run / "figures/topic_browser.html") as view:
        view.page.click('.tabs button[data-facet="year"]')
        chart = view.page.locator("#main svg[width='640']")
        ticks = chart.locator("text.tick").evaluate_all("ts => ts.map(t => t.textContent)")
        assert "2020" not in ticks and ticks == sorted(ticks)
        text = view.page.inner_text("#main")
        assert "Document: Umeås framtid är digital · Umeå · 2018" in text
        assert not re.search(r"Document: \d{3}_[0-9a-f]{16}", text)
        assert view.errors == [] and view.network == []


def test_print_tables_are_rounded_and_csvs_exact(run: Path) -> None:
    md = (run / "tables/differences_by_municipality.md").read_text(encoding="utf-8")
    assert "difference (pp)" in md and "group_mean (%)" in md
    assert not re.search(r"\d\.\d{4,}", md.split("\n\n", 1)[1])  # no six-decimal cells
    tex = (run / "tables/prevalence_by_year.tex").read_text(encoding="utf-8")
    assert "mean (\\%)" in tex and not re.search(r"& -?\d\.\d{4,} ", tex)
    csv_text = (run / "tables/differences_by_municipality.csv").read_text(encoding="utf-8")
    assert re.search(r",-?0\.\d{6},", csv_text)  # full precision stays in the CSV
