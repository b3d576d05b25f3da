"""Representative passages of every topic within every group of a facet."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from swedish_topics.terms import passage_units


def passages_by_group(
    theta: np.ndarray,
    unit_doc_ids: Sequence[str],
    unit_group: np.ndarray,
    n_groups: int,
    *,
    n_passages: int,
    min_weight: float,
    unit_n_tokens: Sequence[int] | None = None,
) -> dict[tuple[int, int], list[int]]:
    """Per (topic, group), the units of the group that carry the topic most.

    The selection of :func:`swedish_topics.terms.passage_units` (long enough units first,
    at most two per document) within each group, keeping only units whose proportion of
    the topic is at least ``min_weight``: a group that hardly mentions a topic gets no
    passage rather than one that is not about it.

    Returns
    -------
    dict
        ``(topic index, group index)`` → unit positions, highest proportion first
        (pairs without a passage are absent).
    """
    theta = np.asarray(theta)
    tokens = np.asarray(unit_n_tokens) if unit_n_tokens is not None else None
    out: dict[tuple[int, int], list[int]] = {}
    order = np.argsort(unit_group, kind="stable")
    bounds = np.searchsorted(unit_group[order], np.arange(n_groups + 1))
    for g in range(n_groups):
        members = order[bounds[g] : bounds[g + 1]]
        if members.size == 0:
            continue
        sub = theta[members]
        # Topics no unit of the group carries strongly need no search.
        strong = np.flatnonzero(sub.max(axis=0) >= min_weight)
        if strong.size == 0:
            continue
        chosen = passage_units(
            sub[:, strong],
            [unit_doc_ids[i] for i in members],
            n_passages=n_passages,
            unit_n_tokens=tokens[members].tolist() if tokens is not None else None,
        )
        for j, k in enumerate(strong):
            units = [int(members[i]) for i in chosen[j] if sub[i, k] >= min_weight]
            if units:
                out[(int(k), g)] = units
    return out
