"""One function per workflow rule: read the rule's inputs, call the package, write outputs.

Rule scripts in ``workflow/scripts/`` call exactly one function of this package, so that
every step can also be run and tested without Snakemake. Paths arrive as strings (from
Snakemake) and are converted here.

The functions live in one module per stage (``prepare``, ``model``, ``analyse``,
``report``); this package names them all.
"""

from swedish_topics.pipeline.analyse import (
    compare_groups,
    passage_sentences,
    topic_map,
    topic_tables,
    trend,
)
from swedish_topics.pipeline.compare import effects, robustness
from swedish_topics.pipeline.content import (
    content_by_facet,
    content_over_facet,
    plot_topic_words_by_facet,
    plot_topic_words_over_facet,
    topic_browser,
)
from swedish_topics.pipeline.model import (
    METRIC_COLUMNS,
    evaluate_models,
    final_model,
    select_model,
    train_lda,
)
from swedish_topics.pipeline.prepare import (
    build_corpus,
    check_vocabulary,
    corpus_texts,
    facet_stopword_values,
    heldout_split,
    preprocess_shard,
    read_units_tsv,
    shard_doc_ids,
    train_sentences,
    validate_corpus,
)
from swedish_topics.pipeline.report import (
    findings,
    methods,
    plot_differences,
    plot_doc_composition,
    plot_effects,
    plot_model_selection,
    plot_prevalence_heatmap,
    plot_prevalence_trend,
    plot_top_terms,
    provenance,
)
from swedish_topics.pipeline.validation import (
    coding_sample,
    export_doc_topics,
    intrusion_tasks,
    sensitivity_model,
    sensitivity_summary,
)

__all__ = [
    "METRIC_COLUMNS",
    "build_corpus",
    "check_vocabulary",
    "coding_sample",
    "compare_groups",
    "content_by_facet",
    "content_over_facet",
    "corpus_texts",
    "effects",
    "evaluate_models",
    "export_doc_topics",
    "facet_stopword_values",
    "final_model",
    "findings",
    "heldout_split",
    "intrusion_tasks",
    "methods",
    "passage_sentences",
    "plot_differences",
    "plot_doc_composition",
    "plot_effects",
    "plot_model_selection",
    "plot_prevalence_heatmap",
    "plot_prevalence_trend",
    "plot_top_terms",
    "plot_topic_words_by_facet",
    "plot_topic_words_over_facet",
    "preprocess_shard",
    "provenance",
    "read_units_tsv",
    "robustness",
    "select_model",
    "sensitivity_model",
    "sensitivity_summary",
    "shard_doc_ids",
    "topic_browser",
    "topic_map",
    "topic_tables",
    "train_lda",
    "train_sentences",
    "trend",
    "validate_corpus",
]
