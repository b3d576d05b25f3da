"""swedish-topics: from raw Swedish text to paper-ready topic-model tables and figures.

    snakemake --cores all                                   # the shipped corpus
    snakemake --cores all --config corpus=DIR results=OUT   # your corpus
    snakemake --report results/report.html                  # one self-contained report

Stages, in run order: ingest (validation) -> preprocess -> model -> evaluate -> analyse
-> report -> findings (results/README.md, the page to read first). Each stage's rules are
in workflow/rules/; all logic is in the swedish_topics package (workflow/swedish_topics/).
"""

import os

# One BLAS/OpenMP thread per job: parallelism comes from running jobs side by side, and
# numerical results must not depend on the machine's thread count.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/common_validation.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/preprocess.smk"
include: "workflow/rules/model.smk"
include: "workflow/rules/evaluate.smk"
include: "workflow/rules/analyse.smk"
include: "workflow/rules/compare.smk"
include: "workflow/rules/content.smk"
include: "workflow/rules/validation.smk"
include: "workflow/rules/sensitivity.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/common_findings.smk"
include: "workflow/rules/findings.smk"


# The first page of `snakemake --report`: the findings page (workflow/rules/findings.smk).
report: report_description()


# Tiny bookkeeping steps run on the submitting node instead of waiting in a cluster queue.
localrules:
    all,
    heldout_split,
    select_model,
    methods,
    findings,


rule all:
    default_target: True
    input:
        all_outputs(),
        findings_outputs(),
