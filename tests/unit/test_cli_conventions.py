"""Every command keeps the conventions of docs/cli.md (helpline/output.py): one --format choice, one meaning of
--region, generated files under build/, exit 2 with one line for an unknown country. A new command that breaks
one of them turns this red."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from helpline.cli import app

runner = CliRunner()
ROOT = typer.main.get_command(app)


def _leaves(group, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    found: dict[tuple[str, ...], object] = {}
    for name, command in group.commands.items():
        path = (*prefix, name)
        found |= _leaves(command, path) if hasattr(command, "commands") else {path: command}
    return found


COMMANDS = _leaves(ROOT)
# the choices --format offers where they differ from text|json, and why
FORMATS = {
    ("lint",): ["text", "json", "sarif"],  # SARIF 2.1.0 for CI annotations
    ("audit", "export"): ["csv", "json"],  # the records themselves (json: JSON Lines), not a result
}
# where --out may default outside build/, and why
OUT_HOMES = {("new-country",): "countries"}  # the country file a person edits and commits


def _option(command, name: str):
    return next((p for p in command.params if name in p.opts), None)


def _choices(path: tuple[str, ...]) -> list[str]:
    """What the command says when --format is given a value it does not know (exit 2)."""
    result = runner.invoke(app, [*path, "--format", "bogus"])
    assert result.exit_code == 2, result.output
    flat = re.sub(r"[\s│]+", " ", result.output)
    said = re.search(r"'bogus'(?: is not one of|: choose) (.*?)\.? ╰", flat)
    assert said, flat
    return re.findall(r"\w+", said.group(1).replace(" or ", " "))


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_command_prints_text_or_one_json_document(path):
    assert _option(COMMANDS[path], "--format") is not None, "a command that prints results offers --format"
    assert _choices(path) == FORMATS.get(path, ["text", "json"])


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_region_is_always_an_aws_region(path):
    names = {o for p in COMMANDS[path].params for o in p.opts if "region" in o}
    assert names <= {"--region", "--country-regions"}, names
    region = _option(COMMANDS[path], "--region")
    if region is not None:
        assert "AWS Region" in (region.help or ""), region.help


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_generated_files_go_under_build_by_default(path):
    out = _option(COMMANDS[path], "--out")
    if out is None or out.default is None:  # writes nothing, or to standard output unless asked
        return
    home = Path(OUT_HOMES.get(path, "build"))
    default = Path(out.default)
    assert home in (default, *default.parents) or default.name == home.name, default


COUNTRY_COMMANDS = {
    ("validate",): [],
    ("lint",): [],
    ("call",): ["--lang", "uk", "--press", "0"],
    ("diagram",): [],
    ("prompts",): [],
    ("review",): ["--no-pictures"],
    ("cost",): [],
    ("survey-report",): ["--state", "."],
    ("surge",): ["--calls", "1"],
    ("upgrade-country",): [],
    ("deploy",): ["--dry-run"],
}


@pytest.mark.parametrize("path", sorted(COUNTRY_COMMANDS), ids=" ".join)
def test_an_unknown_country_is_bad_input_one_line_exit_2(path):
    result = runner.invoke(app, [*path, "zz", *COUNTRY_COMMANDS[path]])
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and "zz" in result.stderr
