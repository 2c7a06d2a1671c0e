"""`helpline deploy --format json`: the running lines (and every stage's own output) on standard error, one
JSON document at the end with each stage's status; exit 0 / 1 / 2 as in text."""

from __future__ import annotations

import json
import subprocess

from typer.testing import CliRunner

from helpline.cli import app
from helpline.deploy import STAGES

runner = CliRunner()


def _deploy(*args: str):
    return runner.invoke(app, ["deploy", "pl", *args, "--format", "json"])


def test_a_dry_run_prints_every_command_in_the_summary_and_the_lines_on_stderr():
    result = _deploy("--dry-run", "--allow-placeholders")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["result"] == "passed" and data["dry_run"] is True and data["stage"] == "prod"
    assert [s["name"] for s in data["stages"]] == list(STAGES)
    by_name = {s["name"]: s for s in data["stages"]}
    assert by_name["recordings"]["status"] == "passed" and "[recordings] passed" in result.stderr
    for name in ("preflight", "country", "tests", "smoke-test", "verify-live"):
        assert by_name[name]["status"] == "printed" and f"[{name}] {by_name[name]['command']}" in result.stderr
    assert "Helpline-PL-prod-tests --exclusively" in by_name["tests"]["command"]


def test_a_refused_stage_stops_the_rest_and_exits_1():
    result = _deploy("--dry-run")  # prod with synthetic placeholder recordings
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    statuses = {s["name"]: s["status"] for s in data["stages"]}
    assert data["result"] == "failed" and statuses["recordings"] == "failed"
    assert [statuses[n] for n in ("country", "tests", "smoke-test", "verify-live")] == ["not run"] * 4
    refused = next(s for s in data["stages"] if s["name"] == "recordings")
    assert "synthetic placeholders" in refused["message"] and "deploy stopped at recordings" in result.stderr


def test_stages_run_with_their_output_on_stderr_a_failed_stack_stops_the_deploy(monkeypatch):
    ran = []

    def run(argv, **kwargs):
        ran.append((argv, kwargs))
        failed = "helpline.cdk_cli" in argv and not argv[argv.index("deploy") + 1].endswith("-tests")
        return subprocess.CompletedProcess(argv, 1 if failed else 0)

    monkeypatch.setattr(subprocess, "run", run)
    result = _deploy("--allow-placeholders")
    assert result.exit_code == 1
    data = json.loads(result.stdout)  # nothing but the document on stdout
    assert [(s["name"], s["status"]) for s in data["stages"]] == [
        ("preflight", "passed"),
        ("recordings", "passed"),
        ("country", "failed"),
        ("tests", "not run"),
        ("smoke-test", "not run"),
        ("verify-live", "not run"),
    ]
    assert data["stages"][2]["exit_code"] == 1 and "deploy stopped at country" in result.stderr
    assert len(ran) == 2 and all(kwargs["stdout"] not in (None, 1) for _, kwargs in ran)  # their stdout: stderr


def test_bad_options_are_one_line_exit_2_with_nothing_on_stdout():
    for args in (["--from", "x"], ["--approval", "maybe"]):
        result = _deploy(*args)
        assert result.exit_code == 2 and result.stdout == "" and result.stderr.count("\n") == 1, args
