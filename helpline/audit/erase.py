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
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from functions.logic.archive import PERSONAL_FIELDS
from functions.logic.chain import compute_hash
from functions.logic.common import sha256_hex
from helpline.surveys.campaign import campaigns_for


@dataclass(frozen=True)
class Residue:
    """Personal data of the caller this tool cannot erase: what, why, and the documented manual step."""

    what: str
    why: str
    step: str
    source: str  # the AWS page the claim rests on


@dataclass
class Erasure:
    pseudonym: str
    dry_run: bool = False
    contacts: list[str] = field(default_factory=list)
    callers: int = 0
    cases: list[str] = field(default_factory=list)
    fields: int = 0
    surveys: int = 0
    contact_links: int = 0
    campaign_contacts: int = 0
    tombstones: int = 0
    connect_redacted: int = 0
    connect_gone: list[str] = field(default_factory=list)  # contacts Connect no longer has
    failures: list[str] = field(default_factory=list)  # what should have gone and did not
    referrals: list[tuple[str, str]] = field(default_factory=list)  # (referral id, partner id)
    residue: list[Residue] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.callers or self.cases or self.campaign_contacts or self.contact_links or self.surveys)

    def as_dict(self) -> dict[str, Any]:
        return {
            "pseudonym_prefix": self.pseudonym[:8],
            "dry_run": self.dry_run,
            "contacts": self.contacts,
            "callers_removed": self.callers,
            "cases": self.cases,
            "fields_removed": self.fields,
            "survey_answers_removed": self.surveys,
            "contact_links_removed": self.contact_links,
            "campaign_contacts_removed": self.campaign_contacts,
            "tombstones": self.tombstones,
            "connect_contacts_redacted": self.connect_redacted,
            "connect_contacts_gone": self.connect_gone,
            "failures": self.failures,
            "not_erased": [asdict(r) for r in self.residue],
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


CONNECT_RECORDS = "https://docs.aws.amazon.com/connect/latest/adminguide/feature-limits.html"
DELETE_CONTACT_DATA = "https://docs.aws.amazon.com/connect/latest/APIReference/API_DeleteContactData.html"
RECORDINGS = "https://docs.aws.amazon.com/connect/latest/adminguide/set-up-recordings.html"
CONTACT_LENS = "https://docs.aws.amazon.com/connect/latest/adminguide/contact-lens-example-output-files.html"
PITR = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html"


def residue(source: Any, contacts: list[str], referrals: list[tuple[str, str]]) -> list[Residue]:
    """What stays out of reach of this tool, each with its documented manual step (none for a folder
    but the partners' copies: no Amazon Connect and no recordings behind a state folder)."""
    out: list[Residue] = []
    if referrals:
        named = ", ".join(f"{ref} ({partner})" for ref, partner in referrals)
        out.append(
            Residue(
                f"partner copies of {len(referrals)} referral(s): {named}",
                "each referral was delivered to the partner organisation (EventBridge notification); "
                "what the partner keeps is outside this system",
                "ask each partner to erase its copy of these referral ids; keep their written confirmation",
                "README.md (referrals: partners are notified through EventBridge)",
            )
        )
    if not getattr(source, "has_connect", False) or not contacts:
        return out
    n, where = len(contacts), source.recordings_location()
    return out + [
        Residue(
            f"Amazon Connect contact records of {n} contact(s): contact attributes, times, queue, agent",
            "Connect keeps contact records for 24 months; DeleteContactData redacts only the fields Connect "
            "identifies as PII (the customer endpoint), not contact attributes",
            "none through the API: they expire 24 months after the contact; keep personal data out of attributes",
            f"{CONNECT_RECORDS} {DELETE_CONTACT_DATA}",
        ),
        Residue(
            f"call recordings and chat transcripts of {n} contact(s) in {where}",
            "this tool does not delete recordings: the admin guide does not document the object key layout",
            "for each contact id listed: aws s3api list-object-versions on the bucket's recordings/ and "
            "transcripts/ prefixes, keep the keys that contain the contact id, delete each version "
            "(delete-object --version-id); the lifecycle rule removes them anyway at the country's retention",
            RECORDINGS,
        ),
        Residue(
            f"Contact Lens output of {n} contact(s) (transcripts, sentiment), where Contact Lens is on",
            "written by Connect into the recordings bucket, per contact id; not deleted by this tool",
            "delete the Contact Lens output objects of each contact id with the recordings (same steps)",
            CONTACT_LENS,
        ),
        Residue(
            "point-in-time recovery backups of the tables",
            "DynamoDB keeps restorable table states for the recovery period (at most 35 days)",
            "none: they age out; after restoring a table from before today, run this erasure again",
            PITR,
        ),
    ]


def _contacts_of(source: Any, pseudonym: str, caller: Any, cases: list[dict[str, Any]], entries: list) -> set[str]:
    """Every contact of the caller: ContactLinks (by-caller: every identified call), the Callers item,
    the cases, and each survey call of the person's campaign list entries."""
    contacts = set(source.contact_links(pseudonym))
    contacts |= contact_ids(caller) if caller else set()
    for case in cases:
        contacts |= contact_ids(case)
    for entry in entries:  # every attempt's survey call (contact_ids), and the last one (contact_id)
        contacts |= {str(c) for c in [entry.get("contact_id"), *(entry.get("contact_ids") or [])] if c}
    return contacts


def erase_caller(source: Any, pseudonym: str, actor: str, *, dry_run: bool = False) -> Erasure:
    """Erase one caller from ``source`` (LocalSource or StackSource); idempotent.  ``dry_run``: the
    same report (what would go, what cannot), nothing changed."""
    result = Erasure(pseudonym, dry_run=dry_run)
    caller = source.caller(pseudonym)
    cases = source.cases_of(pseudonym)
    campaigns = campaigns_for(source)
    entries = campaigns.entries_of(pseudonym)  # outbound survey lists
    links = source.contact_links(pseudonym)
    contacts = _contacts_of(source, pseudonym, caller, cases, entries)
    result.contacts = sorted(contacts)
    answers = source.survey_items(survey_keys(contacts)) if contacts else []
    result.referrals = source.referrals_of([c["case_id"] for c in cases])
    result.residue = residue(source, result.contacts, result.referrals)
    result.callers = 1 if caller else 0
    result.surveys, result.contact_links, result.campaign_contacts = len(answers), len(links), len(entries)
    result.cases = [c["case_id"] for c in cases]
    result.fields = sum(len(personal_fields(c)) for c in cases)
    if dry_run:
        return result
    source.delete_surveys(answers)
    source.delete_contact_links(links)
    result.connect_redacted, result.connect_gone, result.failures = source.redact_contacts(result.contacts)
    campaigns.erase_person(pseudonym, entries)  # SurveyOptOut stays
    for case in cases:
        fields = personal_fields(case)
        counts = {
            "callers_removed": result.callers,
            "fields_removed": len(fields),
            "survey_answers_removed": len(answers),
        }
        head = source.chain_head(f"case#{case['case_id']}")
        source.erase_case(case, fields, tombstone(case, head, counts, actor))
        result.tombstones += 1
    if caller:
        source.delete_caller(pseudonym)
    source.finish()
    return result


def report_data(result: Erasure, where: str, has_connect: bool) -> dict[str, Any]:
    """The erase report (``helpline erase --format json``): what went (a dry run: what would go), the
    counts, the contacts covered, what failed, and what this tool cannot erase with the manual step for
    each (``not_erased``).  The pseudonym only by its first 8 characters; never a number."""
    data = {"source": where, "found": result.found, **result.as_dict()}
    if result.dry_run:  # what would be written: one tombstone per case, one redaction per contact
        data["tombstones"] = len(result.cases)
        data["connect_contacts_redacted"] = len(result.contacts)
    if not has_connect:  # no Amazon Connect behind a state folder: nothing to redact there
        data["connect_contacts_redacted"] = None
    return data


def report_lines(result: Erasure, where: str, has_connect: bool) -> list[str]:
    """What went (or would go), the contacts it covered, and what could not be erased, with the steps
    (the same facts as :func:`report_data`)."""
    data = report_data(result, where, has_connect)
    if not data["found"]:
        return [f"{where}: no data of this caller"]
    verb = "dry run, nothing changed: would erase" if result.dry_run else "erased"
    cases, contacts = data["cases"], data["contacts"]
    lines = [
        f"{where}: {verb} caller {data['pseudonym_prefix']}...: {data['callers_removed']} caller item, "
        f"{data['fields_removed']} field(s) on {len(cases)} case(s) ({', '.join(cases) or '-'}), "
        f"{data['survey_answers_removed']} survey answer(s), {data['contact_links_removed']} contact link(s), "
        f"{data['campaign_contacts_removed']} survey campaign list entr(ies) (the survey opt-out entry is kept), "
        + (
            f"caller number redacted in {data['connect_contacts_redacted']} Amazon Connect contact record(s), "
            if has_connect
            else ""
        )
        + f"{data['tombstones']} tombstone record(s) appended",
        f"contacts ({len(contacts)}): {', '.join(contacts) or '-'}",
    ]
    if data["connect_contacts_gone"]:
        lines.append(f"no longer in Amazon Connect (nothing to redact): {', '.join(data['connect_contacts_gone'])}")
    if result.residue:
        lines.append(f"not erased by this tool ({len(result.residue)}), with the manual step for each:")
    for item in result.residue:
        lines += [f"  - {item.what}", f"    why: {item.why}", f"    step: {item.step}", f"    see: {item.source}"]
    return lines
