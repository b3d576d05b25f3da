"""Fingerprints of the corpus files, so that Snakemake reruns what a corpus change affects.

Snakemake notices a changed input file by its modification time, but the texts are
many files in one folder, and a folder's time changes only when a file is added or
removed, not when a text is edited in place. The ingest rules therefore take, as a
parameter that Snakemake compares between runs, a fingerprint of every text file
(:func:`texts_fingerprint`: name, size and modification time in nanoseconds), and the
preprocessing rules one of only the metadata columns that preprocessing reads
(:func:`metadata_fingerprint`: the document ids in order and, when facet values are
stopwords, the categorical facets' values), so that a new metadata column reruns the
validation and the comparisons but not the preprocessing and the models. The validation
rule also takes :func:`file_fingerprint` of ``metadata.csv``, so that a metadata file
replaced by one with an older time is seen too.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> (folder / "texts").mkdir()
>>> _ = (folder / "texts" / "a.txt").write_text("Hej", encoding="utf-8")
>>> len(texts_fingerprint(folder))
64
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path

from swedish_topics.corpus import METADATA_NAME, TEXTS_NAME, read_metadata
from swedish_topics.errors import UserError


def texts_fingerprint(corpus_dir: str | Path) -> str:
    """SHA-256 over (name, size, mtime_ns) of every entry of ``<corpus>/texts``, sorted.

    An unreadable or missing folder gives the fingerprint of its error text, so that the
    validation rule runs and explains the problem.
    """
    digest = hashlib.sha256()
    folder = Path(corpus_dir) / TEXTS_NAME
    try:
        with os.scandir(folder) as entries:
            stats = sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries)
    except OSError as err:
        digest.update(f"unreadable: {err.strerror}".encode())
        return digest.hexdigest()
    for name, size, mtime_ns in stats:
        digest.update(f"{name}\0{size}\0{mtime_ns}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def file_fingerprint(path: str | Path) -> str:
    """SHA-256 of a file's bytes (of its absence, if it cannot be read).

    Snakemake sees a changed input by its time only; ``metadata.csv`` replaced by a copy
    with an older time (a backup, ``cp -a``, an unpacked archive) would go unseen.
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except OSError as err:
        digest.update(f"unreadable: {err.strerror}".encode())
    return digest.hexdigest()


def metadata_fingerprint(corpus_dir: str | Path, columns: Sequence[str]) -> str:
    """SHA-256 over the ``doc_id`` column and ``columns`` of ``metadata.csv``, row by row.

    Other columns, and the order of the columns in the file, do not change it. A file that
    cannot be read gives the fingerprint of the error, so that the rules that read it run
    and explain the problem.
    """
    digest = hashlib.sha256()
    wanted = ["doc_id", *columns]
    try:
        table = read_metadata(Path(corpus_dir) / METADATA_NAME, wanted)
    except (UserError, OSError) as err:
        digest.update(f"unreadable: {err}".encode())
        return digest.hexdigest()
    digest.update("\0".join(wanted).encode("utf-8") + b"\n")
    for row in table.rows:
        digest.update("\0".join(row.get(c, "") for c in wanted).encode("utf-8") + b"\n")
    return digest.hexdigest()
