"""Validation and exports: material for human coders and data for the next tool.

Needs: final/model.npz, preprocess/{units.tsv, units.jsonl}, interim/validation.json,
tables/topics.csv, the corpus metadata. Produces: validation/{word_intrusion.csv,
topic_intrusion.csv, intrusion_form.html, coding_sample.csv, coding_form.html} with the
answers apart in validation/key/, and exports/{doc_topics.parquet, doc_topics.csv,
doc_topic_draws.parquet, data_dictionary.md}. Coders' sheets are scored outside the
workflow: python -m swedish_topics.coding (see README, "Validating the topics").
"""


rule intrusion_tasks:
    input:
        model=res("final", "model.npz"),
        units_tsv=res("preprocess", "units.tsv"),
        units_jsonl=res("preprocess", "units.jsonl"),
    output:
        word_sheet=res("validation", "word_intrusion.csv"),
        topic_sheet=res("validation", "topic_intrusion.csv"),
        word_key=res("validation", "key", "word_intrusion_key.csv"),
        topic_key=res("validation", "key", "topic_intrusion_key.csv"),
        form=report(
            res("validation", "intrusion_form.html"),
            caption="../report/intrusion_form.rst",
            category="Validation",
        ),
    log:
        log("intrusion_tasks"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "intrusion_tasks"),
    script:
        "../scripts/intrusion_tasks.py"


rule coding_sample:
    input:
        model=res("final", "model.npz"),
        units_tsv=res("preprocess", "units.tsv"),
        units_jsonl=res("preprocess", "units.jsonl"),
        validation=res("interim", "validation.json"),
        metadata=CORPUS / "metadata.csv",
        topics=res("tables", "topics.csv"),
    output:
        sheet=res("validation", "coding_sample.csv"),
        key=res("validation", "key", "coding_sample_key.csv"),
        form=report(
            res("validation", "coding_form.html"),
            caption="../report/coding_form.rst",
            category="Validation",
        ),
    log:
        log("coding_sample"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_light,
    params:
        cfg=config_for(CFG, "coding_sample"),
    script:
        "../scripts/coding_sample.py"


rule export_doc_topics:
    input:
        model=res("final", "model.npz"),
        units_tsv=res("preprocess", "units.tsv"),
        validation=res("interim", "validation.json"),
        metadata=CORPUS / "metadata.csv",
        topics=res("tables", "topics.csv"),
    output:
        parquet=res("exports", "doc_topics.parquet"),
        csv=res("exports", "doc_topics.csv"),
        draws=res("exports", "doc_topic_draws.parquet"),
        dictionary=res("exports", "data_dictionary.md"),
    log:
        log("export_doc_topics"),
    threads: 1
    resources:
        mem_mb=mem_model,
        runtime=runtime_model,
    params:
        cfg=config_for(CFG, "export_doc_topics"),
    script:
        "../scripts/export_doc_topics.py"
