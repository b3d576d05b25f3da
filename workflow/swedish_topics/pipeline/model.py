"""Rule functions of modelling and evaluation: held-out split, training, metrics, selection."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from swedish_topics import io as sio

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

PathLike = str | Path


# ---------------------------------------------------------------------------- model
def train_lda(
    *,
    inputs: Mapping[str, PathLike],
    cfg: Mapping[str, Any],
    k: int,
    seed: int,
    outputs: Mapping[str, PathLike],
) -> None:
    """Train one model of the grid and write its portable arrays and training record."""
    from swedish_topics.config import check_against_corpus
    from swedish_topics.lda import train_model

    with open(inputs["split"], encoding="utf-8") as handle:
        split = json.load(handle)
    check_against_corpus(cfg, split["n_units"] - len(split["heldout"]), ks=[k])
    train_model(
        Path(inputs["corpus"]),
        Path(inputs["dictionary"]),
        k=k,
        seed=seed,
        model_cfg=dict(cfg["model"]),
        heldout=np.asarray(split["heldout"], dtype=np.int64),
        out_npz=Path(outputs["model"]),
        out_json=Path(outputs["train"]),
        out_gensim_dir=Path(outputs["native"]),
    )


# ------------------------------------------------------------------------- evaluate
METRIC_COLUMNS = [
    "k",
    "seed",
    "coherence_npmi",
    "coherence_cv",
    "coherence_umass",
    "perplexity",
    "heldout_bound",
    "diversity",
    "exclusivity",
    "train_seconds",
]


@dataclass
class _TopicTermMeasures:
    """What :func:`evaluate_models` keeps of each model's ``topic_term``, and stability."""

    top_words: dict[tuple[int, int], Any] = field(default_factory=dict)
    diversity: dict[tuple[int, int], float] = field(default_factory=dict)
    exclusivity: dict[tuple[int, int], list[float]] = field(default_factory=dict)
    stability: list[dict[str, Any]] = field(default_factory=list)
    agreement: list[dict[str, Any]] = field(default_factory=list)


def _topic_term_measures(
    npz_of: Mapping[tuple[int, int], PathLike], eval_cfg: Mapping[str, Any]
) -> _TopicTermMeasures:
    """Top words, diversity, exclusivity and stability, reading ``topic_term`` of the
    seeds of one K at a time."""
    from swedish_topics import metrics as m
    from swedish_topics.coherence import top_word_ids
    from swedish_topics.lda import load_topic_term

    top_n = int(eval_cfg["top_n"])
    measure = eval_cfg["stability_measure"]
    threshold = float(eval_cfg["stability_threshold"])
    out = _TopicTermMeasures()
    for k in sorted({k for k, _ in npz_of}):
        by_seed = {}
        for (kk, seed), npz in npz_of.items():
            if kk == k:
                topic_term = load_topic_term(Path(npz))
                by_seed[seed] = topic_term
                out.top_words[(k, seed)] = top_word_ids(topic_term, top_n)
                out.exclusivity[(k, seed)] = m.exclusivity(topic_term, top_n=top_n)
                out.diversity[(k, seed)] = m.topic_diversity(topic_term, top_n=25)
        result = m.stability(by_seed, measure=measure, top_n=top_n)
        del by_seed, topic_term
        out.stability.append(
            {
                "k": k,
                "stability_mean": result.mean,
                "stability_min": result.min,
                "stability_max": result.max,
                "n_pairs": result.n_pairs,
                "measure": measure,
                "passes": bool(result.mean >= threshold) if not math.isnan(result.mean) else False,
            }
        )
        for seed, agreement in sorted(result.per_seed.items()):
            out.agreement.append({"k": k, "seed": seed, "agreement": agreement})
    return out


def evaluate_models(
    *,
    models: Sequence[Sequence[int]],
    inputs: Mapping[str, Any],
    cfg: Mapping[str, Any],
    outputs: Mapping[str, PathLike],
) -> None:
    """Evaluate every model of the grid; coherence from one counting pass over the corpus.

    Memory: only ``topic_term`` of each model is read (not ``theta``, which has a row per
    unit), the seeds of one K at a time; diversity, exclusivity, stability and the top
    words are taken from them and they are dropped before the corpus is read, so the
    arrays of the grid and the counting pass (chunked, see
    :mod:`swedish_topics.coherence`) are never in memory together.
    """
    from gensim.corpora import Dictionary, MmCorpus

    from swedish_topics.coherence import coherence_many, iter_unit_lemmas

    npz_of = {}
    train_info = {}
    for (k, seed), npz, train_json in zip(models, inputs["models"], inputs["train"], strict=True):
        npz_of[(k, seed)] = npz
        with open(train_json, encoding="utf-8") as handle:
            train_info[(k, seed)] = json.load(handle)
    tt = _topic_term_measures(npz_of, cfg["evaluation"])
    coherence = coherence_many(
        {f"k{k}_s{seed}": tt.top_words[(k, seed)] for k, seed in npz_of},
        texts=iter_unit_lemmas(inputs["units_tsv"]),
        corpus=MmCorpus(str(inputs["corpus"])),
        dictionary=Dictionary.load_from_text(str(inputs["dictionary"])),
        measures=("u_mass", "c_npmi", "c_v"),
    )
    rows = []
    topic_rows = []
    for k, seed in npz_of:
        coh = coherence[f"k{k}_s{seed}"]
        info = train_info[(k, seed)]
        rows.append(
            {
                "k": k,
                "seed": seed,
                "coherence_npmi": float(np.mean(coh["c_npmi"])),
                "coherence_cv": float(np.mean(coh["c_v"])),
                "coherence_umass": float(np.mean(coh["u_mass"])),
                "perplexity": info["perplexity"],
                "heldout_bound": info["heldout_bound"],
                "diversity": tt.diversity[(k, seed)],
                "exclusivity": float(np.mean(tt.exclusivity[(k, seed)])),
                "train_seconds": info["train_seconds"],
            }
        )
        for t in range(k):
            topic_rows.append(
                {
                    "k": k,
                    "seed": seed,
                    "topic": t + 1,
                    "coherence_npmi": coh["c_npmi"][t],
                    "coherence_cv": coh["c_v"][t],
                    "coherence_umass": coh["u_mass"][t],
                    "exclusivity": tt.exclusivity[(k, seed)][t],
                }
            )
    sio.write_csv(outputs["metrics"], rows, METRIC_COLUMNS)
    sio.write_csv(
        outputs["topic_coherence"],
        topic_rows,
        ["k", "seed", "topic", "coherence_npmi", "coherence_cv", "coherence_umass", "exclusivity"],
    )
    sio.write_csv(
        outputs["stability"],
        tt.stability,
        ["k", "stability_mean", "stability_min", "stability_max", "n_pairs", "measure", "passes"],
    )
    sio.write_csv(outputs["agreement"], tt.agreement, ["k", "seed", "agreement"])


def _num(value: str) -> float:
    return float(value) if value not in ("", None) else float("nan")


def select_model(
    *,
    inputs: Mapping[str, PathLike],
    cfg: Mapping[str, Any],
    out_choice: PathLike,
    pin: Any = None,
) -> None:
    """Apply the selection rule (or the pinned model) and record the choice and its reason.

    ``pin`` (a :class:`~swedish_topics.selection.PinnedModel`) holds ``selection.k`` and
    ``selection.seed``; without it they are read from ``cfg``.
    """
    from swedish_topics.selection import select_model as _select

    metrics = [
        {key: (int(v) if key in ("k", "seed") else _num(v)) for key, v in row.items()}
        for row in sio.read_csv(inputs["metrics"])
    ]
    stability = [
        {
            "k": int(row["k"]),
            "stability_mean": _num(row["stability_mean"]),
            "stability_min": _num(row["stability_min"]),
            "stability_max": _num(row["stability_max"]),
            "n_pairs": int(row["n_pairs"]),
        }
        for row in sio.read_csv(inputs["stability"])
    ]
    agreement = {
        (int(r["k"]), int(r["seed"])): _num(r["agreement"])
        for r in sio.read_csv(inputs["agreement"])
    }
    sel = cfg["selection"]
    choice = _select(
        metrics,
        stability,
        metric=sel["metric"],
        threshold=float(cfg["evaluation"]["stability_threshold"]),
        pinned_k=sel["k"] if pin is None else pin.k,
        pinned_seed=sel["seed"] if pin is None else pin.seed,
        seed_agreement=agreement,
    )
    sio.atomic_write_json(out_choice, choice)
    logger.info("chosen: K=%s seed=%s: %s", choice["k"], choice["seed"], choice["reason"])


def final_model(
    *,
    choice_json: PathLike,
    models: Sequence[Sequence[int]],
    model_files: Sequence[PathLike],
    out_model: PathLike,
) -> None:
    """Copy the chosen model's arrays to final/model.npz (checked, pickle-free)."""
    from swedish_topics.lda import load_model_npz

    with open(choice_json, encoding="utf-8") as handle:
        choice = json.load(handle)
    lookup = {(int(k), int(s)): Path(p) for (k, s), p in zip(models, model_files, strict=True)}
    source = lookup[(int(choice["k"]), int(choice["seed"]))]
    load_model_npz(source)  # validates the file (no pickle, expected arrays)
    arrays = sio.load_npz(source)
    sio.atomic_save_npz(out_model, **arrays)
    logger.info("final model: %s", source)
