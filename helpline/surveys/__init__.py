"""Keypad surveys: ``helpline survey-report COUNTRY`` (from a ``--state DIR`` or a deployed stack)."""

from helpline.surveys.answers import TABLE_LOGICAL_ID, answers_from_stack, answers_from_state
from helpline.surveys.report_cli import DEFAULT_OUT, command

__all__ = ["DEFAULT_OUT", "TABLE_LOGICAL_ID", "answers_from_stack", "answers_from_state", "command"]
