"""Model: one LDA model per K and seed of the grid, each its own job.

Needs: preprocess/{corpus.mm, dictionary.txt, split.json}.
Produces: models/k{k}_s{seed}/{model.npz, train.json} and the model in its engine's own
format in models/k{k}_s{seed}/native/ (for users; the workflow reads only model.npz).
"""


rule train_lda:
    input:
        corpus=res("preprocess", "corpus.mm"),
        dictionary=res("preprocess", "dictionary.txt"),
        split=res("preprocess", "split.json"),
    output:
        model=res("models", "k{k}_s{seed}", "model.npz"),
        train=res("models", "k{k}_s{seed}", "train.json"),
        native=directory(res("models", "k{k}_s{seed}", "native")),
    log:
        log("train_lda_k{k}_s{seed}"),
    wildcard_constraints:
        k=r"\d+",
        seed=r"\d+",
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    params:
        cfg=config_for(CFG, "train_lda"),
    script:
        "../scripts/train_lda.py"
