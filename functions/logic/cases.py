"""create_case: a caller's report opens a case, or joins the case the caller already has open.

Who the caller is: the HMAC pseudonym of the caller's number (``functions.logic.pseudonym``);
the number itself is never stored.

- **New case** - a withheld or unparseable number, a caller without an open case, or one whose
  case is closed: ONE TransactWriteItems puts the case (id derived from the ContactId, condition
  attribute_not_exists), the first record of its interaction chain (``case#<case_id>``, seq 1,
  GENESIS link, ``case_created``) and, for a known number, sets the caller's open-case pointer
  (condition: the pointer is still what was read, so two concurrent first reports of one caller
  cannot open two cases).
- **Returning caller** - ``Callers.open_case_id`` points to a case whose status is open
  (``open`` or ``referred``: a referral is work in progress; only ``closed`` ends a case): the
  report is APPENDED to that case's chain in ONE TransactWriteItems: a ``contact_added`` record
  (seq = head + 1, prev_hash = the head's record_hash; payload topic, language, priority,
  needs_codes, consent, channel_note, contact_id), the case update (updated_at, last contact,
  the new chain head, ``contact_seqs[<ContactId>]``, priority raised to urgent when the report is
  urgent - never lowered) conditioned on the chain head it read, the case still open and this
  contact not yet appended, and the caller's last contact.  A concurrent append moves the head:
  the transaction is cancelled, nothing is written, and the case is read again (at most
  ``MAX_ATTEMPTS`` attempts, then ``backend_unavailable``).  The case's topic, needs codes and
  consent stay as first recorded; each later report's own values are in its chain record.

Answer: ``status``, ``case_id``, ``created`` ("true": this contact opened the case) and
``appended`` ("true": this contact's report was added to the caller's open case).  Idempotent on
the ContactId: a replay writes nothing and answers the same (the case's ``contact_id`` and
``contact_seqs`` tell which contact wrote what).

DynamoDB requests per invocation (flow-invoked, under the deadline of ``functions.deadline``):

=============================================  ==============================================
path                                           requests
=============================================  ==============================================
withheld number (new case)                     1 TransactWriteItems
known number, no open case (new case)          GetItem Callers + TransactWriteItems
pointer to a closed / missing case (new case)  GetItem Callers + GetItem Cases + TransactWriteItems
returning caller (append)                      GetItem Callers + GetItem Cases + TransactWriteItems
replay of a contact already recorded           GetItem Callers + GetItem Cases (no case written)
=============================================  ==============================================

plus the same again per conflict retry; the reads are strongly consistent.  A known caller's
call then gets its case on its ContactLinks item (1 UpdateItem, ``set_contact_case``, best effort
after the case is written: :func:`_link_case`): the case id is never written as a Connect contact
attribute (docs/audit.md); a replay sends that UpdateItem again with the case the link already
names (nothing changes; it repairs a link whose first naming failed).  The pseudonym is one KMS
GenerateMac (functions/logic/pseudonym.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from functions.dal import repository
from functions.dal.models import OPEN_STATUSES, Case, Interaction
from functions.errors import BackendUnavailable
from functions.logic.chain import GENESIS, compute_hash, with_voice
from functions.logic.common import case_id_for, expiry, iso, parse_params, utcnow
from functions.logic.needs import any_urgent, needs_param
from functions.logic.pseudonym import caller_id_for
from functions.models.lean import CONSENT, REQUIRED_LANGUAGE, SLUG, Field, Spec, channel_note
from functions.settings import Settings, get_settings

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent

DEFAULTS = {"status": "ok", "case_id": "", "created": "false", "appended": "false"}
PARAMS = Spec(
    "CreateCaseParams",
    [
        Field("topic", pattern=SLUG),
        REQUIRED_LANGUAGE,
        Field("priority", "literal", "normal", choices=("normal", "urgent")),
        Field("needs_codes", default=""),  # comma list of UNHCR specific-needs codes, see functions.logic.needs
        CONSENT,
        # a short technical note set by the flow (no free text, no digit runs)
        Field("channel_note", "opt_str", None, before=channel_note),
    ],
)
MAX_ATTEMPTS = 3
_CASE_CLOSED = "closed"  # sentinel: the case read as open was closed meanwhile -> open a new case


@dataclass(frozen=True)
class Report:
    """What one contact reported (validated flow parameters)."""

    topic: str
    language: str
    priority: str  # normal | urgent (urgent when the flow says so or a need code is urgent)
    needs: list[str]
    consent: bool
    channel_note: str | None
    voice_contact_id: str | None = None  # the guide's chat contact: the call it belongs to

    def payload(self) -> dict[str, str]:
        return with_voice(
            {
                "topic": self.topic,
                "language": self.language,
                "priority": self.priority,
                "needs_codes": ",".join(self.needs),
                "consent": "true" if self.consent else "false",
                "channel_note": self.channel_note or "",
            },
            self.voice_contact_id,
        )


def _answer(case_id: str, *, created: bool = False, appended: bool = False) -> dict[str, str]:
    return {
        "status": "ok",
        "case_id": case_id,
        "created": "true" if created else "false",
        "appended": "true" if appended else "false",
    }


def _keys(value: Any) -> set[str]:
    """Keys of a raw MapAttribute value (a PynamoDB MapAttribute or a plain dict)."""
    return set(value.as_dict() if hasattr(value, "as_dict") else value or {})


def build_first_record(case: Case, now_iso: str, voice_contact_id: str | None = None) -> Interaction:
    record = Interaction(
        chain_id=f"case#{case.case_id}",
        seq=1,
        record_type="case_created",
        contact_id=case.contact_id,
        case_id=case.case_id,
        event_id=None,
        actor="contact_flow",
        occurred_at=now_iso,
        recorded_at=now_iso,
        payload=with_voice(
            {
                "topic": case.topic,
                "language": case.language,
                "priority": case.priority,
                "needs_codes": ",".join(case.needs_codes),
                "consent": "true" if case.consent else "false",
                "channel_note": case.channel_note or "",
            },
            voice_contact_id,
        ),
        prev_hash=GENESIS,
        record_hash="",
        expires_at=case.expires_at,
    )
    record.record_hash = compute_hash(record)
    return record


def build_contact_record(case: Case, contact_id: str, report: Report, now_iso: str) -> Interaction:
    """The next record of an open case's chain: one more contact's report."""
    record = Interaction(
        chain_id=f"case#{case.case_id}",
        seq=int(case.chain_seq) + 1,
        record_type="contact_added",
        contact_id=contact_id,
        case_id=case.case_id,
        event_id=None,
        actor="contact_flow",
        occurred_at=now_iso,
        recorded_at=now_iso,
        payload={**report.payload(), "contact_id": contact_id},
        prev_hash=case.chain_head,
        record_hash="",
        expires_at=case.expires_at,  # a chain expires as a whole
    )
    record.record_hash = compute_hash(record)
    return record


def _caller_contact(
    caller_id: str, contact_id: str, now: datetime, language: str, settings: Settings
) -> repository.CallerContact:
    """This contact of the caller (its retention renewed; its language kept only where none is)."""
    return repository.CallerContact(caller_id, contact_id, now, expiry(now, settings.retention_days_callers), language)


def _replayed(case: Case, contact_id: str) -> dict[str, str] | None:
    """The answer already given to this contact, if it wrote to this case."""
    if case.contact_id == contact_id:
        return _answer(case.case_id, created=True)
    if contact_id in _keys(case.contact_seqs):
        return _answer(case.case_id, appended=True)
    return None


def _create(
    settings: Settings, contact_id: str, caller_id: str | None, report: Report, pointer: str | None
) -> dict[str, str] | None:
    """Open a new case. None: the caller's pointer changed meanwhile (read again)."""
    now = utcnow()
    case = Case(
        case_id=case_id_for(settings.country_code, contact_id),
        country=settings.country_code.lower(),
        status="open",
        topic=report.topic,
        language=report.language,
        priority=report.priority,
        needs_codes=report.needs,
        consent=report.consent,
        caller_id=caller_id,
        contact_id=contact_id,
        channel_note=report.channel_note,
        partner_ids=[],
        referral_sets={},
        chain_seq=1,
        contact_seqs={contact_id: "1"},
        last_contact_id=contact_id,
        last_contact_at=now,
        created_at=now,
        updated_at=now,
        expires_at=expiry(now, settings.retention_days_cases),
    )
    first = build_first_record(case, iso(now), report.voice_contact_id)
    case.chain_head = first.record_hash
    caller = _caller_contact(caller_id, contact_id, now, report.language, settings) if caller_id else None
    outcome, old = repository.create_case(case, first, caller, pointer)
    if outcome == "created":
        return _answer(case.case_id, created=True)
    if outcome == "exists":
        old_contact = (old or {}).get("contact_id", {}).get("S")
        if old_contact not in (None, contact_id):
            from functions.observability import logger

            logger.error("case id collision", extra={"case_id": case.case_id})
            return {"status": "internal_error", "case_id": "", "created": "false", "appended": "false"}
        return _answer(case.case_id, created=True)  # replay: this contact opened the case
    return None  # caller_changed | conflict


def _append(
    settings: Settings, case: Case, contact_id: str, caller_id: str, report: Report
) -> dict[str, str] | str | None:
    """Append the report to the open case. None: the chain moved (read again); _CASE_CLOSED."""
    now = utcnow()
    record = build_contact_record(case, contact_id, report, iso(now))
    caller = _caller_contact(caller_id, contact_id, now, report.language, settings)
    outcome, old = repository.append_to_case(record, case, caller, urgent=report.priority == "urgent")
    if outcome == "appended":
        return _answer(case.case_id, appended=True)
    if outcome == "case_changed":
        if not old:
            return _CASE_CLOSED  # the case was deleted meanwhile
        if contact_id in old.get("contact_seqs", {}).get("M", {}):
            return _answer(case.case_id, appended=True)  # a concurrent replay of this contact won
        if old.get("status", {}).get("S") not in OPEN_STATUSES:
            return _CASE_CLOSED
        return None  # another contact appended first
    if outcome == "position_taken":
        from functions.observability import count, logger

        logger.error("case chain head out of sync with its records", extra={"case_id": case.case_id})
        count("ChainHeadOutOfSync")
    return None


# Feedback and complaints (including complaints about aid workers, handled separately and
# confidentially) never join a protection case, and reports never join a complaint.
SEPARATE_TOPICS = frozenset({"feedback"})


def _same_stream(case_topic: str, report_topic: str) -> bool:
    """Whether a new report may be added to an open case of ``case_topic``."""
    return (case_topic in SEPARATE_TOPICS) == (report_topic in SEPARATE_TOPICS)


def attempt(settings: Settings, contact_id: str, caller_id: str | None, report: Report) -> dict[str, str] | None:
    """One read-and-write of a report (create_case, save_screening): appended to the caller's open
    case of the same stream, else a new case; None when a concurrent write got there first (read again)."""
    pointer = None
    if caller_id is not None:
        caller = repository.get_caller(caller_id, consistent=True)
        pointer = caller.open_case_id if caller is not None else None
        if pointer:
            case = repository.get_case(pointer)
            if case is not None:
                replayed = _replayed(case, contact_id)
                if replayed is not None:
                    return replayed
                if (
                    case.status in OPEN_STATUSES
                    and case.chain_seq is not None
                    and case.chain_head
                    and _same_stream(case.topic, report.topic)
                ):
                    appended = _append(settings, case, contact_id, caller_id, report)
                    if appended != _CASE_CLOSED:
                        return appended  # type: ignore[return-value]
    return _create(settings, contact_id, caller_id, report, pointer)


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(PARAMS, event.parameters)
    needs = needs_param(params.needs_codes)
    settings = get_settings()
    contact_id = event.contact_id
    caller_id = caller_id_for(event.customer_address)
    report = Report(
        topic=params.topic,
        language=params.language,
        priority="urgent" if params.priority == "urgent" or any_urgent(needs) else "normal",
        needs=needs,
        consent=params.consent,
        channel_note=params.channel_note,
    )
    for _ in range(MAX_ATTEMPTS):
        answer = attempt(settings, contact_id, caller_id, report)
        if answer is not None:
            if caller_id is not None and answer.get("case_id"):
                _link_case(contact_id, answer["case_id"])
            return answer
    from functions.observability import count

    count("CreateCaseConflict")
    raise BackendUnavailable("concurrent writes to the caller's case; retries exhausted")


def _link_case(contact_id: str, case_id: str) -> None:
    """Name the call's case on its link (written by identify_caller), so the operators' guide finds
    it by contact id, never through a contact attribute.  Best effort, after the case is written: a
    failure here must not answer ``backend_unavailable`` for a case that exists (the caller would be
    told it failed; a replay finds the case and answers ok).  The guide still finds the case through
    the caller's open-case pointer; the miss is counted (``ContactLinkCaseFailed``)."""
    from functions.errors import is_backend_error

    try:
        repository.set_contact_case(contact_id, case_id)
    except Exception as exc:
        if not is_backend_error(exc):
            raise
        from functions.observability import count

        count("ContactLinkCaseFailed")
