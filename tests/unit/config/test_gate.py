"""`helpline validate` is the one gate: every content check synth, prompts and lint make, every
problem of a file in one report (errors and warnings), and app.py calls the same function."""

from __future__ import annotations

import shutil

import pytest
import yaml
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import COUNTRIES_DIR, load_country
from helpline.config.gate import CountryRefused, check_country
from helpline.config.messages import REQUIRED_MESSAGES
from helpline.config.rules import SAFE_EXIT_MESSAGES
from tests.unit.config.test_country_files import _edit


@pytest.fixture
def countries(tmp_path, monkeypatch):
    folder = shutil.copytree(COUNTRIES_DIR, tmp_path / "countries", ignore=shutil.ignore_patterns("prompts"))
    monkeypatch.setenv("HELPLINE_COUNTRIES_DIR", str(folder))
    return folder


def _validate(*codes: str):
    result = CliRunner().invoke(app, ["validate", *codes])
    return result, [line for line in result.output.splitlines() if ".yaml: " in line]


def test_the_shipped_countries_pass_the_gate_and_state_their_emergency_number():
    for code in ("pl", "hu", "ro"):
        report = check_country(code)
        assert report.errors == [] and report.warnings == []
        assert "emergency" in (COUNTRIES_DIR / f"{code}.yaml").read_text(encoding="utf-8")
        assert report.cfg.emergency.number == "112"


def test_there_is_no_default_emergency_number(countries):
    assert "number" not in yaml.safe_load((countries / "defaults.yaml").read_text(encoding="utf-8"))["emergency"]
    _edit(countries, "ro", lambda d: d.pop("emergency"))
    report = check_country("ro", countries_dir=countries)
    assert len(report.errors) == 1 and "ro.yaml: emergency.number: required field is missing" in report.errors[0]
    assert 'fix: add emergency: {number: "<digits>"}' in report.errors[0]


def test_the_safe_exit_messages_are_one_named_list_of_real_messages():
    assert set(SAFE_EXIT_MESSAGES) <= set(REQUIRED_MESSAGES)
    for key in ("goodbye", "closed", "queue_full", "callback_failed", "emergency_closed"):
        assert key in SAFE_EXIT_MESSAGES


def test_each_safe_text_without_the_emergency_number_is_named_in_one_report(countries):
    def drop(d):
        d["messages"] = {"uk": {"goodbye": "До побачення."}, "ru": {"closed": "Мы закрыты. Мы работаем {hours}."}}

    _edit(countries, "pl", drop)
    result, lines = _validate("pl")
    assert result.exit_code == 1  # findings: the file is YAML, its content is refused
    assert len(lines) == 2, result.output
    assert "pl.yaml: messages.uk.goodbye: does not say {emergency_number}" in lines[0]
    assert "pl.yaml: messages.ru.closed: does not say {emergency_number}" in lines[1]
    assert all(not line.startswith("warning") and "fix: add {emergency_number}" in line for line in lines)


def test_every_problem_of_a_file_is_listed_at_once(countries):
    def three(d):
        d["region"] = "us-east-1"
        d["topics"][1]["digit"] = "1"
        d["messages"] = {"ro": {"goodbye": "La revedere."}}

    _edit(countries, "ro", three)
    result, lines = _validate("ro", "pl")
    assert result.exit_code == 1 and "pl: ok" in result.output
    assert [line.split("ro.yaml: ")[1].split(":")[0] for line in lines] == [
        "region",
        "topics[1].digit",
        "messages.ro.goodbye",
    ]


def test_a_text_polly_cannot_speak_is_named_by_its_yaml_field(countries):
    _edit(countries, "ro", lambda d: d["messages"].setdefault("en", {}).update(welcome="Welcome. " * 400))
    _, lines = _validate("ro")
    assert len(lines) == 1 and "ro.yaml: messages.en.welcome: is 3,600 characters" in lines[0]
    assert "TextLengthExceededException" in lines[0] and "fix: shorten it" in lines[0]


def _turkish_operators(d: dict) -> None:
    """Turkish-speaking operators for pl's Ukrainian and Russian callers: a Polly language the project
    ships no guide labels for (helpline/guide/labels/), with the whisper texts it needs."""
    d["operators"] = {"language": "tr"}
    d.setdefault("messages", {})["tr"] = {
        "whisper_language": "Arayanın dili: {caller_language}.",
        "whisper_priority": "Öncelikli arama.",
        "whisper_returning": "Tekrar arayan, açık bir dosyası var.",
        "language_name_uk": "Ukraynaca",
        "language_name_ru": "Rusça",
    }


def test_an_operators_language_without_guide_labels_is_refused_by_validate(countries):
    _edit(countries, "pl", _turkish_operators)
    load_country("pl", countries_dir=countries)  # other tools still load it; the gate refuses it
    result, lines = _validate("pl")
    assert result.exit_code == 1 and len(lines) == 1
    assert "pl.yaml: operators.labels:" in lines[0] and "guide labels missing in Turkish" in lines[0]
    assert "(the project ships no guide labels in 'tr')" in lines[0]
    assert "fix: add them under operators.labels" in lines[0]


def test_overlapping_closures_are_a_warning_and_validate_passes(countries):
    _edit(
        countries,
        "ro",
        lambda d: d["hours"]["closures"].append({"name": "Holiday again", "date": d["hours"]["closures"][0]["date"]}),
    )
    result, lines = _validate("ro")
    assert result.exit_code == 0 and "ro: ok" in result.output
    assert len(lines) == 1 and lines[0].startswith("warning: ") and "hours.closures[" in lines[0]
    assert "overlaps hours.closures[0]" in lines[0]


def test_synthesis_calls_the_same_gate(countries, monkeypatch):
    from app import build_app

    _edit(countries, "pl", _turkish_operators)
    with pytest.raises(CountryRefused) as info:
        build_app(countries=["pl"], nag=False)
    assert "operators.labels:" in str(info.value) and "guide labels missing in Turkish" in str(info.value)


def test_a_language_code_typo_is_reported_against_the_language_not_its_messages(countries):
    def typo(d):
        d["languages"][2]["code"] = "eng"

    _edit(countries, "ro", typo)
    _, lines = _validate("ro")
    assert len(lines) == 1, lines
    assert "ro.yaml: languages[2].code: unknown language code 'eng' (the file has messages for 'en')" in lines[0]
    assert "fix: write code: en" in lines[0]


def test_a_text_written_in_another_script_than_its_language_is_a_warning(tmp_path):
    """A French sentence pasted under Arabic (found writing Chad from the docs alone): validate passes but names
    the field; the country as written, in Arabic, draws no such warning (the converse)."""
    from tests.unit.written_countries import chad

    path = chad(tmp_path)
    folder = path.parent
    assert not [w for w in check_country("td", countries_dir=folder).warnings if "letters" in w]
    _edit(
        folder, "td", lambda d: d["messages"]["ar"].update(goodbye="Merci. En danger, appelez le {emergency_number}.")
    )
    report = check_country("td", countries_dir=folder)
    assert not report.errors
    assert [w.split("/")[-1] for w in report.warnings if "letters" in w] == [
        "td.yaml: messages.ar.goodbye: has no Arabic letters: is it written in another language than Arabic?; "
        "fix: write it in Arabic"
    ]
