"""The country-file format version and the upgrade path (issue 21, point 5).

A file written for the previous release (format 1: no `format` key, recordings in S3, 112 by
default, no language names, goodbye without the emergency number) gets ONE report of every change
it needs, before any other error; `helpline upgrade-country XX --write` makes the renames.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import COUNTRIES_DIR, ConfigError, country_files, load_country
from helpline.config.gate import check_country
from helpline.config.messages import REQUIRED_MESSAGES
from helpline.config.rules import SAFE_EXIT_MESSAGES
from helpline.config.upgrade import FORMAT_VERSION, PREVIOUS_VERSION, needed_changes
from helpline.scaffold import country_document, write_country
from tests.unit.config.test_country_files import _edit

ROOT = Path(__file__).resolve().parents[3]
# The texts the previous release required (countries/messages.yaml's keys then): version 2 added
# closed_holiday, queue_full, callback_failed and emergency_closed.
V2_TEXTS = ("closed_holiday", "queue_full", "callback_failed", "emergency_closed")
V1_MESSAGES = [k for k in REQUIRED_MESSAGES if k not in V2_TEXTS]


@pytest.fixture
def countries(tmp_path):
    """A private copy of countries/ to change."""
    return shutil.copytree(COUNTRIES_DIR, tmp_path / "countries")


def _as_previous_release(data: dict) -> None:
    """ro.yaml as a person wrote it for the previous release, with French added (Chad-like)."""
    data.pop("format")
    data["recordings"] = {"bucket": "helpline-ro-prompts", "prefix": "prompts/"}  # the old names
    data["emergency"].pop("number")  # 112 was the default
    data["languages"].append({"code": "fr", "digit": "4", "voice": "Celine"})
    data["hours"]["spoken"]["fr"] = "du lundi au vendredi de 9 h à 17 h"
    for topic in data["topics"]:
        topic["menu"]["fr"] = f"{topic['key']} — appuyez sur {topic['digit']}."
        topic["info"]["fr"] = f"Informations sur {topic['key']}."
    fr = {key: f"Texte {key}." for key in V1_MESSAGES}  # every text version 1 asked for
    fr["whisper_language"] = "Appel en français."  # version 1: each language's own sentence
    fr["goodbye"] = "Merci de votre appel. Au revoir."  # version 1: no emergency number
    fr["closed"] = "La ligne est fermée. Nos horaires : {hours}."
    data["messages"]["fr"] = fr
    data["messages"]["ro"]["whisper_language"] = "Apel în limba română."  # the operators' language (first)


def _old(countries) -> Path:
    _edit(countries, "ro", _as_previous_release)
    return countries / "ro.yaml"


EXPECTED_FIELDS = [
    "format",
    "recordings.bucket",
    "recordings.folder",
    "recordings.prefix",
    "emergency.number",
    "messages.fr",
    "messages.ro.language_name_*",
    "messages.ro.whisper_language",
    "messages.fr.emergency_notice",
    "messages.fr.closed",
    "messages.fr.queue_hold",
    "messages.fr.blocked",
    "messages.fr.goodbye",
]


def test_every_shipped_file_states_the_current_format():
    assert FORMAT_VERSION == 2 and PREVIOUS_VERSION == 1
    files = country_files()
    assert {p.stem for p in files} >= {"pl", "hu", "ro"}
    for path in files:
        assert yaml.safe_load(path.read_text(encoding="utf-8"))["format"] == FORMAT_VERSION, path.name
        assert check_country(path.stem).ok


def test_new_country_writes_the_current_format(countries):
    doc = country_document(
        "td",
        name="Chad",
        languages=["ar", "fr"],
        time_zone="Africa/Ndjamena",
        hours=["mon-fri 08:00-16:00"],
        region="eu-central-1",
        regions=["ndjamena"],
        emergency_number="17",
        countries_dir=countries,
    )
    path = write_country(doc, countries_dir=countries, force=True)  # a scratch Chad, whatever countries/ holds
    first = next(line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#"))
    assert first == f"format: {FORMAT_VERSION}"
    report = check_country("td", countries_dir=countries)  # refused for its [untranslated] texts only
    assert not any("format" in line.split(": ", 2)[1] for line in report.errors + report.warnings)


def test_a_previous_release_file_gets_one_report_of_every_change_before_any_other_error(countries):
    _old(countries)
    with pytest.raises(ConfigError) as info:
        load_country("ro", countries_dir=countries)
    lines = [str(e) for e in info.value.all]
    fields = [line.split(": ", 2)[1] for line in lines]
    assert fields == EXPECTED_FIELDS, lines
    for line in lines:
        assert "\n" not in line and "; fix: " in line and line.startswith(str(countries / "ro.yaml"))
    # nothing from the later checks (an unknown field, a missing value named by the schema)
    assert not any("unknown field" in line or "required field is missing" in line for line in lines)
    text = "\n".join(lines)
    assert "missing, so read as version 1 (the previous release)" in lines[0]
    assert "renamed: recordings.bucket -> recordings.folder" in text and "folder: ro/prompts" in text
    assert "copy s3://helpline-ro-prompts/prompts/<lang>/*.wav" in text
    assert "emergency.number: required since version 2" in text
    missing = next(line for line in lines if ": messages.fr: " in line)
    assert (
        "4 French texts missing: messages.fr.closed_holiday, messages.fr.queue_full, messages.fr.callback_failed, "
        "messages.fr.emergency_closed" in missing
    )
    assert "missing: messages.ro.language_name_fr;" in text
    assert "{caller_language}" in next(line for line in lines if "whisper_language" in line)


def test_validate_prints_the_report_in_one_run_and_exits_1(countries, monkeypatch):
    _old(countries)
    monkeypatch.setenv("HELPLINE_COUNTRIES_DIR", str(countries))
    result = CliRunner().invoke(app, ["validate", "ro"])
    assert result.exit_code == 1  # findings: an older format is content to change, not unreadable input
    assert "Traceback" not in result.output
    reported = [line for line in result.stderr.splitlines() if line.strip()]
    assert [line.split(": ", 2)[1] for line in reported] == EXPECTED_FIELDS


def test_each_missing_text_is_listed_whatever_it_is(countries):
    def drop(data):
        _as_previous_release(data)
        del data["messages"]["fr"]["welcome"]

    _edit(countries, "ro", drop)
    report = check_country("ro", countries_dir=countries)
    line = next(e for e in report.errors if ": messages.fr: " in e)
    assert ": messages.fr: 5 French texts missing: messages.fr.welcome, messages.fr.closed_holiday, " in line


def test_an_explicit_older_version_is_reported_too(countries):
    _edit(countries, "pl", lambda d: d.update(format=1))
    report = check_country("pl", countries_dir=countries)
    assert len(report.errors) == 1 and "pl.yaml: format: version 1; the current format is 2" in report.errors[0]


@pytest.mark.parametrize(
    ("value", "says"),
    [(3, "version 3 is newer than this release reads (at most 2)"), ("two", "'two' is not a format version")],
)
def test_a_format_this_release_cannot_read_is_one_line(countries, value, says):
    _edit(countries, "pl", lambda d: d.update(format=value))
    report = check_country("pl", countries_dir=countries)
    assert len(report.errors) == 1 and f"pl.yaml: format: {says}" in report.errors[0]
    assert "fix: " in report.errors[0]


def test_a_current_file_without_the_key_is_read_as_the_previous_version_with_a_warning(countries):
    _edit(countries, "pl", lambda d: d.pop("format"))
    report = check_country("pl", countries_dir=countries)
    assert report.ok
    assert "pl.yaml: format: missing, so the file is read as version 1" in report.warnings[0]
    assert "fix: add format: 2" in report.warnings[0]


def test_a_current_file_needs_no_change():
    raw = yaml.safe_load((COUNTRIES_DIR / "ro.yaml").read_text(encoding="utf-8"))
    assert needed_changes(raw, {}, code="ro") == []


def test_upgrade_country_lists_then_writes_the_mechanical_changes(countries, monkeypatch):
    path = _old(countries)
    path.write_text("# Romania, written for the previous release\n" + path.read_text(encoding="utf-8"))
    monkeypatch.setenv("HELPLINE_COUNTRIES_DIR", str(countries))
    runner = CliRunner()

    listed = runner.invoke(app, ["upgrade-country", "ro"])
    assert listed.exit_code == 1, listed.output
    assert "recordings.bucket: renamed" in listed.stdout and "[upgrade-country --write does this]" in listed.stdout
    assert "emergency.number: required since version 2" in listed.stdout
    assert "[a person must write this]" in listed.stdout
    assert "messages.fr.closed_holiday" in listed.stdout  # the closure-day text, new in version 2
    assert "format:" not in path.read_text(encoding="utf-8")  # without --write nothing changes

    written = runner.invoke(app, ["upgrade-country", "ro", "--write"])
    assert written.exit_code == 1, written.output  # a person must still write texts and the number
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Romania, written for the previous release\nformat: 2")  # comments kept
    data = yaml.safe_load(text)
    assert data["format"] == FORMAT_VERSION and data["recordings"] == {"folder": "ro/prompts"}
    assert "still make" in written.stdout and "emergency.number" in written.stdout
    assert "recordings.bucket" not in written.stdout.split("still make", 1)[1]  # done, not listed again

    # Now a version-2 file: validate names the rest in the current format's own words.
    report = check_country("ro", countries_dir=countries)
    assert any("emergency.number: required field is missing" in e for e in report.errors)
    assert not any("recordings" in e or "format" in e for e in report.errors)

    # The person's part, then the file passes.
    def finish(d):
        d["emergency"]["number"] = "112"
        d["messages"]["fr"].update(
            {
                k: f"Texte {k}. Appelez le {{emergency_number}}."
                for k in REQUIRED_MESSAGES
                if k not in V1_MESSAGES or k in SAFE_EXIT_MESSAGES
            }
        )
        d["messages"]["fr"]["closed"] = "Fermé. Horaires : {hours}. Urgence : {emergency_number}."
        d["messages"]["ro"]["language_name_fr"] = "franceză"
        d["messages"]["ro"]["whisper_language"] = "Apelant în limba {caller_language}."

    _edit(countries, "ro", finish)
    assert runner.invoke(app, ["upgrade-country", "ro"]).exit_code == 0


def test_upgrade_country_bad_input_exits_2(countries, monkeypatch):
    monkeypatch.setenv("HELPLINE_COUNTRIES_DIR", str(countries))
    result = CliRunner().invoke(app, ["upgrade-country", "zz"])
    assert result.exit_code == 2 and "file not found" in result.stderr and "Traceback" not in result.output


def test_the_changelog_names_every_version_and_each_change_the_report_makes():
    changelog = (ROOT / "docs" / "country-file-CHANGELOG.md").read_text(encoding="utf-8")
    for version in range(1, FORMAT_VERSION + 1):
        assert re.search(rf"^## Version {version}\b", changelog, re.M), version
    for item in (
        "recordings.bucket",
        "recordings.prefix",
        "recordings.folder",
        "emergency.number",
        "regions",
        "closed_holiday",
        "queue_full",
        "callback_failed",
        "emergency_closed",
        "language_name_",
        "{caller_language}",
        "phone_number.outbound",
        "queue_message_seconds",
        "helpline upgrade-country",
    ):
        assert item in changelog, item
    reference = (ROOT / "docs" / "country-file.md").read_text(encoding="utf-8")
    assert "`format`" in reference and "country-file-CHANGELOG.md" in reference


def test_upgrade_country_lists_texts_the_current_format_gained_since_the_file_was_written(countries, monkeypatch):
    """A text added within the current format (a CHANGELOG row of this release) is missing from a file written
    before it: upgrade-country names it in every language instead of saying 'nothing to upgrade' while
    validate fails; once written, nothing is left."""
    monkeypatch.setenv("HELPLINE_COUNTRIES_DIR", str(countries))
    shared = countries / "messages.yaml"
    texts = yaml.safe_load(shared.read_text(encoding="utf-8"))
    langs = [lang["code"] for lang in yaml.safe_load((countries / "ro.yaml").read_text("utf-8"))["languages"]]
    for lang in langs:
        texts[lang].pop("closed_holiday", None)
    shared.write_text(yaml.safe_dump(texts, allow_unicode=True, sort_keys=False), encoding="utf-8")
    runner = CliRunner()
    listed = runner.invoke(app, ["upgrade-country", "ro"])
    assert listed.exit_code == 1, listed.output
    for lang in langs:
        assert f"messages.{lang}.closed_holiday" in listed.stdout
    assert "nothing to upgrade" not in listed.stdout
    _edit(countries, "ro", lambda d: d.setdefault("messages", {}).update(
        {lang: {**d.get("messages", {}).get(lang, {}), "closed_holiday": "Closed today. {hours}. {emergency_number}."}
         for lang in langs}))  # fmt: skip
    assert runner.invoke(app, ["upgrade-country", "ro"]).exit_code == 0
