"""Read and validate a corpus folder: ``texts/<doc_id>.txt`` plus ``metadata.csv``.

The corpus format is the workflow's public input interface:

- ``texts/<doc_id>.txt``: one plain-text document per file, UTF-8 (a byte-order mark and
  CRLF or CR line ends are accepted and normalised away).
- ``metadata.csv``: a header line with a ``doc_id`` column plus any metadata columns, one
  row per document. Comma, semicolon and tab delimiters are recognised from the header
  line (so a file saved by Excel, with a BOM and semicolons, works), with standard CSV
  quoting. Surrounding whitespace of column names and values is removed; wholly empty
  rows are skipped.

Doc ids become file names in ``texts/`` and appear in output paths, tables and HTML, so
they are restricted to a portable set: ASCII letters and digits, the Swedish letters
å, ä, ö, Å, Ä, Ö, and ``.``, ``_``, ``-``; they must start with a letter or digit, must not
end with ``.``, must not be a reserved Windows device name (``CON``, ``NUL``, ``COM1`` …)
and must fit a file name (at most 251 bytes in UTF-8, leaving room for ``.txt``).

:func:`validate_corpus` checks everything and reports every problem at once, each as one
paragraph naming the file, the line or byte and the fix. It reads ``metadata.csv`` a row
at a time and the texts one at a time; memory holds the doc ids and a few bytes per
document besides them.

Examples
--------
>>> from pathlib import Path
>>> report = validate_corpus(  # doctest: +SKIP
...     Path("corpus"), facets=["municipality", "year"], numeric_facets=["year"],
...     min_group_docs=3, max_text_mb=50)
>>> for doc_id, text in iter_documents(Path("corpus"), report.doc_ids):  # doctest: +SKIP
...     ...

The subpackage, one module per question: :mod:`._format` (names, limits, result classes,
doc ids), :mod:`._metadata` (reading ``metadata.csv``), :mod:`._texts` (reading the texts)
and :mod:`._validate` (:func:`validate_corpus`); their public faces are imported here.
"""

from __future__ import annotations

from swedish_topics.corpus._format import (
    BYTES_PER_MB,
    DELIMITERS,
    DOC_ID,
    MAX_LISTED_PER_KIND,
    METADATA_NAME,
    TEXTS_NAME,
    Metadata,
    ValidationReport,
    doc_id_problem,
)
from swedish_topics.corpus._metadata import facet_values, read_metadata
from swedish_topics.corpus._texts import iter_documents, read_text, text_path
from swedish_topics.corpus._validate import validate_corpus

__all__ = [
    "BYTES_PER_MB",
    "DELIMITERS",
    "DOC_ID",
    "MAX_LISTED_PER_KIND",
    "METADATA_NAME",
    "TEXTS_NAME",
    "Metadata",
    "ValidationReport",
    "doc_id_problem",
    "facet_values",
    "iter_documents",
    "read_metadata",
    "read_text",
    "text_path",
    "validate_corpus",
]
