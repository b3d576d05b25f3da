"""What each rule reads: its part of the configuration (issue 21).

Snakemake reruns a rule when its ``params`` change. Every rule takes
``params: cfg=config_for(CFG, "<rule>")``, which holds only the keys that the rule's
function reads (:data:`RULE_CONFIG`), so that a change reruns the rules that read it and
nothing upstream: renaming a topic reruns the tables and figures that print labels, not
the models. Reading a key that a rule does not declare raises :class:`ConfigError`
naming the rule, the key and the fix, since that key's changes would otherwise leave the
rule's results stale.

Examples
--------
>>> from swedish_topics.config import load_config
>>> sub = config_for(load_config({}), "heldout_split")
>>> sub["model"]["heldout_seed"]
12345
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from swedish_topics.config import ReportSafeConfig, _schema
from swedish_topics.errors import ConfigError

#: The configuration keys that each rule's function reads, as dotted paths: a path names
#: its whole subtree (``"analysis.effects"``), ``"-model.k"`` leaves one key out of a
#: subtree. Snakemake compares a rule's ``params`` between runs, so a rule is rerun when,
#: and only when, one of its keys changes: changing ``analysis.topic_labels`` reruns the
#: tables and figures that print labels, not the models. :func:`config_for` gives each
#: rule only these keys, and reading any other key raises (a key read but not declared
#: would leave the rule's outputs stale). The lists were recorded by running the workflow
#: with ``SWEDISH_TOPICS_CONFIG_AUDIT`` set (see :func:`config_for`) on the default
#: configuration and on non-default ones (content, sensitivity variants, both engines,
#: an effects formula with covariates, numeric facets).
_GROUPS = ("facets", "numeric_facets", "min_group_docs")
_MODEL = ("model", "-model.k", "-model.seeds", "preprocess.units.mode")
_COMPARE = (
    *_GROUPS,
    "analysis",
    "-analysis.topic_labels",
    "-analysis.n_terms",
    "-analysis.relevance_lambda",
    "-analysis.n_passages",
    "-analysis.max_plot_groups",
)
_EVERYTHING_BUT_THE_PIN = ("", "-selection.k", "-selection.seed")
RULE_CONFIG: dict[str, tuple[str, ...]] = {
    "validate_corpus": ("corpus", *_GROUPS, "preprocess.max_text_mb"),
    "corpus_texts": (
        "corpus",
        "facets",
        "numeric_facets",
        "preprocess.max_text_mb",
        "preprocess.stopwords.remove_facet_values",
    ),
    "train_sentences": ("corpus", "preprocess.sentences"),
    "preprocess_shard": (
        "corpus",
        "facets",
        "numeric_facets",
        "preprocess",
        "-preprocess.sentences",
        "-preprocess.phrases",
        "-preprocess.vocabulary",
    ),
    "build_corpus": ("corpus", "preprocess"),
    "heldout_split": ("model.heldout_fraction", "model.heldout_seed"),
    # not model.k and model.seeds: adding a K trains only the new models
    "train_lda": _MODEL,
    "evaluate_models": ("evaluation",),
    # selection.k and selection.seed come as the rule's `pin` parameter (evaluate.smk)
    "select_model": ("selection.metric", "evaluation.stability_threshold"),
    "topic_tables": (
        "analysis.n_terms",
        "analysis.relevance_lambda",
        "analysis.n_passages",
        "analysis.topic_labels",
    ),
    "compare_groups": _COMPARE,
    "trend": _COMPARE,
    "effects": _COMPARE,
    "robustness": _COMPARE,
    "content_by_facet": (*_GROUPS, "content", "analysis.ci_level"),
    "content_over_facet": (*_GROUPS, "content", "analysis.ci_level"),
    "plot_topic_words_by_facet": ("content",),
    "plot_topic_words_over_facet": ("content",),
    "topic_browser": (*_GROUPS, "content", "corpus"),
    "plot_doc_composition": ("facets", "numeric_facets"),
    "intrusion_tasks": ("validation",),
    "coding_sample": ("facets", "numeric_facets", "validation"),
    "export_doc_topics": ("facets", "numeric_facets", "exports"),
    # the whole configuration but the pin: provenance.json records the final model and
    # why it was chosen (choice.json) instead, so pinning the chosen model reruns nothing
    "provenance": _EVERYTHING_BUT_THE_PIN,
    "methods": _EVERYTHING_BUT_THE_PIN,
    "findings": ("facets", "numeric_facets", "min_group_docs", "analysis", "preprocess.units"),
    "sensitivity_model": _MODEL,
    "sensitivity_summary": ("facets", "numeric_facets", "sensitivity"),
}
# The sensitivity variants run the main rules' scripts on their own configuration.
for _rule in (
    "preprocess_shard",
    "build_corpus",
    "heldout_split",
    "compare_groups",
    "trend",
    "effects",
):
    RULE_CONFIG[f"sensitivity_{_rule}"] = RULE_CONFIG[_rule]

#: Set to a file path, every rule's config holds every key and each key a rule reads is
#: appended to that file as ``rule<TAB>dotted.key`` (to record RULE_CONFIG; see
#: :func:`undeclared_reads`).
AUDIT_ENV = "SWEDISH_TOPICS_CONFIG_AUDIT"
_AUDITED: set[tuple[str, str, str]] = set()


class RuleConfig(dict):  # type: ignore[type-arg]
    """The part of the configuration that one rule declares in :data:`RULE_CONFIG`.

    A ``dict`` whose nested sections are ``RuleConfig`` too, so it is used as the full
    configuration is; ``repr()`` (what Snakemake compares between runs) shows only the
    declared keys. Reading a key that the full configuration has but the rule did not
    declare (``[]``, ``get`` or ``in``) raises :class:`ConfigError` naming the rule, the
    key and the fix. ``str()`` is JSON with ``<``, ``>`` and ``&`` escaped, as
    :class:`ReportSafeConfig`'s, for the Snakemake report.
    """

    def __init__(
        self,
        data: Mapping[str, Any] = (),  # type: ignore[assignment]
        rule: str = "",
        prefix: str = "",
        hidden: frozenset[str] = frozenset(),
        audit: str | None = None,
    ) -> None:
        super().__init__(data)
        self._rule = rule
        self._prefix = prefix
        self._hidden = hidden
        self._audit = audit

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            type(self),
            (dict(self.__dict_items()), self._rule, self._prefix, self._hidden, self._audit),
        )

    def __dict_items(self) -> list[tuple[Any, Any]]:
        return list(dict.items(self))

    def _path(self, key: Any) -> str:
        return f"{self._prefix}{key}"

    def _check(self, key: Any) -> None:
        if key in self._hidden:
            path = self._path(key)
            raise ConfigError(
                f"Rule '{self._rule}' read the config key '{path}', which it does not "
                f"declare in RULE_CONFIG (workflow/swedish_topics/rule_config.py). Snakemake "
                f"reruns a rule only when a key it declares changes, so reading an "
                f"undeclared key would leave its results stale when that key changes. Fix: "
                f"add '{path}' (or its section) to RULE_CONFIG['{self._rule}']."
            )
        if self._audit is not None:
            value = dict.get(self, key)
            if not isinstance(value, RuleConfig):
                self._record(self._path(key))

    def _record(self, path: str) -> None:
        entry = (self._audit or "", self._rule, path)
        if entry not in _AUDITED:
            _AUDITED.add(entry)
            with open(entry[0], "a", encoding="utf-8") as handle:
                handle.write(f"{self._rule}\t{path}\n")

    def __getitem__(self, key: Any) -> Any:
        self._check(key)
        return dict.__getitem__(self, key)

    def get(self, key: Any, default: Any = None) -> Any:
        self._check(key)
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        self._check(key)
        return dict.__contains__(self, key)

    def __iter__(self) -> Any:
        # Overriding iteration makes dict(section) and {**section} copy through
        # __getitem__, so a copied section is recorded when auditing.
        return iter(list(dict.keys(self)))

    def keys(self) -> Any:
        return dict.keys(self)

    def items(self) -> Any:
        if self._audit is not None:
            for key in dict.keys(self):
                self._check(key)
        return dict.items(self)

    def values(self) -> Any:
        return dict.values(self) if self._audit is None else [self[k] for k in self]

    def __str__(self) -> str:
        return str(ReportSafeConfig(_plain(self)))


def _declared_tree(cfg: Mapping[str, Any], spec: Sequence[str]) -> dict[str, Any]:
    """The keys of ``cfg`` that ``spec`` (dotted paths, ``-path`` to leave out) names."""
    out: dict[str, Any] = _plain(cfg) if "" in spec else {}
    for path in (p for p in spec if p and not p.startswith("-")):
        *parents, leaf = path.split(".")
        source: Any = cfg
        target = out
        for part in parents:
            source = source[part]
            target = target.setdefault(part, {})
        target[leaf] = _plain(source[leaf])
    for path in (p[1:] for p in spec if p.startswith("-")):
        *parents, leaf = path.split(".")
        target = out
        for part in parents:
            target = target.get(part, {})
        target.pop(leaf, None)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in dict.items(value)}  # type: ignore[arg-type]
    return copy.deepcopy(value)


def _wrap(
    full: Mapping[str, Any], kept: Mapping[str, Any], rule: str, prefix: str, audit: str | None
) -> RuleConfig:
    """``kept`` as RuleConfig sections; an undeclared section of ``full`` stays as an empty
    section (so that ``dict(section)`` copies and ``.get(name, {})`` still raise on a read
    inside it), an undeclared value is left out."""
    data = {}
    for key, whole in dict.items(full):  # type: ignore[arg-type]
        path = f"{prefix}{key}."
        if key in kept:
            value = kept[key]
            if isinstance(value, Mapping) and isinstance(whole, Mapping) and _is_section(path):
                data[key] = _wrap(whole, value, rule, path, audit)
            else:
                data[key] = value
        elif isinstance(whole, Mapping) and whole and _is_section(path):
            data[key] = _wrap(whole, {}, rule, path, audit)
    hidden = frozenset(k for k in dict.keys(full) if k not in data)  # type: ignore[arg-type]
    return RuleConfig(data, rule, prefix, hidden, audit)


def _is_section(path: str) -> bool:
    """Whether the dotted ``path`` (with a trailing dot) is a section of the schema."""
    node: Mapping[str, Any] = _schema()
    for part in path.rstrip(".").split("."):
        node = node.get("properties", {}).get(part, {})
    return "properties" in node


def config_for(cfg: Mapping[str, Any], rule: str) -> RuleConfig:
    """The configuration that ``rule`` reads: only the keys of ``RULE_CONFIG[rule]``.

    Used as every rule's ``params: cfg=config_for(CFG, "<rule>")``, so that Snakemake
    reruns a rule when a key it reads changes and not otherwise. With the environment
    variable ``SWEDISH_TOPICS_CONFIG_AUDIT`` set to a file, every key is kept and each
    key read is recorded in that file instead (see :func:`undeclared_reads`).

    Raises
    ------
    ConfigError
        If ``rule`` has no entry in :data:`RULE_CONFIG`.

    Examples
    --------
    >>> from swedish_topics.config import load_config
    >>> sub = config_for(load_config({}), "heldout_split")
    >>> sub["model"]["heldout_seed"]
    12345
    >>> sub["model"]["k"]
    Traceback (most recent call last):
    ...
    swedish_topics.errors.ConfigError: Rule 'heldout_split' read the config key 'model.k', ...
    """
    if rule not in RULE_CONFIG:
        raise ConfigError(
            f"The rule '{rule}' has no entry in RULE_CONFIG (workflow/swedish_topics/"
            "rule_config.py), so it is not known which config keys it reads. Fix: add "
            f"RULE_CONFIG['{rule}'] = (the dotted keys its function reads)."
        )
    audit = os.environ.get(AUDIT_ENV) or None
    spec = ("",) if audit else RULE_CONFIG[rule]
    return _wrap(cfg, _declared_tree(cfg, spec), rule, "", audit)


def declares(rule: str, key: str) -> bool:
    """Whether ``RULE_CONFIG[rule]`` covers the dotted ``key`` (a section covers its keys)."""
    spec = RULE_CONFIG[rule]

    def covers(path: str) -> bool:
        return path == "" or key == path or key.startswith(path + ".")

    excluded = any(covers(p[1:]) for p in spec if p.startswith("-"))
    return not excluded and any(covers(p) for p in spec if not p.startswith("-"))


def undeclared_reads(audit_file: str | Path) -> dict[str, list[str]]:
    """Keys recorded in an audit file that the rules do not declare, by rule."""
    missing: dict[str, set[str]] = {}
    for line in Path(audit_file).read_text(encoding="utf-8").splitlines():
        rule, _, key = line.partition("\t")
        if rule in RULE_CONFIG and not declares(rule, key):
            missing.setdefault(rule, set()).add(key)
    return {rule: sorted(keys) for rule, keys in sorted(missing.items())}
