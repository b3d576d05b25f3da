"""Validation by human coders: intrusion tasks, a hand-coding sample, and their scoring.

Modules, one per question:

- :mod:`~swedish_topics.coding.intrusion`: word and topic intrusion tasks (Chang et al. 2009)
- :mod:`~swedish_topics.coding.sample`: a stratified, seeded sample of documents to code
- :mod:`~swedish_topics.coding.forms`: printable, offline HTML forms
- :mod:`~swedish_topics.coding.sheets`: reading the sheets coders fill in
- :mod:`~swedish_topics.coding.statistics`: accuracy, Cohen's κ, Krippendorff's α, confusion
- :mod:`~swedish_topics.coding.scoring`: model precision, topic log odds, coding scores
- :mod:`~swedish_topics.coding.files`: the sheets, keys and score tables on disk

Scoring from the command line (see ``python -m swedish_topics.coding --help``)::

    python -m swedish_topics.coding score-intrusion --results results \\
        --word anna_word.csv bo_word.csv --topic anna_topic.csv bo_topic.csv
    python -m swedish_topics.coding score-coding --results results anna.csv bo.csv
"""

from swedish_topics.coding.files import (
    CODING_KEY_COLUMNS,
    CODING_SHEET_COLUMNS,
    TOPIC_KEY_COLUMNS,
    TOPIC_SHEET_COLUMNS,
    WORD_KEY_COLUMNS,
    WORD_SHEET_COLUMNS,
    score_coding_files,
    score_intrusion_files,
    topic_rows,
    word_rows,
)
from swedish_topics.coding.forms import coding_form, intrusion_form
from swedish_topics.coding.intrusion import (
    TopicTask,
    WordTask,
    choose_passages,
    topic_intrusion_tasks,
    word_intrusion_tasks,
)
from swedish_topics.coding.sample import stratified_sample
from swedish_topics.coding.scoring import (
    read_answers,
    read_codes,
    score_coding,
    score_topic_intrusion,
    score_word_intrusion,
)
from swedish_topics.coding.sheets import Sheet, SheetError, read_sheet
from swedish_topics.coding.statistics import (
    accuracy,
    cohen_kappa,
    confusion_table,
    krippendorff_alpha,
)

__all__ = [
    "CODING_KEY_COLUMNS",
    "CODING_SHEET_COLUMNS",
    "TOPIC_KEY_COLUMNS",
    "TOPIC_SHEET_COLUMNS",
    "WORD_KEY_COLUMNS",
    "WORD_SHEET_COLUMNS",
    "Sheet",
    "SheetError",
    "TopicTask",
    "WordTask",
    "accuracy",
    "choose_passages",
    "coding_form",
    "cohen_kappa",
    "confusion_table",
    "intrusion_form",
    "krippendorff_alpha",
    "read_answers",
    "read_codes",
    "read_sheet",
    "score_coding",
    "score_coding_files",
    "score_intrusion_files",
    "score_topic_intrusion",
    "score_word_intrusion",
    "stratified_sample",
    "topic_intrusion_tasks",
    "topic_rows",
    "word_intrusion_tasks",
    "word_rows",
]
