"""Rule functions of the report: figures, provenance and the methods text."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swedish_topics import io as sio
from swedish_topics.pipeline.prepare import (
    load_validation,
)

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

PathLike = str | Path


# ------------------------------------------------------------------------- figures
def _stem(out_png: PathLike) -> Path:
    path = Path(out_png)
    return path.with_suffix("")


def plot_model_selection(*, inputs: Mapping[str, PathLike], out_png: PathLike) -> None:
    """Figure: each metric against K with the spread across seeds; the chosen K marked."""
    from swedish_topics import figures

    figures.plot_model_selection(
        inputs["metrics"], inputs["stability"], inputs["choice"], _stem(out_png)
    )


def plot_top_terms(*, inputs: Mapping[str, PathLike], out_png: PathLike) -> None:
    """Figure: the top terms of every topic."""
    from swedish_topics import figures

    figures.plot_top_terms(inputs["topic_terms"], inputs["topics"], _stem(out_png))


def plot_prevalence_heatmap(
    *,
    inputs: Mapping[str, PathLike],
    facet: str,
    max_groups: int,
    out_png: PathLike,
    pool_from_groups: int | None = None,
) -> None:
    """Figure: topic prevalence by group of a categorical facet (the largest groups);
    the partially pooled estimates when the facet has at least ``pool_from_groups``
    groups (``analysis.pool_figures_from_groups``; None: never)."""
    from swedish_topics import figures

    figures.plot_prevalence_heatmap(
        inputs["prevalence"],
        inputs["topics"],
        facet,
        _stem(out_png),
        max_groups=max_groups,
        pool_from_groups=pool_from_groups,
    )


def plot_prevalence_trend(*, inputs: Mapping[str, PathLike], facet: str, out_png: PathLike) -> None:
    """Figure: topic prevalence over a numeric facet with interval bands."""
    from swedish_topics import figures

    figures.plot_prevalence_trend(inputs["prevalence"], inputs["topics"], facet, _stem(out_png))


def plot_differences(
    *, inputs: Mapping[str, PathLike], facet: str, max_groups: int, out_png: PathLike
) -> None:
    """Figure: each group's difference to the rest of the corpus (the largest groups)."""
    from swedish_topics import figures

    figures.plot_differences(
        inputs["differences"], inputs["topics"], facet, _stem(out_png), max_groups=max_groups
    )


def plot_effects(
    *, inputs: Mapping[str, PathLike], facet: str, max_groups: int, out_png: PathLike
) -> None:
    """Figure: the adjusted effects of one facet (FDR-significant ones filled); with a
    robustness table among the inputs, other models' estimates as small marks."""
    from swedish_topics import figures

    marks = None
    if inputs.get("robustness"):
        from swedish_topics.analysis.robustness import other_model_marks

        marks = other_model_marks(inputs["robustness"], facet)
    figures.plot_effects(
        inputs["effects"],
        inputs["topics"],
        facet,
        _stem(out_png),
        max_groups=max_groups,
        marks=marks,
    )


def plot_doc_composition(
    *, inputs: Mapping[str, PathLike], cfg: Mapping[str, Any], out_png: PathLike
) -> None:
    """Figure: the topic composition of every document, labelled with its facets."""
    from swedish_topics import figures
    from swedish_topics.corpus import read_metadata

    metadata = read_metadata(Path(inputs["metadata"]), [*cfg["facets"], "title"])
    labels = figures.readable_doc_labels(
        metadata.rows, cfg["facets"], corpus_dir=Path(inputs["metadata"]).parent
    )
    figures.plot_doc_composition(
        inputs["doc_topics"], inputs["topics"], _stem(out_png), doc_labels=labels
    )


# ----------------------------------------------------------------- provenance, methods
def provenance(
    *,
    inputs: Mapping[str, Any],
    cfg: Mapping[str, Any],
    workflow_dir: PathLike,
    out_json: PathLike,
) -> None:
    """Record versions, the merged config, corpus checksums, the git commit and seeds."""
    from swedish_topics import provenance as prov

    validation = load_validation(inputs["validation"])
    with open(inputs["choice"], encoding="utf-8") as handle:
        choice = json.load(handle)
    models = []
    for path in inputs["train"]:
        with open(path, encoding="utf-8") as handle:
            models.append(json.load(handle))
    data = prov.build_provenance(
        cfg=cfg,
        corpus_dir=Path(cfg["corpus"]),
        doc_ids=validation["doc_ids"],
        workflow_dir=Path(workflow_dir),
        models=models,
        choice=choice,
    )
    prov.write_provenance(Path(out_json), data)


def _by_facet(files: Any, facets: Any) -> dict[str, list[dict[str, str]]] | None:
    """Rows of per-facet tables (``None`` when the rule did not give them)."""
    if not files:
        return None
    if isinstance(files, str | Path):
        files = [files]
    return {f: sio.read_csv(p) for f, p in zip(facets, files, strict=True)}


def _cleaning_counts(files: Any) -> dict[str, int] | None:
    """Paragraphs removed by reason and hyphenations joined, summed over the shards."""
    if not files:
        return None
    if isinstance(files, str | Path):
        files = [files]
    total: dict[str, int] = {}
    for path in files:
        with open(path, encoding="utf-8") as handle:
            counts = json.load(handle)
        for reason, n in (counts.get("removed_paragraphs") or {}).items():
            total[reason] = total.get(reason, 0) + int(n)
        total["hyphenations_joined"] = total.get("hyphenations_joined", 0) + int(
            counts.get("hyphenations_joined", 0)
        )
    return total


def methods(*, inputs: Mapping[str, Any], cfg: Mapping[str, Any], out_md: PathLike) -> None:
    """Write methods.md: a methods paragraph generated from this run's outputs."""
    from swedish_topics.methods import methods_text

    with open(inputs["provenance"], encoding="utf-8") as handle:
        provenance_data = json.load(handle)
    with open(inputs["choice"], encoding="utf-8") as handle:
        choice = json.load(handle)
    prevalence_files = inputs["prevalence"]
    if isinstance(prevalence_files, str | Path):
        prevalence_files = [prevalence_files]
    prevalence = {
        facet: sio.read_csv(path)
        for facet, path in zip(cfg["facets"], prevalence_files, strict=True)
    }
    from swedish_topics.pipeline.validation import validation_facts

    facts = validation_facts(Path(inputs["provenance"]).parent, cfg)
    sensitivity_effects = Path(inputs["provenance"]).parent / "sensitivity" / "effects.csv"
    if facts.get("sensitivity") and sensitivity_effects.is_file():
        facts["sensitivity_effects"] = sio.read_csv(sensitivity_effects)
    text = methods_text(
        cfg=cfg,
        validation=load_validation(inputs["validation"]),
        summary=sio.read_csv(inputs["summary"]),
        metrics=sio.read_csv(inputs["metrics"]),
        stability=sio.read_csv(inputs["stability"]),
        choice=choice,
        topics=sio.read_csv(inputs["topics"]),
        prevalence=prevalence,
        provenance=provenance_data,
        # Issue 17: tasks, scores and sensitivity found in the results folder.
        validation_facts=facts,
        effects=_by_facet(inputs.get("effects"), cfg["facets"]),
        cleaning=_cleaning_counts(inputs.get("counts")),
    )
    sio.atomic_write_text(out_md, text)


# ------------------------------------------------------------------------ findings page
def findings(
    *, inputs: Mapping[str, Any], cfg: Mapping[str, Any], outputs: Mapping[str, PathLike]
) -> None:
    """Write the findings page (``README.md``), ``findings.csv`` and the report's first
    page (``report/findings.rst``) from the run's tables (:mod:`swedish_topics.findings`)."""
    from swedish_topics import findings as fnd

    page = fnd.build_page(fnd.load_tables(inputs, cfg))
    fnd.write_page(page, out_md=outputs["readme"], out_csv=outputs["csv"], out_rst=outputs["rst"])
