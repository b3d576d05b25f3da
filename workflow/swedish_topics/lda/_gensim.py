"""The gensim engine: online variational Bayes (``LdaModel``), one process."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from swedish_topics.io import atomic_dir
from swedish_topics.lda._common import (
    GENSIM_CHUNKSIZE,
    THETA_CHUNKSIZE,
    Bow,
    Fit,
    Subset,
    gensim_priors,
    is_eval_pass,
    normalise_rows,
    parse_schedule,
)

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- gensim


def _gensim_bound(
    model: Any, docs: Iterable[Bow], *, ratio: float, n_words: float, seed: int
) -> float:
    """Per-word variational bound on ``docs`` without touching the training generator."""
    saved = model.random_state
    model.random_state = np.random.RandomState(seed)
    try:
        score = model.bound(docs, subsample_ratio=ratio)
    finally:
        model.random_state = saved
    return float(score / (ratio * n_words))


def _make_bound_metric(
    evaluate: Any, passes: int, eval_every: int, log: list[dict[str, Any]]
) -> Any:
    from gensim.models.callbacks import Metric

    class HeldoutBoundMetric(Metric):
        """gensim callback metric: the per-word bound every ``eval_every`` passes."""

        def __init__(self) -> None:
            self.logger = None
            self.title = "heldout_bound"
            self.viz_env = None
            self.pass_no = 0

        def get_value(self, **kwargs: Any) -> float:
            self.pass_no += 1
            if not is_eval_pass(self.pass_no, passes, eval_every):
                return float("nan")
            bound = evaluate(kwargs["model"])
            log.append({"pass": self.pass_no, "bound": bound})
            logger.info(
                "pass %d/%d: per-word bound %.4f (perplexity %.1f)",
                self.pass_no,
                passes,
                bound,
                2.0 ** (-bound),
            )
            return bound

    return HeldoutBoundMetric()


def train_gensim(
    corpus: Any,
    dictionary: Any,
    *,
    k: int,
    seed: int,
    model_cfg: Mapping[str, Any],
    train_mask: np.ndarray,
    heldout_docs: list[Bow],
    heldout_words: float,
    train_words: float,
    out_dir: Path | None,
) -> Fit:
    import gensim
    from gensim.models import LdaModel

    alpha, eta = gensim_priors(model_cfg)
    passes, iterations, eval_every = parse_schedule(model_cfg)
    train = Subset(corpus, train_mask)
    n_train = len(train)
    docs, ratio, n_words = (
        (heldout_docs, n_train / len(heldout_docs), heldout_words)
        if heldout_docs
        else (train, 1.0, train_words)
    )
    eval_seconds = [0.0]

    def evaluate(model: Any) -> float:
        started = time.perf_counter()
        bound = _gensim_bound(model, docs, ratio=ratio, n_words=n_words, seed=seed)
        eval_seconds[0] += time.perf_counter() - started
        return bound

    bound_log: list[dict[str, Any]] = []
    metric = _make_bound_metric(evaluate, passes, eval_every, bound_log)
    started = time.perf_counter()
    model = LdaModel(
        corpus=train,
        id2word=dictionary,
        num_topics=k,
        distributed=False,
        chunksize=GENSIM_CHUNKSIZE,
        passes=passes,
        update_every=1,
        alpha=alpha,
        eta=eta,
        eval_every=None,
        iterations=iterations,
        random_state=seed,
        callbacks=[metric] if eval_every > 0 else None,
        dtype=np.float64,
    )
    train_seconds = time.perf_counter() - started - eval_seconds[0]
    model.callbacks = None  # our metric class must not end up in the user's pickle

    heldout_bound: float | None = None
    if heldout_docs:  # the last logged value is the same computation: reuse it
        last_logged = bound_log[-1] if bound_log and bound_log[-1]["pass"] == passes else None
        heldout_bound = last_logged["bound"] if last_logged else evaluate(model)
    topic_term = normalise_rows(model.get_topics())

    # theta for every unit, from a freshly seeded generator so it never depends on
    # what ran before; empty units get gamma = alpha, i.e. the prior mean.
    model.random_state = np.random.RandomState(seed)
    theta = np.empty((len(corpus), k), dtype=np.float64)
    row = 0
    for chunk in gensim.utils.grouper(corpus, THETA_CHUNKSIZE):
        gamma, _ = model.inference(chunk)
        theta[row : row + len(chunk)] = gamma
        row += len(chunk)
    alpha_final = np.asarray(model.alpha, dtype=np.float64)
    # gamma - alpha: the variational posterior Dirichlet(gamma) as counts (see POSTERIOR_KEY)
    unit_counts = np.clip(theta - alpha_final, 0.0, None).astype(np.float32)
    theta = normalise_rows(theta)

    if out_dir is not None:
        with atomic_dir(out_dir) as tmp:
            model.save(str(tmp / "model"))
    settings = {
        "engine_version": gensim.__version__,
        "chunksize": GENSIM_CHUNKSIZE,
        "update_every": 1,
        "decay": model.decay,
        "offset": model.offset,
        "alpha_setting": alpha,
        "eta_setting": eta,
        "passes": passes,
        "iterations": iterations,
        "eval_every": eval_every,
        "train_seconds": train_seconds,
    }
    return Fit(topic_term, theta, alpha_final, heldout_bound, bound_log, settings, unit_counts)
