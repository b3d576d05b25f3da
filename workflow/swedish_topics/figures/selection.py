"""Figures of model selection (metrics and stability across the grid) and of top terms."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from swedish_topics.errors import UserError

if TYPE_CHECKING:
    pass

from swedish_topics.figures import _style
from swedish_topics.figures._style import (
    GREY,
    HIGHLIGHT,
    LIGHT_GREY,
    OKABE_ITO,
    POSITIVE,
    PathLike,
    _figure_legend,
    _grid,
    _int,
    _int_axis,
    _new_figure,
    _num,
    _read_table,
    _share_scale,
    _styled,
    _subplots,
    _truncate,
    _wrap,
    read_topics,
    topic_name,
)

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- model selection
#: (column, panel title, which direction is better) of the model-selection figure.
SELECTION_PANELS: tuple[tuple[str, str, str], ...] = (
    ("coherence_npmi", "NPMI coherence", "higher is better"),
    ("coherence_cv", "C_V coherence", "higher is better"),
    ("coherence_umass", "UMass coherence", "higher (nearer 0) is better"),
    ("perplexity", "Held-out perplexity", "lower is better"),
    ("diversity", "Topic diversity", "higher is better"),
    ("exclusivity", "Exclusivity", "higher is better"),
    ("stability", "Stability across seeds", "higher is better"),
    ("train_seconds", "Training time (s)", "lower is cheaper"),
)


@_styled
def plot_model_selection(
    metrics_csv: PathLike,
    stability_csv: PathLike,
    choice_json: PathLike,
    out_stem: PathLike,
) -> list[Path]:
    """Small multiples of every selection metric against K, with the chosen K marked.

    Each panel shows one point per seed (grey), the mean over seeds (black line) and the
    range over seeds (grey band); the stability panel shows the mean with the min–max
    range over seed pairs and the threshold as a dashed line (Ks below it are hollow).
    The chosen K is an orange band in every panel and the chosen model a star; the
    panel of the selection metric is marked "selection metric"; the reason of the
    choice is printed below the figure.

    Parameters
    ----------
    metrics_csv, stability_csv, choice_json
        ``model_selection/metrics.csv``, ``stability.csv`` and ``choice.json``.
    out_stem
        Output path without suffix (``.pdf`` and ``.png`` are added).

    Returns
    -------
    list of Path
        The PDF and PNG written.
    """
    metric_cols = [col for col, _, _ in SELECTION_PANELS if col != "stability"]
    rows = _read_table(metrics_csv, ["k", "seed"], "model selection")
    stab_rows = _read_table(
        stability_csv, ["k", "stability_mean", "stability_min", "stability_max"], "stability"
    )
    try:
        choice = json.loads(Path(choice_json).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(
            f"{choice_json}: cannot read the model choice ({exc}). It is written by the rule "
            "select_model; delete it and run snakemake again."
        ) from None
    chosen_k = int(choice["k"]) if choice.get("k") is not None else None
    chosen_seed = int(choice["seed"]) if choice.get("seed") is not None else None
    threshold = choice.get("threshold")
    selection_metric = choice.get("metric")

    ks = np.array([_int(r, "k", metrics_csv, i) for i, r in enumerate(rows, start=2)])
    seeds = np.array([_int(r, "seed", metrics_csv, i) for i, r in enumerate(rows, start=2)])
    values = {
        col: np.array([_num(r, col, metrics_csv, i) for i, r in enumerate(rows, start=2)])
        if col in rows[0]
        else np.full(len(rows), np.nan)
        for col in metric_cols
    }
    unique_k = sorted(set(ks.tolist()) | {_int(r, "k", stability_csv, 2) for r in stab_rows})
    gap = float(np.min(np.diff(unique_k))) if len(unique_k) > 1 else 1.0
    seed_list = sorted(set(seeds.tolist()))
    offset = {s: (i - (len(seed_list) - 1) / 2) * 0.07 * gap for i, s in enumerate(seed_list)}

    fig, panel = _new_figure(10.0, 5.4)
    axes = _subplots(panel, len(SELECTION_PANELS), 4, sharex=True)
    for ax, (col, title, better) in zip(axes, SELECTION_PANELS, strict=True):
        if chosen_k is not None:
            ax.axvspan(
                chosen_k - 0.35 * gap,
                chosen_k + 0.35 * gap,
                color=HIGHLIGHT,
                alpha=0.22,
                lw=0,
                zorder=0,
            )
        star = col == selection_metric
        ax.set_title(
            f"{title}{'  ★ selection metric' if star else ''}\n({better})",
            fontweight="bold" if star else "normal",
            loc="left",
        )
        _int_axis(ax, unique_k)
        ax.grid(axis="y", color=LIGHT_GREY, lw=0.5)
        if col == "stability":
            _draw_stability(ax, stab_rows, stability_csv, threshold)
            continue
        vals = values[col]
        finite = np.isfinite(vals)
        if not finite.any():
            ax.text(
                0.5,
                0.5,
                "not computed",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color=GREY,
            )
            ax.set_yticks([])
            continue
        xs = np.array([k + offset[s] for k, s in zip(ks, seeds, strict=True)])
        ax.scatter(xs[finite], vals[finite], s=9, color=GREY, zorder=2, lw=0)
        means, lows, highs, kk = [], [], [], []
        for k in unique_k:
            sel = (ks == k) & finite
            if sel.any():
                kk.append(k)
                means.append(float(np.mean(vals[sel])))
                lows.append(float(np.min(vals[sel])))
                highs.append(float(np.max(vals[sel])))
        ax.fill_between(kk, lows, highs, color=GREY, alpha=0.2, lw=0, zorder=1)
        ax.plot(kk, means, color="black", lw=1.2, marker="o", ms=3, zorder=3)
        if chosen_k is not None and chosen_seed is not None:
            sel = (ks == chosen_k) & (seeds == chosen_seed) & finite
            if sel.any():
                ax.scatter(
                    xs[sel],
                    vals[sel],
                    marker="*",
                    s=90,
                    color=POSITIVE,
                    edgecolor="black",
                    lw=0.4,
                    zorder=4,
                )
    for ax in axes[-4:]:
        ax.set_xlabel("number of topics K")

    handles = [
        Line2D([], [], ls="", marker="o", ms=3.5, color=GREY, label="one model (seed)"),
        Line2D([], [], color="black", marker="o", ms=3, lw=1.2, label="mean over seeds"),
        Patch(color=GREY, alpha=0.3, label="range over seeds"),
        Patch(color=HIGHLIGHT, alpha=0.35, label=f"chosen K = {chosen_k}"),
        Line2D(
            [],
            [],
            ls="",
            marker="*",
            ms=9,
            color=POSITIVE,
            markeredgecolor="black",
            markeredgewidth=0.4,
            label=f"chosen model (K = {chosen_k}, seed {chosen_seed})",
        ),
        Line2D([], [], color="black", ls="--", lw=0.9, label="stability threshold"),
    ]
    _figure_legend(fig, panel, handles)
    edge = choice.get("edge") or {}
    at_edge = f" (the {edge['side']} K of the grid)" if edge.get("side") else ""
    panel.suptitle(
        f"Model selection: K = {chosen_k}, seed {chosen_seed} chosen{at_edge}",
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    reason = str(choice.get("reason") or "").strip()
    return _style._save(
        fig, out_stem, footnote=f"Why this model: {reason}" if reason else "", fontsize=7.5
    )


def _draw_stability(
    ax: Axes,
    rows: Sequence[Mapping[str, str]],
    path: PathLike,
    threshold: Any,
) -> None:
    """Stability panel: mean with min–max over seed pairs, threshold, failing Ks hollow."""
    data = sorted(
        (
            _int(r, "k", path, i),
            _num(r, "stability_mean", path, i),
            _num(r, "stability_min", path, i),
            _num(r, "stability_max", path, i),
        )
        for i, r in enumerate(rows, start=2)
    )
    data = [d for d in data if math.isfinite(d[1])]
    if not data:
        ax.text(
            0.5,
            0.5,
            "needs ≥ 2 seeds per K",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=GREY,
        )
        ax.set_yticks([])
        return
    ks = [d[0] for d in data]
    means = np.array([d[1] for d in data])
    lows = np.array([d[2] if math.isfinite(d[2]) else d[1] for d in data])
    highs = np.array([d[3] if math.isfinite(d[3]) else d[1] for d in data])
    ax.errorbar(
        ks,
        means,
        yerr=[means - lows, highs - means],
        color="black",
        lw=1.2,
        elinewidth=0.8,
        capsize=2,
        zorder=3,
        marker="none",
    )
    thr = float(threshold) if threshold is not None else None
    passes = np.ones(len(ks), bool) if thr is None else means >= thr
    ax.scatter(np.array(ks)[passes], means[passes], s=16, color="black", zorder=4)
    ax.scatter(
        np.array(ks)[~passes],
        means[~passes],
        s=16,
        facecolor="white",
        edgecolor="black",
        zorder=4,
        label="below threshold",
    )
    if thr is not None:
        ax.axhline(thr, color="black", ls="--", lw=0.9, zorder=2)
        ax.annotate(
            f"threshold {thr:g}",
            xy=(0.01, thr),
            xycoords=("axes fraction", "data"),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=6.5,
            va="bottom",
        )
        if (~passes).any():
            ax.text(
                0.99,
                0.02,
                "hollow: below threshold",
                transform=ax.transAxes,
                ha="right",
                va="bottom",
                fontsize=6.5,
                color="#333333",
            )


# --------------------------------------------------------------------------- top terms
@_styled
def plot_top_terms(
    topic_terms_csv: PathLike,
    topics_csv: PathLike,
    out_stem: PathLike,
    n: int = 10,
) -> list[Path]:
    """One bar panel per topic with its ``n`` top terms by weight p(term | topic).

    Panels share the x axis so bar lengths compare across topics; each title is the
    topic's id and label and its prevalence (share of the corpus).

    Parameters
    ----------
    topic_terms_csv
        ``tables/topic_terms.csv`` (topic, rank, term, weight, ...).
    topics_csv
        ``tables/topics.csv`` (topic, label, prevalence, ...).
    out_stem
        Output path without suffix.
    n
        Terms per topic.

    Returns
    -------
    list of Path
        The PDF and PNG written.
    """
    rows = _read_table(topic_terms_csv, ["topic", "rank", "term", "weight"], "top terms")
    topics = read_topics(topics_csv)
    terms: dict[int, list[tuple[int, str, float]]] = {}
    for line, row in enumerate(rows, start=2):
        topic = _int(row, "topic", topic_terms_csv, line)
        rank = _int(row, "rank", topic_terms_csv, line)
        terms.setdefault(topic, []).append(
            (rank, row["term"], _num(row, "weight", topic_terms_csv, line))
        )
    topic_ids = sorted(terms)
    n_topics = len(topic_ids)
    nrows, ncols = _grid(n_topics, 4 if n_topics <= 16 else 5)
    panel_h = 0.75 + 0.15 * n
    fig, panel = _new_figure(2.6 * ncols, panel_h * nrows + 0.3)
    axes = _subplots(panel, n_topics, ncols, sharex=True)
    prevalences = [t.prevalence for t in topics.values()]
    scale = _share_scale(prevalences)
    for ax, topic in zip(axes, topic_ids, strict=True):
        top = sorted(terms[topic])[:n]
        labels = [_truncate(term, 22) for _, term, _ in top]
        weights = [w for _, _, w in top]
        y = np.arange(len(top))
        ax.barh(y, weights, color=OKABE_ITO[4], height=0.72)
        ax.set_yticks(y, labels)
        ax.set_ylim(n - 0.5, -0.5)
        ax.tick_params(axis="y", length=0, pad=2)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3))
        ax.grid(axis="x", color=LIGHT_GREY, lw=0.5)
        ax.set_axisbelow(True)
        info = topics.get(topic)
        prevalence = info.prevalence if info else math.nan
        prev_text = f"prevalence {prevalence * scale:.1f} %" if math.isfinite(prevalence) else ""
        name = _wrap(topic_name(topic, topics, width=80), 26, max_lines=2)
        ax.set_title(f"{name}\n{prev_text}" if prev_text else name, loc="left")
    for ax in axes[-ncols:]:
        ax.set_xlabel("weight p(term | topic)")
    return _style._save(fig, out_stem)
