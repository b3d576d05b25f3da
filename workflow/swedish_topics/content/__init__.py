"""How each theme is worded in each group: words by group, over time, divergence, passages.

One module per question; this package names the public functions.

- :mod:`._counts`: expected topic–word counts n(d,w)·θ_dk φ_kw / Σ_j θ_dj φ_jw from what
  every engine writes (θ, φ, ``corpus.mm``).
- :mod:`._logodds`: weighted log-odds with an informative Dirichlet prior (Monroe et al.).
- :mod:`._by_group`: leading words of every group in every topic, agreement across seeds,
  the wording divergence against a permutation null.
- :mod:`._over_time`: leading words per value of a numeric facet; rising and falling
  words, stratified by the other facets.
- :mod:`._passages`: representative passages per topic and group.
- :mod:`._tables`: columns, captions and writers.
"""

from swedish_topics.content._by_group import (
    FLAG_FEW_TOKENS,
    FLAG_SEED_UNSTABLE,
    Groups,
    TopicGroupWords,
    divergence_with_null,
    group_flags,
    js_divergence,
    seed_agreement,
    words_and_divergence,
)
from swedish_topics.content._counts import (
    ExpectedCounts,
    group_indicator,
    read_bow,
)
from swedish_topics.content._logodds import LogOdds, leading_terms, weighted_log_odds
from swedish_topics.content._over_time import (
    Shift,
    over_time_rows,
    pooled_shift,
    split_period,
)
from swedish_topics.content._passages import passages_by_group
from swedish_topics.content._tables import (
    DIVERGENCE_COLUMNS,
    OVER_COLUMNS,
    PASSAGE_COLUMNS,
    WORD_COLUMNS,
    add_divergence_columns,
    columns,
    divergence_column,
    over_time_caption,
    words_caption,
    write_divergence,
    write_over_time,
    write_passages,
    write_words,
)

__all__ = [
    "DIVERGENCE_COLUMNS",
    "FLAG_FEW_TOKENS",
    "FLAG_SEED_UNSTABLE",
    "OVER_COLUMNS",
    "PASSAGE_COLUMNS",
    "WORD_COLUMNS",
    "ExpectedCounts",
    "Groups",
    "LogOdds",
    "Shift",
    "TopicGroupWords",
    "add_divergence_columns",
    "columns",
    "divergence_column",
    "divergence_with_null",
    "group_flags",
    "group_indicator",
    "js_divergence",
    "leading_terms",
    "over_time_caption",
    "over_time_rows",
    "passages_by_group",
    "pooled_shift",
    "read_bow",
    "seed_agreement",
    "split_period",
    "weighted_log_odds",
    "words_and_divergence",
    "words_caption",
    "write_divergence",
    "write_over_time",
    "write_passages",
    "write_words",
]
