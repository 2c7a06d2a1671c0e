"""Property test of verify(): random chains built as the sandbox builds them (a complete signed
checkpoint after every append) or as the stream does (a checkpoint of the appended chain's head),
one random attack on one chain; the exact finding is named, and the other chains stay clean."""

from __future__ import annotations

import copy

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.logic import checkpoints
from functions.logic.chain import GENESIS, compute_hash
from helpline.audit.verify import verify

KEY = ec.generate_private_key(ec.SECP256R1())
ATTACKS = ("edit", "delete", "cut", "swap", "drop_chain", "rewrite", "insert", "append")


def _record(chain_id: str, seq: int, previous: str, tag: str = "a") -> dict:
    record = {
        "chain_id": chain_id,
        "seq": seq,
        "record_type": "screening_saved",
        "contact_id": f"{chain_id}-{seq}",
        "case_id": chain_id.split("#")[1],
        "actor": "contact_flow",
        "occurred_at": "2026-03-02T10:00:00Z",
        "recorded_at": "2026-03-02T10:00:00Z",
        "payload": {"tag": tag},
        "prev_hash": previous,
        "expires_at": 1900000000,
    }
    record["record_hash"] = compute_hash(record)
    return record


def _build(order: list[int], complete: bool) -> tuple[dict[str, list[dict]], list[tuple[str, dict]]]:
    """complete: the sandbox (every chain's head after each save); else a stream batch per append."""
    chains: dict[str, list[dict]] = {}
    entries = []
    for step, index in enumerate(order):
        chain_id = f"case#PL-{index}"
        chain = chains.setdefault(chain_id, [])
        chain.append(_record(chain_id, len(chain) + 1, chain[-1]["record_hash"] if chain else GENESIS))
        covered = [r for c in chains.values() for r in c] if complete else [chain[-1]]
        heads, expires = checkpoints.heads_from_records(covered)
        source = "local" if complete else "stream"
        body = checkpoints.make_body(
            heads, expires, source=source, complete=complete, created_at=f"2026-03-02T10:{step:02d}Z"
        )
        signature = KEY.sign(checkpoints.signed_message(body), ec.ECDSA(hashes.SHA256()))
        entries.append((f"cp{step}", checkpoints.envelope(body, signature, "test")))
    return chains, entries


def _relink(chain: list[dict], start: int) -> None:
    for i in range(start, len(chain)):
        chain[i]["prev_hash"] = chain[i - 1]["record_hash"] if i else GENESIS
        chain[i]["record_hash"] = compute_hash(chain[i])


def _attack(chain: list[dict], attack: str, i: int, j: int) -> tuple[list[dict], set]:
    """Apply one attack to a copy of a chain of n >= 3 records (1 <= i < j <= n); expected findings."""
    n, cid = len(chain), chain[0]["chain_id"]
    chain = copy.deepcopy(chain)
    if attack == "edit":
        chain[i - 1]["payload"] = {"tag": "forged"}
        return chain, {("altered", cid, i)}
    if attack == "delete":
        del chain[i - 1]
        return chain, {("deleted", cid, i)}
    if attack == "cut":
        return chain[: i - 1] if i > 1 else chain[:1], {("truncated", cid, n)}
    if attack == "swap":
        chain[i - 1]["seq"], chain[j - 1]["seq"] = j, i
        return chain, {("reordered", cid, i), ("reordered", cid, j)}
    if attack == "drop_chain":
        return [], {("missing_chain", cid, n)}
    if attack == "rewrite":
        chain[i - 1]["payload"] = {"tag": "forged"}
        _relink(chain, i - 1)
        return chain, {("rewritten", cid, i)}
    if attack == "insert":
        forged = _record(cid, i + 1, chain[i - 1]["record_hash"], tag="forged")
        for record in chain[i:]:
            record["seq"] += 1
        return chain[:i] + [forged] + chain[i:], {("inserted", cid, i + 1)}
    forged = _record(cid, n + 1, chain[-1]["record_hash"], tag="forged")  # append
    return chain + [forged], {("inserted", cid, n + 1)}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    extra=st.lists(st.integers(min_value=0, max_value=2), min_size=0, max_size=8),
    attack=st.sampled_from(ATTACKS),
    picks=st.tuples(st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=20)),
    data=st.randoms(use_true_random=False),
    complete=st.booleans(),
)
def test_one_attack_on_one_chain_is_named_exactly(extra, attack, picks, data, complete):
    order = [0, 0, 0, *extra]  # chain 0 has at least three records
    data.shuffle(order)
    chains, entries = _build(order, complete)
    target = chains["case#PL-0"]
    n = len(target)
    i = picks[0] % (n - 1) + 1  # 1 .. n-1
    j = i + 1 + picks[1] % (n - i)  # i+1 .. n
    if attack in ("edit", "rewrite") and picks[0] % 2:
        i = j  # the head too
    if attack == "cut":
        i = max(i, 2)  # keep at least one record (a chain without records is drop_chain)
    attacked, expected = _attack(target, attack, i, j)
    if attack == "append" and not complete:
        expected = set()  # a stream source cannot tell a well-formed append yet: it is pending
    records = attacked + [r for cid, chain in chains.items() if cid != "case#PL-0" for r in chain]
    report = verify(records, entries, KEY.public_key())
    assert {(f.kind, f.chain_id, f.seq) for f in report.findings} == expected, (attack, i, j, n, complete)
    assert report.pending == (1 if attack == "append" and not complete else 0)
    assert verify([r for c in chains.values() for r in c], entries, KEY.public_key()).ok
