"""Draw 200 of the person names removed from the Riksdag corpus, with their contexts.

Writes ``bench/names/person_names_sample.tsv`` (lemma, count, doc_freq, an empty verdict,
up to two contexts from the raw texts); the verdicts were then given by hand. Run from
the repository root after the Riksdag preprocessing has written ``RESULTS``::

    PYTHONPATH=workflow python bench/names/sample_person_names.py /tmp/i16_riksdag
"""

from __future__ import annotations

import csv
import random
import re
import sys
from pathlib import Path

from swedish_topics.lemmatize import Lemmatizer, load_overrides

CORPUS = Path("../shared/corpora/riksdag_interpellationer")
WORD = re.compile(r"(?<![\w-])[A-ZÅÄÖÉÜ][^\W\d_]*(?:-[^\W\d_]+)*")
OUT = Path("bench/names/person_names_sample.tsv")


def main(results: Path) -> None:
    """Sample the removed lemmas (seed 16) and find two capitalised contexts of each."""
    with open(results / "tables" / "vocabulary.csv", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["removed"]]
    sample = random.Random(16).sample(rows, 200)
    wanted = {r["term"] for r in sample}
    lemmatizer = Lemmatizer(overrides=load_overrides("config/lemma_overrides.tsv"))
    contexts: dict[str, list[str]] = {t: [] for t in wanted}
    for path in sorted((CORPUS / "texts").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for match in WORD.finditer(text):
            lemma = lemmatizer(match.group().lower())
            if lemma in wanted and len(contexts[lemma]) < 2:
                start, end = max(0, match.start() - 60), match.end() + 40
                contexts[lemma].append(" ".join(text[start:end].split()))
    with open(OUT, "w", encoding="utf-8") as out:
        out.write("lemma\tcount\tdoc_freq\tverdict\tcontext\n")
        for row in sorted(sample, key=lambda r: r["term"]):
            found = " | ".join(contexts[row["term"]])
            out.write(f"{row['term']}\t{row['count']}\t{row['doc_freq']}\t\t{found}\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
