"""Captions and the writers of the comparison tables (CSV, LaTeX, Markdown)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from swedish_topics import io as sio
from swedish_topics.analysis._common import (
    DIFFERENCE_COLUMNS,
    DOC_TOPIC_COLUMNS,
    FLAG_FEW_DOCS,
    FLAG_FEW_VALUES,
    FLAG_SINGLE_DOC,
    PREVALENCE_COLUMNS,
    TREND_COLUMNS,
    _check_inputs,
    group_order,
)
from swedish_topics.analysis.aggregation import (
    DocUnits,
    _groups_of_docs,
)
from swedish_topics.analysis.groups import (
    add_inference_columns,
    add_pooled_columns,
    bootstrap_groups,
    differences_by_group,
    group_moments,
    prevalence_by_group,
)
from swedish_topics.analysis.multiplicity import procedure, qvalue_caption
from swedish_topics.analysis.trend import trend

logger = logging.getLogger(__name__)


def _interval_words(n_boot: int, ci_level: float, seed: int) -> str:
    return f"{ci_level:.0%} percentile bootstrap interval (B = {n_boot} replicates, seed {seed})"


def _small_groups_caption(rows: Sequence[Mapping[str, Any]], facet: str) -> str:
    singles = sorted({r[facet] for r in rows if FLAG_SINGLE_DOC in r["flag"].split(";")})
    few = sorted({r[facet] for r in rows if FLAG_FEW_DOCS in r["flag"].split(";")})
    parts = []
    if singles:
        parts.append(
            f"Single-document groups ({', '.join(group_order(singles))}; flag single_doc): "
            "the interval resamples that document's units and reflects variation within one "
            "document, not between documents; such a row is not tested (no p-value), so its "
            "significant and excludes_zero are empty."
        )
    if few:
        parts.append(
            f"Groups with few documents ({', '.join(group_order(few))}; flag few_docs): "
            "intervals are unreliable."
        )
    return (" " + " ".join(parts)) if parts else ""


def _interval_text(interval: str, posterior: bool, n_boot: int, ci_level: float, seed: int) -> str:
    if interval in ("t", "score"):
        sources = (
            "variation between documents and the topic model's uncertainty about each "
            "document's proportions (posterior draws combined by Rubin's rules)"
            if posterior
            else "variation between documents (the model file keeps no posterior, so the "
            "topic model's own uncertainty is not included)"
        )
        if interval == "score":
            return (
                f"a {ci_level:.0%} score interval (the variance of document proportions "
                f"taken at each value tested, as the Wilson interval does) that reflects {sources}"
            )
        return f"a {ci_level:.0%} t interval that reflects {sources}"
    return f"a {_interval_words(n_boot, ci_level, seed)} resampling documents"


def _fdr_text(fdr: float, multiplicity: str = "by") -> str:
    return qvalue_caption(fdr, multiplicity)


def prevalence_caption(
    rows: Sequence[Mapping[str, Any]],
    *,
    facet: str,
    n_boot: int,
    ci_level: float,
    seed: int,
    interval: str = "percentile",
    posterior: bool = False,
    fdr: float = 0.05,
    multiplicity: str = "by",
) -> str:
    """Caption of a prevalence table: estimator, interval method, B and small groups."""
    text = (
        f"Topic prevalence by {facet}: mean topic proportion of the documents in each group "
        "(not adjusted for other facets), with "
        f"{_interval_text(interval, posterior, n_boot, ci_level, seed)} within the group."
        + _small_groups_caption(rows, facet)
    )
    if rows and "q_value" in rows[0]:
        return text + (
            " q_value and significant are those of the group's difference from the rest "
            "(see the differences table)." + _fdr_text(fdr, multiplicity)
        )
    return text + (
        " Intervals describe variation between documents, not topic-model uncertainty, "
        "and are not adjusted for multiple comparisons."
    )


def pooled_disagreement(
    prevalence_rows: Sequence[Mapping[str, Any]], facet: str, analysis_cfg: Mapping[str, Any]
) -> str:
    """What the captions say when the prevalence heatmap shows pooled means (a facet with
    at least ``analysis.pool_figures_from_groups`` groups) while the differences use the
    raw means: which, and how many raw means lie outside their pooled interval ("" when
    the heatmap shows the raw means)."""
    threshold = analysis_cfg.get("pool_figures_from_groups")
    n_groups = len({r[facet] for r in prevalence_rows})
    if threshold is None or n_groups < int(threshold) or not prevalence_rows:
        return ""
    rows = [r for r in prevalence_rows if np.isfinite(r.get("pooled_mean", np.nan))]
    outside = sum(
        not (r["pooled_low"] <= r["mean"] <= r["pooled_high"])
        for r in rows
        if np.isfinite(r["mean"])
    )
    return (
        f" The prevalence heatmap of {facet} ({n_groups} groups, at least "
        f"analysis.pool_figures_from_groups = {threshold}) shows the partially pooled means "
        "(pooled_mean, shrunk towards the average of the groups); mean, group_mean and every "
        f"difference and q-value here use the raw means. {outside} of {len(rows)} raw means "
        "lie outside their pooled interval (groups whose own documents disagree with the "
        "pooled estimate; marked * in the heatmap)."
    )


def differences_caption(
    rows: Sequence[Mapping[str, Any]],
    *,
    facet: str,
    n_boot: int,
    ci_level: float,
    seed: int,
    interval: str = "percentile",
    posterior: bool = False,
    fdr: float = 0.05,
    multiplicity: str = "by",
) -> str:
    """Caption of a differences table."""
    text = (
        f"Difference in topic prevalence between each {facet} and the rest of the corpus "
        f"(group mean minus mean of all other documents; marginal, not adjusted for other "
        f"facets), with {_interval_text(interval, posterior, n_boot, ci_level, seed)} in "
        "the group and in the rest; excludes_zero marks intervals entirely above or below 0."
        + _small_groups_caption(rows, facet)
    )
    if rows and "q_value" in rows[0]:
        return (
            text
            + _fdr_text(fdr, multiplicity)
            + (
                " fcr_low/fcr_high: the interval of a significant row at the false-coverage-rate "
                "level (adjusted for the selection; it always excludes 0)."
            )
        )
    return text + " Intervals are not adjusted for multiple comparisons."


def trend_caption(*, facet: str, n_boot: int, ci_level: float, seed: int) -> str:
    """Caption of a trend table."""
    return (
        f"Trend of every topic over {facet}: ordinary-least-squares slope of document topic "
        f"proportion on {facet} (change in proportion per 1 {facet}), with a "
        f"{_interval_words(n_boot, ci_level, seed)} resampling documents. A linear trend is a "
        "summary; inspect the prevalence by "
        f"{facet} before reading it as steady change."
    )


def _columns(template: Sequence[str], facet: str) -> list[str]:
    return [c.format(facet=facet) for c in template]


def _write_main_table(
    path: str | os.PathLike[str],
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    caption: str,
    *,
    display_columns: Sequence[str] | None = None,
) -> None:
    """CSV with every column; LaTeX and Markdown (beside it) with ``display_columns``."""
    sio.write_table(path, rows, list(display_columns or columns), caption)
    if display_columns is not None:
        sio.write_csv(path, rows, list(columns))


def _analysis_params(analysis_cfg: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "n_boot": int(analysis_cfg["bootstrap"]),
        "seed": int(analysis_cfg["bootstrap_seed"]),
        "ci_level": float(analysis_cfg["ci_level"]),
    }


def _doc_topic_rows(doc_theta: np.ndarray, doc_ids: Sequence[str]) -> Iterator[dict[str, Any]]:
    """The rows of ``doc_topics`` one at a time (document-major, topics 1..K)."""
    topics = range(1, doc_theta.shape[1] + 1)
    for doc_id, weights in zip(doc_ids, doc_theta, strict=True):
        for topic, weight in zip(topics, weights.tolist(), strict=True):
            yield {"doc_id": doc_id, "topic": topic, "weight": weight}


def write_doc_topics(
    path: str | os.PathLike[str], doc_theta: np.ndarray, doc_ids: Sequence[str]
) -> int:
    """Write ``doc_topics.csv`` (long: doc_id, topic, weight; every document × topic).

    Rows are streamed to the CSV, so memory does not grow with the number of rows. The
    ``.tex`` and ``.md`` beside it hold the table when it has at most
    :data:`swedish_topics.io.MAX_DISPLAY_ROWS` rows (a handful of documents); a longer
    table is data for further analysis, not for a paper, and they hold a note pointing
    to the CSV instead (:func:`swedish_topics.io.write_display_note`).

    Returns
    -------
    int
        The number of rows of the CSV.
    """
    doc_theta = _check_inputs(doc_theta, doc_ids, "doc ids")
    caption = (
        "Topic proportions of every document: the token-weighted mean of the proportions "
        "of its units; each document's proportions sum to 1."
    )
    columns = list(DOC_TOPIC_COLUMNS)
    n_rows = sio.write_csv(path, _doc_topic_rows(doc_theta, doc_ids), columns)
    if n_rows <= sio.MAX_DISPLAY_ROWS:
        rows = list(_doc_topic_rows(doc_theta, doc_ids))
        sio.write_display_copies(path, rows, columns, caption)
    else:
        sio.write_display_note(path, n_rows=n_rows, caption=caption)
    return n_rows


def write_group_tables(
    prevalence_path: str | os.PathLike[str],
    differences_path: str | os.PathLike[str],
    *,
    facet: str,
    doc_theta: np.ndarray,
    doc_ids: Sequence[str],
    metadata_rows: Sequence[Mapping[str, str]] | None = None,
    analysis_cfg: Mapping[str, Any],
    min_group_docs: int,
    unit_theta_by_doc: Sequence[DocUnits] | None = None,
    groups: Sequence[str] | None = None,
    doc_draws: np.ndarray | None = None,
) -> None:
    """Write ``prevalence_by_<facet>`` and ``differences_by_<facet>`` (CSV, .tex, .md).

    Each document's group is looked up in ``metadata_rows`` (:func:`facet_groups`), or
    given as ``groups`` (one per document of ``doc_ids``) by a caller that need not keep
    the metadata table in memory while the bootstrap runs. ``doc_draws`` (``M × n_docs ×
    K``, :func:`~swedish_topics.analysis.posterior.doc_theta_draws`) adds the model's
    uncertainty to the t intervals (``analysis.interval: t``, the default).
    """
    groups = _groups_of_docs(doc_ids, facet, metadata_rows, groups)
    prev, diff, params = group_table_rows(
        doc_theta,
        groups,
        facet=facet,
        analysis_cfg=analysis_cfg,
        min_group_docs=min_group_docs,
        unit_theta_by_doc=unit_theta_by_doc,
        doc_draws=doc_draws,
    )
    pooled_note = pooled_disagreement(prev, facet, analysis_cfg)
    cols = _columns(PREVALENCE_COLUMNS, facet)
    _write_main_table(
        prevalence_path,
        prev,
        cols,
        prevalence_caption(prev, facet=facet, **params) + pooled_note,
        display_columns=[
            c
            for c in cols
            if c
            not in ("note", "interval_basis", "n_units", "q_value", "pooled_low", "pooled_high")
        ],
    )
    cols = _columns(DIFFERENCE_COLUMNS, facet)
    hidden = ("note", "interval_basis", "p_value", "fcr_low", "fcr_high", "excludes_zero")
    _write_main_table(
        differences_path,
        diff,
        cols,
        differences_caption(diff, facet=facet, **params) + pooled_note,
        display_columns=[c for c in cols if c not in hidden],
    )
    small = {FLAG_SINGLE_DOC, FLAG_FEW_DOCS}
    flagged = sorted({r[facet] for r in prev if small & set(r["flag"].split(";"))})
    if flagged:
        logger.warning(
            "%s: groups with few documents (see the flag and note columns): %s",
            facet,
            ", ".join(group_order(flagged)),
        )


def group_table_rows(
    doc_theta: np.ndarray,
    groups: Sequence[str],
    *,
    facet: str,
    analysis_cfg: Mapping[str, Any],
    min_group_docs: int,
    unit_theta_by_doc: Sequence[DocUnits] | None = None,
    doc_draws: np.ndarray | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The rows of the prevalence and differences tables, and the caption parameters.

    The estimation the workflow and the calibration study share: the rows
    (:func:`prevalence_by_group`, :func:`differences_by_group`; bootstrapped only where
    their interval is kept, :func:`bootstrap_groups`), then the score or t intervals,
    p-values, q-values and FCR intervals (:func:`add_inference_columns`).
    """
    params = _analysis_params(analysis_cfg)
    interval = str(analysis_cfg.get("interval", "t"))
    fdr = float(analysis_cfg.get("fdr", 0.05))
    moderate = bool(analysis_cfg.get("moderate_variances", True))
    moments = group_moments(doc_theta, groups, doc_draws, moderate=moderate)
    prev_groups, diff_groups = bootstrap_groups(
        moments, interval=interval, ci_level=params["ci_level"]
    )
    common = {
        **params,
        "min_group_docs": int(min_group_docs),
        "facet": facet,
        "unit_theta_by_doc": unit_theta_by_doc,
    }
    prev = prevalence_by_group(doc_theta, groups, **common, resample=prev_groups)
    diff = differences_by_group(doc_theta, groups, **common, resample=diff_groups)
    multiplicity = procedure(analysis_cfg)
    add_inference_columns(
        prev,
        diff,
        moments,
        facet=facet,
        ci_level=params["ci_level"],
        fdr=fdr,
        interval=interval,
        multiplicity=multiplicity,
    )
    add_pooled_columns(prev, moments, facet=facet, ci_level=params["ci_level"])
    caption = {
        **params,
        "interval": interval,
        "posterior": doc_draws is not None,
        "fdr": fdr,
        "multiplicity": multiplicity,
    }
    return prev, diff, caption


def write_trend_table(
    path: str | os.PathLike[str],
    *,
    facet: str,
    doc_theta: np.ndarray,
    doc_ids: Sequence[str],
    metadata_rows: Sequence[Mapping[str, str]] | None = None,
    analysis_cfg: Mapping[str, Any],
    values: Sequence[str] | None = None,
) -> None:
    """Write ``trend_by_<facet>`` (CSV, .tex, .md) for a numeric facet.

    The facet's values come from ``metadata_rows`` or ``values``, as the groups of
    :func:`write_group_tables`.
    """
    values = _groups_of_docs(doc_ids, facet, metadata_rows, values)
    params = _analysis_params(analysis_cfg)
    rows = trend(doc_theta, values, facet=facet, **params)
    if rows and rows[0]["flag"] == FLAG_FEW_VALUES:
        logger.warning("%s: %s", facet, rows[0]["note"])
    _write_main_table(
        path,
        rows,
        TREND_COLUMNS,
        trend_caption(facet=facet, **params),
        display_columns=[c for c in TREND_COLUMNS if c != "note"],
    )
