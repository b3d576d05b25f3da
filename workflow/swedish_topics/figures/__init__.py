"""Paper figures: model selection, top terms, prevalence, differences, document composition.

Every function takes the paths of the tables the workflow writes (CSV read with
:func:`swedish_topics.io.read_csv`) and an output path *stem*; it writes ``<stem>.pdf`` and
``<stem>.png`` (300 dpi) atomically and returns the list of files written. A stem that ends
in ``.png`` or ``.pdf`` is accepted too (the suffix is dropped), so a rule can pass its PNG
output path.

Conventions shared by all figures:

- Matplotlib ``Figure`` objects are used directly (no ``pyplot``, no global state), drawn by
  the Agg (PNG) and PDF backends with DejaVu Sans, which has å, ä and ö.
- Colours are colour-blind safe: the Okabe–Ito palette for categories (topics beyond eight
  add a hatch pattern), viridis for heatmaps.
- Topics are named ``"<id>. <label>"`` with the label of ``tables/topics.csv``, truncated
  with "…" where space is short; ids are 1-based as in every table.
- Shares are shown in per cent (differences in percentage points); intervals are the
  table's ``ci_low``/``ci_high``. An interval of zero width (nothing could be resampled)
  is never drawn as a bar: it is marked "no interval" instead.
- Groups flagged by the analysis (one document, few documents, a small rest of the
  corpus) are marked († ‡ § ¶ ∅) and explained in a footnote; intervals that could not be
  estimated (flag ``no_interval``, empty ``ci_low``) are written "no interval" or drawn
  as a cross, never as a zero-width bar.
- A figure with nothing to show (no estimable effect, no group whose words can be
  findings) is one small image with its title and the reason
  (:func:`~swedish_topics.figures._style.save_notice`); :func:`is_notice` tells it from a
  figure, so a page that lists figures can leave it off.
- Topics are drawn in topic order (1..K); documents are named by title or first words
  (:func:`readable_doc_labels`), never by a hash id.

Examples
--------
>>> from swedish_topics.figures import plot_top_terms
>>> plot_top_terms("tables/topic_terms.csv", "tables/topics.csv", "figures/top_terms")
... # doctest: +SKIP
[PosixPath('figures/top_terms.pdf'), PosixPath('figures/top_terms.png')]
"""

from swedish_topics.figures._style import (
    DPI,
    HATCHES,
    MAX_PNG_PIXELS,
    OKABE_ITO,
    TopicInfo,
    is_notice,
    png_resolution,
    read_topics,
    split_flags,
    topic_name,
    topic_style,
)
from swedish_topics.figures.composition import (
    order_documents,
    plot_doc_composition,
    readable_doc_labels,
)
from swedish_topics.figures.content import (
    plot_topic_words_by_group,
    plot_topic_words_over,
)
from swedish_topics.figures.differences import (
    plot_differences,
)
from swedish_topics.figures.effects import plot_effects
from swedish_topics.figures.prevalence import (
    plot_prevalence_heatmap,
    plot_prevalence_trend,
)
from swedish_topics.figures.selection import (
    SELECTION_PANELS,
    plot_model_selection,
    plot_top_terms,
)

__all__ = [
    "DPI",
    "HATCHES",
    "MAX_PNG_PIXELS",
    "OKABE_ITO",
    "SELECTION_PANELS",
    "TopicInfo",
    "is_notice",
    "order_documents",
    "plot_differences",
    "plot_doc_composition",
    "plot_effects",
    "plot_model_selection",
    "plot_prevalence_heatmap",
    "plot_prevalence_trend",
    "plot_top_terms",
    "plot_topic_words_by_group",
    "plot_topic_words_over",
    "png_resolution",
    "read_topics",
    "readable_doc_labels",
    "split_flags",
    "topic_name",
    "topic_style",
]
