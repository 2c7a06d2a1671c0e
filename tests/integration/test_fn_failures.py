"""Malformed input and backend failures: clean statuses, nothing written."""

from __future__ import annotations

import pytest

from tests.integration.support import load_event, with_params

FLOW = ("identify_caller", "create_case", "route_referral", "record_survey_answer")
ERRORS = (
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "ReadTimeout",
    "ConnectTimeout",
    "InternalServerError",
)


@pytest.mark.parametrize(
    "bad",
    [
        {"language": "klingon-language"},
        {"topic": ""},
        {"priority": "very"},
        {"needs_codes": "XX"},
        {"needs_codes": "SM-ZZ"},
        {"consent": "yes"},
        {"channel_note": "call me +48 601 234 567"},
    ],
)
def test_invalid_create_case_parameters(backend, bad):
    response = backend.invoke("create_case", with_params(load_event("create_case"), **bad))
    assert response["status"] == "invalid_parameter" and response["error_field"] == next(iter(bad))
    assert backend.item_count() == 5


def test_invalid_survey_answer(backend):
    response = backend.invoke("record_survey_answer", with_params(load_event("record_survey_answer"), answer="7"))
    assert response["status"] == "invalid_parameter" and response["error_field"] == "answer"


@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("name", FLOW)
def test_backend_failures_answer_backend_unavailable_without_partial_writes(backend, name, error):
    case_id = backend.invoke("create_case", with_params(load_event("create_case"), topic="prep"))["case_id"]
    if name == "create_case":
        event = with_params(load_event("create_case"), topic="other")
        event["Details"]["ContactData"]["ContactId"] = "fresh-contact-0009"
    elif name == "route_referral":
        event = with_params(load_event("route_referral"), case_id=case_id)
    else:
        event = load_event(name)
    before = backend.dump_tables()
    backend.inject_failure(service="dynamodb", error=error)
    response = backend.invoke(name, event)
    backend.clear_failures()
    assert response["status"] == "backend_unavailable", response
    assert backend.dump_tables() == before
    assert backend.published_events == []


def test_secret_failure_is_backend_unavailable(backend):
    backend.inject_failure(service="secretsmanager", error="ThrottlingException")
    assert backend.invoke("identify_caller", load_event("identify_caller"))["status"] == "backend_unavailable"


def test_transaction_failure_after_partner_scan_writes_nothing(backend):
    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    before = backend.dump_tables()
    backend.inject_failure("TransactWriteItems", error="ProvisionedThroughputExceededException")
    response = backend.invoke("route_referral", with_params(load_event("route_referral"), case_id=case_id))
    assert response["status"] == "backend_unavailable"
    assert backend.dump_tables() == before


def test_eventbridge_failure_keeps_referrals_and_reports(backend):
    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    backend.inject_failure("PutEvents", service="events", error="InternalException")
    response = backend.invoke("route_referral", with_params(load_event("route_referral"), case_id=case_id))
    assert response["status"] == "ok" and response["notified"] == "false" and response["referred"] == "2"


@pytest.mark.parametrize("error", ERRORS)
def test_contact_event_backend_failure_raises_for_retry(backend, error):
    backend.inject_failure(service="dynamodb", error=error)
    with pytest.raises(Exception):  # noqa: B017 - any backend exception must propagate to Lambda
        backend.invoke("record_contact_event", load_event("contact_event_queued"))
    backend.clear_failures()
    assert backend.dump_tables()["Interactions"] == []
    # the retry succeeds and records exactly once
    assert backend.invoke("record_contact_event", load_event("contact_event_queued"))["status"] == "ok"
    assert len(backend.dump_tables()["Interactions"]) == 1
