"""Screen the lemmatiser on the Riksdag corpus: frequent lemmas never written as a word.

A lemma that the texts never contain as a word form is either a base form that happens
not to occur (a verb only seen as "föreslår", a noun only in the plural) or a lemmatiser
error ("norrgå" from "norrgående", "älga" from "älg"). This script lists the most frequent
such lemmas of the final vocabulary, each with the word forms that gave it, in
``bench/lemmas/lemma_screening.tsv``; the verdicts are given by hand, and the wrong ones go
to ``config/lemma_overrides.tsv``. Run from the repository root after the Riksdag
preprocessing has written ``RESULTS`` (the vocabulary; the texts are read from
``../shared``)::

    PYTHONPATH=workflow python bench/lemmas/screen_lemmas.py /tmp/i16_riksdag 200
"""

from __future__ import annotations

import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

from swedish_topics.lemmatize import Lemmatizer, load_overrides
from swedish_topics.tokenize import SwedishTokenizer

CORPUS = Path("../shared/corpora/riksdag_interpellationer")
OUT = Path("bench/lemmas/lemma_screening.tsv")


def main(results: Path, n: int) -> None:
    """List the ``n`` most frequent vocabulary lemmas that occur in no text as a word."""
    tokenizer = SwedishTokenizer()
    forms: Counter[str] = Counter()
    for path in sorted((CORPUS / "texts").glob("*.txt")):
        forms.update(tokenizer.tokenize(path.read_text(encoding="utf-8")))
    lemmatizer = Lemmatizer(overrides=load_overrides("config/lemma_overrides.tsv"))
    sources: dict[str, Counter[str]] = defaultdict(Counter)
    for form, count in forms.items():
        sources[lemmatizer(form)][form] += count
    with open(results / "tables" / "vocabulary.csv", encoding="utf-8") as handle:
        vocabulary = [r for r in csv.DictReader(handle) if not r["removed"]]
    unseen = [r for r in vocabulary if "_" not in r["term"] and r["term"] not in forms][:n]
    with open(OUT, "w", encoding="utf-8") as out:
        out.write("lemma\tcount\tforms\tverdict\tright_lemma\n")
        for row in unseen:
            top = ", ".join(f"{f} {c}" for f, c in sources[row["term"]].most_common(4))
            out.write(f"{row['term']}\t{row['count']}\t{top}\t\t\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
