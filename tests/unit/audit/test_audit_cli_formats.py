"""``helpline audit verify|export`` and ``helpline erase`` on the command line: ``--format json`` tells what
the text tells, ``audit export --format csv|json`` (JSON Lines; ``jsonl`` still accepted), the exit codes
0 / 1 / 2, and the progress bar; on a small state folder written here (no simulator)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from helpline.audit import cli as audit_cli
from helpline.audit import local
from helpline.audit.sources import pseudonym_for, to_wire
from helpline.cli import app
from helpline.state_folder import load_secret
from tests.unit.audit.test_audit_verify_export import _chain

NUMBER = "+48600700123"
NOTE = "Olena, two children, lives at Kwiatowa 5"
runner = CliRunner()


def _write(folder: Path, table: str, items: list[dict]) -> None:
    lines = [json.dumps({k: to_wire(v) for k, v in item.items()}) + "\n" for item in items]
    (folder / f"{table}.jsonl").write_text("".join(lines))


@pytest.fixture
def state(tmp_path) -> Path:
    """One caller with one case (three chain records, a note), one other chain; signed."""
    folder = tmp_path / "state"
    folder.mkdir()
    pseudonym = pseudonym_for(NUMBER, load_secret(folder))
    records = _chain("case#PL-ABC", 3, actor="op-1") + _chain("contact#c-9", 2, actor="op-2", case_id=None)
    _write(folder, "Interactions", records)
    case = {"case_id": "PL-ABC", "caller_id": pseudonym, "note": NOTE, "country": "PL", "contact_id": "c-1"}
    _write(folder, "Cases", [case])
    _write(folder, "Callers", [{"caller_id": pseudonym, "last_contact_id": "c-1"}])
    _write(folder, "ContactLinks", [{"contact_id": "c-1", "caller_id": pseudonym}])
    assert local.write_checkpoint(folder) is not None
    return folder


def _run(*args: str, code: int):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def _tamper(state: Path) -> None:
    lines = (state / "Interactions.jsonl").read_text().splitlines()
    record = json.loads(lines[1])
    record["actor"] = {"S": "someone-else"}
    lines[1] = json.dumps(record)
    (state / "Interactions.jsonl").write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------- audit verify


def test_verify_json_holds_the_facts_of_the_text_and_a_clean_folder_exits_0(state):
    text = _run("audit", "verify", "--state", state, code=0).stdout
    report = json.loads(_run("audit", "verify", "--state", state, "--format", "json", code=0).stdout)
    assert report["ok"] is True and report["findings"] == [] and report["source"] == f"state folder {state}"
    assert (report["chains"], report["records"]) == (2, 5)
    assert f"{report['chains']} chain(s), {report['records']} record(s)" in text
    assert f"{report['valid_checkpoints']}/{report['checkpoints']} checkpoint(s)" in text
    assert "OK: every chain verifies" in text


def test_verify_names_tampering_in_both_formats_and_exits_1(state):
    _tamper(state)
    text = _run("audit", "verify", "--state", state, code=1).stdout
    report = json.loads(_run("audit", "verify", "--state", state, "--format", "json", code=1).stdout)
    assert report["ok"] is False
    assert [(f["kind"], f["chain_id"], f["seq"]) for f in report["findings"]] == [("altered", "case#PL-ABC", 2)]
    assert "altered" in text and "case#PL-ABC" in text and f"FAIL: {len(report['findings'])} finding(s)" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "table"], "Invalid value for '--format'"),
        (["--stack", "x"], "give exactly one of --state DIR or --stack NAME"),
        (["--public-key", "no-such-key.pem"], "no-such-key.pem"),
    ],
)
def test_verify_bad_input_exits_2(state, args, message):
    result = _run("audit", "verify", "--state", state, *args, code=2)
    assert message in result.stderr and result.stdout == "" and "Traceback" not in result.output


def test_verify_shows_a_progress_bar_in_a_terminal_and_stdout_keeps_only_the_json(state, monkeypatch):
    terminal = io.StringIO()
    monkeypatch.setattr(audit_cli, "_stderr", lambda: Console(file=terminal, force_terminal=True, width=120))
    result = _run("audit", "verify", "--state", state, "--format", "json", code=0)
    assert json.loads(result.stdout)["chains"] == 2
    assert "chains verified" in terminal.getvalue() and "2/2" in terminal.getvalue()


# ---------------------------------------------------------------------------- audit export


def test_export_csv_by_default_and_json_lines_with_json_the_same_records(state):
    rows = list(csv.DictReader(io.StringIO(_run("audit", "export", "--state", state, code=0).stdout)))
    lines = _run("audit", "export", "--state", state, "--format", "json", code=0).stdout.splitlines()
    records = [json.loads(line) for line in lines]  # one JSON object per line
    assert [(r["chain_id"], int(r["seq"])) for r in rows] == [(r["chain_id"], r["seq"]) for r in records]
    assert [r["record_hash"] for r in rows] == [r["record_hash"] for r in records] and len(records) == 5
    old = _run("audit", "export", "--state", state, "--format", "jsonl", code=0).stdout  # the old value
    assert old.splitlines() == lines


def test_export_help_says_what_json_means_there():
    help_text = " ".join(_run("audit", "export", "--help", code=0).stdout.split())
    assert "[csv|json]" in help_text and "JSON Lines" in help_text


def test_export_to_a_file_with_out(state, tmp_path):
    target = tmp_path / "export.jsonl"
    result = _run(
        "audit", "export", "--state", state, "--format", "json", "--operator", "op-2", "--out", target, code=0
    )
    assert result.stdout == "" and "2 record(s) written to" in result.stderr
    assert [json.loads(line)["actor"] for line in target.read_text().splitlines()] == ["op-2", "op-2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "xml"], "Invalid value for '--format'"),
        (["--since", "2026-02-30"], "--since must be a date YYYY-MM-DD"),
        (["--since", "2026-03-05", "--until", "2026-03-01"], "--since 2026-03-05 is after --until 2026-03-01"),
        (["--out", "no-such-folder/export.csv"], "cannot write the export"),
    ],
)
def test_export_bad_input_exits_2(state, args, message):
    result = _run("audit", "export", "--state", state, *args, code=2)
    assert message in result.stderr and "Traceback" not in result.output


# ---------------------------------------------------------------------------- erase


def test_erase_json_is_the_report_of_the_text_and_never_the_number(state):
    text = _run("erase", "--caller", NUMBER, "--state", state, "--dry-run", code=0).stdout
    dry = json.loads(
        _run("erase", "--caller", NUMBER, "--state", state, "--dry-run", "--format", "json", code=0).stdout
    )
    assert dry["dry_run"] is True and dry["found"] is True and dry["source"] == f"state folder {state}"
    assert (dry["callers_removed"], dry["fields_removed"], dry["cases"], dry["tombstones"]) == (1, 2, ["PL-ABC"], 1)
    assert f"would erase caller {dry['pseudonym_prefix']}...: 1 caller item, 2 field(s) on 1 case(s) (PL-ABC)" in text
    assert f"{dry['contact_links_removed']} contact link(s)" in text and f"contacts (1): {dry['contacts'][0]}" in text
    assert dry["connect_contacts_redacted"] is None and "Amazon Connect" not in text  # no Connect behind a folder

    done = _run("erase", "--caller", NUMBER, "--state", state, "--format", "json", code=0)
    report = json.loads(done.stdout)
    assert (report["dry_run"], report["tombstones"], report["failures"]) == (False, 1, [])
    assert report["not_erased"] == [] and NUMBER[1:] not in done.output
    pseudonym = pseudonym_for(NUMBER, load_secret(state))
    assert pseudonym not in done.output and pseudonym not in text
    again = json.loads(_run("erase", "--caller", NUMBER, "--state", state, "--format", "json", code=0).stdout)
    assert again["found"] is False and again["callers_removed"] == 0
    assert "no data of this caller" in _run("erase", "--caller", NUMBER, "--state", state, code=0).stdout
    _run("audit", "verify", "--state", state, code=0)  # the tombstone keeps the chain verifying


def test_erase_exits_1_with_what_could_not_be_erased(state, monkeypatch):
    from helpline.audit.sources import LocalSource

    refused = "contact c-1: DeleteContactData failed: AccessDeniedException"
    monkeypatch.setattr(LocalSource, "redact_contacts", lambda self, contacts: (0, [], [refused]))
    result = _run("erase", "--caller", NUMBER, "--state", state, "--format", "json", code=1)
    assert json.loads(result.stdout)["failures"] == [refused]
    assert f"not erased: {refused}" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give exactly one of --caller NUMBER or --pseudonym HEX"),
        (["--pseudonym", "xyz"], "--pseudonym must be 64 lowercase hex characters"),
        (["--caller", "600 700"], "--caller is not an E.164 phone number"),
        (["--caller", NUMBER, "--format", "table"], "Invalid value for '--format'"),
    ],
)
def test_erase_bad_input_exits_2(state, args, message):
    result = _run("erase", "--state", state, *args, code=2)
    assert message in result.stderr and result.stdout == "" and "Traceback" not in result.output


def test_reading_a_stacks_archive_advances_the_bar_per_object_version():
    import boto3
    from botocore.response import StreamingBody
    from botocore.stub import Stubber

    from helpline.audit.stack import StackSource

    clients = {n: boto3.client(n, region_name="eu-central-1") for n in ("cloudformation", "s3", "dynamodb")}
    cfn, s3 = Stubber(clients["cloudformation"]), Stubber(clients["s3"])
    cfn.add_response("list_stack_resources", {"StackResourceSummaries": []}, {"StackName": "helpline-pl"})
    stack = {"StackName": "helpline-pl", "CreationTime": "2026-03-01T00:00:00Z", "StackStatus": "CREATE_COMPLETE"}
    stack["Outputs"] = [{"OutputKey": "ArchiveBucket", "OutputValue": "pl-archive"}]
    cfn.add_response("describe_stacks", {"Stacks": [stack]}, {"StackName": "helpline-pl"})
    keys = ["records/Interactions/a.jsonl", "records/Interactions/b.jsonl", "records/Cases/c.jsonl"]
    listed = [{"Key": k, "VersionId": f"v{i}", "IsLatest": True} for i, k in enumerate(keys)]
    s3.add_response("list_object_versions", {"Versions": listed, "IsTruncated": False}, {"Bucket": "pl-archive"})
    for version in listed:
        expected = {"Bucket": "pl-archive", "Key": version["Key"], "VersionId": version["VersionId"]}
        s3.add_response("get_object", {"Body": StreamingBody(io.BytesIO(b""), 0)}, expected)

    class Session:
        def client(self, name: str):
            return clients[name]

    seen: list[tuple[int, int]] = []
    with cfn, s3:
        source = StackSource("helpline-pl", "eu-central-1", session=Session())
        source.progress = lambda done, total: seen.append((done, total))
        assert len(source.archive()) == 3
    assert seen == [(1, 3), (2, 3), (3, 3)]
