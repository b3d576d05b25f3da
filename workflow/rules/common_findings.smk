"""Helpers of workflow/rules/findings.smk, the findings page: its outputs for `rule all`,
the config keys it reads, and the first page of the Snakemake report.
"""


def findings_outputs():
    """The findings page's files (added to `rule all` in the Snakefile)."""
    return [res("README.md"), res("findings.csv"), res("report", "findings.rst")]


def findings_config():
    """The config keys the findings page reads (a change to any other key does not
    rewrite it), shown escaped in the Snakemake report as the whole config is."""
    return ReportSafeConfig(
        {
            "facets": CFG["facets"],
            "numeric_facets": CFG["numeric_facets"],
            "min_group_docs": CFG["min_group_docs"],
            "analysis": CFG["analysis"],
            "preprocess": {"units": CFG["preprocess"]["units"]},
        }
    )


def report_description():
    """The first page of the Snakemake report: the findings page once the run wrote it,
    else a static page that says to run the workflow first."""
    page = Path(res("report", "findings.rst")).resolve()
    return str(page) if page.is_file() else "workflow/report/workflow.rst"
