"""Document-topic aggregation and the group statistics users cite (a subpackage).

One module per question: ``aggregation`` (units → documents → groups), ``intervals``
(bootstrap replicates and percentile intervals), ``groups`` (prevalence and group − rest
differences), ``trend`` (slope over a numeric facet), ``reporting`` (captions and table
writers) and ``_common`` (flags, columns, seeded random streams). This ``__init__`` names
every function the workflow and users import, so ``swedish_topics.analysis.X`` keeps
working for every ``X`` it had as a single module.

The model gives topic proportions per *unit* (paragraph or document). This module turns
them into per-document proportions and compares groups of documents (the values of a
metadata facet such as municipality or year):

* :func:`doc_topics`: each document's topic proportions, the token-weighted mean of its
  units' proportions.
* :func:`prevalence_by_group`: per group and topic the mean document proportion with a
  seeded percentile-bootstrap interval that resamples *documents* within the group.
* :func:`differences_by_group`: each group's mean minus the mean of all other documents,
  with an interval from resampling documents independently on both sides.
* :func:`trend`: per topic the ordinary-least-squares slope of document proportion on a
  numeric facet (change in proportion per unit, e.g. per year), with a bootstrap
  interval over documents.

What the intervals mean
-----------------------
Every document counts once, whatever its length; prevalence is the *mean document
proportion*. The intervals describe sampling variation between documents (if these
documents were a sample from a larger population of such documents), not the uncertainty
of the topic model's estimates of each document's proportions. R's ``stm::estimateEffect``
additionally propagates the model's posterior uncertainty by the "method of composition";
the LDA engines used here return point estimates only, so the closest check on model
uncertainty is the stability of topics across seeds (see the model-selection tables).
Intervals are not adjusted for multiple comparisons (K topics × G groups). Percentile
intervals run slightly narrow in small groups: in the simulation of the unit tests
(Dirichlet-distributed proportions), nominal 95% intervals contained the true value
in 92.6% of data sets with 30 documents per group and 88.8% with 10.

Small groups are never shown with false certainty: a group with a single document gets
an interval from resampling that document's units (noted: it reflects variation within
one text, not between documents); a single document with a single unit gets no interval;
groups with fewer than ``min_group_docs`` documents are flagged ``few_docs``.

Random numbers
--------------
Each (purpose, facet, group) gets its own generator, ``PCG64`` seeded with
``SeedSequence([seed, h(purpose), h(facet), h(group)])`` where ``h`` is a stable
(unsalted) BLAKE2b hash of the UTF-8 name. Results therefore do not depend on the order
of the groups, and the same inputs and seed give identical tables on every run.

Examples
--------
>>> import numpy as np
>>> theta = np.array([[0.9, 0.1], [0.5, 0.5], [0.2, 0.8]])
>>> doc_topics(theta, ["a", "a", "b"], [30, 10, 5], ["a", "b"]).round(2).tolist()
[[0.8, 0.2], [0.2, 0.8]]
"""

from __future__ import annotations

from swedish_topics.analysis._common import (
    DIFFERENCE_COLUMNS,
    DOC_TOPIC_COLUMNS,
    FLAG_FEW_DOCS,
    FLAG_FEW_VALUES,
    FLAG_NO_INTERVAL,
    FLAG_NO_REST,
    FLAG_REST_FEW_DOCS,
    FLAG_REST_SINGLE_DOC,
    FLAG_SINGLE_DOC,
    FLAG_WIDENED,
    PREVALENCE_COLUMNS,
    TREND_COLUMNS,
    ZERO_TOLERANCE,
    excludes_zero,
    group_order,
    make_rng,
    stable_hash,
)
from swedish_topics.analysis.aggregation import (
    DocUnits,
    UnitsByDoc,
    corpus_prevalence,
    doc_topics,
    doc_topics_from_units,
    facet_groups,
    units_by_doc,
)
from swedish_topics.analysis.effects import (
    EFFECT_COLUMNS,
    build_design,
    effect_rows,
    fit_effects,
    parse_formula,
    write_effects_tables,
)
from swedish_topics.analysis.groups import (
    add_inference_columns,
    differences_by_group,
    group_moments,
    prevalence_by_group,
    t_group_inference,
)
from swedish_topics.analysis.intervals import (
    bootstrap_means,
    bootstrap_weighted_means,
    percentile_interval,
    t_interval,
    t_p_value,
)
from swedish_topics.analysis.multiplicity import by_qvalues, fcr_level
from swedish_topics.analysis.posterior import Posterior, doc_theta_draws, rubin_combine
from swedish_topics.analysis.reporting import (
    differences_caption,
    group_table_rows,
    prevalence_caption,
    trend_caption,
    write_doc_topics,
    write_group_tables,
    write_trend_table,
)
from swedish_topics.analysis.trend import (
    trend,
)

__all__ = [
    "DIFFERENCE_COLUMNS",
    "DOC_TOPIC_COLUMNS",
    "EFFECT_COLUMNS",
    "FLAG_FEW_DOCS",
    "FLAG_FEW_VALUES",
    "FLAG_NO_INTERVAL",
    "FLAG_NO_REST",
    "FLAG_REST_FEW_DOCS",
    "FLAG_REST_SINGLE_DOC",
    "FLAG_SINGLE_DOC",
    "FLAG_WIDENED",
    "PREVALENCE_COLUMNS",
    "TREND_COLUMNS",
    "ZERO_TOLERANCE",
    "DocUnits",
    "Posterior",
    "UnitsByDoc",
    "add_inference_columns",
    "bootstrap_means",
    "bootstrap_weighted_means",
    "build_design",
    "by_qvalues",
    "corpus_prevalence",
    "differences_by_group",
    "differences_caption",
    "doc_theta_draws",
    "doc_topics",
    "doc_topics_from_units",
    "effect_rows",
    "excludes_zero",
    "facet_groups",
    "fcr_level",
    "fit_effects",
    "group_moments",
    "group_order",
    "group_table_rows",
    "make_rng",
    "parse_formula",
    "percentile_interval",
    "prevalence_by_group",
    "prevalence_caption",
    "rubin_combine",
    "stable_hash",
    "t_group_inference",
    "t_interval",
    "t_p_value",
    "trend",
    "trend_caption",
    "units_by_doc",
    "write_doc_topics",
    "write_effects_tables",
    "write_group_tables",
    "write_trend_table",
]
