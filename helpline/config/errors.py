"""The one error a country file's problem becomes: :class:`ConfigError`, one line for the user.

Raised by every part of :mod:`helpline.config` (reading the files, the format check, the schema's
messages, the rules); it imports nothing of them, so each can raise it.
"""

from __future__ import annotations


class ConfigError(Exception):
    """A country file is wrong. ``str(err)`` is the one-line message for the user."""

    def __init__(self, file: str, field: str, problem: str, fix: str = ""):
        self.file, self.field, self.problem, self.fix = file, field, problem, fix
        self.all: list[ConfigError] = [self]  # every problem found with this one (see helpline.config.gate)
        where = f"{file}: {field}" if field else file
        text = f"{where}: {problem}"
        if fix and "fix:" not in problem:
            text += f"; fix: {fix}"
        super().__init__(text)
