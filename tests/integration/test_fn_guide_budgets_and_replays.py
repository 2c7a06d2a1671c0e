"""The guide's handlers: DynamoDB request budgets (botocore calls counted), replays that write
nothing new, invalid parameters, and DynamoDB outages answered in time."""

from __future__ import annotations

import pytest

from tests.integration.support import GUIDE_CONTACT, guide_event, load_event, partners


def _ops(backend) -> list[str]:
    return [c.operation for c in backend.calls]


def _screening(case_id: str = "none", caller_id: str = "", **params: str) -> dict:
    values = {
        "caller_id": caller_id,
        "case_id": case_id,
        "language": "uk",
        "needs_codes": "SV-VA,LP-ND",
        "region": "mazowieckie",
        "urgency": "normal",
        "consent": "true",
        "note": "free text",
    }
    return guide_event(**{**values, **params})


def test_get_caller_context_reads_at_most_three_times_and_writes_nothing(backend, case_id):
    caller_id = backend.invoke("identify_caller", load_event("identify_caller"))["caller_id"]
    before = backend.dump_tables()
    backend.reset_calls()
    backend.invoke("get_caller_context", guide_event(caller_id=caller_id, case_id=""))
    assert _ops(backend) == ["GetItem", "GetItem", "Query"]  # caller, its open case, the case chain
    query = backend.calls[2].params
    assert query["ScanIndexForward"] is False and query["Limit"] == 5
    backend.reset_calls()
    backend.invoke("get_caller_context", guide_event(caller_id="none", case_id="none"))
    assert _ops(backend) == []
    assert backend.dump_tables() == before


def test_classify_call_budget_and_replay(backend, case_id):
    event = guide_event(call_type="real", case_id=case_id)
    backend.reset_calls()
    backend.invoke("classify_call", event)
    assert _ops(backend) == ["Query", "GetItem", "TransactWriteItems"]  # contact head, case, one transaction
    (tx,) = [c.params["TransactItems"] for c in backend.calls if c.operation == "TransactWriteItems"]
    assert [next(iter(i)) for i in tx] == ["Put", "Put", "Put", "Update"]  # marker, contact + case record, case
    after = backend.dump_tables()
    backend.reset_calls()
    assert backend.invoke("classify_call", event) == {"status": "ok", "call_type": "real"}
    assert _ops(backend) == ["Query", "GetItem"]  # the case's op key answers the replay
    backend.reset_calls()
    no_case = guide_event(call_type="silent", case_id="")
    backend.invoke("classify_call", no_case)
    backend.invoke("classify_call", no_case)
    assert _ops(backend) == ["Query", "TransactWriteItems", "Query", "TransactWriteItems"]  # the marker refuses
    final = backend.dump_tables()
    assert len(final["Interactions"]) == len(after["Interactions"]) + 1
    assert final["Cases"] == after["Cases"]


def test_save_screening_budget_and_replay(backend):
    backend.reset_calls()
    first = backend.invoke("save_screening", _screening())
    # open the contact's case (withheld caller id: no caller read), append, partners for 2 codes
    assert _ops(backend) == ["TransactWriteItems", "GetItem", "TransactWriteItems", "Query", "Query", "BatchGetItem"]
    after = backend.dump_tables()
    backend.reset_calls()
    assert backend.invoke("save_screening", _screening()) == first
    assert _ops(backend) == ["TransactWriteItems", "GetItem", "Query", "Query", "BatchGetItem"]  # cancelled create
    assert backend.dump_tables() == after
    backend.reset_calls()
    again = backend.invoke("save_screening", _screening(case_id=first["case_id"], needs_codes="", urgency="urgent"))
    assert _ops(backend) == ["GetItem", "TransactWriteItems"]  # no needs: no partner lookup
    assert again["suggested_partner_ids"] == "" and again["urgent"] == "true"
    assert first["suggested_partner_ids"] == "pl-gbv-safe,pl-legal-aid"
    assert first["suggested_partner_names"] == "Safe Space GBV | Legal Aid Foundation"


def test_route_referral_replay_writes_nothing(backend, case_id):
    event = guide_event(case_id=case_id, needs_codes="SV", consent="true", region="mazowieckie", language="uk")
    first = backend.invoke("route_referral", event)
    after = backend.dump_tables()
    assert backend.invoke("route_referral", event) == {**first, "reason": "replay"}
    assert backend.dump_tables() == after


def test_record_outcome_budget_and_replay(backend, case_id):
    event = guide_event(case_id=case_id, outcome="information_given", follow_up="false", callback_requested="false")
    backend.reset_calls()
    assert backend.invoke("record_outcome", event) == {"status": "ok", "case_status": "closed"}
    assert _ops(backend) == ["GetItem", "Query", "TransactWriteItems"]  # case, its referrals, one transaction
    after = backend.dump_tables()
    backend.reset_calls()
    assert backend.invoke("record_outcome", event) == {"status": "ok", "case_status": "closed"}
    assert _ops(backend) == ["GetItem"] and backend.dump_tables() == after
    backend.reset_calls()
    backend.invoke("record_outcome", guide_event(case_id=case_id, outcome="follow_up", follow_up="true"))
    assert _ops(backend) == ["GetItem", "TransactWriteItems"]  # not closing: no referral query


def test_block_caller_budget_and_replay(backend, case_id):
    caller_id = backend.invoke("identify_caller", load_event("identify_caller"))["caller_id"]
    event = guide_event(caller_id=caller_id, hours="6", agent_arn=backend.add_agent("super-1", supervisor=True))
    backend.reset_calls()
    first = backend.invoke("block_caller", event)
    assert _ops(backend) == ["DescribeUser", "GetItem", "GetItem", "Query", "TransactWriteItems"]
    after = backend.dump_tables()
    backend.reset_calls()
    assert backend.invoke("block_caller", event) == first
    assert _ops(backend) == ["DescribeUser", "GetItem", "GetItem", "Query"]
    assert backend.dump_tables() == after


def test_deliver_outbox_budget(backend, case_id):
    backend.invoke(
        "route_referral", guide_event(case_id=case_id, needs_codes="SV", consent="true", region="x", language="uk")
    )
    backend.reset_calls()
    assert backend.pump_streams() == [{"status": "ok", "delivered": "1", "skipped": "0"}]
    assert _ops(backend) == ["UpdateItem", "PutEvents", "UpdateItem"]  # claim, publish, mark
    claim, _, mark = (c.params for c in backend.calls)
    assert claim["ConditionExpression"] == (
        "((#0 = :0 AND (attribute_not_exists (#1) OR #1 < :1)) AND (attribute_not_exists (#2) OR #2 > :2))"
    )  # pending, not leased, not expired
    assert claim["ExpressionAttributeNames"] == {
        "#0": "status",
        "#1": "claimed_until",
        "#2": "expires_at",
        "#3": "attempts",
    }
    assert mark["ConditionExpression"] == "(#0 = :0 AND #1 = :1)"  # still pending and still our lease
    backend.reset_calls()
    assert backend.run_schedule() == {"status": "ok", "delivered": "0", "skipped": "0"}
    assert _ops(backend) == ["Query"] and backend.calls[0].params["IndexName"] == "pending"


@pytest.mark.parametrize(
    ("name", "params", "field"),
    [
        ("get_caller_context", {"caller_id": "+48601234567"}, "caller_id"),
        ("classify_call", {"call_type": "spam"}, "call_type"),
        ("save_screening", {"language": "uk", "needs_codes": "XX"}, "needs_codes"),
        ("save_screening", {"language": "uk", "note": "n" * 2001}, "note"),
        (
            "route_referral",
            {"case_id": "PL-AAAAAAAAAAAA", "region": "x", "language": "uk", "partner_ids": "A B"},
            "partner_ids",
        ),
        ("record_outcome", {"case_id": "PL-AAAAAAAAAAAA", "outcome": "closed"}, "outcome"),
        ("block_caller", {"caller_id": "a" * 64, "hours": "0", "agent_arn": "x"}, "hours"),
    ],
)
def test_invalid_parameters_are_named_and_nothing_is_written(backend, name, params, field):
    before = backend.dump_tables()
    answer = backend.invoke(name, guide_event(**params))
    assert answer["status"] == "invalid_parameter" and answer["error_field"] == field
    assert backend.dump_tables() == before
    assert "n" * 50 not in "\n".join(backend.logs)


GUIDE_EVENTS = {
    "get_caller_context": {"caller_id": "a" * 64, "case_id": "PL-AAAAAAAAAAAA"},
    "classify_call": {"call_type": "real", "case_id": "PL-AAAAAAAAAAAA"},
    "save_screening": {
        "case_id": "PL-AAAAAAAAAAAA",
        "language": "uk",
        "needs_codes": "SV",
        "consent": "true",
        "note": "secret shelter address",
    },
    "record_outcome": {"case_id": "PL-AAAAAAAAAAAA", "outcome": "resolved"},
    "block_caller": {"caller_id": "a" * 64, "hours": "1"},
}


def test_every_guide_function_answers_backend_unavailable_in_time_when_dynamodb_fails():
    from helpline.sandbox import local_backend

    with local_backend(partners(), country="pl", fail_dynamodb=True) as b:
        GUIDE_EVENTS["block_caller"]["agent_arn"] = b.add_agent("super-1", supervisor=True)
        for name, params in GUIDE_EVENTS.items():
            started = b.virtual_seconds
            assert b.invoke(name, guide_event(**params))["status"] == "backend_unavailable", name
            assert b.virtual_seconds - started < 8.0
        assert "shelter" not in "\n".join(b.logs)  # the note is never logged, not even on failure
        b.fail_dynamodb = False
        assert b.invoke("classify_call", guide_event(call_type="real"))["status"] == "ok"


def test_unknown_cases_are_case_not_found(backend):
    for name in ("save_screening", "record_outcome"):
        params = {k: v for k, v in GUIDE_EVENTS[name].items()}
        assert backend.invoke(name, guide_event(**params))["status"] == "case_not_found", name
    event = guide_event(case_id="PL-AAAAAAAAAAAA", needs_codes="SV", consent="false", region="x", language="uk")
    assert backend.invoke("route_referral", event)["status"] == "case_not_found"
    assert backend.dump_tables()["Cases"] == [] and GUIDE_CONTACT
