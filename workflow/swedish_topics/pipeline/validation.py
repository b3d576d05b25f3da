"""Rule functions of validation, sensitivity and exports (issue 17).

* :func:`intrusion_tasks`: word and topic intrusion sheets, their key, a printable form.
* :func:`coding_sample`: the stratified hand-coding sample, its key, a printable form.
* :func:`export_doc_topics`: tidy document–topic proportions (Parquet, CSV), posterior
  draws when the model has them, a data dictionary.
* :func:`sensitivity_model`: a preprocessing variant's model with the main K and seed.
* :func:`sensitivity_summary`: every variant against the main run (table and figure).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from swedish_topics import io as sio
from swedish_topics.pipeline.analyse import FinalModel, facet_of_docs
from swedish_topics.pipeline.prepare import read_units_tsv

logger = logging.getLogger(__name__)

PathLike = str | Path

#: Words that show a topic in a topic-intrusion task and in the codebook.
TOPIC_WORDS = 8


def _topic_words(topic_term: np.ndarray, vocab: Sequence[str]) -> dict[int, list[str]]:
    top = np.argsort(-topic_term, axis=1, kind="stable")[:, :TOPIC_WORDS]
    return {t + 1: [str(vocab[i]) for i in row] for t, row in enumerate(top)}


def intrusion_tasks(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], outputs: Mapping[str, PathLike]
) -> None:
    """validation/word_intrusion.csv, topic_intrusion.csv, key/…, intrusion_form.html."""
    from swedish_topics import coding
    from swedish_topics.terms import load_unit_texts, trim_text

    vcfg = cfg["validation"]
    seed = int(vcfg["seed"])
    arrays = sio.load_npz(inputs["model"], ["topic_term", "theta", "vocab"])
    vocab = [str(v) for v in arrays["vocab"]]
    words = coding.word_intrusion_tasks(
        arrays["topic_term"], vocab, seed=seed, tasks_per_topic=int(vcfg["word_tasks_per_topic"])
    )
    units = read_units_tsv(inputs["units_tsv"], ("unit_id", "doc_id", "n_tokens"))
    chosen = coding.choose_passages(
        arrays["theta"], units["n_tokens"], seed=seed, per_topic=int(vcfg["topic_tasks_per_topic"])
    )
    ids = [units["unit_id"][u] for u in chosen]
    texts = load_unit_texts(inputs["units_jsonl"], ids, n_units=len(units["unit_id"]))
    max_chars = int(vcfg["passage_max_chars"])
    topics = coding.topic_intrusion_tasks(
        arrays["theta"],
        chosen,
        unit_ids=ids,
        doc_ids=[units["doc_id"][u] for u in chosen],
        texts=[trim_text(t, max_chars) for t in texts],
        seed=seed,
    )
    topic_words = _topic_words(arrays["topic_term"], vocab)
    sheet, key = coding.word_rows(words)
    sio.write_csv(outputs["word_sheet"], sheet, coding.WORD_SHEET_COLUMNS)
    sio.write_csv(outputs["word_key"], key, coding.WORD_KEY_COLUMNS)
    sheet, key = coding.topic_rows(topics, topic_words)
    sio.write_csv(outputs["topic_sheet"], sheet, coding.TOPIC_SHEET_COLUMNS)
    sio.write_csv(outputs["topic_key"], key, coding.TOPIC_KEY_COLUMNS)
    sio.atomic_write_text(outputs["form"], coding.intrusion_form(words, topics, topic_words))
    logger.info("%d word- and %d topic-intrusion tasks", len(words), len(topics))


def _doc_texts(units_jsonl: PathLike, doc_ids: set[str]) -> dict[str, str]:
    """The cleaned text of each of ``doc_ids``: its units' passages, blank-line separated."""
    parts: dict[str, list[str]] = {}
    with open(units_jsonl, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                if record["doc_id"] in doc_ids:
                    parts.setdefault(record["doc_id"], []).append(record["text"])
    return {d: "\n\n".join(p) for d, p in parts.items()}


def coding_sample(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], outputs: Mapping[str, PathLike]
) -> None:
    """validation/coding_sample.csv (text, empty code), key/coding_sample_key.csv, a form."""
    from swedish_topics import coding
    from swedish_topics.terms import trim_text

    vcfg = cfg["validation"]
    final = FinalModel(inputs["model"], inputs["units_tsv"], inputs["validation"])
    facets = {f: facet_of_docs(inputs["metadata"], final.doc_ids, f) for f in cfg["facets"]}
    picks = coding.stratified_sample(
        final.doc_theta,
        facets,
        size=int(vcfg["coding_sample_size"]),
        seed=int(vcfg["seed"]),
        per_stratum=int(vcfg["coding_per_stratum"]),
    )
    texts = _doc_texts(inputs["units_jsonl"], {final.doc_ids[i] for i in picks})
    max_chars = int(vcfg["coding_max_chars"])
    sheet, key = [], []
    for n, i in enumerate(picks, start=1):
        doc_id = final.doc_ids[i]
        sample_id = f"S{n:04d}"
        sheet.append(
            {"sample_id": sample_id, "doc_id": doc_id, "text": trim_text(texts[doc_id], max_chars)}
        )
        key.append(
            {
                "sample_id": sample_id,
                "doc_id": doc_id,
                "dominant_topic": int(np.argmax(final.doc_theta[i])) + 1,
                "dominant_weight": float(np.max(final.doc_theta[i])),
                "strata": "; ".join(f"{f}={v[i]}" for f, v in facets.items()),
            }
        )
    sio.write_csv(outputs["sheet"], sheet, coding.CODING_SHEET_COLUMNS)
    sio.write_csv(outputs["key"], key, coding.CODING_KEY_COLUMNS)
    codebook = [
        (int(r["topic"]), r["label"], r["top_terms"]) for r in sio.read_csv(inputs["topics"])
    ]
    form = coding.coding_form([(r["sample_id"], r["text"]) for r in sheet], codebook)
    sio.atomic_write_text(outputs["form"], form)
    logger.info("coding sample: %d of %d documents", len(picks), len(final.doc_ids))


def export_doc_topics(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], outputs: Mapping[str, PathLike]
) -> None:
    """exports/doc_topics.{parquet,csv}, doc_topic_draws.parquet, data_dictionary.md."""
    from swedish_topics import exports
    from swedish_topics.analysis import make_rng, units_by_doc

    final = FinalModel(inputs["model"], inputs["units_tsv"], inputs["validation"])
    facets = {f: facet_of_docs(inputs["metadata"], final.doc_ids, f) for f in cfg["facets"]}
    labels = {int(r["topic"]): r["label"] for r in sio.read_csv(inputs["topics"])}
    n_rows = exports.write_doc_topics_export(
        outputs["parquet"],
        outputs["csv"],
        doc_theta=final.doc_theta,
        doc_ids=final.doc_ids,
        facet_values=facets,
        numeric_facets=cfg["numeric_facets"],
        labels=labels,
    )
    n_draws = int(cfg["exports"]["posterior_draws"])
    draws = None
    if n_draws > 0:
        arrays = sio.load_npz(inputs["model"], ["unit_topic_counts", "alpha"])
        units = read_units_tsv(inputs["units_tsv"], ("doc_id", "n_tokens"))
        count_units = units_by_doc(
            arrays["unit_topic_counts"], units["doc_id"], units["n_tokens"], final.doc_ids
        )
        rng = make_rng(int(cfg["exports"]["seed"]), "posterior_draws")
        draws = exports.iter_posterior_draws(arrays["alpha"], count_units, n_draws=n_draws, rng=rng)
        note = (
            f"{n_draws} draws per document from the model's posterior: each unit's proportions "
            "from Dirichlet(alpha + unit_topic_counts), averaged over the document's units "
            f"with token weights (seed {cfg['exports']['seed']})."
        )
    else:
        note = "No draws: exports.posterior_draws is 0."
    n_draw_rows = exports.write_draws(outputs["draws"], final.doc_ids, draws)
    text = exports.data_dictionary(
        facets=cfg["facets"],
        numeric_facets=cfg["numeric_facets"],
        n_rows=n_rows,
        n_draw_rows=n_draw_rows,
        n_draws=n_draws,
        draws_note=note,
    )
    sio.atomic_write_text(outputs["dictionary"], text)


def sensitivity_model(
    *,
    inputs: Mapping[str, PathLike],
    cfg: Mapping[str, Any],
    outputs: Mapping[str, PathLike],
    variant: str = "",
) -> None:
    """Train a variant's model with the main run's chosen K and seed (choice.json).

    A problem of the variant's corpus (e.g. fewer units than K, with units of whole
    documents) is reported as a :class:`~swedish_topics.errors.UserError` that names the
    variant.
    """
    from swedish_topics.errors import UserError
    from swedish_topics.pipeline.model import train_lda

    with open(inputs["choice"], encoding="utf-8") as handle:
        choice = json.load(handle)
    logger.info("variant model: K=%s, seed=%s (the main run's choice)", choice["k"], choice["seed"])
    try:
        train_lda(
            inputs=inputs, cfg=cfg, k=int(choice["k"]), seed=int(choice["seed"]), outputs=outputs
        )
    except UserError as err:
        raise UserError(
            f"Sensitivity variant {variant!r} cannot be modelled with the main run's K = "
            f"{choice['k']}: {err} For this variant, remove it from sensitivity.run or change "
            f"its preprocessing (sensitivity.variants.{variant})."
        ) from None


def _by_facet(paths: Sequence[PathLike], facets: Sequence[str]) -> dict[str, list[dict[str, str]]]:
    return {f: sio.read_csv(p) for f, p in zip(facets, paths, strict=True)}


def _variant_effects(
    perm: np.ndarray,
    main_diff: Mapping[str, list[dict[str, str]]],
    var_diff: Mapping[str, list[dict[str, str]]],
    main_trend: Mapping[str, list[dict[str, str]]],
    var_trend: Mapping[str, list[dict[str, str]]],
    main_eff: Mapping[str, list[dict[str, str]]] | None = None,
    var_eff: Mapping[str, list[dict[str, str]]] | None = None,
) -> list[dict[str, Any]]:
    """Every significant main effect (differences, trends, adjusted effects) against one
    variant."""
    from swedish_topics.sensitivity import compare_effects

    rows: list[dict[str, Any]] = []
    for f, main_rows in main_diff.items():
        rows += compare_effects(
            main_rows, var_diff[f], perm, table=f"differences_by_{f}", facet=f, group_column=f
        )
    for f, main_rows in main_trend.items():
        rows += compare_effects(
            main_rows, var_trend[f], perm, table=f"trend_by_{f}", facet=f, group_column=None
        )
    for f, main_rows in (main_eff or {}).items():
        rows += compare_effects(
            _effect_groups(main_rows, f),
            _effect_groups((var_eff or {})[f], f),
            perm,
            table=f"effects_by_{f}",
            facet=f,
            group_column="group",
        )
    return rows


def _effect_groups(rows: Sequence[Mapping[str, str]], facet: str) -> list[dict[str, str]]:
    """Rows of ``effects_by_<facet>`` with a ``group`` key that is unique per topic: the
    facet value, and the model term when it is not the facet itself (an interaction)."""
    return [
        {**r, "group": r[facet] if r.get("term", facet) == facet else f"{r[facet]} · {r['term']}"}
        for r in rows
    ]


def _of_variant(paths: Sequence[PathLike], v: int, facets: Sequence[str]) -> dict[str, Any]:
    """Variant ``v``'s tables of ``facets`` (the inputs list them variant by variant)."""
    return _by_facet(paths[v * len(facets) : (v + 1) * len(facets)], facets)


def sensitivity_summary(
    *,
    inputs: Mapping[str, Any],
    cfg: Mapping[str, Any],
    variants: Sequence[str],
    outputs: Mapping[str, PathLike],
) -> None:
    """sensitivity/summary.csv, matches.csv, effects.csv and the figure.

    ``inputs`` holds the main run's ``model``, ``choice``, ``stability`` (the seeds'
    agreement per K, a yardstick for the variants' similarity), ``differences`` (one per
    facet) and ``trends`` (one per numeric facet), and per variant (in ``variants``
    order, facets within) ``variant_models``, ``variant_summaries``,
    ``variant_differences`` and ``variant_trends``; with ``effects`` (one per facet, the
    adjusted effects) also ``variant_effects``.
    """
    from swedish_topics import sensitivity as sens
    from swedish_topics.figures.validation import plot_sensitivity

    facets, numeric = list(cfg["facets"]), [f for f in cfg["facets"] if f in cfg["numeric_facets"]]
    main = sio.load_npz(inputs["model"], ["topic_term", "vocab"])
    main_diff = _by_facet(inputs["differences"], facets)
    main_trend = _by_facet(inputs["trends"], numeric)
    main_eff = _by_facet(inputs.get("effects") or [], facets) if inputs.get("effects") else {}
    with open(inputs["choice"], encoding="utf-8") as handle:
        choice = json.load(handle)
    stability = {int(r["k"]): r["stability_mean"] for r in sio.read_csv(inputs["stability"])}
    summary, matches, effects = [], [], []
    for v, name in enumerate(variants):
        var = sio.load_npz(inputs["variant_models"][v], ["topic_term", "vocab"])
        perm, sim = sens.match_shared(
            main["topic_term"], list(main["vocab"]), var["topic_term"], list(var["vocab"])
        )
        shared = len(set(main["vocab"].tolist()) & set(var["vocab"].tolist()))
        var_diff = _of_variant(inputs["variant_differences"], v, facets)
        var_trend = _of_variant(inputs["variant_trends"], v, numeric)
        var_eff = _of_variant(inputs["variant_effects"], v, facets) if main_eff else {}
        rows = _variant_effects(perm, main_diff, var_diff, main_trend, var_trend, main_eff, var_eff)
        last = sio.read_csv(inputs["variant_summaries"][v])[-1]
        basis = sens.significance_basis(next(iter(main_diff.values()), []))
        summary.append(
            sens.summary_row(
                name,
                change=sens.describe_change(cfg["sensitivity"]["variants"][name] or {}),
                similarity=sim,
                effects=rows,
                basis=basis,
                extra={
                    "k": choice["k"],
                    "seed": choice["seed"],
                    "n_units": int(last["units"]),
                    "vocabulary": int(last["types"]),
                    "shared_vocabulary": shared,
                    "main_seed_stability": stability.get(int(choice["k"]), ""),
                },
            )
        )
        matches += [
            {
                "variant": name,
                "topic": t + 1,
                "variant_topic": int(perm[t]) + 1,
                "similarity": float(sim[t]),
            }
            for t in range(len(perm))
        ]
        effects += [{"variant": name, **r} for r in rows]
    sio.write_table(
        outputs["summary"],
        summary,
        SUMMARY_COLUMNS,
        "Sensitivity of the topics and effects to preprocessing variants.",
    )
    sio.write_csv(outputs["matches"], matches, ["variant", "topic", "variant_topic", "similarity"])
    sio.write_csv(outputs["effects"], effects, EFFECT_COLUMNS)
    plot_sensitivity(outputs["summary"], outputs["matches"], outputs["figure"])


SUMMARY_COLUMNS = [
    "variant",
    "change",
    "k",
    "seed",
    "n_units",
    "vocabulary",
    "shared_vocabulary",
    "mean_similarity",
    "min_similarity",
    "main_seed_stability",
    "n_effects",
    "kept_sign",
    "kept_significance",
    "share_kept_sign",
    "share_kept_significance",
    "significance_basis",
]
EFFECT_COLUMNS = [
    "variant",
    "table",
    "facet",
    "group",
    "topic",
    "estimate",
    "flag",
    "variant_topic",
    "variant_estimate",
    "variant_significant",
    "keeps_sign",
    "keeps_significance",
]


def _newer_or_none(table: Path, key: Path) -> list[dict[str, str]] | None:
    """The rows of a score table, if it exists and was written after its key (else the
    scores belong to earlier tasks and are left out)."""
    if not table.is_file():
        return None
    if key.is_file() and table.stat().st_mtime < key.stat().st_mtime:
        logger.warning("%s is older than %s: scores of earlier tasks, not used", table, key)
        return None
    return sio.read_csv(table)


def validation_facts(results: PathLike, cfg: Mapping[str, Any]) -> dict[str, Any]:
    """What the methods text says about validation, read from the results folder.

    The tasks and the sample come from ``validation/key/``, the coders' scores from
    ``tables/intrusion_summary.csv`` and ``tables/coding_scores.csv`` (written by
    ``python -m swedish_topics.coding``; left out when older than the keys), the
    sensitivity results from ``sensitivity/summary.csv``; a missing file is left out.
    """
    results = Path(results)
    keys = results / "validation" / "key"
    facts: dict[str, Any] = {"seed": cfg["validation"]["seed"], "facets": list(cfg["facets"])}
    for name, fact in (
        ("word_intrusion_key.csv", "word_tasks"),
        ("topic_intrusion_key.csv", "topic_tasks"),
        ("coding_sample_key.csv", "coding_size"),
    ):
        if (keys / name).is_file():
            facts[fact] = len(sio.read_csv(keys / name))
    tables = results / "tables"
    facts["intrusion_scores"] = _newer_or_none(
        tables / "intrusion_summary.csv", keys / "word_intrusion_key.csv"
    )
    facts["coding_scores"] = _newer_or_none(
        tables / "coding_scores.csv", keys / "coding_sample_key.csv"
    )
    summary = results / "sensitivity" / "summary.csv"
    facts["sensitivity"] = sio.read_csv(summary) if summary.is_file() else None
    return facts
