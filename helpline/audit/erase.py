"""``helpline erase``: remove one caller's personal data everywhere the project stores it.

What goes (the caller is found by pseudonym = HMAC of the E.164 number, see
:mod:`functions.logic.pseudonym`):

- the Callers item (pseudonym, preferred language, open-case pointer, contact ids, block);
- on each of the caller's cases: the pseudonym (``caller_id``) and the free-text fields
  (``note`` and any other of :data:`functions.logic.archive.PERSONAL_FIELDS`);
- the post-call survey answers of the contacts those items name (keyed by
  sha256("survey:" + ContactId), so they are linkable through the contact ids);
- on a deployed stack, the caller's number in Amazon Connect's own contact records of those
  contacts (DeleteContactData, field CUSTOMER_ENDPOINT);
- the person's entries on every outbound survey campaign list (CampaignContact: the phone number,
  language, consent reference; found by pseudonym, see :mod:`helpline.surveys.campaign`), and
  through the ContactId of each entry's last survey call, that call's survey answers and (stack)
  the number in Connect's record of it.

The survey opt-out entry (SurveyOptOut, keyed by the pseudonym, no number) is kept on purpose: it is
the suppression list, and erasing it would let the next campaign list call the person again.

What stays: the cases' codes, referrals (ids, partner, needs codes: no caller link once the case
has none), and every chain record (payloads hold ids and codes only).  Each affected case chain
gets one tombstone record, ``record_type`` ``erased``, payload counts only, linked and hashed like
any record, so the chain still verifies; the next signed checkpoint covers it (a ``--state``
folder is re-signed at once; a stack's archive_records signs it from the stream).

The archive bucket never held personal fields (archive_records removes them before writing).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from functions.logic.archive import PERSONAL_FIELDS
from functions.logic.chain import compute_hash
from functions.logic.common import sha256_hex
from helpline.surveys.campaign import campaigns_for


@dataclass
class Erasure:
    pseudonym: str
    callers: int = 0
    cases: list[str] = field(default_factory=list)
    fields: int = 0
    surveys: int = 0
    campaign_contacts: int = 0
    tombstones: int = 0
    connect_redacted: int = 0
    connect_errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pseudonym_prefix": self.pseudonym[:8],
            "callers_removed": self.callers,
            "cases": self.cases,
            "fields_removed": self.fields,
            "survey_answers_removed": self.surveys,
            "campaign_contacts_removed": self.campaign_contacts,
            "tombstones": self.tombstones,
            "connect_contacts_redacted": self.connect_redacted,
        }


def contact_ids(item: dict[str, Any]) -> set[str]:
    """Contact ids a Callers or Cases item (plain) names."""
    ids = {str(item[k]) for k in ("contact_id", "first_contact_id", "last_contact_id") if item.get(k)}
    ids.update(str(k) for k in (item.get("contact_seqs") or {}))
    return ids


def survey_keys(contacts: set[str]) -> set[str]:
    return {sha256_hex(f"survey:{c}") for c in contacts}


def tombstone(case: dict[str, Any], head: dict[str, Any] | None, counts: dict[str, int], actor: str) -> dict[str, Any]:
    """The chain record that explains the erasure (plain item; hash computed like every record)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    seq = int(head["seq"]) + 1 if head else 1
    record: dict[str, Any] = {
        "chain_id": f"case#{case['case_id']}",
        "seq": seq,
        "record_type": "erased",
        "contact_id": "erasure",
        "case_id": case["case_id"],
        "event_id": f"erasure-{uuid.uuid4()}",
        "actor": actor,
        "occurred_at": stamp,
        "recorded_at": stamp,
        "payload": {k: str(v) for k, v in sorted(counts.items())},
        "prev_hash": head["record_hash"] if head else "0" * 64,
    }
    expires = (head or {}).get("expires_at") or case.get("expires_at")
    if expires is not None:
        record["expires_at"] = int(expires)
    record["record_hash"] = compute_hash(record)
    return record


def personal_fields(case: dict[str, Any]) -> list[str]:
    return sorted(k for k in case if k in PERSONAL_FIELDS)


def pseudonym_for(number: str, key_text: str) -> str:
    """The caller's pseudonym as the handlers compute it (raises ValueError for a bad number)."""
    from functions.logic.pseudonym import key_bytes, normalise_e164, pseudonymise_with

    e164 = normalise_e164(number)
    if e164 is None:
        raise ValueError(f"{number!r} is not an E.164 phone number")
    return pseudonymise_with(key_bytes(key_text), e164)


def erase_caller(source: Any, pseudonym: str, actor: str) -> Erasure:
    """Erase one caller from ``source`` (LocalSource or StackSource); idempotent."""
    result = Erasure(pseudonym)
    caller = source.caller(pseudonym)
    cases = source.cases_of(pseudonym)
    contacts = contact_ids(caller) if caller else set()
    for case in cases:
        contacts |= contact_ids(case)
    campaigns = campaigns_for(source)
    entries = campaigns.entries_of(pseudonym)  # outbound survey lists
    for entry in entries:  # every attempt's survey call (contact_ids), and the last one (contact_id)
        contacts |= {str(c) for c in [entry.get("contact_id"), *(entry.get("contact_ids") or [])] if c}
    result.surveys = source.delete_surveys(survey_keys(contacts)) if contacts else 0
    result.connect_redacted, result.connect_errors = source.redact_contacts(contacts)
    result.campaign_contacts = campaigns.erase_person(pseudonym, entries)  # SurveyOptOut stays
    for case in cases:
        fields = personal_fields(case)
        head = source.chain_head(f"case#{case['case_id']}")
        counts = {
            "callers_removed": 1 if caller else 0,
            "fields_removed": len(fields),
            "survey_answers_removed": result.surveys,
        }
        source.erase_case(case, fields, tombstone(case, head, counts, actor))
        result.cases.append(case["case_id"])
        result.fields += len(fields)
        result.tombstones += 1
    if caller:
        source.delete_caller(pseudonym)
        result.callers = 1
    source.finish()
    return result
