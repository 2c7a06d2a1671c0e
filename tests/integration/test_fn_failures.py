"""Malformed input and backend failures: clean statuses, nothing written, retries and deadline proven.

Failures are injected by the sandbox BELOW botocore's retry layer (one HTTP attempt at a time),
so these tests count the attempts botocore really made and the simulated seconds they took.
"""

from __future__ import annotations

import pytest

from functions import deadline
from functions.deadline import FLOW_BUDGET_SECONDS
from functions.settings import DEFAULT_MAX_RETRIES
from tests.integration.support import load_event, partners, with_contact, with_params

FLOW = ("identify_caller", "create_case", "route_referral", "record_survey_answer")
ERRORS = (
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "ReadTimeout",
    "ConnectTimeout",
    "InternalServerError",
    "ServiceUnavailable",
)
MAX_ATTEMPTS = 1 + DEFAULT_MAX_RETRIES  # botocore's attempts per request: 1 + DDB_MAX_RETRIES (default 4)
CONNECT_LIMIT = 8.0  # Amazon Connect waits at most 8 s for a Lambda answer
ASYNC_TIMEOUT = 60.0  # Lambda timeout of the EventBridge- and stream-invoked functions (no flow deadline)
TIMEOUT_SECONDS = {"ReadTimeout": 2, "ConnectTimeout": 1}  # DDB_READ_TIMEOUT, DDB_CONNECT_TIMEOUT
# Attempts of ONE request of a flow function when every attempt fails: botocore retries while the
# deadline hook lets a retry's worst-case back-off plus one worst-case attempt (3 s) end within the
# 6 s budget (functions/deadline.py); DDB_MAX_RETRIES only bounds the count.
FLOW_ATTEMPTS = {
    # instant answers, throttling back-off (up to 1 s, 2 s): after 3 attempts a 4th needs 4 s + 3 s
    "ProvisionedThroughputExceededException": 3,
    "ThrottlingException": 3,
    # 2 s each: 0-2 s, 2-4 s; a third needs 0.1 s + 3 s more
    "ReadTimeout": 2,
    # 1 s each plus 50-ms-scale back-offs: the third ends by 3.15 s at most; a fourth needs 0.2 s + 3 s
    "ConnectTimeout": 3,
    # instant answers, 50-ms-scale back-offs (under 1 s in all): every retry DDB_MAX_RETRIES allows
    "InternalServerError": MAX_ATTEMPTS,
    "ServiceUnavailable": MAX_ATTEMPTS,
}
# what the deadline hook takes for a throttling error (any error answer below 500; functions.deadline)
THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException"}


def _assert_retried_while_a_retry_fit(attempts: int, elapsed: float, error: str) -> None:
    """A flow function's request made every attempt that could end within the budget, and no more:
    it answered within FLOW_BUDGET_SECONDS, and unless DDB_MAX_RETRIES ran out first, one more retry
    (its worst-case back-off plus one worst-case attempt) would have ended after the deadline."""
    assert elapsed <= FLOW_BUDGET_SECONDS < CONNECT_LIMIT
    assert 1 <= attempts <= MAX_ATTEMPTS
    if attempts < MAX_ATTEMPTS:
        one_more = deadline.backoff_seconds(attempts, throttled=error in THROTTLED) + deadline.attempt_seconds()
        assert elapsed + one_more > FLOW_BUDGET_SECONDS, (attempts, elapsed)


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
    before = backend.dump_tables()
    backend.reset_calls()
    response = backend.invoke("create_case", with_params(load_event("create_case"), **bad))
    assert response["status"] == "invalid_parameter" and response["error_field"] == next(iter(bad))
    assert backend.dump_tables() == before
    assert backend.calls == []  # rejected before any AWS request (not even the secret)


def test_invalid_survey_answer(backend):
    response = backend.invoke("record_survey_answer", with_params(load_event("record_survey_answer"), answer="7"))
    assert response["status"] == "invalid_parameter" and response["error_field"] == "answer"
    assert backend.dump_tables()["SurveyResponses"] == []


def _event(backend, name: str) -> dict:
    case_id = backend.invoke("create_case", with_params(load_event("create_case"), topic="prep"))["case_id"]
    if name == "create_case":
        return with_contact(with_params(load_event("create_case"), topic="other"), "fresh-contact-0009")
    if name == "route_referral":
        return with_params(load_event("route_referral"), case_id=case_id)
    return load_event(name)


@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("name", FLOW)
def test_backend_failures_answer_backend_unavailable_without_partial_writes(backend, name, error):
    event = _event(backend, name)
    before = backend.dump_tables()
    backend.reset_calls()
    clock = backend.virtual_seconds
    backend.inject_failure(service="dynamodb", error=error)
    response = backend.invoke(name, event)
    backend.clear_failures()
    assert response["status"] == "backend_unavailable", response
    assert backend.dump_tables() == before
    assert backend.published_events == []
    # botocore retried the first DynamoDB request (every attempt failed) while a retry could still
    # end within the flow's budget, then the handler gave up
    (call,) = backend.dynamodb_calls()
    attempts = backend.attempts("dynamodb")
    assert attempts == FLOW_ATTEMPTS[error]
    assert {a.error for a in backend.http_attempts if a.service == "dynamodb"} == {error}
    assert len(backend.retry_delays) == attempts - 1
    elapsed = backend.virtual_seconds - clock
    assert elapsed == pytest.approx(TIMEOUT_SECONDS.get(error, 0) * attempts + sum(backend.retry_delays))
    _assert_retried_while_a_retry_fit(attempts, elapsed, error)


@pytest.mark.parametrize("name", FLOW)
def test_one_failed_attempt_is_absorbed_by_botocores_retry(backend, name):
    event = _event(backend, name)
    backend.reset_calls()
    backend.inject_failure(service="dynamodb", error="ThrottlingException", times=1)
    response = backend.invoke(name, event)
    assert response["status"] == "ok", response
    attempts = [a for a in backend.http_attempts if a.service == "dynamodb"]
    # one retry, of the first request; every other request was sent once and answered by moto itself
    # (create_case's ContactLinks update answers 400 ConditionalCheckFailed for this contact, which
    # identify_caller never linked: not an injected failure, and not retried)
    assert [a.error for a in attempts] == ["ThrottlingException"] + [""] * len(backend.dynamodb_calls())
    assert attempts[0].status == 400
    assert len(backend.retry_delays) == 1 and 0 <= backend.retry_delays[0] <= 1


def _reconfigure(monkeypatch, **env: str) -> None:
    from functions.caches import reset_all

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    reset_all()


def test_ddb_max_retries_sets_the_attempts(backend, monkeypatch):
    _reconfigure(monkeypatch, DDB_MAX_RETRIES="3")
    backend.invoke("identify_caller", load_event("identify_caller"))
    backend.reset_calls()
    backend.inject_failure("GetItem", error="InternalServerError")
    assert backend.invoke("identify_caller", load_event("identify_caller"))["status"] == "backend_unavailable"
    assert backend.attempts("dynamodb", "GetItem") == 4
    assert all(a.status == 500 for a in backend.http_attempts if a.service == "dynamodb")
    assert backend.attempts("kms", "GenerateMac") == 1  # the pseudonym (never cached), before the read
    _reconfigure(monkeypatch, DDB_MAX_RETRIES="0")
    backend.reset_calls()
    assert backend.invoke("identify_caller", load_event("identify_caller"))["status"] == "backend_unavailable"
    assert backend.attempts("dynamodb", "GetItem") == 1 and backend.retry_delays == []


def test_the_deadline_stops_retries_that_could_not_finish_before_connect_gives_up(backend, monkeypatch):
    """Ten retries allowed, every attempt times out after DDB_READ_TIMEOUT=2 s: only the attempts
    that can end within the flow's budget are made, and the answer comes in time."""
    _reconfigure(monkeypatch, DDB_MAX_RETRIES="10")
    backend.invoke("identify_caller", load_event("identify_caller"))
    backend.reset_calls()
    clock = backend.virtual_seconds
    backend.inject_failure(error="ReadTimeout")
    response = backend.invoke("identify_caller", load_event("identify_caller"))
    assert response["status"] == "backend_unavailable"
    elapsed = backend.virtual_seconds - clock
    # 0-2 s: attempt 1; 2-4 s: attempt 2; a third attempt (2 s + up to 1 s connect) could end after 6 s
    assert backend.attempts("dynamodb") == 2
    assert elapsed <= FLOW_BUDGET_SECONDS < CONNECT_LIMIT


def test_the_deadline_counts_time_already_spent(backend, monkeypatch):
    """create_case makes up to three requests: slow ones early leave no time for late retries."""
    _reconfigure(monkeypatch, DDB_MAX_RETRIES="10")
    backend.invoke("create_case", load_event("create_case"))
    backend.reset_calls()
    clock = backend.virtual_seconds
    from functions.dal.models import Caller, Case

    for model in (Caller, Case):  # both reads time out once
        backend.inject_failure("GetItem", error="ReadTimeout", times=1, table=model.Meta.table_name)
    backend.inject_failure("TransactWriteItems", error="ReadTimeout")
    response = backend.invoke("create_case", with_contact(load_event("create_case"), "late-contact-0001"))
    assert response["status"] == "backend_unavailable"
    # caller read: timed out (0-2 s), retried (2-2 s); case read: timed out (2-4 s) and its retry
    # (up to 3 s more) could end after the 6 s budget: not sent, nothing written
    assert backend.attempts("dynamodb", "GetItem") == 3
    assert backend.attempts("dynamodb", "TransactWriteItems") == 0
    assert backend.virtual_seconds - clock <= FLOW_BUDGET_SECONDS
    assert "late-contact-0001" not in str(backend.dump_tables())


@pytest.mark.parametrize("name", ["identify_caller", "create_case"])
def test_sustained_throttling_is_retried_until_no_retry_fits_the_budget(backend, monkeypatch, name):
    """Issue 20: with DDB_MAX_RETRIES=1 (the old default) DynamoDB throttling gave up after one retry
    with at least 5 of the 6 s unused, though another retry would have fit; with the default (4) a
    flow function retries until one more retry could not end before the deadline.

    Throttling answers take no time, so the seconds that pass are botocore's back-offs alone (up to
    1 s, 2 s, 4 s: rand(0, 1) * 2 ** n); the deadline must assume the longest back-off plus a 3-s
    attempt, so after the third attempt no retry fits (4 s + 3 s > 6 s) although at most 3 s passed."""
    event = load_event(name)
    attempt = deadline.attempt_seconds()
    seen = {}
    for retries in (1, DEFAULT_MAX_RETRIES):
        _reconfigure(monkeypatch, DDB_MAX_RETRIES=str(retries))
        backend.reset_calls()
        clock = backend.virtual_seconds
        backend.inject_failure(error="ProvisionedThroughputExceededException")  # every attempt
        answer = backend.invoke(name, event)
        backend.clear_failures()
        assert answer["status"] == "backend_unavailable", answer
        (call,) = backend.dynamodb_calls()  # the first request never got through; nothing else sent
        seen[retries] = (backend.attempts("dynamodb"), backend.virtual_seconds - clock)
    old_attempts, old_elapsed = seen[1]
    new_attempts, new_elapsed = seen[DEFAULT_MAX_RETRIES]
    # before: one retry, after at most one 1-s back-off: 5 s or more of the budget unused, and a third
    # attempt (its back-off of up to 2 s plus 3 s) would still have ended in time
    assert old_attempts == 2
    assert old_elapsed <= deadline.backoff_seconds(1)
    assert FLOW_BUDGET_SECONDS - old_elapsed >= 5.0
    assert old_elapsed + deadline.backoff_seconds(2) + attempt <= FLOW_BUDGET_SECONDS
    # now: more than one retry, the answer within the budget, and the retries stopped only because
    # one more could have ended after the deadline (DDB_MAX_RETRIES was not what stopped them)
    assert new_attempts == 3 > old_attempts
    assert new_attempts < 1 + DEFAULT_MAX_RETRIES
    assert new_elapsed <= deadline.backoff_seconds(1) + deadline.backoff_seconds(2)
    assert new_elapsed <= FLOW_BUDGET_SECONDS
    assert new_elapsed + deadline.backoff_seconds(new_attempts) + attempt > FLOW_BUDGET_SECONDS


@pytest.mark.parametrize("name", FLOW)
def test_flow_functions_answer_within_connects_limit_when_every_request_times_out(backend, name):
    event = _event(backend, name)
    from functions.caches import reset_all

    reset_all()  # cold: the hash-key secret is fetched too (identify_caller, create_case)
    before = backend.dump_tables()
    clock = backend.virtual_seconds
    for service in ("dynamodb", "secretsmanager", "events"):
        backend.inject_failure(service=service, error="ReadTimeout")
    response = backend.invoke(name, event)
    assert response["status"] == "backend_unavailable"
    assert backend.virtual_seconds - clock <= FLOW_BUDGET_SECONDS < CONNECT_LIMIT
    backend.clear_failures()
    assert backend.dump_tables() == before


def test_a_backend_failure_is_counted_for_alarms(backend, capsys):
    """Flow functions never raise, so Lambda's Errors metric stays 0: the status metric is the signal."""
    backend.invoke("identify_caller", load_event("identify_caller"))
    capsys.readouterr()
    backend.inject_failure(error="ServiceUnavailable")
    backend.invoke("identify_caller", load_event("identify_caller"))
    emf = [line for line in capsys.readouterr().out.splitlines() if "CloudWatchMetrics" in line]
    (metrics,) = emf
    assert '"Status_backend_unavailable":[1.0]' in metrics and '"function":"identify_caller"' in metrics
    assert '"Namespace":"Helpline"' in metrics


def test_secret_failure_is_backend_unavailable(backend):
    """The pseudonym is a KMS GenerateMac (no secret any more): a throttled KMS is retried like
    DynamoDB, within the flow's budget, and answers backend_unavailable with nothing read or written."""
    clock = backend.virtual_seconds
    backend.inject_failure("GenerateMac", service="kms", error="ThrottlingException")
    assert backend.invoke("identify_caller", load_event("identify_caller"))["status"] == "backend_unavailable"
    attempts = backend.attempts("kms", "GenerateMac")
    assert attempts == FLOW_ATTEMPTS["ThrottlingException"]
    _assert_retried_while_a_retry_fit(attempts, backend.virtual_seconds - clock, "ThrottlingException")
    assert [c.service for c in backend.calls] == ["kms"]  # no secret, no table read
    tables = backend.dump_tables()
    assert tables["Callers"] == [] and tables["ContactLinks"] == []


def test_transaction_failure_after_partner_reads_writes_nothing(backend):
    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    before = backend.dump_tables()
    backend.reset_calls()
    clock = backend.virtual_seconds
    backend.inject_failure("TransactWriteItems", error="ProvisionedThroughputExceededException")
    response = backend.invoke("route_referral", with_params(load_event("route_referral"), case_id=case_id))
    assert response["status"] == "backend_unavailable"
    assert backend.dump_tables() == before
    assert backend.attempts("dynamodb", "Scan") == 0  # partners by needs code: Query, never Scan
    assert backend.attempts("dynamodb", "Query") == 2  # LP-ND, SM-CC
    assert backend.attempts("dynamodb", "BatchGetItem") == 1
    attempts = backend.attempts("dynamodb", "TransactWriteItems")
    assert attempts == FLOW_ATTEMPTS["ProvisionedThroughputExceededException"]
    _assert_retried_while_a_retry_fit(
        attempts, backend.virtual_seconds - clock, "ProvisionedThroughputExceededException"
    )
    assert backend.pump_streams() == [] and backend.published_events == []  # no outbox message either


def test_eventbridge_failure_keeps_referrals_and_their_notifications(backend):
    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    backend.inject_failure("PutEvents", service="events", error="InternalException")
    response = backend.invoke("route_referral", with_params(load_event("route_referral"), case_id=case_id))
    assert response["status"] == "ok" and response["queued"] == "true" and response["referred"] == "2"
    assert backend.calls[-1].operation == "TransactWriteItems"  # the flow function never calls EventBridge
    (failed,) = backend.pump_streams()
    assert type(failed).__name__ == "DeliveryFailed"
    assert backend.attempts("events", "PutEvents") == 1  # a 400 error: not retried by botocore
    assert backend.published_events == []
    tables = backend.dump_tables()
    assert len(tables["Referrals"]) == 2
    assert [(m["status"], m["attempts"], "claimed_until" in m) for m in tables["Outbox"]] == [("pending", 1, False)] * 2


def test_eventbridge_outage_is_retried_by_botocore_then_by_the_stream(backend):
    case_id = backend.invoke("create_case", load_event("create_case"))["case_id"]
    # deliver_outbox is stream-invoked (no flow deadline): botocore makes every attempt
    # DDB_MAX_RETRIES allows; all of them fail, so the stream retries the batch
    backend.inject_failure("PutEvents", service="events", error="ServiceUnavailable", times=MAX_ATTEMPTS)
    response = backend.invoke("route_referral", with_params(load_event("route_referral"), case_id=case_id))
    assert response["status"] == "ok" and response["queued"] == "true"
    assert type(backend.pump_streams()[0]).__name__ == "DeliveryFailed"
    assert backend.attempts("events", "PutEvents") == MAX_ATTEMPTS
    assert backend.pump_streams() == [{"status": "ok", "delivered": "2", "skipped": "0"}]  # the batch again
    assert len(backend.published_events) == 2 and backend.pump_streams() == []


@pytest.mark.parametrize("error", ERRORS)
def test_contact_event_backend_failure_raises_for_retry(backend, error):
    clock = backend.virtual_seconds
    backend.inject_failure(service="dynamodb", error=error)
    with pytest.raises(Exception):  # noqa: B017 - any backend exception must propagate to Lambda
        backend.invoke("record_contact_event", load_event("contact_event_queued"))
    backend.clear_failures()
    assert backend.dump_tables()["Interactions"] == []
    # EventBridge-invoked: no flow deadline, every attempt DDB_MAX_RETRIES allows, inside Lambda's timeout
    assert backend.attempts("dynamodb", "Query") == MAX_ATTEMPTS
    assert backend.virtual_seconds - clock <= ASYNC_TIMEOUT
    # the retry succeeds and records exactly once
    assert backend.invoke("record_contact_event", load_event("contact_event_queued"))["status"] == "ok"
    assert len(backend.dump_tables()["Interactions"]) == 1


def test_eventbridge_invoked_function_has_no_flow_deadline(backend, monkeypatch):
    """record_contact_event runs asynchronously (60 s Lambda timeout): all its retries run."""
    _reconfigure(monkeypatch, DDB_MAX_RETRIES="4")
    backend.inject_failure(error="ReadTimeout")
    with pytest.raises(Exception):  # noqa: B017
        backend.invoke("record_contact_event", load_event("contact_event_queued"))
    assert backend.attempts("dynamodb", "Query") == 5


# --- the sandbox's failure modes --------------------------------------------------------------


def test_fail_dynamodb_makes_every_flow_function_answer_backend_unavailable():
    from helpline.sandbox import local_backend

    with local_backend(partners(), country="pl", fail_dynamodb=True) as b:
        assert b.fail_dynamodb
        for name in FLOW:
            event = load_event(name)
            if name == "route_referral":
                event = with_params(event, case_id="PL-AAAAAAAAAAAA")
            assert b.invoke(name, event)["status"] == "backend_unavailable", name
        with pytest.raises(Exception):  # noqa: B017 - EventBridge-invoked: raise for Lambda's retries
            b.invoke("record_contact_event", load_event("contact_event_queued"))
        assert b.http_attempts and {(a.status, a.error) for a in b.http_attempts if a.service == "dynamodb"} == {
            (503, "ServiceUnavailable")
        }
        per_call = b.attempts("dynamodb") / len(b.dynamodb_calls())
        # every request was retried as often as DDB_MAX_RETRIES allows: 503 back-offs are short enough
        # for all of them to fit the flow functions' budget
        assert per_call == MAX_ATTEMPTS
        tables = b.dump_tables()  # the sandbox's own requests still work
        seeded = len(tables["Partners"]) + len(tables["PartnerServices"])
        assert len(tables["Partners"]) == 5 and sum(len(v) for v in tables.values()) == seeded
        b.fail_dynamodb = False
        assert b.invoke("create_case", load_event("create_case"))["status"] == "ok"


# create_case writes the case (one transaction), then names it on the call's ContactLinks item (a
# second request, best effort): a failure of that second request must not answer
# backend_unavailable for a case that is written (functions/logic/cases.py _link_case).


def _drill() -> tuple[list[dict], list[str], list[str]]:
    """24 create_case calls with 70 % of the DynamoDB attempts failing (seed 7; 5 attempts per request): (answers, the error
    of every HTTP attempt, the stored case ids)."""
    from helpline.sandbox import local_backend

    with local_backend(partners(), country="pl") as b:
        b.invoke("identify_caller", load_event("identify_caller"))
        b.inject_failure(error="InternalServerError", rate=0.7, seed=7)
        answers = []
        for i in range(24):
            event = with_contact(load_event("create_case"), f"drill-contact-{i:04d}")
            event["Details"]["ContactData"]["CustomerEndpoint"]["Address"] = f"+4860000{i:04d}"
            answers.append(b.invoke("create_case", event))
        b.clear_failures()
        assert b.attempts("dynamodb") > len(b.dynamodb_calls())  # some requests were retried
        stored = sorted(c["case_id"] for c in b.dump_tables()["Cases"])
        return answers, [a.error for a in b.http_attempts], stored


def test_rate_based_failures_are_seeded():
    answers, attempts, _ = _drill()
    statuses = [a["status"] for a in answers]
    assert set(statuses) == {"ok", "backend_unavailable"}
    assert _drill()[:2] == (answers, attempts)  # same seed, same drill


def test_rate_based_failures_answer_ok_for_exactly_what_was_written():
    answers, _, stored = _drill()
    assert stored == sorted(a["case_id"] for a in answers if a["status"] == "ok")


def test_a_failed_contact_link_after_the_case_is_written_is_not_backend_unavailable(backend):
    """The drill's failure, reduced: only the ContactLinks update fails (every attempt).  Either the
    link is written with the case (then backend_unavailable writes nothing) or the case is answered
    ok; an answer that hides a written case is neither."""
    from functions.dal.models import ContactLink

    backend.invoke("identify_caller", load_event("identify_caller"))  # the call's ContactLinks item
    backend.inject_failure("UpdateItem", error="InternalServerError", table=ContactLink.Meta.table_name)
    answer = backend.invoke("create_case", load_event("create_case"))
    backend.clear_failures()
    assert (answer["status"] == "ok") == bool(backend.dump_tables()["Cases"]), answer
    assert answer["status"] == "ok"  # the case is written; the link's miss is counted, not hidden
    (link,) = backend.dump_tables()["ContactLinks"]
    assert "case_id" not in link


def test_rate_must_be_a_fraction(backend):
    with pytest.raises(ValueError):
        backend.inject_failure(rate=1.5)
    backend.inject_failure(error="ThrottlingException", rate=0.0)
    assert backend.invoke("identify_caller", load_event("identify_caller"))["status"] == "ok"
    backend.clear_failures()
    backend.inject_failure(error="ThrottlingException", rate=1.0)
    assert backend.invoke("identify_caller", load_event("identify_caller"))["status"] == "backend_unavailable"


def test_a_failure_can_target_one_table(backend):
    from functions.dal.models import Caller

    backend.inject_failure(error="ThrottlingException", table=Caller.Meta.table_name)
    assert backend.invoke("record_survey_answer", load_event("record_survey_answer"))["status"] == "ok"
    assert backend.invoke("identify_caller", load_event("identify_caller"))["status"] == "backend_unavailable"
