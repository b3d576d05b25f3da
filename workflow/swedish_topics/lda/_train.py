"""One model of the grid: train, write ``model.npz`` and ``train.json``, read them back."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from swedish_topics.errors import ConfigError
from swedish_topics.io import atomic_save_npz, atomic_write_json, load_npz
from swedish_topics.lda._common import (
    ENGINES,
    NPZ_KEYS,
    POSTERIOR_KEY,
    Bow,
    Fit,
    ModelArrays,
    TrainResult,
    check_heldout,
    load_dictionary,
    scan,
    vocab_array,
)
from swedish_topics.lda._gensim import train_gensim
from swedish_topics.lda._tomotopy import train_tomotopy

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- public


def train_model(
    corpus_path: Path,
    dictionary_path: Path,
    *,
    k: int,
    seed: int,
    model_cfg: Mapping[str, Any],
    heldout: np.ndarray,
    out_npz: Path,
    out_json: Path,
    out_gensim_dir: Path | None,
) -> TrainResult:
    """Train one LDA model and write its npz, train.json and engine files.

    Parameters
    ----------
    corpus_path : Path
        ``preprocess/corpus.mm`` (gensim MmCorpus, one row per unit, rows may be empty).
    dictionary_path : Path
        ``preprocess/dictionary.txt`` (gensim ``Dictionary.save_as_text``).
    k : int
        Number of topics.
    seed : int
        Seed of the engine's random generator.
    model_cfg : Mapping
        The ``model:`` section of the config (engine, alpha, eta, passes, iterations,
        eval_every).
    heldout : numpy.ndarray
        Indices of held-out units (:func:`heldout_split`); they are not trained on.
    out_npz, out_json : Path
        Where to write ``model.npz`` and ``train.json``.
    out_gensim_dir : Path or None
        Folder for the engine's own model files (gensim ``model*`` or tomotopy
        ``model.bin``); None writes none.

    Returns
    -------
    TrainResult
        The arrays and the train.json content.

    Raises
    ------
    ConfigError
        An unknown engine or prior, an empty vocabulary, or more topics than there are
        non-empty training units.
    """
    engine = model_cfg.get("engine", "gensim")
    if engine not in ENGINES:
        raise ConfigError(
            f"model.engine is {engine!r}, but only {' and '.join(ENGINES)} are supported. "
            "Fix: set model.engine in config/config.yaml to gensim (the reproducible "
            "reference) or tomotopy."
        )
    from gensim.corpora import MmCorpus

    dictionary = load_dictionary(dictionary_path)
    corpus = MmCorpus(str(corpus_path))
    split = _split_units(corpus, heldout, k=k, keep_heldout=engine == "gensim", path=corpus_path)
    logger.info(
        "training %s LDA, K=%d, seed=%d: %d training units (%d tokens), %d held out, %d empty",
        engine,
        k,
        seed,
        int(split.train_mask.sum()),
        int(split.lengths[split.train_mask].sum()),
        split.held.size,
        int((split.lengths == 0).sum()),
    )
    with threadpool_limits(limits=1):
        if engine == "gensim":
            fit = train_gensim(
                corpus,
                dictionary,
                k=k,
                seed=seed,
                model_cfg=model_cfg,
                train_mask=split.train_mask,
                heldout_docs=split.heldout_docs,
                heldout_words=float(split.lengths[split.heldout_nonempty].sum()),
                train_words=float(split.lengths[split.train_mask].sum()),
                out_dir=out_gensim_dir,
            )
        else:
            fit = train_tomotopy(
                corpus,
                dictionary,
                k=k,
                seed=seed,
                model_cfg=model_cfg,
                train_mask=split.train_mask,
                heldout_index=split.held,
                out_dir=out_gensim_dir,
            )
    return _write_model(fit, split, vocab_array(dictionary), k=k, seed=seed, engine=engine,
                        out_npz=out_npz, out_json=out_json)  # fmt: skip


@dataclass(frozen=True)
class _UnitSplit:
    """The units of ``corpus.mm``: token counts, held-out and training units."""

    lengths: np.ndarray
    held: np.ndarray
    train_mask: np.ndarray
    heldout_nonempty: list[int]
    #: the non-empty held-out units as bags of words (gensim only)
    heldout_docs: list[Bow]


def _split_units(
    corpus: Any, heldout: np.ndarray, *, k: int, keep_heldout: bool, path: Path
) -> _UnitSplit:
    """Count every unit's tokens in one pass; refuse more topics than training units."""
    n_units = len(corpus)
    held = check_heldout(heldout, n_units)
    held_mask = np.zeros(n_units, dtype=bool)
    held_mask[held] = True
    lengths, heldout_docs = scan(corpus, held_mask, keep_heldout=keep_heldout)
    train_mask = ~held_mask & (lengths > 0)
    n_train = int(train_mask.sum())
    if k < 1 or k > n_train:
        raise ConfigError(
            f"A model with K={k} topics needs at least {max(k, 1)} non-empty training units, "
            f"but {path} has {n_train} ({n_units} units, {held.size} held out, "
            f"{int((lengths == 0).sum())} empty). Fix: remove K={k} from model.k in "
            "config/config.yaml, lower model.heldout_fraction, use shorter units "
            "(preprocess.units.mode: paragraphs) or a larger corpus."
        )
    heldout_nonempty = [int(i) for i in held if lengths[i] > 0]
    return _UnitSplit(lengths, held, train_mask, heldout_nonempty, heldout_docs)


def _write_model(
    fit: Fit,
    split: _UnitSplit,
    vocab: np.ndarray,
    *,
    k: int,
    seed: int,
    engine: str,
    out_npz: Path,
    out_json: Path,
) -> TrainResult:
    """Write ``model.npz`` (empty units at the prior mean) and ``train.json``."""
    empty = split.lengths == 0
    fit.theta[empty] = fit.alpha / fit.alpha.sum()  # the prior mean (gensim gives the same)
    arrays = ModelArrays(
        topic_term=fit.topic_term.astype(np.float64),
        theta=fit.theta.astype(np.float32),
        vocab=vocab,
        alpha=fit.alpha.astype(np.float64),
    )
    bound = fit.heldout_bound
    atomic_save_npz(
        out_npz,
        **{key: getattr(arrays, key) for key in NPZ_KEYS},
        **{POSTERIOR_KEY: fit.unit_topic_counts},
    )
    info: dict[str, Any] = {
        "k": k,
        "seed": seed,
        "engine": engine,
        "n_units": len(split.lengths),
        "n_train_units": int(split.train_mask.sum()),
        "n_heldout_units": int(split.held.size),
        "n_empty_units": int(empty.sum()),
        "heldout_bound": bound,
        "perplexity": None if bound is None else 2.0 ** (-bound),
        "perplexity_definition": "2 ** (-heldout_bound), heldout_bound in nats per word",
        "bound_log": fit.bound_log,
        "bound_log_on": "heldout" if split.heldout_nonempty else "train",
        "numpy_version": np.__version__,
        **fit.settings,
    }
    atomic_write_json(out_json, info)
    logger.info(
        "trained K=%d seed=%d in %.1f s; held-out per-word bound %s",
        k,
        seed,
        info["train_seconds"],
        "n/a" if bound is None else f"{bound:.4f}",
    )
    return TrainResult(arrays=arrays, info=info)


def _require_npz_keys(path: Path, present: Iterable[str]) -> None:
    """Refuse a model file that lacks any of :data:`NPZ_KEYS`."""
    have = set(present)
    missing = [key for key in NPZ_KEYS if key not in have]
    if missing:
        raise ValueError(f"{path} lacks {', '.join(missing)}: it was not written by train_model")


def load_topic_term(path: Path) -> np.ndarray:
    """Read only ``topic_term`` (K×V) of a ``model.npz`` written by :func:`train_model`.

    For steps that need nothing else: ``theta`` (one row per unit, so it grows with the
    corpus) and ``vocab`` are not read.

    Raises
    ------
    ValueError
        If an array is missing or ``topic_term`` does not fit ``alpha``.
    """
    with np.load(path, allow_pickle=False) as data:
        _require_npz_keys(path, data.files)
        topic_term: np.ndarray = data["topic_term"]
        alpha: np.ndarray = data["alpha"]
    if topic_term.ndim != 2 or alpha.shape != (topic_term.shape[0],):
        raise ValueError(f"{path}: array shapes do not fit together")
    return topic_term


def load_model_npz(path: Path) -> ModelArrays:
    """Read a ``model.npz`` written by :func:`train_model` (no pickle).

    Raises
    ------
    ValueError
        If an array is missing or the shapes do not fit together.
    """
    data = load_npz(path)
    _require_npz_keys(path, data)
    arrays = ModelArrays(**{key: data[key] for key in NPZ_KEYS})
    k, v = arrays.topic_term.shape
    if arrays.theta.shape[1] != k or arrays.vocab.shape != (v,) or arrays.alpha.shape != (k,):
        raise ValueError(f"{path}: array shapes do not fit together")
    return arrays
