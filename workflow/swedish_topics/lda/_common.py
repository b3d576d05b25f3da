"""What the engines share: the arrays, the held-out split, the priors and the inputs."""

from __future__ import annotations

import logging
import math
import numbers
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from swedish_topics.errors import ConfigError

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


def load_dictionary(dictionary_path: Path) -> Any:
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


def vocab_array(dictionary: Any) -> np.ndarray:
    return np.array([dictionary[i] for i in range(len(dictionary))], dtype=str)


class Subset:
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


def scan(
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


def check_heldout(heldout: np.ndarray, n_units: int) -> np.ndarray:
    held = np.asarray(heldout, dtype=np.int64).ravel()
    if held.size and (held.min() < 0 or held.max() >= n_units or np.unique(held).size != held.size):
        raise ValueError(f"held-out indices must be unique and in [0, {n_units}), got {held}")
    return held


def parse_schedule(model_cfg: Mapping[str, Any]) -> tuple[int, int, int]:
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


def is_eval_pass(pass_no: int, passes: int, eval_every: int) -> bool:
    return eval_every > 0 and (pass_no % eval_every == 0 or pass_no == passes)


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float64)
    return matrix / matrix.sum(axis=1, keepdims=True)


@dataclass
class Fit:
    """What an engine returns to :func:`train_model`."""

    topic_term: np.ndarray
    theta: np.ndarray
    alpha: np.ndarray
    heldout_bound: float | None
    bound_log: list[dict[str, Any]]
    settings: dict[str, Any]
    #: units×K posterior topic counts (see :data:`POSTERIOR_KEY`).
    unit_topic_counts: np.ndarray
