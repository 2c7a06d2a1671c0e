"""`helpline new-country`: a file with every text to write marked, refused until they are written."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from helpline import guide
from helpline.cli import app
from helpline.config import ConfigError, load_country
from helpline.config.messages import REQUIRED_MESSAGES
from helpline.scaffold import STANDARD_TOPICS

MOLDOVA = [
    "new-country", "md", "--name", "Moldova", "--languages", "ro,uk,ar", "--time-zone", "Europe/Chisinau",
    "--region", "eu-central-1", "--hours", "sun-thu 08:00-18:00", "--hours", "fri 08:00-13:00",
    "--country-regions", "chisinau,north,south", "--emergency-number", "112",
]  # fmt: skip


def _run(args: list[str], out: Path, stdin: str | None = None):
    return CliRunner().invoke(app, [*args, "--out", str(out)], input=stdin)


def _marked(path: Path) -> list[str]:
    """Every text in the file (not its header comment) that still carries the mark."""

    def strings(node):
        if isinstance(node, dict):
            return [s for v in node.values() for s in strings(v)]
        if isinstance(node, list):
            return [s for v in node for s in strings(v)]
        return [node] if isinstance(node, str) else []

    return [s for s in strings(yaml.safe_load(path.read_text(encoding="utf-8"))) if "[untranslated]" in s]


def test_the_new_file_names_every_text_to_write_and_is_refused_until_they_are_written(tmp_path):
    result = _run(MOLDOVA, tmp_path)
    assert result.exit_code == 0, result.output
    path = tmp_path / "md.yaml"
    # Arabic has no standard translations: all its messages; the operators' language (ro) names ar;
    # every language: the spoken hours and each topic's menu and information.
    expected = len(REQUIRED_MESSAGES) + 1 + 3 * (1 + 2 * len(STANDARD_TOPICS))
    assert len(_marked(path)) == expected
    assert f"{expected} texts are still marked [untranslated]" in result.output
    with pytest.raises(ConfigError) as info:
        load_country(path)
    refusal = str(info.value)  # one short line: the count and the first few field paths
    assert "\n" not in refusal and len(refusal) < 400, refusal
    assert (
        f"{expected} texts are still marked [untranslated], the first: messages.ro.language_name_ar, messages.ar.language_option, "
        in refusal
    )
    assert f"and {expected - 4} more; fix:" in refusal
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert doc["messages"]["ar"]["language_option"] == "[untranslated] (Arabic) For Arabic, press {digit}."
    assert "operators" not in doc  # Romanian, the operators' language, has a shipped guide label set
    assert "recorded prompts needed for uk (no Amazon Polly voice)" in result.output

    path.write_text(re.sub(r"\[untranslated\] \(\w+\) ", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    cfg = load_country(path)
    assert [(lang.code, lang.digit, lang.voice, lang.recorded) for lang in cfg.languages] == [
        ("ro", "1", "Carmen", False),
        ("uk", "2", None, True),
        ("ar", "3", "Zeina", False),
    ]
    assert [t.key for t in cfg.topics] == list(STANDARD_TOPICS)
    assert cfg.hours.time_zone == "Europe/Chisinau" and cfg.emergency.number == "112"
    assert [s.day for s in cfg.hours.slots][:2] == ["MONDAY", "TUESDAY"] and "SUNDAY" in [
        s.day for s in cfg.hours.slots
    ]
    assert cfg.phone_number.type == "DID" and cfg.phone_number.country_code == "MD"
    assert cfg.regions == ["chisinau", "north", "south"]


def test_missing_options_are_asked_for(tmp_path):
    answers = "Moldova\nro,en\nEurope/Chisinau\neu-central-1\nchisinau,balti\n112\n"
    result = _run(["new-country", "md"], tmp_path, stdin=answers)
    assert result.exit_code == 0, result.output
    assert "Emergency number callers in danger dial" in result.output
    doc = yaml.safe_load((tmp_path / "md.yaml").read_text(encoding="utf-8"))
    assert doc["emergency"]["number"] == "112"
    assert doc["name"] == "Moldova" and [lang["code"] for lang in doc["languages"]] == ["ro", "en"]
    assert doc["hours"]["weekly"] == {"mon-fri": "09:00-17:00"} and doc["regions"] == ["chisinau", "balti"]


def test_an_existing_country_is_not_overwritten_without_force(tmp_path):
    (tmp_path / "md.yaml").write_text("keep me\n", encoding="utf-8")
    result = _run(MOLDOVA, tmp_path)
    assert result.exit_code == 2 and "md.yaml already exists" in result.output and "--force" in result.output
    assert (tmp_path / "md.yaml").read_text(encoding="utf-8") == "keep me\n"
    assert _run([*MOLDOVA, "--force"], tmp_path).exit_code == 0
    assert (tmp_path / "md.yaml").read_text(encoding="utf-8") != "keep me\n"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("--languages", "ro,xx"), "unknown language code 'xx'"),
        (("--languages", "ro,ro"), "listed twice"),
        (("--time-zone", "Europe/Atlantis"), "'Europe/Atlantis' is not an IANA time zone"),
        (("--region", "eu-west-1"), "Amazon Connect is not offered in 'eu-west-1'"),
        (("--hours", "mon-fri 9-17"), "--hours 'mon-fri 9-17'"),
        (("--emergency-number", "1 1 2"), "is not an emergency number"),
        (("--number-type", "SHARED"), "--number-type 'SHARED'"),
        (("--country-regions", "North Side"), "--country-regions 'North Side' is not a list of region names"),
    ],
)
def test_a_bad_option_is_one_line_and_writes_nothing(tmp_path, change, expected):
    args = list(MOLDOVA)
    flag, value = change
    if flag in args and flag != "--hours":
        args[args.index(flag) + 1] = value
    else:
        args = [a for i, a in enumerate(args) if not (a == "--hours" or (i and args[i - 1] == "--hours"))]
        args += [flag, value]
    result = _run(args, tmp_path)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("new-country: ")
    assert expected in lines[0] and "fix: " in lines[0]
    assert not (tmp_path / "md.yaml").exists()


def test_the_emergency_number_is_asked_for_and_written_as_given(tmp_path):
    """No silent 112: the number the person types is the one every safe text says."""
    args = [a for a in MOLDOVA if a not in ("--emergency-number", "112")]
    result = _run(args, tmp_path, stdin="17\n")
    assert result.exit_code == 0, result.output
    assert "Emergency number callers in danger dial" in result.output
    doc = yaml.safe_load((tmp_path / "md.yaml").read_text(encoding="utf-8"))
    assert doc["emergency"]["number"] == "17"
    assert all("112" not in t["info"]["ro"] for t in doc["topics"])


def test_the_guide_labels_are_written_when_the_project_ships_none_in_the_operators_language(tmp_path):
    args = list(MOLDOVA)
    args[1] = "tr"
    args[args.index("--languages") + 1] = "tr,ar"
    args[args.index("--name") + 1] = "Türkiye"
    result = _run(args, tmp_path)
    assert result.exit_code == 0, result.output
    path = tmp_path / "tr.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    english = guide.labels("en")
    assert doc["operators"]["labels"] == {k: f"[untranslated] (Turkish) {v}" for k, v in english.items()}
    assert doc["messages"]["tr"]["language_option"] == "[untranslated] (Turkish) For Turkish, press {digit}."
    with pytest.raises(ConfigError, match=r"texts are still marked \[untranslated\]"):
        load_country(path)
    path.write_text(re.sub(r"\[untranslated\] \(\w+\) ", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    cfg = load_country(path)
    assert cfg.operator_language == "tr" and cfg.operators.labels["next"] == "Next"


def test_json_says_what_was_written_and_what_is_left_as_the_text_does(tmp_path):
    text = _run(MOLDOVA, tmp_path)
    assert text.exit_code == 0, text.output
    result = _run([*MOLDOVA, "--force", "--format", "json"], tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)  # the whole of standard output is one JSON document
    path = tmp_path / "md.yaml"
    marked = len(_marked(path))
    assert report["file"] == str(path) and f"wrote {path}: " in text.stdout
    assert report["country"] == "md" and report["languages"] == ["ro", "uk", "ar"]
    assert report["untranslated"] == marked and f"{marked} texts are still marked [untranslated]" in text.stdout
    assert report["recorded_prompts"] == ["uk"]
    assert len(report["next_steps"]) == 2
    for step in report["next_steps"]:
        assert f"next: {step}" in text.stdout
    assert "helpline validate md" in report["next_steps"][0] and "helpline prompts md" in report["next_steps"][1]


def test_the_country_s_own_regions_are_country_regions_and_region_stays_the_aws_region(tmp_path):
    result = _run(MOLDOVA, tmp_path)
    assert result.exit_code == 0, result.output
    doc = yaml.safe_load((tmp_path / "md.yaml").read_text(encoding="utf-8"))
    assert doc["region"] == "eu-central-1" and doc["regions"] == ["chisinau", "north", "south"]
    old = [a if a != "--country-regions" else "--regions" for a in MOLDOVA]
    refused = _run([*old, "--force"], tmp_path)
    assert refused.exit_code == 2 and "No such option: --regions" in refused.output


def test_questions_go_to_standard_error_so_json_stays_one_document(tmp_path):
    answers = "Moldova\nro,en\nEurope/Chisinau\neu-central-1\nchisinau,balti\n112\n"
    result = _run(["new-country", "md", "--format", "json"], tmp_path, stdin=answers)
    assert result.exit_code == 0, result.output
    assert "Emergency number callers in danger dial" in result.stderr
    report = json.loads(result.stdout)
    assert report["languages"] == ["ro", "en"] and report["recorded_prompts"] == []


def test_bad_input_with_json_is_still_one_line_on_standard_error_and_exit_2(tmp_path):
    args = [*MOLDOVA, "--format", "json"]
    args[args.index("--time-zone") + 1] = "Europe/Atlantis"
    result = _run(args, tmp_path)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "'Europe/Atlantis' is not an IANA time zone" in result.stderr


def test_a_question_left_unanswered_is_bad_input_not_a_traceback(tmp_path):
    result = _run(["new-country", "md", "--name", "Moldova"], tmp_path, stdin="ro,en\n")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.splitlines()[-1] == "new-country: no answer for --time-zone; fix: pass it as an option"
    assert not (tmp_path / "md.yaml").exists()
