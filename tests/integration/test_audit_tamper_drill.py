"""The tamper drill: a state folder written by real simulated calls (``helpline call ... --state``),
then one attack at a time on its Interactions table; ``helpline audit verify`` must name each one
(finding kind, chain and seq) and exit 1, and the untouched folder must verify clean (exit 0).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from functions.logic.chain import compute_hash
from functions.logic.checkpoints import make_body
from helpline.audit import signing
from helpline.audit.local import CHECKPOINT_FILE
from helpline.cli import app

runner = CliRunner()
DAY = "2026-03-02T10:30"
CALLER = "+48600700800"
OTHER = "+48600700801"


def _call(state: Path, caller: str, *keys: str) -> None:
    args = ["call", "pl", "--lang", "uk", "--press", "-", *keys, "--at", DAY, "--caller", caller]
    result = runner.invoke(app, [*args, "--state", str(state), "--no-tables"])
    assert result.exit_code == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    state = tmp_path_factory.mktemp("drill") / "state"
    for _ in range(3):  # three reports from one number: one case chain with three records
        _call(state, CALLER, "2")
    _call(state, OTHER, "3")
    return state


@pytest.fixture
def state(pristine, tmp_path) -> Path:
    copy = tmp_path / "state"
    shutil.copytree(pristine, copy)
    return copy


def _lines(state: Path) -> list[dict]:
    return [json.loads(line) for line in (state / "Interactions.jsonl").read_text().splitlines() if line]


def _write(state: Path, items: list[dict]) -> None:
    (state / "Interactions.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))


def _case_chain(state: Path) -> str:
    counts: dict[str, int] = {}
    for item in _lines(state):
        counts[item["chain_id"]["S"]] = counts.get(item["chain_id"]["S"], 0) + 1
    (chain,) = [c for c, n in counts.items() if n == 3]
    return chain


def _record(items: list[dict], chain: str, seq: int) -> dict:
    (item,) = [i for i in items if i["chain_id"]["S"] == chain and i["seq"]["N"] == str(seq)]
    return item


def _rehash(item: dict) -> None:
    """What an attacker with write access does to make a record self-consistent."""
    plain = {k: (int(v["N"]) if "N" in v else v.get("S", v.get("M"))) for k, v in item.items()}
    plain["payload"] = {k: v["S"] for k, v in item["payload"]["M"].items()}
    item["record_hash"] = {"S": compute_hash(plain)}


def _verify(state: Path, *extra: str) -> tuple[int, set[tuple[str, str, int | None]]]:
    result = runner.invoke(app, ["audit", "verify", "--state", str(state), "--format", "json", *extra])
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    report = json.loads(result.stdout)
    return result.exit_code, {(f["kind"], f["chain_id"], f["seq"]) for f in report["findings"]}


def test_untouched_state_verifies_clean(pristine):
    code, findings = _verify(pristine)
    assert (code, findings) == (0, set())
    result = runner.invoke(app, ["audit", "verify", "--state", str(pristine)])
    assert result.exit_code == 0 and "OK: every chain verifies" in result.stdout
    assert "2 chain(s), 4 record(s)" in result.stdout


def test_an_edited_record_is_named_altered(state):
    chain, items = _case_chain(state), _lines(state)
    _record(items, chain, 2)["payload"]["M"]["priority"] = {"S": "normal"}
    _write(state, items)
    assert _verify(state) == (1, {("altered", chain, 2)})


def test_an_edited_and_rehashed_record_is_named_altered(state):
    chain, items = _case_chain(state), _lines(state)
    record = _record(items, chain, 2)
    record["payload"]["M"]["priority"] = {"S": "normal"}
    _rehash(record)
    _write(state, items)
    code, findings = _verify(state)
    assert code == 1 and ("altered", chain, 2) in findings
    assert {kind for kind, _, _ in findings} <= {"altered", "rewritten"}  # seq 2 was a signed head once


def test_a_record_inserted_in_the_middle_is_named_inserted(state):
    chain, items = _case_chain(state), _lines(state)
    second, third = _record(items, chain, 2), _record(items, chain, 3)
    forged = json.loads(json.dumps(second))
    forged["seq"] = {"N": "3"}
    forged["prev_hash"] = second["record_hash"]
    forged["payload"]["M"]["consent"] = {"S": "true"}
    _rehash(forged)
    third["seq"] = {"N": "4"}  # the old third record moves up to make room
    _write(state, [*items, forged])
    assert _verify(state) == (1, {("inserted", chain, 3)})


def test_a_record_appended_after_the_last_checkpoint_is_named_inserted(state):
    chain, items = _case_chain(state), _lines(state)
    third = _record(items, chain, 3)
    forged = json.loads(json.dumps(third))
    forged["seq"] = {"N": "4"}
    forged["prev_hash"] = third["record_hash"]
    _rehash(forged)
    _write(state, [*items, forged])
    assert _verify(state) == (1, {("inserted", chain, 4)})


def test_swapped_records_are_named_reordered(state):
    chain, items = _case_chain(state), _lines(state)
    second, third = _record(items, chain, 2), _record(items, chain, 3)
    second["seq"], third["seq"] = third["seq"], second["seq"]
    _write(state, items)
    assert _verify(state) == (1, {("reordered", chain, 2), ("reordered", chain, 3)})


def test_the_order_of_lines_in_the_file_means_nothing(state):
    items = _lines(state)
    _write(state, list(reversed(items)))
    assert _verify(state) == (0, set())


def test_a_deleted_record_is_named_deleted(state):
    chain, items = _case_chain(state), _lines(state)
    second = _record(items, chain, 2)
    _write(state, [i for i in items if i is not second])
    assert _verify(state) == (1, {("deleted", chain, 2)})


def test_a_deleted_record_hidden_by_renumbering_is_named_deleted(state):
    chain, items = _case_chain(state), _lines(state)
    second, third = _record(items, chain, 2), _record(items, chain, 3)
    third["seq"] = {"N": "2"}  # no gap left in seq
    _write(state, [i for i in items if i is not second])
    assert _verify(state) == (1, {("deleted", chain, 2)})


def test_a_cut_tail_is_named_truncated(state):
    chain, items = _case_chain(state), _lines(state)
    third = _record(items, chain, 3)
    _write(state, [i for i in items if i is not third])
    assert _verify(state) == (1, {("truncated", chain, 3)})


def test_a_deleted_chain_is_named_missing(state):
    chain, items = _case_chain(state), _lines(state)
    _write(state, [i for i in items if i["chain_id"]["S"] != chain])
    assert _verify(state) == (1, {("missing_chain", chain, 3)})


def test_a_chain_rewritten_with_fresh_hashes_is_named_rewritten(state):
    chain, items = _case_chain(state), _lines(state)
    previous = "0" * 64
    for seq in (1, 2, 3):
        record = _record(items, chain, seq)
        record["payload"]["M"]["priority"] = {"S": "normal"}
        record["prev_hash"] = {"S": previous}
        _rehash(record)
        previous = record["record_hash"]["S"]
    _write(state, items)
    assert _verify(state) == (1, {("rewritten", chain, 1)})


def _checkpoints(state: Path) -> list[dict]:
    return [json.loads(line) for line in (state / CHECKPOINT_FILE).read_text().splitlines()]


def _write_checkpoints(state: Path, envelopes: list[dict]) -> None:
    (state / CHECKPOINT_FILE).write_text("".join(json.dumps(e) + "\n" for e in envelopes))


def test_a_forged_checkpoint_is_named_bad_signature(state):
    envelopes = _checkpoints(state)
    assert len(envelopes) == 4  # one per call: each save signs the new heads
    chain = _case_chain(state)
    envelopes[0]["checkpoint"]["heads"][chain] = [9, "f" * 64]
    _write_checkpoints(state, envelopes)
    assert _verify(state) == (1, {("bad_signature", "", None)})
    # the latest checkpoint forged too: the chains it alone anchored are no longer proved
    envelopes[-1]["signature"] = envelopes[-1]["signature"][:-8] + "AAAAAAA="
    _write_checkpoints(state, envelopes)
    code, findings = _verify(state)
    other = {c for kind, c, _ in findings if kind == "inserted"}
    assert code == 1 and ("bad_signature", "", None) in findings and other and chain not in other


def test_a_rewrite_re_signed_with_a_new_local_key_fails_against_the_pinned_public_key(state, tmp_path):
    pinned = tmp_path / "pinned.pub.pem"
    shutil.copy(state / signing.PUBLIC_KEY_FILE, pinned)
    chain, items = _case_chain(state), _lines(state)
    _record(items, chain, 3)["payload"]["M"]["priority"] = {"S": "normal"}
    _rehash(_record(items, chain, 3))
    _write(state, items)
    (state / signing.FOLDER_ID_FILE).write_text("attacker\n")  # a key pair of their own, every checkpoint
    (state / signing.PUBLIC_KEY_FILE).unlink()
    records = [
        {"chain_id": i["chain_id"]["S"], "seq": int(i["seq"]["N"]), "record_hash": i["record_hash"]["S"]} for i in items
    ]
    from functions.logic.checkpoints import heads_from_records

    heads, _ = heads_from_records(records)
    signed = signing.sign_locally(state, make_body(heads, source="local", complete=True))
    _write_checkpoints(state, [signed])
    assert _verify(state) == (0, set())  # the folder's own (replaced) key is fooled: that is why we pin
    code, findings = _verify(state, "--public-key", str(pinned))
    assert code == 1 and ("bad_signature", "", None) in findings


def test_the_private_key_is_outside_the_folder_so_editing_the_folder_cannot_re_sign(state, tmp_path, monkeypatch):
    """Whoever can edit the folder (but not the key directory) finds no private key to sign with: a
    forged checkpoint needs a new key pair, and the folder's public key no longer matches it."""
    everything = "".join(p.read_text(errors="replace") for p in state.rglob("*") if p.is_file())
    assert "PRIVATE KEY" not in everything and not (state / signing.KEY_FILE).exists()
    key_file = signing.private_key_path(state)
    assert key_file.parent == signing.key_dir() and key_file.stat().st_mode & 0o077 == 0
    chain, items = _case_chain(state), _lines(state)
    _record(items, chain, 3)["payload"]["M"]["priority"] = {"S": "normal"}
    _rehash(_record(items, chain, 3))
    _write(state, items)
    monkeypatch.setenv(signing.KEY_DIR_ENV, str(tmp_path / "no-access"))  # the attacker cannot read the keys
    # signing a forged checkpoint is refused, not silently done with a fresh key
    with pytest.raises(signing.SigningKeyMissing):
        signing.sign_locally(state, make_body({chain: (3, "f" * 64)}, source="local", complete=True))


def test_export_from_a_state_folder_by_case_operator_and_dates(pristine, tmp_path):
    chain = _case_chain(pristine)
    case_id = chain.split("#", 1)[1]
    out = tmp_path / "case.csv"
    args = ["audit", "export", "--state", str(pristine), "--case", case_id, "--output", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0 and "3 record(s) written" in result.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("chain_id,seq,record_type") and len(lines) == 4
    assert [line.split(",")[1] for line in lines[1:]] == ["1", "2", "3"]
    everything = runner.invoke(app, ["audit", "export", "--state", str(pristine), "--format", "json"]).stdout
    rows = [json.loads(x) for x in everything.splitlines()]
    assert len(rows) == 4 and {r["country"] for r in rows} == {"pl"}
    actor = rows[0]["actor"]
    by_actor = runner.invoke(
        app, ["audit", "export", "--state", str(pristine), "--format", "json", "--operator", actor]
    )
    assert len(by_actor.stdout.splitlines()) == sum(1 for r in rows if r["actor"] == actor)
    later = runner.invoke(app, ["audit", "export", "--state", str(pristine), "--since", "2999-01-01"]).stdout
    assert later.splitlines() == [lines[0]]
