"""Report: every figure, the offline topic map, provenance and the methods paragraph.

Needs: the tables of the analysis stage, the final model, the choice and metrics.
Produces: figures/*.{pdf,png}, figures/topic_map.html, provenance.json, methods.md.
`snakemake --report results/report.html` then gathers everything into one HTML file.
"""


rule plot_top_terms:
    input:
        topic_terms=res("tables", "topic_terms.csv"),
        topics=res("tables", "topics.csv"),
    output:
        pdf=res("figures", "top_terms.pdf"),
        png=report(
            res("figures", "top_terms.png"),
            caption="../report/top_terms.rst",
            category="Topics",
        ),
    log:
        log("plot_top_terms"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    script:
        "../scripts/plot_top_terms.py"


rule plot_prevalence_by_facet:
    input:
        prevalence=res("tables", "prevalence_by_{facet}.csv"),
        topics=res("tables", "topics.csv"),
    output:
        pdf=res("figures", "prevalence_by_{facet}.pdf"),
        png=report(
            res("figures", "prevalence_by_{facet}.png"),
            caption="../report/prevalence_heatmap.rst",
            category="Comparisons",
            subcategory="{facet}",
        ),
    log:
        log("plot_prevalence_by_{facet}"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    params:
        max_groups=CFG["analysis"]["max_plot_groups"],
        pool_from_groups=CFG["analysis"]["pool_figures_from_groups"],
    script:
        "../scripts/plot_prevalence_heatmap.py"


rule plot_prevalence_over_facet:
    input:
        prevalence=res("tables", "prevalence_by_{facet}.csv"),
        topics=res("tables", "topics.csv"),
    output:
        pdf=res("figures", "prevalence_over_{facet}.pdf"),
        png=report(
            res("figures", "prevalence_over_{facet}.png"),
            caption="../report/prevalence_trend.rst",
            category="Comparisons",
            subcategory="{facet}",
        ),
    log:
        log("plot_prevalence_over_{facet}"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    script:
        "../scripts/plot_prevalence_trend.py"


rule plot_differences:
    input:
        differences=res("tables", "differences_by_{facet}.csv"),
        topics=res("tables", "topics.csv"),
    output:
        pdf=res("figures", "differences_by_{facet}.pdf"),
        png=report(
            res("figures", "differences_by_{facet}.png"),
            caption="../report/differences.rst",
            category="Comparisons",
            subcategory="{facet}",
        ),
    log:
        log("plot_differences_{facet}"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    params:
        max_groups=CFG["analysis"]["max_plot_groups"],
    script:
        "../scripts/plot_differences.py"


rule plot_doc_composition:
    input:
        doc_topics=res("tables", "doc_topics.csv"),
        topics=res("tables", "topics.csv"),
        metadata=CORPUS / "metadata.csv",
    output:
        pdf=res("figures", "doc_composition.pdf"),
        png=report(
            res("figures", "doc_composition.png"),
            caption="../report/doc_composition.rst",
            category="Documents",
        ),
    log:
        log("plot_doc_composition"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "plot_doc_composition"),
    script:
        "../scripts/plot_doc_composition.py"


rule topic_map:
    input:
        model=res("final", "model.npz"),
        units_tsv=res("preprocess", "units.tsv"),
        vocabulary=res("tables", "vocabulary.csv"),
        topics=res("tables", "topics.csv"),
    output:
        html=report(
            res("figures", "topic_map.html"),
            caption="../report/topic_map.rst",
            category="Topics",
        ),
    log:
        log("topic_map"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    script:
        "../scripts/topic_map.py"


rule provenance:
    input:
        validation=res("interim", "validation.json"),
        choice=res("model_selection", "choice.json"),
        train=model_file("train.json"),
    output:
        provenance=res("provenance.json"),
    log:
        log("provenance"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_corpus,
    params:
        cfg=config_for(CFG, "provenance"),
        workflow_dir=str(WORKFLOW_DIR),
        # provenance.json holds every text's checksum: rerun when a text changes
        texts=TEXTS_FINGERPRINT,
    script:
        "../scripts/provenance.py"


rule methods:
    input:
        provenance=res("provenance.json"),
        validation=res("interim", "validation.json"),
        summary=res("tables", "preprocessing_summary.csv"),
        metrics=res("model_selection", "metrics.csv"),
        stability=res("model_selection", "stability.csv"),
        choice=res("model_selection", "choice.json"),
        topics=res("tables", "topics.csv"),
        prevalence=expand(res("tables", "prevalence_by_{facet}.csv"), facet=FACETS),
        effects=expand(res("tables", "effects_by_{facet}.csv"), facet=FACETS),
        counts=expand(res("interim", "shards", "{shard}.counts.json"), shard=SHARDS),
        validation_files=methods_validation_inputs(),
    output:
        methods=report(
            res("methods.md"), caption="../report/methods.rst", category="Methods"
        ),
    log:
        log("methods"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "methods"),
    script:
        "../scripts/methods.py"
