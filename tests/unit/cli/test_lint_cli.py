"""`helpline lint`: the shared --format choice (text, json, sarif), exit 0 clean / 1 findings / 2 bad input."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from helpline.cli import app

runner = CliRunner()

CLEAN = {
    "Version": "2019-10-30",
    "StartAction": "bye",
    "Actions": [{"Identifier": "bye", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}],
}
BROKEN = {
    "Version": "2019-10-30",
    "StartAction": "a",
    "Actions": [
        {
            "Identifier": "a",
            "Type": "MessageParticipant",
            "Parameters": {"Text": "Hi"},
            "Transitions": {"NextAction": "b"},
        }
    ],
}


def _flow(tmp_path, name: str, content) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return str(path)


def test_json_and_sarif_hold_the_findings_the_text_prints_exit_1(tmp_path):
    broken = _flow(tmp_path, "broken.json", BROKEN)
    text = runner.invoke(app, ["lint", broken])
    as_json = runner.invoke(app, ["lint", broken, "--format", "json"])
    sarif = runner.invoke(app, ["lint", broken, "--format", "sarif"])
    assert text.exit_code == as_json.exit_code == sarif.exit_code == 1
    findings = json.loads(as_json.stdout)["findings"]
    assert findings and json.loads(as_json.stdout)["failing"] >= 1
    for f in findings:
        assert f"{f['flow']}:{f['action']}: {f['rule']} {f['name']}: {f['message']}  [fix: {f['fix']}]" in text.stdout
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == sorted(f["rule"] for f in findings)


def test_a_clean_flow_exits_0_and_a_file_that_is_not_a_flow_is_a_finding(tmp_path):
    assert runner.invoke(app, ["lint", _flow(tmp_path, "clean.json", CLEAN)]).exit_code == 0
    r = runner.invoke(app, ["lint", _flow(tmp_path, "text.json", "not json"), "--format", "json"])
    assert r.exit_code == 1 and json.loads(r.stdout)["findings"][0]["rule"] == "FL001"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--flow-type", "NOPE"], "--flow-type NOPE: not a flow type (CONTACT_FLOW, CUSTOMER_QUEUE, contactFlow ...)"),
        (["--channel", "fax"], "--channel fax: use one of voice, chat, task, email"),
    ],
)
def test_an_unknown_flow_type_or_channel_is_bad_input(tmp_path, args, says):
    r = runner.invoke(app, ["lint", _flow(tmp_path, "clean.json", CLEAN), *args])
    assert r.exit_code == 2 and r.stderr.strip() == says and r.stdout == ""


def test_a_flow_file_that_does_not_exist_is_bad_input(tmp_path):
    missing = tmp_path / "gone.json"
    r = runner.invoke(app, ["lint", str(missing)])
    assert r.exit_code == 2 and r.stderr.strip() == f"{missing}: no such flow file" and "Traceback" not in r.output


def test_an_unknown_format_or_country_is_bad_input(tmp_path):
    r = runner.invoke(app, ["lint", _flow(tmp_path, "clean.json", CLEAN), "--format", "table"])
    said = " ".join(r.output.replace("│", " ").split())  # click's error box, unwrapped
    assert r.exit_code == 2 and "'table' is not one of 'text', 'json', 'sarif'" in said
    r = runner.invoke(app, ["lint", "zz"])
    assert r.exit_code == 2 and "zz.yaml: file not found" in r.stderr
