"""Sentence splitting with nltk's Punkt, trained without supervision once per corpus.

Punkt (Kiss & Strunk 2006) learns from raw text which words ending in a period are
abbreviations, which word pairs around a period are collocations and which words start
sentences. :func:`train_punkt` trains it on a seeded sample of the corpus's documents
(the rule ``train_sentences``, before the shards), starting from a shipped list of common
Swedish abbreviations (``data/abbreviations_sv.txt``: t.ex., bl.a., s.k., m.m., d.v.s. …)
that are kept whatever the training decides, so that a small corpus is split well too.
No model is downloaded. The parameters are written as JSON (:func:`save_params`) and
every shard loads the same file, so sentences never depend on the number of shards.

Importing nltk takes seconds (it loads scipy and its collocation modules), so
:class:`SentenceSplitter` imports it only when a text is split for the first time: a
run whose paragraphs are all short enough, or whose units are whole documents, never
pays for it in the shards.

Examples
--------
>>> params = train_punkt(["Det gäller t.ex. skolan. Den är ny."], sample_documents=10, seed=1)
>>> SentenceSplitter(params).split("Det gäller bl.a. skolan. Den är ny.")
['Det gäller bl.a. skolan.', 'Den är ny.']
"""

from __future__ import annotations

import json
import logging
import os
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from importlib import resources
from typing import Any

from swedish_topics import io as sio

logger = logging.getLogger(__name__)

#: The shipped list of abbreviations, inside the package.
ABBREVIATIONS_RESOURCE = "abbreviations_sv.txt"


def load_abbreviations(extra: Iterable[str] = ()) -> frozenset[str]:
    """The shipped Swedish abbreviations plus ``extra``, as Punkt stores them.

    Lower case and without the final period: ``"t.ex."`` → ``"t.ex"``.
    """
    text = resources.files("swedish_topics").joinpath("data", ABBREVIATIONS_RESOURCE)
    words = [
        line.strip()
        for line in text.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return frozenset(w.lower().rstrip(".") for w in [*words, *extra] if w.strip(". "))


def sample_ids(doc_ids: Sequence[str], n: int, seed: int) -> list[str]:
    """``n`` doc ids drawn with ``seed`` (all of them when there are fewer), in corpus order."""
    if n >= len(doc_ids):
        return list(doc_ids)
    chosen = set(random.Random(seed).sample(range(len(doc_ids)), n))
    return [doc_id for i, doc_id in enumerate(doc_ids) if i in chosen]


def train_punkt(
    texts: Iterable[str],
    *,
    sample_documents: int,
    seed: int,
    abbreviations: Iterable[str] | None = None,
) -> dict[str, Any]:
    """Train Punkt on ``texts`` (already the sample) and return its parameters as JSON data.

    Parameters
    ----------
    texts
        The training documents, in a fixed order.
    sample_documents, seed
        Recorded in the parameters (the caller drew the sample with :func:`sample_ids`).
    abbreviations
        Abbreviations always kept (default: :func:`load_abbreviations`).

    Returns
    -------
    dict
        ``abbrev_types``, ``collocations``, ``sent_starters``, ``ortho_context`` (sorted,
        JSON-able) and the training's ``documents``, ``sample_documents`` and ``seed``.
    """
    from nltk.tokenize.punkt import PunktTrainer

    shipped = load_abbreviations() if abbreviations is None else frozenset(abbreviations)
    trainer = PunktTrainer()
    trainer._params.abbrev_types.update(shipped)  # start from the shipped list
    n_docs = 0
    for text in texts:
        trainer.train(text, finalize=False)
        n_docs += 1
    trainer.finalize_training()
    params = trainer.get_params()
    learned = set(params.abbrev_types) - shipped
    logger.info(
        "punkt: trained on %d documents; %d abbreviations (%d learned, e.g. %s), "
        "%d collocations, %d sentence starters",
        n_docs,
        len(params.abbrev_types | shipped),
        len(learned),
        ", ".join(sorted(learned)[:10]),
        len(params.collocations),
        len(params.sent_starters),
    )
    return {
        "abbrev_types": sorted(set(params.abbrev_types) | shipped),
        "collocations": sorted([a, b] for a, b in params.collocations),
        "sent_starters": sorted(params.sent_starters),
        "ortho_context": dict(sorted(params.ortho_context.items())),
        "documents": n_docs,
        "sample_documents": sample_documents,
        "seed": seed,
    }


def save_params(path: str | os.PathLike[str], params: Mapping[str, Any]) -> None:
    """Write the parameters (atomically, sorted keys: the same training, the same bytes)."""
    sio.atomic_write_json(path, params)


def load_params(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read parameters written by :func:`save_params`."""
    with open(path, encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


class SentenceSplitter:
    """Split text into sentences with trained Punkt parameters; nltk is imported lazily.

    Parameters
    ----------
    params
        From :func:`train_punkt` or :func:`load_params`.
    """

    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params
        self._tokenize: Callable[[str], list[str]] | None = None

    def _build(self) -> Callable[[str], list[str]]:
        from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

        punkt = PunktParameters()
        punkt.abbrev_types = set(self.params["abbrev_types"])
        punkt.collocations = {(a, b) for a, b in self.params["collocations"]}
        punkt.sent_starters = set(self.params["sent_starters"])
        for word, flags in self.params["ortho_context"].items():
            punkt.ortho_context[word] = int(flags)
        tokenizer = PunktSentenceTokenizer(punkt)
        tokenize: Callable[[str], list[str]] = tokenizer.tokenize
        return tokenize

    def split(self, text: str) -> list[str]:
        """The sentences of ``text`` (non-empty, stripped)."""
        if self._tokenize is None:
            self._tokenize = self._build()
        return [s.strip() for s in self._tokenize(text) if s.strip()]

    __call__ = split
