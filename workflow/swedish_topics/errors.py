"""Errors a user can act on.

Each message is one paragraph that names the file, the line, column or byte, and the fix.
Rule scripts catch :class:`UserError`, log its message and exit with status 1, so a user
never sees a bare traceback for bad input.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or configuration, explained in one paragraph with the fix."""


class CorpusError(UserError):
    """A problem with the corpus folder, its texts or its metadata table."""


class ConfigError(UserError):
    """A problem with the configuration."""
