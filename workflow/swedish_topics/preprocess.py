"""The preprocessing pipeline: shards of documents → units of lemmas → corpus files.

Two stages, both streaming (memory grows with the vocabulary, not with the corpus):

1. :func:`preprocess_shard` (one job per shard, in parallel): for each document, clean
   it (:mod:`~swedish_topics.clean`), cut it into units (:mod:`~swedish_topics.units`),
   tokenise (:mod:`~swedish_topics.tokenize`), lemmatise
   (:mod:`~swedish_topics.lemmatize`) and drop stopwords
   (:mod:`~swedish_topics.stopwords`); write ``interim/shards/{shard}.jsonl`` (one unit
   per line: ``unit_id``, ``doc_id``, ``text``, ``tokens``) and
   ``{shard}.counts.json`` (tokens, types and units after each step, with each step's
   vocabulary so that types can be counted across shards).
2. :func:`build_corpus` (one job): read the shards in order, learn phrases (gensim's
   ``Phrases`` algorithm, NPMI scoring: :class:`Phrases`), build the vocabulary (gensim
   ``Dictionary`` + ``filter_extremes``), and write ``preprocess/units.tsv``, ``units.jsonl``,
   ``dictionary.txt``, ``corpus.mm``, ``tables/vocabulary.csv`` and
   ``tables/preprocessing_summary.csv``.

Choices
-------
- Stopwords: a token is dropped when its surface form or its lemma is a stopword
  (shipped list + ``extra`` + ``extra_file`` + facet values when
  ``remove_facet_values``); see :mod:`~swedish_topics.stopwords`.
- Empty units: a unit left without tokens after the vocabulary filter is dropped from all
  of ``units.tsv``, ``units.jsonl`` and ``corpus.mm`` alike, so row *i* of each is the same
  unit; the summary table reports how many units remain. (The shard files keep every
  unit.)
- ``corpus.mm`` is written without gensim's pickled ``.index`` file, so reading it back
  never unpickles anything (``MmCorpus(path)`` streams it; row order = ``units.tsv``).
- ``no_above`` is a share of the units that have at least one token after phrases.
- Output order is the shard order, then document order, then unit order: deterministic.

The per-token hot path is ``str.split`` and one dict look-up per whitespace-separated
chunk, which gives the chunk's tokens already written as JSON ("kommunerna," →
``'"kommun", '``; "och" → ``"\\x00"``, a dropped stopword); ``str.join`` of a unit's
chunks is then its tokens as a JSON array, ``str.count`` counts the kept and dropped
tokens, and the unit's line of the shard file is put together from its JSON-encoded
fields, all in C and without a list of tokens. The tokeniser, lemmatiser and stopword
list run once per distinct chunk (or token). Token counts come from these counts. The
types of each step are the tokens of the chunks it has seen: read off the chunk cache at
the end for the documents that cleaning left unchanged (nearly all), gathered when a
chunk is first seen for the units and the raw text of the changed ones.
"""

from __future__ import annotations

import functools
import json
import logging
import operator
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress, pairwise
from pathlib import Path
from typing import Any, Generic, TypeVar

from swedish_topics import io as sio
from swedish_topics.clean import REASONS, Cleaner
from swedish_topics.errors import CorpusError
from swedish_topics.lemmatize import Lemmatizer, load_overrides
from swedish_topics.names import (
    NameStats,
    classify,
    load_given_names,
    merge_counts,
    names_to_remove,
)
from swedish_topics.stopwords import facet_value_stopwords, load_stopwords
from swedish_topics.tokenize import SwedishTokenizer
from swedish_topics.units import Unit, make_units, split_sentences

logger = logging.getLogger(__name__)

#: Steps counted in the shards, in order.
SHARD_STEPS = ("raw", "cleaned", "lemmatised", "stopwords_removed")
#: All steps of tables/preprocessing_summary.csv, in order.
SUMMARY_STEPS = (*SHARD_STEPS, "names_removed", "phrases", "vocabulary_filter")
#: What each summary step means (written to the log and the table's caption).
STEP_MEANING = {
    "raw": "tokens of the raw documents (units = documents)",
    "cleaned": "tokens of the units after removing page furniture",
    "lemmatised": "the same tokens, lemmatised",
    "stopwords_removed": "after removing stopwords (units = units with a token left)",
    "names_removed": "after removing person names (preprocess.names; units with a token left)",
    "phrases": "after joining frequent phrases into one token (a_b)",
    "vocabulary_filter": "after the vocabulary filter (units = units kept in the corpus)",
}
PHRASE_DELIMITER = "_"
#: Marks a dropped token (a stopword) in the encoding of a chunk (see
#: :meth:`TextPipeline._piece`); JSON escapes it, so no plain lemma holds it.
_DROPPED = "\x00"
#: Encodes a string as JSON exactly as ``json.dumps(value, ensure_ascii=False)`` does.
_JSON = json.JSONEncoder(ensure_ascii=False).encode
_V = TypeVar("_V")


def _section(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``preprocess`` section, whether given the section or the whole config."""
    return config.get("preprocess", config)


class _Memo(dict[str, _V], Generic[_V]):
    """A dict that fills a missing key from ``fill(key)``: look-ups stay in C (``map``)."""

    def __init__(self, fill: Callable[[str], _V]) -> None:
        super().__init__()
        self._fill = fill

    def __missing__(self, key: str) -> _V:
        value = self[key] = self._fill(key)
        return value


class _View(dict[str, Any]):
    """The chunks one step has seen in changed documents, filled on first sight from
    ``value(chunk)`` (which also fills ``chunk_tokens``); ``types`` holds their tokens.

    Kept apart from the cache of the unchanged documents' chunks, whose types are read
    off that cache at the end (:meth:`TextPipeline.counts`).
    """

    def __init__(
        self, value: Callable[[str], Any], chunk_tokens: Mapping[str, tuple[str, ...]]
    ) -> None:
        super().__init__()
        self._value = value
        self._chunk_tokens = chunk_tokens
        #: the tokens of the chunks seen (the types of a step)
        self.types: set[str] = set()

    def __missing__(self, chunk: str) -> Any:
        value = self[chunk] = self._value(chunk)
        self.types.update(self._chunk_tokens[chunk])
        return value


@dataclass(frozen=True)
class ProcessedUnit:
    """A unit after preprocessing: its ``tokens`` are lemmas after stopword removal."""

    unit_id: str
    doc_id: str
    text: str
    tokens: list[str]


class TextPipeline:
    """Clean, cut, tokenise, lemmatise and filter documents; count what each step did.

    Parameters
    ----------
    config
        The ``preprocess`` section of the configuration (a plain dict as in
        ``config/config.yaml``; the whole configuration is accepted too).
    facet_values
        Values of the facet columns; their names become stopwords when
        ``stopwords.remove_facet_values`` is true.
    sentences
        Splits a paragraph longer than ``units.max_tokens`` into sentences
        (:class:`~swedish_topics.sentences.SentenceSplitter`); None uses
        :func:`~swedish_topics.units.split_sentences`.

    Examples
    --------
    >>> pipeline = TextPipeline(config["preprocess"], facet_values=["Umeå"])  # doctest: +SKIP
    >>> units = pipeline.process_document("doc1", text)  # doctest: +SKIP
    """

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        facet_values: Iterable[str] = (),
        sentences: Callable[[str], list[str]] | None = None,
    ) -> None:
        cfg = _section(config)
        #: splits a long paragraph into sentences (the corpus's Punkt splitter, or None
        #: for the punctuation rule of :func:`~swedish_topics.units.split_sentences`)
        self.sentences = sentences
        clean = cfg["clean"]
        self.cleaner = Cleaner(
            patterns=[*clean.get("furniture_patterns", ()), *clean.get("extra_patterns", ())],
            drop_bylines=clean.get("drop_bylines", True),
            drop_repeated_paragraphs=clean.get("drop_repeated_paragraphs", True),
            join_hyphenation=clean.get("join_hyphenation", True),
            drop_caption_lead=clean.get("drop_caption_lead", True),
        )
        units = cfg["units"]
        self.unit_mode = units.get("mode", "paragraphs")
        self.min_tokens = int(units.get("min_tokens", 60))
        self.max_tokens = int(units.get("max_tokens", 250))
        self.tokenizer = SwedishTokenizer(min_length=int(cfg["tokenize"].get("min_length", 2)))
        lem = cfg["lemmatize"]
        overrides_path = lem.get("overrides")
        self.lemmatizer = Lemmatizer(
            overrides=load_overrides(overrides_path) if overrides_path else None,
            greedy=lem.get("greedy", True),
            enabled=lem.get("enabled", True),
        )
        stop = cfg["stopwords"]
        stopwords = set(
            load_stopwords(extra=stop.get("extra") or (), extra_file=stop.get("extra_file"))
        )
        self.facet_stopwords: set[str] = set()
        if stop.get("remove_facet_values", True):
            self.facet_stopwords = facet_value_stopwords(
                facet_values, tokenizer=self.tokenizer.tokenize, lemmatizer=self.lemmatizer
            )
            stopwords |= self.facet_stopwords
        self.stopwords = frozenset(stopwords)
        names = cfg.get("names") or {}
        #: counts of capitalised words for the name filter (None when it is off)
        self.name_stats: NameStats | None = None
        if names.get("remove", "persons") != "none":
            extra = names.get("given_names_extra") or ()
            self.name_stats = NameStats(load_given_names(extra))
        #: a capitalised word (lower-cased) -> its final token, for the name counts
        self._name_lemmas = _Memo(self._name_lemma)
        #: token -> its piece of a chunk's encoding: '"lemma", ' or ``_DROPPED``
        self._pieces = _Memo(self._piece)
        #: token -> its final token: the lemma, or "" when it is dropped as a stopword
        #: (filled with ``_pieces``)
        self._final: dict[str, str] = {}
        #: False once a kept lemma is not plain (see :meth:`_piece`)
        self._plain = True
        #: whitespace-separated chunk -> its tokens encoded as one string, the pieces of
        #: its tokens joined (the hot-path cache, filled on first sight); it holds only
        #: the chunks of the units of documents that cleaning left unchanged, so that
        #: these documents' types are its chunks' tokens
        self._chunks = _Memo(self._analyse)
        #: chunk -> its tokens before lemmatisation (filled on first analysis, for counts)
        self._chunk_tokens: dict[str, tuple[str, ...]] = {}
        # The chunks seen in the units of changed documents (chunk -> encoding) and in
        # their raw text (chunk -> number of tokens), each with the types it has seen.
        self._seen_changed = _View(self._analyse_changed, self._chunk_tokens)
        self._seen_raw = _View(self._raw_count, self._chunk_tokens)
        #: the cache of :meth:`final_tokens`, apart from the counted ones
        self._loose = _Memo(self._analyse)
        self._raw_tokens = 0
        self._cleaned_tokens = 0
        self._kept_tokens = 0
        self.n_documents = 0
        self.n_units = 0
        self.n_units_nonempty = 0
        self.removed = dict.fromkeys(REASONS, 0)
        self.hyphenations_joined = 0
        logger.info(
            "pipeline: %d stopwords (%d from facet values), %d lemma overrides, units=%s",
            len(self.stopwords),
            len(self.facet_stopwords),
            len(self.lemmatizer.overrides),
            self.unit_mode,
        )

    def _final_token(self, token: str) -> str:
        """The lemma of a token, or "" when the token or its lemma is a stopword."""
        if token in self.stopwords:
            return ""
        lemma = self.lemmatizer(token)
        return "" if lemma in self.stopwords else lemma

    def _name_lemma(self, word: str) -> str:
        """The final token of a lower-cased word (``""`` for a stopword or no token)."""
        token = self.tokenizer.normalise(word)
        return self._final_token(token) if token else ""

    def _piece(self, token: str) -> str:
        """A token's piece of a chunk's encoding: ``'"lemma", '`` or ``_DROPPED``.

        A unit's encoding, its chunks' pieces joined, is its kept tokens as the inside of
        a JSON array (plus a trailing ``", "``) with a ``_DROPPED`` for each dropped
        token, as long as every kept lemma is plain: written as itself inside JSON
        quotes (no quote, backslash or control character, so never ``_DROPPED``). The
        first lemma that is not plain clears ``_plain``, which switches to the
        token-by-token path for good.
        """
        final = self._final[token] = self._final_token(token)
        if not final:
            return _DROPPED
        piece = f'"{final}", '
        if self._plain and _JSON(final) != piece[:-2]:
            self._plain = False
        return piece

    def _analyse(self, chunk: str) -> str:
        tokens = self._chunk_tokens[chunk] = self.tokenizer.chunk_tokens(chunk)
        if len(tokens) == 1:  # the usual chunk
            return self._pieces[tokens[0]]
        return "".join(map(self._pieces.__getitem__, tokens))

    def _analyse_changed(self, chunk: str) -> str:
        """:meth:`_analyse`, reusing the unchanged documents' cache without adding to it."""
        encoded = self._chunks.get(chunk)
        return self._analyse(chunk) if encoded is None else encoded

    def _raw_count(self, chunk: str) -> int:
        """The number of tokens of a chunk of raw text (tokenised, not lemmatised)."""
        tokens = self._chunk_tokens.get(chunk)
        if tokens is None:
            tokens = self._chunk_tokens[chunk] = self.tokenizer.chunk_tokens(chunk)
        return len(tokens)

    def _encode(self, text: str, seen: Callable[[str], str]) -> tuple[str, int, int]:
        """The kept tokens of ``text`` as a JSON array, their number and that of all tokens.

        The array is ``json.dumps(tokens, ensure_ascii=False)``. ``seen`` is the
        ``__getitem__`` of a chunk cache (``_chunks``, a view or ``_loose``). The hot path is
        ``str.split``, one dict look-up per chunk, ``str.join`` and ``str.count`` (all in
        C); the tokens are encoded one by one only when some lemma is not plain (see
        :meth:`_piece`).
        """
        chunks = text.split()
        encoded = "".join(map(seen, chunks))
        if self._plain:  # checked after the join, which may have analysed new chunks
            n_dropped = encoded.count(_DROPPED)
            if n_dropped:
                encoded = encoded.replace(_DROPPED, "")
            n_kept = encoded.count('"') // 2  # plain lemmas hold no quote
            return f"[{encoded[:-2]}]", n_kept, n_kept + n_dropped
        tokens_of = self._chunk_tokens.__getitem__
        finals = list(map(self._final.__getitem__, chain.from_iterable(map(tokens_of, chunks))))
        tokens = list(filter(None, finals))
        return _JSON(tokens), len(tokens), len(finals)

    def final_tokens(self, text: str) -> list[str]:
        """Lemmas of ``text`` after stopword removal (the hot path; counts nothing).

        Equal to tokenising ``text`` (:class:`~swedish_topics.tokenize.SwedishTokenizer`),
        lemmatising and dropping stopwords, but computed per whitespace-separated chunk
        and cached: a candidate token never spans whitespace, so a text's tokens are the
        concatenation of its chunks' tokens.
        """
        tokens: list[str] = json.loads(self._encode(text, self._loose.__getitem__)[0])
        return tokens

    def make_units(self, doc_id: str, paragraphs: Sequence[str]) -> list[Unit]:
        """Cut a document's cleaned paragraphs into units, as configured."""
        return make_units(
            doc_id,
            paragraphs,
            mode=self.unit_mode,
            min_tokens=self.min_tokens,
            max_tokens=self.max_tokens,
            sentences=self.sentences or split_sentences,
        )

    def process_document(self, doc_id: str, text: str) -> list[ProcessedUnit]:
        """Preprocess one document and update the running counts.

        Returns
        -------
        list of ProcessedUnit
            Every unit of the document, also those left without tokens.
        """
        return [
            ProcessedUnit(unit.unit_id, unit.doc_id, unit.text, json.loads(tokens))
            for unit, tokens in self.encode_document(doc_id, text)
        ]

    def encode_document(self, doc_id: str, text: str) -> list[tuple[Unit, str]]:
        """:meth:`process_document` with each unit's tokens as a JSON array.

        Returns
        -------
        list of (Unit, str)
            Every unit of the document with ``json.dumps(tokens, ensure_ascii=False)``
            of its tokens: the form written to the shard files, made without a list of
            tokens.
        """
        self.n_documents += 1
        cleaned = self.cleaner.clean(text)
        for reason, n in cleaned.removed.items():
            self.removed[reason] += n
        self.hyphenations_joined += cleaned.hyphenations_joined
        if self.name_stats is not None:
            self.name_stats.observe(cleaned.paragraphs, self._name_lemmas.__getitem__)
        units = self.make_units(doc_id, cleaned.paragraphs)
        seen = (self._seen_changed if cleaned.changed else self._chunks).__getitem__
        out = []
        n_tokens = 0
        for unit in units:
            tokens, n_kept, n = self._encode(unit.text, seen)
            n_tokens += n
            self._kept_tokens += n_kept
            if n_kept:
                self.n_units_nonempty += 1
            out.append((unit, tokens))
        self._cleaned_tokens += n_tokens
        if cleaned.changed:
            raw = self._seen_raw.__getitem__
            self._raw_tokens += sum(map(raw, text.split()))
        else:
            self._raw_tokens += n_tokens
        self.n_units += len(units)
        return out

    def counts(self) -> dict[str, Any]:
        """Tokens, types (with the vocabulary) and units after each step so far."""
        # The unchanged documents' types: the tokens of their chunks, read off the cache
        # once instead of gathered on each chunk's first sight.
        unchanged = set(chain.from_iterable(map(self._chunk_tokens.__getitem__, self._chunks)))
        cleaned = unchanged.union(self._seen_changed.types)
        raw = unchanged.union(self._seen_raw.types)
        # A kept token's final token is its lemma, so only the dropped tokens are
        # lemmatised here (a few thousand stopword forms, not the whole vocabulary).
        forms = list(cleaned)
        finals = list(map(self._final.__getitem__, forms))
        kept = set(finals)
        kept.discard("")
        lemmas = kept.union(map(self.lemmatizer, compress(forms, map(operator.not_, finals))))
        # Each vocabulary is sorted once: raw and cleaned are parts of their union, and
        # the kept lemmas are a part of the lemmas.
        words = sorted(raw.union(cleaned))
        sorted_lemmas = sorted(lemmas)
        vocabularies = (
            list(filter(raw.__contains__, words)),
            list(filter(cleaned.__contains__, words)),
            sorted_lemmas,
            list(filter(kept.__contains__, sorted_lemmas)),
        )
        n_tokens = {
            "raw": self._raw_tokens,
            "cleaned": self._cleaned_tokens,
            "lemmatised": self._cleaned_tokens,
            "stopwords_removed": self._kept_tokens,
        }
        units = {
            "raw": self.n_documents,
            "cleaned": self.n_units,
            "lemmatised": self.n_units,
            "stopwords_removed": self.n_units_nonempty,
        }
        steps = {}
        for step, vocabulary in zip(SHARD_STEPS, vocabularies, strict=True):
            steps[step] = {
                "tokens": n_tokens[step],
                "types": len(vocabulary),
                "units": units[step],
                "vocabulary": vocabulary,
            }
        names = self.name_stats.counts if self.name_stats is not None else {}
        # "lemma capitalised initial name" per lemma (a lemma holds no space)
        name_rows = [f"{lemma} {a} {b} {c}" for lemma, (a, b, c) in sorted(names.items())]
        return {
            "documents": self.n_documents,
            "removed_paragraphs": dict(self.removed),
            "hyphenations_joined": self.hyphenations_joined,
            "steps": steps,
            "names": name_rows,
        }


def _json_line(unit: Unit, tokens: str) -> str:
    """A unit's line of a shard file, from its tokens as a JSON array.

    The line is ``json.dumps(record, ensure_ascii=False)`` and a line end, where
    ``record`` is ``{"unit_id": ..., "doc_id": ..., "text": ..., "tokens": [...]}``.
    """
    return (
        f'{{"unit_id": {_JSON(unit.unit_id)}, "doc_id": {_JSON(unit.doc_id)}, '
        f'"text": {_JSON(unit.text)}, "tokens": {tokens}}}\n'
    )


def _json_list(words: Sequence[str], outer: str) -> Iterator[str]:
    """A list of strings as the indenting JSON encoder writes it after ``outer``.

    ``outer`` is a line end and the indentation of the line that holds the list's key.
    """
    if not words:
        yield "[]"
        return
    inner = outer + " " * sio.JSON_INDENT
    joined = " ".join(words)
    if len(_JSON(joined)) == len(joined) + 2:  # nothing to escape: each word is "word"
        yield f'[{inner}"' + f'",{inner}"'.join(words) + f'"{outer}]'
    else:
        yield f"[{inner}" + f",{inner}".join(map(_JSON, words)) + f"{outer}]"


def _write_counts(path: Path, counts: Mapping[str, Any]) -> None:
    """Write ``{shard}.counts.json`` as :func:`~swedish_topics.io.atomic_write_json` does.

    The same bytes, but each step's vocabulary (most of the file) is encoded in C
    (:func:`_json_list`) instead of by the standard library's pure-Python indenting
    encoder, which writes the rest.
    """
    steps = {
        step: {**values, "vocabulary": sio.json_stand_in(step)}
        for step, values in counts["steps"].items()
    }
    splices: dict[str, Callable[[str], Iterable[str]]] = {
        step: functools.partial(_json_list, values["vocabulary"])
        for step, values in counts["steps"].items()
    }
    splices["names"] = functools.partial(_json_list, counts.get("names", []))
    data = {**counts, "steps": steps, "names": sio.json_stand_in("names")}
    sio.atomic_write_json_spliced(path, data, splices)


def preprocess_shard(
    documents: Iterable[tuple[str, str]],
    *,
    config: Mapping[str, Any],
    facet_values: Iterable[str],
    out_units: Path,
    out_counts: Path,
    sentences: Callable[[str], list[str]] | None = None,
) -> None:
    """Preprocess one shard of documents and write its units and counts.

    Parameters
    ----------
    documents
        ``(doc_id, text)`` pairs, streamed.
    config
        The ``preprocess`` section of the configuration.
    facet_values
        All values of the categorical facet columns (the same for every shard).
    out_units
        ``interim/shards/{shard}.jsonl``: one JSON object per unit (``unit_id``,
        ``doc_id``, ``text``, ``tokens``), written atomically.
    out_counts
        ``interim/shards/{shard}.counts.json``: see :meth:`TextPipeline.counts`.
    sentences
        Sentence splitter for long paragraphs (see :class:`TextPipeline`).
    """
    pipeline = TextPipeline(config, facet_values=facet_values, sentences=sentences)
    with sio.atomic_open(out_units) as handle:
        for doc_id, text in documents:
            for unit, tokens in pipeline.encode_document(doc_id, text):
                handle.write(_json_line(unit, tokens))
    counts = pipeline.counts()
    _write_counts(out_counts, counts)
    steps = counts["steps"]
    logger.info(
        "%s: %d documents -> %d units (%d with tokens); tokens raw %d, cleaned %d, kept %d; "
        "removed paragraphs %s",
        Path(out_units).name,
        counts["documents"],
        steps["cleaned"]["units"],
        steps["stopwords_removed"]["units"],
        steps["raw"]["tokens"],
        steps["cleaned"]["tokens"],
        steps["stopwords_removed"]["tokens"],
        counts["removed_paragraphs"],
    )


# ----------------------------------------------------------------------------- corpus
def _iter_records(shard_files: Sequence[Path]) -> Iterator[dict[str, Any]]:
    for path in shard_files:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as err:
                    raise CorpusError(
                        f"{path}, line {number}: not valid JSON ({err.msg}, column {err.colno})."
                        " The shard file is damaged; delete it and run the workflow again."
                    ) from err


class _ShardTokens:
    """Restartable iterable over the token lists of the shard files, in order, without
    the tokens in ``drop``."""

    def __init__(self, shard_files: Sequence[Path], drop: Collection[str] = ()) -> None:
        self.shard_files = list(shard_files)
        self.drop = frozenset(drop)

    def __iter__(self) -> Iterator[list[str]]:
        drop = self.drop
        for record in _iter_records(self.shard_files):
            tokens = record["tokens"]
            yield [t for t in tokens if t not in drop] if drop else tokens


def _find_names(
    shard_files: Sequence[Path], count_files: Sequence[Path], names_cfg: Mapping[str, Any]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The lemmas to remove as names, and their rows for ``vocabulary.csv``.

    Sums the shards' name counts (:mod:`~swedish_topics.names`), counts each candidate
    lemma's tokens and units in one pass over the shards, and classifies it.

    Returns
    -------
    removed : dict
        Lemma → reason (``"person_name"`` or ``"proper_noun"``).
    rows : list of dict
        ``term, count, doc_freq, removed`` of each removed lemma, most frequent first.
    """
    mode = names_cfg.get("remove", "persons")
    if mode == "none":
        return {}, []
    parts = []
    for path in count_files:
        with open(path, encoding="utf-8") as handle:
            rows = json.load(handle).get("names", [])
        parts.append({lemma: list(map(int, n)) for lemma, *n in map(str.split, rows)})
    counts = merge_counts(parts)
    if not counts:
        return {}, []
    candidates = frozenset(counts)
    occurrences: Counter[str] = Counter()
    doc_freq: Counter[str] = Counter()
    for tokens in _ShardTokens(shard_files):
        occurrences.update(tokens)
        doc_freq.update(candidates.intersection(tokens))
    decisions = classify(
        counts,
        occurrences,
        capitalised_share=float(names_cfg.get("capitalised_share", 0.9)),
        person_share=float(names_cfg.get("person_share", 0.5)),
    )
    removed = names_to_remove(decisions, mode)
    rows = sorted(
        (
            {
                "term": lemma,
                "count": occurrences[lemma],
                "doc_freq": doc_freq[lemma],
                "removed": reason,
            }
            for lemma, reason in removed.items()
            if occurrences[lemma]
        ),
        key=lambda row: (-row["count"], row["term"]),
    )
    removed = {row["term"]: row["removed"] for row in rows}
    logger.info(
        "names: %d of %d capitalised lemmas removed (%s), %d tokens; most frequent: %s",
        len(removed),
        len(counts),
        mode,
        sum(row["count"] for row in rows),
        ", ".join(row["term"] for row in rows[:20]),
    )
    return removed, rows


def _merge_counts(count_files: Sequence[Path]) -> dict[str, dict[str, int]]:
    """Sum tokens and units, and count types over the union of the shard vocabularies."""
    merged: dict[str, dict[str, int]] = {}
    for step in SHARD_STEPS:
        tokens = units = 0
        vocabulary: set[str] = set()
        for path in count_files:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)["steps"][step]
            tokens += data["tokens"]
            units += data["units"]
            vocabulary.update(data["vocabulary"])
        merged[step] = {"tokens": tokens, "types": len(vocabulary), "units": units}
    return merged


#: gensim ``Phrases``' default cap on the counted unigram and bigram types.
PHRASES_MAX_VOCAB = 40_000_000


class Phrases:
    """Bigram phrases learned and applied exactly as gensim's ``Phrases`` (NPMI scoring,
    no connector words) and its frozen model ``FrozenPhrases`` learn and apply them.

    gensim counts, scores and joins token by token in Python; here the counting is
    ``Counter.update`` over each unit's tokens and its ``map``-joined bigrams, only the
    bigrams seen ``min_count`` times are scored (with gensim's own ``npmi_scorer``; the
    others score minus infinity there), and a unit is joined with one set look-up per
    token that could start a phrase. The phrases and the joined units are gensim's
    (tested against it, including its pruning of the counts above
    :data:`PHRASES_MAX_VOCAB` types and its quirks with empty tokens and tokens that hold
    the delimiter).

    Parameters
    ----------
    sentences
        Token lists (units), iterated once.
    min_count, threshold
        gensim's ``min_count`` and ``threshold`` (NPMI in (-1, 1]).
    delimiter
        Joins the two tokens of a phrase.
    max_vocab_size
        gensim's ``max_vocab_size``: above it, rare counts are pruned as gensim prunes them.
    """

    def __init__(
        self,
        sentences: Iterable[list[str]],
        *,
        min_count: int,
        threshold: float,
        delimiter: str = PHRASE_DELIMITER,
        max_vocab_size: int = PHRASES_MAX_VOCAB,
    ) -> None:
        from gensim.models.phrases import npmi_scorer
        from gensim.utils import prune_vocab

        self.delimiter = delimiter
        counts: Counter[str] = Counter()
        total_words, min_reduce = 0, 1
        join = delimiter.join
        for sentence in sentences:
            counts.update(sentence)
            counts.update(map(join, pairwise(sentence)))
            total_words += len(sentence)
            if len(counts) > max_vocab_size:
                prune_vocab(counts, min_reduce)
                min_reduce += 1
        # gensim's export_phrases: every counted type holding the delimiter is a
        # candidate, scored by its first and last part.
        n_types = len(counts)
        grams: dict[str, float] = {}
        for phrase, n in counts.items():
            if n < min_count or delimiter not in phrase:
                continue  # npmi_scorer gives minus infinity below min_count
            parts = phrase.split(delimiter)
            n_a, n_b = counts.get(parts[0], 0), counts.get(parts[-1], 0)
            if n_a <= 0 or n_b <= 0:
                continue
            score = npmi_scorer(
                worda_count=n_a,
                wordb_count=n_b,
                bigram_count=n,
                len_vocab=n_types,
                min_count=min_count,
                corpus_word_count=total_words,
            )
            if score > threshold:
                grams[phrase] = score
        #: phrase -> its NPMI score (gensim's ``FrozenPhrases.phrasegrams``)
        self.phrasegrams = grams
        #: every prefix of a phrase that a delimiter follows: the tokens that can start one
        self._starts = {
            delimiter.join(parts[:i])
            for parts in (phrase.split(delimiter) for phrase in grams)
            for i in range(1, len(parts))
        }
        logger.info("phrases: %d bigrams learned", len(grams))

    def __getitem__(self, sentence: Sequence[str]) -> list[str]:
        """The tokens with each phrase joined, as ``FrozenPhrases[sentence]``."""
        out: list[str] = []
        append = out.append
        starts, grams, delimiter = self._starts, self.phrasegrams, self.delimiter
        start = ""
        for word in sentence:
            if not start:  # gensim tests the pending token's truth, so "" never starts one
                start = word
                continue
            if start in starts:
                phrase = start + delimiter + word
                if phrase in grams:  # every phrase scored above the threshold
                    append(phrase)
                    start = ""
                    continue
            append(start)
            start = word
        if start:
            append(start)
        return out


def build_corpus(
    shard_files: Sequence[Path],
    count_files: Sequence[Path],
    *,
    config: Mapping[str, Any],
    out_dir: Path,
    tables_dir: Path,
) -> None:
    """Join phrases, build the vocabulary and write the corpus files and tables.

    Reads the shard files three times (phrases, vocabulary, output), never holding all
    units in memory.

    Parameters
    ----------
    shard_files, count_files
        The shard outputs of :func:`preprocess_shard`, in shard order.
    config
        The ``preprocess`` section (``phrases``, ``vocabulary``).
    out_dir
        ``preprocess/``: units.tsv, units.jsonl, dictionary.txt, corpus.mm.
    tables_dir
        ``tables/``: vocabulary.csv, preprocessing_summary.csv (+ .tex, .md).
    """
    from gensim.corpora import Dictionary, MmCorpus

    cfg = _section(config)
    phrases_cfg = cfg.get("phrases", {})
    vocab_cfg = cfg["vocabulary"]
    out_dir, tables_dir = Path(out_dir), Path(tables_dir)
    summary = _merge_counts(count_files)

    # Pass 0: person names (removed before phrases are built).
    removed, removed_rows = _find_names(shard_files, count_files, cfg.get("names") or {})
    drop = frozenset(removed)
    shard_tokens = _ShardTokens(shard_files, drop)

    # Pass 1: phrases.
    phraser = None
    if phrases_cfg.get("enabled", True):
        phraser = Phrases(
            shard_tokens,
            min_count=int(phrases_cfg.get("min_count", 5)),
            threshold=float(phrases_cfg.get("threshold", 0.5)),
        )

    def phrased(tokens: list[str]) -> list[str]:
        return phraser[tokens] if phraser is not None and len(tokens) > 1 else tokens

    # Pass 2: the vocabulary, over units that have tokens.
    n_nonempty = 0

    def nonempty_units() -> Iterator[list[str]]:
        nonlocal n_nonempty
        for tokens in shard_tokens:
            if tokens:
                n_nonempty += 1
                yield phrased(tokens)

    dictionary = Dictionary(nonempty_units(), prune_at=None)
    kept = summary["stopwords_removed"]
    summary["names_removed"] = {
        "tokens": kept["tokens"] - sum(row["count"] for row in removed_rows),
        "types": kept["types"] - len(removed_rows),
        "units": n_nonempty,
    }
    summary["phrases"] = {
        "tokens": dictionary.num_pos,
        "types": len(dictionary),
        "units": n_nonempty,
    }
    keep_n = vocab_cfg.get("keep_n")
    dictionary.filter_extremes(
        no_below=int(vocab_cfg["no_below"]),
        no_above=float(vocab_cfg["no_above"]),
        keep_n=int(keep_n) if keep_n is not None else None,
    )
    dictionary.compactify()
    token2id = dictionary.token2id

    # Pass 3: units.tsv, units.jsonl and corpus.mm in one aligned stream.
    kept_units = kept_tokens = 0
    mm_path = out_dir / "corpus.mm"
    with (
        sio.atomic_open(out_dir / "units.tsv") as tsv,
        sio.atomic_open(out_dir / "units.jsonl") as jsonl,
        sio.atomic_path(mm_path) as mm_tmp,
    ):
        tsv.write("unit_id\tdoc_id\tn_tokens\tlemmas\n")

        def bows() -> Iterator[list[tuple[int, int]]]:
            nonlocal kept_units, kept_tokens
            for record in _iter_records(shard_files):
                unit_tokens = record["tokens"]
                if drop:
                    unit_tokens = [t for t in unit_tokens if t not in drop]
                tokens = [t for t in phrased(unit_tokens) if t in token2id]
                if not tokens:
                    continue
                kept_units += 1
                kept_tokens += len(tokens)
                unit_id = _field(record["unit_id"])
                doc_id = _field(record["doc_id"])
                tsv.write(f"{unit_id}\t{doc_id}\t{len(tokens)}\t{' '.join(tokens)}\n")
                row = {"unit_id": record["unit_id"], "doc_id": record["doc_id"]}
                row["text"] = record["text"]
                jsonl.write(json.dumps(row, ensure_ascii=False) + "\n")
                # dictionary.doc2bow(tokens), whose tokens are all known: (id, count) by id
                yield sorted(Counter(map(token2id.__getitem__, tokens)).items())

        MmCorpus.save_corpus(str(mm_tmp), bows(), id2word=dictionary, progress_cnt=10000)
    stale_index = Path(f"{mm_path}.index")
    if stale_index.exists():  # from an older run: it would no longer match
        stale_index.unlink()
    summary["vocabulary_filter"] = {
        "tokens": kept_tokens,
        "types": len(dictionary),
        "units": kept_units,
    }

    with sio.atomic_path(out_dir / "dictionary.txt") as tmp:
        dictionary.save_as_text(str(tmp))
    vocabulary = sorted(
        (
            {"term": term, "count": dictionary.cfs.get(i, 0), "doc_freq": dictionary.dfs.get(i, 0)}
            for term, i in token2id.items()
        ),
        key=lambda row: (-row["count"], row["term"]),
    )
    # The kept terms (removed empty), then the removed names (count and doc_freq in units
    # before phrases), each most frequent first.
    sio.write_csv(
        tables_dir / "vocabulary.csv",
        [*({**row, "removed": ""} for row in vocabulary), *removed_rows],
        ["term", "count", "doc_freq", "removed"],
    )
    rows = [{"step": step, **summary[step]} for step in SUMMARY_STEPS]
    sio.write_table(
        tables_dir / "preprocessing_summary.csv",
        rows,
        ["step", "tokens", "types", "units"],
        caption="Tokens, distinct types and units after each preprocessing step.",
    )
    for step in SUMMARY_STEPS:
        counts = summary[step]
        logger.info(
            "%-18s tokens %10d  types %8d  units %8d  (%s)",
            step,
            counts["tokens"],
            counts["types"],
            counts["units"],
            STEP_MEANING[step],
        )


def _field(value: str) -> str:
    """A TSV field: tabs and line breaks in ids become spaces."""
    return " ".join(str(value).split()) if any(c in str(value) for c in "\t\r\n") else str(value)
