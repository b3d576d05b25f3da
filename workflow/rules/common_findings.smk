"""Helpers of workflow/rules/findings.smk, the findings page: its outputs for `rule all`
and the first page of the Snakemake report.
"""


def findings_outputs():
    """The findings page's files (added to `rule all` in the Snakefile)."""
    return [res("README.md"), res("findings.csv"), res("report", "findings.rst")]


def report_description():
    """The first page of the Snakemake report: the findings page once the run wrote it,
    else a static page that says to run the workflow first."""
    page = Path(res("report", "findings.rst")).resolve()
    return str(page) if page.is_file() else "workflow/report/workflow.rst"
