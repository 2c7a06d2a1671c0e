"""verify() on hand-made chains (partial stream checkpoints, expiry, no checkpoint, unreadable
checkpoints) and the export's filters and formats."""

from __future__ import annotations

import csv
import io
import json

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from functions.logic import checkpoints
from functions.logic.chain import GENESIS, compute_hash
from helpline.audit import export
from helpline.audit.verify import verify

KEY = ec.generate_private_key(ec.SECP256R1())


def _chain(chain_id: str, n: int, *, actor: str = "contact_flow", case_id: str | None = "PL-ABC") -> list[dict]:
    records, previous = [], GENESIS
    for seq in range(1, n + 1):
        record = {
            "chain_id": chain_id,
            "seq": seq,
            "record_type": "screening_saved",
            "contact_id": f"c-{seq}",
            "case_id": case_id,
            "actor": actor,
            "occurred_at": f"2026-03-0{seq}T10:00:00Z",
            "recorded_at": f"2026-03-0{seq}T10:00:00Z",
            "payload": {"needs_codes": "LP-ND"},
            "prev_hash": previous,
            "expires_at": 1900000000,
        }
        record["record_hash"] = previous = compute_hash(record)
        records.append(record)
    return records


def _signed(records: list[dict], *, complete: bool, expires: int | None = None, at: str | None = None) -> dict:
    heads, exp = checkpoints.heads_from_records(records)
    if expires is not None:
        exp = {c: expires for c in exp}
    source = "local" if complete else "stream"
    body = checkpoints.make_body(heads, exp, source=source, complete=complete, created_at=at)
    signature = KEY.sign(checkpoints.signed_message(body), ec.ECDSA(hashes.SHA256()))
    return checkpoints.envelope(body, signature, "test")


def _kinds(report) -> set[tuple[str, str, int | None]]:
    return {(f.kind, f.chain_id, f.seq) for f in report.findings}


def test_stream_checkpoints_are_partial_later_records_are_pending_and_each_anchor_is_checked():
    a, b = _chain("case#PL-A", 4), _chain("contact#c-9", 1)
    entries = [("cp1", _signed(a[:2], complete=False)), ("cp2", _signed(b, complete=False))]
    report = verify(a + b, entries, KEY.public_key())
    assert report.ok and report.pending == 2 and report.valid_checkpoints == 2
    forged = [dict(r) for r in a]
    forged[0]["payload"] = {"needs_codes": "SM"}
    previous = GENESIS
    for record in forged:
        record["prev_hash"] = previous
        record["record_hash"] = previous = compute_hash(record)
    assert _kinds(verify(forged + b, entries, KEY.public_key())) == {("rewritten", "case#PL-A", 2)}


def test_an_expired_chain_is_not_missing_but_an_unexpired_one_is():
    a = _chain("case#PL-A", 2)
    expired = verify([], [("cp", _signed(a, complete=False, expires=1000))], KEY.public_key(), now=2000)
    assert expired.ok and expired.expired_chains == 1
    alive = verify([], [("cp", _signed(a, complete=False, expires=3000))], KEY.public_key(), now=2000)
    assert _kinds(alive) == {("missing_chain", "case#PL-A", 2)}


def test_without_checkpoints_the_links_are_still_checked():
    a = _chain("case#PL-A", 3)
    a[1] = {**a[1], "actor": "someone-else"}
    report = verify(a, [], KEY.public_key())
    assert _kinds(report) == {("altered", "case#PL-A", 2), ("no_checkpoint", "", None)} and report.pending == 3


@pytest.mark.parametrize("broken", [None, {"checkpoint": "not a body"}, {"no": "checkpoint"}])
def test_unreadable_checkpoints_are_bad_signatures(broken):
    report = verify(_chain("case#PL-A", 1), [("cp", broken)], KEY.public_key())
    assert _kinds(report) == {("bad_signature", "", None), ("no_checkpoint", "", None)}
    assert report.valid_checkpoints == 0


def test_a_checkpoint_without_a_public_key_to_check_it_is_a_finding():
    a = _chain("case#PL-A", 1)
    report = verify(a, [("cp", _signed(a, complete=True))], None)
    assert [f.detail for f in report.findings] == [
        "cp: no public key to check it; its heads are ignored",
        "1 checkpoint(s), none with a valid signature: nothing is anchored (cut tails, deletions go unseen)",
    ]


def test_export_filters_combine_and_both_formats_keep_the_hashes():
    records = _chain("case#PL-A", 3, actor="op-1") + _chain("case#RO-B", 2, actor="op-2", case_id="RO-B")
    records += _chain("contact#c-7", 1, case_id=None)
    cases = [{"case_id": "PL-ABC", "country": "PL"}]
    rows = export.rows(records, cases, since="2026-03-02", until="2026-03-03", country="pl")
    assert [(r["chain_id"], r["seq"]) for r in rows] == [("case#PL-A", 2), ("case#PL-A", 3)]
    assert [r["seq"] for r in export.rows(records, cases, operator="op-2")] == [1, 2]
    assert export.rows(records, cases, case="RO-B", country="pl") == []
    assert len(export.rows(records, cases)) == 6
    parsed = list(csv.DictReader(io.StringIO(export.render(rows, "csv"))))
    assert parsed[0]["record_hash"] == records[1]["record_hash"] and json.loads(parsed[0]["payload"]) == {
        "needs_codes": "LP-ND"
    }
    lines = [json.loads(x) for x in export.render(rows, "json").splitlines()]
    assert compute_hash(lines[1]) == lines[1]["record_hash"]  # an exported record can be re-verified


def test_the_commands_exit_2_on_bad_input(tmp_path):
    from typer.testing import CliRunner

    from helpline.cli import app

    runner = CliRunner()
    for args, message in (
        (["audit", "verify"], "give exactly one of --state DIR or --stack NAME"),
        (["audit", "verify", "--state", str(tmp_path / "nowhere")], "not a state folder"),
        (["audit", "verify", "--state", str(tmp_path)], "not a state folder (no table files"),  # empty folder
        (["audit", "verify", "--state", str(tmp_path), "--format", "table"], "Invalid value for '--format'"),
        (["audit", "export", "--state", str(tmp_path), "--since", "March"], "--since must be a date"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2 and message in result.stderr, (args, result.stderr)


def test_a_stream_source_tells_a_pending_append_from_a_copied_record():
    a = _chain("case#PL-A", 4)
    entries = [("cp", _signed(a[:3], complete=False))]
    legit = verify(a, entries, KEY.public_key())
    assert legit.ok and legit.pending == 1
    copied = {**a[1], "seq": 4}  # record 2 copied to the free seq 4 (its hash is still record 2's)
    report = verify(a[:3] + [copied], entries, KEY.public_key())
    assert _kinds(report) == {("inserted", "case#PL-A", 4)} and report.pending == 0


def test_a_folder_whose_checkpoints_are_gone_is_a_no_checkpoint_finding_not_ok(tmp_path):
    from typer.testing import CliRunner

    from helpline.cli import app

    (tmp_path / "Interactions.jsonl").write_text("")  # a state folder, its checkpoint file deleted
    result = CliRunner().invoke(app, ["audit", "verify", "--state", str(tmp_path)])
    assert result.exit_code == 1 and "no_checkpoint" in result.stdout and "OK" not in result.stdout


def test_a_stream_chain_left_unsigned_long_after_newer_checkpoints_is_named():
    def written(at: str) -> list[dict]:  # one record of chain B written at ``at`` (hash recomputed)
        record = {**_chain("case#PL-B", 1)[0], "recorded_at": at}
        return [{**record, "record_hash": compute_hash(record)}]

    late = written("2026-03-02T11:30:00Z")
    signed = _chain("case#PL-A", 1)
    entries = [("cp", _signed(signed, complete=False, at="2026-03-02T12:00:00.000000Z"))]
    fresh = verify(signed + late, entries, KEY.public_key())
    assert fresh.ok and fresh.pending == 1  # 30 min before the newest checkpoint: a batch may be retrying
    old = written("2026-03-02T10:59:59Z")  # more than an hour before it
    report = verify(signed + old, entries, KEY.public_key())
    assert _kinds(report) == {("no_checkpoint", "case#PL-B", 1)}
