"""classify_call: the operator's call type (real, silent, prank, abusive, wrong_number,
information).  Never opens a case.

Records ``call_classified`` (payload: call_type, case_id, voice_contact_id from the guide) in the contact chain and, when the case
exists (not expired), in the case chain too (the case's ``call_type`` is set), all in ONE
TransactWriteItems with an idempotency marker: a replay (same contact, same parameters) writes
nothing; a reclassification in the same contact is a new record.

Answer: ``status``, ``call_type``.  ``case_not_found`` is not an error here: without a case only
the contact chain is written.

DynamoDB requests: 1 Query (the contact chain's head) + 1 GetItem (Cases, when a case id is
given) + 1 TransactWriteItems; per race on the contact chain or the case head, the same again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions.dal import changes, repository
from functions.errors import BackendUnavailable
from functions.logic import case_chain, contact_chain
from functions.logic.common import parse_params
from functions.models.lean import CALL_TYPES, OPTIONAL_CASE, Field, Spec, lower

if TYPE_CHECKING:
    from functions.models.connect import ContactFlowEvent

DEFAULTS = {"status": "ok", "call_type": ""}
PARAMS = Spec("ClassifyCallParams", [Field("call_type", "literal", choices=CALL_TYPES, before=lower), OPTIONAL_CASE])


def run(event: ContactFlowEvent) -> dict[str, str]:
    params = parse_params(PARAMS, event.parameters)
    contact_id = event.contact_id
    voice = event.related_contact_id
    key = case_chain.op_key("classify", contact_id, params.model_dump())
    answer = {"status": "ok", "call_type": params.call_type}
    payload = {"call_type": params.call_type, "case_id": params.case_id or ""}
    for _ in range(case_chain.MAX_ATTEMPTS):
        record = contact_chain.next_record(contact_id, "call_classified", payload, "operator", voice)
        marker = contact_chain.marker(key, "classify_call")
        case = repository.get_case(params.case_id) if params.case_id else None
        if case is None:
            if repository.append_with_marker(marker, record) in ("committed", "duplicate"):
                return answer
            continue
        if key in case_chain.map_keys(case.op_seqs):
            return answer
        plan = case_chain.Plan(
            records=[("call_classified", payload)],
            update=changes.classified(params.call_type),
            answer=answer,
            puts=[changes.put_new(marker), changes.put_new(record)],
            on_failed=lambda result: answer if result.failed(0) else None,
            voice_contact_id=voice,
        )
        done = case_chain.commit(case, contact_id, key, plan)
        if done is not None:
            return done
    raise BackendUnavailable("concurrent appends to the contact chain; retries exhausted")
