"""The ``--state`` folder's format: what the sandbox writes and the audit and campaign tools read.

``helpline call ... --state DIR`` (:func:`helpline.sandbox.local_backend`) keeps its tables there
between runs; ``helpline audit``, ``helpline erase`` and ``helpline survey-campaign`` read the same
folder (:class:`helpline.audit.sources.LocalSource`) and write it back. This module is the one
place that knows the format, so the sandbox and the tools cannot drift apart:

- one JSON Lines file per table, ``<LogicalName>.jsonl`` (:data:`STATE_SUFFIX`): one item per
  line in DynamoDB JSON, the wire format, sorted by key (:func:`write_table`, :func:`read_state`);
- ``caller-hash-key.secret`` (:data:`SECRET_FILE`, mode 0600): the key material of the caller
  pseudonyms (:func:`load_secret`);
- every file replaced atomically (:func:`atomic_write`); a corrupt file is one
  :class:`SandboxStateError` naming the file and line.

The signed checkpoints (``audit-checkpoints.jsonl``) are the audit's: :mod:`helpline.audit.local`.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SECRET_FILE = "caller-hash-key.secret"  # noqa: S105 - a file name, not a secret
STATE_SUFFIX = ".jsonl"
_TYPES = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}


class SandboxStateError(ValueError):
    """A state file of ``local_backend(state_dir=...)`` cannot be used (message: file:line: why)."""


@dataclass
class StateLine:
    """One item of a table file, with where it stands (for an error that names the line)."""

    path: Path
    line: int
    item: dict[str, Any]


def key_schema(model: Any) -> list[tuple[str, str]]:
    """[(attribute name, "S"|"N"|"B"), ...] of a model's primary key (what a table file is sorted by)."""
    keys = []
    for attr in model.get_attributes().values():
        if attr.is_hash_key or attr.is_range_key:
            keys.append((attr.attr_name, attr.attr_type))
    return keys


def _check_value(value: Any, where: str) -> None:
    if not isinstance(value, dict) or len(value) != 1:
        raise ValueError(f'{where}: expected a DynamoDB JSON value like {{"S": "..."}}')
    ((kind, inner),) = value.items()
    if kind not in _TYPES:
        raise ValueError(f"{where}: unknown DynamoDB type {kind!r}")
    ok = {
        "S": isinstance(inner, str),
        "B": isinstance(inner, str),
        "BOOL": isinstance(inner, bool),
        "NULL": inner is True,
        "M": isinstance(inner, dict),
        "L": isinstance(inner, list),
        "SS": isinstance(inner, list) and all(isinstance(v, str) for v in inner),
        "BS": isinstance(inner, list) and all(isinstance(v, str) for v in inner),
        "N": isinstance(inner, str),
        "NS": isinstance(inner, list) and all(isinstance(v, str) for v in inner),
    }[kind]
    if not ok:
        raise ValueError(f"{where}: {kind} value has the wrong JSON type")
    if kind in ("N", "NS"):
        for number in [inner] if kind == "N" else inner:
            try:
                float(number)
            except ValueError:
                raise ValueError(f"{where}: {number!r} is not a number") from None
    if kind in ("B", "BS"):
        for blob in [inner] if kind == "B" else inner:
            try:
                base64.b64decode(blob, validate=True)
            except ValueError:
                raise ValueError(f"{where}: binary value is not base64") from None
    if kind == "M":
        for key, sub in inner.items():
            _check_value(sub, f"{where}.{key}")
    if kind == "L":
        for i, sub in enumerate(inner):
            _check_value(sub, f"{where}[{i}]")


def read_state(state_dir: Path) -> dict[str, list[StateLine]]:
    """Parse and validate every table file of a state folder (no AWS needed).

    Raises SandboxStateError("<file>:<line>: <reason>") on the first problem.
    """
    from functions.dal.models import ALL_MODELS

    out: dict[str, list[StateLine]] = {}
    for model in ALL_MODELS:
        path = state_dir / f"{model.LOGICAL_NAME}{STATE_SUFFIX}"
        if not path.exists():
            continue
        keys = key_schema(model)
        lines: list[StateLine] = []
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SandboxStateError(f"{path}: cannot read the state file: {exc}") from None
        seen: set[tuple] = set()
        for number, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                continue
            try:
                item = json.loads(raw)
                if not isinstance(item, dict) or not item:
                    raise ValueError("expected one JSON object (a DynamoDB item) per line")
                for name, value in item.items():
                    _check_value(value, name)
                for name, kind in keys:
                    if name not in item or kind not in item[name]:
                        raise ValueError(f"key attribute {name!r} ({kind}) is missing")
                key = tuple(json.dumps(item[name], sort_keys=True) for name, _ in keys)
                if key in seen:
                    raise ValueError("duplicate key: the same item appears twice")
                seen.add(key)
            except ValueError as exc:  # json.JSONDecodeError is a ValueError
                raise SandboxStateError(f"{path}:{number}: {exc}") from None
            lines.append(StateLine(path, number, item))
        out[model.LOGICAL_NAME] = lines
    return out


def write_table(state_dir: Path, logical: str, items: list[dict[str, Any]]) -> None:
    """Replace ``<state_dir>/<logical>.jsonl`` with ``items`` (DynamoDB JSON), sorted by key, atomically."""
    from functions.dal.models import MODELS_BY_LOGICAL_NAME

    keys = [name for name, _ in key_schema(MODELS_BY_LOGICAL_NAME[logical])]
    ordered = sorted(items, key=lambda i: [json.dumps(i.get(k), sort_keys=True) for k in keys])
    text = "".join(json.dumps(i, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n" for i in ordered)
    atomic_write(state_dir / f"{logical}{STATE_SUFFIX}", text.encode("utf-8"))


def atomic_write(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` (temporary file in the same folder, fsync, rename; mode 0600)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_secret(state_dir: Path) -> str:
    """The folder's caller hash key (:data:`SECRET_FILE`), created (0600) on first use; a key file
    that cannot be read or is shorter than 32 characters is a :class:`SandboxStateError`."""
    path = state_dir / SECRET_FILE
    if path.exists():
        try:
            value = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise SandboxStateError(f"{path}: cannot read the hash key: {exc}") from None
        if len(value) < 32:
            raise SandboxStateError(f"{path}:1: the hash key must be at least 32 characters")
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return value
    value = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(value + "\n")
    return value
