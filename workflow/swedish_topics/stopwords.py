"""Swedish stopwords: the shipped list, the user's additions and the facet values.

Stopword policy (see ``data/stopwords_sv.txt``): the shipped list holds function words
only (pronouns, determiners, prepositions, conjunctions, auxiliaries and modals,
common adverbs, quantifiers), as word forms plus those lemmas of them that are not also
the lemma of a content word. A token is dropped when its surface form *or* its lemma is
a stopword, so listing "böra" removes bör and borde, while "skola" is not listed (it
would remove the noun "skola", school). Users add words with
``preprocess.stopwords.extra`` or ``extra_file`` (same format as the shipped list).

The values of the facet columns (e.g. municipality names) can be removed too, so that
topics describe themes rather than places: :func:`facet_value_stopwords` gives their
tokens, genitive forms and lemmas.

Examples
--------
>>> "och" in load_stopwords()
True
>>> from swedish_topics.tokenize import tokenize
>>> sorted(facet_value_stopwords(["Vellinge kommun", "Umeå", "2018"],
...                              tokenizer=tokenize, lemmatizer=str.lower))
['umeå', 'umeås', 'vellinge', 'vellinges']
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable
from importlib import resources
from pathlib import Path

from swedish_topics.errors import ConfigError

logger = logging.getLogger(__name__)

#: The shipped list, inside the package.
STOPWORDS_RESOURCE = "stopwords_sv.txt"

#: Generic words in facet values that are not names ("Vellinge kommun", "Skåne län"):
#: never turned into stopwords.
_GENERIC_FACET_WORDS_TEXT = (
    "kommun kommuner stad staden län region regionen landsting landstinget församling "
    "socken härad landskap valkrets valkretsen kretsen norra södra östra västra "
    "mellersta county municipality city region district"
)
GENERIC_FACET_WORDS = frozenset(_GENERIC_FACET_WORDS_TEXT.split())


def parse_stopwords(text: str) -> list[str]:
    """Words of a stopword list: one per line, lower-cased; ``#`` starts a comment."""
    words = []
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.append(word)
    return words


@functools.lru_cache(maxsize=1)
def shipped_stopwords() -> frozenset[str]:
    """The Swedish list shipped with the package (``data/stopwords_sv.txt``)."""
    text = (
        resources.files("swedish_topics")
        .joinpath("data", STOPWORDS_RESOURCE)
        .read_text(encoding="utf-8")
    )
    return frozenset(parse_stopwords(text))


def load_stopwords(
    *,
    extra: Iterable[str] = (),
    extra_file: str | os.PathLike[str] | None = None,
) -> frozenset[str]:
    """The shipped Swedish stopwords plus the user's additions.

    Parameters
    ----------
    extra
        More stopwords (config ``preprocess.stopwords.extra``), lower-cased here.
    extra_file
        A file with one stopword per line (``#`` comments), UTF-8.

    Returns
    -------
    frozenset of str

    Raises
    ------
    ConfigError
        When ``extra_file`` does not exist or is not UTF-8.
    """
    words = set(shipped_stopwords())
    words.update(w.strip().lower() for w in extra if w.strip())
    if extra_file is not None:
        path = Path(extra_file)
        try:
            words.update(parse_stopwords(path.read_text(encoding="utf-8-sig")))
        except FileNotFoundError as err:
            raise ConfigError(
                f"The stopword file '{path}' (config key preprocess.stopwords.extra_file) does "
                "not exist. Create it (one word per line), fix the path, or set the key to null."
            ) from err
        except UnicodeDecodeError as err:
            raise ConfigError(
                f"The stopword file '{path}' is not UTF-8 (byte {err.start}). Save it as UTF-8."
            ) from err
    return frozenset(words)


def _genitive(word: str) -> str | None:
    """Swedish genitive of a name: Umeå → umeås; none after s, x or z (Vännäs)."""
    return None if word.endswith(("s", "x", "z")) else word + "s"


def facet_value_stopwords(
    values: Iterable[str],
    *,
    tokenizer: Callable[[str], list[str]],
    lemmatizer: Callable[[str], str],
) -> set[str]:
    """Tokens, genitives and lemmas of metadata values, to remove as stopwords.

    Only the name part of a value counts: when a value has capitalised words, only those
    are used ("Vellinge kommun" → vellinge), and generic words such as "kommun" or "län"
    (:data:`GENERIC_FACET_WORDS`) are never used. Numbers give nothing, because the
    tokeniser drops them.

    Parameters
    ----------
    values
        Facet values, e.g. ``["Lund", "Vellinge kommun", "2018"]``.
    tokenizer
        Text → lower-case tokens (the pipeline's tokeniser).
    lemmatizer
        Token → lemma (the pipeline's lemmatiser).

    Returns
    -------
    set of str
        E.g. ``{"umeå", "umeås"}`` for "Umeå".
    """
    out: set[str] = set()
    for value in values:
        words = str(value).split()
        if any(w[:1].isupper() for w in words):
            words = [w for w in words if w[:1].isupper()]
        for word in words:
            for token in tokenizer(word):
                if token in GENERIC_FACET_WORDS:
                    continue
                genitive = _genitive(token)
                forms = {token} if genitive is None else {token, genitive}
                for form in forms:
                    out.add(form)
                    lemma = lemmatizer(form)
                    if lemma not in GENERIC_FACET_WORDS:
                        out.add(lemma)
    return out
