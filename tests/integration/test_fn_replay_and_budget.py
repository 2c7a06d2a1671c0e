"""Replays change nothing; DynamoDB request budgets per invocation; least privilege."""

from __future__ import annotations

import pytest

from functions.dal.models import MODELS_BY_LOGICAL_NAME
from functions.permissions import PERMISSIONS
from tests.integration.support import CONTACT_EVENT_FIXTURES, load_event, with_contact, with_params


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
    assert len(case_chain) == 1
    assert len(contact_chain) == len(CONTACT_EVENT_FIXTURES)
    assert len(tables["Referrals"]) == 2
    assert sum(p["assigned"] for p in tables["Partners"]) == 2
    assert len(tables["SurveyResponses"]) == 1
    assert len(backend.published_events) == 2
    assert tables["Cases"][0]["partner_ids"] == ["pl-med-critical", "pl-legal-aid"]


def _ddb(backend):
    return [c.operation for c in backend.dynamodb_calls()]


def test_request_budgets(backend):
    backend.reset_calls()
    backend.invoke("identify_caller", load_event("identify_caller"))
    assert _ddb(backend) == ["GetItem", "UpdateItem"]  # one read; a new caller is written once
    backend.reset_calls()
    backend.invoke("identify_caller", load_event("identify_caller"))
    assert _ddb(backend) == ["GetItem"]  # known caller, same language: the read only

    backend.reset_calls()
    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    assert _ddb(backend) == ["GetItem", "TransactWriteItems"]  # caller's pointer, then the new case
    backend.reset_calls()
    backend.invoke("create_case", load_event("create_case"))
    assert _ddb(backend) == ["GetItem", "GetItem"]  # replay: caller and case read, nothing written
    backend.reset_calls()
    appended = backend.invoke("create_case", with_contact(load_event("create_case"), "second-contact-0001"))
    assert appended["appended"] == "true"
    assert _ddb(backend) == ["GetItem", "GetItem", "TransactWriteItems"]  # returning caller: append
    reads = [c.params for c in backend.dynamodb_calls() if c.operation == "GetItem"]
    assert all(r["ConsistentRead"] is True for r in reads)  # the chain head must be current
    backend.reset_calls()
    backend.invoke("create_case", with_contact(load_event("create_case"), "second-contact-0001"))
    assert _ddb(backend) == ["GetItem", "GetItem"]  # replay of the append
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
    assert _ddb(backend) == ["Scan", "TransactWriteItems"]
    backend.reset_calls()
    backend.invoke("route_referral", event)
    assert _ddb(backend) == ["Scan", "TransactWriteItems"]  # replay: the cancelled transaction answers
    backend.reset_calls()
    backend.invoke("route_referral", with_params(event, consent="false"))
    assert _ddb(backend) == ["UpdateItem"]

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
        if call.operation == "TransactWriteItems":
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
    elif name == "record_contact_event":
        for fixture in CONTACT_EVENT_FIXTURES:
            backend.invoke(name, load_event(fixture))
            backend.invoke(name, load_event(fixture))
    else:
        backend.invoke(name, load_event("record_survey_answer"))
        backend.invoke(name, load_event("record_survey_answer"))


@pytest.mark.parametrize("name", sorted(PERMISSIONS))
def test_handlers_use_only_declared_permissions(backend, name):
    backend._case_id = backend.invoke("create_case", with_params(load_event("create_case"), topic="prep"))["case_id"]
    from functions.caches import reset_all

    reset_all()  # cold: the secret fetch must be observed too
    backend.reset_calls()
    _exercise(backend, name)
    tables, services = _used(backend)
    declared = PERMISSIONS[name]
    for table, actions in tables.items():
        assert table in declared["tables"], f"{name} touched undeclared table {table}"
        assert actions <= set(declared["tables"][table]), f"{name} used {actions} on {table}"
    assert ("secretsmanager:GetSecretValue" in services) == declared["hash_key_secret"]
    assert ("events:PutEvents" in services) == declared["event_bus"]
    other = {
        s for s in services if not s.startswith(("dynamodb:", "secretsmanager:GetSecretValue", "events:PutEvents"))
    }
    assert other == set()
