"""Ingest: validate the corpus before any other work.

Needs: <corpus>/metadata.csv and <corpus>/texts/*.txt.
Produces: interim/validation.json (validated document ids, groups, warnings) and
interim/texts.json (only what preprocessing reads: document ids, text sizes and, when
facet values are stopwords, the categorical facets' groups). Every problem is reported
at once and the run stops here on any error.

A text edited in place changes no folder time, so both rules take a fingerprint of every
text file as a parameter (common.smk), and validate_corpus one of metadata.csv's bytes
(a copy with an older time is seen too); corpus_texts takes no metadata.csv input but a
fingerprint of the columns it reads, so a new metadata column reruns validate_corpus and
the comparisons, not the preprocessing and the models (README, "Changing your analysis").
"""


rule validate_corpus:
    input:
        metadata=CORPUS / "metadata.csv",
        texts=CORPUS / "texts",
    output:
        validation=res("interim", "validation.json"),
    log:
        log("validate_corpus"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_corpus,
    params:
        cfg=config_for(CFG, "validate_corpus"),
        texts=TEXTS_FINGERPRINT,
        metadata=METADATA_FINGERPRINT,
    script:
        "../scripts/validate_corpus.py"


rule corpus_texts:
    output:
        texts=res("interim", "texts.json"),
    log:
        log("corpus_texts"),
    threads: 1
    resources:
        mem_mb=mem_light,
        runtime=runtime_corpus,
    params:
        cfg=config_for(CFG, "corpus_texts"),
        texts=TEXTS_FINGERPRINT,
        metadata=PREPROCESS_METADATA_FINGERPRINT,
    script:
        "../scripts/corpus_texts.py"
