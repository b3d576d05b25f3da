"""Scoring coders' sheets against the key: intrusion tasks and the hand-coding sample.

Word intrusion (Chang et al. 2009): a topic's *model precision* is the share of answers
that pick its intruder word (chance: 1/6). Topic intrusion: each answer scores
``log θ(intruder) − log θ(picked topic)`` for the passage, 0 when the intruder was picked
and negative otherwise; a topic's *topic log odds* is the mean over the answers to
passages it dominates. Agreement between coders on the same tasks is Krippendorff's α
(nominal) over the options they picked.

Hand coding: each coder's codes (topic numbers, 0 for "none of them") against the
dominant topics of the model: accuracy, Cohen's κ, and a confusion table.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from swedish_topics.coding.sheets import Sheet, SheetError
from swedish_topics.coding.statistics import (
    accuracy,
    cohen_kappa,
    confusion_table,
    krippendorff_alpha,
)

#: Options shown in a word-intrusion task (five top words and the intruder).
N_WORD_OPTIONS = 6
#: Options shown in a topic-intrusion task (three probable topics and the intruder).
N_TOPIC_OPTIONS = 4
#: Floor of a proportion in the topic log odds (a model may store an exact 0).
THETA_FLOOR = 1e-12

Answers = dict[str, dict[str, int]]  # coder -> task_id -> picked option (1-based)


def _where(sheet: Sheet, index: int, column: str) -> str:
    return (
        f"{sheet.path} line {sheet.lines[index]}, column {sheet.column_number(column)} ({column!r})"
    )


def read_answers(
    sheet: Sheet,
    key: Mapping[str, Mapping[str, str]],
    *,
    n_options: int,
    option_column: str,
    answer_column: str = "answer",
) -> dict[str, int]:
    """The option each task of a sheet was answered with (unanswered tasks left out).

    An answer is the option's number (1 to ``n_options``) or the option's text itself
    (e.g. the intruder word), case-insensitively.

    Raises
    ------
    SheetError
        For a task id not in the key, a task answered twice, or an answer that names no
        option, naming the file, line and column.
    """
    out: dict[str, int] = {}
    for i, row in enumerate(sheet.rows):
        task = row.get("task_id", "")
        if task not in key:
            raise SheetError(
                f"{_where(sheet, i, 'task_id')}: task {task!r} is not in the key. The sheet "
                "must come from the same run as the key (results/validation/key/); do not "
                "edit the task_id column."
            )
        if task in out:
            raise SheetError(
                f"{_where(sheet, i, 'task_id')}: task {task!r} appears twice. Keep one row "
                "per task."
            )
        value = row.get(answer_column, "")
        if not value:
            continue
        if value.isdigit() and 1 <= int(value) <= n_options:
            out[task] = int(value)
            continue
        texts = [row.get(f"{option_column}_{j}", "").casefold() for j in range(1, n_options + 1)]
        if value.casefold() in texts:
            out[task] = texts.index(value.casefold()) + 1
            continue
        raise SheetError(
            f"{_where(sheet, i, answer_column)}: {value!r} is not an answer. Write the number "
            f"(1 to {n_options}) of the {option_column.replace('_', ' ')} that does not belong"
            + (", or the word itself" if option_column == "word" else "")
            + ", or leave the cell empty to skip the task."
        )
    return out


def _alpha(answers: Answers, tasks: Sequence[str]) -> float:
    coders = sorted(answers)
    if len(coders) < 2:
        return math.nan
    return krippendorff_alpha([[answers[c].get(t) for t in tasks] for c in coders])


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else math.nan


def score_word_intrusion(
    key: Mapping[str, Mapping[str, str]], answers: Answers
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Model precision per topic and a summary (answers, share right, α between coders).

    Parameters
    ----------
    key
        ``task_id`` → key row (``topic``, ``intruder_position``).
    answers
        coder → ``task_id`` → picked position (1-based).

    Returns
    -------
    per_topic : list of dict
        ``topic, word_tasks, word_answers, word_correct, model_precision``.
    summary : dict
        ``task, n_coders, n_tasks, n_answers, share_correct, mean_score,
        krippendorff_alpha`` (``mean_score``: the mean of the topics' model precision).
    """
    by_topic: dict[int, list[bool]] = {}
    tasks_of: dict[int, int] = {}
    for task, row in key.items():
        topic = int(row["topic"])
        tasks_of[topic] = tasks_of.get(topic, 0) + 1
        by_topic.setdefault(topic, [])
        right = int(row["intruder_position"])
        for coder_answers in answers.values():
            if task in coder_answers:
                by_topic[topic].append(coder_answers[task] == right)
    per_topic = [
        {
            "topic": topic,
            "word_tasks": tasks_of[topic],
            "word_answers": len(hits),
            "word_correct": sum(hits),
            "model_precision": _mean([float(h) for h in hits]),
        }
        for topic, hits in sorted(by_topic.items())
    ]
    hits = [h for values in by_topic.values() for h in values]
    precisions = [r["model_precision"] for r in per_topic if r["word_answers"]]
    summary = {
        "task": "word intrusion",
        "n_coders": len(answers),
        "n_tasks": len(key),
        "n_answers": len(hits),
        "share_correct": _mean([float(h) for h in hits]),
        "score": "model precision",
        "mean_score": _mean(precisions),
        "chance": 1 / N_WORD_OPTIONS,
        "krippendorff_alpha": _alpha(answers, sorted(key)),
    }
    return per_topic, summary


def score_topic_intrusion(
    key: Mapping[str, Mapping[str, str]], answers: Answers
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Topic log odds per task's dominant topic and a summary.

    Parameters
    ----------
    key
        ``task_id`` → key row (``dominant_topic``, ``intruder_position``,
        ``option_<j>_theta``).
    answers
        coder → ``task_id`` → picked option (1-based).

    Returns
    -------
    per_topic : list of dict
        ``topic, topic_tasks, topic_answers, topic_correct, topic_log_odds``.
    summary : dict
        As for :func:`score_word_intrusion`, ``mean_score`` the mean topic log odds of all
        answers (Chang et al.'s model-level figure).
    """
    scores: dict[int, list[float]] = {}
    tasks_of: dict[int, int] = {}
    for task, row in key.items():
        topic = int(row["dominant_topic"])
        tasks_of[topic] = tasks_of.get(topic, 0) + 1
        scores.setdefault(topic, [])
        right = int(row["intruder_position"])
        log_theta = {
            j: math.log(max(float(row[f"option_{j}_theta"]), THETA_FLOOR))
            for j in range(1, N_TOPIC_OPTIONS + 1)
        }
        for coder_answers in answers.values():
            if task in coder_answers:
                scores[topic].append(log_theta[right] - log_theta[coder_answers[task]])
    per_topic = [
        {
            "topic": topic,
            "topic_tasks": tasks_of[topic],
            "topic_answers": len(values),
            "topic_correct": sum(v == 0.0 for v in values),
            "topic_log_odds": _mean(values),
        }
        for topic, values in sorted(scores.items())
    ]
    values = [v for vs in scores.values() for v in vs]
    summary = {
        "task": "topic intrusion",
        "n_coders": len(answers),
        "n_tasks": len(key),
        "n_answers": len(values),
        "share_correct": _mean([float(v == 0.0) for v in values]),
        "score": "topic log odds",
        "mean_score": _mean(values),
        "chance": 1 / N_TOPIC_OPTIONS,
        "krippendorff_alpha": _alpha(answers, sorted(key)),
    }
    return per_topic, summary


def read_codes(
    sheet: Sheet, key: Mapping[str, Mapping[str, str]], *, n_topics: int
) -> dict[str, int]:
    """A coder's codes by ``sample_id``: a topic number 1 to K, or 0 for "none of them"."""
    out: dict[str, int] = {}
    for i, row in enumerate(sheet.rows):
        sample = row.get("sample_id", "")
        if sample not in key:
            raise SheetError(
                f"{_where(sheet, i, 'sample_id')}: {sample!r} is not in the key of the coding "
                "sample (results/validation/key/coding_sample_key.csv). Use the sheet of the "
                "same run and do not edit the sample_id column."
            )
        value = row.get("code", "")
        if not value:
            continue
        if not value.isdigit() or int(value) > n_topics:
            raise SheetError(
                f"{_where(sheet, i, 'code')}: {value!r} is not a code. Write the number of the "
                f"topic (1 to {n_topics}) that fits the text best, 0 if none fits, or leave "
                "the cell empty to skip the text."
            )
        out[sample] = int(value)
    return out


def score_coding(
    key: Mapping[str, Mapping[str, str]], codes: Mapping[str, Mapping[str, int]], *, n_topics: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Hand codes against the model's dominant topics.

    Parameters
    ----------
    key
        ``sample_id`` → key row (``dominant_topic``).
    codes
        coder → ``sample_id`` → code (0 = none of the topics).
    n_topics
        K.

    Returns
    -------
    scores : list of dict
        One row per coder and one for all coders pooled: ``coder, n_coded, n_agree,
        accuracy, cohen_kappa``; then, with two or more coders, a row ``between coders``
        with ``krippendorff_alpha`` of the coders' codes.
    confusion : list of dict
        Pooled over coders: ``hand_code`` (0 = none) and one column ``model_<t>`` per
        dominant topic, counting the texts so coded.
    """
    rows: list[dict[str, Any]] = []
    pooled_hand: list[int] = []
    pooled_model: list[int] = []
    for coder in sorted(codes):
        samples = sorted(codes[coder])
        hand = [codes[coder][s] for s in samples]
        model = [int(key[s]["dominant_topic"]) for s in samples]
        pooled_hand += hand
        pooled_model += model
        rows.append(_coding_row(coder, hand, model))
    rows.append(_coding_row("all coders", pooled_hand, pooled_model))
    if len(codes) >= 2:
        samples = sorted(key)
        alpha = krippendorff_alpha([[codes[c].get(s) for s in samples] for c in sorted(codes)])
        rows.append({"coder": "between coders", "krippendorff_alpha": alpha})
    labels = list(range(n_topics + 1))
    table = confusion_table(pooled_hand, pooled_model, labels)
    confusion = [
        {"hand_code": label, **{f"model_{t}": table[label][t] for t in range(1, n_topics + 1)}}
        for label in labels
    ]
    return rows, confusion


def _coding_row(coder: str, hand: Sequence[int], model: Sequence[int]) -> dict[str, Any]:
    return {
        "coder": coder,
        "n_coded": len(hand),
        "n_agree": sum(h == m for h, m in zip(hand, model, strict=True)),
        "accuracy": accuracy(hand, model),
        "cohen_kappa": cohen_kappa(hand, model),
    }
