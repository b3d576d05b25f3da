"""Section 2: training time and topic quality of gensim, tomotopy and scikit-learn.

Every engine trains K topics with the same seed and symmetric priors 1/K
(``alpha = eta = 1/K``; scikit-learn's ``doc_topic_prior``/``topic_word_prior``):

- ``gensim``: ``swedish_topics.lda.train_model`` with ``engine: gensim`` (``LdaModel``,
  online variational Bayes, chunks of 2,000 documents);
- ``tomotopy``: ``train_model`` with ``engine: tomotopy`` (collapsed Gibbs sampling,
  one worker);
- ``sklearn``: ``sklearn.decomposition.LatentDirichletAllocation(learning_method="online",
  batch_size=2000)``, ``max_iter`` = passes, ``max_doc_update_iter`` = iterations, its
  own learning-rate defaults; the baseline.

Times are training only: ``train_seconds`` of ``train.json`` (loading the corpus,
inferring theta for every unit and the held-out evaluation excluded) and the ``fit``
call of scikit-learn.

Quality on the riksdag units is the mean c_npmi (``swedish_topics.coherence``, top 10
words, windows of 10 over ``units.tsv``). On a corpus generated from LDA with known topics
it is the recovery: the mean cosine similarity of true and estimated topic-word vectors
after one-to-one (Hungarian) matching.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

logger = logging.getLogger(__name__)


def recovery(true_topics: np.ndarray, estimated: np.ndarray) -> float:
    """Mean cosine similarity of one-to-one matched true and estimated topics.

    Parameters
    ----------
    true_topics, estimated
        ``(K, V)`` arrays (rows need not be normalised).

    Returns
    -------
    float
        In [0, 1] for non-negative inputs; 1 when every topic is recovered exactly (up to
        scale and order).
    """
    a = true_topics / np.linalg.norm(true_topics, axis=1, keepdims=True)
    b = estimated / np.linalg.norm(estimated, axis=1, keepdims=True)
    sim = a @ b.T
    rows, cols = linear_sum_assignment(-sim)
    return float(sim[rows, cols].mean())


def _train_package(
    corpus_mm: Path,
    dictionary: Path,
    *,
    k: int,
    seed: int,
    model_cfg: dict[str, Any],
    heldout: np.ndarray,
    out: Path,
) -> tuple[np.ndarray, dict[str, Any], float]:
    from swedish_topics.lda import train_model

    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    result = train_model(
        corpus_mm,
        dictionary,
        k=k,
        seed=seed,
        model_cfg=model_cfg,
        heldout=heldout,
        out_npz=out / "model.npz",
        out_json=out / "train.json",
        out_gensim_dir=None,
    )
    wall = time.perf_counter() - started
    return result.arrays.topic_term, result.info, wall


def _train_sklearn(
    corpus_mm: Path,
    n_terms: int,
    *,
    k: int,
    seed: int,
    passes: int,
    iterations: int,
    exclude: np.ndarray,
) -> tuple[np.ndarray, float]:
    from gensim.corpora import MmCorpus
    from gensim.matutils import corpus2csc
    from sklearn.decomposition import LatentDirichletAllocation
    from threadpoolctl import threadpool_limits

    matrix = corpus2csc(MmCorpus(str(corpus_mm)), num_terms=n_terms).T.tocsr()
    keep = np.ones(matrix.shape[0], dtype=bool)
    keep[exclude] = False
    keep &= np.asarray(matrix.sum(axis=1)).ravel() > 0
    matrix = matrix[keep]
    model = LatentDirichletAllocation(
        n_components=k,
        doc_topic_prior=1.0 / k,
        topic_word_prior=1.0 / k,
        learning_method="online",
        batch_size=2000,
        max_iter=passes,
        max_doc_update_iter=iterations,
        total_samples=matrix.shape[0],
        evaluate_every=-1,
        n_jobs=1,
        random_state=seed,
    )
    with threadpool_limits(limits=1):
        started = time.perf_counter()
        model.fit(matrix)
        seconds = time.perf_counter() - started
    comp = model.components_
    return comp / comp.sum(axis=1, keepdims=True), seconds


def engine_settings(quick: bool, tomotopy_cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """The runs of this section: name, engine and schedule.

    ``gensim`` and ``sklearn`` (online variational Bayes) get the same passes and
    per-document iterations; ``tomotopy`` gets the sweeps of ``bench/riksdag.yaml``. The
    full run adds gensim at the package defaults (20 passes × 400 iterations: do more
    passes close the gap?) and tomotopy with a quarter of the sweeps (is it still at
    least as good as gensim, in a fraction of the time?).
    """
    vb_passes, vb_iterations = (5, 50) if quick else (10, 100)
    sweeps, blocks = int(tomotopy_cfg["iterations"]), int(tomotopy_cfg["passes"])
    runs: list[dict[str, Any]] = [
        {"name": "gensim", "engine": "gensim", "passes": vb_passes, "iterations": vb_iterations},
        {"name": "tomotopy", "engine": "tomotopy", "passes": blocks, "iterations": sweeps},
        {"name": "sklearn", "engine": "sklearn", "passes": vb_passes, "iterations": vb_iterations},
    ]
    if not quick:
        runs.insert(
            1, {"name": "gensim-defaults", "engine": "gensim", "passes": 20, "iterations": 400}
        )
        runs.insert(
            3,
            {
                "name": "tomotopy-quarter",
                "engine": "tomotopy",
                "passes": max(1, blocks // 4),
                "iterations": max(1, sweeps // 4),
            },
        )
    return runs


def _schedule(run: dict[str, Any]) -> str:
    if run["engine"] == "tomotopy":
        return f"{run['iterations']} sweeps"
    return f"{run['passes']} passes × ≤{run['iterations']} it."


def train_all(
    corpus_mm: Path,
    dictionary_path: Path,
    *,
    k: int,
    seed: int,
    heldout: np.ndarray,
    runs: list[dict[str, Any]],
    work: Path,
) -> list[dict[str, Any]]:
    """Train every run on one corpus; return rows with topic_term arrays."""
    from gensim.corpora import Dictionary

    n_terms = len(Dictionary.load_from_text(str(dictionary_path)))
    rows = []
    for run in runs:
        logger.info("training %s, K=%d", run["name"], k)
        if run["engine"] == "sklearn":
            topic_term, seconds = _train_sklearn(
                corpus_mm,
                n_terms,
                k=k,
                seed=seed,
                passes=run["passes"],
                iterations=run["iterations"],
                exclude=heldout,
            )
            info: dict[str, Any] = {}
        else:
            model_cfg = {
                "engine": run["engine"],
                "alpha": "symmetric",
                "eta": None,
                "passes": run["passes"],
                "iterations": run["iterations"],
                "eval_every": 1 if run["engine"] == "tomotopy" else 0,
            }
            topic_term, info, _ = _train_package(
                corpus_mm,
                dictionary_path,
                k=k,
                seed=seed,
                model_cfg=model_cfg,
                heldout=heldout,
                out=work / run["name"],
            )
            seconds = float(info["train_seconds"])
        rows.append(
            {
                "name": run["name"],
                "schedule": _schedule(run),
                "train_seconds": seconds,
                "topic_term": topic_term,
                "bound_log": info.get("bound_log", []),
            }
        )
    return rows


def riksdag(
    results: Path, *, k: int, seed: int, runs: list[dict[str, Any]], work: Path
) -> list[dict[str, Any]]:
    """Train every engine on the units of a workflow run; add mean c_npmi."""
    from gensim.corpora import Dictionary
    from swedish_topics.coherence import coherence_many, iter_unit_lemmas, top_word_ids

    pre = results / "preprocess"
    with open(pre / "split.json", encoding="utf-8") as handle:
        heldout = np.asarray(json.load(handle)["heldout"], dtype=np.int64)
    rows = train_all(
        pre / "corpus.mm",
        pre / "dictionary.txt",
        k=k,
        seed=seed,
        heldout=heldout,
        runs=runs,
        work=work,
    )
    dictionary = Dictionary.load_from_text(str(pre / "dictionary.txt"))
    coherence = coherence_many(
        {row["name"]: top_word_ids(row["topic_term"], 10) for row in rows},
        texts=iter_unit_lemmas(pre / "units.tsv"),
        corpus=None,
        dictionary=dictionary,
        measures=("c_npmi",),
    )
    for row in rows:
        row["npmi"] = float(np.mean(coherence[row["name"]]["c_npmi"]))
        del row["topic_term"]
    return rows


def synthetic(
    *, n_tokens: int, k: int, seed: int, runs: list[dict[str, Any]], work: Path
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Train every engine on a corpus drawn from LDA; add topic recovery."""
    from gensim.corpora import Dictionary, MmCorpus
    from make_corpus import synthetic_lda_corpus

    work.mkdir(parents=True, exist_ok=True)
    data = synthetic_lda_corpus(n_tokens=n_tokens, k=k, seed=seed)
    n_vocab = data.topics.shape[1]
    dictionary = Dictionary.from_corpus(data.docs, id2word={i: f"w{i:05d}" for i in range(n_vocab)})
    dictionary.save_as_text(str(work / "dictionary.txt"))
    MmCorpus.save_corpus(str(work / "corpus.mm"), data.docs)
    index = work / "corpus.mm.index"
    if index.exists():
        index.unlink()
    rows = train_all(
        work / "corpus.mm",
        work / "dictionary.txt",
        k=k,
        seed=seed,
        heldout=np.zeros(0, dtype=np.int64),
        runs=runs,
        work=work,
    )
    for row in rows:
        row["recovery"] = recovery(data.topics, row.pop("topic_term"))
    meta = {
        "documents": len(data.docs),
        "tokens": data.n_tokens,
        "vocabulary": n_vocab,
        "k": k,
        "alpha": 0.1,
        "eta": 0.05,
    }
    return rows, meta
