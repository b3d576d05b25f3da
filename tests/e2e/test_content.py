"""The content stage end to end on the shipped corpus: tables, figures, the browser, report.

Runs the workflow as a user does, opens the topic browser in headless Chromium and walks
the three clicks a reader makes for one named small group (Vännäs, one document), and
builds the Snakemake report, which must succeed and link the browser.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pytest

from tests.browser_check import open_html
from tests.e2e.helpers import REPO, run_workflow, snakemake_cmd

pytestmark = pytest.mark.e2e

FACETS = ("municipality", "year")


def read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("content") / "results"
    run_workflow(out)
    return out


def test_content_outputs_exist_with_document_counts(results: Path) -> None:
    for facet in FACETS:
        for name in (f"topic_terms_by_{facet}", f"representative_passages_by_{facet}"):
            for ext in ("csv", "tex", "md"):
                assert (results / "tables" / f"{name}.{ext}").is_file()
        assert (results / "figures" / f"topic_words_by_{facet}.png").is_file()
        rows = read(results / "tables" / f"topic_terms_by_{facet}.csv")
        assert rows and all(int(r["n_docs"]) >= 1 for r in rows)
        # min_group_docs is 3: every smaller group is flagged and not a finding
        for r in rows:
            if int(r["n_docs"]) < 3:
                assert {"single_doc", "few_docs"} & set(r["flag"].split(";")), r
                assert "not a finding" in r["note"]
    over = read(results / "tables" / "topic_terms_over_year.csv")
    assert {"leading", "rising", "falling"} <= {r["kind"] for r in over}
    assert (results / "figures" / "topic_words_over_year.png").is_file()


def test_topics_table_gains_the_divergence_columns(results: Path) -> None:
    rows = read(results / "tables" / "topics.csv")
    for facet in FACETS:
        col = f"wording_divergence_{facet}"
        for row in rows:
            low, high = float(row[f"{col}_null_low"]), float(row[f"{col}_null_high"])
            assert low <= 0.0 <= high  # the null's interval around its own mean
            float(row[col])
    assert list(rows[0])[:6] == [
        "topic",
        "label",
        "top_terms",
        "frex_terms",
        "prevalence",
        "coherence_npmi",
    ]


def test_browser_three_clicks_to_vannas(results: Path) -> None:
    words = read(results / "tables" / "topic_terms_by_municipality.csv")
    passages = read(results / "tables" / "representative_passages_by_municipality.csv")
    vannas = [r for r in words if r["municipality"] == "Vännäs"]
    topic = vannas[0]["topic"]
    own = [r["term"] for r in vannas if r["topic"] == topic][:3]
    other = {r["term"] for r in words if r["topic"] == topic and r["municipality"] != "Vännäs"}
    passage = next(
        (
            r
            for r in passages
            if r["municipality"] == "Vännäs" and r["topic"] == topic and r["rank"] == "1"
        ),
        None,
    )
    html = results / "figures" / "topic_browser.html"
    with open_html(html) as view:
        view.page.click(f'nav button[data-topic="{topic}"]')
        view.page.click('.tabs button[data-facet="municipality"]')
        view.page.click('.groups button[data-group="Vännäs"]')
        panel = view.page.inner_text("#group-panel")
        chips = view.page.locator("#group-panel .word").all_inner_texts()
        assert [c.split("z ")[0].strip() for c in chips[:3]] == own
        assert not any(c.split("z ")[0].strip() in other - set(own) for c in chips[:3])
        if passage is not None:
            assert passage["text"][:80] in " ".join(panel.split())
        else:
            assert "No passage of this group" in panel
        assert "1 document(s)" in panel
        assert view.network == [] and view.errors == []
        assert view.load_seconds < 2.0


def test_report_builds_and_links_the_browser(results: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    proc = subprocess.run(
        snakemake_cmd(results, "--report", str(report)),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    text = report.read_text(encoding="utf-8")
    assert "topic_browser.html" in text


SCRIPT = "<script>alert(1)</script>"
ODD_GROUP = '<img src=x onerror="alert(2)">'


def test_markup_in_a_text_and_a_group_name_is_shown_as_text(tmp_path: Path) -> None:
    """A document whose text holds a script and whose municipality is an img tag: the
    browser shows both as text, runs nothing and requests nothing."""
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    # Words of the corpus's vocabulary, long enough for two units, so it is not dropped.
    text = (
        "Digitalisering i verksamheten: medborgare får en ny e-tjänst och verksamheten "
        f"arbetar med digitalisering. {SCRIPT} Medborgare och verksamhet digitalisering. "
    ) * 14
    (corpus / "texts" / "005_script.txt").write_text(text, encoding="utf-8")
    with open(corpus / "metadata.csv", "a", encoding="utf-8") as handle:
        handle.write(f'005_script,"{ODD_GROUP.replace(chr(34), chr(34) * 2)}",2020,,,,x\n')
    config = tmp_path / "config.yaml"
    config.write_text(
        "model:\n  k: [2]\n  seeds: [1]\n  passes: 5\n  iterations: 50\n"
        "analysis:\n  bootstrap: 50\ncontent:\n  permutations: 20\n  passage_min_weight: 0.0\n",
        encoding="utf-8",
    )
    results = tmp_path / "results"
    run_workflow(results, f"corpus={corpus}", configfile=config)
    for name in ("topic_terms_by_municipality.md", "representative_passages_by_municipality.md"):
        page = (results / "tables" / name).read_text(encoding="utf-8")
        assert SCRIPT not in page and "<img" not in page, name
    html = results / "figures" / "topic_browser.html"
    raw = html.read_text(encoding="utf-8")
    assert SCRIPT not in raw and "<img" not in raw
    with open_html(html) as view:
        dialogs: list[str] = []
        view.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        view.page.click('.tabs button[data-facet="municipality"]')
        for topic in ("1", "2"):
            view.page.click(f'nav button[data-topic="{topic}"]')
            view.page.click('.tabs button[data-facet="municipality"]')
            view.page.locator(".groups button[data-group]").filter(has_text="<img").click()
            panel = view.page.inner_text("#group-panel")
            assert ODD_GROUP in panel
            if SCRIPT in panel:
                break
        assert SCRIPT in panel  # the passage, shown as text
        assert view.page.locator("img").count() == 0
        assert dialogs == [] and view.network == [] and view.errors == []
