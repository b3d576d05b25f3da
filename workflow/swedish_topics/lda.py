"""LDA training with gensim or tomotopy, a seeded held-out split and a portable npz.

One call of :func:`train_model` trains one model of the grid (one K, one seed) on the
units of ``preprocess/corpus.mm`` outside the held-out split and writes

* ``model.npz`` (:func:`swedish_topics.io.atomic_save_npz`): ``topic_term`` (K×V float64,
  rows sum to 1, column j = dictionary id j), ``theta`` (units×K float32, rows sum to 1,
  for every unit: training, held-out and empty ones), ``vocab`` (terms in id order) and
  ``alpha`` (K float64, the final document-topic prior);
* ``train.json``: settings, timings, the held-out per-word bound, the perplexity and the
  bound trajectory (``bound_log``);
* the engine's own model files (gensim ``save`` or tomotopy ``.bin``) for users. The
  workflow itself only ever reads the npz back (:func:`load_model_npz`, or
  :func:`load_topic_term` for ``topic_term`` alone; no pickle).

Engines
-------
``gensim`` (the reference)
    :class:`gensim.models.LdaModel`: online variational Bayes (Hoffman et al. 2010), one
    process. ``LdaMulticore`` is not used: its workers finish chunks in a race, so the
    order of the M-step updates, and hence the model, changes from run to run.
``tomotopy``
    :class:`tomotopy.LDAModel`: collapsed Gibbs sampling in C++. ``iterations`` is the
    total number of Gibbs sweeps; they run in ``passes`` equal blocks so that
    ``eval_every`` ("every this many passes") means the same for both engines.

Reproducibility
---------------
gensim gives bit-for-bit identical arrays for the same corpus, dictionary, config and
seed when, as here,

* the model is the single-process :class:`~gensim.models.LdaModel` with an integer
  ``random_state`` (it seeds the topic initialisation and every E-step's starting
  values), ``update_every=1`` and a fixed ``chunksize`` (:data:`GENSIM_CHUNKSIZE`,
  never derived from the number of cores), so the sequence of minibatch updates depends
  only on the corpus order;
* BLAS runs on one thread (:func:`threadpoolctl.threadpool_limits`): OpenBLAS may split a
  matrix-vector product between threads and add the partial sums in a thread-count
  dependent order, so the last bits could depend on the machine's core count. LDA's
  products are small (K × words of one document), so one thread costs nothing;
* evaluation does not disturb training: gensim's own ``eval_every`` evaluates on the
  current chunk with the model's random generator, so the model would depend on how
  often it is evaluated. It is switched off; the bound is computed in a per-pass
  callback with a separately seeded generator;
* the same versions of gensim, numpy, scipy and OpenBLAS on the same CPU family are used
  (different SIMD code paths can change the last bits; ``train.json`` records versions).

tomotopy is reproducible only with ``workers=1`` (used here): with more workers its
samplers share count tables and the result depends on thread timing (tomotopy warns
"The training result may differ even with fixed seed if workers != 1"). Training in
blocks and evaluating in between gives the same model as one long ``train`` call.

Held-out bound and perplexity
-----------------------------
``heldout_bound`` is a per-word log-likelihood (natural log) on the held-out units:

* gensim: the variational lower bound, as ``LdaModel.log_perplexity(heldout,
  total_docs=n_train)``: the document terms are measured on the held-out units and
  scaled to the size of the training corpus, the topic-word term is counted once, and
  the sum is divided by the scaled word count (the convention gensim uses for its own
  training-time estimate).
* tomotopy: the log-likelihood per word returned by ``LDAModel.infer`` on the held-out
  units (joint likelihood of words and sampled topics). Words that occur in no training
  unit are unknown to tomotopy and are left out of numerator and denominator.

``perplexity`` is ``2 ** (-heldout_bound)``, exactly what gensim logs as its "perplexity
estimate" (base 2 applied to a natural-log bound; ``exp(-bound)`` would be the textbook
value). Use it to compare models of one engine on one corpus only.

Examples
--------
>>> split = heldout_split(1000, fraction=0.1, seed=12345)  # doctest: +SKIP
>>> result = train_model(Path("preprocess/corpus.mm"), Path("preprocess/dictionary.txt"),
...     k=5, seed=1, model_cfg=config["model"], heldout=split,
...     out_npz=Path("model.npz"), out_json=Path("train.json"),
...     out_gensim_dir=Path("gensim"))  # doctest: +SKIP
>>> result.arrays.topic_term.shape  # doctest: +SKIP
(5, 2314)
"""

from __future__ import annotations

import logging
import math
import numbers
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from swedish_topics.errors import ConfigError
from swedish_topics.io import atomic_dir, atomic_save_npz, atomic_write_json, load_npz

logger = logging.getLogger(__name__)

ENGINES = ("gensim", "tomotopy")

#: Documents per gensim minibatch (gensim's default and the value of its tutorials). A
#: constant, so the sequence of updates never depends on the machine. A corpus of up to
#: this many training units is one minibatch, i.e. one topic update per pass; larger
#: corpora get ceil(units / 2000) updates per pass (online variational Bayes).
GENSIM_CHUNKSIZE = 2000

#: Documents per chunk when inferring theta for all units with gensim.
THETA_CHUNKSIZE = 2000

#: Gibbs sweeps per document when tomotopy infers held-out units (tomotopy's default).
TOMOTOPY_INFER_ITERATIONS = 100

NPZ_KEYS = ("topic_term", "theta", "vocab", "alpha")

#: The fifth array of ``model.npz``: units×K float32 topic counts of every unit (held-out
#: units included), the posterior of unit u's proportions being
#: Dirichlet(alpha + unit_topic_counts[u]). Not in :class:`ModelArrays`: read only by the
#: steps that draw from the posterior.
POSTERIOR_KEY = "unit_topic_counts"

#: Gibbs states averaged for ``unit_topic_counts`` (tomotopy): the last sweeps of training.
POSTERIOR_STATES = 10

Bow = Sequence[tuple[int, float]]


@dataclass(frozen=True)
class ModelArrays:
    """The portable arrays of one trained model (the content of ``model.npz``).

    Attributes
    ----------
    topic_term : numpy.ndarray
        K×V float64; row k is topic k's word distribution, column j is dictionary id j.
    theta : numpy.ndarray
        units×K float32; row i is the topic distribution of unit i (``corpus.mm`` row i).
    vocab : numpy.ndarray
        V terms (unicode) in dictionary-id order.
    alpha : numpy.ndarray
        K float64 document-topic Dirichlet prior of the final model.
    """

    topic_term: np.ndarray
    theta: np.ndarray
    vocab: np.ndarray
    alpha: np.ndarray

    @property
    def k(self) -> int:
        """Number of topics."""
        return int(self.topic_term.shape[0])

    @property
    def n_terms(self) -> int:
        """Vocabulary size."""
        return int(self.topic_term.shape[1])

    @property
    def n_units(self) -> int:
        """Number of units (rows of theta)."""
        return int(self.theta.shape[0])


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train_model` produced.

    Attributes
    ----------
    arrays : ModelArrays
        The arrays written to ``model.npz``.
    info : dict
        The content written to ``train.json``.
    """

    arrays: ModelArrays
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def heldout_bound(self) -> float | None:
        """Per-word log-likelihood bound on the held-out units (None without held-out)."""
        return self.info.get("heldout_bound")

    @property
    def perplexity(self) -> float | None:
        """``2 ** (-heldout_bound)`` (None without held-out)."""
        return self.info.get("perplexity")


# --------------------------------------------------------------------------- split


def heldout_split(n_units: int, *, fraction: float, seed: int) -> np.ndarray:
    """Choose the held-out units, the same for every model of the grid.

    Parameters
    ----------
    n_units : int
        Number of units (rows of ``corpus.mm``).
    fraction : float
        Share of units to hold out, in [0, 1). The count is ``round(fraction * n_units)``,
        at least 1 when ``fraction > 0`` and ``n_units >= 10``, and never all units.
    seed : int
        Seed of the :class:`numpy.random.Generator` (PCG64) that draws the units.

    Returns
    -------
    numpy.ndarray
        Sorted int64 indices of the held-out units.

    Examples
    --------
    >>> heldout_split(20, fraction=0.1, seed=1).tolist()
    [8, 10]
    """
    if isinstance(fraction, bool) or not 0 <= fraction < 1:
        raise ConfigError(
            f"model.heldout_fraction is {fraction!r}, but it must be a share in [0, 1): the "
            "part of the units held out for perplexity. Fix: set model.heldout_fraction "
            "in config/config.yaml to e.g. 0.1, or 0 to hold nothing out."
        )
    if n_units < 0:
        raise ValueError(f"n_units must be >= 0, got {n_units}")
    n_held = round(fraction * n_units)
    if fraction > 0 and n_units >= 10:
        n_held = max(n_held, 1)
    n_held = min(n_held, max(n_units - 1, 0))
    if n_held == 0:
        return np.zeros(0, dtype=np.int64)
    rng = np.random.Generator(np.random.PCG64(seed))
    chosen = rng.choice(n_units, size=n_held, replace=False)
    return np.sort(chosen).astype(np.int64)


# --------------------------------------------------------------------------- priors


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _check_prior(name: str, value: Any, allowed: tuple[str, ...]) -> None:
    if value is None and name == "eta":
        return
    if isinstance(value, str) and value in allowed:
        return
    if _is_number(value) and value > 0 and math.isfinite(value):
        return
    choices = ", ".join(allowed)
    null = " or null" if name == "eta" else ""
    raise ConfigError(
        f"model.{name} is {value!r}, which is not a valid Dirichlet prior. Fix: set "
        f"model.{name} in config/config.yaml to one of {choices}, a positive number{null}."
    )


def asymmetric_alpha(k: int) -> np.ndarray:
    """gensim's fixed asymmetric prior ``1/(i + sqrt(K))``, normalised to sum to 1."""
    raw = 1.0 / (np.arange(k, dtype=np.float64) + np.sqrt(k))
    return raw / raw.sum()


def gensim_priors(model_cfg: Mapping[str, Any]) -> tuple[str | float, str | float]:
    """Return ``(alpha, eta)`` as gensim's :class:`~gensim.models.LdaModel` takes them.

    ``eta: null`` becomes ``"symmetric"`` (1/K, gensim's default).
    """
    alpha = model_cfg.get("alpha", "symmetric")
    eta = model_cfg.get("eta")
    _check_prior("alpha", alpha, ("symmetric", "asymmetric", "auto"))
    _check_prior("eta", eta, ("symmetric", "auto"))
    return (
        alpha if isinstance(alpha, str) else float(alpha),
        "symmetric" if eta is None else (eta if isinstance(eta, str) else float(eta)),
    )


def tomotopy_priors(
    model_cfg: Mapping[str, Any], k: int
) -> tuple[float | list[float], float, bool]:
    """Translate the gensim-style priors for tomotopy.

    Returns
    -------
    alpha : float or list of float
        ``symmetric`` and ``auto`` start at 1/K, ``asymmetric`` is gensim's formula
        (:func:`asymmetric_alpha`), a number is used as is.
    eta : float
        1/K for ``null``/``symmetric`` (gensim's default), or the number.
    optimize_alpha : bool
        True for ``alpha: auto``: tomotopy then re-estimates alpha every 10 sweeps
        (``optim_interval``), as gensim's ``auto`` learns it.

    Raises
    ------
    ConfigError
        For ``eta: auto``: tomotopy cannot learn the topic-word prior.
    """
    alpha_cfg, eta_cfg = gensim_priors(model_cfg)
    if eta_cfg == "auto":
        raise ConfigError(
            "model.eta is 'auto', but the tomotopy engine cannot learn the topic-word prior "
            "eta (only gensim can). Fix: in config/config.yaml set model.eta to null "
            "(1/K) or a positive number, or set model.engine to gensim."
        )
    eta = 1.0 / k if eta_cfg == "symmetric" else float(eta_cfg)
    if alpha_cfg in ("symmetric", "auto"):
        return 1.0 / k, eta, alpha_cfg == "auto"
    if alpha_cfg == "asymmetric":
        return [float(a) for a in asymmetric_alpha(k)], eta, False
    return float(alpha_cfg), eta, False


# --------------------------------------------------------------------------- inputs


def _load_dictionary(dictionary_path: Path) -> Any:
    from gensim.corpora import Dictionary

    dictionary = Dictionary.load_from_text(str(dictionary_path))
    if len(dictionary) == 0:
        raise ConfigError(
            f"The vocabulary {dictionary_path} is empty: the vocabulary filters removed "
            "every term, so there is nothing to model. Fix: relax the filters in "
            "config/config.yaml (lower preprocess.vocabulary.no_below, raise "
            "preprocess.vocabulary.no_above), check preprocess.stopwords, or use a larger "
            "corpus; preprocess/units.tsv shows what is left of each unit."
        )
    ids = sorted(dictionary.keys())
    if ids != list(range(len(ids))):
        raise ValueError(f"{dictionary_path}: term ids are not 0..{len(ids) - 1}")
    return dictionary


def _vocab_array(dictionary: Any) -> np.ndarray:
    return np.array([dictionary[i] for i in range(len(dictionary))], dtype=str)


class _Subset:
    """A re-iterable view of the corpus rows where ``mask`` is true (has ``len``)."""

    def __init__(self, corpus: Iterable[Bow], mask: np.ndarray) -> None:
        self.corpus = corpus
        self.mask = mask

    def __len__(self) -> int:
        return int(self.mask.sum())

    def __iter__(self) -> Iterator[Bow]:
        for i, doc in enumerate(self.corpus):
            if self.mask[i]:
                yield doc


def _scan(
    corpus: Iterable[Bow], held_mask: np.ndarray, *, keep_heldout: bool
) -> tuple[np.ndarray, list[Bow]]:
    """One pass: the token count of every unit and (if ``keep_heldout``) the non-empty
    held-out units; tomotopy reads the held-out units itself, as word lists."""
    lengths = []
    heldout_docs = []
    for i, doc in enumerate(corpus):
        lengths.append(sum(cnt for _, cnt in doc))
        if keep_heldout and held_mask[i] and doc:
            heldout_docs.append(doc)
    return np.array(lengths, dtype=np.float64), heldout_docs


def _check_heldout(heldout: np.ndarray, n_units: int) -> np.ndarray:
    held = np.asarray(heldout, dtype=np.int64).ravel()
    if held.size and (held.min() < 0 or held.max() >= n_units or np.unique(held).size != held.size):
        raise ValueError(f"held-out indices must be unique and in [0, {n_units}), got {held}")
    return held


def _parse_schedule(model_cfg: Mapping[str, Any]) -> tuple[int, int, int]:
    passes = int(model_cfg.get("passes", 20))
    iterations = int(model_cfg.get("iterations", 400))
    eval_every = int(model_cfg.get("eval_every") or 0)
    if passes < 1 or iterations < 1 or eval_every < 0:
        raise ConfigError(
            f"model.passes ({passes}) and model.iterations ({iterations}) must be at least "
            f"1 and model.eval_every ({eval_every}) at least 0. Fix: correct them in "
            "config/config.yaml."
        )
    return passes, iterations, eval_every


def _is_eval_pass(pass_no: int, passes: int, eval_every: int) -> bool:
    return eval_every > 0 and (pass_no % eval_every == 0 or pass_no == passes)


def _normalise_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float64)
    return matrix / matrix.sum(axis=1, keepdims=True)


@dataclass
class _Fit:
    """What an engine returns to :func:`train_model`."""

    topic_term: np.ndarray
    theta: np.ndarray
    alpha: np.ndarray
    heldout_bound: float | None
    bound_log: list[dict[str, Any]]
    settings: dict[str, Any]
    #: units×K posterior topic counts (see :data:`POSTERIOR_KEY`).
    unit_topic_counts: np.ndarray


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
            if not _is_eval_pass(self.pass_no, passes, eval_every):
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


def _train_gensim(
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
) -> _Fit:
    import gensim
    from gensim.models import LdaModel

    alpha, eta = gensim_priors(model_cfg)
    passes, iterations, eval_every = _parse_schedule(model_cfg)
    train = _Subset(corpus, train_mask)
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
    topic_term = _normalise_rows(model.get_topics())

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
    theta = _normalise_rows(theta)

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
    return _Fit(topic_term, theta, alpha_final, heldout_bound, bound_log, settings, unit_counts)


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


def _train_tomotopy(
    corpus: Any,
    dictionary: Any,
    *,
    k: int,
    seed: int,
    model_cfg: Mapping[str, Any],
    train_mask: np.ndarray,
    heldout_index: np.ndarray,
    out_dir: Path | None,
) -> _Fit:
    import tomotopy as tp

    alpha, eta, optimize_alpha = tomotopy_priors(model_cfg, k)
    passes, iterations, eval_every = _parse_schedule(model_cfg)
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

    # `iterations` sweeps in `passes` blocks (the first blocks take the remainder)
    n_blocks = min(passes, iterations)
    blocks = [iterations // n_blocks + int(b < iterations % n_blocks) for b in range(n_blocks)]
    bound_log: list[dict[str, Any]] = []
    final_eval: tuple[list[Any], float] | None = None
    train_seconds = 0.0
    for block_no, sweeps in enumerate(blocks, start=1):
        final_eval = None  # only an evaluation after the last block is reused
        started = time.perf_counter()
        if block_no == n_blocks:
            train_counts = _train_collecting_counts(model, sweeps, k)
        else:
            model.train(sweeps, workers=1)
        train_seconds += time.perf_counter() - started
        if _is_eval_pass(block_no, n_blocks, eval_every):
            if heldout_words:
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

    # topic-term from the final sample's counts, over the full dictionary: terms that
    # occur in no training unit get the smoothed eta / (n_k + V * eta).
    to_dict = np.array([dictionary.token2id[w] for w in model.vocabs], dtype=np.int64)
    counts = _topic_term_counts(model.docs, to_dict, k, n_terms)
    eta_final = float(model.eta)
    # In place, K x V once: (counts + eta) / (n_k + V * eta), then rows summing to 1.
    topic_term = counts
    denominator = topic_term.sum(axis=1, keepdims=True) + n_terms * eta_final
    topic_term += eta_final
    topic_term /= denominator
    topic_term /= topic_term.sum(axis=1, keepdims=True)
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
    theta = _normalise_rows(theta)

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
        "train_seconds": train_seconds,
    }
    return _Fit(topic_term, theta, alpha_final, heldout_bound, bound_log, settings, unit_counts)


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

    dictionary = _load_dictionary(dictionary_path)
    corpus = MmCorpus(str(corpus_path))
    n_units = len(corpus)
    held = _check_heldout(heldout, n_units)
    held_mask = np.zeros(n_units, dtype=bool)
    held_mask[held] = True
    lengths, heldout_docs = _scan(corpus, held_mask, keep_heldout=engine == "gensim")
    train_mask = ~held_mask & (lengths > 0)
    n_train = int(train_mask.sum())
    if k < 1 or k > n_train:
        raise ConfigError(
            f"A model with K={k} topics needs at least {max(k, 1)} non-empty training units, "
            f"but {corpus_path} has {n_train} ({n_units} units, {held.size} held out, "
            f"{int((lengths == 0).sum())} empty). Fix: remove K={k} from model.k in "
            "config/config.yaml, lower model.heldout_fraction, use shorter units "
            "(preprocess.units.mode: paragraphs) or a larger corpus."
        )
    heldout_nonempty = [int(i) for i in held if lengths[i] > 0]
    logger.info(
        "training %s LDA, K=%d, seed=%d: %d training units (%d tokens), %d held out, %d empty",
        engine,
        k,
        seed,
        n_train,
        int(lengths[train_mask].sum()),
        held.size,
        int((lengths == 0).sum()),
    )

    with threadpool_limits(limits=1):
        if engine == "gensim":
            fit = _train_gensim(
                corpus,
                dictionary,
                k=k,
                seed=seed,
                model_cfg=model_cfg,
                train_mask=train_mask,
                heldout_docs=heldout_docs,
                heldout_words=float(lengths[heldout_nonempty].sum()),
                train_words=float(lengths[train_mask].sum()),
                out_dir=out_gensim_dir,
            )
        else:
            fit = _train_tomotopy(
                corpus,
                dictionary,
                k=k,
                seed=seed,
                model_cfg=model_cfg,
                train_mask=train_mask,
                heldout_index=held,
                out_dir=out_gensim_dir,
            )
    empty = lengths == 0
    fit.theta[empty] = fit.alpha / fit.alpha.sum()  # the prior mean (gensim gives the same)
    arrays = ModelArrays(
        topic_term=fit.topic_term.astype(np.float64),
        theta=fit.theta.astype(np.float32),
        vocab=_vocab_array(dictionary),
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
        "n_units": n_units,
        "n_train_units": n_train,
        "n_heldout_units": int(held.size),
        "n_empty_units": int(empty.sum()),
        "heldout_bound": bound,
        "perplexity": None if bound is None else 2.0 ** (-bound),
        "perplexity_definition": "2 ** (-heldout_bound), heldout_bound in nats per word",
        "bound_log": fit.bound_log,
        "bound_log_on": "heldout" if heldout_nonempty else "train",
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
