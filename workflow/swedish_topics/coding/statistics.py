"""Agreement statistics: accuracy, Cohen's κ, Krippendorff's α (nominal), confusion table.

Plain functions on sequences of labels, checked in the tests against textbook examples
(Krippendorff 2011) and scikit-learn's ``cohen_kappa_score``.

Examples
--------
>>> cohen_kappa([1, 1, 2, 2], [1, 1, 2, 2])
1.0
>>> round(krippendorff_alpha([[1, 2, 3], [1, 2, 3]]), 3)
1.0
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Sequence
from typing import Any


def accuracy(coded: Sequence[Hashable], reference: Sequence[Hashable]) -> float:
    """Share of positions where ``coded`` equals ``reference`` (NaN when empty)."""
    if len(coded) != len(reference):
        raise ValueError(f"{len(coded)} codes for {len(reference)} references")
    if not coded:
        return math.nan
    return sum(a == b for a, b in zip(coded, reference, strict=True)) / len(coded)


def cohen_kappa(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Cohen's κ of two codings of the same items: (p_o − p_e) / (1 − p_e).

    ``p_o`` is the observed agreement, ``p_e`` the agreement expected from the two
    codings' marginal frequencies. 1 when they agree on everything; NaN when
    ``p_e = 1`` (both use a single, identical category) or there are no items.
    """
    if len(a) != len(b):
        raise ValueError(f"{len(a)} codes against {len(b)}")
    n = len(a)
    if n == 0:
        return math.nan
    p_o = sum(x == y for x, y in zip(a, b, strict=True)) / n
    count_a, count_b = Counter(a), Counter(b)
    p_e = sum(count_a[c] * count_b[c] for c in count_a) / (n * n)
    if p_e >= 1.0:
        return math.nan
    return (p_o - p_e) / (1.0 - p_e)


def krippendorff_alpha(data: Sequence[Sequence[Hashable | None]]) -> float:
    """Krippendorff's α for nominal data, with missing values.

    Parameters
    ----------
    data
        One row per coder, one column per unit (task); ``None`` where a coder gave no
        value. Units with fewer than two values are not pairable and are left out.

    Returns
    -------
    float
        ``1 − D_o / D_e`` from the coincidence matrix (Krippendorff 2011, "Computing
        Krippendorff's alpha-reliability"); 1 is perfect agreement, 0 agreement at chance.
        NaN when fewer than two values are pairable or every value is the same.
    """
    if not data:
        return math.nan
    n_units = len(data[0])
    if any(len(row) != n_units for row in data):
        raise ValueError("every coder's row must have one value per unit")
    coincidence: dict[tuple[Any, Any], float] = {}
    for u in range(n_units):
        values = [row[u] for row in data if row[u] is not None]
        m = len(values)
        if m < 2:
            continue
        counts = Counter(values)
        for c, n_c in counts.items():
            for k, n_k in counts.items():
                pairs = n_c * (n_k - 1) if c == k else n_c * n_k
                coincidence[(c, k)] = coincidence.get((c, k), 0.0) + pairs / (m - 1)
    n_c_totals: dict[Any, float] = {}
    for (c, _k), value in coincidence.items():
        n_c_totals[c] = n_c_totals.get(c, 0.0) + value
    n = sum(n_c_totals.values())
    if n < 2:
        return math.nan
    observed = sum(v for (c, k), v in coincidence.items() if c != k)
    expected = sum(n_c_totals[c] * n_c_totals[k] for c in n_c_totals for k in n_c_totals if c != k)
    if expected == 0:
        return math.nan
    return 1.0 - (n - 1) * observed / expected


def confusion_table(
    coded: Sequence[Hashable], reference: Sequence[Hashable], labels: Sequence[Hashable]
) -> list[list[int]]:
    """Counts ``[i][j]`` of items coded ``labels[i]`` whose reference is ``labels[j]``."""
    index = {label: i for i, label in enumerate(labels)}
    table = [[0] * len(labels) for _ in labels]
    for c, r in zip(coded, reference, strict=True):
        table[index[c]][index[r]] += 1
    return table
