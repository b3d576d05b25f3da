"""The page: one HTML file with inline CSS and JavaScript under a strict CSP.

The Content-Security-Policy allows nothing from anywhere (``default-src 'none'``) except
the page's own inline style and script, named by their SHA-256 hashes, so neither a
request nor an injected script can run. The data is embedded as JSON in a
``<script type="application/json">`` element (never executed), with ``<``, ``>``, ``&``
and the line separators U+2028/U+2029 escaped so that no corpus text can close the
element; the script inserts every string with ``textContent``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from importlib import resources
from typing import Any

from swedish_topics import io as sio

PathLike = str | os.PathLike[str]

_JSON_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def json_for_script(data: Any) -> str:
    """``data`` as JSON that is safe inside a ``<script>`` element.

    >>> json_for_script({"t": "</script><b>"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e"}'
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return "".join(_JSON_ESCAPES.get(ch, ch) for ch in text)


def _asset(name: str) -> str:
    return (resources.files("swedish_topics") / "data" / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_page(data: Any, *, title: str = "Topic browser", subtitle: str = "") -> str:
    """The complete HTML page for ``data`` (:func:`swedish_topics.browser.browser_data`)."""
    css = "\n" + _asset("topic_browser.css")
    js = "\n" + _asset("topic_browser.js")
    csp = (
        f"default-src 'none'; script-src {_sha256(js)}; style-src {_sha256(css)}; "
        "img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'"
    )
    return (
        '<!DOCTYPE html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(csp, quote=False)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f"<header><h1>{html.escape(title)}</h1><p>{html.escape(subtitle)}</p></header>\n"
        '<div id="layout"><nav><input id="topic-filter" type="search" '
        'placeholder="filter topics…" aria-label="filter topics"><div id="topics"></div></nav>\n'
        '<main id="main"></main></div>\n'
        f'<script type="application/json" id="data">{json_for_script(data)}</script>\n'
        f"<script>{js}</script>\n</body>\n</html>\n"
    )


def write_page(
    path: PathLike, data: Any, *, title: str = "Topic browser", subtitle: str = ""
) -> int:
    """Write the page atomically; returns its size in bytes."""
    text = render_page(data, title=title, subtitle=subtitle)
    sio.atomic_write_text(path, text)
    return len(text.encode("utf-8"))
