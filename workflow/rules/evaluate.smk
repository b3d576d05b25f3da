"""Evaluate: coherence, held-out perplexity, diversity, exclusivity and stability of every
model from one counting pass; then the documented rule picks the final K and seed.

Needs: every models/k*_s*/{model.npz, train.json}, preprocess/{units.tsv, corpus.mm,
dictionary.txt}. Produces: model_selection/{metrics.csv, stability.csv,
seed_agreement.csv, choice.json} and figures/model_selection.{pdf,png}.
"""


rule evaluate_models:
    input:
        models=model_file("model.npz"),
        train=model_file("train.json"),
        units_tsv=res("preprocess", "units.tsv"),
        corpus=res("preprocess", "corpus.mm"),
        dictionary=res("preprocess", "dictionary.txt"),
    output:
        metrics=report(
            res("model_selection", "metrics.csv"),
            caption="../report/metrics.rst",
            category="Model selection",
        ),
        stability=report(
            res("model_selection", "stability.csv"),
            caption="../report/stability.rst",
            category="Model selection",
        ),
        agreement=res("model_selection", "seed_agreement.csv"),
        topic_coherence=res("model_selection", "topic_coherence.csv"),
    log:
        log("evaluate_models"),
    threads: 1
    resources:
        mem_mb=mem_corpus,
        runtime=runtime_model,
    params:
        cfg=config_for(CFG, "evaluate_models"),
        models=MODELS,
    script:
        "../scripts/evaluate_models.py"


rule select_model:
    input:
        metrics=res("model_selection", "metrics.csv"),
        stability=res("model_selection", "stability.csv"),
        agreement=res("model_selection", "seed_agreement.csv"),
    output:
        choice=res("model_selection", "choice.json"),
    log:
        log("select_model"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "select_model"),
        # the pin itself (not compared by Snakemake) and the pin as compared: None when
        # it names the model that the rule already chose (nothing to rerun)
        pin=PINNED,
        pin_change=pin_change(PINNED, res("model_selection", "choice.json")),
    script:
        "../scripts/select_model.py"


rule plot_model_selection:
    input:
        metrics=res("model_selection", "metrics.csv"),
        stability=res("model_selection", "stability.csv"),
        choice=res("model_selection", "choice.json"),
    output:
        pdf=res("figures", "model_selection.pdf"),
        png=report(
            res("figures", "model_selection.png"),
            caption="../report/model_selection.rst",
            category="Model selection",
        ),
    log:
        log("plot_model_selection"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    script:
        "../scripts/plot_model_selection.py"
