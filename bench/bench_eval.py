"""Section 3: coherence of a whole grid from one pass vs gensim's CoherenceModel.

``swedish_topics.coherence.coherence_many`` computes u_mass, c_npmi and c_v for every
model of a workflow run's grid in one call (one counting pass). gensim's
``CoherenceModel(processes=1)`` is run per model and measure on the same top-10 word ids,
texts (``units.tsv``), corpus (``corpus.mm``) and dictionary; because it is slow it is
timed on only ``n_gensim`` models, and its time per model is compared with ours per model
(our grid time divided by the grid size). Ours on those few models alone is timed too, so
the ratio without the grid's amortisation is also shown.
"""

from __future__ import annotations

import logging
import re
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

MEASURES = ("u_mass", "c_npmi", "c_v")


def _grid(results: Path) -> dict[str, Path]:
    def key(path: Path) -> tuple[int, int]:
        match = re.fullmatch(r"k(\d+)_s(\d+)", path.parent.name)
        assert match
        return int(match.group(1)), int(match.group(2))

    files = sorted((results / "models").glob("k*_s*/model.npz"), key=key)
    return {p.parent.name: p for p in files}


def run(results: Path, *, gensim_models: list[str]) -> dict[str, Any]:
    """Measure section 3 on the models of a workflow run in ``results``."""
    from gensim.corpora import Dictionary, MmCorpus
    from gensim.models import CoherenceModel
    from swedish_topics.coherence import coherence_many, iter_unit_lemmas, top_word_ids
    from swedish_topics.lda import load_model_npz

    pre = results / "preprocess"
    dictionary = Dictionary.load_from_text(str(pre / "dictionary.txt"))
    grid = _grid(results)
    topic_sets = {
        name: top_word_ids(load_model_npz(path).topic_term, 10) for name, path in grid.items()
    }

    def ours(sets: dict[str, list[list[int]]]) -> tuple[dict[str, Any], float]:
        started = time.perf_counter()
        values = coherence_many(
            sets,
            texts=iter_unit_lemmas(pre / "units.tsv"),
            corpus=MmCorpus(str(pre / "corpus.mm")),
            dictionary=dictionary,
            measures=MEASURES,
        )
        return values, time.perf_counter() - started

    ours_grid, ours_grid_seconds = ours(topic_sets)
    picked = [m for m in gensim_models if m in topic_sets] or [next(iter(topic_sets))]
    _, ours_picked_seconds = ours({m: topic_sets[m] for m in picked})

    texts = list(iter_unit_lemmas(pre / "units.tsv"))
    corpus = list(MmCorpus(str(pre / "corpus.mm")))
    gensim_seconds = dict.fromkeys(MEASURES, 0.0)
    max_diff = dict.fromkeys(MEASURES, 0.0)
    for name in picked:
        for measure in MEASURES:
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model = CoherenceModel(
                    topics=topic_sets[name],
                    texts=texts,
                    corpus=corpus,
                    dictionary=dictionary,
                    coherence=measure,
                    topn=10,
                    processes=1,
                )
                values = np.asarray(model.get_coherence_per_topic(), dtype=float)
            gensim_seconds[measure] += time.perf_counter() - started
            diff = float(np.max(np.abs(values - np.asarray(ours_grid[name][measure]))))
            max_diff[measure] = max(max_diff[measure], diff)
            logger.info(
                "gensim %s %s: %.1f s, max |diff| %.2e",
                name,
                measure,
                time.perf_counter() - started,
                diff,
            )
    n_grid, n_picked = len(topic_sets), len(picked)
    gensim_per_model = sum(gensim_seconds.values()) / n_picked
    ours_per_model = ours_grid_seconds / n_grid
    return {
        "grid_models": n_grid,
        "gensim_models": picked,
        "ours_grid_seconds": ours_grid_seconds,
        "ours_per_model": ours_per_model,
        "ours_alone_per_model": ours_picked_seconds / n_picked,
        "gensim_per_model": gensim_per_model,
        "gensim_seconds_by_measure": {m: s / n_picked for m, s in gensim_seconds.items()},
        "ratio": gensim_per_model / ours_per_model,
        "ratio_alone": gensim_per_model / (ours_picked_seconds / n_picked),
        "max_abs_diff": max_diff,
        "tokens": int(sum(len(t) for t in texts)),
        "units": len(texts),
    }
