"""survey_consent: the person's answer to the outbound survey's consent question, and
record_survey_answer's campaign_id."""

from __future__ import annotations

import copy
import json

import pytest

from tests.integration.campaign_support import (
    CAMPAIGN,
    SURVEY,
    FakeConnect,
    SimClock,
    configure,
    contacts,
    load_list,
    phone,
    pseudonym,
    run_minutes,
    run_once,
)
from tests.integration.support import load_event, with_params


@pytest.fixture
def clock():
    return SimClock()


@pytest.fixture
def connect(backend, clock):
    fake = FakeConnect(clock)
    fake.attach()
    return fake


def consent(key: str, event: str, campaign_id: str = CAMPAIGN, **extra: str) -> dict:
    flow = copy.deepcopy(load_event("record_survey_answer"))
    flow["Details"]["Parameters"] = {
        "campaign_id": campaign_id,
        "contact_key": key,
        "survey_id": SURVEY,
        "language": "uk",
        "event": event,
        **extra,
    }
    return flow


def _one(backend, key):
    return contacts(backend)[key]


def _dialled(backend, clock, connect, monkeypatch, attempts: int = 3) -> dict:
    configure(monkeypatch, clock, attempts=attempts)
    keys = load_list(backend, clock, [phone(1), phone(2)])
    assert run_once(clock)["placed"] == "2"
    return keys


def test_declined_opts_out_and_removes_the_number(backend, clock, connect, monkeypatch):
    keys = _dialled(backend, clock, connect, monkeypatch)
    assert backend.invoke("survey_consent", consent(keys[phone(1)], "declined")) == {"status": "ok"}
    item = _one(backend, keys[phone(1)])
    assert (item["state"], item.get("phone"), item.get("queue")) == ("declined", None, None)
    (opt_out,) = backend.dump_tables()["SurveyOptOuts"]
    assert (opt_out["pseudonym"], opt_out["source"]) == (pseudonym(phone(1)), "declined")
    # the same person on a later list is never called
    load_list(backend, clock, [phone(1)], campaign_id="autumn-needs")
    run_minutes(clock, 30)
    assert connect.calls_to(phone(1)) == 1
    assert [i["state"] for i in contacts(backend, "autumn-needs").values()] == ["opted_out"]


@pytest.mark.parametrize("event", ["completed", "help"])
def test_completed_and_help_remove_the_number_and_are_never_called_again(backend, clock, connect, monkeypatch, event):
    keys = _dialled(backend, clock, connect, monkeypatch)
    assert backend.invoke("survey_consent", consent(keys[phone(1)], event))["status"] == "ok"
    item = _one(backend, keys[phone(1)])
    assert (item["state"], item.get("phone"), item.get("queue")) == (event, None, None)
    assert backend.dump_tables()["SurveyOptOuts"] == []
    run_minutes(clock, 30)
    assert connect.calls_to(phone(1)) == 1
    assert _one(backend, keys[phone(1)])["state"] == event  # the runner's reconciliation leaves it


def test_no_input_keeps_the_number_while_attempts_remain(backend, clock, connect, monkeypatch):
    keys = _dialled(backend, clock, connect, monkeypatch, attempts=2)
    key = keys[phone(1)]
    backend.invoke("survey_consent", consent(key, "no_input"))
    item = _one(backend, key)
    assert (item["state"], item["phone"], item["queue"]) == ("no_input", phone(1), f"{CAMPAIGN}#no_input")
    connect.behaviour = {phone(1): "answer"}  # a voicemail picks up
    connect.talk = 600
    for _ in range(15):  # retry_after_minutes=10: called again
        run_minutes(clock, 1)
        if connect.calls_to(phone(1)) == 2:
            break
    assert connect.calls_to(phone(1)) == 2
    assert connect.calls[-1].start - connect.calls[0].start >= 10 * 60
    backend.invoke("survey_consent", consent(key, "no_input"))  # the last attempt
    item = _one(backend, key)
    assert (item["state"], item.get("phone"), item.get("queue"), item["attempts"]) == ("no_input", None, None, 2)
    run_minutes(clock, 30)
    assert connect.calls_to(phone(1)) == 2


@pytest.mark.parametrize("event", ["answered", "accepted"])
def test_answered_and_accepted_write_nothing(backend, clock, connect, monkeypatch, event):
    keys = _dialled(backend, clock, connect, monkeypatch)
    before = backend.dump_tables()
    backend.reset_calls()
    assert backend.invoke("survey_consent", consent(keys[phone(1)], event)) == {"status": "ok"}
    assert [c.operation for c in backend.dynamodb_calls()] == ["GetItem"]
    assert backend.dump_tables() == before


def test_a_late_or_replayed_event_never_reopens_a_final_state(backend, clock, connect, monkeypatch):
    keys = _dialled(backend, clock, connect, monkeypatch)
    key = keys[phone(1)]
    backend.invoke("survey_consent", consent(key, "completed"))
    for event in ("completed", "no_input", "help"):
        assert backend.invoke("survey_consent", consent(key, event))["status"] == "ok"
    item = _one(backend, key)
    assert (item["state"], item.get("phone")) == ("completed", None)
    # a decline after the survey still opts the person out
    backend.invoke("survey_consent", consent(key, "declined"))
    assert len(backend.dump_tables()["SurveyOptOuts"]) == 1


def test_an_unknown_contact_is_not_found_and_nothing_is_written(backend, clock, connect, monkeypatch):
    _dialled(backend, clock, connect, monkeypatch)
    before = backend.dump_tables()
    assert backend.invoke("survey_consent", consent("0" * 32, "declined")) == {"status": "not_found"}
    assert backend.invoke("survey_consent", consent("0" * 32, "declined", campaign_id="other-list"))["status"] == (
        "not_found"
    )
    assert backend.dump_tables() == before


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"campaign_id": CAMPAIGN, "contact_key": "abc", "survey_id": SURVEY, "event": "declined"},
        {"campaign_id": "UPPER CASE", "contact_key": "a" * 32, "survey_id": SURVEY, "event": "declined"},
        {"campaign_id": CAMPAIGN, "contact_key": "a" * 32, "survey_id": SURVEY, "event": "maybe"},
        {"campaign_id": CAMPAIGN, "contact_key": "a" * 32, "survey_id": SURVEY, "event": "declined", "language": "!!"},
    ],
)
def test_malformed_parameters_answer_invalid(backend, params):
    flow = load_event("record_survey_answer")
    flow["Details"]["Parameters"] = params
    response = backend.invoke("survey_consent", flow)
    assert response["status"] == "invalid"
    assert backend.dynamodb_calls() == []


@pytest.mark.parametrize("event", [{}, {"Name": "ContactFlowEvent"}, {"Details": "x"}])
def test_a_malformed_event_answers_invalid(backend, event):
    assert backend.invoke("survey_consent", event)["status"] == "invalid"


def test_a_backend_failure_answers_error(backend, clock, connect, monkeypatch):
    keys = _dialled(backend, clock, connect, monkeypatch)
    backend.fail_dynamodb = True
    assert backend.invoke("survey_consent", consent(keys[phone(1)], "declined")) == {"status": "error"}


def test_nothing_personal_is_logged(backend, clock, connect, monkeypatch, caplog):
    keys = _dialled(backend, clock, connect, monkeypatch)
    for event in ("answered", "declined", "declined"):
        backend.invoke("survey_consent", consent(keys[phone(1)], event))
    backend.invoke("survey_consent", consent(keys[phone(2)], "bogus"))
    text = "\n".join(backend.logs) + caplog.text
    assert "answered" in text
    for number in (phone(1), phone(2)):
        assert number not in text and pseudonym(number) not in text
        assert keys[number] not in text


def test_record_survey_answer_stores_the_campaign(backend):
    event = with_params(load_event("record_survey_answer"), campaign_id=CAMPAIGN)
    assert backend.invoke("record_survey_answer", event)["status"] == "ok"
    (stored,) = backend.dump_tables()["SurveyResponses"]
    assert stored["campaign_id"] == CAMPAIGN
    other = with_params(load_event("record_survey_answer"), campaign_id="", question_id="q2")
    assert backend.invoke("record_survey_answer", other)["status"] == "ok"
    assert [r.get("campaign_id") for r in backend.dump_tables()["SurveyResponses"]].count(None) == 1
    bad = with_params(load_event("record_survey_answer"), campaign_id="../x", question_id="q3")
    assert backend.invoke("record_survey_answer", bad) == {
        "status": "invalid_parameter",
        "recorded": "false",
        "error_field": "campaign_id",
    }
    assert json.dumps(backend.dump_tables()["SurveyResponses"]).count(CAMPAIGN) == 1


@pytest.mark.parametrize("event", ["completed", "help", "declined", "no_input"])
def test_a_final_state_expires_with_the_survey_answers(backend, clock, connect, monkeypatch, event):
    from functions.settings import reset_settings

    keys = _dialled(backend, clock, connect, monkeypatch, attempts=1)  # no_input: the last attempt
    monkeypatch.setenv("RETENTION_DAYS_SURVEYS", "30")
    reset_settings()
    key = keys[phone(1)]
    assert backend.invoke("survey_consent", consent(key, event))["status"] == "ok"
    item = _one(backend, key)
    assert (item["state"], item.get("phone"), item.get("queue")) == (event, None, None)
    assert abs(item["expires_at"] - (clock.now + 30 * 86400)) <= 1
    assert item["contact_ids"] == [item["contact_id"]]  # the runner kept the attempt's ContactId


def test_no_input_with_attempts_left_keeps_the_list_s_expiry(backend, clock, connect, monkeypatch):
    keys = _dialled(backend, clock, connect, monkeypatch, attempts=2)
    key = keys[phone(1)]
    before = _one(backend, key)["expires_at"]
    backend.invoke("survey_consent", consent(key, "no_input"))
    assert _one(backend, key)["expires_at"] == before
