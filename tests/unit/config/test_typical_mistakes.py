"""Ten typical mistakes in a country file: `helpline validate` answers each with one line that
names the YAML field and the fix (a warning where the choice may be deliberate), nothing else."""

from __future__ import annotations

import shutil

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import COUNTRIES_DIR
from tests.unit.config.test_country_files import _edit


@pytest.fixture
def countries(tmp_path, monkeypatch):
    """A private copy of countries/ that `helpline validate` reads."""
    folder = shutil.copytree(COUNTRIES_DIR, tmp_path / "countries", ignore=shutil.ignore_patterns("prompts"))
    monkeypatch.setenv("HELPLINE_COUNTRIES_DIR", str(folder))
    return folder


def _phone_partner(d) -> int:
    return next(i for i, p in enumerate(d["partners"]) if p["channel"]["type"] == "phone")


def _tab(folder) -> None:
    path = folder / "pl.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\n  time_zone:", "\n\ttime_zone:"), encoding="utf-8")


MISTAKES = {
    "wrong language code": (lambda d: d["languages"][0].update(code="ua"), "error", "languages[0].code"),
    "time written 8:00": (lambda d: d["hours"]["weekly"].update({"mon-fri": "8:00-20:00"}), "error", "hours.weekly"),
    "overlapping holidays": (
        lambda d: d["hours"]["closures"].append({"name": "Christmas Day", "date": "2026-12-25", "every_year": True}),
        "warning",
        "hours.closures[3]",
    ),
    "no emergency number": (lambda d: d.pop("emergency"), "error", "emergency.number"),
    "a partner without a number": (
        lambda d: d["partners"][_phone_partner(d)]["channel"].pop("address"),
        "error",
        "partners[1].channel.address",
    ),
    "duplicate menu digits": (lambda d: d["topics"][1].update(digit="1"), "error", "topics[1].digit"),
    "no regions": (lambda d: d.pop("regions"), "error", "regions"),
    "a non-EU Region for an EU country": (lambda d: d.update(region="us-east-1"), "error", "region"),
    "a tab in the YAML": (None, "error", "line {tab_line}"),
    "a text over 3,000 characters": (
        lambda d: d["topics"][0]["info"].update(ru="Информация. " * 300),
        "error",
        "topics[0].info.ru",
    ),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_each_typical_mistake_is_one_line_naming_the_field_and_the_fix(countries, mistake):
    change, kind, field = MISTAKES[mistake]
    lines = (countries / "pl.yaml").read_text(encoding="utf-8").splitlines()
    field = field.format(tab_line=1 + next(i for i, line in enumerate(lines) if line.startswith("  time_zone:")))
    if change is None:
        _tab(countries)
    else:
        _edit(countries, "pl", change)
    result = CliRunner().invoke(app, ["validate", "pl"])
    lines = [line for line in result.output.splitlines() if ".yaml: " in line]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("warning: ") == (kind == "warning") and f"pl.yaml: {field}: " in lines[0], lines[0]
    assert "fix:" in lines[0] and "Traceback" not in result.output
    # exit 1 for errors in a file's content; a tab is a YAML syntax error, a file that cannot be read: 2
    assert result.exit_code == (0 if kind == "warning" else 2 if mistake == "a tab in the YAML" else 1)
    assert ("pl: ok" in result.output) == (kind == "warning")
