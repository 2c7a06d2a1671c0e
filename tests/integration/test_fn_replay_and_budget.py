"""Replays change nothing; DynamoDB request budgets per invocation; least privilege."""

from __future__ import annotations

import pytest

from functions.dal.models import MODELS_BY_LOGICAL_NAME
from functions.permissions import PERMISSIONS
from tests.integration.support import CONTACT_EVENT_FIXTURES, guide_event, load_event, with_contact, with_params


def test_every_event_replayed_five_times_writes_once(backend):
    identify = load_event("identify_caller")
    responses = [backend.invoke("identify_caller", identify) for _ in range(5)]
    assert len({tuple(sorted(r.items())) for r in responses}) == 1
    created = [backend.invoke("create_case", load_event("create_case")) for _ in range(5)]
    assert [(r["status"], r["created"], r["appended"]) for r in created] == [("ok", "true", "false")] * 5
    assert len({r["case_id"] for r in created}) == 1  # a replay answers the same
    referral = with_params(load_event("route_referral"), case_id=created[0]["case_id"])
    referred = [backend.invoke("route_referral", referral) for _ in range(5)]
    assert len({r["partner_ids"] for r in referred}) == 1 and referred[0]["referred"] == "2"
    assert all(r["status"] == "ok" for r in referred)
    for name in CONTACT_EVENT_FIXTURES:
        for _ in range(5):
            backend.invoke("record_contact_event", load_event(name))
    for _ in range(5):
        assert backend.invoke("record_survey_answer", load_event("record_survey_answer"))["status"] == "ok"

    tables = backend.dump_tables()
    assert len(tables["Callers"]) == 1
    assert len(tables["Cases"]) == 1
    case_chain = [r for r in tables["Interactions"] if r["chain_id"].startswith("case#")]
    contact_chain = [r for r in tables["Interactions"] if r["chain_id"].startswith("contact#")]
    assert [r["record_type"] for r in sorted(case_chain, key=lambda r: r["seq"])] == [
        "case_created",
        "referral_created",
        "referral_created",
    ]
    assert len(contact_chain) == len(CONTACT_EVENT_FIXTURES)
    assert len(tables["Referrals"]) == 2 and len(tables["Outbox"]) == 2
    assert sum(p["open_referrals"] for p in tables["PartnerLoads"]) == 2
    assert len(tables["SurveyResponses"]) == 1
    for _ in range(3):
        backend.pump_streams()
    assert len(backend.published_events) == 2
    assert tables["Cases"][0]["partner_ids"] == ["pl-med-critical", "pl-legal-aid"]


def _ddb(backend):
    return [c.operation for c in backend.dynamodb_calls()]


def test_request_budgets(backend):
    backend.reset_calls()
    backend.invoke("identify_caller", load_event("identify_caller"))
    # one read; the contact's link to the pseudonym; a new caller is written once
    assert _ddb(backend) == ["GetItem", "UpdateItem", "UpdateItem"]
    backend.reset_calls()
    backend.invoke("identify_caller", load_event("identify_caller"))
    assert _ddb(backend) == ["GetItem", "UpdateItem"]  # known caller, same language: the read and the link

    backend.reset_calls()
    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    # caller's pointer, the new case, then the call's link names its case (no contact attribute)
    assert _ddb(backend) == ["GetItem", "TransactWriteItems", "UpdateItem"]
    backend.reset_calls()
    backend.invoke("create_case", load_event("create_case"))
    assert _ddb(backend) == ["GetItem", "GetItem", "UpdateItem"]  # replay: reads; the link set again
    backend.reset_calls()
    appended = backend.invoke("create_case", with_contact(load_event("create_case"), "second-contact-0001"))
    assert appended["appended"] == "true"
    assert _ddb(backend) == ["GetItem", "GetItem", "TransactWriteItems", "UpdateItem"]  # returning caller: append
    reads = [c.params for c in backend.dynamodb_calls() if c.operation == "GetItem"]
    assert all(r["ConsistentRead"] is True for r in reads)  # the chain head must be current
    backend.reset_calls()
    backend.invoke("create_case", with_contact(load_event("create_case"), "second-contact-0001"))
    assert _ddb(backend) == ["GetItem", "GetItem", "UpdateItem"]  # replay of the append
    withheld = with_contact(load_event("create_case"), "withheld-contact-0001")
    withheld["Details"]["ContactData"]["CustomerEndpoint"] = {"Address": "anonymous", "Type": "TELEPHONE_NUMBER"}
    backend.reset_calls()
    backend.invoke("create_case", withheld)
    assert _ddb(backend) == ["TransactWriteItems"]  # no number: no caller to read
    backend.reset_calls()
    backend.invoke("create_case", withheld)
    assert _ddb(backend) == ["TransactWriteItems"]  # replay: one cancelled transaction (ALL_OLD)

    event = with_params(load_event("route_referral"), case_id=case_id)
    backend.reset_calls()
    backend.invoke("route_referral", event)
    # the case (chain head), partners per needs code (LP-ND, SM-CC), directory + counters, one transaction
    assert _ddb(backend) == ["GetItem", "Query", "Query", "BatchGetItem", "TransactWriteItems"]
    assert [c.params["KeyConditionExpression"] for c in backend.dynamodb_calls() if c.operation == "Query"] == [
        "#0 = :0"
    ] * 2
    (tx,) = [c.params for c in backend.dynamodb_calls() if c.operation == "TransactWriteItems"]
    kinds = [(next(iter(i)), i[next(iter(i))]["TableName"].rsplit("-", 1)[-1]) for i in tx["TransactItems"]]
    assert kinds == [
        ("Put", "referrals"),
        ("Put", "outbox"),
        ("Put", "referrals"),
        ("Put", "outbox"),
        ("Put", "interactions"),
        ("Put", "interactions"),
        ("Update", "cases"),
        ("Update", "partnerloads"),
        ("Update", "partnerloads"),
    ]  # referral and notification in the SAME transaction
    backend.reset_calls()
    backend.invoke("route_referral", event)
    assert _ddb(backend) == ["GetItem"]  # replay: the case's referral_sets answers
    backend.reset_calls()
    backend.invoke("route_referral", with_params(event, consent="false"))
    assert _ddb(backend) == ["GetItem"]  # the case must exist; nothing written
    backend.reset_calls()
    assert backend.pump_streams() == [{"status": "ok", "delivered": "2", "skipped": "0"}]
    assert _ddb(backend) == ["UpdateItem"] * 4  # claim each, then mark each delivered
    assert [c.operation for c in backend.calls if c.service == "events"] == ["PutEvents"]  # one batch

    backend.reset_calls()
    backend.invoke("record_contact_event", load_event("contact_event_queued"))
    assert _ddb(backend) == ["Query", "TransactWriteItems"]
    backend.reset_calls()
    backend.invoke("record_survey_answer", load_event("record_survey_answer"))
    assert _ddb(backend) == ["PutItem"]


TX_ACTIONS = {
    "Put": "dynamodb:PutItem",
    "Update": "dynamodb:UpdateItem",
    "Delete": "dynamodb:DeleteItem",
    "ConditionCheck": "dynamodb:ConditionCheckItem",
}


def _used(backend) -> tuple[dict[str, set[str]], set[str]]:
    names = {m.Meta.table_name: logical for logical, m in MODELS_BY_LOGICAL_NAME.items()}
    tables: dict[str, set[str]] = {}
    services: set[str] = set()
    for call in backend.calls:
        services.add(f"{call.service}:{call.operation}")
        if call.service != "dynamodb":
            continue
        if call.operation == "BatchGetItem":
            for table in call.params["RequestItems"]:
                tables.setdefault(names[table], set()).add("dynamodb:BatchGetItem")
        elif call.operation == "TransactWriteItems":
            for item in call.params["TransactItems"]:
                ((kind, op),) = item.items()
                tables.setdefault(names[op["TableName"]], set()).add(TX_ACTIONS[kind])
        else:
            tables.setdefault(names[call.params["TableName"]], set()).add(f"dynamodb:{call.operation}")
    return tables, services


def _exercise(backend, name: str) -> None:
    """Drive every code path of a handler (first call, replay, variants)."""
    if name == "identify_caller":
        backend.invoke(name, load_event("identify_caller"))
        backend.invoke(name, with_params(load_event("identify_caller"), language="ru"))
    elif name == "create_case":
        backend.invoke(name, load_event("create_case"))
        backend.invoke(name, load_event("create_case"))
        backend.invoke(name, with_contact(load_event("create_case"), "returning-contact-0001"))  # append
        backend.invoke(name, with_contact(load_event("create_case"), "returning-contact-0001"))
    elif name == "route_referral":
        event = with_params(load_event("route_referral"), case_id=backend._case_id)
        backend.invoke(name, event)
        backend.invoke(name, event)
        backend.invoke(name, with_params(event, consent="false"))
        backend.invoke(name, with_params(event, needs_codes="FU-TR"))
    elif name == "deliver_outbox":
        referral = with_contact(load_event("route_referral"), "outbox-contact-0001")
        backend.invoke("route_referral", with_params(referral, case_id=backend._case_id))
        backend.reset_calls()  # only deliver_outbox's own requests below
        backend.pump_streams(name)
        backend.run_schedule(name)
    elif name in GUIDE:
        GUIDE[name](backend)
    elif name in ("run_survey_campaign", "survey_consent"):
        from tests.integration.campaign_support import exercise

        exercise(backend, name)
    elif name == "record_contact_event":
        for fixture in CONTACT_EVENT_FIXTURES:
            backend.invoke(name, load_event(fixture))
            backend.invoke(name, load_event(fixture))
    else:
        backend.invoke(name, load_event("record_survey_answer"))
        backend.invoke(name, load_event("record_survey_answer"))


def _guide_context(backend) -> None:
    call = load_event("identify_caller")
    caller_id = backend.invoke("identify_caller", call)["caller_id"]
    voice = call["Details"]["ContactData"]["ContactId"]
    backend.connect_contacts[voice] = {"language": "uk", "topic": "legal"}
    backend.reset_calls()
    backend.invoke("get_caller_context", guide_event(caller_id=caller_id, case_id="none"))
    backend.invoke("get_caller_context", guide_event(caller_id=caller_id, case_id=backend._case_id))
    # as the guide calls it: only the link to the call (RelatedContactId), the rest looked up
    related = guide_event()
    related["Details"]["ContactData"]["RelatedContactId"] = voice
    backend.invoke("get_caller_context", related)


def _guide_classify(backend) -> None:
    backend.invoke("classify_call", guide_event(call_type="prank", case_id=""))
    backend.invoke("classify_call", guide_event(call_type="real", case_id=backend._case_id))
    backend.invoke("classify_call", guide_event(call_type="real", case_id=backend._case_id))


def _guide_screening(backend) -> None:
    for case in ("", backend._case_id):
        event = guide_event(case_id=case, language="uk", needs_codes="SV", region="mazowieckie", consent="true")
        backend.invoke("save_screening", event)
        backend.invoke("save_screening", with_contact(event, "screening-contact-0002"))


def _guide_outcome(backend) -> None:
    referral = with_params(load_event("route_referral"), case_id=backend._case_id)
    backend.invoke("route_referral", referral)
    backend.reset_calls()
    for outcome in ("follow_up", "resolved", "resolved"):
        backend.invoke("record_outcome", guide_event(case_id=backend._case_id, outcome=outcome))


def _guide_block(backend) -> None:
    caller_id = backend.invoke("identify_caller", load_event("identify_caller"))["caller_id"]
    backend.reset_calls()
    for supervisor in (False, True, True):
        arn = backend.add_agent("super-1" if supervisor else "agent-1", supervisor=supervisor)
        backend.invoke("block_caller", guide_event(caller_id=caller_id, hours="2", agent_arn=arn))


GUIDE = {
    "get_caller_context": _guide_context,
    "classify_call": _guide_classify,
    "save_screening": _guide_screening,
    "record_outcome": _guide_outcome,
    "block_caller": _guide_block,
}


# archive_records (H2's, the audit's) needs the archive bucket and signing key: tests/integration/test_audit_*
@pytest.mark.parametrize("name", sorted(set(PERMISSIONS) - {"archive_records"}))
def test_handlers_use_only_declared_permissions(backend, name):
    backend._case_id = backend.invoke("create_case", with_params(load_event("create_case"), topic="prep"))["case_id"]
    from functions.caches import reset_all

    reset_all()  # cold: every client is created again
    backend.reset_calls()
    _exercise(backend, name)
    tables, services = _used(backend)
    declared = PERMISSIONS[name]
    for table, actions in tables.items():
        assert table in declared["tables"], f"{name} touched undeclared table {table}"
        assert actions <= set(declared["tables"][table]), f"{name} used {actions} on {table}"
    assert ("kms:GenerateMac" in services) == declared["pseudonym_key"]
    assert ("events:PutEvents" in services) == declared["event_bus"]
    assert {s for s in services if s.startswith("connect:")} == set(declared.get("connect", []))
    other = {s for s in services if not s.startswith(("dynamodb:", "kms:GenerateMac", "events:PutEvents", "connect:"))}
    assert other == set()
