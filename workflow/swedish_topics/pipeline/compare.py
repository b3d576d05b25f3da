"""Rule functions of the adjusted comparisons: effects of all facets at once."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from swedish_topics.pipeline.analyse import PathLike, _Final, posterior_doc_draws

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

    final = _Final(inputs["model"], inputs["units_tsv"], inputs["validation"])
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
