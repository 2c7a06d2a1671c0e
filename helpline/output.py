"""What every command shares: the ``--format`` choice, the exit codes, where generated files go, progress bars.

The conventions (docs/cli.md):

* ``--format text`` (default, for people) or ``--format json`` (one JSON document on standard output, for
  scripts) on every command that prints results; ``helpline lint`` adds ``sarif``.
* Exit codes: 0 ok, 1 findings (a check failed, a call was unsafe, something could not be done), 2 bad input (an
  unknown country, an unreadable file, an option value that makes no sense, an AWS account or stack that cannot be
  read: nothing was checked). Click's own usage errors are 2 too.
* ``--region`` is always an AWS Region. The country's own regions (``regions:`` in the country file) are
  ``--country-regions``.
* Generated files go under ``build/`` (ignored by git) unless ``--out`` says otherwise.
* Long work shows a rich progress bar on standard error, in a terminal only (a pipe or CI log stays clean).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

OK, FINDINGS, BAD_INPUT = 0, 1, 2
GENERATED = Path("build")  # every generated file's default home, relative to where the command runs


class Format(StrEnum):
    """What a command prints: text for people, json for scripts."""

    text = "text"
    json = "json"


class LintFormat(StrEnum):
    """The linter's formats: text and json as everywhere, SARIF 2.1.0 for CI annotations."""

    text = "text"
    json = "json"
    sarif = "sarif"


FORMAT_HELP = "text (default) or json (one JSON document on standard output)."
FormatOpt = Annotated[Format, typer.Option("--format", help=FORMAT_HELP, case_sensitive=False)]
LintFormatOpt = Annotated[
    LintFormat, typer.Option("--format", help="text (default), json or sarif (SARIF 2.1.0).", case_sensitive=False)
]


def generated(kind: str) -> Path:
    """The default folder for one kind of generated file: ``build/<kind>`` (ignored by git)."""
    return GENERATED / kind


def print_json(data: Any) -> None:
    """One JSON document on standard output (non-ASCII kept: texts in Arabic or Ukrainian stay readable)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


def bad_input(message: str) -> NoReturn:
    """One line on standard error and exit 2: the input, not the thing checked, is wrong."""
    print(message, file=sys.stderr)
    raise typer.Exit(BAD_INPUT)


def exit_with(findings: bool) -> None:
    """Exit 1 when there are findings; return (exit 0) otherwise."""
    if findings:
        raise typer.Exit(FINDINGS)


@contextmanager
def progress_bar(console: Console, description: str, total: int | None = None) -> Iterator[Progress]:
    """A transient progress bar on ``console``; shown in a terminal only. Yields the Progress with one task
    (``TaskID(0)``): ``bar.advance(TaskID(0))`` per unit of work, ``bar.update(TaskID(0), description=...)`` to say
    what is running."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as bar:
        bar.add_task(description, total=total)
        yield bar
