"""Content: how each theme is worded in each group of each facet, and the topic browser.

Needs: the final model, the other seeds' models of the chosen K, preprocess/corpus.mm,
units.tsv/.jsonl, the metadata, and (for the figures and the browser) the analysis tables.
Produces: tables topic_terms_by_<facet>, representative_passages_by_<facet>,
topic_terms_over_<numeric facet> (CSV, LaTeX, Markdown); content/divergence_by_<facet>.csv
(read by topic_tables into topics.csv); figures topic_words_by_<facet>,
topic_words_over_<numeric facet>; figures/topic_browser.html (offline, self-contained).
"""


rule content_by_facet:
    input:
        model=res("final", "model.npz"),
        models=model_file("model.npz"),
        choice=res("model_selection", "choice.json"),
        corpus_mm=res("preprocess", "corpus.mm"),
        units_tsv=res("preprocess", "units.tsv"),
        units_jsonl=res("preprocess", "units.jsonl"),
        metadata=CORPUS / "metadata.csv",
        validation=res("interim", "validation.json"),
    output:
        words=report(
            res("tables", "topic_terms_by_{facet}.csv"),
            caption="../report/topic_terms_by.rst",
            category="Content",
            subcategory="{facet}",
        ),
        words_other=[
            res("tables", f"topic_terms_by_{{facet}}.{e}") for e in ("tex", "md")
        ],
        passages=report(
            res("tables", "representative_passages_by_{facet}.csv"),
            caption="../report/passages_by.rst",
            category="Content",
            subcategory="{facet}",
        ),
        passages_other=[
            res("tables", f"representative_passages_by_{{facet}}.{e}")
            for e in ("tex", "md")
        ],
        divergence=res("content", "divergence_by_{facet}.csv"),
    log:
        log("content_by_facet_{facet}"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    params:
        cfg=config_for(CFG, "content_by_facet"),
        models=MODELS,
    script:
        "../scripts/content_by_facet.py"


rule content_over_facet:
    input:
        model=res("final", "model.npz"),
        corpus_mm=res("preprocess", "corpus.mm"),
        units_tsv=res("preprocess", "units.tsv"),
        metadata=CORPUS / "metadata.csv",
        validation=res("interim", "validation.json"),
    output:
        over=report(
            res("tables", "topic_terms_over_{facet}.csv"),
            caption="../report/topic_terms_over.rst",
            category="Content",
            subcategory="{facet}",
        ),
        over_other=[
            res("tables", f"topic_terms_over_{{facet}}.{e}") for e in ("tex", "md")
        ],
    log:
        log("content_over_facet_{facet}"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    params:
        cfg=config_for(CFG, "content_over_facet"),
    script:
        "../scripts/content_over_facet.py"


rule plot_topic_words_by_facet:
    input:
        words=res("tables", "topic_terms_by_{facet}.csv"),
        topics=res("tables", "topics.csv"),
    output:
        pdf=res("figures", "topic_words_by_{facet}.pdf"),
        png=report(
            res("figures", "topic_words_by_{facet}.png"),
            caption="../report/topic_words_by.rst",
            category="Content",
            subcategory="{facet}",
        ),
    log:
        log("plot_topic_words_by_{facet}"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "plot_topic_words_by_facet"),
    script:
        "../scripts/plot_topic_words_by_facet.py"


rule plot_topic_words_over_facet:
    input:
        over=res("tables", "topic_terms_over_{facet}.csv"),
        topics=res("tables", "topics.csv"),
    output:
        pdf=res("figures", "topic_words_over_{facet}.pdf"),
        png=report(
            res("figures", "topic_words_over_{facet}.png"),
            caption="../report/topic_words_over.rst",
            category="Content",
            subcategory="{facet}",
        ),
    log:
        log("plot_topic_words_over_{facet}"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "plot_topic_words_over_facet"),
    script:
        "../scripts/plot_topic_words_over_facet.py"


rule topic_browser:
    input:
        topics=res("tables", "topics.csv"),
        topic_terms=res("tables", "topic_terms.csv"),
        passages=res("tables", "representative_passages.csv"),
        prevalence=expand(res("tables", "prevalence_by_{facet}.csv"), facet=FACETS),
        differences=expand(res("tables", "differences_by_{facet}.csv"), facet=FACETS),
        words=expand(res("tables", "topic_terms_by_{facet}.csv"), facet=FACETS),
        group_passages=expand(
            res("tables", "representative_passages_by_{facet}.csv"), facet=FACETS
        ),
        over=expand(res("tables", "topic_terms_over_{facet}.csv"), facet=NUMERIC_FACETS),
        # read beside the differences tables: declared so the browser waits for them
        robustness=expand(res("tables", "robustness_by_{facet}.csv"), facet=FACETS),
    output:
        html=report(
            res("figures", "topic_browser.html"),
            caption="../report/topic_browser.rst",
            category="Topics",
        ),
    log:
        log("topic_browser"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "topic_browser"),
    script:
        "../scripts/topic_browser.py"
