"""Sensitivity: preprocessing variants rerun with the main run's chosen K and seed.

Each variant named in config sensitivity.run (a change to the preprocess section) is
preprocessed, modelled and compared by the same rule scripts as the main run, under
sensitivity/<variant>/, sharing the main run's validation (interim/texts.json and
interim/validation.json) and
reading K and seed from model_selection/choice.json. A variant that changes only phrases
or the vocabulary filter reuses the main run's shards. The rules that run a main rule's
script are that rule (`use rule … as sensitivity_… with:`) with the variant's paths and
its part of the variant's config.

Needs: interim/{texts,validation}.json, the main shards, model_selection/choice.json,
final/model.npz, tables/differences_by_<facet>.csv, tables/trend_by_<numeric facet>.csv,
tables/effects_by_<facet>.csv.
Produces: sensitivity/<variant>/{preprocess,final,tables}/…, sensitivity/{summary.csv,
matches.csv, effects.csv, sensitivity.pdf, sensitivity.png}.
"""


wildcard_constraints:
    variant="|".join(re.escape(v) for v in VARIANTS) if VARIANTS else "(?!)",


use rule preprocess_shard as sensitivity_preprocess_shard with:
    output:
        units=sres("interim", "shards", "{shard}.jsonl"),
        counts=sres("interim", "shards", "{shard}.counts.json"),
    log:
        log("sensitivity_{variant}_preprocess_shard_{shard}"),
    params:
        cfg=variant_cfg("sensitivity_preprocess_shard"),
        n_shards=N_SHARDS,


use rule build_corpus as sensitivity_build_corpus with:
    input:
        units=variant_shards("jsonl"),
        counts=variant_shards("counts.json"),
    output:
        units_tsv=sres("preprocess", "units.tsv"),
        units_jsonl=sres("preprocess", "units.jsonl"),
        dictionary=sres("preprocess", "dictionary.txt"),
        corpus=sres("preprocess", "corpus.mm"),
        vocabulary=sres("tables", "vocabulary.csv"),
        summary=sres("tables", "preprocessing_summary.csv"),
    log:
        log("sensitivity_{variant}_build_corpus"),
    params:
        cfg=variant_cfg("sensitivity_build_corpus"),


use rule heldout_split as sensitivity_heldout_split with:
    input:
        units_tsv=sres("preprocess", "units.tsv"),
    output:
        split=sres("preprocess", "split.json"),
    log:
        log("sensitivity_{variant}_heldout_split"),
    params:
        cfg=variant_cfg("sensitivity_heldout_split"),


rule sensitivity_model:
    input:
        corpus=sres("preprocess", "corpus.mm"),
        dictionary=sres("preprocess", "dictionary.txt"),
        split=sres("preprocess", "split.json"),
        choice=res("model_selection", "choice.json"),
    output:
        model=sres("final", "model.npz"),
        train=sres("final", "train.json"),
        native=directory(sres("final", "native")),
    log:
        log("sensitivity_{variant}_model"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    params:
        cfg=variant_cfg("sensitivity_model"),
    script:
        "../scripts/sensitivity_model.py"


use rule compare_groups as sensitivity_compare_groups with:
    input:
        model=sres("final", "model.npz"),
        units_tsv=sres("preprocess", "units.tsv"),
        metadata=CORPUS / "metadata.csv",
        validation=res("interim", "validation.json"),
    output:
        prevalence=sres("tables", "prevalence_by_{facet}.csv"),
        prevalence_other=[
            sres("tables", f"prevalence_by_{{facet}}.{e}") for e in ("tex", "md")
        ],
        differences=sres("tables", "differences_by_{facet}.csv"),
        differences_other=[
            sres("tables", f"differences_by_{{facet}}.{e}") for e in ("tex", "md")
        ],
    log:
        log("sensitivity_{variant}_compare_groups_{facet}"),
    params:
        cfg=variant_cfg("sensitivity_compare_groups"),


use rule trend as sensitivity_trend with:
    input:
        model=sres("final", "model.npz"),
        units_tsv=sres("preprocess", "units.tsv"),
        metadata=CORPUS / "metadata.csv",
        validation=res("interim", "validation.json"),
    output:
        trend=sres("tables", "trend_by_{facet}.csv"),
        trend_other=[sres("tables", f"trend_by_{{facet}}.{e}") for e in ("tex", "md")],
    log:
        log("sensitivity_{variant}_trend_{facet}"),
    params:
        cfg=variant_cfg("sensitivity_trend"),


use rule effects as sensitivity_effects with:
    input:
        model=sres("final", "model.npz"),
        units_tsv=sres("preprocess", "units.tsv"),
        metadata=CORPUS / "metadata.csv",
        validation=res("interim", "validation.json"),
    output:
        effects=[sres("tables", f"effects_by_{f}.csv") for f in FACETS],
        effects_other=[
            sres("tables", f"effects_by_{f}.{e}")
            for f in FACETS
            for e in ("tex", "md")
        ],
    log:
        log("sensitivity_{variant}_effects"),
    params:
        cfg=variant_cfg("sensitivity_effects"),


rule sensitivity_summary:
    input:
        model=res("final", "model.npz"),
        choice=res("model_selection", "choice.json"),
        stability=res("model_selection", "stability.csv"),
        differences=expand(res("tables", "differences_by_{facet}.csv"), facet=FACETS),
        trends=expand(res("tables", "trend_by_{facet}.csv"), facet=NUMERIC_FACETS),
        effects=expand(res("tables", "effects_by_{facet}.csv"), facet=FACETS),
        variant_effects=expand(
            sres("tables", "effects_by_{facet}.csv"),
            variant=VARIANTS,
            facet=FACETS,
        ),
        variant_models=expand(
            res("sensitivity", "{variant}", "final", "model.npz"), variant=VARIANTS
        ),
        variant_summaries=expand(
            res("sensitivity", "{variant}", "tables", "preprocessing_summary.csv"),
            variant=VARIANTS,
        ),
        variant_differences=expand(
            res("sensitivity", "{variant}", "tables", "differences_by_{facet}.csv"),
            variant=VARIANTS,
            facet=FACETS,
        ),
        variant_trends=expand(
            res("sensitivity", "{variant}", "tables", "trend_by_{facet}.csv"),
            variant=VARIANTS,
            facet=NUMERIC_FACETS,
        ),
    output:
        summary=report(
            res("sensitivity", "summary.csv"),
            caption="../report/sensitivity_table.rst",
            category="Validation",
        ),
        summary_other=[res("sensitivity", f"summary.{e}") for e in ("tex", "md")],
        matches=res("sensitivity", "matches.csv"),
        effects=res("sensitivity", "effects.csv"),
        figure=report(
            res("sensitivity", "sensitivity.png"),
            caption="../report/sensitivity.rst",
            category="Validation",
        ),
        figure_pdf=res("sensitivity", "sensitivity.pdf"),
    log:
        log("sensitivity_summary"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "sensitivity_summary"),
        variants=VARIANTS,
    script:
        "../scripts/sensitivity_summary.py"
