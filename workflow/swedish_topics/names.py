"""Person names: recognised by capitalisation and given names, removed before phrases.

Swedish capitalises proper nouns and little else, so a word that is capitalised in the
middle of a sentence in nearly all of its occurrences is a proper noun. Organisations,
authorities and acronyms (EU, Sverige, Skatteverket, GDPR) are proper nouns too, and they
are the themes of the corpora we model, so by default only *person* names are removed:

1. In each document (:meth:`NameStats.observe`), runs of capitalised words separated by
   single spaces are found ("Enligt Åsa Melvanius", "Conny Björnehall"). A word of a run
   from its first given name (the shipped list ``data/given_names_sv.txt``, plus
   ``given_names_extra``) to the run's end is in *name position*, and so is every other
   capitalised occurrence of the same word in the same document ("säger Melvanius").
   Each capitalised word is counted by its lemma: at the start of a sentence
   (``initial``), in the middle of one (``capitalised``) and in name position (``name``).
2. Over the whole corpus (:func:`find_names`, summed over the shards, so that the result
   does not depend on their number): a lemma is a *proper noun* when at least
   ``capitalised_share`` of its occurrences that are not sentence-initial are
   capitalised; a proper noun is a *person name* when at least ``person_share`` of its
   capitalised occurrences are in name position. "Skatteverket" is always capitalised but
   rarely next to a given name; "björn" and "ask" are mostly lower-case words.

``mode`` is ``"persons"`` (the default: remove person names), ``"proper_nouns"`` (remove
every proper noun) or ``"none"``.

Examples
--------
>>> stats = NameStats(given_names={"åsa"})
>>> stats.observe(["Det sa Åsa Melvanius i går. Enligt Melvanius ska EU betala."], str.lower)
>>> [stats.counts[word] for word in ["åsa", "melvanius", "eu", "enligt"]]
[[1, 0, 1], [2, 0, 2], [1, 0, 0], [0, 1, 0]]
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib import resources

logger = logging.getLogger(__name__)

#: The shipped list of given names, inside the package.
GIVEN_NAMES_RESOURCE = "given_names_sv.txt"
MODES = ("persons", "proper_nouns", "none")
_UPPER = "A-ZÅÄÖÆØÉÈÜÁÀÍÓÚÑ"
#: A capitalised word: an upper-case letter, letters, possibly hyphenated parts.
_WORD = rf"[{_UPPER}][^\W\d_]*(?:-[^\W\d_]+)*"
#: A run of capitalised words separated by single spaces.
_RUN_RE = re.compile(rf"(?<![\w-]){_WORD}(?: {_WORD})*(?![\w-])")
#: Characters skipped when looking back for the end of the previous sentence.
_SKIP_BACK = frozenset(" \t\"'”“«»–—-(‘’[")
_SENTENCE_END = frozenset(".!?:…;\n")


def load_given_names(extra: Iterable[str] = ()) -> frozenset[str]:
    """The shipped Swedish given names plus ``extra``, lower-cased.

    Parameters
    ----------
    extra
        More given names (any case).

    Returns
    -------
    frozenset of str
    """
    text = resources.files("swedish_topics").joinpath("data", GIVEN_NAMES_RESOURCE)
    names = {
        line.strip().lower()
        for line in text.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    return frozenset(names | {name.strip().lower() for name in extra if name.strip()})


def _is_initial(text: str, start: int) -> bool:
    """Whether the word at ``start`` begins a sentence (or the paragraph)."""
    i = start - 1
    while i >= 0 and text[i] in _SKIP_BACK:
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


class NameStats:
    """Counts, per lemma, its capitalised occurrences and those in name position.

    Parameters
    ----------
    given_names
        Lower-case given names (:func:`load_given_names`).

    Attributes
    ----------
    counts
        lemma → ``[capitalised mid-sentence, sentence-initial, in name position]``.
    """

    def __init__(self, given_names: Iterable[str]) -> None:
        self.given_names = frozenset(given_names)
        self.counts: dict[str, list[int]] = {}

    def observe(self, paragraphs: Iterable[str], lemma_of: Callable[[str], str]) -> None:
        """Count the capitalised words of one document's paragraphs.

        Parameters
        ----------
        paragraphs
            The document's cleaned paragraphs.
        lemma_of
            A word as written → its lemma, or ``""`` for a word not counted (a stopword).
        """
        words: list[tuple[str, bool]] = []  # (lower-case word, sentence-initial)
        names: set[str] = set()
        given = self.given_names
        for paragraph in paragraphs:
            for match in _RUN_RE.finditer(paragraph):
                run = match.group().lower().split(" ")
                words.append((run[0], _is_initial(paragraph, match.start())))
                words.extend((word, False) for word in run[1:])
                for i, word in enumerate(run):
                    if word in given:
                        names.update(run[i:])
                        break
        counts = self.counts
        for word, initial in words:
            lemma = lemma_of(word)
            if not lemma:
                continue
            row = counts.get(lemma)
            if row is None:
                row = counts[lemma] = [0, 0, 0]
            row[1 if initial else 0] += 1
            if word in names:
                row[2] += 1


def merge_counts(parts: Iterable[Mapping[str, list[int]]]) -> dict[str, list[int]]:
    """Sum the :attr:`NameStats.counts` of several shards (order does not matter)."""
    merged: dict[str, list[int]] = {}
    for part in parts:
        for lemma, row in part.items():
            total = merged.setdefault(lemma, [0, 0, 0])
            for i, n in enumerate(row):
                total[i] += n
    return merged


@dataclass(frozen=True)
class NameDecision:
    """One lemma's evidence and verdict (a row of the removed-names listing)."""

    lemma: str
    occurrences: int
    capitalised: int
    initial: int
    name_position: int
    capitalised_share: float
    person_share: float
    kind: str  # "person", "proper_noun" or ""


def classify(
    counts: Mapping[str, list[int]],
    occurrences: Mapping[str, int],
    *,
    capitalised_share: float = 0.9,
    person_share: float = 0.5,
) -> list[NameDecision]:
    """Decide, for every lemma seen capitalised, whether it is a proper noun or a person.

    Parameters
    ----------
    counts
        Merged :attr:`NameStats.counts`.
    occurrences
        Lemma → its number of tokens in the corpus (after stopwords).
    capitalised_share
        Least share of the non-initial occurrences that are capitalised, for a proper noun.
    person_share
        Least share of the capitalised occurrences in name position, for a person.

    Returns
    -------
    list of NameDecision
        Sorted by lemma; ``kind`` is ``""`` for ordinary words.
    """
    out = []
    for lemma in sorted(counts):
        capitalised, initial, name = counts[lemma]
        total = max(int(occurrences.get(lemma, 0)), capitalised + initial)
        mid = total - initial
        cap = capitalised / mid if mid else 0.0
        person = name / (capitalised + initial) if capitalised + initial else 0.0
        kind = ""
        if capitalised and cap >= capitalised_share:
            kind = "person" if person >= person_share else "proper_noun"
        out.append(NameDecision(lemma, total, capitalised, initial, name, cap, person, kind))
    return out


def names_to_remove(decisions: Iterable[NameDecision], mode: str) -> dict[str, str]:
    """Lemma → why it is removed (``"person_name"`` or ``"proper_noun"``), for ``mode``."""
    if mode not in MODES:
        raise ValueError(f"unknown names mode {mode!r}; use one of {', '.join(MODES)}")
    if mode == "none":
        return {}
    kinds = {"person"} if mode == "persons" else {"person", "proper_noun"}
    return {
        d.lemma: "person_name" if d.kind == "person" else "proper_noun"
        for d in decisions
        if d.kind in kinds
    }
