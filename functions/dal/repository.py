"""The DynamoDB operations of the helpline, one function per request shape.

Every function documents how many DynamoDB requests it makes; the handlers' request budgets
(identify: 1 read; create_case: <= 3 requests per attempt; route_referral: <= 2 requests) are
built from these and proved by tests that count botocore calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError
from pynamodb.transactions import TransactWrite

from functions.dal.models import (
    ALL_MODELS,
    Caller,
    Case,
    IdempotencyMarker,
    Interaction,
    Partner,
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


def _prepare() -> None:
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
    puts: list[tuple[Any, Any, str | None]],
    updates: list[tuple[Any, list, Any, str | None]],
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


# --- callers -------------------------------------------------------------------------------


def get_caller(caller_id: str, *, consistent: bool = False) -> Caller | None:
    """1 GetItem (eventually consistent unless ``consistent``)."""
    _prepare()
    try:
        return Caller.get(caller_id, consistent_read=consistent)
    except DoesNotExist:
        return None


def touch_caller(caller_id: str, actions: list) -> None:
    """1 UpdateItem (creates the item when missing)."""
    _prepare()
    Caller(caller_id).update(actions=actions)


# --- cases -----------------------------------------------------------------------------------


def get_case(case_id: str) -> Case | None:
    """1 GetItem (strongly consistent: the chain head must be current)."""
    _prepare()
    try:
        return Case.get(case_id, consistent_read=True)
    except DoesNotExist:
        return None


def create_case(
    case: Case, first_record: Interaction, caller_actions: list | None, caller_condition: Any = None
) -> tuple[str, dict | None]:
    """1 TransactWriteItems: case + first interaction + caller's open-case pointer.

    Returns ("created", None) | ("exists", old_case_raw_item) | ("caller_changed", None) |
    ("conflict", None) (a concurrent transaction on the same items: nothing written, retry).
    A replay fails the case's attribute_not_exists condition; ReturnValuesOnConditionCheckFailure
    =ALL_OLD hands back the stored case in the same request, so a replay costs no extra read.
    ``caller_condition`` guards the caller's pointer against a concurrent create_case of the same
    caller ("caller_changed": nothing written, read again).
    """
    updates = []
    if caller_actions:
        updates.append((Caller(case.caller_id), caller_actions, caller_condition, None))
    result = _run_transaction(
        puts=[
            (case, Case.case_id.does_not_exist(), ALL_OLD),
            (first_record, Interaction.chain_id.does_not_exist(), None),
        ],
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


def append_to_case(
    record: Interaction, case_id: str, case_actions: list, case_condition: Any, caller_id: str, caller_actions: list
) -> tuple[str, dict | None]:
    """1 TransactWriteItems: chain record + case update (new chain head) + caller's last contact.

    Returns ("appended", None) | ("case_changed", old_case_raw_item) | ("position_taken", None) |
    ("conflict", None).
    "case_changed": the case's condition failed (ALL_OLD returns the stored case: another contact
    appended first, the case was closed, or this contact was already appended); "position_taken":
    a record with this seq exists although the case's head did not move.
    """
    result = _run_transaction(
        puts=[(record, Interaction.chain_id.does_not_exist(), None)],
        updates=[
            (Case(case_id), case_actions, case_condition, ALL_OLD),
            (Caller(caller_id), caller_actions, None, None),
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
    _prepare()
    for item in Interaction.query(chain_id, scan_index_forward=False, limit=1, consistent_read=True):
        return item
    return None


def append_with_marker(marker: IdempotencyMarker, record: Interaction) -> str:
    """1 TransactWriteItems: idempotency marker + chain record. Returns committed|duplicate|race."""
    result = _run_transaction(
        puts=[
            (marker, IdempotencyMarker.idempotency_key.does_not_exist(), None),
            (record, Interaction.chain_id.does_not_exist(), None),
        ],
        updates=[],
    )
    if result.committed:
        return "committed"
    if result.failed(0):
        return "duplicate"
    return "race"


def chain_records(chain_id: str) -> list[Interaction]:
    """Whole chain in ascending seq (auditing / tests; paginated Query)."""
    _prepare()
    return list(Interaction.query(chain_id, scan_index_forward=True, consistent_read=True))


# --- referrals -------------------------------------------------------------------------------


def scan_partners() -> list[Partner]:
    """1 Scan (directories are small: hundreds of partners fit in one 1 MB page)."""
    _prepare()
    return list(Partner.scan())


def update_case(case_id: str, actions: list) -> bool:
    """1 UpdateItem conditioned on the case existing. False when the case does not exist."""
    _prepare()
    try:
        Case(case_id).update(actions=actions, condition=Case.case_id.exists())
    except Exception as exc:  # UpdateError wrapping ConditionalCheckFailedException
        if error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


def update_case_unless_referred(case_id: str, contact_id: str, actions: list) -> tuple[str, dict | None]:
    """1 TransactWriteItems holding one case update, conditioned on the case existing and this contact
    not having referred yet (ALL_OLD on failure: no extra read).

    Returns ("updated", None) | ("case_not_found", None) | ("replay", old_case_raw_item).
    """
    condition = Case.case_id.exists() & Case.referral_sets[contact_id].does_not_exist()
    result = _run_transaction(puts=[], updates=[(Case(case_id), actions, condition, ALL_OLD)])
    if result.committed:
        return "updated", None
    old = result.old_item(0)
    if not old:
        return "case_not_found", None
    return "replay", old


def commit_referrals(
    case_id: str, contact_id: str, case_actions: list, referrals: list[Referral], partner_ids: list[str]
) -> tuple[str, dict | None]:
    """1 TransactWriteItems: referral items + case update + one capacity counter per partner.

    Returns ("committed", None) | ("case_not_found", None) | ("replay", old_case) | ("capacity", None).
    """
    puts = [(r, Referral.case_id.does_not_exist(), None) for r in referrals]
    case_condition = Case.case_id.exists() & Case.referral_sets[contact_id].does_not_exist()
    updates: list[tuple[Any, list, Any, str | None]] = [(Case(case_id), case_actions, case_condition, ALL_OLD)]
    for partner_id in partner_ids:
        updates.append(
            (
                Partner(partner_id),
                [Partner.assigned.add(1)],
                Partner.partner_id.exists()
                & (Partner.assigned.does_not_exist() | (Partner.assigned < Partner.capacity)),
                None,
            )
        )
    result = _run_transaction(puts=puts, updates=updates)
    if result.committed:
        return "committed", None
    case_index = len(puts)
    if result.failed(case_index):
        old = result.old_item(case_index)
        if not old:
            return "case_not_found", None
        return "replay", old
    if any(result.failed(len(puts) + 1 + i) for i in range(len(partner_ids))):
        return "capacity", None
    return "replay", None  # referral items exist (replay whose case condition raced)


# --- surveys ---------------------------------------------------------------------------------


def put_survey_answer(item: SurveyResponse) -> bool:
    """1 conditional PutItem. False when the answer was already recorded (replay)."""
    _prepare()
    try:
        item.save(condition=SurveyResponse.response_key.does_not_exist())
    except PutError as exc:
        if error_code(exc) == "ConditionalCheckFailedException":
            return False
        raise
    return True


__all__ = ["ALL_MODELS", "reset"]
