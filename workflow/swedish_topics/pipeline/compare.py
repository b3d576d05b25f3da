"""Rule functions of the adjusted comparisons: effects of all facets at once."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from swedish_topics.pipeline.analyse import FinalModel, PathLike, posterior_doc_draws

logger = logging.getLogger(__name__)


def effect_variables(cfg: Mapping[str, Any]) -> list[str]:
    """Every metadata column the effects formula uses (all facets by default)."""
    from swedish_topics.analysis.effects import parse_formula

    formula = (cfg["analysis"].get("effects") or {}).get("formula")
    terms = parse_formula(formula, list(cfg["facets"]))
    return list(dict.fromkeys(v for t in terms for v in t.variables))


def _columns_of_docs(
    metadata_csv: PathLike, doc_ids: Sequence[str], names: Sequence[str]
) -> dict[str, list[str]]:
    from swedish_topics.analysis import facet_groups
    from swedish_topics.corpus import read_metadata

    metadata = read_metadata(Path(metadata_csv), list(names))
    unknown = [n for n in names if n not in metadata.columns]
    if unknown:
        from swedish_topics.errors import ConfigError

        raise ConfigError(
            f"analysis.effects.formula uses {', '.join(unknown)}, but {metadata_csv} has no "
            f"such column (it has {', '.join(metadata.columns)}). Fix the formula or add the "
            "column to metadata.csv."
        )
    return {n: facet_groups(metadata.rows, doc_ids, n) for n in names}


def effects(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], outputs: Mapping[str, Any]
) -> None:
    """effects_by_<facet> for every facet: one regression on all facets at once.

    ``outputs["effects"]`` lists the CSV paths, one per facet in ``cfg["facets"]`` order.
    """
    from swedish_topics.analysis.effects import write_effects_tables

    final = FinalModel(inputs["model"], inputs["units_tsv"], inputs["validation"])
    names = effect_variables(cfg)
    columns = _columns_of_docs(inputs["metadata"], final.doc_ids, names)
    paths = dict(zip(cfg["facets"], outputs["effects"], strict=True))
    write_effects_tables(
        paths,
        columns=columns,
        numeric=list(cfg["numeric_facets"]),
        doc_theta=final.doc_theta,
        analysis_cfg=cfg["analysis"],
        min_group_docs=int(cfg["min_group_docs"]),
        doc_draws=posterior_doc_draws(final, cfg["analysis"]),
    )


def _neighbour_models(
    models: Sequence[Sequence[int]], k: int, seed: int
) -> tuple[list[int], list[int]]:
    """Indices into ``models`` of the other seeds of K, and of one model per neighbouring K."""
    ks = sorted({int(m[0]) for m in models})
    same = [i for i, (mk, ms) in enumerate(models) if int(mk) == k and int(ms) != seed]
    pos = ks.index(k)
    neighbours = [
        kk
        for kk in (ks[pos - 1] if pos > 0 else None, ks[pos + 1] if pos + 1 < len(ks) else None)
        if kk
    ]
    picked = []
    for kk in neighbours:
        cands = [i for i, (mk, _s) in enumerate(models) if int(mk) == kk]
        pref = [i for i in cands if int(models[i][1]) == seed]
        picked.append((pref or cands)[0])
    return same, picked


def _chosen_rows(path: PathLike, table: str, facet: str, value: str) -> list[dict[str, Any]]:
    from swedish_topics import io as sio
    from swedish_topics.analysis.robustness import untested_reason

    out = []
    for r in sio.read_csv(path):
        est = float(r[value]) if r[value] not in ("", None) else math.nan
        q = float(r["q_value"]) if r.get("q_value") not in ("", None) else math.nan
        out.append(
            {
                "table": table,
                "topic": int(r["topic"]),
                facet: r[facet],
                "term": r.get("term", "difference"),
                "estimate": est,
                "q_value": q,
                "untested": untested_reason(r, value),
            }
        )
    return out


def _other_model_tables(
    doc_theta: Any,
    matched: Any,
    design: Any,
    columns: Mapping[str, Sequence[str]],
    facets: Sequence[str],
    cfg: Mapping[str, Any],
) -> dict[str, dict[tuple[str, int, str, str], tuple[float, float]]]:
    """One other model's differences and effects: (table, topic, group, term) → (estimate,
    q-value); unmatched topics NaN."""
    import numpy as np

    from swedish_topics.analysis import group_moments, t_group_inference
    from swedish_topics.analysis.effects import effect_rows, fit_effects
    from swedish_topics.analysis.multiplicity import adjusted_qvalues, procedure
    from swedish_topics.analysis.score import score_group_inference

    acfg = cfg["analysis"]
    fdr = float(acfg.get("fdr", 0.05))
    method = procedure(acfg)
    ci_level = float(acfg["ci_level"])
    theta = np.nan_to_num(doc_theta)
    moderate = bool(acfg.get("moderate_variances", True))
    variance = str((acfg.get("effects") or {}).get("variance", "quasi"))
    fit = fit_effects(design, theta, moderate=moderate, variance=variance)
    # the same test as the chosen model's tables (score, or t for t and percentile)
    infer = score_group_inference if acfg.get("interval") == "score" else t_group_inference
    found: dict[str, dict[tuple[str, int, str, str], tuple[float, float]]] = {}
    for facet in facets:
        table: dict[tuple[str, int, str, str], tuple[float, float]] = {}
        moments = group_moments(theta, columns[facet], moderate=moderate)
        inf = infer(moments, ci_level=ci_level)["differences"]
        p = np.where(matched[None, :], inf["p_value"], np.nan)
        topic = np.broadcast_to(np.arange(p.shape[1])[None, :], p.shape)
        q = adjusted_qvalues(p.ravel(), topic.ravel(), method=method).reshape(p.shape)
        for gi, g in enumerate(moments.groups):
            for t in range(theta.shape[1]):
                value = float(inf["estimate"][gi, t]) if matched[t] else math.nan
                table[("differences", t + 1, g, "difference")] = (value, float(q[gi, t]))
        for r in effect_rows(
            design,
            fit,
            facet=facet,
            ci_level=ci_level,
            fdr=fdr,
            min_group_docs=2,
            multiplicity=method,
        ):
            ok = matched[r["topic"] - 1]
            table[("effects", r["topic"], r[facet], r["term"])] = (
                r["estimate"] if ok else math.nan,
                r["q_value"] if ok else math.nan,
            )
        found[facet] = table
    return found


def robustness(
    *,
    inputs: Mapping[str, Any],
    cfg: Mapping[str, Any],
    models: Sequence[Sequence[int]],
    outputs: Mapping[str, Any],
) -> None:
    """robustness_by_<facet>: does every difference and adjusted effect hold in the other
    seeds of the chosen K and in the neighbouring Ks? (See
    :mod:`swedish_topics.analysis.robustness`.)

    ``inputs``: ``choice``, ``models`` (npz per grid model, in ``models`` order),
    ``units_tsv``, ``validation``, ``metadata``, ``differences`` and ``effects`` (the
    chosen model's tables, lists in ``cfg["facets"]`` order). ``outputs["robustness"]``:
    one CSV per facet.
    """
    import json

    import numpy as np

    from swedish_topics import io as sio
    from swedish_topics.analysis import multiplicity as mt
    from swedish_topics.analysis import robustness as rb
    from swedish_topics.analysis.effects import (
        build_design,
        parse_formula,
    )
    from swedish_topics.analysis.posterior import aggregation_matrix

    facets = list(cfg["facets"])
    fdr = float(cfg["analysis"].get("fdr", 0.05))
    with open(inputs["choice"], encoding="utf-8") as handle:
        choice = json.load(handle)
    k, seed = int(choice["k"]), int(choice["seed"])
    same, neighbours = _neighbour_models(models, k, seed)
    final = FinalModel(inputs["model"], inputs["units_tsv"], inputs["validation"])
    agg = aggregation_matrix(final.unit_theta_by_doc)
    chosen_tt = sio.load_npz(inputs["model"], ["topic_term"])["topic_term"]
    names = effect_variables(cfg)
    columns = _columns_of_docs(inputs["metadata"], final.doc_ids, names)
    design = build_design(
        parse_formula((cfg["analysis"].get("effects") or {}).get("formula"), facets),
        columns,
        numeric=list(cfg["numeric_facets"]),
    )
    chosen = {
        f: _chosen_rows(d, "differences", f, "difference")
        + _chosen_rows(e, "effects", f, "estimate")
        for f, d, e in zip(facets, inputs["differences"], inputs["effects"], strict=True)
    }
    others: list[tuple[str, dict[str, dict[tuple[str, int, str, str], tuple[float, float]]]]] = []
    for kind, index in [("seed", i) for i in same] + [("k", i) for i in neighbours]:
        arrays = sio.load_npz(inputs["models"][index], ["topic_term", "theta"])
        other = rb.OtherModel(
            int(models[index][0]), int(models[index][1]), arrays["topic_term"], arrays["theta"]
        )
        unit_theta, matched = rb.mapped_unit_theta(chosen_tt, other, same_k=kind == "seed")
        doc_theta = np.asarray(agg @ unit_theta)
        doc_theta[:, ~matched] = np.nan
        found = _other_model_tables(doc_theta, matched, design, columns, facets, cfg)
        others.append((kind, found))
        logger.info("robustness: compared with K=%d seed=%d (%s)", other.k, other.seed, kind)
    for facet, path in zip(facets, outputs["robustness"], strict=True):
        rows = _robustness_rows(chosen[facet], others, facet, fdr)
        caption = (
            f"Robustness of the comparisons by {facet}: holds_in counts the other models in "
            f"which the difference or adjusted effect has the same sign and q ≤ {fdr:g} "
            f"({mt.PROCEDURES[mt.procedure(cfg['analysis'])]} over that model's table): "
            f"the {len(same)} other seed(s) of "
            f"K = {k} (topics matched one to one) and {len(neighbours)} neighbouring K (topics "
            f"matched to sums of topics; a topic below cosine similarity {rb.MATCH_THRESHOLD} "
            "is unmatched and does not hold). Other models' intervals reflect documents only. "
            "A comparison the chosen model could not test says 'not tested' and why (its "
            "counts are empty); models that could not test a comparison are not counted, "
            "and a row no other model could test is empty."
        )
        rb.write_robustness(path, rows, facet, caption)


def _robustness_rows(
    chosen: Sequence[Mapping[str, Any]],
    others: Sequence[tuple[str, Mapping[str, Mapping[Any, tuple[float, float]]]]],
    facet: str,
    fdr: float,
) -> list[dict[str, Any]]:
    """One row per chosen comparison: in how many other models it holds (see
    :func:`~swedish_topics.analysis.robustness.robustness_counts`)."""
    from swedish_topics import io as sio
    from swedish_topics.analysis import robustness as rb

    rows = []
    for r in chosen:
        key = (r["table"], r["topic"], r[facet], r["term"])
        found_here = [
            (kind, *found[facet].get(key, (math.nan, math.nan))) for kind, found in others
        ]
        rows.append(
            {
                "table": r["table"],
                "topic": r["topic"],
                facet: r[facet],
                "term": r["term"],
                **rb.robustness_counts(
                    r["estimate"], r["q_value"], found_here, fdr, r.get("untested", "")
                ),
                "other_estimates": ";".join(sio.format_value(v) for _k, v, _q in found_here),
            }
        )
    return rows
