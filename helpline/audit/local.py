"""A ``--state`` folder as an audit source: its tables (JSON Lines, DynamoDB JSON) and its signed
checkpoints (``audit-checkpoints.jsonl``: one signed envelope per line, appended by the sandbox
each time it saves the folder and by ``helpline erase``).

Local checkpoints are *complete*: they hold the head of every chain in the folder at that moment,
so after the latest one nothing may have been appended that it does not cover.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from functions.logic import archive, checkpoints
from helpline.audit import signing
from helpline.state_folder import atomic_write, read_state

CHECKPOINT_FILE = "audit-checkpoints.jsonl"


def read_table(folder: Path, logical: str) -> list[dict[str, Any]]:
    """Plain items of one table file (raises SandboxStateError on a corrupt folder)."""
    state = read_state(folder)
    return [archive.plain_item(line.item) for line in state.get(logical, [])]


def read_checkpoints(folder: Path) -> list[tuple[str, Any]]:
    """(``file:line``, parsed JSON or None when unreadable) of every checkpoint, oldest first."""
    path = folder / CHECKPOINT_FILE
    if not path.exists():
        return []
    out: list[tuple[str, Any]] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            out.append((f"{CHECKPOINT_FILE}:{number}", json.loads(line)))
        except ValueError:
            out.append((f"{CHECKPOINT_FILE}:{number}", None))
    return out


def _latest_heads(folder: Path) -> dict[str, Any] | None:
    bodies = [
        env["checkpoint"]
        for _, env in read_checkpoints(folder)
        if isinstance(env, dict) and isinstance(env.get("checkpoint"), dict)
    ]
    if not bodies:
        return None
    return max(bodies, key=lambda b: str(b.get("created_at")))["heads"]


def write_checkpoint(folder: Path, *, force: bool = False) -> Path | None:
    """Sign the heads of every chain in the folder; skipped when they equal the latest checkpoint's."""
    records = read_table(folder, "Interactions")
    heads, expires = checkpoints.heads_from_records(records)
    body = checkpoints.make_body(heads, expires, source="local", complete=True)
    if not force and _latest_heads(folder) == body["heads"]:
        return None
    if not heads and _latest_heads(folder) is None and not force:
        return None  # an empty folder has nothing to anchor yet
    signed = signing.sign_locally(folder, body)
    path = folder / CHECKPOINT_FILE
    existing = path.read_bytes() if path.exists() else b""
    if existing and not existing.endswith(b"\n"):
        existing += b"\n"
    atomic_write(path, existing + checkpoints.canonical(signed) + b"\n")
    return path
