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

Modules: :mod:`._common` (the arrays, the split, the priors, the inputs),
:mod:`._gensim` and :mod:`._tomotopy` (one engine each), :mod:`._train`
(:func:`train_model` and the readers of its npz); their public faces are imported here.
"""

from __future__ import annotations

from swedish_topics.lda._common import (
    ENGINES,
    GENSIM_CHUNKSIZE,
    NPZ_KEYS,
    POSTERIOR_KEY,
    POSTERIOR_STATES,
    THETA_CHUNKSIZE,
    TOMOTOPY_INFER_ITERATIONS,
    Bow,
    ModelArrays,
    TrainResult,
    asymmetric_alpha,
    gensim_priors,
    heldout_split,
    tomotopy_priors,
)
from swedish_topics.lda._tomotopy import COUNT_CHUNK_TOKENS
from swedish_topics.lda._train import load_model_npz, load_topic_term, train_model

__all__ = [
    "COUNT_CHUNK_TOKENS",
    "ENGINES",
    "GENSIM_CHUNKSIZE",
    "NPZ_KEYS",
    "POSTERIOR_KEY",
    "POSTERIOR_STATES",
    "THETA_CHUNKSIZE",
    "TOMOTOPY_INFER_ITERATIONS",
    "Bow",
    "ModelArrays",
    "TrainResult",
    "asymmetric_alpha",
    "gensim_priors",
    "heldout_split",
    "load_model_npz",
    "load_topic_term",
    "tomotopy_priors",
    "train_model",
]
