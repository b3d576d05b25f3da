"""Phrases, the vocabulary and the bag-of-words corpus (rule ``build_corpus``).

:func:`build_corpus` reads the shard files of :func:`swedish_topics.preprocess.preprocess_shard`
once, in shard order, and keeps each unit's tokens as one string (a few bytes a token;
the texts go to a spool file beside the outputs). Then, over those strings:

1. person names (:mod:`~swedish_topics.names`) are found and dropped;
2. phrases are learned (gensim's ``Phrases`` algorithm, NPMI scoring: :class:`Phrases`)
   and joined, once per unit;
3. the vocabulary is counted (gensim ``Dictionary.add_documents``'s ids, document and
   collection frequencies, counted with ``Counter``) and filtered with gensim's
   ``filter_extremes``;
4. ``preprocess/units.tsv``, ``units.jsonl`` and ``corpus.mm`` are written in one aligned
   stream (``corpus.mm`` byte for byte as gensim's ``MmCorpus.save_corpus`` writes it,
   without its pickled ``.index``), then ``dictionary.txt``, ``tables/vocabulary.csv`` and
   ``tables/preprocessing_summary.csv``.

A unit left without tokens after the vocabulary filter is dropped from all of
``units.tsv``, ``units.jsonl`` and ``corpus.mm`` alike, so row *i* of each is the same
unit. ``no_above`` is a share of the units that have a token after phrases.
"""

from __future__ import annotations

import json
import logging
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

import numpy as np

from swedish_topics import io as sio
from swedish_topics.errors import CorpusError
from swedish_topics.names import classify, merge_counts, names_to_remove
from swedish_topics.preprocess import SHARD_STEPS

logger = logging.getLogger(__name__)

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
#: Joins the two tokens of a phrase.
PHRASE_DELIMITER = "_"
#: The first line of a Matrix Market file as gensim's ``MmWriter`` writes it.
MM_HEADER = b"%%MatrixMarket matrix coordinate real general\n"
#: gensim leaves this many spaces for the matrix's size and fills them in at the end.
MM_SIZE_WIDTH = 50


# ----------------------------------------------------------------------------- tokens
def pack(tokens: list[str]) -> str | tuple[str, ...]:
    """A unit's tokens as one string (``unpack`` gives them back); a tuple if a token
    holds a space or there is none."""
    joined = " ".join(tokens)
    return joined if tokens and joined.count(" ") == len(tokens) - 1 else tuple(tokens)


def unpack(packed: str | tuple[str, ...]) -> list[str]:
    """The tokens :func:`pack` packed."""
    return packed.split(" ") if isinstance(packed, str) else list(packed)


@dataclass
class ShardUnits:
    """The units of the shard files, read once (see :func:`read_shards`)."""

    #: ``unit_id`` and ``doc_id`` of each unit as ``units.tsv`` writes them
    ids: list[tuple[str, str]] = field(default_factory=list)
    #: each unit's tokens (:func:`pack`)
    tokens: list[str | tuple[str, ...]] = field(default_factory=list)
    #: token → its number of tokens, counted when names are looked for
    occurrences: Counter[str] = field(default_factory=Counter)
    #: name candidate → its number of units
    doc_freq: Counter[str] = field(default_factory=Counter)


def read_shards(
    shard_files: Sequence[Path], spool: IO[str], candidates: frozenset[str]
) -> ShardUnits:
    """Parse every line of the shard files once.

    Each unit's ``units.jsonl`` line (``unit_id``, ``doc_id``, ``text``) goes to ``spool``;
    its ids and tokens are kept. With name ``candidates``, every token is counted and
    each candidate's units.
    """
    units = ShardUnits()
    for path in shard_files:
        with open(path, encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    raise CorpusError(
                        f"{path}, line {number}: not valid JSON ({err.msg}, column "
                        f"{err.colno}). The shard file is damaged; delete it and run the "
                        "workflow again."
                    ) from err
                tokens = record["tokens"]
                if candidates:
                    units.occurrences.update(tokens)
                    units.doc_freq.update(candidates.intersection(tokens))
                units.tokens.append(pack(tokens))
                units.ids.append((_field(record["unit_id"]), _field(record["doc_id"])))
                row = {"unit_id": record["unit_id"], "doc_id": record["doc_id"]}
                row["text"] = record["text"]
                spool.write(json.dumps(row, ensure_ascii=False) + "\n")
    return units


def _field(value: str) -> str:
    """A TSV field: tabs and line breaks in ids become spaces."""
    return " ".join(str(value).split()) if any(c in str(value) for c in "\t\r\n") else str(value)


# ----------------------------------------------------------------------------- counts
def read_counts(
    count_files: Sequence[Path],
) -> tuple[dict[str, dict[str, int]], dict[str, list[int]]]:
    """Each shard step's tokens, types (over the union of the shards' vocabularies) and
    units, and the merged name counts (:attr:`~swedish_topics.names.NameStats.counts`)."""
    totals = {step: {"tokens": 0, "units": 0} for step in SHARD_STEPS}
    vocabularies: dict[str, set[str]] = {step: set() for step in SHARD_STEPS}
    parts = []
    for path in count_files:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        for step in SHARD_STEPS:
            values = data["steps"][step]
            totals[step]["tokens"] += values["tokens"]
            totals[step]["units"] += values["units"]
            vocabularies[step].update(values["vocabulary"])
        rows = data.get("names", [])
        parts.append({lemma: list(map(int, n)) for lemma, *n in map(str.split, rows)})
    summary = {
        step: {"tokens": t["tokens"], "types": len(vocabularies[step]), "units": t["units"]}
        for step, t in totals.items()
    }
    return summary, merge_counts(parts)


def names_removed(
    names: Mapping[str, list[int]], units: ShardUnits, names_cfg: Mapping[str, Any]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The lemmas to remove as names, and their rows for ``vocabulary.csv``.

    Returns
    -------
    removed : dict
        Lemma → reason (``"person_name"`` or ``"proper_noun"``).
    rows : list of dict
        ``term, count, doc_freq, removed`` of each removed lemma, most frequent first.
    """
    mode = names_cfg.get("remove", "persons")
    decisions = classify(
        names,
        units.occurrences,
        capitalised_share=float(names_cfg.get("capitalised_share", 0.9)),
        person_share=float(names_cfg.get("person_share", 0.5)),
    )
    removed = names_to_remove(decisions, mode)
    occurrences, doc_freq = units.occurrences, units.doc_freq
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
        len(names),
        mode,
        sum(row["count"] for row in rows),
        ", ".join(row["term"] for row in rows[:20]),
    )
    return removed, rows


# ---------------------------------------------------------------------------- phrases
#: gensim ``Phrases``' default cap on the counted unigram and bigram types.
PHRASES_MAX_VOCAB = 40_000_000


class _Index(dict[str, int]):
    """Token → id, a new token getting the next id (look-ups stay in C: ``map``)."""

    def __missing__(self, token: str) -> int:
        value = self[token] = len(self)
        return value


def _count_as_strings(
    sentences: Iterable[Sequence[str]], delimiter: str, max_vocab_size: int
) -> tuple[Counter[str], int]:
    """gensim's counts: every token and every delimiter-joined bigram as one string key,
    pruned as gensim prunes them above ``max_vocab_size`` types; and the token count."""
    from gensim.utils import prune_vocab

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
    return counts, total_words


def _score_strings(
    counts: Counter[str], total_words: int, delimiter: str, min_count: int, threshold: float
) -> dict[str, float]:
    """gensim's ``export_phrases``: every counted type holding the delimiter is a
    candidate, scored by its first and last part."""
    from gensim.models.phrases import npmi_scorer

    n_types = len(counts)
    grams: dict[str, float] = {}
    for phrase, n in counts.items():
        if n < min_count or delimiter not in phrase:
            continue  # npmi_scorer gives minus infinity below min_count
        parts = phrase.split(delimiter)
        n_a, n_b = counts.get(parts[0], 0), counts.get(parts[-1], 0)
        if n_a <= 0 or n_b <= 0:
            continue
        score = npmi_scorer(n_a, n_b, n, n_types, min_count, total_words)
        if score > threshold:
            grams[phrase] = score
    return grams


def _score_ids(
    ids: np.ndarray, lengths: np.ndarray, vocab: list[str], *, min_count: int, threshold: float
) -> tuple[dict[str, float], int]:
    """The phrases of :func:`_score_strings` from token ids, counted with numpy; and the
    number of types gensim would count. Exact when no token is empty or holds the
    delimiter (every bigram string is then a distinct type)."""
    from gensim.models.phrases import npmi_scorer

    n_vocab, n_tokens = len(vocab), len(ids)
    unigrams = np.bincount(ids, minlength=n_vocab)
    within = np.ones(max(n_tokens - 1, 0), dtype=bool)
    ends = np.cumsum(lengths)
    within[ends[(ends > 0) & (ends < n_tokens)] - 1] = False  # a pair across two units
    codes = ids[:-1][within] * n_vocab + ids[1:][within]
    bigrams, first, counts = np.unique(codes, return_index=True, return_counts=True)
    n_types = n_vocab + len(bigrams)
    grams: dict[str, float] = {}
    frequent = np.flatnonzero(counts >= min_count)
    for k in frequent[np.argsort(first[frequent], kind="stable")]:  # in order of first sight
        a, b = divmod(int(bigrams[k]), n_vocab)
        score = npmi_scorer(
            int(unigrams[a]), int(unigrams[b]), int(counts[k]), n_types, min_count, n_tokens
        )
        if score > threshold:
            grams[vocab[a] + PHRASE_DELIMITER + vocab[b]] = score
    return grams, n_types


class Phrases:
    """Bigram phrases learned and applied exactly as gensim's ``Phrases`` (NPMI scoring,
    no connector words) and its frozen model ``FrozenPhrases`` learn and apply them.

    gensim counts, scores and joins token by token in Python; here the tokens become ids
    (one dict look-up each, in C), unigrams and bigrams are counted with numpy, only the
    bigrams seen ``min_count`` times are scored (with gensim's own ``npmi_scorer``; the
    others score minus infinity there), and a unit is joined with one set look-up per
    token that could start a phrase. Where gensim's string keys would behave otherwise (a
    token that is empty or holds the delimiter, or more than ``max_vocab_size`` types,
    where gensim prunes its counts), the counting is gensim's own, on strings. The
    phrases and the joined units are gensim's (tested against it, quirks included).

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
        sentences: Iterable[Sequence[str]],
        *,
        min_count: int,
        threshold: float,
        delimiter: str = PHRASE_DELIMITER,
        max_vocab_size: int = PHRASES_MAX_VOCAB,
    ) -> None:
        self.delimiter = delimiter
        index = _Index()
        flat = array("q")
        lengths = array("q")
        for sentence in sentences:
            flat.extend(map(index.__getitem__, sentence))
            lengths.append(len(sentence))
        ids = np.frombuffer(flat, dtype=np.int64) if flat else np.zeros(0, dtype=np.int64)
        vocab = list(index)
        grams: dict[str, float] | None = None
        if delimiter == PHRASE_DELIMITER and all(w and delimiter not in w for w in vocab):
            grams, n_types = _score_ids(
                ids, np.asarray(lengths, dtype=np.int64), vocab,
                min_count=min_count, threshold=threshold,
            )  # fmt: skip
            if n_types > max_vocab_size:
                grams = None
        if grams is None:
            ends = np.cumsum(np.asarray(lengths, dtype=np.int64)).tolist()
            units = ([vocab[i] for i in ids[a:b].tolist()] for a, b in pairwise([0, *ends]))
            counts, total_words = _count_as_strings(units, delimiter, max_vocab_size)
            grams = _score_strings(counts, total_words, delimiter, min_count, threshold)
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


# ------------------------------------------------------------------------- vocabulary
def phrase_units(
    units: ShardUnits, drop: frozenset[str], phrases_cfg: Mapping[str, Any]
) -> Phrases | None:
    """Drop the ``drop`` tokens from every unit, learn the phrases (None if disabled) and
    join them; ``units.tokens`` then holds each unit's final tokens."""
    if drop:
        for i, packed in enumerate(units.tokens):
            tokens = unpack(packed)
            units.tokens[i] = pack([t for t in tokens if t not in drop])
    if not phrases_cfg.get("enabled", True):
        return None
    phraser = Phrases(
        map(unpack, units.tokens),
        min_count=int(phrases_cfg.get("min_count", 5)),
        threshold=float(phrases_cfg.get("threshold", 0.5)),
    )
    for i, packed in enumerate(units.tokens):
        tokens = unpack(packed)
        if len(tokens) > 1:
            units.tokens[i] = pack(phraser[tokens])
    return phraser


def count_vocabulary(token_lists: Iterable[list[str]]) -> Any:
    """gensim's ``Dictionary(token_lists, prune_at=None)``, counted in C.

    The same ids (new tokens numbered in order of first unit, alphabetically within a
    unit, as ``doc2bow`` numbers them), document and collection frequencies and totals;
    only the counting is ``Counter.update`` instead of ``doc2bow``'s loop over each unit.
    """
    from gensim.corpora import Dictionary

    token2id: dict[str, int] = {}
    cfs: Counter[str] = Counter()
    dfs: Counter[str] = Counter()
    num_docs = num_pos = num_nnz = 0
    for tokens in token_lists:
        distinct = set(tokens)
        new = distinct.difference(token2id)
        if new:
            token2id.update(
                zip(sorted(new), range(len(token2id), len(token2id) + len(new)), strict=True)
            )
        cfs.update(tokens)
        dfs.update(distinct)
        num_docs += 1
        num_pos += len(tokens)
        num_nnz += len(distinct)
    dictionary = Dictionary()
    dictionary.token2id = token2id
    dictionary.cfs = {token2id[t]: n for t, n in cfs.items()}
    dictionary.dfs = {token2id[t]: n for t, n in dfs.items()}
    dictionary.num_docs, dictionary.num_pos, dictionary.num_nnz = num_docs, num_pos, num_nnz
    logger.info(
        "built %s from %i documents (total %i corpus positions)", dictionary, num_docs, num_pos
    )
    return dictionary


def write_corpus_files(
    units: ShardUnits, spool: IO[str], token2id: Mapping[str, int], out_dir: Path
) -> dict[str, int]:
    """``units.tsv``, ``units.jsonl`` and ``corpus.mm`` of the units with a token in the
    vocabulary, in one aligned stream; the kept units and tokens."""
    kept_units = kept_tokens = nnz = 0
    ids1 = {t: i + 1 for t, i in token2id.items()}  # Matrix Market counts from 1
    mm_path = out_dir / "corpus.mm"
    spool.seek(0)
    with (
        sio.atomic_open(out_dir / "units.tsv") as tsv,
        sio.atomic_open(out_dir / "units.jsonl") as jsonl,
        sio.atomic_open(mm_path, "wb") as mm,
    ):
        tsv.write("unit_id\tdoc_id\tn_tokens\tlemmas\n")
        mm.write(MM_HEADER + b" " * MM_SIZE_WIDTH + b"\n")
        for (unit_id, doc_id), packed, line in zip(units.ids, units.tokens, spool, strict=True):
            tokens = [t for t in unpack(packed) if t in ids1]
            if not tokens:
                continue
            kept_units += 1
            kept_tokens += len(tokens)
            tsv.write(f"{unit_id}\t{doc_id}\t{len(tokens)}\t{' '.join(tokens)}\n")
            jsonl.write(line)
            bow = sorted(Counter(map(ids1.__getitem__, tokens)).items())
            nnz += len(bow)
            mm.write("".join([f"{kept_units} {i} {n}\n" for i, n in bow]).encode())
        # gensim's MmWriter fills in the size over the spaces it left
        size = f"{kept_units} {len(token2id)} {nnz}".encode()
        if len(size) > MM_SIZE_WIDTH:
            raise ValueError(f"{mm_path}: the matrix is too large for its header")
        mm.seek(len(MM_HEADER))
        mm.write(size)
    stale_index = Path(f"{mm_path}.index")
    if stale_index.exists():  # written by gensim's MmCorpus.serialize: it would not match
        stale_index.unlink()
    return {"units": kept_units, "tokens": kept_tokens}


def write_vocabulary_tables(
    dictionary: Any,
    summary: Mapping[str, Mapping[str, int]],
    removed_rows: Sequence[Mapping[str, Any]],
    *,
    out_dir: Path,
    tables_dir: Path,
) -> None:
    """``dictionary.txt``, ``tables/vocabulary.csv`` and the preprocessing summary."""
    with sio.atomic_path(out_dir / "dictionary.txt") as tmp:
        dictionary.save_as_text(str(tmp))
    vocabulary = sorted(
        (
            {"term": term, "count": dictionary.cfs.get(i, 0), "doc_freq": dictionary.dfs.get(i, 0)}
            for term, i in dictionary.token2id.items()
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
    for row in rows:
        logger.info(
            "%-18s tokens %10d  types %8d  units %8d  (%s)",
            row["step"],
            row["tokens"],
            row["types"],
            row["units"],
            STEP_MEANING[row["step"]],
        )


def build_corpus(
    shard_files: Sequence[Path],
    count_files: Sequence[Path],
    *,
    config: Mapping[str, Any],
    out_dir: Path,
    tables_dir: Path,
) -> None:
    """Join phrases, build the vocabulary and write the corpus files and tables.

    Parameters
    ----------
    shard_files, count_files
        The shard outputs of :func:`~swedish_topics.preprocess.preprocess_shard`, in
        shard order.
    config
        The ``preprocess`` section of the configuration (``names``, ``phrases``,
        ``vocabulary``).
    out_dir
        ``preprocess/``: units.tsv, units.jsonl, dictionary.txt, corpus.mm.
    tables_dir
        ``tables/``: vocabulary.csv, preprocessing_summary.csv (+ .tex, .md).
    """
    out_dir, tables_dir = Path(out_dir), Path(tables_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    names_cfg = config.get("names") or {}
    summary, names = read_counts(count_files)
    candidates = frozenset(names) if names_cfg.get("remove", "persons") != "none" else frozenset()
    with tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=out_dir) as spool:
        units = read_shards(shard_files, spool, candidates)
        removed, removed_rows = names_removed(names, units, names_cfg) if candidates else ({}, [])
        units.occurrences, units.doc_freq = Counter(), Counter()
        phrase_units(units, frozenset(removed), config.get("phrases", {}))
        dictionary = count_vocabulary(t for t in map(unpack, units.tokens) if t)
        kept = summary["stopwords_removed"]
        summary["names_removed"] = {
            "tokens": kept["tokens"] - sum(row["count"] for row in removed_rows),
            "types": kept["types"] - len(removed_rows),
            "units": dictionary.num_docs,
        }
        summary["phrases"] = {
            "tokens": dictionary.num_pos,
            "types": len(dictionary),
            "units": dictionary.num_docs,
        }
        vocab_cfg = config["vocabulary"]
        keep_n = vocab_cfg.get("keep_n")
        dictionary.filter_extremes(
            no_below=int(vocab_cfg["no_below"]),
            no_above=float(vocab_cfg["no_above"]),
            keep_n=int(keep_n) if keep_n is not None else None,
        )
        dictionary.compactify()
        kept_counts = write_corpus_files(units, spool, dictionary.token2id, out_dir)
    summary["vocabulary_filter"] = {
        "tokens": kept_counts["tokens"],
        "types": len(dictionary),
        "units": kept_counts["units"],
    }
    write_vocabulary_tables(
        dictionary, summary, removed_rows, out_dir=out_dir, tables_dir=tables_dir
    )
