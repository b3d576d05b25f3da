"""A stratified, seeded sample of documents for hand coding.

Every stratum gets documents before any stratum gets a second one: the strata are the
dominant topics of the model and the groups of every facet. Documents are drawn in a
seeded random order; first, each dominant topic (then each group of each facet, smallest
groups first, so that rare groups are not crowded out) receives ``per_stratum``
documents while the sample has room; the rest of the sample is drawn at random from the
documents left. With more strata than the sample size (290 municipalities, a sample of
100), the dominant topics are covered first and as many groups as fit.

Examples
--------
>>> import numpy as np
>>> theta = np.eye(3)[[0, 0, 1, 1, 2, 2]]
>>> picks = stratified_sample(theta, {"town": list("aabbcc")}, size=3, seed=1)
>>> sorted(int(np.argmax(theta[i])) for i in picks)
[0, 1, 2]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def stratified_sample(
    doc_theta: np.ndarray,
    facet_values: Mapping[str, Sequence[str]],
    *,
    size: int,
    seed: int,
    per_stratum: int = 1,
) -> list[int]:
    """Indices of the sampled documents (rows of ``doc_theta``), in sample order.

    Parameters
    ----------
    doc_theta
        ``(documents, K)`` topic proportions; a document's dominant topic is its largest.
    facet_values
        Facet → the value of every document (same order as ``doc_theta``).
    size
        Documents in the sample (all of them if the corpus has fewer).
    seed
        Seeds the order in which documents are drawn.
    per_stratum
        Documents each stratum receives before the rest is drawn at random.
    """
    from swedish_topics.analysis import make_rng

    n_docs = doc_theta.shape[0]
    size = min(size, n_docs)
    order = make_rng(seed, "coding_sample").permutation(n_docs)
    dominant = np.argmax(doc_theta, axis=1)
    strata: list[np.ndarray] = [dominant == t for t in range(doc_theta.shape[1])]
    for facet in sorted(facet_values):
        values = np.asarray(facet_values[facet], dtype=object)
        groups = sorted(set(values.tolist()), key=lambda g: (int((values == g).sum()), str(g)))
        strata += [values == g for g in groups]
    chosen: list[int] = []
    taken = np.zeros(n_docs, dtype=bool)
    for member in strata:
        need = per_stratum - int((member & taken).sum())
        for doc in order:
            if need <= 0 or len(chosen) >= size:
                break
            if member[doc] and not taken[doc]:
                chosen.append(int(doc))
                taken[doc] = True
                need -= 1
    for doc in order:
        if len(chosen) >= size:
            break
        if not taken[doc]:
            chosen.append(int(doc))
            taken[doc] = True
    return chosen
