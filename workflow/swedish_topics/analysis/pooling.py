"""Partially pooled group prevalence: an empirical-Bayes estimate beside the raw mean.

With 290 municipalities, many have a handful of documents, and their raw means are
wild. Per topic, the groups' true prevalences are modelled as draws from a normal
distribution around a common mean ``mu`` with variance ``tau²`` (estimated by the method
of moments of DerSimonian & Laird); a group's raw mean ``y_g`` with sampling variance
``v_g`` is pulled towards ``mu`` by the factor ``B_g = v_g / (v_g + tau²)``:

    pooled_g = mu + (1 - B_g) (y_g - mu),   var_g = (1 - B_g) v_g + B_g² var(mu)

A large group (small ``v_g``) keeps its raw mean; a group of one document moves most of
the way to ``mu``. ``v_g`` is the within-group variance of document proportions pooled
over all groups of at least two documents, divided by ``n_g`` (a group of 3 documents
says little about its own spread), plus the spread over the model's posterior draws.
The interval is normal (``pooled ± z · sqrt(var)``). Pooling trades bias for variance:
a group with a truly extreme prevalence is pulled too far, which the calibration study
measures per group-size bin with planted large effects among many null groups.

>>> import numpy as np
>>> out = pooled_estimates(np.array([[0.1], [0.5], [0.3]]), np.array([[0.04], [0.0001], [0.04]]))
>>> bool(abs(out[0][1, 0] - 0.5) < 0.01)  # the precise group keeps its mean
True
"""

from __future__ import annotations

import numpy as np


def pooled_estimates(
    means: np.ndarray, variances: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Empirical-Bayes estimates per column (topic) of ``means`` (G × K).

    Parameters
    ----------
    means, variances
        Raw group means and their sampling variances (NaN variance: group left out of
        the fit of ``mu`` and ``tau²``, and given the pooled mean).

    Returns
    -------
    pooled, pooled_var, shrinkage : numpy.ndarray
        G × K estimates, their variances, and ``B_g`` (0 = raw mean, 1 = common mean).
    """
    y = np.asarray(means, dtype=np.float64)
    v = np.asarray(variances, dtype=np.float64)
    ok = np.isfinite(v) & (v > 0) & np.isfinite(y)
    w = np.where(ok, 1.0 / np.where(ok, v, 1.0), 0.0)
    sw = w.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mu = (w * np.where(ok, y, 0.0)).sum(axis=0) / sw
        q = (w * np.where(ok, (y - mu) ** 2, 0.0)).sum(axis=0)
        g = ok.sum(axis=0)
        denom = sw - (w**2).sum(axis=0) / sw
        tau2 = np.maximum(0.0, (q - (g - 1)) / denom)
        var_mu = 1.0 / (sw + 0.0)
        b = np.where(np.isfinite(v), v / (v + tau2), 1.0)
    b = np.where(np.isfinite(b), b, 1.0)
    pooled = mu + (1.0 - b) * np.where(np.isfinite(y), y - mu, 0.0)
    pooled_var = (1.0 - b) * np.where(np.isfinite(v), v, 0.0) + b**2 * var_mu
    return pooled, pooled_var, b
