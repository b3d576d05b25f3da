"""Shared helpers: the validated config, result paths, the model grid and resources.

Needs: the merged Snakemake `config`. Produces: CFG (validated config with defaults),
res() for result paths, the grid of models, and resource functions used by every rule.
"""

import math
import re
import sys
from pathlib import Path

from swedish_topics.config import (
    ReportSafeConfig,
    check_paths,
    load_config,
    shard_count,
)
from swedish_topics.corpus import read_metadata
from swedish_topics.rule_config import config_for
from swedish_topics.errors import UserError
from swedish_topics.fingerprint import (
    file_fingerprint,
    metadata_fingerprint,
    texts_fingerprint,
)
from swedish_topics.selection import PinnedModel, pin_change

try:
    # ReportSafeConfig: shown escaped in the Snakemake report (see its docstring).
    CFG = ReportSafeConfig(load_config(config))
    check_paths(CFG)
except UserError as _err:
    sys.stderr.write(f"\nConfiguration error: {_err}\n\n")
    sys.exit(1)

RESULTS = Path(CFG["results"])
CORPUS = Path(CFG["corpus"])
WORKFLOW_DIR = Path(workflow.basedir)
FACETS = list(CFG["facets"])
NUMERIC_FACETS = [f for f in CFG["numeric_facets"] if f in FACETS]
CATEGORICAL_FACETS = [f for f in FACETS if f not in NUMERIC_FACETS]


def n_documents():
    """Rows of the metadata table (1 if it cannot be read: validation will say why)."""
    try:
        return max(1, len(read_metadata(CORPUS / "metadata.csv").rows))
    except UserError:
        return 1


N_SHARDS = shard_count(CFG, n_documents())

# Fingerprints compared as params (swedish_topics/fingerprint.py): every text file's name,
# size and time, so that a text edited in place reruns what reads it; metadata.csv's bytes
# (whatever its time); and the metadata columns that preprocessing reads, so that a new
# column reruns validation, not models.
TEXTS_FINGERPRINT = texts_fingerprint(CORPUS)
METADATA_FINGERPRINT = file_fingerprint(CORPUS / "metadata.csv")
STOPWORD_FACETS = (
    CATEGORICAL_FACETS if CFG["preprocess"]["stopwords"]["remove_facet_values"] else []
)
PREPROCESS_METADATA_FINGERPRINT = metadata_fingerprint(CORPUS, STOPWORD_FACETS)
SHARDS = [f"{i:03d}" for i in range(N_SHARDS)]


def model_grid():
    """(k, seed) pairs to train: the config grid, plus a pinned model outside it."""
    grid = [(k, s) for k in CFG["model"]["k"] for s in CFG["model"]["seeds"]]
    pinned = (CFG["selection"]["k"], CFG["selection"]["seed"])
    if pinned[0] is not None and pinned not in grid:
        grid.append(pinned)
    return grid


MODELS = model_grid()
PINNED = PinnedModel(CFG["selection"]["k"], CFG["selection"]["seed"])


def res(*parts):
    """A path under the results folder, as a string."""
    return str(RESULTS.joinpath(*parts))


def model_file(name):
    """Paths of one file for every model of the grid."""
    return [res("models", f"k{k}_s{s}", name) for k, s in MODELS]


def log(name):
    return res("logs", f"{name}.log")


# Resources: memory grows with the corpus; each retry doubles it. Threads are 1 everywhere:
# every step is single-threaded for reproducibility, and jobs run side by side.
def corpus_mb():
    """Approximate size of the corpus texts in MB (0 if not readable yet)."""
    texts = CORPUS / "texts"
    try:
        return sum(p.stat().st_size for p in texts.iterdir()) / 1e6
    except OSError:
        return 0.0


CORPUS_MB = corpus_mb()


def mem_light(wildcards, attempt):
    return 1000 * attempt


def mem_corpus(wildcards, attempt):
    return int((1500 + 20 * CORPUS_MB) * attempt)


def mem_model(wildcards, attempt):
    return int((2000 + 40 * CORPUS_MB) * attempt)


def runtime_light(wildcards, attempt):
    return 10 * attempt


def runtime_corpus(wildcards, attempt):
    return int((15 + CORPUS_MB) * attempt)


def runtime_model(wildcards, attempt):
    return int((30 + 4 * CORPUS_MB) * attempt)


def figure(stem):
    """PDF and PNG paths of one figure."""
    return [res("figures", f"{stem}.pdf"), res("figures", f"{stem}.png")]


def table(name):
    """The CSV, LaTeX and Markdown versions of one main table."""
    return [res("tables", f"{name}.{ext}") for ext in ("csv", "tex", "md")]


def all_outputs():
    """Everything `snakemake` builds by default."""
    out = [
        res("tables", "vocabulary.csv"),
        res("tables", "preprocessing_summary.csv"),
        res("model_selection", "metrics.csv"),
        res("model_selection", "stability.csv"),
        res("model_selection", "choice.json"),
        *figure("model_selection"),
        *analysis_tables(),
        *figure("top_terms"),
        *figure("doc_composition"),
        res("figures", "topic_map.html"),
        res("provenance.json"),
        res("methods.md"),
    ]
    for facet in FACETS:
        out += figure(f"differences_by_{facet}")
    for facet in FACETS:
        out += figure(f"effects_by_{facet}")
    for facet in CATEGORICAL_FACETS:
        out += figure(f"prevalence_by_{facet}")
    for facet in NUMERIC_FACETS:
        out += figure(f"prevalence_over_{facet}")
    out += content_outputs()
    out += validation_outputs()  # workflow/rules/common_validation.smk
    out += sensitivity_outputs()  # workflow/rules/common_validation.smk
    return out


def analysis_tables():
    """The tables of the analysis stage (CSV, .tex and .md for each)."""
    names = ["topic_terms", "topics", "doc_topics", "representative_passages"]
    names += [f"prevalence_by_{f}" for f in FACETS]
    names += [f"differences_by_{f}" for f in FACETS]
    names += [f"trend_by_{f}" for f in NUMERIC_FACETS]
    names += [f"effects_by_{f}" for f in FACETS]
    names += [f"robustness_by_{f}" for f in FACETS]
    return [path for name in names for path in table(name)]


def content_tables():
    """The tables of the content stage, workflow/rules/content.smk (CSV, .tex and .md each)."""
    names = [f"topic_terms_by_{f}" for f in FACETS]
    names += [f"representative_passages_by_{f}" for f in FACETS]
    names += [f"topic_terms_over_{f}" for f in NUMERIC_FACETS]
    return [path for name in names for path in table(name)]


def content_outputs():
    """Everything of the content stage that `snakemake` builds by default."""
    out = [*content_tables(), res("figures", "topic_browser.html")]
    for facet in FACETS:
        out += figure(f"topic_words_by_{facet}")
    for facet in NUMERIC_FACETS:
        out += figure(f"topic_words_over_{facet}")
    return out
