"""Preprocess: clean, split into units, tokenise, lemmatise, remove stopwords (in parallel
shards), then join phrases and build the vocabulary and bag-of-words corpus.

Needs: interim/validation.json. Produces: interim/sentences.json (Punkt parameters, trained
once per corpus before the shards), preprocess/{units.tsv, units.jsonl,
dictionary.txt, corpus.mm, split.json}, tables/vocabulary.csv,
tables/preprocessing_summary.csv.
"""


rule train_sentences:
    input:
        validation=res("interim", "texts.json"),
    output:
        sentences=res("interim", "sentences.json"),
    log:
        log("train_sentences"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_corpus,
    params:
        cfg=config_for(CFG, "train_sentences"),
    script:
        "../scripts/train_sentences.py"


rule preprocess_shard:
    input:
        validation=res("interim", "texts.json"),
        sentences=res("interim", "sentences.json"),
    output:
        units=res("interim", "shards", "{shard}.jsonl"),
        counts=res("interim", "shards", "{shard}.counts.json"),
    log:
        log("preprocess_shard_{shard}"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_corpus,
    params:
        cfg=config_for(CFG, "preprocess_shard"),
        n_shards=N_SHARDS,
    script:
        "../scripts/preprocess_shard.py"


rule build_corpus:
    input:
        units=expand(res("interim", "shards", "{shard}.jsonl"), shard=SHARDS),
        counts=expand(res("interim", "shards", "{shard}.counts.json"), shard=SHARDS),
    output:
        units_tsv=res("preprocess", "units.tsv"),
        units_jsonl=res("preprocess", "units.jsonl"),
        dictionary=res("preprocess", "dictionary.txt"),
        corpus=res("preprocess", "corpus.mm"),
        vocabulary=report(
            res("tables", "vocabulary.csv"),
            caption="../report/vocabulary.rst",
            category="Preprocessing",
        ),
        summary=report(
            res("tables", "preprocessing_summary.csv"),
            caption="../report/preprocessing_summary.rst",
            category="Preprocessing",
        ),
    log:
        log("build_corpus"),
    threads: 1
    resources:
        mem_mb=mem_corpus,
        runtime=runtime_corpus,
    params:
        cfg=config_for(CFG, "build_corpus"),
    script:
        "../scripts/build_corpus.py"


rule heldout_split:
    input:
        units_tsv=res("preprocess", "units.tsv"),
    output:
        split=res("preprocess", "split.json"),
    log:
        log("heldout_split"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "heldout_split"),
    script:
        "../scripts/heldout_split.py"
