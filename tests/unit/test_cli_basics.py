"""The command line fits its ecosystem: --version, and -h beside --help on every command."""

from __future__ import annotations

from importlib.metadata import version

import click
import pytest
import typer
from typer.testing import CliRunner

from helpline.cli import app

runner = CliRunner()


def test_version_prints_the_installed_version_and_exits_0():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"helpline {version('helpline-blueprint')}"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        found.append(path)
        if isinstance(command, click.Group):
            found += _commands(command, path)
    return found


COMMANDS = _commands(typer.main.get_command(app))


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_every_command_answers_dash_h_like_help(path):
    short, long = runner.invoke(app, [*path, "-h"]), runner.invoke(app, [*path, "--help"])
    assert short.exit_code == 0 and short.output == long.output
    assert "Usage:" in short.output
