"""The interactive topic map (pyLDAvis) as one HTML file that works offline.

:func:`write_ldavis_html` prepares the data with ``pyLDAvis.prepare`` (topics kept in
our order, ``sort_topics=False``, so the circle numbered *k* is topic *k* of every table,
i.e. row ``k - 1`` of the model) and writes a page that inlines the d3 and LDAvis
JavaScript and the LDAvis CSS shipped inside the pyLDAvis package: nothing is loaded from
the network, and a Content-Security-Policy forbids any attempt to. Below the map a table
gives our topic labels.

Safety: every text from the corpus (terms, labels) is escaped. The data sit in a
``<script>`` element as JSON with ``<``, ``>`` and ``&`` written as ``\\u003c`` etc., so a
term such as ``</script><script>alert(1)</script>`` stays a string; the LDAvis code puts
terms into the page as text nodes (d3 ``.text``), and labels in our table are
HTML-escaped.

Determinism: the element id is fixed (pyLDAvis would use a random one) and the JSON has a
fixed key order, so the same input gives the same bytes.

Examples
--------
>>> from swedish_topics.ldavis import write_ldavis_html
>>> write_ldavis_html(topic_term, theta, lengths, vocab, freq, {1: "skola"}, path)
... # doctest: +SKIP
"""

from __future__ import annotations

import html
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from swedish_topics import io as sio

logger = logging.getLogger(__name__)

#: Id of the element that holds the map (fixed, so output is byte-identical across runs).
VIS_ID = "ldavis_topic_map"

#: Only inline scripts and styles may run; no request of any kind leaves the page.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; form-action 'none'"
)

_PAGE_CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1em 1.5em; color: #222; }
h1 { font-size: 1.3em; margin: 0 0 0.3em 0; }
h2 { font-size: 1.1em; margin: 1.5em 0 0.4em 0; }
p.help { max-width: 75em; font-size: 0.9em; line-height: 1.4; }
table.topic-labels { border-collapse: collapse; font-size: 0.9em; }
table.topic-labels th, table.topic-labels td {
  border-bottom: 1px solid #ccc; padding: 0.25em 0.8em; text-align: left; vertical-align: top;
}
table.topic-labels td.num { text-align: right; font-variant-numeric: tabular-nums; }
"""


def _vendor_assets() -> dict[str, str]:
    """d3, the LDAvis script and its CSS, read from the pyLDAvis package folder."""
    import pyLDAvis.urls

    assets = {
        "d3": Path(pyLDAvis.urls.D3_LOCAL),
        "ldavis": Path(pyLDAvis.urls.LDAVIS_LOCAL),
        "css": Path(pyLDAvis.urls.LDAVIS_CSS_LOCAL),
    }
    texts: dict[str, str] = {}
    for name, path in assets.items():
        text = path.read_text(encoding="utf-8")
        # Inline code must not close its own element early.
        closing = "</style" if name == "css" else "</script"
        if closing in text.lower():
            raise RuntimeError(f"{path} contains {closing!r}; it cannot be inlined safely")
        texts[name] = text
    return texts


def script_safe_json(data: Any) -> str:
    """Serialise ``data`` as JSON that is safe inside an HTML ``<script>`` element.

    ``<``, ``>`` and ``&`` are written as ``\\u003c``, ``\\u003e`` and ``\\u0026`` (valid in
    JSON and JavaScript strings), so no text can close the element or open a comment;
    non-ASCII characters (å, ä, ö, U+2028, U+2029) are ``\\u`` escapes as well.
    """
    from pyLDAvis.utils import NumPyEncoder

    text = json.dumps(data, cls=NumPyEncoder, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _normalised_rows(matrix: np.ndarray | Sequence[Sequence[float]], name: str) -> np.ndarray:
    """A float64 copy of ``matrix`` with rows scaled to sum to 1; an all-zero row uniform.

    One copy, scaled in place: the caller's array (e.g. float32 proportions of every
    unit) is neither changed nor copied twice.
    """
    out = np.array(matrix, dtype=np.float64)
    if np.any(out < 0) or not np.all(np.isfinite(out)):
        raise ValueError(f"{name} has negative or non-finite entries")
    sums = out.sum(axis=1, keepdims=True)
    np.divide(out, sums, out=out, where=sums > 0)
    out[sums[:, 0] == 0] = 1.0 / out.shape[1]
    return out


def prepare_topic_map(
    topic_term: np.ndarray,
    theta_docs: np.ndarray,
    doc_lengths: Sequence[float] | np.ndarray,
    vocab: Sequence[str] | np.ndarray,
    term_freq: Sequence[float] | np.ndarray,
    *,
    n_terms: int = 30,
    lambda_step: float = 0.01,
) -> Any:
    """Run ``pyLDAvis.prepare`` with our topic order and check that it was kept.

    Returns the ``PreparedData``; its topic *k* (1-based) is row ``k - 1`` of
    ``topic_term`` and column ``k - 1`` of ``theta_docs``.

    Raises
    ------
    ValueError
        If the shapes do not agree.
    RuntimeError
        If pyLDAvis reordered the topics (a change in pyLDAvis would be needed for that).
    """
    import pyLDAvis

    phi = _normalised_rows(topic_term, "topic_term")
    theta = _normalised_rows(theta_docs, "theta_docs")
    lengths = np.asarray(doc_lengths, dtype=np.float64)
    freq = np.asarray(term_freq, dtype=np.float64)
    terms = [str(t) for t in vocab]
    n_topics, n_vocab = phi.shape
    if theta.shape[1] != n_topics:
        raise ValueError(f"theta_docs has {theta.shape[1]} topics, topic_term has {n_topics}")
    if lengths.shape != (theta.shape[0],):
        raise ValueError(f"{lengths.shape[0]} doc_lengths for {theta.shape[0]} documents")
    if len(terms) != n_vocab or freq.shape != (n_vocab,):
        raise ValueError(f"vocab ({len(terms)}) and term_freq ({freq.shape[0]}) need {n_vocab}")
    if n_topics < 2:
        raise ValueError("the topic map needs at least 2 topics")
    prepared = pyLDAvis.prepare(
        phi,
        theta,
        lengths,
        terms,
        freq,
        R=max(1, min(n_terms, n_vocab)),
        lambda_step=lambda_step,
        mds="pcoa",
        n_jobs=1,
        sort_topics=False,
        start_index=1,
    )
    _check_topic_order(prepared, theta, lengths)
    return prepared


def _check_topic_order(prepared: Any, theta: np.ndarray, lengths: np.ndarray) -> None:
    """Topic k of the map must be row k-1 of ours: order, numbers and sizes agree."""
    n_topics = theta.shape[1]
    expected = list(range(1, n_topics + 1))
    coords = prepared.topic_coordinates
    if list(prepared.topic_order) != expected or list(coords["topics"]) != expected:
        raise RuntimeError(
            "pyLDAvis changed the topic order; the map's topic numbers would not match the "
            f"tables (topic.order = {list(prepared.topic_order)})"
        )
    weight = theta.T @ lengths
    share = 100 * weight / weight.sum() if weight.sum() > 0 else np.full(n_topics, 100 / n_topics)
    if not np.allclose(np.asarray(coords["Freq"], dtype=float), share, rtol=1e-6, atol=1e-9):
        raise RuntimeError("pyLDAvis topic sizes do not match topic k = row k-1")


def _labels_table(labels: Mapping[int, str], shares: Sequence[float]) -> str:
    rows = []
    for k, share in enumerate(shares, start=1):
        label = html.escape(str(labels.get(k, "")), quote=True)
        rows.append(
            f'<tr><td class="num">{k}</td><td>{label}</td><td class="num">{share:.1f}</td></tr>'
        )
    head = (
        '<table class="topic-labels">\n<thead><tr><th>Topic</th><th>Label</th>'
        "<th>Share of tokens (%)</th></tr></thead>\n<tbody>\n"
    )
    return head + "\n".join(rows) + "\n</tbody>\n</table>"


def render_topic_map(prepared: Any, labels: Mapping[int, str], *, title: str = "Topic map") -> str:
    """The complete, self-contained HTML page for ``prepared`` (see the module notes)."""
    assets = _vendor_assets()
    shares = [float(v) for v in prepared.topic_coordinates["Freq"]]
    safe_title = html.escape(title, quote=True)
    data = script_safe_json(prepared.to_dict())
    help_text = (
        "Left: each circle is a topic, numbered as in the tables and figures (topic 1 = "
        "the first topic of <code>tables/topics.csv</code>); its area is the topic's share "
        "of all tokens, and circles close together have similar word distributions "
        "(principal coordinates of Jensen–Shannon distances). Right: the "
        f"{int(prepared.R)} terms most relevant to the selected topic (blue bar: the "
        "term's frequency in the whole corpus, red bar: its estimated frequency in the "
        "topic). The slider &lambda; weighs a term's probability in the topic (&lambda; "
        "= 1) against its lift (&lambda; = 0, terms typical of this topic only). Hover "
        "over a term to see which topics use it. Labels are listed below the map."
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{safe_title}</title>\n"
        f"<style>\n{assets['css']}\n</style>\n"
        f"<style>{_PAGE_CSS}</style>\n"
        f"<script>\n{assets['d3']}\n</script>\n"
        f"<script>\n{assets['ldavis']}\n</script>\n"
        "</head>\n<body>\n"
        f"<h1>{safe_title}</h1>\n"
        f'<p class="help">{help_text}</p>\n'
        f'<div id="{VIS_ID}" style="background-color:white;"></div>\n'
        "<h2>Topic labels</h2>\n"
        '<p class="help">Share of tokens: the topic\'s share of all words of the text units '
        "(the circle areas). It differs from the prevalence in the tables, which is the mean "
        "topic proportion of the documents (each document counts once).</p>\n"
        f"{_labels_table(labels, shares)}\n"
        "<script>\n"
        f"var {VIS_ID}_data = {data};\n"
        f'new LDAvis("#{VIS_ID}", {VIS_ID}_data);\n'
        "</script>\n"
        "</body>\n</html>\n"
    )


def write_ldavis_html(
    topic_term: np.ndarray,
    theta_docs: np.ndarray,
    doc_lengths: Sequence[float] | np.ndarray,
    vocab: Sequence[str] | np.ndarray,
    term_freq: Sequence[float] | np.ndarray,
    labels: Mapping[int, str],
    out_html: Path,
    *,
    n_terms: int = 30,
    title: str = "Topic map",
) -> None:
    """Write the interactive topic map as one offline HTML file, atomically.

    Parameters
    ----------
    topic_term
        K × V topic-term probabilities (rows are renormalised to sum to 1).
    theta_docs
        D × K document (or text unit) topic proportions.
    doc_lengths
        Tokens per document, D values.
    vocab
        The V terms, in the column order of ``topic_term``.
    term_freq
        Corpus frequency of each term, V values.
    labels
        Topic label by 1-based topic id (e.g. from ``tables/topics.csv``).
    out_html
        Where to write the page.
    n_terms
        Terms listed per topic in the bar chart.
    title
        Page heading.

    Notes
    -----
    Uses ``pyLDAvis.prepare(..., sort_topics=False, n_jobs=1, mds="pcoa")``; circle *k*
    is topic *k* (row ``k - 1``), checked after preparing.
    """
    prepared = prepare_topic_map(
        topic_term, theta_docs, doc_lengths, vocab, term_freq, n_terms=n_terms
    )
    page = render_topic_map(prepared, labels, title=title)
    sio.atomic_write_text(out_html, page)
    logger.info("wrote %s (%d topics, %d bytes)", out_html, len(prepared.topic_order), len(page))
