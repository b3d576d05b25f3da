"""Intrusion tasks, the coding sample and their scoring, proven on sheets with known answers."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from swedish_topics import coding
from swedish_topics import io as sio
from swedish_topics.coding.__main__ import main as cli
from swedish_topics.coding.intrusion import N_TOP_WORDS


def _model(k: int = 4, v: int = 40, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """Topics with disjoint blocks of probable words (block of 10 each) plus noise."""
    rng = np.random.default_rng(seed)
    tt = rng.uniform(0.0001, 0.001, (k, v))
    for t in range(k):
        tt[t, t * 10 : t * 10 + 10] = np.linspace(0.2, 0.05, 10)
    tt /= tt.sum(axis=1, keepdims=True)
    return tt, [f"ord{i}" for i in range(v)]


def _theta(n: int = 24, k: int = 4, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).dirichlet(np.full(k, 0.5), size=n).astype(np.float32)


# ------------------------------------------------------------------------- the tasks
def test_word_task_holds_five_top_words_and_an_improbable_top_word_of_another_topic() -> None:
    tt, vocab = _model()
    tasks = coding.word_intrusion_tasks(tt, vocab, seed=3, tasks_per_topic=2)
    assert [t.topic for t in tasks] == [1, 1, 2, 2, 3, 3, 4, 4]
    for task in tasks:
        top = {vocab[i] for i in np.argsort(-tt[task.topic - 1])[:N_TOP_WORDS]}
        intruder = task.words[task.intruder]
        assert set(task.words) - {intruder} == top and intruder not in top
        j = vocab.index(intruder)
        assert tt[task.topic - 1, j] < np.median(tt[task.topic - 1])
        assert j in np.argsort(-tt[task.intruder_topic - 1])[:10]
        assert task.intruder_topic != task.topic
    # Seeded: same seed, same tasks; another seed moves the intruders or the order.
    assert coding.word_intrusion_tasks(tt, vocab, seed=3, tasks_per_topic=2) == tasks
    assert coding.word_intrusion_tasks(tt, vocab, seed=4, tasks_per_topic=2) != tasks


def test_topic_task_shows_three_most_probable_topics_and_an_improbable_one() -> None:
    theta = _theta(k=8)
    units = coding.choose_passages(theta, [50] * len(theta), seed=1, per_topic=2)
    tasks = coding.topic_intrusion_tasks(
        theta,
        units,
        unit_ids=[f"u{u}" for u in units],
        doc_ids=["d"] * len(units),
        texts=["text"] * len(units),
        seed=1,
    )
    assert len(tasks) == len(units) > 0
    for task, u in zip(tasks, units, strict=True):
        order = np.argsort(-theta[u])
        shown = {t - 1 for j, t in enumerate(task.topics) if j != task.intruder}
        assert shown == set(order[:3].tolist())
        intruder = task.topics[task.intruder] - 1
        assert intruder in order[3 + (len(order) - 3) // 2 :].tolist()
        assert task.theta[task.intruder] == pytest.approx(theta[u, intruder])


def test_a_passage_whose_other_topics_tie_with_the_shown_ones_gives_no_task() -> None:
    theta = np.array([[0.55, 0.15, 0.1, 0.1, 0.1], [0.5, 0.2, 0.15, 0.1, 0.05]])
    tasks = coding.topic_intrusion_tasks(
        theta, [0, 1], unit_ids=["a", "b"], doc_ids=["d", "d"], texts=["x", "y"], seed=1
    )
    assert [t.unit_id for t in tasks] == ["b"] and tasks[0].task_id == "T001"
    assert tasks[0].topics[tasks[0].intruder] == 5


def test_passages_come_from_the_units_each_topic_dominates() -> None:
    theta = _theta(n=60, k=4)
    units = coding.choose_passages(theta, [50] * 60, seed=2, per_topic=3)
    dominant = np.argmax(theta[units], axis=1).tolist()
    assert all(dominant.count(t) == 3 for t in range(4))
    assert units == coding.choose_passages(theta, [50] * 60, seed=2, per_topic=3)


# ------------------------------------------------------------------------ statistics
def test_krippendorff_alpha_matches_the_textbook_example() -> None:
    # Krippendorff (2011), "Computing Krippendorff's alpha-reliability", nominal example:
    # 4 coders, 12 units, missing values; alpha = 0.743.
    n = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    assert coding.krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)
    assert coding.krippendorff_alpha([[1, 2, 3, 1], [1, 2, 3, 1]]) == 1.0
    # Two coders, two units, complete disagreement in a 2x2 pattern: alpha below 0.
    assert coding.krippendorff_alpha([[1, 2], [2, 1]]) < 0
    assert math.isnan(coding.krippendorff_alpha([[1, 1], [1, 1]]))


def test_cohen_kappa_equals_scikit_learn() -> None:
    rng = np.random.default_rng(5)
    for _ in range(20):
        a = rng.integers(0, 4, 30).tolist()
        b = [x if rng.random() < 0.6 else int(rng.integers(0, 4)) for x in a]
        assert coding.cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b))
    assert coding.accuracy([1, 2, 3, 4], [1, 2, 0, 0]) == 0.5


# -------------------------------------------------------------- sheets and their scores
def _write(path: Path, rows: list[dict], columns: list[str], *, delimiter: str = ",") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8-sig" if delimiter == ";" else "utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns, delimiter=delimiter, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture()
def run(tmp_path: Path) -> Path:
    """A results folder with intrusion sheets and keys written as the workflow does."""
    tt, vocab = _model()
    theta = _theta(n=40, k=4)
    words = coding.word_intrusion_tasks(tt, vocab, seed=1, tasks_per_topic=2)
    units = coding.choose_passages(theta, [50] * 40, seed=1, per_topic=2)
    topics = coding.topic_intrusion_tasks(
        theta,
        units,
        unit_ids=[f"u{u}" for u in units],
        doc_ids=["d"] * len(units),
        texts=["<b>text</b>"] * len(units),
        seed=1,
    )
    top = {t + 1: [vocab[i] for i in np.argsort(-tt[t])[:8]] for t in range(4)}
    sheet, key = coding.word_rows(words)
    sio.write_csv(tmp_path / "validation/word_intrusion.csv", sheet, coding.WORD_SHEET_COLUMNS)
    sio.write_csv(tmp_path / "validation/key/word_intrusion_key.csv", key, coding.WORD_KEY_COLUMNS)
    sheet, key = coding.topic_rows(topics, top)
    sio.write_csv(tmp_path / "validation/topic_intrusion.csv", sheet, coding.TOPIC_SHEET_COLUMNS)
    sio.write_csv(
        tmp_path / "validation/key/topic_intrusion_key.csv", key, coding.TOPIC_KEY_COLUMNS
    )
    sio.write_csv(
        tmp_path / "tables/topics.csv",
        [{"topic": t, "label": f"ämne {t}"} for t in range(1, 5)],
        ["topic", "label"],
    )
    return tmp_path


def _fill(run: Path, kind: str, name: str, answer) -> Path:
    """A coder's copy of a sheet with ``answer(sheet_row, key_row)`` in its answer column."""
    sheet = sio.read_csv(run / f"validation/{kind}_intrusion.csv")
    key = {r["task_id"]: r for r in sio.read_csv(run / f"validation/key/{kind}_intrusion_key.csv")}
    rows = [{**r, "answer": answer(r, key[r["task_id"]])} for r in sheet]
    return _write(run / "coders" / kind / f"{name}.csv", rows, list(sheet[0]))


def _right(row, key) -> str:
    return key["intruder_position"]


def _wrong(row, key) -> str:
    return str(int(key["intruder_position"]) % 4 + 1)  # another option (1..4 always exists)


def _scores(run: Path) -> dict[int, dict[str, str]]:
    return {int(r["topic"]): r for r in sio.read_csv(run / "tables/intrusion_scores.csv")}


def test_all_right_gives_precision_one_and_log_odds_zero(run: Path) -> None:
    word = [_fill(run, "word", c, _right) for c in ("anna", "bo")]
    topic = [_fill(run, "topic", c, _right) for c in ("anna", "bo")]
    args = ["score-intrusion", "--results", str(run), "--word", *map(str, word)]
    assert cli([*args, "--topic", *map(str, topic)]) == 0
    scores = _scores(run)
    assert [float(s["model_precision"]) for s in scores.values()] == [1.0] * 4
    assert [float(s["topic_log_odds"]) for s in scores.values()] == [0.0] * 4
    assert [s["label"] for s in scores.values()] == ["ämne 1", "ämne 2", "ämne 3", "ämne 4"]
    summary = {r["task"]: r for r in sio.read_csv(run / "tables/intrusion_summary.csv")}
    assert float(summary["word intrusion"]["krippendorff_alpha"]) == 1.0
    assert summary["word intrusion"]["n_answers"] == "16"
    assert (run / "figures/intrusion_scores.png").stat().st_size > 10_000
    assert (run / "tables/intrusion_scores.tex").exists()


def test_all_wrong_gives_precision_zero_and_the_exact_log_odds(run: Path) -> None:
    word = _fill(run, "word", "anna", _wrong)
    topic = _fill(run, "topic", "anna", _wrong)
    assert (
        cli(["score-intrusion", "--results", str(run), "--word", str(word), "--topic", str(topic)])
        == 0
    )
    scores = _scores(run)
    assert [float(s["model_precision"]) for s in scores.values()] == [0.0] * 4
    key = sio.read_csv(run / "validation/key/topic_intrusion_key.csv")
    expected: dict[int, list[float]] = {}
    for k in key:
        right, picked = int(k["intruder_position"]), int(k["intruder_position"]) % 4 + 1
        value = math.log(float(k[f"option_{right}_theta"])) - math.log(
            float(k[f"option_{picked}_theta"])
        )
        expected.setdefault(int(k["dominant_topic"]), []).append(value)
    for topic, values in expected.items():
        assert float(scores[topic]["topic_log_odds"]) == pytest.approx(np.mean(values), abs=1e-6)
        assert float(scores[topic]["topic_log_odds"]) < 0


def test_a_known_mix_gives_the_exact_precision_and_alpha(run: Path) -> None:
    # anna: right on topics 1 and 2, wrong on 3 and 4, leaves task 2 of topic 4 empty;
    # bo: right everywhere.
    def anna(row, key):
        if key["task_id"] == "W004-2":
            return ""
        return _right(row, key) if int(key["topic"]) <= 2 else _wrong(row, key)

    sheets = [_fill(run, "word", "anna", anna), _fill(run, "word", "bo", _right)]
    assert cli(["score-intrusion", "--results", str(run), "--word", *map(str, sheets)]) == 0
    scores = _scores(run)
    precision = [float(scores[t]["model_precision"]) for t in (1, 2, 3, 4)]
    assert precision == pytest.approx([1.0, 1.0, 0.5, 2 / 3], abs=1e-6)
    assert [scores[t]["word_answers"] for t in (1, 2, 3, 4)] == ["4", "4", "4", "3"]
    assert scores[1]["topic_log_odds"] == ""  # no topic sheet given
    # Alpha of the two coders' picks (task W004-2 has one value and is not pairable).
    key = {r["task_id"]: r for r in sio.read_csv(run / "validation/key/word_intrusion_key.csv")}
    tasks = sorted(key)
    a = [None if t == "W004-2" else int(anna(None, key[t])) for t in tasks]
    b = [int(key[t]["intruder_position"]) for t in tasks]
    summary = sio.read_csv(run / "tables/intrusion_summary.csv")[0]
    assert float(summary["krippendorff_alpha"]) == pytest.approx(
        coding.krippendorff_alpha([a, b]), abs=1e-6
    )
    assert float(summary["share_correct"]) == pytest.approx(12 / 15, abs=1e-6)


def test_sheets_saved_by_excel_are_read_and_words_accepted_as_answers(run: Path) -> None:
    sheet = sio.read_csv(run / "validation/word_intrusion.csv")
    key = {r["task_id"]: r for r in sio.read_csv(run / "validation/key/word_intrusion_key.csv")}
    rows = [{**r, "answer": key[r["task_id"]]["intruder_word"].upper()} for r in sheet]
    path = _write(run / "coders/excel.csv", rows, list(sheet[0]), delimiter=";")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert cli(["score-intrusion", "--results", str(run), "--word", str(path)]) == 0
    assert [float(s["model_precision"]) for s in _scores(run).values()] == [1.0] * 4


def test_a_bad_answer_names_file_line_and_column(run: Path, caplog) -> None:
    def bad(row, key):
        return "7" if key["task_id"] == "W002-1" else ""

    path = _fill(run, "word", "cecilia", bad)
    assert cli(["score-intrusion", "--results", str(run), "--word", str(path)]) == 1
    message = caplog.text
    assert f"{path} line 4, column 8 ('answer')" in message
    assert "'7' is not an answer" in message and "1 to 6" in message


# --------------------------------------------------------------------- hand coding
def test_coding_sample_covers_every_dominant_topic_and_every_small_group() -> None:
    theta = _theta(n=50, k=4, seed=3).astype(float)
    towns = ["A"] * 40 + ["B"] * 8 + ["C"] * 2
    picks = coding.stratified_sample(theta, {"town": towns}, size=8, seed=1)
    assert len(picks) == len(set(picks)) == 8
    assert set(np.argmax(theta[picks], axis=1).tolist()) == {0, 1, 2, 3}
    assert {towns[i] for i in picks} == {"A", "B", "C"}
    assert picks == coding.stratified_sample(theta, {"town": towns}, size=8, seed=1)
    assert picks != coding.stratified_sample(theta, {"town": towns}, size=8, seed=2)
    assert len(coding.stratified_sample(theta, {"town": towns}, size=500, seed=1)) == 50


def _coding_run(tmp_path: Path) -> tuple[Path, list[int]]:
    dominant = [1, 1, 2, 2, 3, 3, 4, 4, 1, 2]
    key = [
        {"sample_id": f"S{i:04d}", "doc_id": f"d{i}", "dominant_topic": t}
        for i, t in enumerate(dominant, start=1)
    ]
    sio.write_csv(tmp_path / "validation/key/coding_sample_key.csv", key, coding.CODING_KEY_COLUMNS)
    sio.write_csv(
        tmp_path / "tables/topics.csv",
        [{"topic": t, "label": "x"} for t in range(1, 5)],
        ["topic", "label"],
    )
    return tmp_path, dominant


def _codes(tmp_path: Path, name: str, codes: list) -> Path:
    rows = [
        {"sample_id": f"S{i:04d}", "doc_id": f"d{i}", "text": "<i>t</i>", "code": c}
        for i, c in enumerate(codes, start=1)
    ]
    return _write(tmp_path / f"{name}.csv", rows, coding.CODING_SHEET_COLUMNS)


def test_coding_scores_all_right_all_wrong_and_a_known_mix(tmp_path: Path) -> None:
    run, dominant = _coding_run(tmp_path)
    right = _codes(run, "right", dominant)
    wrong = _codes(run, "wrong", [t % 4 + 1 for t in dominant])
    mix = [1, 2, 2, 2, 3, 0, 4, 4, "", 2]
    mixed = _codes(run, "mix", mix)
    assert cli(["score-coding", "--results", str(run), str(right), str(wrong), str(mixed)]) == 0
    scores = {r["coder"]: r for r in sio.read_csv(run / "tables/coding_scores.csv")}
    assert (
        float(scores["right"]["accuracy"]) == 1.0 and float(scores["right"]["cohen_kappa"]) == 1.0
    )
    assert float(scores["wrong"]["accuracy"]) == 0.0
    coded = [(int(c), d) for c, d in zip(mix, dominant, strict=True) if c != ""]
    assert scores["mix"]["n_coded"] == "9" and scores["mix"]["n_agree"] == "7"
    assert float(scores["mix"]["accuracy"]) == pytest.approx(7 / 9, abs=1e-6)
    kappa = cohen_kappa_score([c for c, _ in coded], [d for _, d in coded])
    assert float(scores["mix"]["cohen_kappa"]) == pytest.approx(kappa, abs=1e-6)
    assert "between coders" in scores
    confusion = {int(r["hand_code"]): r for r in sio.read_csv(run / "tables/coding_confusion.csv")}
    # Pooled over the three coders: 'right' puts every text on the diagonal, 'wrong' every
    # text one topic on (t -> t % 4 + 1), the mix codes text 2 (topic 1) as 2 and text 6
    # (topic 3) as 0, and leaves text 9 uncoded.
    assert confusion[0]["model_3"] == "1"
    assert confusion[2]["model_1"] == "4"  # wrong: texts 1, 2, 9; mix: text 2
    assert confusion[1]["model_1"] == "4"  # right: texts 1, 2, 9; mix: text 1
    assert confusion[3]["model_3"] == "3"  # right: 5, 6; mix: 5
    total = sum(int(v) for r in confusion.values() for k, v in r.items() if k != "hand_code")
    assert total == 10 + 10 + 9


def test_a_code_outside_the_topics_is_refused(tmp_path: Path, caplog) -> None:
    run, dominant = _coding_run(tmp_path)
    path = _codes(run, "bad", [9, *dominant[1:]])
    assert cli(["score-coding", "--results", str(run), str(path)]) == 1
    assert f"{path} line 2, column 4 ('code')" in caplog.text and "1 to 4" in caplog.text


def test_methods_paragraph_is_filled_in_from_the_scores_once_they_exist(run: Path) -> None:
    from swedish_topics.config import load_config
    from swedish_topics.methods import validation_paragraph
    from swedish_topics.pipeline.validation import validation_facts

    cfg = load_config({})
    before = validation_paragraph(validation_facts(run, cfg))
    assert "drew 8 word-intrusion tasks" in before and "not been scored yet" in before
    sheets = [_fill(run, "word", c, _right) for c in ("anna", "bo")]
    assert cli(["score-intrusion", "--results", str(run), "--word", *map(str, sheets)]) == 0
    after = validation_paragraph(validation_facts(run, cfg))
    assert "2 coder(s) gave 16 word-intrusion answers; mean model precision was 1.00" in after
    assert "Krippendorff's α between coders 1.00" in after and "not been scored yet" not in after
