"""The coders' HTML forms open offline in a real browser and show corpus text as text."""

from __future__ import annotations

from pathlib import Path

from swedish_topics import coding

from tests.browser_check import open_html

EVIL = '<script>alert("x")</script><img src="https://example.org/p.png"> Umeå & Co'


def _forms(tmp_path: Path) -> tuple[Path, Path]:
    words = [
        coding.WordTask("W001-1", 1, ("skola", "elev", EVIL, "lärare", "klass", "rektor"), 2, 2)
    ]
    topics = [
        coding.TopicTask(
            "T001", "u1", "d1", f"Ett stycke. {EVIL}", (1, 2, 3, 4), (0.5, 0.3, 0.15, 0.05), 3
        )
    ]
    topic_words = {t: [f"ord{t}", "<i>kursiv</i>"] for t in range(1, 5)}
    intrusion = tmp_path / "intrusion_form.html"
    intrusion.write_text(coding.intrusion_form(words, topics, topic_words), encoding="utf-8")
    codes = tmp_path / "coding_form.html"
    codes.write_text(
        coding.coding_form([("S0001", f"Text\n\n{EVIL}")], [(1, f"label {EVIL}", "skola, elev")]),
        encoding="utf-8",
    )
    return intrusion, codes


def test_forms_escape_corpus_text_and_hold_no_answer(tmp_path: Path) -> None:
    intrusion, codes = _forms(tmp_path)
    for path in (intrusion, codes):
        html = path.read_text(encoding="utf-8")
        assert "<script>" not in html and "&lt;script&gt;" in html
        assert "Content-Security-Policy" in html
    assert "intruder" not in intrusion.read_text(encoding="utf-8").lower()


def test_forms_open_offline_without_errors_and_show_the_text(tmp_path: Path) -> None:
    intrusion, codes = _forms(tmp_path)
    for path, n_tasks in ((intrusion, 2), (codes, 1)):
        with open_html(path) as view:
            assert view.network == [] and view.errors == []
            assert view.page.locator(".task").count() == n_tasks
            body = view.page.inner_text("body")
            assert '<script>alert("x")</script>' in body and "Umeå & Co" in body
            assert view.page.locator("img").count() == 0
            view.page.screenshot(path=str(path.with_suffix(".png")), full_page=True)
