"""Printable, offline HTML forms for coders: intrusion tasks and the hand-coding sample.

The forms hold the same tasks as the CSV sheets (a coder may fill in either: the answers
are typed into the CSV for scoring). They load nothing (a Content-Security-Policy forbids
every request), run no script, and escape every text that comes from the corpus.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from swedish_topics.coding.intrusion import TopicTask, WordTask

_CSP = "default-src 'none'; style-src 'unsafe-inline'"
_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 48em; margin: 2em auto;
       line-height: 1.4; color: #111; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; }
.task { border: 1px solid #999; padding: 0.6em 0.9em; margin: 0.8em 0;
        page-break-inside: avoid; break-inside: avoid; }
.task h3 { font-size: 1em; margin: 0 0 0.4em 0; }
.options { list-style: none; padding: 0; margin: 0; }
.options li { margin: 0.25em 0; }
.words li { display: inline-block; margin-right: 1.6em; }
.box { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid #333;
       margin-right: 0.5em; vertical-align: -0.1em; }
blockquote { margin: 0.4em 0 0.6em 0; padding-left: 0.8em; border-left: 3px solid #bbb;
             white-space: pre-wrap; }
table.codebook { border-collapse: collapse; } table.codebook td, table.codebook th {
  border: 1px solid #999; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
.code { margin-top: 0.4em; }
@media print { body { margin: 0; max-width: none; } }
"""


def _page(title: str, body: Sequence[str]) -> str:
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="sv">',
            "<head>",
            '<meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
            f"<title>{html.escape(title)}</title>",
            f"<style>{_STYLE}</style>",
            "</head>",
            "<body>",
            *body,
            "</body>",
            "</html>",
            "",
        ]
    )


def _options(items: Sequence[str], css: str = "options") -> str:
    lis = "".join(
        f'<li><span class="box"></span>{n}. {html.escape(text)}</li>'
        for n, text in enumerate(items, start=1)
    )
    return f'<ul class="{css}">{lis}</ul>'


def intrusion_form(
    word_tasks: Sequence[WordTask],
    topic_tasks: Sequence[TopicTask],
    topic_words: Mapping[int, Sequence[str]],
    *,
    coder_line: bool = True,
) -> str:
    """The HTML form of the word- and topic-intrusion tasks (no answers in it).

    Parameters
    ----------
    word_tasks, topic_tasks
        The tasks, in the order of the CSV sheets.
    topic_words
        Topic id → the words that show the topic in a topic-intrusion task.
    coder_line
        Print a line for the coder's name.
    """
    body = [
        "<h1>Topic-model validation: intrusion tasks</h1>",
        "<p>Coder: ______________________ &nbsp; Date: ______________</p>" if coder_line else "",
        "<p>Work alone and quickly; do not look anything up. Each task has one odd one "
        "out. Mark its box, then write its number in the <code>answer</code> column of "
        "the matching CSV sheet (<code>word_intrusion.csv</code> or "
        "<code>topic_intrusion.csv</code>); leave a task empty if you cannot decide.</p>",
        f"<h2>Word intrusion ({len(word_tasks)} tasks)</h2>",
        "<p>Five of the six words belong together. Which word does not?</p>",
    ]
    for task in word_tasks:
        words = _options(task.words, "options words")
        body.append(
            f'<div class="task" id="{html.escape(task.task_id)}">'
            f"<h3>Task {html.escape(task.task_id)}</h3>{words}</div>"
        )
    body += [
        f"<h2>Topic intrusion ({len(topic_tasks)} tasks)</h2>",
        "<p>Read the passage. Three of the four word lists describe themes of the "
        "passage. Which list does not?</p>",
    ]
    for t in topic_tasks:
        lists = [", ".join(topic_words[topic]) for topic in t.topics]
        body.append(
            f'<div class="task" id="{html.escape(t.task_id)}">'
            f"<h3>Task {html.escape(t.task_id)}</h3>"
            f"<blockquote>{html.escape(t.text)}</blockquote>{_options(lists)}</div>"
        )
    return _page("Intrusion tasks", body)


def coding_form(
    samples: Sequence[tuple[str, str]],
    codebook: Sequence[tuple[int, str, str]],
) -> str:
    """The HTML form of the hand-coding sample.

    Parameters
    ----------
    samples
        ``(sample_id, text)`` of each document, in the order of the CSV sheet.
    codebook
        ``(topic, label, top terms)`` of every topic.
    """
    rows = "".join(
        f"<tr><td>{t}</td><td>{html.escape(label)}</td><td>{html.escape(terms)}</td></tr>"
        for t, label, terms in codebook
    )
    body = [
        "<h1>Topic-model validation: hand coding</h1>",
        "<p>Coder: ______________________ &nbsp; Date: ______________</p>",
        "<p>Read each text and write the number of the topic of the codebook that fits it "
        "best, or 0 if none fits, in the <code>code</code> column of "
        "<code>coding_sample.csv</code>.</p>",
        "<h2>Codebook</h2>",
        '<table class="codebook"><tr><th>code</th><th>label</th><th>words</th></tr>'
        f"{rows}<tr><td>0</td><td>none of them</td><td></td></tr></table>",
        f"<h2>Texts ({len(samples)})</h2>",
    ]
    for sample_id, text in samples:
        body.append(
            f'<div class="task" id="{html.escape(sample_id)}">'
            f"<h3>{html.escape(sample_id)}</h3><blockquote>{html.escape(text)}</blockquote>"
            '<p class="code">Code: ________</p></div>'
        )
    return _page("Hand coding", body)
