"""Analyse: the final model's topics, each document's composition, and how themes differ
between groups of every facet, with bootstrap intervals.

Needs: model_selection/choice.json, the chosen models/k*_s*/model.npz, preprocess/*,
the corpus metadata. Produces: final/model.npz and the tables topic_terms, topics,
doc_topics, representative_passages, prevalence_by_<facet>, differences_by_<facet>,
trend_by_<numeric facet> (each as CSV, LaTeX and Markdown; doc_topics' .tex and .md
hold only a note pointing to the CSV when it has more than 1,000 rows).
"""


wildcard_constraints:
    facet="|".join(re.escape(f) for f in FACETS) if FACETS else "(?!)",


rule final_model:
    input:
        choice=res("model_selection", "choice.json"),
        models=model_file("model.npz"),
    output:
        model=res("final", "model.npz"),
    log:
        log("final_model"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_light,
    params:
        models=MODELS,
    script:
        "../scripts/final_model.py"


rule topic_tables:
    input:
        model=res("final", "model.npz"),
        choice=res("model_selection", "choice.json"),
        topic_coherence=res("model_selection", "topic_coherence.csv"),
        units_tsv=res("preprocess", "units.tsv"),
        units_jsonl=res("preprocess", "units.jsonl"),
        vocabulary=res("tables", "vocabulary.csv"),
        validation=res("interim", "validation.json"),
        sentences=res("interim", "sentences.json"),
        divergence=expand(res("content", "divergence_by_{facet}.csv"), facet=FACETS),
    output:
        topic_terms=report(
            res("tables", "topic_terms.csv"),
            caption="../report/topic_terms.rst",
            category="Topics",
        ),
        topic_terms_other=[res("tables", f"topic_terms.{e}") for e in ("tex", "md")],
        topics=report(
            res("tables", "topics.csv"),
            caption="../report/topics.rst",
            category="Topics",
        ),
        topics_other=[res("tables", f"topics.{e}") for e in ("tex", "md")],
        doc_topics=report(
            res("tables", "doc_topics.csv"),
            caption="../report/doc_topics.rst",
            category="Documents",
        ),
        doc_topics_other=[res("tables", f"doc_topics.{e}") for e in ("tex", "md")],
        passages=report(
            res("tables", "representative_passages.csv"),
            caption="../report/representative_passages.rst",
            category="Topics",
        ),
        passages_other=[
            res("tables", f"representative_passages.{e}") for e in ("tex", "md")
        ],
    log:
        log("topic_tables"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    params:
        cfg=config_for(CFG, "topic_tables"),
    script:
        "../scripts/topic_tables.py"


rule compare_groups:
    input:
        model=res("final", "model.npz"),
        units_tsv=res("preprocess", "units.tsv"),
        metadata=CORPUS / "metadata.csv",
        validation=res("interim", "validation.json"),
    output:
        prevalence=report(
            res("tables", "prevalence_by_{facet}.csv"),
            caption="../report/prevalence_table.rst",
            category="Comparisons",
            subcategory="{facet}",
        ),
        prevalence_other=[
            res("tables", f"prevalence_by_{{facet}}.{e}") for e in ("tex", "md")
        ],
        differences=report(
            res("tables", "differences_by_{facet}.csv"),
            caption="../report/differences_table.rst",
            category="Comparisons",
            subcategory="{facet}",
        ),
        differences_other=[
            res("tables", f"differences_by_{{facet}}.{e}") for e in ("tex", "md")
        ],
    log:
        log("compare_groups_{facet}"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    params:
        cfg=config_for(CFG, "compare_groups"),
    script:
        "../scripts/compare_groups.py"


rule trend:
    input:
        model=res("final", "model.npz"),
        units_tsv=res("preprocess", "units.tsv"),
        metadata=CORPUS / "metadata.csv",
        validation=res("interim", "validation.json"),
    output:
        trend=report(
            res("tables", "trend_by_{facet}.csv"),
            caption="../report/trend_table.rst",
            category="Comparisons",
            subcategory="{facet}",
        ),
        trend_other=[res("tables", f"trend_by_{{facet}}.{e}") for e in ("tex", "md")],
    log:
        log("trend_{facet}"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    params:
        cfg=config_for(CFG, "trend"),
    script:
        "../scripts/trend.py"
