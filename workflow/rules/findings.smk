"""Findings: the page a reader opens first, generated from the run's tables.

Needs: the tables of the analysis, compare and content stages (topics, doc_topics,
prevalence/differences/effects/robustness/topic_terms by facet), the model choice and
metrics, the preprocessing summary, the units and the corpus metadata.
Produces: README.md (the findings page), findings.csv (one row per finding) and
report/findings.rst (the same page, the first page of `snakemake --report`).
Helpers (outputs, config keys, the report's first page) are in common_findings.smk.
"""


rule findings:
    input:
        validation=res("interim", "validation.json"),
        summary=res("tables", "preprocessing_summary.csv"),
        choice=res("model_selection", "choice.json"),
        metrics=res("model_selection", "metrics.csv"),
        topics=res("tables", "topics.csv"),
        doc_topics=res("tables", "doc_topics.csv"),
        units_tsv=res("preprocess", "units.tsv"),
        metadata=CORPUS / "metadata.csv",
        prevalence=expand(res("tables", "prevalence_by_{facet}.csv"), facet=FACETS),
        differences=expand(res("tables", "differences_by_{facet}.csv"), facet=FACETS),
        effects=expand(res("tables", "effects_by_{facet}.csv"), facet=FACETS),
        robustness=expand(res("tables", "robustness_by_{facet}.csv"), facet=FACETS),
        words=expand(res("tables", "topic_terms_by_{facet}.csv"), facet=FACETS),
    output:
        readme=report(
            res("README.md"),
            caption="../report/findings.rst",
            category="1. Findings",
        ),
        csv=report(
            res("findings.csv"),
            caption="../report/findings_table.rst",
            category="1. Findings",
        ),
        rst=res("report", "findings.rst"),
    log:
        log("findings"),
    threads: 1
    resources:
        mem_mb=mem_corpus,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "findings"),
    script:
        "../scripts/findings.py"
