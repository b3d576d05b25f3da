"""The tomotopy engine: collapsed Gibbs sampling, one worker."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from swedish_topics.io import atomic_dir
from swedish_topics.lda._common import (
    POSTERIOR_STATES,
    TOMOTOPY_INFER_ITERATIONS,
    Bow,
    Fit,
    is_eval_pass,
    normalise_rows,
    parse_schedule,
    tomotopy_priors,
)

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- tomotopy


def _expand(doc: Bow, vocab: Sequence[str]) -> list[str]:
    """Bag of words → word list in dictionary-id order (count times each).

    The words are the very ``vocab`` strings, not copies: a held-out word list costs one
    pointer per token.
    """
    return [vocab[i] for i, cnt in sorted(doc, key=_first) for _ in range(round(cnt))]


def _first(entry: tuple[int, float]) -> int:
    return entry[0]


#: Tokens gathered per step when the final sample's topic-term counts are summed.
COUNT_CHUNK_TOKENS = 1 << 18


def _topic_term_counts(
    docs: Iterable[Any], to_dict: np.ndarray, k: int, n_terms: int
) -> np.ndarray:
    """The K x V counts of the sample's topic assignments (tomotopy documents' ``words``,
    in the model's vocabulary, and ``topics``), summed in chunks of about
    :data:`COUNT_CHUNK_TOKENS` tokens so that no per-token array of the whole corpus is
    built."""
    counts = np.zeros(k * n_terms, dtype=np.float64)  # exact for counts below 2**53
    words: list[np.ndarray] = []
    topics: list[np.ndarray] = []
    held = 0

    def flush() -> None:
        if words:
            cells = np.concatenate(topics) * n_terms + to_dict[np.concatenate(words)]
            counts[:] += np.bincount(cells, minlength=k * n_terms)  # int64 added exactly
            words.clear()
            topics.clear()

    for doc in docs:
        words.append(np.asarray(doc.words, dtype=np.int64))
        topics.append(np.asarray(doc.topics, dtype=np.int64))
        held += len(words[-1])
        if held >= COUNT_CHUNK_TOKENS:
            flush()
            held = 0
    flush()
    return counts.reshape(k, n_terms)


def _tomotopy_infer(
    model: Any, words: list[list[str]]
) -> tuple[list[np.ndarray], list[float], float]:
    """Infer documents (one seed per document, independent of the batch).

    Returns topic distributions, log-likelihoods and the number of known words. Documents
    without a known word are not passed to tomotopy (it would abort) and get ``None``.
    """
    made = [model.make_doc(w) for w in words]
    known = [i for i, doc in enumerate(made) if len(doc.words) > 0]
    dists: list[Any] = [None] * len(made)
    lls = [0.0] * len(made)
    n_words = float(sum(len(made[i].words) for i in known))
    if known:
        result, ll = model.infer(
            [made[i] for i in known],
            iterations=TOMOTOPY_INFER_ITERATIONS,
            workers=1,
            together=False,
        )
        for pos, i in enumerate(known):
            dists[i] = np.asarray(result[pos], dtype=np.float64)
            lls[i] = float(ll[pos])
    return dists, lls, n_words


def train_tomotopy(
    corpus: Any,
    dictionary: Any,
    *,
    k: int,
    seed: int,
    model_cfg: Mapping[str, Any],
    train_mask: np.ndarray,
    heldout_index: np.ndarray,
    out_dir: Path | None,
) -> Fit:
    import tomotopy as tp

    alpha, eta, optimize_alpha = tomotopy_priors(model_cfg, k)
    passes, iterations, eval_every = parse_schedule(model_cfg)
    vocab = [dictionary[i] for i in range(len(dictionary))]
    n_terms = len(vocab)
    held_set = set(heldout_index.tolist())

    model = tp.LDAModel(
        tw=tp.TermWeight.ONE, min_cf=0, min_df=0, rm_top=0, k=k, alpha=alpha, eta=eta, seed=seed
    )
    model.optim_interval = int(model_cfg.get("optim_interval", 10)) if optimize_alpha else 0
    model.burn_in = int(model_cfg.get("optim_burn_in", 0)) if optimize_alpha else 0
    train_units: list[int] = []
    heldout_words: list[list[str]] = []
    heldout_units: list[int] = []
    for i, doc in enumerate(corpus):
        if train_mask[i]:
            model.add_doc(_expand(doc, vocab))
            train_units.append(i)
        elif i in held_set and doc:
            heldout_units.append(i)
            heldout_words.append(_expand(doc, vocab))

    def evaluate() -> tuple[list[Any], float]:
        dists, lls, n_words = _tomotopy_infer(model, heldout_words)
        return dists, (sum(lls) / n_words if n_words else float("nan"))

    n_blocks = min(passes, iterations)
    run = _run_blocks(model, k, n_blocks, iterations, eval_every, evaluate, bool(heldout_words))
    bound_log, final_eval, train_counts = run.bound_log, run.final_eval, run.train_counts

    topic_term = _topic_term(model, dictionary, k, n_terms)
    alpha_final = np.asarray(model.alpha, dtype=np.float64).reshape(-1)
    if alpha_final.size == 1:
        alpha_final = np.full(k, float(alpha_final[0]))

    prior_mean = alpha_final / alpha_final.sum()
    theta = np.tile(prior_mean, (len(corpus), 1))
    unit_counts = np.zeros((len(corpus), k), dtype=np.float32)
    unit_counts[train_units] = train_counts
    # model.docs is iterated, not indexed: tomotopy 0.14 raises IndexError for docs[i>0];
    # iteration yields the documents in the order they were added.
    for unit, doc in zip(train_units, model.docs, strict=True):
        theta[unit] = doc.get_topic_dist()
    heldout_bound: float | None = None
    if heldout_words:
        dists, heldout_bound = final_eval if final_eval is not None else evaluate()
        for unit, dist, words in zip(heldout_units, dists, heldout_words, strict=True):
            if dist is not None:
                theta[unit] = dist
                unit_counts[unit] = _counts_from_dist(model, dist, words, alpha_final)
        if math.isnan(heldout_bound):
            heldout_bound = None
    theta = normalise_rows(theta)

    if out_dir is not None:
        with atomic_dir(out_dir) as tmp:
            model.save(str(tmp / "model.bin"), full=True)
    settings = {
        "engine_version": tp.__version__,
        "workers": 1,
        "alpha_setting": model_cfg.get("alpha", "symmetric"),
        "eta_setting": eta,
        "optim_interval": model.optim_interval,
        "optim_burn_in": model.burn_in,
        "passes": n_blocks,
        "iterations": iterations,
        "infer_iterations": TOMOTOPY_INFER_ITERATIONS,
        "eval_every": eval_every,
        "n_terms_unknown_to_model": int(n_terms - len(model.used_vocabs)),
        "train_seconds": run.train_seconds,
    }
    return Fit(topic_term, theta, alpha_final, heldout_bound, bound_log, settings, unit_counts)


@dataclass
class _Blocks:
    """What the blocks of training leave: the bound trajectory, the evaluation after the
    last block (if one ran: reused), the seconds of training, the posterior counts."""

    bound_log: list[dict[str, Any]]
    final_eval: tuple[list[Any], float] | None
    train_seconds: float
    train_counts: np.ndarray


def _run_blocks(
    model: Any,
    k: int,
    n_blocks: int,
    iterations: int,
    eval_every: int,
    evaluate: Callable[[], tuple[list[Any], float]],
    has_heldout: bool,
) -> _Blocks:
    """``iterations`` sweeps in ``n_blocks`` blocks (the first blocks take the remainder),
    the bound logged every ``eval_every`` blocks and after the last."""
    blocks = [iterations // n_blocks + int(b < iterations % n_blocks) for b in range(n_blocks)]
    bound_log: list[dict[str, Any]] = []
    final_eval: tuple[list[Any], float] | None = None
    train_seconds = 0.0
    train_counts = np.zeros((0, k), dtype=np.float32)
    for block_no, sweeps in enumerate(blocks, start=1):
        final_eval = None  # only an evaluation after the last block is reused
        started = time.perf_counter()
        if block_no == n_blocks:
            train_counts = _train_collecting_counts(model, sweeps, k)
        else:
            model.train(sweeps, workers=1)
        train_seconds += time.perf_counter() - started
        if is_eval_pass(block_no, n_blocks, eval_every):
            if has_heldout:
                final_eval = evaluate()
                bound = final_eval[1]
            else:
                bound = float(model.ll_per_word)
            bound_log.append({"pass": block_no, "iteration": model.global_step, "bound": bound})
            logger.info(
                "pass %d/%d (sweep %d): per-word log-likelihood %.4f (perplexity %.1f), "
                "training %.4f",
                block_no,
                n_blocks,
                model.global_step,
                bound,
                2.0 ** (-bound),
                model.ll_per_word,
            )
    return _Blocks(bound_log, final_eval, train_seconds, train_counts)


def _topic_term(model: Any, dictionary: Any, k: int, n_terms: int) -> np.ndarray:
    """Topic-term from the final sample's counts, over the full dictionary: terms that
    occur in no training unit get the smoothed eta / (n_k + V * eta)."""
    to_dict = np.array([dictionary.token2id[w] for w in model.vocabs], dtype=np.int64)
    topic_term = _topic_term_counts(model.docs, to_dict, k, n_terms)
    eta_final = float(model.eta)
    # In place, K x V once: (counts + eta) / (n_k + V * eta), then rows summing to 1.
    denominator = topic_term.sum(axis=1, keepdims=True) + n_terms * eta_final
    topic_term += eta_final
    topic_term /= denominator
    topic_term /= topic_term.sum(axis=1, keepdims=True)
    return topic_term


def _train_collecting_counts(model: Any, sweeps: int, k: int) -> np.ndarray:
    """Run ``sweeps`` Gibbs sweeps; return the training documents' topic counts averaged
    over the states after each of the last :data:`POSTERIOR_STATES` sweeps (n_docs × K).

    One sweep at a time gives the same chain as ``model.train(sweeps)`` (checked with
    tomotopy 0.14, alpha optimisation included): only the states are read in between.
    """
    n_states = max(1, min(POSTERIOR_STATES, sweeps))
    if sweeps > n_states:
        model.train(sweeps - n_states, workers=1)
    total: np.ndarray | None = None
    for _ in range(n_states):
        model.train(1, workers=1)
        state = np.vstack(
            [np.bincount(np.asarray(d.topics, dtype=np.int64), minlength=k) for d in model.docs]
        ).astype(np.float64)
        total = state if total is None else total + state
    assert total is not None
    return (total / n_states).astype(np.float32)


def _counts_from_dist(
    model: Any, dist: np.ndarray, words: list[str], alpha: np.ndarray
) -> np.ndarray:
    """A held-out unit's topic counts from tomotopy's inferred distribution.

    tomotopy returns ``(n_k + alpha_k) / (N + sum(alpha))`` with N the unit's words known
    to the model; this inverts it (clipped at 0).
    """
    n_known = len(model.make_doc(words).words)
    counts = np.asarray(dist, dtype=np.float64) * (n_known + alpha.sum()) - alpha
    return np.clip(counts, 0.0, None).astype(np.float32)
