"""Ingest: validate the corpus before any other work.

Needs: <corpus>/metadata.csv and <corpus>/texts/*.txt.
Produces: interim/validation.json (validated document ids, groups, warnings). Every
problem is reported at once and the run stops here on any error.
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
        cfg=CFG,
    script:
        "../scripts/validate_corpus.py"
