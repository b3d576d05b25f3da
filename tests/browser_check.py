"""Open an HTML output in a real headless Chromium and record what it does.

Every HTML file the workflow writes (the topic browser, the coding forms, the topic map)
must work offline: no network request of any kind, no console error, corpus text escaped.
This helper drives Debian's ``chromium`` through its DevTools protocol with Playwright
(which downloads no browser of its own) and records every request and console error, so a
test can assert on them and script clicks like a reader.

Examples
--------
>>> with open_html(path) as view:  # doctest: +SKIP
...     view.page.click("text=Umeå")
...     assert view.network == [] and view.errors == []
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: Where Debian's package puts the browser (``.ci/run`` installs it in CI).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass
class PageView:
    """A loaded page and what it did: requests beyond the file itself, console errors."""

    page: Any
    url: str
    load_seconds: float
    network: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def require_chromium() -> None:
    """Skip locally when no Chromium is installed; CI installs it (``.ci/run``)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")


@contextmanager
def open_html(path: Path, *, width: int = 1280, height: int = 900) -> Iterator[PageView]:
    """Load ``path`` (a local file) in headless Chromium and yield the page and its records.

    ``network`` lists every request other than the file itself (``data:`` URLs count as
    inlined, not as requests); ``errors`` every console error and uncaught page error.
    ``load_seconds`` is the time until the ``load`` event (parsing, scripts, first draw).
    """
    require_chromium()
    from playwright.sync_api import sync_playwright

    url = path.resolve().as_uri()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            network: list[str] = []
            errors: list[str] = []
            page.on(
                "request",
                lambda req: (
                    network.append(req.url)
                    if req.url != url and not req.url.startswith(("data:", "about:"))
                    else None
                ),
            )
            page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            start = time.perf_counter()
            page.goto(url, wait_until="load")
            seconds = time.perf_counter() - start
            yield PageView(page, url, seconds, network, errors)
        finally:
            browser.close()
