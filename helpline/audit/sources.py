"""Where the auditor's tools read and erase: a ``--state`` folder, or a deployed stack (boto3).

A person is found in either by pseudonym (:func:`pseudonym_for`). Both expose the same small
interface (plain items, i.e. DynamoDB JSON decoded):
``interactions()``, ``cases()``, ``checkpoints()``, ``public_key()``, ``hash_key()`` and, for
erasure, ``caller()``, ``cases_of()``, ``contact_links()``, ``survey_items()``, ``referrals_of()``
(read: a dry run stops here), then ``chain_head()``, ``erase_case()``, ``delete_caller()``,
``delete_contact_links()``, ``delete_surveys()``, ``redact_contacts()``, ``finish()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from functions.logic.archive import plain_item
from helpline.audit import local, signing
from helpline.state_folder import SECRET_FILE, read_state, write_table

CHECKPOINT_PREFIX = "checkpoints/"
_STATE_FILES = ("Interactions.jsonl", "Cases.jsonl", "Callers.jsonl", local.CHECKPOINT_FILE)


def to_wire(value: Any) -> dict[str, Any]:
    """Plain value -> DynamoDB JSON (strings, integers, booleans, maps, lists)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, dict):
        return {"M": {k: to_wire(v) for k, v in value.items()}}
    if isinstance(value, list):
        return {"L": [to_wire(v) for v in value]}
    if value is None:
        return {"NULL": True}
    return {"S": str(value)}


def pseudonym_for(number: str, key_text: str) -> str:
    """The caller's pseudonym as the handlers compute it, from a source's :meth:`hash_key` (raises
    ValueError for a bad number): how ``helpline erase`` and the survey campaigns find a person."""
    from functions.logic.pseudonym import key_bytes, normalise_e164, pseudonymise_with

    e164 = normalise_e164(number)
    if e164 is None:
        raise ValueError(f"{number!r} is not an E.164 phone number")
    return pseudonymise_with(key_bytes(key_text), e164)


def _seq_of(record: dict[str, Any]) -> int:
    try:
        return int(record.get("seq"))
    except (TypeError, ValueError):
        return -1


class LocalSource:
    """A sandbox state folder (JSON Lines per table, DynamoDB JSON; see helpline.sandbox)."""

    has_connect = False  # no Amazon Connect contact records behind a state folder

    def __init__(self, folder: Path, public_key_file: Path | None = None) -> None:
        self.folder = folder
        self.public_key_file = public_key_file
        if not any((folder / name).exists() for name in _STATE_FILES):
            raise ValueError(f"{folder}: not a state folder (no table files, no {local.CHECKPOINT_FILE})")
        self.state = {name: [line.item for line in lines] for name, lines in read_state(folder).items()}
        self.changed: set[str] = set()

    def describe(self) -> str:
        return f"state folder {self.folder}"

    def _items(self, table: str) -> list[dict[str, Any]]:
        return [plain_item(i) for i in self.state.get(table, [])]

    def interactions(self) -> list[dict[str, Any]]:
        return self._items("Interactions")

    def cases(self) -> list[dict[str, Any]]:
        return self._items("Cases")

    def checkpoints(self) -> list[tuple[str, Any]]:
        return local.read_checkpoints(self.folder)

    def archive(self) -> list[dict[str, Any]]:
        return []  # a state folder has no archive bucket

    def public_key(self) -> Any:
        if self.public_key_file is not None:
            return signing.public_key_from_pem(self.public_key_file.read_bytes())
        return signing.local_public_key(self.folder)

    def hash_key(self) -> str:
        return (self.folder / SECRET_FILE).read_text(encoding="ascii").strip()

    # -- erasure
    def caller(self, pseudonym: str) -> dict[str, Any] | None:
        found = [i for i in self.state.get("Callers", []) if i.get("caller_id", {}).get("S") == pseudonym]
        return plain_item(found[0]) if found else None

    def delete_caller(self, pseudonym: str) -> None:
        self._drop("Callers", lambda i: i.get("caller_id", {}).get("S") == pseudonym)

    def cases_of(self, pseudonym: str) -> list[dict[str, Any]]:
        return [plain_item(i) for i in self.state.get("Cases", []) if i.get("caller_id", {}).get("S") == pseudonym]

    def chain_head(self, chain_id: str) -> dict[str, Any] | None:
        records = [r for r in self.interactions() if r.get("chain_id") == chain_id]
        return max(records, key=_seq_of) if records else None

    def erase_case(self, case: dict[str, Any], fields: list[str], record: dict[str, Any]) -> None:
        for item in self.state.get("Cases", []):
            if item["case_id"]["S"] == case["case_id"]:
                for name in fields:
                    item.pop(name, None)
                item["chain_seq"] = {"N": str(record["seq"])}
                item["chain_head"] = {"S": record["record_hash"]}
        self.state.setdefault("Interactions", []).append({k: to_wire(v) for k, v in record.items()})
        self.changed.update({"Cases", "Interactions"})

    def contact_links(self, pseudonym: str) -> list[str]:
        """Contact ids the ContactLinks table links to the caller (every identified call)."""
        rows = self.state.get("ContactLinks", [])
        return sorted(i["contact_id"]["S"] for i in rows if i.get("caller_id", {}).get("S") == pseudonym)

    def delete_contact_links(self, contacts: list[str]) -> int:
        wanted = set(contacts)
        return self._drop("ContactLinks", lambda i: i.get("contact_id", {}).get("S") in wanted)

    def survey_items(self, keys: set[str]) -> list[tuple[str, str]]:
        rows = self.state.get("SurveyResponses", [])
        return sorted(
            (i["response_key"]["S"], i["item_key"]["S"]) for i in rows if i.get("response_key", {}).get("S") in keys
        )

    def delete_surveys(self, items: list[tuple[str, str]]) -> int:
        wanted = set(items)
        return self._drop(
            "SurveyResponses", lambda i: (i.get("response_key", {}).get("S"), i.get("item_key", {}).get("S")) in wanted
        )

    def referrals_of(self, case_ids: list[str]) -> list[tuple[str, str]]:
        """(referral id, partner id) of the cases' referrals: copies the partners hold."""
        wanted = set(case_ids)
        rows = [plain_item(i) for i in self.state.get("Referrals", [])]
        return sorted((r["referral_id"], r["partner_id"]) for r in rows if r.get("case_id") in wanted)

    def redact_contacts(self, contacts: list[str]) -> tuple[int, list[str], list[str]]:
        return 0, [], []  # no Amazon Connect behind a state folder

    def _drop(self, table: str, match: Any) -> int:
        before = self.state.get(table, [])
        kept = [i for i in before if not match(i)]
        if len(kept) != len(before):
            self.state[table] = kept
            self.changed.add(table)
        return len(before) - len(kept)

    def finish(self) -> None:
        """Write the changed tables (same format as the sandbox) and sign a new checkpoint."""
        for table in sorted(self.changed):
            write_table(self.folder, table, self.state[table])
        local.write_checkpoint(self.folder)
