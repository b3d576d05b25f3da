"""Remove page furniture from a document and split it into paragraphs.

A *paragraph* is a non-empty line of the text after line ends have been normalised and
words hyphenated across line breaks have been joined; whitespace inside it is collapsed
to single spaces. Cleaning then drops, in this order:

1. ``furniture``: lines matching one of the configured regular expressions
   (``preprocess.clean.furniture_patterns`` + ``extra_patterns``; case-insensitive,
   matched against the whole stripped line);
2. ``byline`` / ``dateline`` (``drop_bylines``): a line that is only a person's name (two
   or three capitalised words, e.g. "Caroline Wendt"), a credit line ("Text av: …",
   "Foto: …", "Publicerad: …"), an image file name ("vännäs stationshus.jpg"), or only a
   date ("12 februari, 2018", "2018-09-24");
3. ``caption_lead`` (``drop_caption_lead``): one of the first :data:`LEAD_PARAGRAPHS`
   paragraphs (a photo caption or standfirst printed before the article) when at least
   :data:`CAPTION_COVERAGE` of its words lie in sentences that are repeated, exactly or
   nearly (quotes and dashes are ignored, one word in ten may differ), later in the
   document, it has at most :data:`LEAD_MAX_WORDS` words and is not a list item
   ("1. …", "• …"); the later copy is kept;
4. ``repeated_paragraph`` (``drop_repeated_paragraphs``): a paragraph equal (ignoring case
   and spacing) to an earlier one; the first is kept.

Each step reports what it did as counts (:class:`CleanResult`). Patterns are compiled
once per configuration (:class:`Cleaner`, cached by :func:`clean_document`): cleaning runs
once per document on corpora of 100,000 documents.

Examples
--------
>>> result = clean_document(
...     "Stäng\\nDen digitali-\\nseringen fortsätter.\\n",
...     patterns=[r"^Stäng$"],
...     drop_bylines=True,
...     drop_repeated_paragraphs=True,
...     join_hyphenation=True,
...     drop_caption_lead=True,
... )
>>> result.paragraphs
['Den digitaliseringen fortsätter.']
>>> result.removed["furniture"], result.hyphenations_joined
(1, 1)
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from swedish_topics.errors import ConfigError

logger = logging.getLogger(__name__)

#: Reasons reported in :attr:`CleanResult.removed`, in the order the steps run.
REASONS = ("furniture", "byline", "dateline", "caption_lead", "repeated_paragraph")

#: How many paragraphs at the top of a document may be a photo caption or lead.
LEAD_PARAGRAPHS = 3
#: A caption or lead is short: longer paragraphs are never dropped as one.
LEAD_MAX_WORDS = 120
#: Share of a lead paragraph's words that must lie in repeated sentences to drop it.
CAPTION_COVERAGE = 0.4
#: Two sentences of at least this many words are near-repeats when they differ in one
#: word per started ten words (one word below 20 words, two below 30, ...); shorter
#: sentences must be repeated exactly.
NEAR_MIN_WORDS = 5

#: Words after "X- " that show a suspended compound ("bygg- och miljö"), never joined.
_CONJUNCTIONS_TEXT = (
    "och eller respektive resp samt som men utan till tillika kontra plus liksom än el o & såväl"
)
CONJUNCTIONS = frozenset(_CONJUNCTIONS_TEXT.split())
#: Lower-case abbreviations written before a hyphen in compounds ("it-avdelning"):
#: a line-break hyphen after them is kept when the word is joined.
_HYPHEN_PREFIXES_TEXT = (
    "it ikt tv pc sms mms ai hr vd eu fn usa gps cd dvd wifi sd vr ar iot api sms"
)
HYPHEN_PREFIXES = frozenset(_HYPHEN_PREFIXES_TEXT.split())

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
_NAME = rf"[{_UPPER}][{_LOWER}'’]+(?:-[{_UPPER}][{_LOWER}'’]+)?"
_PARTICLE = r"(?:af|av|von|van|de|der|den|du|la|le|di|da|el|bin|ibn)"
_NAME_LINE_RE = re.compile(rf"{_NAME}(?: {_PARTICLE})?(?: {_NAME}){{1,2}}")
_CREDIT_RE = re.compile(
    r"(?:text|foto|bild|bilder|av|reporter|skribent|fotograf|publicerad|uppdaterad|källa"
    r"|grafik|illustration|by|photo|published|updated)"
    r"(?: (?:och|&|and) (?:text|foto|bild|photo))?(?: av| by)?\s*:.{0,80}",
    re.IGNORECASE,
)
_IMAGE_RE = re.compile(r"[^/\\]{1,80}\.(?:jpe?g|png|gif|webp|tiff?|heic)", re.IGNORECASE)
_SV_MONTH = (
    r"(?:jan(?:uari)?|feb(?:ruari)?|mars?|apr(?:il)?|maj|juni?|juli?|aug(?:usti)?"
    r"|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_EN_MONTH = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november"
    r"|december)"
)
_TIME = r"(?:,? (?:kl\.? ?)?\d{1,2}[:.]\d{2})?"
_WEEKDAY = r"(?:(?:mån|tis|ons|tors|fre|lör|sön)dag(?:en)?,? (?:den )?)?"
_DATE_RE = re.compile(
    rf"{_WEEKDAY}\d{{1,2}}(?::e|e)? {_SV_MONTH}\.?,? \d{{4}}{_TIME}"
    rf"|{_EN_MONTH} \d{{1,2}},? \d{{4}}{_TIME}"
    rf"|\d{{1,2}} {_EN_MONTH},? \d{{4}}{_TIME}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}}(?:[ T]\d{{1,2}}[:.]\d{{2}}(?::\d{{2}})?)?",
    re.IGNORECASE,
)

# A word split by a hyphen at the end of a line ("digitali-\nsering").
_LINE_HYPHEN_RE = re.compile(r"(?<![\w-])([\w-]*\w)-[ \t]*\n[ \t]*([^\W\d_]\w*)")
# The same split left as "hyphen + one space" inside a line, as in OCR'd text
# ("ut- vecklingsfrämjande", "EU- motiverade").
_INLINE_HYPHEN_RE = re.compile(r"(?<![\w-])([\w-]*\w)- (?=[^\W\d_])(\w+)")
# Where the above can match is a "- " (found with ``str.find``) after a word character
# (``_WORD_CHAR_RE``) and before a letter (``_LETTER_RE``); extending each such hit by
# hand (:func:`_inline_hyphens`) finds the same matches as ``_INLINE_HYPHEN_RE.finditer``
# in a fraction of the time: the lookbehind makes the full pattern try every position of
# the text, and even a regex for the hint alone (``\w-(?= [^\W\d_])``) tries every word
# character.
_WORD_CHAR_RE = re.compile(r"\w")
_LETTER_RE = re.compile(r"[^\W\d_]")
_WORD_AT_RE = re.compile(r"\w+")
_INVISIBLE = {0x00AD: None, 0x200B: None, 0x2060: None, 0xFEFF: None, 0x00A0: " "}
#: The characters ``str.split()`` splits at (``str.isspace``) other than a space and a
#: line end: a line with none of them, no double space and no space at either end is
#: left as it is by ``" ".join(line.split())`` (see :meth:`Cleaner.clean`). One ``in``
#: test per character is faster than a regex: a character wider than the text's widest
#: one is ruled out at once.
ODD_SPACES = (
    "\t\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"”’»)]*\s+")
_WORD_RE = re.compile(r"\w+")
# A numbered or bulleted list item ("1. Norra Sverige …"): never a caption.
_LIST_ITEM_RE = re.compile(r"(?:\d{1,3}[.)]|[a-z][)]|[•·*▪])\s")


@dataclass
class CleanResult:
    """What :func:`clean_document` kept and what it removed.

    Attributes
    ----------
    paragraphs
        The kept paragraphs, in document order.
    removed
        Number of paragraphs removed per reason (all of :data:`REASONS`, zeros included).
    hyphenations_joined
        Number of words hyphenated across a line break that were joined.
    changed
        False when the paragraphs hold exactly the whitespace-separated chunks of the
        input text (nothing removed, joined or normalised), which lets callers count the
        chunks once for the raw and the cleaned text.
    """

    paragraphs: list[str]
    removed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(REASONS, 0))
    hyphenations_joined: int = 0
    changed: bool = True


def compile_patterns(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """Compile furniture patterns into one case-insensitive whole-line matcher.

    Parameters
    ----------
    patterns
        Python regular expressions, each matched against a whole stripped line.

    Returns
    -------
    re.Pattern or None
        One pattern to use with ``fullmatch``; ``None`` when ``patterns`` is empty.

    Raises
    ------
    ConfigError
        Naming the first invalid pattern, the position and the regex error.
    """
    for index, pattern in enumerate(patterns, start=1):
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as err:
            raise ConfigError(
                f"The page-furniture pattern {pattern!r} (item {index} of "
                "preprocess.clean.furniture_patterns + extra_patterns in your config file) is "
                f"not a valid regular expression: {err.msg} at character {err.pos}. Escape "
                "special characters with a backslash ('\\.' for a dot, '\\(' for a bracket), "
                "or remove the pattern."
            ) from err
    if not patterns:
        return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error as err:  # e.g. global inline flags inside one pattern
        raise ConfigError(
            "The page-furniture patterns (preprocess.clean.furniture_patterns + "
            f"extra_patterns) are each valid but cannot be combined: {err.msg}. Remove inline "
            "flags such as '(?i)' from the patterns (matching is case-insensitive already)."
        ) from err


def normalise_text(text: str) -> str:
    r"""Drop a leading BOM, turn CRLF/CR (and other line separators) into ``\n``.

    Also applies Unicode NFC (so "å" is one character), removes soft hyphens and
    zero-width characters, and turns no-break spaces into spaces.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text or "\u2028" in text or "\u2029" in text or "\x85" in text:
        text = "\n".join(text.splitlines())
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if any(char in text for char in "\u00ad\u200b\u2060\ufeff\u00a0"):  # 5 fast scans
        text = text.translate(_INVISIBLE)
    return text


def _join_parts(fragment: str, word: str) -> str | None:
    """Join ``fragment-`` and ``word``, or return None when the hyphen is real."""
    if word.lower() in CONJUNCTIONS:
        return None
    last = fragment.rsplit("-", 1)[-1]
    keep_hyphen = (
        len(last) == 1
        or any(ch.isdigit() for ch in last)
        or last.isupper()
        or last.lower() in HYPHEN_PREFIXES
        or word[0].isupper()
    )
    return f"{fragment}-{word}" if keep_hyphen else f"{fragment}{word}"


def join_hyphenation(text: str) -> tuple[str, int]:
    """Join words hyphenated across line breaks; return the text and the number joined.

    "digitali-\\nsering" becomes "digitalisering"; "IT-\\navdelningen" keeps its hyphen
    ("IT-avdelningen": abbreviations, single letters, numbers and a capitalised second
    part keep it); "bygg-\\noch" is a suspended compound and becomes "bygg- och". A
    hyphen followed by a single space inside a line ("ut- veckling", an OCR artefact of a
    lost line break) is joined the same way unless a conjunction or a capitalised word
    follows it.
    """
    count = 0

    def line_break(match: re.Match[str]) -> str:
        nonlocal count
        fragment, word = match.group(1), match.group(2)
        joined = _join_parts(fragment, word)
        if joined is None:
            return f"{fragment}- {word}"
        count += 1
        return joined

    def inline_parts(fragment: str, word: str, whole: str) -> str:
        nonlocal count
        joined = None if word[0].isupper() else _join_parts(fragment, word)
        if joined is None:
            return whole
        count += 1
        return joined

    if "-\n" in text or "- \n" in text or "-\t\n" in text:
        text = _LINE_HYPHEN_RE.sub(line_break, text)
    if "- " in text:
        text = _inline_hyphens(text, inline_parts)
    return text, count


def _inline_hyphens(text: str, replace: Callable[[str, str, str], str]) -> str:
    """``_INLINE_HYPHEN_RE.sub``, with ``replace(fragment, word, whole_match)``."""
    parts = []
    last = 0
    next_hit = text.find("- ")
    while next_hit != -1:
        hyphen, next_hit = next_hit, text.find("- ", next_hit + 2)  # hits cannot overlap
        if not (
            hyphen > 0
            and _WORD_CHAR_RE.match(text, hyphen - 1)
            and _LETTER_RE.match(text, hyphen + 2)
        ):
            continue
        start = hyphen - 1  # the fragment is the run of [\w-] that ends here
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_-"):
            start -= 1
        if start < last:  # the run begins inside the previous match: no match
            continue
        word_match = _WORD_AT_RE.match(text, hyphen + 2)
        assert word_match is not None  # _LETTER_RE matched there
        end = word_match.end()
        parts.append(text[last:start])
        parts.append(replace(text[start:hyphen], word_match.group(), text[start:end]))
        last = end
    if not parts:
        return text
    parts.append(text[last:])
    return "".join(parts)


def is_byline(line: str) -> bool:
    """True for a person's name alone, a credit line ("Text av: …") or an image file name."""
    return bool(
        _NAME_LINE_RE.fullmatch(line) or _CREDIT_RE.fullmatch(line) or _IMAGE_RE.fullmatch(line)
    )


def is_dateline(line: str) -> bool:
    """True for a line that is only a date, e.g. "12 februari, 2018" or "2018-09-24"."""
    return bool(_DATE_RE.fullmatch(line))


def _lower_sentence_words(lower: str) -> list[tuple[str, ...]]:
    """Word tuples of the sentences of a paragraph given in lower case (empty ones dropped).

    The same words as splitting the paragraph first and lower-casing each sentence: the
    split only removes punctuation and whitespace, which lower-casing neither makes nor
    changes.
    """
    findall = _WORD_RE.findall
    return [words for words in map(tuple, map(findall, _SENTENCE_END_RE.split(lower))) if words]


def _near(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """True when ``a`` and ``b`` are the same sentence up to one word in ten."""
    if a == b:
        return True
    longest = max(len(a), len(b))
    allowed = max(1, longest // 10)
    if min(len(a), len(b)) < NEAR_MIN_WORDS or longest - min(len(a), len(b)) > allowed:
        return False
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return longest - matched <= allowed


@functools.lru_cache(maxsize=1024)
def _piece_ranges(n_words: int) -> tuple[tuple[int, int], ...]:
    """Word ranges ``(start, stop)`` of contiguous pieces of a sentence of ``n_words``
    words, one of which any near-repeat of the sentence contains verbatim.

    A near-repeat differs in at most ``k`` words (see :func:`_near`), so when the words
    are cut into ``k + 1`` pieces at least one piece is unchanged (pigeonhole).
    """
    if n_words < NEAR_MIN_WORDS:
        return ((0, n_words),)
    k = max(1, (n_words + n_words // 9 + 1) // 10)  # allowed for the longest match
    size = n_words / (k + 1)
    cuts = [round(size * i) for i in range(k + 2)]
    return tuple((a, b) for a, b in itertools.pairwise(cuts) if b > a)


def _keys(piece: Sequence[str]) -> tuple[str, ...]:
    """The (up to) three longest words of a piece, longest first: a text that contains
    the piece contains each of them, and rarely all three by chance."""
    return tuple(sorted(set(piece), key=len, reverse=True)[:3])


def caption_leads(paragraphs: Sequence[str]) -> set[int]:
    """Indices of lead paragraphs that are repeated (exactly or nearly) later on.

    A lead paragraph is one of the first :data:`LEAD_PARAGRAPHS`, of at most
    :data:`LEAD_MAX_WORDS` words and not a numbered or bulleted list item; it is a
    repeated caption when at least :data:`CAPTION_COVERAGE` of its words lie in
    sentences that recur in a later paragraph (see :func:`_near`). A later paragraph is
    compared with a lead sentence only when a piece of that sentence occurs in it
    verbatim (pigeonhole, :func:`_piece_ranges`), and its words are extracted only when
    the three longest words of such a piece occur in its raw lower-case text (substring
    tests), so a document without repeats costs little more than lower-casing it once.
    """
    n_lead = min(LEAD_PARAGRAPHS, len(paragraphs) - 1)
    if n_lead <= 0:
        return set()
    lower = [p.lower() for p in paragraphs]
    whole = "\n".join(lower)  # raw_later of lead i is a slice of it, not a new join
    starts = list(itertools.accumulate((len(p) + 1 for p in lower), initial=0))
    flat: dict[int, str] = {}  # j -> " the words of paragraph j ", filled when needed
    later_sentences: dict[int, list[tuple[str, ...]]] = {}
    drop = set()
    for i in range(n_lead):
        if _LIST_ITEM_RE.match(paragraphs[i]):
            continue
        lead = _lower_sentence_words(lower[i])
        total = sum(map(len, lead))  # = the paragraph's words: the split drops none
        if total == 0 or total > LEAD_MAX_WORDS:
            continue
        raw_later = whole[starts[i + 1] :]
        needed = CAPTION_COVERAGE * total
        covered = 0
        unchecked = total
        for words in lead:
            if covered >= needed or covered + unchecked < needed:
                break  # decided either way
            unchecked -= len(words)
            # The longest word alone first: it spares most pieces the sort of _keys.
            ranges = [
                (a, b)
                for a, b in _piece_ranges(len(words))
                if max(words[a:b], key=len) in raw_later
            ]
            with_keys = [(words[a:b], _keys(words[a:b])) for a, b in ranges]
            keyed = [
                (f" {' '.join(piece)} ", keys)
                for piece, keys in with_keys
                if all(k in raw_later for k in keys)
            ]
            if keyed and _repeated_later(words, keyed, i, paragraphs, lower, flat, later_sentences):
                covered += len(words)
        if covered >= needed:
            drop.add(i)
    return drop


def _repeated_later(
    words: tuple[str, ...],
    keyed: list[tuple[str, tuple[str, ...]]],
    i: int,
    paragraphs: Sequence[str],
    lower: Sequence[str],
    flat: dict[int, str],
    later_sentences: dict[int, list[tuple[str, ...]]],
) -> bool:
    """True when a paragraph after ``i`` holds a near-repeat of the sentence ``words``.

    ``keyed`` are the sentence's pieces (as ``" word word … "``) with their :func:`_keys`;
    ``flat`` and ``later_sentences`` are per-document caches of each paragraph's words and
    sentences.
    """
    for j in range(i + 1, len(paragraphs)):
        text = lower[j]
        pieces = [piece for piece, keys in keyed if all(key in text for key in keys)]
        if not pieces:
            continue
        words_j = flat.get(j)
        if words_j is None:
            words_j = flat[j] = f" {' '.join(_WORD_RE.findall(text))} "
        if not any(piece in words_j for piece in pieces):
            continue
        sentences = later_sentences.get(j)
        if sentences is None:
            sentences = later_sentences[j] = _lower_sentence_words(text)
        if any(_near(words, other) for other in sentences):
            return True
    return False


class Cleaner:
    """A compiled cleaning configuration; call :meth:`clean` once per document.

    Parameters
    ----------
    patterns
        Furniture patterns (case-insensitive, matched against a whole stripped line).
    drop_bylines, drop_repeated_paragraphs, join_hyphenation, drop_caption_lead
        Switch the steps described in the module docstring on or off.
    """

    def __init__(
        self,
        *,
        patterns: Sequence[str] = (),
        drop_bylines: bool = True,
        drop_repeated_paragraphs: bool = True,
        join_hyphenation: bool = True,
        drop_caption_lead: bool = True,
    ) -> None:
        self.furniture = compile_patterns(tuple(patterns))
        self.drop_bylines = drop_bylines
        self.drop_repeated_paragraphs = drop_repeated_paragraphs
        self.join_hyphenation = join_hyphenation
        self.drop_caption_lead = drop_caption_lead

    def clean(self, text: str) -> CleanResult:
        """Clean one document's text; see the module docstring for the steps."""
        result = CleanResult(paragraphs=[])
        removed = result.removed
        original = text
        text = normalise_text(text)
        if self.join_hyphenation:
            text, result.hyphenations_joined = join_hyphenation(text)
        furniture = self.furniture
        paragraphs = []
        # Most texts need no whitespace tidying: checking the whole text once is cheaper
        # than splitting and joining every line.
        tidy = not (
            "  " in text
            or " \n" in text
            or "\n " in text
            or text[:1] == " "
            or text[-1:] == " "
            or any(char in text for char in ODD_SPACES)
        )
        for raw in text.split("\n"):
            line = raw if tidy else " ".join(raw.split())
            if not line:
                continue
            if furniture is not None and furniture.fullmatch(line):
                removed["furniture"] += 1
            elif self.drop_bylines and len(line) <= 120 and is_byline(line):
                removed["byline"] += 1
            elif self.drop_bylines and len(line) <= 60 and is_dateline(line):
                removed["dateline"] += 1
            else:
                paragraphs.append(line)
        if self.drop_caption_lead and len(paragraphs) > 1:
            drop = caption_leads(paragraphs)
            if drop:
                removed["caption_lead"] += len(drop)
                paragraphs = [p for i, p in enumerate(paragraphs) if i not in drop]
        if self.drop_repeated_paragraphs:
            seen: set[str] = set()
            kept = []
            # one casefold of the whole text, not one per paragraph (no paragraph holds a
            # line end, and case folding neither makes one nor depends on context)
            keys = "\n".join(paragraphs).casefold().split("\n") if paragraphs else []
            for paragraph, key in zip(paragraphs, keys, strict=True):
                if key in seen:
                    removed["repeated_paragraph"] += 1
                    continue
                seen.add(key)
                kept.append(paragraph)
            paragraphs = kept
        result.paragraphs = paragraphs
        result.changed = text != original or any(removed.values())
        return result


@functools.lru_cache(maxsize=16)
def _cached_cleaner(
    patterns: tuple[str, ...],
    drop_bylines: bool,
    drop_repeated_paragraphs: bool,
    join_hyphenation: bool,
    drop_caption_lead: bool,
) -> Cleaner:
    return Cleaner(
        patterns=patterns,
        drop_bylines=drop_bylines,
        drop_repeated_paragraphs=drop_repeated_paragraphs,
        join_hyphenation=join_hyphenation,
        drop_caption_lead=drop_caption_lead,
    )


def clean_document(
    text: str,
    *,
    patterns: Sequence[str],
    drop_bylines: bool,
    drop_repeated_paragraphs: bool,
    join_hyphenation: bool,
    drop_caption_lead: bool,
) -> CleanResult:
    """Split ``text`` into paragraphs and remove page furniture.

    The compiled :class:`Cleaner` is cached per configuration, so calling this once per
    document compiles the patterns once.

    Parameters
    ----------
    text
        The document as read from its file.
    patterns
        Furniture regular expressions (case-insensitive, whole stripped line).
    drop_bylines, drop_repeated_paragraphs, join_hyphenation, drop_caption_lead
        The steps to run (module docstring).

    Returns
    -------
    CleanResult
        The kept paragraphs and the number removed per reason.

    Raises
    ------
    ConfigError
        When a pattern is not a valid regular expression.
    """
    cleaner = _cached_cleaner(
        tuple(patterns),
        drop_bylines,
        drop_repeated_paragraphs,
        join_hyphenation,
        drop_caption_lead,
    )
    return cleaner.clean(text)
