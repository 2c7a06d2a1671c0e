"""The DynamoDB operations of the helpline, one function per request shape.

Every function documents how many DynamoDB requests it makes; the handlers' request budgets
(identify: 1 read; create_case: <= 3 requests per attempt; the guide's handlers: see their
modules) are built from these and proved by tests that count botocore calls.

Expiry: DynamoDB's TTL deletes expired items only eventually, so every read here treats an item
whose ``expires_at`` is in the past as absent (:func:`live`); conditional writes that must not
resurrect an expired item say so (e.g. create_case's caller pointer).
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from functions.dal.changes import CaseUpdate, Put, Update, put_new
from functions.dal.models import (
    ALL_MODELS,
    OPEN_STATUSES,
    Caller,
    Case,
    ContactLink,
    IdempotencyMarker,
    Interaction,
    OutboxMessage,
    Partner,
    PartnerLoad,
    PartnerService,
    Referral,
    SurveyResponse,
    configure_models,
)

CONDITION_FAILED = "ConditionalCheckFailed"
TRANSACTION_CONFLICT = "TransactionConflict"


def error_code(exc: BaseException) -> str | None:
    """DynamoDB error code of a PynamoDB exception; None for network errors and timeouts."""
    cause = getattr(exc, "cause", None)
    response = getattr(cause, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


_connection: Any = None
_shared = False


def _tx_connection() -> Any:
    """The one PynamoDB Connection (and botocore client) used by every model and transaction."""
    global _connection, _shared
    if _connection is None:
        from pynamodb.connection import Connection

        from functions.aws import botocore_session

        meta = Case.Meta
        _connection = Connection(
            region=meta.region,
            connect_timeout_seconds=meta.connect_timeout_seconds,
            read_timeout_seconds=meta.read_timeout_seconds,
            max_retry_attempts=meta.max_retry_attempts,
        )
        _connection._local.session = botocore_session()
    if not _shared:
        client = _connection.client
        for model in ALL_MODELS:
            model._get_connection().connection._client = client
        _shared = True
    return _connection


def prepare() -> None:
    """Share the one DynamoDB client with every model (once per connection)."""
    if not _shared:
        _tx_connection()


def reset() -> None:
    """Drop cached PynamoDB connections and re-read table names from the environment."""
    global _connection, _shared
    _connection = None
    _shared = False
    configure_models()


@dataclass
class TxResult:
    committed: bool
    reasons: list[Any]  # CancellationReason | None per transaction item, in request order

    def failed(self, index: int) -> bool:
        return (
            index < len(self.reasons)
            and self.reasons[index] is not None
            and self.reasons[index].code == CONDITION_FAILED
        )

    def old_item(self, index: int) -> dict | None:
        if index < len(self.reasons) and self.reasons[index] is not None:
            return self.reasons[index].raw_item
        return None

    @property
    def only_condition_failures(self) -> bool:
        return bool(self.reasons) and all(r is None or r.code == CONDITION_FAILED for r in self.reasons)

    @property
    def conflict(self) -> bool:
        """Cancelled because another transaction was writing one of the items (retry)."""
        return any(r is not None and r.code == TRANSACTION_CONFLICT for r in self.reasons) and all(
            r is None or r.code in (CONDITION_FAILED, TRANSACTION_CONFLICT) for r in self.reasons
        )


def _run_transaction(
    puts: list[Put],
    updates: list[Update],
    *,
    conflicts_ok: bool = False,
) -> TxResult:
    """One TransactWriteItems. Items are sent puts first, then updates (PynamoDB's order).

    Returns committed=False with the cancellation reasons when only conditions failed (or, with
    ``conflicts_ok``, when a concurrent transaction on the same items cancelled it: ``conflict``);
    any other failure (throttling, timeout, validation) raises.
    """
    try:
        with TransactWrite(connection=_tx_connection()) as tx:
            for model, condition, return_values in puts:
                tx.save(model, condition=condition, return_values=return_values)
            for model, actions, condition, return_values in updates:
                tx.update(model, actions=actions, condition=condition, return_values=return_values)
    except TransactWriteError as exc:
        if error_code(exc) != "TransactionCanceledException":
            raise  # throttling, timeouts, network, validation: nothing was written
        reasons = list(getattr(exc.cause, "cancellation_reasons", None) or [])
        result = TxResult(False, reasons)
        if result.only_condition_failures or (conflicts_ok and result.conflict):
            return result
        raise
    return TxResult(True, [])


def live(item: Any, now: datetime | None = None) -> Any:
    """``item`` unless it is None or past its ``expires_at`` (then None: expired items are absent)."""
    if item is None:
        return None
    expires = getattr(item, "expires_at", None)
    if expires is not None and expires <= (now or datetime.now(UTC)):
        return None
    return item


def transact(puts: list[Put], updates: list[Update]) -> TxResult:
    """1 TransactWriteItems (puts first, then updates); condition failures and conflicts answer
    ``committed=False`` with the reasons, anything else raises."""
    return _run_transaction(puts, updates, conflicts_ok=True)


# --- callers -------------------------------------------------------------------------------


def get_caller(caller_id: str, *, consistent: bool = False) -> Caller | None:
    """1 GetItem (eventually consistent unless ``consistent``); an expired caller is absent."""
    prepare()
    try:
        return live(Caller.get(caller_id, consistent_read=consistent))
    except DoesNotExist:
        return None


@dataclass(frozen=True)
class CallerContact:
    """One contact of a known caller, as the Callers item records it."""

    caller_id: str
    contact_id: str
    at: datetime
    expires_at: datetime  # the caller's retention, renewed by every contact
    language: str | None = None  # the contact's language (None: not known)


def _contact_actions(contact: CallerContact, *, language_wins: bool) -> list:
    """The first contact (if none yet), the last one and its time, the retention and the language:
    the preferred one when ``language_wins``, else only where the caller has none yet."""
    actions = [
        Caller.first_contact_id.set(Caller.first_contact_id | contact.contact_id),
        Caller.last_contact_id.set(contact.contact_id),
        Caller.last_contact_at.set(contact.at),
        Caller.expires_at.set(contact.expires_at),
    ]
    if contact.language is not None:
        language = contact.language if language_wins else Caller.preferred_language | contact.language
        actions.append(Caller.preferred_language.set(language))
    return actions


def touch_caller(contact: CallerContact) -> None:
    """1 UpdateItem (creates the item when missing): the caller's contact; its language, when
    given, becomes the preferred one (the IVR's choice)."""
    prepare()
    Caller(contact.caller_id).update(actions=_contact_actions(contact, language_wins=True))


def link_contact(contact_id: str, caller_id: str, *, channel: str | None, now: datetime, expires_at: datetime) -> None:
    """1 UpdateItem: contact id -> caller. Idempotent: a replay of the contact keeps the first
    ``linked_at`` and any case id already recorded."""
    prepare()
    actions = [
        ContactLink.caller_id.set(caller_id),
        ContactLink.linked_at.set(ContactLink.linked_at | now),
        ContactLink.expires_at.set(expires_at),
    ]
    if channel:
        actions.append(ContactLink.channel.set(channel))
    ContactLink(contact_id).update(actions=actions)


def get_contact_link(contact_id: str) -> ContactLink | None:
    """1 GetItem; an expired link is absent."""
    prepare()
    try:
        return live(ContactLink.get(contact_id))
    except DoesNotExist:
        return None


def set_contact_case(contact_id: str, case_id: str) -> None:
    """1 UpdateItem: the case this contact opened or extended (only on an existing link)."""
    prepare()
    try:
        ContactLink(contact_id).update(
            actions=[ContactLink.case_id.set(case_id)], condition=ContactLink.contact_id.exists()
        )
    except UpdateError as exc:
        if error_code(exc) != "ConditionalCheckFailedException":
            raise


def contacts_of_caller(caller_id: str) -> list[str]:
    """Every linked contact id of one caller, expired links included (erasure must reach them all).
    Query pages through the ``by-caller`` index (keys only)."""
    prepare()
    return [link.contact_id for link in ContactLink.by_caller.query(caller_id)]


# --- cases -----------------------------------------------------------------------------------


def get_case(case_id: str) -> Case | None:
    """1 GetItem (strongly consistent: the chain head must be current); an expired case is absent."""
    prepare()
    try:
        return live(Case.get(case_id, consistent_read=True))
    except DoesNotExist:
        return None


def append_case_records(
    records: list[Interaction],
    case: Case,
    key: str,
    update: CaseUpdate,
    at: datetime,
    puts: list[Put] | None = None,
    updates: list[Update] | None = None,
) -> tuple[str, Any]:
    """1 TransactWriteItems: chain records + the case update (``update``, then the new chain head
    and ``op_seqs.<key>``; ALL_OLD on failure) + extras.

    The case update is conditioned on the chain head read with ``case`` and on ``key`` not being
    recorded yet (a replay writes nothing), and on ``update.condition``.  Order sent: ``puts``,
    records, then the case update, then ``updates``.  Returns ("appended", None) |
    ("case_changed", old_case_raw_item or {}) | ("conflict", None) | ("failed", TxResult) (an
    extra item's condition failed).
    """
    seq = int(records[-1].seq)
    actions = update.actions + [
        Case.updated_at.set(at),
        Case.chain_seq.set(seq),
        Case.chain_head.set(records[-1].record_hash),
        Case.op_seqs[key].set(str(seq)),
    ]
    condition = (
        (Case.chain_seq == int(case.chain_seq or 0))
        & (Case.chain_head == case.chain_head)
        & Case.op_seqs[key].does_not_exist()
    )
    if update.condition is not None:
        condition = condition & update.condition
    all_puts = list(puts or []) + [put_new(r) for r in records]
    all_updates = [(Case(case.case_id), actions, condition, ALL_OLD)] + list(updates or [])
    result = _run_transaction(all_puts, all_updates, conflicts_ok=True)
    if result.committed:
        return "appended", None
    if result.conflict:
        return "conflict", None
    if result.failed(len(all_puts)):
        return "case_changed", result.old_item(len(all_puts)) or {}
    return "failed", result


def create_case(
    case: Case, first_record: Interaction, caller: CallerContact | None = None, pointer: str | None = None
) -> tuple[str, dict | None]:
    """1 TransactWriteItems: case + first interaction + the caller's open-case pointer and contact.

    Returns ("created", None) | ("exists", old_case_raw_item) | ("caller_changed", None) |
    ("conflict", None) (a concurrent transaction on the same items: nothing written, retry).
    A replay fails the case's attribute_not_exists condition; ReturnValuesOnConditionCheckFailure
    =ALL_OLD hands back the stored case in the same request, so a replay costs no extra read.
    The caller's pointer is conditioned on being still ``pointer`` (None: none, or an expired
    caller item's), so a concurrent create_case of the same caller writes nothing
    ("caller_changed": read again).  The caller's preferred language is set only where it has none.
    """
    updates = []
    if caller is not None:
        actions = [Caller.open_case_id.set(case.case_id)] + _contact_actions(caller, language_wins=False)
        # An expired caller item still holds its old pointer until DynamoDB deletes it: absent.
        condition = (
            (Caller.open_case_id.does_not_exist() | (Caller.expires_at < caller.at))
            if pointer is None
            else Caller.open_case_id == pointer
        )
        updates.append((Caller(case.caller_id), actions, condition, None))
    result = _run_transaction(
        puts=[(case, Case.case_id.does_not_exist(), ALL_OLD), put_new(first_record)],
        updates=updates,
        conflicts_ok=True,
    )
    if result.committed:
        return "created", None
    if result.conflict:
        return "conflict", None
    if result.failed(0):
        return "exists", result.old_item(0) or {}
    if result.failed(2):
        return "caller_changed", None
    # first record exists but case does not: only possible after manual deletion of the case
    raise TransactWriteError("interaction exists without case")


def append_to_case(record: Interaction, case: Case, caller: CallerContact, *, urgent: bool) -> tuple[str, dict | None]:
    """1 TransactWriteItems: chain record + case update (new chain head) + caller's last contact.

    The case update (updated_at, last contact, chain head, ``contact_seqs.<ContactId>``, priority
    urgent when ``urgent``: never lowered) is conditioned on the case still open, its head still
    the one ``record`` follows and this contact not yet appended.  Returns ("appended", None) |
    ("case_changed", old_case_raw_item) | ("position_taken", None) | ("conflict", None).
    "case_changed": the case's condition failed (ALL_OLD returns the stored case: another contact
    appended first, the case was closed, or this contact was already appended); "position_taken":
    a record with this seq exists although the case's head did not move.
    """
    seq, contact_id, now = int(record.seq), caller.contact_id, caller.at
    case_actions = [
        Case.updated_at.set(now),
        Case.last_contact_id.set(contact_id),
        Case.last_contact_at.set(now),
        Case.chain_seq.set(seq),
        Case.chain_head.set(record.record_hash),
        Case.contact_seqs[contact_id].set(str(seq)),
    ]
    if urgent:
        case_actions.append(Case.priority.set("urgent"))
    case_condition = (
        Case.status.is_in(*OPEN_STATUSES)
        & (Case.chain_seq == seq - 1)
        & (Case.chain_head == case.chain_head)
        & Case.contact_seqs[contact_id].does_not_exist()
    )
    result = _run_transaction(
        puts=[put_new(record)],
        updates=[
            (Case(case.case_id), case_actions, case_condition, ALL_OLD),
            (Caller(caller.caller_id), _contact_actions(caller, language_wins=False), None, None),
        ],
        conflicts_ok=True,
    )
    if result.committed:
        return "appended", None
    if result.conflict:
        return "conflict", None
    if result.failed(1):
        return "case_changed", result.old_item(1) or {}
    return "position_taken", None


# --- interactions ---------------------------------------------------------------------------


def chain_head(chain_id: str) -> Interaction | None:
    """1 Query (ScanIndexForward=false, Limit=1, consistent)."""
    prepare()
    for item in Interaction.query(chain_id, scan_index_forward=False, limit=1, consistent_read=True):
        return item
    return None


def append_with_marker(marker: IdempotencyMarker, record: Interaction) -> str:
    """1 TransactWriteItems: idempotency marker + chain record. Returns committed|duplicate|race."""
    result = _run_transaction(puts=[put_new(marker), put_new(record)], updates=[])
    if result.committed:
        return "committed"
    if result.failed(0):
        return "duplicate"
    return "race"


def recent_records(chain_id: str, limit: int) -> list[Interaction]:
    """1 Query (newest first, Limit ``limit``); expired records are left out."""
    prepare()
    now = datetime.now(UTC)
    items = Interaction.query(chain_id, scan_index_forward=False, limit=limit, consistent_read=True)
    return [r for r in items if live(r, now) is not None]


def chain_records(chain_id: str) -> list[Interaction]:
    """Whole chain in ascending seq (auditing / tests; paginated Query)."""
    prepare()
    return list(Interaction.query(chain_id, scan_index_forward=True, consistent_read=True))


# --- referrals -------------------------------------------------------------------------------


def partners_serving(code: str) -> list[PartnerService]:
    """1 Query of PartnerServices on one needs code (a directory never needs a Scan)."""
    prepare()
    return list(PartnerService.query(code))


def partners_with_loads(partner_ids: list[str]) -> tuple[dict[str, Partner], dict[str, int]]:
    """1 BatchGetItem over Partners and PartnerLoads (both tables in one request; up to 50
    partners), plus one more per round of UnprocessedKeys (at most 2 more).

    Returns (partners by id - missing or inactive ones left out -, open referrals by id).
    https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
    """
    conn = _tx_connection()
    ids = sorted(set(partner_ids))[:50]
    if not ids:
        return {}, {}
    keys = [{"partner_id": {"S": pid}} for pid in ids]
    request: dict[str, Any] = {
        Partner.Meta.table_name: {"Keys": keys},
        PartnerLoad.Meta.table_name: {"Keys": keys},
    }
    partners: dict[str, Partner] = {}
    loads: dict[str, int] = {}
    for _ in range(3):
        response = conn.client.batch_get_item(RequestItems=request)
        for item in response.get("Responses", {}).get(Partner.Meta.table_name, []):
            partner = Partner.from_raw_data(item)
            if partner.active is not False:
                partners[partner.partner_id] = partner
        for item in response.get("Responses", {}).get(PartnerLoad.Meta.table_name, []):
            load = PartnerLoad.from_raw_data(item)
            loads[load.partner_id] = int(load.open_referrals or 0)
        request = response.get("UnprocessedKeys") or {}
        if not request:
            break
    else:
        from functions.errors import BackendUnavailable

        raise BackendUnavailable("partner directory read throttled")
    return partners, loads


def case_referrals(case_id: str) -> list[Referral]:
    """1 Query of Referrals on the case (consistent); expired referrals are left out."""
    prepare()
    now = datetime.now(UTC)
    return [r for r in Referral.query(case_id, consistent_read=True) if live(r, now) is not None]


# --- outbox ----------------------------------------------------------------------------------


def claim_message(message_id: str, now_epoch: int, lease_seconds: int) -> OutboxMessage | None:
    """1 UpdateItem: take a pending message for ``lease_seconds`` (condition: pending and not
    leased by another deliverer, not expired); returns the message (ALL_NEW) or None when it is
    delivered, gone, expired or leased."""
    prepare()
    message = OutboxMessage(message_id)
    condition = (
        (OutboxMessage.status == "pending")
        & (OutboxMessage.claimed_until.does_not_exist() | (OutboxMessage.claimed_until < now_epoch))
        & (OutboxMessage.expires_at.does_not_exist() | (OutboxMessage.expires_at > datetime.now(UTC)))
    )
    try:
        message.update(
            actions=[OutboxMessage.claimed_until.set(now_epoch + lease_seconds), OutboxMessage.attempts.add(1)],
            condition=condition,
        )
    except Exception as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return None
        raise
    return live(message)


def mark_delivered(message_id: str, claimed_until: int, delivered_at: str) -> bool:
    """1 UpdateItem: delivered (leaves the pending index), conditioned on still holding the lease."""
    prepare()
    try:
        OutboxMessage(message_id).update(
            actions=[
                OutboxMessage.status.set("delivered"),
                OutboxMessage.delivered_at.set(delivered_at),
                OutboxMessage.pending.remove(),
                OutboxMessage.claimed_until.remove(),
            ],
            condition=(OutboxMessage.status == "pending") & (OutboxMessage.claimed_until == claimed_until),
        )
    except Exception as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def release_message(message_id: str, claimed_until: int) -> None:
    """1 UpdateItem: give a lease back after a failed publish (best effort; the lease expires anyway)."""
    prepare()
    try:
        OutboxMessage(message_id).update(
            actions=[OutboxMessage.claimed_until.remove()],
            condition=OutboxMessage.claimed_until == claimed_until,
        )
    except Exception:  # noqa: BLE001, S110 - the lease runs out by itself
        pass


def pending_messages(created_before: str, limit: int) -> list[OutboxMessage]:
    """1 Query of the sparse ``pending`` index: undelivered messages created before a time."""
    prepare()
    now = datetime.now(UTC)
    items = OutboxMessage.by_pending.query("pending", OutboxMessage.created_at < created_before, limit=limit)
    return [m for m in items if live(m, now) is not None]


# --- surveys ---------------------------------------------------------------------------------


def put_survey_answer(item: SurveyResponse) -> bool:
    """1 conditional PutItem. False when the answer was already recorded (replay)."""
    prepare()
    try:
        item.save(condition=SurveyResponse.response_key.does_not_exist())
    except PutError as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


__all__ = ["ALL_MODELS", "reset"]
