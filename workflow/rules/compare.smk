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
        cfg=CFG,
    script:
        "../scripts/effects.py"
