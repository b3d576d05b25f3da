"""Topic coherence (u_mass, c_npmi, c_v) for many models from one counting pass.

The values equal those of gensim's :class:`gensim.models.coherencemodel.CoherenceModel`
(gensim 4.4, ``processes=1``) for the same top words, texts, corpus and dictionary, but
the corpus is read once for every model of the grid instead of once per model and measure,
and the counting is vectorised with numpy/scipy instead of a Python loop per window.

How gensim computes each measure (and so how this module does)

- **u_mass**: segmentation ``s_one_pre`` (pairs ``(w_i, w_j)``, ``j < i`` in top-word
  order), probabilities from boolean documents (one bag-of-words row of the corpus = one
  document), confirmation ``log((D(w_i, w_j)/N + 1e-12) / (D(w_j)/N))`` (natural log; 0
  when ``D(w_j) = 0``), arithmetic mean over the pairs.
- **c_npmi**: segmentation ``s_one_one`` (all ordered pairs ``i != j``), probabilities
  from boolean sliding windows of 10 tokens, confirmation
  ``log((P(w_i, w_j) + 1e-12) / (P(w_i) P(w_j))) / -log(P(w_i, w_j) + 1e-12)``,
  arithmetic mean.
- **c_v**: segmentation ``s_one_set`` (each top word against the whole top-word set),
  boolean sliding windows of 110 tokens, indirect cosine confirmation: the context vector
  of a word holds its NPMI (as above, ``gamma = 1``) with every top word of the topic,
  itself included, and the vector of the set is the sum of its words' vectors; the topic's
  value is the mean cosine between each word's vector and the set's vector.

Sliding windows as gensim builds them (``WordOccurrenceAccumulator``)

- Every token of a text that is not a top word of any topic becomes a placeholder, so
  texts keep their length and positions.
- A text of ``L >= w`` tokens gives the ``L - w + 1`` windows ``[j, j + w)``; a shorter
  text (also an empty one) gives exactly one window, the whole text
  (``ignore_below_size=False``). ``N`` (``num_docs``) is the number of windows over all
  texts, empty windows included. No text is skipped.
- gensim does not recompute the word set of each window: it starts from the set of the
  first window and, when the window moves by one token, it *removes the token that left*
  and adds the token that entered. A word that left the window while another occurrence
  of it is still inside is therefore treated as absent until it next enters at the right
  edge. Equivalently: an occurrence at position ``p`` enters (at window
  ``a = max(0, p - w + 1)``) and the word stays present until the window after the first
  occurrence at or after ``a`` has left, i.e. through window ``min(f(a), L - w)`` where
  ``f(a)`` is that occurrence's position. The exact boolean window would keep it through
  window ``min(p, L - w)``. Both differ only when a word repeats within a window;
  ``gensim_windows=True`` (the default) reproduces gensim, ``False`` counts exactly.

Counting for many models at once

Occurrence and co-occurrence counts of a word depend only on that word's own positions,
so counting once for the union of all models' top words gives every model exactly the
counts gensim would compute for it alone. Texts are read in chunks; in each chunk every
word's window membership is a union of intervals of window numbers (derived with numpy
from its positions), the chunk's windows are cut into segments on which the set of present
words is constant, and ``X.T @ diag(length) @ X`` over the (segments × words) boolean
matrix adds the chunk's co-occurrence counts. Memory is bounded by the chunk size and by
(number of distinct top words)², not by the corpus.

Examples
--------
>>> ids = top_word_ids(topic_term, top_n=10)  # doctest: +SKIP
>>> coherence_many({"k5_s1": ids}, texts=texts, corpus=corpus,
...                dictionary=dictionary)["k5_s1"]["c_v"]  # doctest: +SKIP
[0.41, 0.37, 0.52, 0.45, 0.39]
"""

from __future__ import annotations

import csv
import logging
import os
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from pathlib import Path

import numpy as np
import scipy.sparse as sps
from gensim import matutils
from gensim.corpora import Dictionary

logger = logging.getLogger(__name__)

#: The small constant gensim adds to joint probabilities (Röder et al. 2015).
EPSILON = 1e-12

#: Measures this module computes.
MEASURES: tuple[str, ...] = ("u_mass", "c_npmi", "c_v")

#: gensim's default sliding-window sizes (``SLIDING_WINDOW_SIZES``).
DEFAULT_WINDOW_SIZES: dict[str, int] = {"c_npmi": 10, "c_v": 110}

#: Tokens read per counting chunk: bounds the memory of the counting pass.
DEFAULT_CHUNK_TOKENS = 250_000

_SLIDING = frozenset(DEFAULT_WINDOW_SIZES)


@dataclass(frozen=True)
class CooccurrenceCounts:
    """Occurrence and co-occurrence counts of words in boolean (virtual) documents.

    Attributes
    ----------
    word_ids
        Dictionary ids of the counted words, ascending; position ``i`` of the arrays below
        belongs to ``word_ids[i]``.
    n_docs
        Number of documents (u_mass) or sliding windows (c_npmi, c_v) counted.
    occurrences
        ``occurrences[i]``: documents or windows containing word ``i``.
    co_occurrences
        Symmetric ``(n, n)`` counts of documents or windows containing both words; the
        diagonal equals ``occurrences``.
    """

    word_ids: np.ndarray
    n_docs: int
    occurrences: np.ndarray
    co_occurrences: np.ndarray


# ----------------------------------------------------------------------------- top words
def top_word_ids(topic_term: np.ndarray, top_n: int) -> list[list[int]]:
    """The ``top_n`` most probable word ids of each topic, most probable first.

    Uses gensim's own ``matutils.argsort(row, topn=top_n, reverse=True)``, as
    ``CoherenceModel`` does for a model, so ties are broken exactly as gensim breaks them
    for the same array.

    Parameters
    ----------
    topic_term
        ``(K, V)`` topic-word probabilities; columns are dictionary ids.
    top_n
        Number of words per topic (at most ``V``).

    Returns
    -------
    list of list of int
        One list of ``top_n`` dictionary ids per topic.
    """
    topic_term = np.asarray(topic_term)
    if topic_term.ndim != 2:
        raise ValueError(f"topic_term must be 2-D (topics × words), got shape {topic_term.shape}")
    if not 1 <= top_n <= topic_term.shape[1]:
        raise ValueError(f"top_n must be in 1..{topic_term.shape[1]}, got {top_n}")
    return [[int(i) for i in matutils.argsort(row, topn=top_n, reverse=True)] for row in topic_term]


# --------------------------------------------------------------------------- text reading
def iter_unit_lemmas(path: str | os.PathLike[str]) -> Iterator[list[str]]:
    """Stream the lemma lists of ``preprocess/units.tsv`` one unit at a time.

    The file is tab-separated with a header naming a ``lemmas`` column whose value is the
    unit's tokens separated by single spaces (empty for a unit without tokens).
    """
    with open(Path(path), encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        if reader.fieldnames is None or "lemmas" not in reader.fieldnames:
            raise ValueError(f"{path}: the header has no 'lemmas' column")
        for row in reader:
            lemmas = row["lemmas"] or ""
            yield lemmas.split() if lemmas else []


# ------------------------------------------------------------------------------ counting
def _exclusive_cumsum(values: np.ndarray) -> np.ndarray:
    out = np.zeros(len(values), dtype=np.int64)
    np.cumsum(values[:-1], out=out[1:])
    return out


def _expand_ranges(first: np.ndarray, stop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate ``range(first[i], stop[i])`` for all i; also return the owner index."""
    counts = stop - first
    total = int(counts.sum())
    owner = np.repeat(np.arange(len(first)), counts)
    offsets = np.arange(total, dtype=np.int64) - np.repeat(_exclusive_cumsum(counts), counts)
    return first[owner] + offsets, owner


def _add_sparse(dense: np.ndarray, product: sps.sparray | sps.spmatrix) -> None:
    """Add a sparse matrix product (no repeated entries) into a dense array in place."""
    coo = product.tocoo()
    dense[coo.row, coo.col] += coo.data


class _DocumentCounter:
    """Boolean-document counts: each text or bag of words is one document."""

    def __init__(self, n_words: int) -> None:
        self.n_words = n_words
        self.n_docs = 0
        self.co = np.zeros((n_words, n_words), dtype=np.int64)

    def add_chunk(self, tokens: np.ndarray, lengths: np.ndarray) -> None:
        keep = tokens >= 0
        kept_before = np.concatenate([[0], np.cumsum(keep)])  # relevant tokens before i
        indptr = kept_before[np.concatenate([[0], np.cumsum(lengths)])]
        x = sps.csr_matrix(
            (np.ones(int(indptr[-1]), dtype=np.int64), tokens[keep], indptr),
            shape=(len(lengths), self.n_words),
        )
        x.sum_duplicates()
        x.data.fill(1)  # boolean documents
        _add_sparse(self.co, x.T @ x)
        self.n_docs += len(lengths)

    def result(self, word_ids: np.ndarray) -> CooccurrenceCounts:
        return CooccurrenceCounts(word_ids, self.n_docs, self.co.diagonal().copy(), self.co)


class _WindowCounter:
    """Boolean sliding-window counts, as gensim's ``WordOccurrenceAccumulator``."""

    def __init__(self, n_words: int, window: int, *, gensim_windows: bool) -> None:
        if window < 1:
            raise ValueError(f"window size must be >= 1, got {window}")
        self.n_words = n_words
        self.window = window
        self.gensim_windows = gensim_windows
        self.n_docs = 0
        self.co = np.zeros((n_words, n_words), dtype=np.int64)

    def add_chunk(self, tokens: np.ndarray, lengths: np.ndarray) -> None:
        w = self.window
        n_windows = np.maximum(1, lengths - w + 1)
        text_start = _exclusive_cumsum(lengths)
        window_start = _exclusive_cumsum(n_windows)
        self.n_docs += int(n_windows.sum())

        pos = np.flatnonzero(tokens >= 0)
        if len(pos) == 0:
            return
        word = tokens[pos]
        order = np.argsort(word, kind="stable")  # by word, then position
        pos, word = pos[order], word[order]
        text = np.repeat(np.arange(len(lengths)), lengths)[pos]
        local = pos - text_start[text]
        last = n_windows[text] - 1
        first = np.maximum(0, local - w + 1)  # first window that contains the occurrence
        if self.gensim_windows:
            # Present until the first occurrence at or after `first` leaves the window.
            span = np.int64(len(tokens) + 1)
            keys = word * span + pos
            hit = np.searchsorted(keys, keys - local + first)
            end = np.minimum(keys[hit] - word * span - text_start[text], last)
        else:
            end = np.minimum(local, last)
        start_g = window_start[text] + first
        end_g = window_start[text] + end

        # Merge each word's intervals (sorted, ends non-decreasing) into disjoint ones.
        new = np.ones(len(word), dtype=bool)
        new[1:] = (word[1:] != word[:-1]) | (start_g[1:] > end_g[:-1] + 1)
        heads = np.flatnonzero(new)
        tails = np.append(heads[1:] - 1, len(word) - 1)
        m_word, m_start, m_end = word[heads], start_g[heads], end_g[tails] + 1  # [start, end)

        # Cut the chunk's windows into segments on which the set of present words is
        # constant; X[segment, word] = 1, and X.T @ diag(segment length) @ X adds the counts.
        mark = np.zeros(int(window_start[-1] + n_windows[-1]) + 1, dtype=bool)
        mark[m_start] = True
        mark[m_end] = True
        bounds = np.flatnonzero(mark)
        rank = np.cumsum(mark) - 1
        seg_first, seg_stop = rank[m_start], rank[m_end]
        rows, _ = _expand_ranges(seg_first, seg_stop)
        # m_word is sorted and each word's intervals are disjoint and sorted: X is CSC-ready.
        col_nnz = np.bincount(m_word, weights=seg_stop - seg_first, minlength=self.n_words)
        indptr = np.concatenate([[0], np.cumsum(col_nnz.astype(np.int64))])
        shape = (max(len(bounds) - 1, 1), self.n_words)
        x = sps.csc_matrix((np.ones(len(rows), dtype=np.int64), rows, indptr), shape=shape)
        xw = sps.csc_matrix((np.diff(bounds)[rows], rows, indptr), shape=shape)
        _add_sparse(self.co, x.T @ xw)

    def result(self, word_ids: np.ndarray) -> CooccurrenceCounts:
        return CooccurrenceCounts(word_ids, self.n_docs, self.co.diagonal().copy(), self.co)


def _text_chunks(
    texts: Iterable[Sequence[str]], token_index: Mapping[str, int], chunk_tokens: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (tokens as word index or -1, text lengths) for chunks of ~``chunk_tokens``."""
    flat: list[int] = []
    lengths: list[int] = []
    get = token_index.get
    for text in texts:
        flat.extend(map(get, text, repeat(-1, len(text))))
        lengths.append(len(text))
        if len(flat) >= chunk_tokens:
            yield np.asarray(flat, dtype=np.int64), np.asarray(lengths, dtype=np.int64)
            flat, lengths = [], []
    if lengths:
        yield np.asarray(flat, dtype=np.int64), np.asarray(lengths, dtype=np.int64)


def _bow_chunks(
    corpus: Iterable[Sequence[tuple[int, float]]], table: np.ndarray, chunk_tokens: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (entries as word index or -1, document lengths) for chunks of a bow corpus."""
    flat: list[int] = []
    lengths: list[int] = []
    first = itemgetter(0)
    for bow in corpus:
        flat.extend(map(first, bow))
        lengths.append(len(bow))
        if len(flat) >= chunk_tokens:
            yield table[np.asarray(flat, dtype=np.int64)], np.asarray(lengths, dtype=np.int64)
            flat, lengths = [], []
    if lengths:
        yield table[np.asarray(flat, dtype=np.int64)], np.asarray(lengths, dtype=np.int64)


def count_cooccurrences(
    word_ids: Iterable[int],
    *,
    dictionary: Dictionary,
    texts: Iterable[Sequence[str]] | None = None,
    corpus: Iterable[Sequence[tuple[int, float]]] | None = None,
    window_sizes: Iterable[int] = (),
    documents: bool = False,
    gensim_windows: bool = True,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
) -> dict[str, CooccurrenceCounts]:
    """Count occurrences and co-occurrences of ``word_ids`` in one pass over the input.

    Parameters
    ----------
    word_ids
        Dictionary ids of the words to count (e.g. the union of all models' top words).
    dictionary
        The gensim dictionary of ``texts`` / ``corpus``.
    texts
        Token lists in text order (read once, streamed), for sliding windows; also for
        boolean documents when ``corpus`` is None.
    corpus
        Bag-of-words documents (e.g. a ``MmCorpus``), for boolean documents.
    window_sizes
        Sliding-window sizes to count from ``texts``, all in the same pass.
    documents
        Also count boolean documents (from ``corpus`` if given, else from ``texts``).
    gensim_windows
        Reproduce gensim's window bookkeeping (see the module docstring) or, if False,
        count exact boolean windows.
    chunk_tokens
        Tokens per counting chunk (memory bound).

    Returns
    -------
    dict
        ``"document"`` and ``"window_<w>"`` for each window size, as requested.
    """
    ids = np.array(sorted({int(i) for i in word_ids}), dtype=np.int64)
    n = len(ids)
    if n == 0:
        raise ValueError("no words to count")
    if ids[0] < 0 or ids[-1] >= len(dictionary):
        raise ValueError(f"word ids must be dictionary ids in 0..{len(dictionary) - 1}")
    sizes = sorted({int(w) for w in window_sizes})
    doc_from_texts = documents and corpus is None
    if (sizes or doc_from_texts) and texts is None:
        raise ValueError("texts are needed for sliding windows (and for documents without corpus)")

    windows = {w: _WindowCounter(n, w, gensim_windows=gensim_windows) for w in sizes}
    doc_counter = _DocumentCounter(n) if documents else None
    out: dict[str, CooccurrenceCounts] = {}

    if texts is not None and (sizes or doc_from_texts):
        token_index = {dictionary[int(i)]: k for k, i in enumerate(ids)}
        for tokens, lengths in _text_chunks(texts, token_index, chunk_tokens):
            for counter in windows.values():
                counter.add_chunk(tokens, lengths)
            if doc_from_texts and doc_counter is not None:
                doc_counter.add_chunk(tokens, lengths)
    if doc_counter is not None and corpus is not None:
        table = np.full(len(dictionary), -1, dtype=np.int64)
        table[ids] = np.arange(n)
        for tokens, lengths in _bow_chunks(corpus, table, chunk_tokens):
            doc_counter.add_chunk(tokens, lengths)

    for w, counter in windows.items():
        out[f"window_{w}"] = counter.result(ids)
    if doc_counter is not None:
        out["document"] = doc_counter.result(ids)
    for name, counts in out.items():
        if counts.n_docs == 0:
            raise ValueError(f"no documents to count for {name}: the texts or corpus are empty")
    return out


# ----------------------------------------------------------------------- confirmation
def _indices(counts: CooccurrenceCounts, topic: Sequence[int]) -> np.ndarray:
    idx = np.searchsorted(counts.word_ids, np.asarray(topic, dtype=np.int64))
    return idx


def u_mass(counts: CooccurrenceCounts, topic: Sequence[int]) -> float:
    """gensim's u_mass of one topic (top-word ids, most probable first)."""
    idx = _indices(counts, topic)
    i, j = np.tril_indices(len(idx), -1)  # s_one_pre: (w_i, w_j), j < i, gensim's order
    w_prime, w_star = idx[i], idx[j]
    n_docs = float(counts.n_docs)
    star = counts.occurrences[w_star]
    co = counts.co_occurrences[w_prime, w_star]
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.log(((co / n_docs) + EPSILON) / (star / n_docs))
    values[star == 0] = 0.0  # gensim's ZeroDivisionError branch
    return float(np.mean(values))


def _npmi(counts: CooccurrenceCounts, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """gensim's ``log_ratio_measure(normalize=True)`` for index pairs (a, b)."""
    n_docs = float(counts.n_docs)
    co_prob = counts.co_occurrences[a, b] / n_docs
    with np.errstate(divide="ignore", invalid="ignore"):
        numerator = np.log(
            (co_prob + EPSILON)
            / ((counts.occurrences[a] / n_docs) * (counts.occurrences[b] / n_docs))
        )
        return numerator / (-np.log(co_prob + EPSILON))


def c_npmi(counts: CooccurrenceCounts, topic: Sequence[int]) -> float:
    """gensim's c_npmi of one topic from sliding-window counts (window 10 by default)."""
    idx = _indices(counts, topic)
    n = len(idx)
    i, j = np.nonzero(~np.eye(n, dtype=bool))  # s_one_one: all i != j, gensim's order
    return float(np.mean(_npmi(counts, idx[i], idx[j])))


def c_v(counts: CooccurrenceCounts, topic: Sequence[int]) -> float:
    """gensim's c_v of one topic from sliding-window counts (window 110 by default)."""
    idx = _indices(counts, topic)
    n = len(idx)
    i, j = np.indices((n, n))
    sims = _npmi(counts, idx[i], idx[j])  # context vectors: sims[i] for word i
    set_vector = np.zeros(n)
    for row in sims:  # gensim sums the set's context vector word by word
        set_vector += row
    with np.errstate(divide="ignore", invalid="ignore"):
        norms = np.sqrt(np.sum(sims**2, axis=1)) * np.sqrt(np.sum(set_vector**2))
        cosines = (sims @ set_vector) / norms
    return float(np.mean(cosines))


_CONFIRM = {"u_mass": u_mass, "c_npmi": c_npmi, "c_v": c_v}


# ------------------------------------------------------------------------------- public
def coherence_many(
    topic_sets: Mapping[str, Sequence[Sequence[int]]],
    *,
    texts: Iterable[Sequence[str]] | None,
    corpus: Iterable[Sequence[tuple[int, float]]] | None,
    dictionary: Dictionary,
    measures: Sequence[str] = MEASURES,
    window_sizes: Mapping[str, int] | None = None,
    gensim_windows: bool = True,
    chunk_tokens: int = DEFAULT_CHUNK_TOKENS,
) -> dict[str, dict[str, list[float]]]:
    """Per-topic coherence of many models from one pass over the texts (and corpus).

    Parameters
    ----------
    topic_sets
        Model name → one list of top-word dictionary ids per topic (most probable first,
        e.g. from :func:`top_word_ids`). Words within a topic must be distinct.
    texts
        Token lists in text order, read once (may be a generator); needed for c_npmi and
        c_v, and for u_mass when ``corpus`` is None.
    corpus
        Bag-of-words documents for u_mass (gensim's ``corpus=`` argument), read once.
    dictionary
        The gensim dictionary whose ids the topics and corpus use.
    measures
        Any of ``"u_mass"``, ``"c_npmi"``, ``"c_v"``.
    window_sizes
        Measure → sliding-window size; defaults to gensim's (c_npmi 10, c_v 110).
    gensim_windows
        Reproduce gensim's sliding-window bookkeeping exactly (default) or count exact
        boolean windows; see the module docstring.
    chunk_tokens
        Tokens per counting chunk (memory bound).

    Returns
    -------
    dict
        Model name → measure → per-topic values (the model value is their mean, gensim's
        ``get_coherence``).
    """
    unknown = [m for m in measures if m not in _CONFIRM]
    if unknown:
        raise ValueError(f"unknown coherence measure(s) {unknown}; choose from {list(MEASURES)}")
    if not topic_sets:
        raise ValueError("no models given")
    sizes = dict(DEFAULT_WINDOW_SIZES)
    sizes.update(window_sizes or {})
    relevant: set[int] = set()
    for name, topics in topic_sets.items():
        if len(topics) == 0:
            raise ValueError(f"model {name!r} has no topics")
        for t, topic in enumerate(topics):
            if len(topic) < 2:
                raise ValueError(f"model {name!r} topic {t + 1}: needs at least 2 top words")
            if len(set(topic)) != len(topic):
                raise ValueError(f"model {name!r} topic {t + 1}: top words repeat")
            relevant.update(int(i) for i in topic)
    if "u_mass" in measures and corpus is None and texts is None:
        raise ValueError("u_mass needs a corpus (or texts)")
    if any(m in _SLIDING for m in measures) and texts is None:
        raise ValueError("c_npmi and c_v need texts")

    started = time.perf_counter()
    counts = count_cooccurrences(
        relevant,
        dictionary=dictionary,
        texts=texts,
        corpus=corpus if "u_mass" in measures else None,
        window_sizes=[sizes[m] for m in measures if m in _SLIDING],
        documents="u_mass" in measures,
        gensim_windows=gensim_windows,
        chunk_tokens=chunk_tokens,
    )
    logger.info(
        "counted %d distinct top words of %d models in %.1f s",
        len(relevant),
        len(topic_sets),
        time.perf_counter() - started,
    )

    result: dict[str, dict[str, list[float]]] = {}
    for name, topics in topic_sets.items():
        result[name] = {}
        for measure in measures:
            key = "document" if measure == "u_mass" else f"window_{sizes[measure]}"
            confirm = _CONFIRM[measure]
            result[name][measure] = [confirm(counts[key], topic) for topic in topics]
    return result
