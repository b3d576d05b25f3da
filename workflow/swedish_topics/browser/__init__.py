"""The offline topic browser: one self-contained HTML page with a page per topic.

- :mod:`._data`: the tables the page shows, read by column name (tolerating absent
  q-values and robustness tables) and made compact.
- :mod:`._page`: the HTML with inline CSS/JS under a strict Content-Security-Policy and
  the data embedded as JSON escaped for ``<script>``. Styles and script are
  ``swedish_topics/data/topic_browser.{css,js}``.
"""

from swedish_topics.browser._data import PASSAGE_CHARS, WORDS_SHOWN, browser_data, doc_names
from swedish_topics.browser._page import json_for_script, render_page, write_page

__all__ = [
    "PASSAGE_CHARS",
    "WORDS_SHOWN",
    "browser_data",
    "doc_names",
    "json_for_script",
    "render_page",
    "write_page",
]
