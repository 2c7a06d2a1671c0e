"""``helpline audit verify``: check every interaction chain against itself and the signed checkpoints.

Finding kinds (one per problem; ``seq`` is the position in the chain the finding is about):

============== =====================================================================================
altered        a record's fields no longer give its ``record_hash`` (edited), or a record was
               edited and re-hashed so its successor's ``prev_hash`` no longer points to it
inserted       a well-formed record that the chain does not lead to (added in the middle, or after
               the latest *complete* checkpoint), or a whole chain the latest complete checkpoint
               does not know
reordered      a record hashed for one ``seq`` stored at another (records swapped or renumbered)
deleted        a record that a later record links to is gone (``prev_hash`` points to nothing)
truncated      a signed checkpoint names a head beyond the chain's last record (tail cut off)
missing_chain  a signed checkpoint names a chain that has no record at all (deleted whole) and
               whose retention has not ended
rewritten      the record at a checkpointed ``seq`` is well-formed but has another hash than the
               signed one: the chain was rewritten with fresh hashes
bad_signature  a checkpoint whose signature does not verify with the public key (its heads are
               then not used)
no_checkpoint  no valid signed checkpoint at all (nothing is anchored: cut tails, deleted or rewritten
               chains would go unseen), or, in a stream source, a chain no checkpoint names although
               its last record is older than the newest checkpoint by more than STREAM_GRACE
overwritten    (archive) an object key with more than one version: every version is named and every
               version's content was checked (a reader of the newest version alone can be fooled)
delete_marker  (archive) a delete marker hides a key's versions (they were still checked)
record_mismatch (archive) an archived chain record whose record_hash differs from the table's record
               at the same chain and seq
============== =====================================================================================

Archive findings come from every object VERSION of the archive bucket (ListObjectVersions): Object
Lock keeps every version, so an overwrite cannot hide what was written first.
https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectVersions.html
https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html

Records are read in key order (chain_id, numeric seq) as a DynamoDB Query returns them; the
order of lines in a state file carries no meaning.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from functions.logic.chain import GENESIS, compute_hash
from helpline.audit import signing

KINDS = (
    "altered",
    "inserted",
    "reordered",
    "deleted",
    "truncated",
    "missing_chain",
    "rewritten",
    "bad_signature",
    "no_checkpoint",
    "overwritten",
    "delete_marker",
    "record_mismatch",
)
STREAM_GRACE = 3600  # seconds a stream chain may wait for its first checkpoint (retried batches)


@dataclass(frozen=True)
class Finding:
    kind: str
    chain_id: str
    seq: int | None
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Anchor:
    seq: int
    record_hash: str
    checkpoint: str
    expires_at: int | None


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    chains: int = 0
    records: int = 0
    checkpoints: int = 0
    valid_checkpoints: int = 0
    pending: int = 0  # records after the last checkpoint of a partial (stream) source
    expired_chains: int = 0
    key: str = ""
    newest_checkpoint: str = ""  # created_at of the newest valid checkpoint
    archive_versions: int = 0  # object versions of the archive read (stack)

    @property
    def ok(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data


def _seq(record: dict[str, Any]) -> int | None:
    value = record.get("seq")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _hash_at(record: dict[str, Any], seq: int) -> bool:
    return compute_hash({**record, "seq": seq}) == record.get("record_hash")


def _original_seq(record: dict[str, Any], limit: int) -> int | None:
    """The seq this record was hashed for (its stored seq when intact), or None if it was edited."""
    stored = _seq(record)
    if stored is not None and _hash_at(record, stored):
        return stored
    for k in range(1, limit + 1):
        if k != stored and _hash_at(record, k):
            return k
    return None


def read_anchors(
    entries: list[tuple[str, Any]], public_key: Any, report: Report
) -> tuple[dict[str, list[Anchor]], set[str] | None]:
    """Valid checkpoints -> anchors per chain, and the chains of the latest complete checkpoint."""
    anchors: dict[str, list[Anchor]] = {}
    latest_complete: tuple[str, set[str]] | None = None
    for name, envelope in entries:
        report.checkpoints += 1
        body = envelope.get("checkpoint") if isinstance(envelope, dict) else None
        if not isinstance(body, dict) or public_key is None or not signing.signature_ok(envelope, public_key):
            why = "no public key to check it" if public_key is None else "signature does not verify"
            report.findings.append(Finding("bad_signature", "", None, f"{name}: {why}; its heads are ignored"))
            continue
        report.valid_checkpoints += 1
        report.newest_checkpoint = max(report.newest_checkpoint, str(body.get("created_at") or ""))
        expires = body.get("expires") or {}
        for chain_id, (seq, digest) in (body.get("heads") or {}).items():
            anchors.setdefault(chain_id, []).append(Anchor(int(seq), str(digest), name, expires.get(chain_id)))
        if body.get("complete"):
            stamp = str(body.get("created_at"))
            if latest_complete is None or stamp > latest_complete[0]:
                latest_complete = (stamp, set((body.get("heads") or {}).keys()))
    return anchors, (latest_complete[1] if latest_complete else None)


def verify(
    records: list[dict[str, Any]],
    entries: list[tuple[str, Any]],
    public_key: Any,
    *,
    now: float | None = None,
    archive: list[dict[str, Any]] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Check all chains (plain interaction records) against the checkpoint envelopes and, for a stack,
    every version of the archive's objects (``archive``: see :func:`check_archive`).  ``progress`` is
    told (chains checked, chains) after each chain: a progress bar."""
    report = Report(key=signing.fingerprint(public_key) if public_key is not None else "")
    anchors, complete_chains = read_anchors(entries, public_key, report)
    report.archive_versions = len(archive or [])
    report.findings.extend(check_archive(archive or [], records))
    report.findings.extend(_unanchored(records, anchors, entries, report, complete_chains is not None))
    chains: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        chains.setdefault(str(record.get("chain_id")), []).append(record)
    report.chains, report.records = len(chains), len(records)
    clock = time.time() if now is None else now
    for chain_id, chain_anchors in sorted(anchors.items()):
        if chain_id in chains:
            continue
        if all(a.expires_at is not None and a.expires_at <= clock for a in chain_anchors):
            report.expired_chains += 1
            continue
        top = max(chain_anchors, key=lambda a: a.seq)
        report.findings.append(
            Finding(
                "missing_chain",
                chain_id,
                top.seq,
                f"signed in {top.checkpoint} with head seq {top.seq}; no record left",
            )
        )
    for number, (chain_id, items) in enumerate(sorted(chains.items()), start=1):
        if progress is not None:
            progress(number - 1, len(chains))
        if complete_chains is not None and chain_id not in complete_chains:
            report.findings.append(
                Finding("inserted", chain_id, None, "chain created after the latest complete checkpoint")
            )
            continue
        report.findings.extend(
            _check_chain(chain_id, items, anchors.get(chain_id, []), complete_chains is not None, report)
        )
    if progress is not None:
        progress(len(chains), len(chains))
    return report


def _epoch(stamp: Any) -> float | None:
    from datetime import datetime

    try:
        return datetime.fromisoformat(str(stamp).replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _unanchored(
    records: list[dict[str, Any]], anchors: dict[str, list[Anchor]], entries: list, report: Report, complete: bool
) -> list[Finding]:
    """``no_checkpoint``: none valid at all; or (stream) a chain left unsigned well after newer checkpoints."""
    if not report.valid_checkpoints:
        why = f"{len(entries)} checkpoint(s), none with a valid signature" if entries else "no checkpoint at all"
        return [Finding("no_checkpoint", "", None, f"{why}: nothing is anchored (cut tails, deletions go unseen)")]
    newest = _epoch(report.newest_checkpoint)
    if complete or newest is None:
        return []  # a complete checkpoint names every chain: a chain it does not know is "inserted"
    last: dict[str, dict[str, Any]] = {}
    for record in records:
        chain = str(record.get("chain_id"))
        if chain not in anchors and str(record.get("recorded_at")) >= str(last.get(chain, {}).get("recorded_at", "")):
            last[chain] = record
    out = []
    for chain, record in sorted(last.items()):
        written = _epoch(record.get("recorded_at"))
        if written is not None and newest - written > STREAM_GRACE:
            detail = f"last record written {record.get('recorded_at')}, newest checkpoint {report.newest_checkpoint}"
            out.append(Finding("no_checkpoint", chain, _seq(record), f"no valid checkpoint names this chain; {detail}"))
    return out


def check_archive(versions: list[dict[str, Any]], records: list[dict[str, Any]]) -> list[Finding]:
    """Every object version of the archive: ``{"key", "version_id", "latest", "modified", "delete_marker",
    "lines"}`` (``lines``: the parsed JSON Lines of a record object, else None)."""
    findings: list[Finding] = []
    by_key: dict[str, list[dict[str, Any]]] = {}
    for version in versions:
        by_key.setdefault(version["key"], []).append(version)
    table = {(str(r.get("chain_id")), _seq(r)): r.get("record_hash") for r in records}
    for key, found in sorted(by_key.items()):
        objects = sorted((v for v in found if not v["delete_marker"]), key=lambda v: str(v["modified"]))
        for marker in (v for v in found if v["delete_marker"]):
            findings.append(
                Finding(
                    "delete_marker",
                    "",
                    None,
                    f"{key}: delete marker {marker['version_id']} hides {len(objects)} version(s); all were checked",
                )
            )
        if len(objects) > 1:
            ids = ", ".join(f"{v['version_id']} ({v['modified']})" for v in objects)
            findings.append(
                Finding(
                    "overwritten",
                    "",
                    None,
                    f"{key}: {len(objects)} versions, oldest first: {ids}; newest {objects[-1]['version_id']}; every version was checked",
                )
            )
        for version in objects:
            findings.extend(_mismatches(key, version, table))
    return findings


def _mismatches(key: str, version: dict[str, Any], table: dict[tuple[str, int | None], Any]) -> list[Finding]:
    out = []
    for line in version.get("lines") or []:
        new = line.get("new") if isinstance(line, dict) else None
        if not isinstance(new, dict) or line.get("table") != "Interactions" or "record_hash" not in new:
            continue
        where = (str(new.get("chain_id")), _seq(new))
        stored = table.get(where)
        if stored is not None and stored != new["record_hash"]:
            detail = f"{key} (version {version['version_id']}) archived hash {str(new['record_hash'])[:16]}..., the table has {str(stored)[:16]}..."
            out.append(Finding("record_mismatch", where[0], where[1], detail))
    return out


class _Chain:
    """One chain's records with their stored and original seq, and the walk's bookkeeping."""

    def __init__(self, chain_id: str, records: list[dict[str, Any]]) -> None:
        self.chain_id = chain_id
        self.records = sorted(records, key=lambda r: (_seq(r) is None, _seq(r) or 0))
        limit = max((_seq(r) or 0 for r in records), default=0) + len(records)
        self.orig = {id(r): _original_seq(r, limit) for r in self.records}
        self.by_hash: dict[str, list[dict[str, Any]]] = {}
        for record in self.records:
            self.by_hash.setdefault(str(record.get("record_hash")), []).append(record)
        self.visited: set[int] = set()
        self.deleted: list[int] = []
        self.findings: list[Finding] = []

    def add(self, kind: str, seq: int | None, detail: str) -> None:
        self.findings.append(Finding(kind, self.chain_id, seq, detail))

    def top(self) -> dict[str, Any]:
        numbered = [r for r in self.records if _seq(r) is not None] or self.records
        return numbered[-1]

    def below(self, seq: int) -> dict[str, Any] | None:
        """The unvisited record with the highest seq (original, else stored) below ``seq``."""
        best = None
        for record in self.records:
            position = self.orig[id(record)] or _seq(record)
            if id(record) in self.visited or position is None or position >= seq:
                continue
            if best is None or position > (self.orig[id(best)] or _seq(best) or 0):
                best = record
        return best

    def walk(self, start: dict[str, Any]) -> None:
        """Follow prev_hash links from ``start`` down to GENESIS, naming what is altered or gone."""
        current: dict[str, Any] | None = start
        while current is not None and id(current) not in self.visited:
            self.visited.add(id(current))
            stored, original = _seq(current), self.orig[id(current)]
            if original is None:
                self.add("altered", stored, "the record's fields do not give its record_hash")
            position = original or stored or 1
            previous = current.get("prev_hash")
            if previous == GENESIS:
                return
            linked = [r for r in self.by_hash.get(str(previous), []) if id(r) not in self.visited]
            if linked:
                current = linked[0]
                continue
            rehashed = [r for r in self.records if id(r) not in self.visited and _seq(r) == position - 1]
            if rehashed and self.orig[id(rehashed[0])] == position - 1:
                self.add("altered", position - 1, "edited and re-hashed: the next record's prev_hash no longer matches")
                current = rehashed[0]
                continue
            current = self.below(position - 1)
            lower = (self.orig[id(current)] or _seq(current) or 0) if current is not None else 0
            missing = list(range(lower + 1, position))
            self.deleted.extend(missing)
            span = f"{missing[0]}..{missing[-1]}" if len(missing) > 1 else str(missing[0] if missing else position - 1)
            self.add(
                "deleted",
                missing[0] if missing else position - 1,
                f"record(s) {span} missing: seq {position} links to a hash no record has",
            )

    def extend(self, head: dict[str, Any]) -> int:
        """Follow well-formed records linked AFTER ``head`` (a stream's not yet checkpointed tail)."""
        count, current = 0, head
        while True:
            position = (self.orig[id(current)] or 0) + 1
            following = [
                r
                for r in self.records
                if id(r) not in self.visited
                and r.get("prev_hash") == current.get("record_hash")
                and _seq(r) == self.orig[id(r)] == position
            ]
            if not following:
                return count
            current = following[0]
            self.visited.add(id(current))
            count += 1

    def leftovers(self, anchored_top: int) -> None:
        """Name the records off the walked path, and records stored at another seq than hashed for."""
        inserted_at: list[int] = []
        for record in self.records:
            if id(record) in self.visited:
                continue
            stored, original = _seq(record), self.orig[id(record)]
            if original is None and not (stored is not None and stored > anchored_top):
                self.add("altered", stored, "the record's fields do not give its record_hash")
                continue
            inserted_at.append(stored if stored is not None else 0)
            self.add("inserted", stored, "a record the chain does not lead to")
        for record in self.records:
            stored, original = _seq(record), self.orig[id(record)]
            if id(record) not in self.visited or original is None or stored == original or stored is None:
                continue
            shift = sum(1 for s in inserted_at if s < stored) - sum(1 for d in self.deleted if d < original)
            if stored - original != shift:
                self.add("reordered", stored, f"record hashed as seq {original} is stored as seq {stored}")


def _check_anchors(chain: _Chain, anchors: list[Anchor]) -> None:
    stored = {(_seq(r)): r for r in chain.records if _seq(r) is not None}
    last = max(stored, default=0)
    cut = [a for a in anchors if a.record_hash not in chain.by_hash and a.seq > last]
    if cut:
        top = max(cut, key=lambda a: a.seq)
        chain.add("truncated", top.seq, f"{top.checkpoint} signed head seq {top.seq}; the chain ends at seq {last}")
    rewritten = sorted(
        {
            a.seq
            for a in anchors
            if a.record_hash not in chain.by_hash
            and a.seq in stored
            and chain.orig[id(stored[a.seq])] == a.seq  # well-formed, yet not the signed record
        }
    )
    if rewritten:
        chain.add(
            "rewritten",
            rewritten[0],
            f"record(s) at seq {', '.join(map(str, rewritten))} are well-formed but differ from the signed checkpoint",
        )


def _check_chain(
    chain_id: str, records: list[dict[str, Any]], anchors: list[Anchor], strict: bool, report: Report
) -> list[Finding]:
    chain = _Chain(chain_id, records)
    _check_anchors(chain, anchors)
    top_anchor = max(anchors, key=lambda a: a.seq) if anchors else None
    anchored_top = top_anchor.seq if top_anchor else 0
    anchored = chain.by_hash.get(top_anchor.record_hash) if top_anchor is not None else None
    start = anchored[0] if anchored else chain.top()
    chain.walk(start)
    if not strict:  # a stream source: records after the chain's last checkpoint are not proved yet
        if anchored:
            report.pending += chain.extend(start)
        else:
            report.pending += sum(1 for r in chain.records if id(r) in chain.visited and (_seq(r) or 0) > anchored_top)
    chain.leftovers(anchored_top)
    return sorted(chain.findings, key=lambda f: (f.seq or 0, f.kind))
