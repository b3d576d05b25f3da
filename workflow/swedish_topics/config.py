"""Configuration: defaults, schema validation and values derived from the config.

The schema ``workflow/schemas/config.schema.yaml`` is the single source of the keys, their
types and their defaults (equal to ``config/config.yaml``, which a test checks). Snakemake
merges ``config/config.yaml``, any ``--configfile`` and ``--config key=value`` pairs;
:func:`load_config` merges the result onto the defaults, turns strings that Snakemake's
``--config`` parser leaves (``"5"``, ``"0.3"``, ``"true"``) into the type the key needs,
validates, and explains every problem in one paragraph with the fix, e.g.
``Unknown config key 'model.seed' — did you mean 'model.seeds'?``.

Examples
--------
>>> cfg = load_config({"model": {"k": [5, 10]}})
>>> cfg["model"]["k"], cfg["model"]["seeds"]
([5, 10], [1, 2, 3])
"""

from __future__ import annotations

import copy
import difflib
import functools
import json
import logging
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from swedish_topics.errors import ConfigError

logger = logging.getLogger(__name__)

#: The JSON schema of the configuration (YAML), next to the package in ``workflow/``.
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "config.schema.yaml"
#: Documents per preprocessing shard when ``preprocess.shards`` is ``"auto"``.
DOCS_PER_SHARD = 10_000

_README = "config/README.md explains every key"


@functools.cache
def _schema() -> dict[str, Any]:
    if not SCHEMA_PATH.is_file():  # pragma: no cover - an installation problem
        raise ConfigError(
            f"The config schema {SCHEMA_PATH} is missing; the package must be used from a "
            "checkout of the workflow (pip install -e workflow/ keeps it in place)."
        )
    with open(SCHEMA_PATH, encoding="utf-8") as handle:
        schema: dict[str, Any] = yaml.safe_load(handle)
    Draft202012Validator.check_schema(schema)
    return schema


def load_schema() -> dict[str, Any]:
    """Return (a copy of) the configuration schema."""
    return copy.deepcopy(_schema())


def schema_defaults(schema: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The full default configuration, built from the schema's ``default`` values."""
    schema = _schema() if schema is None else schema
    out: dict[str, Any] = {}
    for key, sub in schema["properties"].items():
        if sub.get("type") == "object" and "properties" in sub:
            out[key] = schema_defaults(sub)
        else:
            out[key] = copy.deepcopy(sub["default"])
    return out


def known_keys(schema: Mapping[str, Any] | None = None, prefix: str = "") -> list[str]:
    """Every configuration key as a dotted path, e.g. ``model.k``."""
    schema = _schema() if schema is None else schema
    keys = []
    for key, sub in schema.get("properties", {}).items():
        dotted = f"{prefix}{key}"
        keys.append(dotted)
        if "properties" in sub:
            keys.extend(known_keys(sub, f"{dotted}."))
    return keys


# --------------------------------------------------------------------------------------
# Merging and coercion


def _merge(defaults: Any, override: Any, schema: Mapping[str, Any]) -> Any:
    """Merge ``override`` onto ``defaults`` recursively (mappings merge, lists replace)."""
    is_object = schema.get("type") == "object" and "properties" in schema
    if is_object and override is None:
        return copy.deepcopy(defaults)  # "model:" with every child commented out
    if is_object and isinstance(override, Mapping) and isinstance(defaults, Mapping):
        out = copy.deepcopy(dict(defaults))
        for key, value in override.items():
            sub = schema["properties"].get(key)
            if sub is not None and key in out:
                out[key] = _merge(out[key], value, sub)
            else:
                out[key] = copy.deepcopy(value)
        return out
    return copy.deepcopy(override)


_INT = re.compile(r"[+-]?[0-9]+")
_FLOAT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def _coerce_scalar(value: str, schema: Mapping[str, Any]) -> Any:
    """Turn a string into the int/float/bool/null that ``schema`` wants, if one fits."""
    validator = Draft202012Validator(schema)
    if validator.is_valid(value):
        return value
    text = value.strip()
    candidates: list[Any] = []
    if _INT.fullmatch(text):
        candidates.append(int(text))
    if _FLOAT.fullmatch(text):
        candidates.append(float(text))
    if text.lower() in ("true", "false"):
        candidates.append(text.lower() == "true")
    if text.lower() in ("null", "none", "~"):
        candidates.append(None)
    for candidate in candidates:
        if validator.is_valid(candidate):
            return candidate
    return value


def _coerce(value: Any, schema: Mapping[str, Any]) -> Any:
    """Coerce strings (as ``--config`` gives them) to the types in ``schema``, recursively."""
    if isinstance(value, Mapping) and "properties" in schema:
        props = schema["properties"]
        return {k: _coerce(v, props[k]) if k in props else v for k, v in value.items()}
    if isinstance(value, Mapping) and schema.get("type") == "object":
        # topic_labels: YAML gives int keys, --config gives str keys; validate as str.
        return {str(k).strip(): v for k, v in value.items()}
    if schema.get("type") == "array":
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            value = [value]  # --config facets=county
        if isinstance(value, list) and "items" in schema:
            return [_coerce(item, schema["items"]) for item in value]
        return value
    if isinstance(value, str):
        return _coerce_scalar(value, schema)
    return value


# --------------------------------------------------------------------------------------
# Messages


def _dotted(path: Sequence[Any]) -> str:
    return ".".join(str(p) for p in path if not isinstance(p, int))


def _key_label(path: Sequence[Any]) -> str:
    """``'model.k'`` or ``'model.k' (item 2)`` for a path into the config."""
    label = f"'{_dotted(path)}'"
    items = [p for p in path if isinstance(p, int)]
    if items:
        label += f" (item {items[-1] + 1})"
    return label


def _show(value: Any) -> str:
    """A value as the user wrote it, with its kind, e.g. ``'twenty' (text)``."""
    if value is None:
        return "null (empty)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, str):
        return f"'{value}' (text)"
    if isinstance(value, int):
        return f"{value} (an integer)"
    if isinstance(value, float):
        return f"{value:g} (a number)"
    kind = "a list" if isinstance(value, list) else "a mapping"
    return f"{json.dumps(value, ensure_ascii=False, default=str)} ({kind})"


_TYPE_WORDS = {
    "integer": "an integer",
    "number": "a number",
    "string": "a text",
    "boolean": "true or false",
    "array": "a list",
    "object": "a mapping of keys to values",
    "null": "null",
}


def _describe(schema: Mapping[str, Any]) -> str:
    """What a value must be, in words, e.g. ``an integer >= 2``."""
    if "anyOf" in schema:
        return " or ".join(_describe(sub) for sub in schema["anyOf"])
    if "const" in schema:
        return f"'{schema['const']}'"
    if "enum" in schema:
        return "one of " + ", ".join(f"'{v}'" for v in schema["enum"])
    types = schema.get("type", [])
    types = [types] if isinstance(types, str) else list(types)
    words = " or ".join(_TYPE_WORDS[t] for t in types) or "a value"
    bounds = []
    for keyword, sign in (
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
    ):
        if keyword in schema:
            bounds.append(f"{sign} {schema[keyword]}")
    if bounds:
        words += " " + " and ".join(bounds)
    if "array" in types and "items" in schema:
        words += f" of {_plural(_describe(schema['items']))}"
        if schema.get("minItems"):
            words += f", at least {schema['minItems']}"
    return words


def _plural(words: str) -> str:
    for single, plural in (
        ("an integer", "integers"),
        ("a number", "numbers"),
        ("a text", "texts"),
    ):
        if words.startswith(single):
            return plural + words[len(single) :]
    return words


def _description(path: Sequence[Any]) -> str:
    """The schema description of the key at ``path`` (list items use the list's)."""
    node: Mapping[str, Any] = _schema()
    for part in path:
        if isinstance(part, int):
            continue
        props = node.get("properties", {})
        if part not in props:
            break
        node = props[part]
    text = str(node.get("description", "")).strip()
    return f" ({text.rstrip('.')}.)" if text else ""


def _fix(path: Sequence[Any]) -> str:
    keys = [str(p) for p in path if not isinstance(p, int)] or ["key"]
    nested = "..."
    for key in reversed(keys[1:]):
        nested = f"{{{key}: {nested}}}"
    how = f"--config {keys[0]}={nested}" if len(keys) == 1 else f"--config {keys[0]}='{nested}'"
    return f"Fix it in your config file or with {how}; {_README}."


def _unknown_key_paragraph(parent: Sequence[Any], key: str) -> str:
    """Explain an unknown key and suggest the nearest known one."""
    prefix = _dotted(parent)
    dotted = f"{prefix}.{key}" if prefix else key
    node: Mapping[str, Any] = _schema()
    for part in parent:
        if not isinstance(part, int):
            node = node["properties"][part]
    siblings = list(node.get("properties", {}))
    near = difflib.get_close_matches(key, siblings, n=1, cutoff=0.6)
    suggestions: list[str] = []
    if near:
        suggestions = [f"{prefix}.{near[0]}" if prefix else near[0]]
    else:
        leaves = {k: k.rsplit(".", 1)[-1] for k in known_keys()}
        close = set(difflib.get_close_matches(key, list(set(leaves.values())), n=3, cutoff=0.8))
        suggestions = [k for k, leaf in leaves.items() if leaf in close and k != dotted]
    if suggestions:
        hint = " — did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?"
        if not prefix and all("." in s for s in suggestions):
            top, leaf = suggestions[0].split(".", 1)
            hint += (
                f" Nested keys go under their section: in a config file, or with "
                f"--config {top}='{{{leaf}: ...}}'."
            )
    else:
        allowed = ", ".join(f"'{s}'" for s in siblings)
        hint = f". The keys allowed {'in ' + repr(prefix) if prefix else 'here'} are {allowed}."
    return (
        f"Unknown config key '{dotted}'{hint} Unknown keys are refused so that a typo does not "
        f"silently fall back to the default; fix the name in your config file ({_README})."
    )


def _error_paragraphs(error: ValidationError) -> list[str]:
    """One paragraph per problem in a jsonschema error."""
    path = list(error.absolute_path)
    label = _key_label(path)
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        known = error.schema.get("properties", {})
        return [_unknown_key_paragraph(path, str(k)) for k in error.instance if k not in known]
    if "propertyNames" in error.schema_path:
        return [
            f"Config key {label} has the key '{error.instance}', which is not a topic number. "
            "Topics are numbered from 1 (as in every table and figure); write e.g. "
            f'{{3: "E-tjänster"}}. {_fix(path)}'
        ]
    if error.validator == "minItems" and error.instance == []:
        example = _schema_default_example(path)
        return [
            f"Config key {label} is an empty list; it needs at least {error.validator_value} "
            f"value(s){example}.{_description(path)} {_fix(path)}"
        ]
    if error.validator == "uniqueItems":
        repeated = sorted(
            {json.dumps(v) for v in error.instance if error.instance.count(v) > 1}, key=str
        )
        return [
            f"Config key {label} lists {', '.join(repeated)} more than once; give each value "
            f"once.{_description(path)} {_fix(path)}"
        ]
    near = ""
    if "enum" in error.schema and isinstance(error.instance, str):
        match = difflib.get_close_matches(
            error.instance, [str(v) for v in error.schema["enum"]], n=1, cutoff=0.5
        )
        near = f" Did you mean '{match[0]}'?" if match else ""
    return [
        f"Config key {label} must be {_describe(error.schema)}, but it is "
        f"{_show(error.instance)}.{near}{_description(path)} {_fix(path)}"
    ]


def _schema_default_example(path: Sequence[Any]) -> str:
    node: Mapping[str, Any] = _schema()
    for part in path:
        node = node.get("properties", {}).get(part, {})
    default = node.get("default")
    return f", e.g. {json.dumps(default)}" if default else ""


def _join(paragraphs: Sequence[str]) -> str:
    if len(paragraphs) == 1:
        return paragraphs[0]
    head = f"The configuration has {len(paragraphs)} problems; fix them all, then run again."
    return "\n\n".join([head, *(f"({i}) {p}" for i, p in enumerate(paragraphs, start=1))])


# --------------------------------------------------------------------------------------
# Checks across keys


def _cross_key_problems(cfg: Mapping[str, Any]) -> list[str]:
    """Problems that involve several keys (run after the schema check passed)."""
    problems = []
    model, selection = cfg["model"], cfg["selection"]
    pinned_k, pinned_seed = selection["k"], selection["seed"]
    if (pinned_k is None) != (pinned_seed is None):
        given, missing = ("k", "seed") if pinned_seed is None else ("seed", "k")
        problems.append(
            f"Config key 'selection.{given}' is set but 'selection.{missing}' is not: pin the "
            f"final model with both (e.g. selection: {{k: {pinned_k or model['k'][0]}, "
            f"seed: {pinned_seed if pinned_seed is not None else model['seeds'][0]}}}) or "
            f"with neither to let the selection rule choose. {_README}."
        )
    if pinned_k is not None and pinned_k not in model["k"]:
        problems.append(
            f"Config key 'selection.k' is {pinned_k}, which is not in the grid model.k = "
            f"{model['k']}, so no such model is trained. Add {pinned_k} to model.k or pin one "
            f"of {model['k']}."
        )
    if pinned_seed is not None and pinned_seed not in model["seeds"]:
        problems.append(
            f"Config key 'selection.seed' is {pinned_seed}, which is not in model.seeds = "
            f"{model['seeds']}, so no such model is trained. Add it to model.seeds or pin one "
            f"of {model['seeds']}."
        )
    for facet in cfg["numeric_facets"]:
        if facet not in cfg["facets"]:
            problems.append(
                f"Config key 'numeric_facets' lists '{facet}', which is not in facets = "
                f"{cfg['facets']}. A numeric facet is a facet whose values are integers; add "
                f"'{facet}' to facets too, or remove it from numeric_facets."
            )
    units = cfg["preprocess"]["units"]
    if units["min_tokens"] > units["max_tokens"]:
        problems.append(
            f"Config key 'preprocess.units.min_tokens' ({units['min_tokens']}) is larger than "
            f"'preprocess.units.max_tokens' ({units['max_tokens']}); a unit cannot be both. "
            "Make min_tokens at most max_tokens (defaults 60 and 250)."
        )
    clean = cfg["preprocess"]["clean"]
    for key in ("furniture_patterns", "extra_patterns"):
        for index, pattern in enumerate(clean[key], start=1):
            try:
                re.compile(pattern)
            except re.error as err:
                problems.append(
                    f"Config key 'preprocess.clean.{key}' (item {index}) is not a valid "
                    f"regular expression: {pattern!r} fails at character {err.pos}: {err.msg}. "
                    "Escape special characters with a backslash (e.g. '\\.' for a dot, '\\(' "
                    "for a bracket) or quote the pattern in single quotes in YAML."
                )
    largest = pinned_k if pinned_k is not None else max(model["k"])
    for topic in cfg["analysis"]["topic_labels"]:
        if int(topic) > largest:
            problems.append(
                f"Config key 'analysis.topic_labels' names topic {topic}, but no model has more "
                f"than {largest} topics ({'selection.k' if pinned_k is not None else 'model.k'}"
                f"). Topic numbers run from 1 to K; remove the label or fix its number."
            )
    return problems


# --------------------------------------------------------------------------------------
# Public functions


def load_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``config`` onto the defaults, validate it and return the full configuration.

    Parameters
    ----------
    config
        The configuration as Snakemake gives it (config file(s) plus ``--config``), or
        any subset of keys.

    Returns
    -------
    dict
        Every key with its value; ``analysis.topic_labels`` has integer keys.

    Raises
    ------
    ConfigError
        Listing every problem (unknown keys with the nearest known key, wrong types or
        ranges, inconsistent keys), one paragraph each with the fix.
    """
    schema = _schema()
    if not isinstance(config, Mapping):
        raise ConfigError(
            f"The configuration must be a mapping of keys to values, but it is {_show(config)}. "
            f"Check the YAML of your config file; {_README}."
        )
    merged = _coerce(_merge(schema_defaults(), config, schema), schema)
    errors = sorted(
        Draft202012Validator(schema).iter_errors(merged),
        key=lambda e: [str(p) for p in e.absolute_path],
    )
    paragraphs = [p for error in errors for p in _error_paragraphs(error)]
    if not paragraphs:
        paragraphs = _cross_key_problems(merged)
    if paragraphs:
        raise ConfigError(_join(paragraphs))
    labels = merged["analysis"]["topic_labels"]
    merged["analysis"]["topic_labels"] = {
        int(k): v for k, v in sorted(labels.items(), key=lambda kv: int(kv[0]))
    }
    return merged


def check_paths(cfg: Mapping[str, Any]) -> None:
    """Check that the corpus folder and the optional files the config names exist.

    Relative paths are relative to the working directory (where Snakemake runs).

    Raises
    ------
    ConfigError
        Naming each missing path and the key to set.
    """
    problems = []
    corpus = Path(cfg["corpus"])
    if not corpus.is_dir():
        what = "is not a folder" if corpus.exists() else "does not exist"
        problems.append(
            f"The corpus folder '{corpus}' (config key 'corpus', resolved to "
            f"{corpus.resolve()}) {what}. Point the workflow at your corpus with "
            "--config corpus=/path/to/corpus (a folder with texts/<doc_id>.txt and "
            "metadata.csv), or set 'corpus:' in your config file."
        )
    optional = (
        ("preprocess.lemmatize.overrides", cfg["preprocess"]["lemmatize"]["overrides"]),
        ("preprocess.stopwords.extra_file", cfg["preprocess"]["stopwords"]["extra_file"]),
    )
    for key, value in optional:
        if value is not None and not Path(value).is_file():
            problems.append(
                f"The file '{value}' (config key '{key}', resolved to {Path(value).resolve()}) "
                "does not exist. Create it, fix the path, or set the key to null to use none."
            )
    results = Path(cfg["results"])
    if results.exists() and not results.is_dir():
        problems.append(
            f"The results path '{results}' (config key 'results') is a file, not a folder. "
            "Choose another path with --config results=/path/to/results."
        )
    if problems:
        raise ConfigError(_join(problems))


def shard_count(cfg: Mapping[str, Any], n_docs: int) -> int:
    """Number of preprocessing shards for ``n_docs`` documents.

    ``preprocess.shards: auto`` gives one shard per :data:`DOCS_PER_SHARD` documents
    (at least 1); an integer is used as given but never exceeds ``n_docs`` (no empty
    shards).

    Examples
    --------
    >>> shard_count({"preprocess": {"shards": "auto"}}, 15565)
    2
    """
    shards = cfg["preprocess"]["shards"]
    if shards == "auto":
        return max(1, math.ceil(n_docs / DOCS_PER_SHARD))
    return max(1, min(int(shards), n_docs))


def check_against_corpus(
    cfg: Mapping[str, Any], n_units: int, ks: Sequence[int] | None = None
) -> None:
    """Refuse a K grid that the corpus cannot support.

    Parameters
    ----------
    cfg
        The configuration from :func:`load_config`.
    n_units
        Number of units of analysis after preprocessing.
    ks
        The Ks to check (default: the grid ``model.k``); one training job checks only
        its own K, so that it does not read, and is not rerun for, the rest of the grid.

    Raises
    ------
    ConfigError
        If a K of the grid is larger than the number of units.
    """
    if n_units < 2:
        raise ConfigError(
            f"The corpus has only {n_units} unit(s) of analysis after preprocessing "
            f"(preprocess.units.mode: {cfg['preprocess']['units']['mode']}); a topic model "
            "needs at least 2, and far more to be useful. Add documents, or use smaller units "
            "(preprocess.units.mode: paragraphs with a lower preprocess.units.min_tokens)."
        )
    too_big = [k for k in (cfg["model"]["k"] if ks is None else ks) if k > n_units]
    if too_big:
        mode = cfg["preprocess"]["units"]["mode"]
        hint = (
            " or switch to smaller units (preprocess.units.mode: paragraphs)"
            if mode == "documents"
            else " or use smaller units (a lower preprocess.units.min_tokens)"
        )
        raise ConfigError(
            f"Config key 'model.k' asks for {too_big[0] if len(too_big) == 1 else too_big} "
            f"topics, but the corpus has only {n_units} unit(s) of analysis after "
            f"preprocessing (preprocess.units.mode: {mode}); a model cannot have more topics "
            f"than units. Use Ks of at most {n_units} (e.g. --config model='{{k: "
            f"[{', '.join(str(k) for k in range(2, min(n_units, 5) + 1))}]}}'), add "
            f"documents,{hint}."
        )


class ReportSafeConfig(dict):  # type: ignore[type-arg]
    """The configuration as a rule parameter, shown safely in the Snakemake report.

    Snakemake's report embeds each rule's parameters, as ``str(value)``, inside a
    ``<script>`` element without escaping, so a topic label or pattern containing
    ``</script>`` would break out of it. ``str()`` of this dict is JSON with ``<``, ``>``
    and ``&`` escaped; ``repr()`` stays the ordinary dict repr, which Snakemake uses to
    notice changed parameters.
    """

    def __str__(self) -> str:
        text = json.dumps(self, ensure_ascii=True, sort_keys=True, default=str)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


#: Names that moved to :mod:`swedish_topics.rule_config` (still found here, so that
#: rule parameters pickled by an older run unpickle).
_MOVED = {
    "AUDIT_ENV",
    "RULE_CONFIG",
    "RuleConfig",
    "config_for",
    "declares",
    "undeclared_reads",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        from swedish_topics import rule_config

        return getattr(rule_config, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
