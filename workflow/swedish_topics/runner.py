"""Run a rule's work with logging set up and user errors reported plainly.

Rule scripts are thin: they hand a function and the rule's log path to :func:`run`.
A :class:`~swedish_topics.errors.UserError` is written to the log and to standard
error as its one-paragraph message (no traceback) and the process exits with status 1;
any other exception is logged with its traceback and re-raised.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

from swedish_topics.errors import UserError

logger = logging.getLogger(__name__)

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(log_path: str | os.PathLike[str] | None, *, level: int = logging.INFO) -> None:
    """Send log records to ``log_path`` (if given) and warnings and errors to stderr."""
    root = logging.getLogger()
    root.handlers.clear()
    root.setLevel(level)
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
        handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(handler)
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    root.addHandler(console)
    logging.captureWarnings(True)
    # gensim logs every chunk at INFO; our own modules log the progress that matters.
    logging.getLogger("gensim").setLevel(logging.WARNING)


def run(func: Callable[[], None], log_path: str | os.PathLike[str] | None) -> None:
    """Call ``func`` with logging to ``log_path``; turn a UserError into exit status 1."""
    setup_logging(log_path)
    try:
        func()
    except UserError as err:
        logger.error("%s", err)
        sys.exit(1)
    except Exception:
        logger.exception("unexpected error; please report it with this log")
        raise
