"""Topic quality measured against a label: the minister an interpellation is addressed to.

Each Riksdag interpellation is addressed to a minister, and its title says which
("… till justitieminister Beatrice Ask om …"): the portfolio (``justitieminister``,
``finansminister``, …; the generic "statsråd" left out) is a proxy for the document's
theme. The benchmark keeps the documents whose title names a ``…minister``, and, so that
the label cannot leak into the topics, drops each text's title line and masks every token
containing ``minister`` or ``statsråd`` and the words of the ministers' names (as written,
and their lemmas) before modelling. Quality is the normalised mutual information (NMI)
between each document's dominant topic and its portfolio, and the NPMI coherence of the
model's topics (top 10 words, the workflow's own measure), over several seeds at one K.

Preprocessing is the workflow's own (``swedish_topics.preprocess`` with the config of
``bench/riksdag.yaml``), run twice: with the person-name filter (``names: persons``, the
new default) and without it (``names: none``, as before), so that the gain of the
preprocessing is reported apart from the gain of the model. Every model sees the same
masked units:

- ``gensim``: gensim ``LdaModel`` as a user runs it (``passes=10``, other arguments at
  their defaults: symmetric α = η = 1/K, 50 iterations), on all documents;
- ``tomotopy``: the workflow's engine as configured today (``swedish_topics.lda``:
  α = η = 1/K fixed, 400 sweeps, one worker, 10 % held out and inferred);
- ``tomotopy_auto``: the same with ``model.alpha: auto``: tomotopy re-estimates an
  asymmetric α every ``optim_interval`` sweeps (Minka's fixed point, as MALLET does;
  Wallach, Mimno & McCallum 2009), after ``burn_in`` sweeps;
- ``topica``: the Python package ``topica`` (Rust core; MALLET's SparseLDA sampler with
  MALLET's asymmetric α and β re-estimated during sampling), at its own defaults
  (α sum = K, β = 0.01, optimised every 50 sweeps after 200 burn-in sweeps, φ and θ
  averaged over 5 snapshots 25 sweeps apart) but 400 sweeps, as the workflow; on all
  documents. A bench-only tool, not a dependency: ``pip install topica``;
- further variants of η and the optimisation schedule (``--variants``, see
  :data:`VARIANTS`).

``--units paragraphs`` builds the second corpus: the same documents cut into the
workflow's default units (60–250 tokens, long paragraphs split at Punkt's sentences), each
labelled with its document's portfolio. ``--resume`` keeps the models already in
``--out/models.csv``. Run (figures and timings in ``bench/README.md``, "Topic quality
against a label")::

    PYTHONPATH=workflow nice -n 5 python bench/bench_quality.py --out /tmp/bench_quality

It prints one JSON line per model and a summary table (mean ± sd over seeds), and writes
``models.csv`` and ``summary.csv`` to ``--out``.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import statistics
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO / "workflow"))
sys.path.insert(0, str(BENCH_DIR))

from common import workflow_config  # noqa: E402

logger = logging.getLogger("bench_quality")

RIKSDAG_DEFAULT = REPO.parent / "shared" / "corpora" / "riksdag_interpellationer"
RIKSDAG = RIKSDAG_DEFAULT
#: The addressee of a title: after "till", up to " om " (or the end).
_ADDRESSEE = re.compile(r"\btill (.+?)(?: om |$)")
_PORTFOLIO = re.compile(r"([a-zåäö]+)(?:-)? och [a-zåäö]*minister|([a-zåäö]*minister)n?\b")
_NAME_WORD = re.compile(r"\b[A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖÉ][a-zåäöéü]+)?\b(?!-)")
_LEAK = re.compile(r"minister|statsråd")

#: Ministers' name words that are also common Swedish words (skog "forest", lund "grove",
#: ek "oak", …): not masked, since they are themes too and rarely name the minister.
COMMON_WORD_NAMES = frozenset(
    {"skog", "lund", "borg", "ek", "hatt", "lind", "vice", "per", "sten", "max"}
)

#: Variants: name → (engine, model config changes).
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "gensim": ("gensim_user", {}),
    "tomotopy": ("workflow", {"alpha": "symmetric"}),
    "tomotopy_auto": ("workflow", {"alpha": "auto"}),
    "tomotopy_auto_eta01": ("workflow", {"alpha": "auto", "eta": 0.01}),
    "tomotopy_eta01": ("workflow", {"alpha": "symmetric", "eta": 0.01}),
    "tomotopy_eta1": ("workflow", {"alpha": "symmetric", "eta": 0.1}),
    "tomotopy_auto_eta1": ("workflow", {"alpha": "auto", "eta": 0.1}),
    "tomotopy_auto_burn100": ("workflow", {"alpha": "auto", "optim_burn_in": 100}),
    "topica": ("topica", {}),
}

#: Sweeps of the topica variant: the workflow's 400 (topica's own default is 1,000).
TOPICA_SWEEPS = 400


def parse_title(title: str) -> tuple[str | None, list[str]]:
    """The portfolio a title addresses (``justitieminister``) and the minister's name words.

    ``"… till justitieminister Beatrice Ask om …"`` → ``("justitieminister", ["Beatrice",
    "Ask"])``; ``"… till Fredrik Reinfeldt (m), statsminister om …"`` → ``("statsminister",
    ["Fredrik", "Reinfeldt"])``; "Justitie- och migrationsminister" → ``justitieminister``.
    A title addressed to "statsrådet" gives ``(None, [names])``.
    """
    title = title.replace("\xad", "")  # soft hyphens of the older titles
    for match in _ADDRESSEE.finditer(title):
        addressee = match.group(1).rsplit("till ", 1)[-1]
        found = _PORTFOLIO.search(addressee.lower())
        names = [w for w in _NAME_WORD.findall(addressee) if not _LEAK.search(w.lower())]
        if found and found.group() not in ("minister", "ministern"):
            portfolio = f"{found.group(1)}minister" if found.group(1) else found.group(2)
            return portfolio, names
        if "statsråd" in addressee.lower():
            return None, names
    return None, []


def label_corpus(
    corpus: Path, *, min_docs: int = 20
) -> tuple[list[tuple[str, str]], dict[str, str], set[str], dict[str, list[str]]]:
    """Documents with a portfolio, their texts without the title line, and the leaks.

    Returns
    -------
    documents
        ``(doc_id, text)`` with the first line (the title) dropped.
    labels
        doc_id → portfolio (portfolios with fewer than ``min_docs`` documents are left out).
    name_words
        Every minister name word of every title (all titles, also those to "statsrådet").
    facets
        Facet column → its values (county, for the facet stopwords the workflow removes).
    """
    from swedish_topics.corpus import read_metadata

    rows = read_metadata(corpus / "metadata.csv").rows
    parsed = {row["doc_id"]: parse_title(row["title"]) for row in rows}
    sizes: dict[str, int] = {}
    for portfolio, _ in parsed.values():
        if portfolio:
            sizes[portfolio] = sizes.get(portfolio, 0) + 1
    labels = {doc: p for doc, (p, _) in parsed.items() if p is not None and sizes[p] >= min_docs}
    name_words = {w for _, names in parsed.values() for w in names}
    documents = []
    for row in rows:
        if row["doc_id"] in labels:
            text = (corpus / "texts" / f"{row['doc_id']}.txt").read_text(encoding="utf-8")
            documents.append((row["doc_id"], text.split("\n", 1)[1] if "\n" in text else ""))
    facets = {"county": sorted({row["county"] for row in rows})}
    return documents, labels, name_words, facets


def preprocess(
    documents: Sequence[tuple[str, str]],
    facets: dict[str, list[str]],
    *,
    names: str,
    out: Path,
    units: str = "documents",
) -> tuple[Path, Any]:
    """The workflow's preprocessing (one shard) of ``documents``; returns units.tsv and
    the pipeline's lemmatiser."""
    from swedish_topics.bagofwords import build_corpus
    from swedish_topics.preprocess import TextPipeline, preprocess_shard

    cfg = workflow_config(corpus=str(RIKSDAG))["preprocess"]
    cfg = {
        **cfg,
        "names": {**cfg.get("names", {}), "remove": names},
        "units": {**cfg["units"], "mode": units},
    }
    values = [v for vs in facets.values() for v in vs]
    shard, counts = out / "shard.jsonl", out / "shard.counts.json"
    splitter = None
    if units == "paragraphs":  # long paragraphs are split at Punkt's sentences
        from swedish_topics.sentences import SentenceSplitter, sample_ids, train_punkt

        sent = cfg["sentences"]
        n, seed = int(sent["sample_documents"]), int(sent["seed"])
        chosen = set(sample_ids([d for d, _ in documents], n, seed))
        texts = (text for doc_id, text in documents if doc_id in chosen)
        splitter = SentenceSplitter(train_punkt(texts, sample_documents=n, seed=seed))
    preprocess_shard(
        documents,
        config=cfg,
        facet_values=values,
        out_units=shard,
        out_counts=counts,
        sentences=splitter,
    )
    build_corpus([shard], [counts], config=cfg, out_dir=out / "preprocess", tables_dir=out)
    return out / "preprocess" / "units.tsv", TextPipeline(cfg, facet_values=values).lemmatizer


def masked_units(
    units_tsv: Path, name_words: Iterable[str], lemmatizer: Any
) -> tuple[list[str], list[list[str]], int]:
    """doc ids and lemmas of each unit without the leaking tokens, and how many were masked.

    A token leaks when it contains ``minister`` or ``statsråd``, or when a part of it (a
    phrase's parts are joined by "_") is a word of a minister's name or that word's lemma.
    """
    leaks = set()
    for word in name_words:
        lower = word.lower()
        if lower in COMMON_WORD_NAMES:
            continue
        leaks.update({lower, lemmatizer(lower)})
    doc_ids, texts, masked = [], [], 0
    with open(units_tsv, encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            _, doc_id, _, lemmas = line.rstrip("\n").split("\t")
            tokens = lemmas.split()
            kept = [
                t
                for t in tokens
                if not _LEAK.search(t) and not any(part in leaks for part in t.split("_"))
            ]
            masked += len(tokens) - len(kept)
            doc_ids.append(doc_id)
            texts.append(kept)
    return doc_ids, texts, masked


def write_corpus(texts: list[list[str]], out: Path) -> tuple[Path, Path, Any]:
    """corpus.mm and dictionary.txt of the masked units (every unit, in order)."""
    from gensim.corpora import Dictionary, MmCorpus

    dictionary = Dictionary(texts, prune_at=None)
    out.mkdir(parents=True, exist_ok=True)
    MmCorpus.serialize(str(out / "corpus.mm"), (dictionary.doc2bow(t) for t in texts))
    dictionary.save_as_text(str(out / "dictionary.txt"))
    return out / "corpus.mm", out / "dictionary.txt", dictionary


def fit_gensim_user(
    corpus_mm: Path, dictionary: Any, *, k: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """gensim ``LdaModel`` as a user runs it: ``passes=10``, the rest at the defaults."""
    from gensim.corpora import MmCorpus
    from gensim.models import LdaModel

    corpus = list(MmCorpus(str(corpus_mm)))
    model = LdaModel(corpus, num_topics=k, id2word=dictionary, passes=10, random_state=seed)
    theta = np.zeros((len(corpus), k))
    for i, bow in enumerate(corpus):
        for topic, weight in model.get_document_topics(bow, minimum_probability=0.0):
            theta[i, topic] = weight
    return model.get_topics(), theta


def import_topica() -> Any:
    """The ``topica`` module, or exit saying how to install it (it is not a dependency)."""
    try:
        import topica
    except ImportError as exc:
        raise SystemExit(
            "The topica variant needs topica, a bench-only package: pip install topica"
        ) from exc
    return topica


def fit_topica(
    texts: list[list[str]], dictionary: Any, k: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """``topica.LDA`` with its hyperparameter optimisation, at its defaults but 400 sweeps.

    topica's defaults: α sum = K (α_k = 1), β = 0.01, asymmetric α and β re-estimated
    every 50 sweeps after 200 burn-in sweeps, one thread (its exact, seed-deterministic
    sampler), φ and θ averaged over 5 snapshots 25 sweeps apart. The vocabulary is pinned
    to the gensim dictionary's id order, so the columns of φ are its ids; units without a
    token (topica drops them) get a uniform θ row (``evaluate`` leaves them out).
    """
    topica = import_topica()
    vocabulary = [dictionary[i] for i in range(len(dictionary))]
    corpus = topica.Corpus.from_documents(texts, vocabulary=vocabulary)
    model = topica.LDA(num_topics=k, seed=seed)
    model.fit(corpus, iters=TOPICA_SWEEPS, progress=False)
    if list(model.vocabulary) != vocabulary:
        raise RuntimeError("topica's vocabulary is not the dictionary's order")
    theta = np.full((len(texts), k), 1.0 / k)
    theta[np.asarray(corpus.kept_indices, dtype=int)] = model.doc_topic
    return np.asarray(model.topic_word), theta


def fit_workflow(
    corpus_mm: Path,
    dictionary_txt: Path,
    out: Path,
    *,
    n_units: int,
    k: int,
    seed: int,
    changes: dict[str, Any],
) -> tuple[np.ndarray, np.ndarray]:
    """The workflow's engine (``swedish_topics.lda.train_model``) with its held-out split."""
    from swedish_topics.lda import heldout_split, train_model

    cfg = workflow_config(corpus=str(RIKSDAG))["model"]
    model_cfg = {**cfg, **changes}
    held = heldout_split(n_units, fraction=cfg["heldout_fraction"], seed=cfg["heldout_seed"])
    result = train_model(
        corpus_mm,
        dictionary_txt,
        k=k,
        seed=seed,
        model_cfg=model_cfg,
        heldout=held,
        out_npz=out / "model.npz",
        out_json=out / "train.json",
        out_gensim_dir=None,
    )
    return result.arrays.topic_term, result.arrays.theta


def npmi(topic_term: np.ndarray, texts: list[list[str]], dictionary: Any) -> float:
    """Mean NPMI coherence of the top 10 words (the workflow's measure)."""
    from swedish_topics.coherence import coherence_many, top_word_ids

    scores = coherence_many(
        {"m": top_word_ids(topic_term, 10)},
        texts=texts,
        corpus=None,
        dictionary=dictionary,
        measures=["c_npmi"],
    )
    return float(np.mean(scores["m"]["c_npmi"]))


def evaluate(
    theta: np.ndarray,
    topic_term: np.ndarray,
    labels: list[str],
    texts: list[list[str]],
    dictionary: Any,
) -> dict[str, float]:
    """NMI of dominant topic vs label (documents with a token), NPMI, topics used."""
    from sklearn.metrics import normalized_mutual_info_score

    has_tokens = np.array([bool(t) for t in texts])
    dominant = theta.argmax(axis=1)[has_tokens]
    gold = np.asarray(labels)[has_tokens]
    return {
        "nmi": float(normalized_mutual_info_score(gold, dominant)),
        "npmi": npmi(topic_term, texts, dictionary),
        "topics_dominant": len(set(dominant.tolist())),
    }


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean, sd, min and max of NMI and NPMI per (preprocessing, variant)."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["preprocessing"], row["variant"]), []).append(row)
    out = []
    for (pre, variant), group in groups.items():
        entry: dict[str, Any] = {"preprocessing": pre, "variant": variant, "seeds": len(group)}
        for key in ("nmi", "npmi", "seconds"):
            values = [r[key] for r in group]
            entry[f"{key}_mean"] = round(statistics.fmean(values), 4)
            entry[f"{key}_sd"] = round(statistics.stdev(values), 4) if len(values) > 1 else 0.0
            entry[f"{key}_min"] = round(min(values), 4)
            entry[f"{key}_max"] = round(max(values), 4)
        out.append(entry)
    return out


def write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def main(argv: Sequence[str] | None = None) -> int:
    global RIKSDAG  # the corpus that workflow_config points at
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/bench_quality"))
    parser.add_argument("--corpus", type=Path, default=RIKSDAG_DEFAULT)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument(
        "--variants", nargs="+", default=["gensim", "tomotopy", "tomotopy_auto"], choices=VARIANTS
    )
    parser.add_argument(
        "--preprocessing",
        nargs="+",
        default=["persons", "none"],
        choices=["persons", "none"],
        help="names filter on (persons, the new default) and/or off (none, as before)",
    )
    parser.add_argument(
        "--baseline-only-off",
        action="store_true",
        help="without the names filter, run only the tomotopy variant (the preprocessing gain)",
    )
    parser.add_argument(
        "--resume", action="store_true", help="keep the models of --out/models.csv, fit the rest"
    )
    parser.add_argument(
        "--units",
        default="documents",
        choices=["documents", "paragraphs"],
        help="paragraphs: the corpus of short units (60-250 tokens) that the workflow's "
        "default makes, each labelled with its document's portfolio",
    )
    args = parser.parse_args(argv)
    RIKSDAG = args.corpus
    if any(VARIANTS[v][0] == "topica" for v in args.variants):
        import_topica()  # before the preprocessing, not after it
    logging.basicConfig(level=logging.WARNING, format="%(name)s: %(message)s")
    started = time.perf_counter()
    documents, labels, name_words, facets = label_corpus(args.corpus)
    logger.warning(
        "%d documents with a portfolio (%d portfolios), %d name words",
        len(documents),
        len(set(labels.values())),
        len(name_words),
    )
    rows: list[dict[str, Any]] = []
    if args.resume and (args.out / "models.csv").exists():
        with open(args.out / "models.csv", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for key in ("k", "seed", "topics_dominant"):
                    row[key] = int(row[key])
                for key in ("nmi", "npmi", "seconds"):
                    row[key] = float(row[key])
                rows.append(row)
    done = {(r["preprocessing"], r["variant"], r["k"], r["seed"]) for r in rows}
    for pre in args.preprocessing:
        out = args.out / pre
        out.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        units_tsv, lemmatizer = preprocess(documents, facets, names=pre, out=out, units=args.units)
        doc_ids, texts, masked = masked_units(units_tsv, name_words, lemmatizer)
        corpus_mm, dictionary_txt, dictionary = write_corpus(texts, out / "masked")
        unit_labels = [labels[d] for d in doc_ids]
        logger.warning(
            "%s: preprocessed %d units in %.1f s, %d tokens masked, %d terms",
            pre,
            len(texts),
            time.perf_counter() - t0,
            masked,
            len(dictionary),
        )
        variants = args.variants
        if pre == "none" and args.baseline_only_off:
            variants = [v for v in variants if v == "tomotopy"]
        for variant in variants:
            engine, changes = VARIANTS[variant]
            for seed in args.seeds:
                if (pre, variant, args.k, seed) in done:
                    continue
                t0 = time.perf_counter()
                if engine == "gensim_user":
                    topic_term, theta = fit_gensim_user(corpus_mm, dictionary, k=args.k, seed=seed)
                elif engine == "topica":
                    topic_term, theta = fit_topica(texts, dictionary, args.k, seed)
                else:
                    model_dir = out / "models" / f"{variant}_s{seed}"
                    model_dir.mkdir(parents=True, exist_ok=True)
                    topic_term, theta = fit_workflow(
                        corpus_mm,
                        dictionary_txt,
                        model_dir,
                        n_units=len(texts),
                        k=args.k,
                        seed=seed,
                        changes=changes,
                    )
                seconds = time.perf_counter() - t0
                row = {
                    "preprocessing": pre,
                    "variant": variant,
                    "k": args.k,
                    "seed": seed,
                    **evaluate(theta, topic_term, unit_labels, texts, dictionary),
                    "seconds": round(seconds, 1),
                }
                rows.append(row)
                print(json.dumps(row), flush=True)
                write_rows(args.out / "models.csv", rows)
    summary = summarise(rows)
    write_rows(args.out / "summary.csv", summary)
    for entry in summary:
        print(
            f"{entry['preprocessing']:8s} {entry['variant']:24s} NMI {entry['nmi_mean']:.3f} "
            f"± {entry['nmi_sd']:.3f} [{entry['nmi_min']:.3f}, {entry['nmi_max']:.3f}]  "
            f"NPMI {entry['npmi_mean']:.3f} ± {entry['npmi_sd']:.3f}  "
            f"{entry['seconds_mean']:.0f} s/model"
        )
    print(f"total {time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
