"""The files of validation: coders' sheets, keys kept apart, and the scores.

Layout under the results folder::

    validation/word_intrusion.csv       coder's sheet: task_id, word_1..word_6, answer
    validation/topic_intrusion.csv      coder's sheet: task_id, passage, option_1..4, answer
    validation/coding_sample.csv        coder's sheet: sample_id, doc_id, text, code
    validation/intrusion_form.html      printable form of both intrusion sheets
    validation/coding_form.html         printable codebook and texts
    validation/key/*.csv                the answers and the model's labels (do not share)
    tables/intrusion_scores.csv (.tex, .md), tables/intrusion_summary.csv
    tables/coding_scores.csv, tables/coding_confusion.csv (.tex, .md)
    figures/intrusion_scores.pdf, .png

The scoring functions here are what ``python -m swedish_topics.coding`` runs.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from swedish_topics import io as sio
from swedish_topics.coding.intrusion import TopicTask, WordTask
from swedish_topics.coding.scoring import (
    N_TOPIC_OPTIONS,
    N_WORD_OPTIONS,
    read_answers,
    read_codes,
    score_coding,
    score_topic_intrusion,
    score_word_intrusion,
)
from swedish_topics.coding.sheets import SheetError, read_sheet

logger = logging.getLogger(__name__)

PathLike = str | Path

WORD_SHEET_COLUMNS = ["task_id", *(f"word_{j}" for j in range(1, N_WORD_OPTIONS + 1)), "answer"]
WORD_KEY_COLUMNS = ["task_id", "topic", "intruder_position", "intruder_word", "intruder_topic"]
TOPIC_SHEET_COLUMNS = [
    "task_id",
    "passage",
    *(f"option_{j}" for j in range(1, N_TOPIC_OPTIONS + 1)),
    "answer",
]
TOPIC_KEY_COLUMNS = [
    "task_id",
    "unit_id",
    "doc_id",
    "dominant_topic",
    "intruder_position",
    "intruder_topic",
    *(f"option_{j}_topic" for j in range(1, N_TOPIC_OPTIONS + 1)),
    *(f"option_{j}_theta" for j in range(1, N_TOPIC_OPTIONS + 1)),
]
CODING_SHEET_COLUMNS = ["sample_id", "doc_id", "text", "code"]
CODING_KEY_COLUMNS = ["sample_id", "doc_id", "dominant_topic", "dominant_weight", "strata"]
INTRUSION_SCORE_COLUMNS = [
    "topic",
    "label",
    "word_tasks",
    "word_answers",
    "word_correct",
    "model_precision",
    "topic_tasks",
    "topic_answers",
    "topic_correct",
    "topic_log_odds",
]
SUMMARY_COLUMNS = [
    "task",
    "n_coders",
    "n_tasks",
    "n_answers",
    "share_correct",
    "chance",
    "score",
    "mean_score",
    "krippendorff_alpha",
]
CODING_SCORE_COLUMNS = [
    "coder",
    "n_coded",
    "n_agree",
    "accuracy",
    "cohen_kappa",
    "krippendorff_alpha",
]


def word_rows(tasks: Sequence[WordTask]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The coder's rows and the key rows of word-intrusion tasks."""
    sheet = [
        {"task_id": t.task_id, **{f"word_{j + 1}": w for j, w in enumerate(t.words)}} for t in tasks
    ]
    key = [
        {
            "task_id": t.task_id,
            "topic": t.topic,
            "intruder_position": t.intruder + 1,
            "intruder_word": t.words[t.intruder],
            "intruder_topic": t.intruder_topic,
        }
        for t in tasks
    ]
    return sheet, key


def topic_rows(
    tasks: Sequence[TopicTask], topic_words: Mapping[int, Sequence[str]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The coder's rows and the key rows of topic-intrusion tasks."""
    sheet, key = [], []
    for t in tasks:
        row: dict[str, Any] = {"task_id": t.task_id, "passage": t.text}
        krow: dict[str, Any] = {
            "task_id": t.task_id,
            "unit_id": t.unit_id,
            "doc_id": t.doc_id,
            "dominant_topic": t.topics[max(range(len(t.theta)), key=lambda j: t.theta[j])],
            "intruder_position": t.intruder + 1,
            "intruder_topic": t.topics[t.intruder],
        }
        for j, (topic, theta) in enumerate(zip(t.topics, t.theta, strict=True), start=1):
            row[f"option_{j}"] = ", ".join(topic_words[topic])
            krow[f"option_{j}_topic"] = topic
            # Full precision: the topic log odds are computed from it.
            krow[f"option_{j}_theta"] = repr(float(theta))
        sheet.append(row)
        key.append(krow)
    return sheet, key


def _key(path: Path, id_column: str, required: Sequence[str]) -> dict[str, dict[str, str]]:
    if not path.is_file():
        raise SheetError(
            f"The key {path} does not exist. Score sheets against the results folder of the "
            "run that wrote them (--results), after the workflow has run."
        )
    sheet = read_sheet(path, [id_column, *required])
    return {row[id_column]: row for row in sheet.rows}


def _labels(results: Path) -> dict[int, str]:
    path = results / "tables" / "topics.csv"
    if not path.is_file():
        return {}
    return {int(r["topic"]): r["label"] for r in sio.read_csv(path)}


def _score_kind(
    results: Path, kind: str, sheets: Sequence[PathLike]
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Per-topic rows and the summary of one task type (``word`` or ``topic``)."""
    if kind == "word":
        required, n_options, option, score = (
            ["topic", "intruder_position"],
            N_WORD_OPTIONS,
            "word",
            score_word_intrusion,
        )
    else:
        required, n_options, option, score = (
            ["dominant_topic", "intruder_position"],
            N_TOPIC_OPTIONS,
            "option",
            score_topic_intrusion,
        )
    key = _key(results / "validation" / "key" / f"{kind}_intrusion_key.csv", "task_id", required)
    answers = {}
    for path in sheets:
        sheet = read_sheet(path, ["task_id", "answer"])
        answers[sheet.coder] = read_answers(sheet, key, n_options=n_options, option_column=option)
    return score(key, answers)


def score_intrusion_files(
    results: PathLike,
    *,
    word_sheets: Sequence[PathLike] = (),
    topic_sheets: Sequence[PathLike] = (),
    out_dir: PathLike | None = None,
) -> list[Path]:
    """Score filled-in intrusion sheets (one file per coder) and write the results.

    Writes ``tables/intrusion_scores.csv`` (+ ``.tex``, ``.md``: per topic),
    ``tables/intrusion_summary.csv`` (per task type, with Krippendorff's α) and
    ``figures/intrusion_scores.pdf``/``.png`` under ``out_dir`` (default: ``results``).
    Returns the files written.
    """
    results = Path(results)
    out = Path(out_dir) if out_dir is not None else results
    if not word_sheets and not topic_sheets:
        raise SheetError("No sheet given: name at least one filled-in word or topic sheet.")
    per_topic: dict[int, dict[str, Any]] = {}
    summaries = []
    for kind, sheets in (("word", word_sheets), ("topic", topic_sheets)):
        if sheets:
            rows, summary = _score_kind(results, kind, sheets)
            summaries.append(summary)
            for row in rows:
                per_topic.setdefault(row["topic"], {}).update(row)
    labels = _labels(results)
    table = [
        {**row, "topic": t, "label": labels.get(t, "")} for t, row in sorted(per_topic.items())
    ]
    scores_csv = out / "tables" / "intrusion_scores.csv"
    summary_csv = out / "tables" / "intrusion_summary.csv"
    sio.write_table(
        scores_csv,
        table,
        INTRUSION_SCORE_COLUMNS,
        "Intrusion tasks per topic: model precision (share of answers that found the "
        "intruder word; chance 1/6) and topic log odds (0 = the intruder topic was found).",
    )
    sio.write_csv(summary_csv, summaries, SUMMARY_COLUMNS)
    from swedish_topics.figures.validation import plot_intrusion_scores

    written = [scores_csv, summary_csv]
    written += plot_intrusion_scores(scores_csv, summary_csv, out / "figures" / "intrusion_scores")
    for s in summaries:
        logger.info(
            "%s: %d coder(s), %d answers, %s %.3f, Krippendorff's alpha %.3f",
            s["task"],
            s["n_coders"],
            s["n_answers"],
            s["score"],
            s["mean_score"],
            s["krippendorff_alpha"],
        )
    return written


def score_coding_files(
    results: PathLike, *, sheets: Sequence[PathLike], out_dir: PathLike | None = None
) -> list[Path]:
    """Score filled-in coding sheets (one per coder) against the model's dominant topics.

    Writes ``tables/coding_scores.csv`` and ``tables/coding_confusion.csv`` (each with
    ``.tex`` and ``.md``) under ``out_dir`` (default: ``results``); returns them.
    """
    results = Path(results)
    out = Path(out_dir) if out_dir is not None else results
    if not sheets:
        raise SheetError("No sheet given: name at least one filled-in coding_sample.csv.")
    key = _key(
        results / "validation" / "key" / "coding_sample_key.csv", "sample_id", ["dominant_topic"]
    )
    n_topics = len(_labels(results)) or max(int(r["dominant_topic"]) for r in key.values())
    codes = {}
    for path in sheets:
        sheet = read_sheet(path, ["sample_id", "code"])
        codes[sheet.coder] = read_codes(sheet, key, n_topics=n_topics)
    scores, confusion = score_coding(key, codes, n_topics=n_topics)
    scores_csv = out / "tables" / "coding_scores.csv"
    confusion_csv = out / "tables" / "coding_confusion.csv"
    sio.write_table(
        scores_csv,
        scores,
        CODING_SCORE_COLUMNS,
        "Hand codes against the model's dominant topic: accuracy and Cohen's kappa per "
        "coder; Krippendorff's alpha between coders.",
    )
    sio.write_table(
        confusion_csv,
        confusion,
        ["hand_code", *(f"model_{t}" for t in range(1, n_topics + 1))],
        "Texts by hand code (rows; 0 = none of the topics) and the model's dominant topic "
        "(columns), all coders pooled.",
    )
    pooled = next(r for r in scores if r["coder"] == "all coders")
    logger.info(
        "coding: %d codes, accuracy %.3f, Cohen's kappa %.3f",
        pooled["n_coded"],
        pooled["accuracy"],
        pooled["cohen_kappa"],
    )
    return [scores_csv, confusion_csv]
