"""Live test cases: the offline scenarios as Amazon Connect test cases, and ``helpline smoke-test``.

- :mod:`helpline.livetest.export`: scenario -> Testing-language document, and the
  ``AWS::Connect::TestCase`` properties a country stack deploys (:func:`test_case_resources`);
- :mod:`helpline.livetest.smoke`: start the deployed test cases, poll, print a pass/fail table
  (:func:`command` is the typer command ``helpline smoke-test``).
"""

from __future__ import annotations

from helpline.livetest.export import test_case_resources
from helpline.livetest.smoke import command

__all__ = ["command", "test_case_resources"]
