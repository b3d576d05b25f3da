"""Helpers of validation.smk and sensitivity.smk (issue 17): their default targets, the
methods text's inputs, and each sensitivity variant's merged config and paths.

Needs: common.smk (CFG, res, SHARDS). Produces: validation_outputs(),
sensitivity_outputs(), methods_validation_inputs(), VARIANTS, VARIANT_CFG, sres(),
variant_cfg(), variant_shards().
"""

from swedish_topics.sensitivity import reuses_main_shards, variant_configs


def validation_outputs():
    """What validation.smk adds to the default target (per config)."""
    out = []
    if CFG["validation"]["enabled"]:
        out += [
            res("validation", "word_intrusion.csv"),
            res("validation", "topic_intrusion.csv"),
            res("validation", "intrusion_form.html"),
            res("validation", "coding_sample.csv"),
            res("validation", "coding_form.html"),
        ]
    if CFG["exports"]["enabled"]:
        out += [
            res("exports", "doc_topics.parquet"),
            res("exports", "doc_topics.csv"),
            res("exports", "data_dictionary.md"),
        ]
    return out


def methods_validation_inputs():
    """Files the methods text reads about validation (report.smk's methods rule)."""
    out = []
    if CFG["validation"]["enabled"]:
        out += [
            res("validation", "key", f"{name}_key.csv")
            for name in ("word_intrusion", "topic_intrusion", "coding_sample")
        ]
    if VARIANTS:  # variants equal to the main settings are left out (sensitivity.py)
        out.append(res("sensitivity", "summary.csv"))
    return out


try:
    VARIANT_CFG = variant_configs(CFG)
except UserError as _err:
    sys.stderr.write(f"\nConfiguration error: {_err}\n\n")
    sys.exit(1)
VARIANTS = list(VARIANT_CFG)


def sensitivity_outputs():
    """What sensitivity.smk adds to the default target (nothing without variants)."""
    if not VARIANTS:
        return []
    return [
        res("sensitivity", name)
        for name in ("summary.csv", "matches.csv", "effects.csv", "sensitivity.png")
    ]


def sres(*parts):
    """A path under sensitivity/{variant}/ (with the wildcard)."""
    return res("sensitivity", "{variant}", *parts)


def variant_cfg(rule):
    """Params function: the part of the job's variant config that `rule` reads."""

    def cfg(wildcards):
        return config_for(VARIANT_CFG[wildcards.variant], rule)

    return cfg


def variant_shards(kind):
    """Input function: the variant's shard files, or the main run's when they are equal."""

    def shards(wildcards):
        if reuses_main_shards(CFG, VARIANT_CFG[wildcards.variant]):
            folder = res("interim", "shards")
        else:
            folder = res("sensitivity", wildcards.variant, "interim", "shards")
        return [f"{folder}/{shard}.{kind}" for shard in SHARDS]

    return shards
