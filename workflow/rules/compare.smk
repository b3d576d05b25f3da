"""Compare: adjusted effects of every facet at once (one regression per topic).

Needs: final/model.npz (its unit_topic_counts give the model's uncertainty), the units,
the corpus metadata. Produces: effects_by_<facet> (CSV, LaTeX, Markdown) for every facet.
"""


rule effects:
    input:
        model=res("final", "model.npz"),
        units_tsv=res("preprocess", "units.tsv"),
        metadata=CORPUS / "metadata.csv",
        validation=res("interim", "validation.json"),
    output:
        effects=report(
            [res("tables", f"effects_by_{f}.csv") for f in FACETS],
            caption="../report/effects_table.rst",
            category="Comparisons",
            subcategory="adjusted effects",
        ),
        effects_other=[
            res("tables", f"effects_by_{f}.{e}") for f in FACETS for e in ("tex", "md")
        ],
    log:
        log("effects"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    params:
        cfg=config_for(CFG, "effects"),
    script:
        "../scripts/effects.py"


rule robustness:
    input:
        choice=res("model_selection", "choice.json"),
        model=res("final", "model.npz"),
        models=model_file("model.npz"),
        units_tsv=res("preprocess", "units.tsv"),
        metadata=CORPUS / "metadata.csv",
        validation=res("interim", "validation.json"),
        differences=[res("tables", f"differences_by_{f}.csv") for f in FACETS],
        effects=[res("tables", f"effects_by_{f}.csv") for f in FACETS],
    output:
        robustness=report(
            [res("tables", f"robustness_by_{f}.csv") for f in FACETS],
            caption="../report/robustness_table.rst",
            category="Comparisons",
            subcategory="robustness",
        ),
        robustness_other=[
            res("tables", f"robustness_by_{f}.{e}")
            for f in FACETS
            for e in ("tex", "md")
        ],
    log:
        log("robustness"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    params:
        cfg=config_for(CFG, "robustness"),
        models=MODELS,
    script:
        "../scripts/robustness.py"


rule plot_effects:
    input:
        effects=res("tables", "effects_by_{facet}.csv"),
        topics=res("tables", "topics.csv"),
        robustness=res("tables", "robustness_by_{facet}.csv"),
    output:
        pdf=res("figures", "effects_by_{facet}.pdf"),
        png=report(
            res("figures", "effects_by_{facet}.png"),
            caption="../report/effects.rst",
            category="Comparisons",
            subcategory="{facet}",
        ),
    log:
        log("plot_effects_{facet}"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    params:
        max_groups=CFG["analysis"]["max_plot_groups"],
    script:
        "../scripts/plot_effects.py"
