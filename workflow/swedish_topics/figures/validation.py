"""Figures of validation: intrusion scores per topic, and sensitivity to preprocessing."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from swedish_topics.figures import _style
from swedish_topics.figures._style import (
    GREY,
    HIGHLIGHT,
    LIGHT_GREY,
    NEGATIVE,
    POSITIVE,
    PathLike,
    _new_figure,
    _read_table,
    _styled,
    _truncate,
)

logger = logging.getLogger(__name__)


def _float(value: str) -> float:
    return float(value) if value not in ("", None) else math.nan


def _fmt(value: float, digits: int = 2) -> str:
    return "n/a" if math.isnan(value) else f"{value:.{digits}f}"


@_styled
def plot_intrusion_scores(
    scores_csv: PathLike, summary_csv: PathLike, out_stem: PathLike
) -> list[Path]:
    """Model precision and topic log odds per topic (from ``tables/intrusion_scores.csv``).

    Left: the share of answers that found each topic's intruder word, with chance (1/6)
    marked. Right: the mean topic log odds of the passages each topic dominates (0 = the
    intruder topic was always found). Topics without answers of a kind show "no answers".
    The footnote gives coders, answers and Krippendorff's α per task type.
    """
    rows = _read_table(scores_csv, ["topic", "label"], "intrusion scores")
    summary = _read_table(summary_csv, ["task", "n_coders", "n_answers"], "intrusion summary")
    names = [_truncate(f"{r['topic']}. {r['label']}", 34) for r in rows]
    n = len(rows)
    fig, main = _new_figure(8.0, 0.9 + 0.32 * n)
    ax_p, ax_t = main.subplots(1, 2, sharey=True)
    ys = list(range(n))[::-1]
    precision = [_float(r.get("model_precision", "")) for r in rows]
    tlo = [_float(r.get("topic_log_odds", "")) for r in rows]
    for y, value in zip(ys, precision, strict=True):
        if math.isnan(value):
            ax_p.text(0.02, y, "no answers", va="center", fontsize=7, color=GREY)
        else:
            ax_p.barh(y, value, color=NEGATIVE, height=0.6)
            row = rows[n - 1 - y]
            ax_p.text(
                min(value, 0.84) + 0.01,
                y,
                f"{row['word_correct']}/{row['word_answers']}",
                va="center",
                fontsize=7,
                color=GREY,
            )
    ax_p.axvline(1 / 6, color=HIGHLIGHT, linestyle="--", linewidth=1)
    ax_p.text(1 / 6, n - 0.4, " chance", color=HIGHLIGHT, fontsize=7, va="bottom")
    ax_p.set_xlim(0, 1.0)
    ax_p.set_xlabel("model precision (share of answers right)")
    ax_p.set_title("Word intrusion", fontsize=9)
    finite = [v for v in tlo if not math.isnan(v)]
    low = min([*finite, -1.0]) * 1.1
    for y, value in zip(ys, tlo, strict=True):
        if math.isnan(value):
            ax_t.text(low * 0.98, y, "no answers", va="center", fontsize=7, color=GREY)
        else:
            ax_t.hlines(y, value, 0, color=LIGHT_GREY, linewidth=2)
            ax_t.plot(value, y, "o", color=POSITIVE, markersize=5)
            row = rows[n - 1 - y]
            ax_t.text(
                value,
                y + 0.22,
                f"{row['topic_correct']}/{row['topic_answers']} right",
                ha="center",
                va="bottom",
                fontsize=6.5,
                color=GREY,
            )
    ax_t.axvline(0, color=GREY, linewidth=0.8)
    ax_t.set_xlim(low, -low * 0.05)
    ax_t.set_xlabel("topic log odds (0 = best)")
    ax_t.set_title("Topic intrusion", fontsize=9)
    ax_p.set_yticks(ys, names)
    ax_p.set_ylim(-0.6, n - 0.2)
    notes = [
        f"{s['task']}: {s['n_coders']} coder(s), {s['n_answers']} answers, "
        f"{s.get('score', 'score')} {_fmt(_float(s.get('mean_score', '')))}, "
        f"Krippendorff's α {_fmt(_float(s.get('krippendorff_alpha', '')))}"
        for s in summary
    ]
    notes.append(
        "Model precision: share of answers that picked the word that does not belong to the "
        "topic (Chang et al. 2009). Topic log odds: mean of log θ(intruder) − log θ(picked "
        "topic) over answers to passages the topic dominates. Numbers: answers right / answers. "
        "α is n/a with one coder"
    )
    return _style._save(fig, out_stem, footnote=" ".join(f"{x}." for x in notes))


def _thousands(value: str | None) -> str:
    return f"{int(value):,}" if value and value.isdigit() else "?"


def _variant_label(row: dict[str, str]) -> str:
    change = _truncate(row.get("change", "").replace("preprocess.", ""), 30)
    vocabulary, shared = _thousands(row.get("vocabulary")), _thousands(row.get("shared_vocabulary"))
    words = f"{vocabulary} words ({shared} shared)"
    return f"{_truncate(row['variant'], 30)}\n{change}\n{words}"


def _effects_panel(ax: Any, summary: Sequence[dict[str, str]], ys: Sequence[int]) -> None:
    """Bars of the shares of main effects that keep sign (and significance), per variant."""
    for y, row in zip(ys, summary, strict=True):
        kept_sign = _float(row["share_kept_sign"])
        if math.isnan(kept_sign):
            ax.text(
                0.02,
                y,
                "no significant effect in the main tables",
                va="center",
                fontsize=7,
                color=GREY,
            )
            continue
        kept_sig = _float(row["share_kept_significance"])
        ax.barh(y + 0.15, kept_sign, height=0.28, color=NEGATIVE, label="keeps sign")
        ax.barh(
            y - 0.15, kept_sig, height=0.28, color=POSITIVE, label="keeps sign and significance"
        )
        ax.text(1.01, y, f"of {row['n_effects']}", va="center", fontsize=7, color=GREY)
    ax.set_xlim(0, 1.12)
    ax.set_xlabel("share of the main model's significant effects")
    ax.set_title("Effects", fontsize=9, pad=16)
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(
            handles[:2],
            labels[:2],
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
            ncol=2,
            fontsize=7,
            frameon=False,
        )


@_styled
def plot_sensitivity(
    summary_csv: PathLike, matches_csv: PathLike, out_stem: PathLike
) -> list[Path]:
    """Per preprocessing variant: how well its topics match the main model's, and how
    many of the main tables' effects keep their sign and significance.

    Left: each main topic's matched similarity (1 − Hellinger distance over the shared
    vocabulary) as a dot, the mean as a bar. Right: the share of the main model's
    significant effects that keep their sign, and that keep sign and significance.
    """
    summary = _read_table(
        summary_csv,
        ["variant", "mean_similarity", "n_effects", "share_kept_sign", "share_kept_significance"],
        "sensitivity summary",
    )
    matches = _read_table(matches_csv, ["variant", "topic", "similarity"], "topic matches")
    variants = [r["variant"] for r in summary]
    n = len(variants)
    # no significant effect in any variant's comparison: no effects panel, a sentence
    effects = any(math.isfinite(_float(r["share_kept_sign"])) for r in summary)
    fig, main = _new_figure(8.0 if effects else 5.5, 1.4 + 0.55 * n)
    if effects:
        ax_s, ax_e = main.subplots(1, 2, sharey=True)
    else:
        ax_s, ax_e = main.subplots(1, 1), None
    ys = list(range(n))[::-1]
    for y, row in zip(ys, summary, strict=True):
        sims = [_float(m["similarity"]) for m in matches if m["variant"] == row["variant"]]
        ax_s.barh(y, _float(row["mean_similarity"]), color=LIGHT_GREY, height=0.6)
        ax_s.plot(sims, [y] * len(sims), "|", color=NEGATIVE, markersize=12, markeredgewidth=1.5)
    seeds = [_float(r.get("main_seed_stability", "")) for r in summary]
    if seeds and not math.isnan(seeds[0]):
        ax_s.axvline(seeds[0], color=HIGHLIGHT, linestyle="--", linewidth=1)
        ax_s.text(
            seeds[0], n - 0.45, " seeds of the main K", color=HIGHLIGHT, fontsize=7, va="bottom"
        )
    ax_s.set_xlim(0, 1.0)
    ax_s.set_xlabel("matched topic similarity to the main model")
    ax_s.set_title("Topics", fontsize=9, pad=16)
    if ax_e is not None:
        _effects_panel(ax_e, summary, ys)
    ax_s.set_yticks(ys, [_variant_label(r) for r in summary])
    ax_s.set_ylim(-0.6, n - 0.4)
    main.suptitle(
        _style.wrap_title(
            "Sensitivity to preprocessing: do the topics"
            + (" and effects" if effects else "")
            + " stay when the preprocessing changes?",
            fig.get_size_inches()[0],
        ),
        x=0.01,
        ha="left",
        fontweight="bold",
    )
    basis = sorted({r.get("significance_basis", "") for r in summary} - {""})
    effects_text = (
        "Effects: every group difference, trend and adjusted effect of the main tables that "
        + "is significant (by "
        + "; ".join(basis)
        + "), compared with the matched topic's effect in the variant. "
        if effects
        else "No group difference, trend or adjusted effect of the main tables is significant "
        "(by " + "; ".join(basis) + "), so there is no effect to compare across variants. "
    )
    footnote = (
        "Each variant reruns preprocessing with the named change and fits the main model's K "
        "and seed. Topics are matched one-to-one (Hungarian algorithm) on 1 − Hellinger "
        "distance over the vocabulary both models share; ticks are topics, bars their mean"
        + (
            "; the dashed line is the mean agreement between the seeds of the main K (the "
            "model-selection stability), the change that reseeding alone brings. "
            if seeds and not math.isnan(seeds[0])
            else ". "
        )
        + effects_text
        + "Labels: the variant, its change, and its vocabulary (words it shares with the "
        "main model)."
    )
    return _style._save(fig, out_stem, footnote=footnote)


__all__: Sequence[str] = ["plot_intrusion_scores", "plot_sensitivity"]
