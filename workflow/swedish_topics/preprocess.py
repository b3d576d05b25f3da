"""Preprocessing of one shard of documents: clean, cut into units, tokenise, lemmatise.

:func:`preprocess_shard` (one job per shard, in parallel; memory grows with the
vocabulary, not with the corpus): for each document, clean it (:mod:`~swedish_topics.clean`),
cut it into units (:mod:`~swedish_topics.units`), tokenise (:mod:`~swedish_topics.tokenize`),
lemmatise (:mod:`~swedish_topics.lemmatize`) and drop stopwords
(:mod:`~swedish_topics.stopwords`); write ``interim/shards/{shard}.jsonl`` (one unit per
line: ``unit_id``, ``doc_id``, ``text``, ``tokens``) and ``{shard}.counts.json`` (tokens,
types and units after each step, with each step's vocabulary so that types can be
counted across shards, and the name counts of :mod:`~swedish_topics.names`).
:func:`swedish_topics.bagofwords.build_corpus` then joins the shards into the corpus.

Stopwords: a token is dropped when its surface form or its lemma is a stopword (shipped
list + ``extra`` + ``extra_file`` + facet values when ``remove_facet_values``); see
:mod:`~swedish_topics.stopwords`. Output order is document order, then unit order.

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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress
from pathlib import Path
from typing import Any, Generic, TypeVar

from swedish_topics import io as sio
from swedish_topics.clean import REASONS, Cleaner
from swedish_topics.lemmatize import Lemmatizer, load_overrides
from swedish_topics.names import (
    NameStats,
    load_given_names,
)
from swedish_topics.stopwords import facet_value_stopwords, load_stopwords
from swedish_topics.tokenize import SwedishTokenizer
from swedish_topics.units import Unit, make_units, split_sentences

logger = logging.getLogger(__name__)

#: Steps counted in the shards, in order.
SHARD_STEPS = ("raw", "cleaned", "lemmatised", "stopwords_removed")
#: Marks a dropped token (a stopword) in the encoding of a chunk (see
#: :meth:`TextPipeline._piece`); JSON escapes it, so no plain lemma holds it.
_DROPPED = "\x00"
#: Encodes a string as JSON exactly as ``json.dumps(value, ensure_ascii=False)`` does.
_JSON = json.JSONEncoder(ensure_ascii=False).encode
_V = TypeVar("_V")


def _section(config: Mapping[str, Any]) -> Mapping[str, Any]:
    """The ``preprocess`` section, whether given the section or the whole config."""
    return config.get("preprocess", config)


def _cleaner(clean: Mapping[str, Any]) -> Cleaner:
    """The cleaner of the ``preprocess.clean`` settings."""
    return Cleaner(
        patterns=[*clean.get("furniture_patterns", ()), *clean.get("extra_patterns", ())],
        drop_bylines=clean.get("drop_bylines", True),
        drop_repeated_paragraphs=clean.get("drop_repeated_paragraphs", True),
        join_hyphenation=clean.get("join_hyphenation", True),
        drop_caption_lead=clean.get("drop_caption_lead", True),
    )


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
        self.cleaner = _cleaner(cfg["clean"])
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
        self.facet_stopwords: set[str] = set()
        if stop.get("remove_facet_values", True):
            self.facet_stopwords = facet_value_stopwords(
                facet_values, tokenizer=self.tokenizer.tokenize, lemmatizer=self.lemmatizer
            )
        extra = load_stopwords(extra=stop.get("extra") or (), extra_file=stop.get("extra_file"))
        self.stopwords = frozenset({*extra, *self.facet_stopwords})
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
            sentences=self.sentences if self.sentences is not None else split_sentences,
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
