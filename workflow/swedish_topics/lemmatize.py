"""Swedish lemmatisation: simplemma + a per-form cache + a user-editable override table.

A lemma is looked up, in order:

1. in the override table (``config/lemma_overrides.tsv``: ``form<TAB>lemma`` lines, ``#``
   starts a comment), which corrects the lemmatiser where it is wrong for your texts;
2. for a hyphenated compound, the last part is lemmatised (steps 1 and 3) and the rest
   kept: "it-avdelningen" → "it-avdelning", "e-tjänsterna" → "e-tjänst";
3. simplemma (``lang="sv"``) in greedy mode, which also lemmatises compounds it does not
   know by their last known part ("digitaliseringsresan" → "digitaliseringsresa").

Output is lower case. Tokens are cached by surface form (the hot path is one dict
lookup per token), so simplemma runs once per distinct word.

Examples
--------
>>> lemmatizer = Lemmatizer(overrides={"pris": "pris"})
>>> [lemmatizer(w) for w in ["kommunerna", "tjänstemän", "pris", "e-tjänsterna"]]
['kommun', 'tjänsteman', 'pris', 'e-tjänst']
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import simplemma

from swedish_topics.errors import ConfigError

logger = logging.getLogger(__name__)

LANG = "sv"


def load_overrides(path: str | os.PathLike[str]) -> dict[str, str]:
    """Read a ``form<TAB>lemma`` override table.

    Blank lines and text after ``#`` are ignored. Forms and lemmas are lower-cased.

    Parameters
    ----------
    path
        The table (UTF-8).

    Returns
    -------
    dict
        Form → lemma.

    Raises
    ------
    ConfigError
        When the file is missing or a line is not ``form<TAB>lemma`` (naming file and line).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as err:
        raise ConfigError(
            f"The lemma override table '{path}' (config key preprocess.lemmatize.overrides) "
            "does not exist. Create it (lines 'form<TAB>lemma'), fix the path, or set the key "
            "to null to use no overrides."
        ) from err
    except UnicodeDecodeError as err:
        raise ConfigError(
            f"The lemma override table '{path}' is not UTF-8 (byte {err.start}). Save it as "
            "UTF-8 text."
        ) from err
    overrides: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("\t")]
        if len(parts) != 2 or not parts[0] or not parts[1] or " " in parts[0]:
            raise ConfigError(
                f"{path}, line {number}: {raw.strip()!r} is not 'form<TAB>lemma'. Each line "
                "holds one word form, a tab character (not spaces) and its lemma, e.g. "
                "'pris\\tpris'; start comments with '#'."
            )
        form, lemma = parts[0].lower(), parts[1].lower()
        if form in overrides and overrides[form] != lemma:
            logger.warning(
                "%s, line %d: %r is overridden twice; the last lemma %r wins",
                path,
                number,
                form,
                lemma,
            )
        overrides[form] = lemma
    logger.info("read %d lemma overrides from %s", len(overrides), path)
    return overrides


class Lemmatizer:
    """Lemmatise lower-case Swedish tokens with a cache; call it with a token.

    Parameters
    ----------
    overrides
        Form → lemma corrections, applied before simplemma (to whole forms and to the
        last part of hyphenated compounds).
    greedy
        simplemma's greedy mode (also splits unknown compounds); recommended for Swedish.
    enabled
        When false, the lemma is the token itself (lower-cased).
    """

    def __init__(
        self,
        *,
        overrides: Mapping[str, str] | None = None,
        greedy: bool = True,
        enabled: bool = True,
    ) -> None:
        self.overrides = {k.lower(): v.lower() for k, v in (overrides or {}).items()}
        self.greedy = greedy
        self.enabled = enabled
        #: surface form -> lemma, filled on first sight of each form
        self.cache: dict[str, str] = {}

    def _simple(self, word: str) -> str:
        lemma = self.overrides.get(word)
        if lemma is not None:
            return lemma
        return simplemma.lemmatize(word, lang=LANG, greedy=self.greedy).lower()

    def lemmatize(self, token: str) -> str:
        """The lemma of ``token`` without using the cache."""
        token = token.lower()
        if not self.enabled:
            return token
        lemma = self.overrides.get(token)
        if lemma is not None:
            return lemma
        head, sep, last = token.rpartition("-")
        if sep and head and last:
            return f"{head}-{self._simple(last)}"
        return self._simple(token)

    def __call__(self, token: str) -> str:
        """The lemma of ``token`` (cached by surface form)."""
        lemma = self.cache.get(token)
        if lemma is None:
            lemma = self.cache[token] = self.lemmatize(token)
        return lemma
