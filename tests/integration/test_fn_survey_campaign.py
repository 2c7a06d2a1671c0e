"""run_survey_campaign: quota, concurrency, write-ahead marking, attempts, opt-outs, calling
hours, the lease, and what it answers for bad input (simulated clock, fake Amazon Connect)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from tests.integration.campaign_support import (
    CAMPAIGN,
    FLOWS,
    SOURCE,
    SURVEY,
    Crash,
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


@pytest.fixture
def clock():
    return SimClock()


@pytest.fixture
def connect(backend, clock):
    fake = FakeConnect(clock)
    fake.attach()
    return fake


def _within_quota(times: list[float], rate: float, burst: int) -> bool:
    """Every window [t_i, t_j] holds at most burst + rate * (t_j - t_i) requests."""
    times = sorted(times)
    return all(
        j - i + 1 <= burst + rate * (times[j] - times[i]) + 1e-6
        for i in range(len(times))
        for j in range(i, len(times))
    )


def test_calls_are_placed_with_the_attributes_the_flow_reads(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock)
    keys = load_list(backend, clock, [phone(1), phone(2)])
    answer = run_once(clock)
    assert answer["status"] == "ok" and answer["placed"] == "2", answer
    starts = [c for c in backend.calls if c.operation == "StartOutboundVoiceContact"]
    assert len(starts) == 2
    params = {p.params["DestinationPhoneNumber"]: p.params for p in starts}
    first = params[phone(1)]
    assert first["ContactFlowId"] == FLOWS["uk"] and first["SourcePhoneNumber"] == SOURCE
    assert first["ClientToken"] == f"{CAMPAIGN}-{keys[phone(1)]}-1"
    assert first["Attributes"] == {"campaign_id": CAMPAIGN, "contact_key": keys[phone(1)], "survey_id": SURVEY}
    items = contacts(backend)
    assert {i["state"] for i in items.values()} == {"dialing"}
    assert all(i["attempts"] == 1 and i["contact_id"] for i in items.values())


@pytest.mark.parametrize(("rate", "burst"), [(0.1, 5), (1.0, 2), (2.0, 5)])
def test_token_bucket_never_exceeds_rate_and_burst_across_runs(backend, clock, connect, monkeypatch, rate, burst):
    configure(monkeypatch, clock, calls_per_second=rate, burst=burst, max_concurrent=100, attempts=1)
    load_list(backend, clock, [phone(n) for n in range(40)])
    run_minutes(clock, 6)
    assert len(connect.requests) >= min(40, 5 * rate * 50)  # it did place calls
    assert _within_quota(connect.requests, rate, burst), connect.requests


def test_an_idle_bucket_saves_no_more_than_burst(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, calls_per_second=1, burst=2, max_concurrent=100, attempts=1)
    load_list(backend, clock, [phone(0)])
    run_once(clock)  # the bucket is persisted with this call
    clock.now += 600  # ten idle minutes, then a new list
    load_list(backend, clock, [phone(n) for n in range(1, 30)], campaign_id="autumn-needs")
    run_minutes(clock, 2)
    assert len(connect.requests) == 30
    assert _within_quota(connect.requests, 1, 2), connect.requests


def test_at_most_max_concurrent_calls_in_flight(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, calls_per_second=5, burst=5, max_concurrent=3, attempts=1)
    connect.talk = 150  # long calls, nobody answers the consent question (no survey_consent event)
    numbers = [phone(n) for n in range(12)]
    connect.behaviour = {n: "answer" for n in numbers}
    load_list(backend, clock, numbers)
    run_minutes(clock, 20)
    assert connect.max_active <= 3
    assert sorted(c.phone for c in connect.calls) == sorted(numbers)  # everybody called, once


def test_attempts_are_never_exceeded_and_the_number_goes_when_unreached(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, attempts=2, retry_after_minutes=10)
    numbers = [phone(n) for n in range(4)]
    load_list(backend, clock, numbers)
    run_minutes(clock, 45)
    assert [connect.calls_to(n) for n in numbers] == [2, 2, 2, 2]
    items = contacts(backend)
    assert {(i["state"], i.get("phone"), i.get("queue")) for i in items.values()} == {("unreached", None, None)}
    # the second attempt only after retry_after_minutes
    for number in numbers:
        first, second = [c.start for c in connect.calls if c.phone == number]
        assert second - first >= 60 + 10 * 60
    campaign = [c for c in backend.dump_tables()["SurveyCampaigns"] if c["campaign_id"] == CAMPAIGN][0]
    assert campaign["status"] == "done"


def test_a_person_who_picked_up_and_hung_up_is_never_called_again(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, attempts=3)
    connect.behaviour = {phone(1): "answer"}
    load_list(backend, clock, [phone(1)])
    run_minutes(clock, 30)
    assert connect.calls_to(phone(1)) == 1
    (item,) = contacts(backend).values()
    assert (item["state"], item.get("phone")) == ("no_input", None)


def test_opted_out_people_are_never_called_and_their_number_is_removed(backend, clock, connect, monkeypatch):
    from functions.dal.models import SurveyOptOut

    configure(monkeypatch, clock)
    load_list(backend, clock, [phone(1), phone(2)])
    with backend.internal():
        SurveyOptOut(pseudonym(phone(2)), source="operator", opted_out_at=datetime.now(UTC)).save()
    run_minutes(clock, 3)
    assert connect.calls_to(phone(1)) == 1 and connect.calls_to(phone(2)) == 0
    states = {i["pseudonym"]: (i["state"], i.get("phone")) for i in contacts(backend).values()}
    assert states[pseudonym(phone(2))] == ("opted_out", None)


def test_a_crash_after_the_mark_never_calls_twice_and_skips_nobody(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, calls_per_second=1, burst=1, attempts=2)
    numbers = [phone(n) for n in range(5)]
    load_list(backend, clock, numbers)
    connect.behaviour = dict.fromkeys(numbers, "answer")  # picked up: never called again
    connect.crash_before = {2}  # the third request: marked dialing, the process dies before Connect
    with pytest.raises(Crash):
        run_once(clock)
    assert len(connect.calls) == 2
    dialing = [i for i in contacts(backend).values() if i["state"] == "dialing" and not i.get("contact_id")]
    assert len(dialing) == 1 and dialing[0]["attempts"] == 1
    clock.now += 130  # past any lease and the 60-s ring: the marked attempt counts as used
    run_minutes(clock, 12)  # retry_after_minutes (10) later, the next attempt
    assert sorted(c.phone for c in connect.calls) == sorted(numbers)  # each once, nobody skipped
    tokens = [c.token for c in connect.calls]
    assert len(tokens) == len(set(tokens)) and sorted(t[-2:] for t in tokens) == ["-1"] * 4 + ["-2"]


def test_a_crash_after_connect_started_the_call_does_not_ring_twice(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, calls_per_second=1, burst=1, attempts=1)
    load_list(backend, clock, [phone(1)])
    connect.crash_after = {0}
    with pytest.raises(Crash):
        run_once(clock)
    clock.now += 10  # the next run while the call still rings: same ClientToken, same contact
    run_once(clock)
    assert connect.calls_to(phone(1)) == 1
    (item,) = contacts(backend).values()
    assert item["contact_id"] == connect.calls[0].contact_id


def test_throttling_stops_the_run_and_the_next_run_resumes(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, calls_per_second=1, burst=2, attempts=1)
    numbers = [phone(n) for n in range(6)]
    load_list(backend, clock, numbers)
    connect.errors = [None, None, "ThrottlingException"]
    first = run_once(clock)
    assert first["stopped"] == "throttled" and first["placed"] == "2"
    assert len(connect.requests) == 3  # nothing after the throttled request
    clock.now += 60
    run_minutes(clock, 3)
    assert sorted(c.phone for c in connect.calls) == sorted(numbers)
    assert all(i["attempts"] == 1 for i in contacts(backend).values())


@pytest.mark.parametrize("code", ["DestinationNotAllowedException", "InvalidParameterException"])
def test_a_number_connect_refuses_is_unreached(backend, clock, connect, monkeypatch, code):
    configure(monkeypatch, clock, attempts=3)
    load_list(backend, clock, [phone(1)])
    connect.errors = [code]
    assert run_once(clock)["unreached"] == "1"
    run_minutes(clock, 30)
    assert len(connect.requests) == 1
    (item,) = contacts(backend).values()
    assert (item["state"], item.get("phone")) == ("unreached", None)


@pytest.mark.parametrize(
    ("utc", "placed"),
    [
        ("2026-11-25T17:30:00", True),  # 18:30 in Warsaw (CET)
        ("2026-11-25T18:30:00", False),  # 19:30 in Warsaw although 18:30 UTC is before 19:00
        ("2026-07-01T17:30:00", False),  # 19:30 in Warsaw (CEST, summer time)
        ("2026-07-01T08:30:00", True),  # 10:30 CEST
        ("2026-11-25T08:30:00", False),  # 09:30 CET, before the hours
        ("2026-11-29T12:00:00", False),  # a Sunday (mon-sat)
    ],
)
def test_nothing_is_placed_outside_local_calling_hours(backend, connect, monkeypatch, utc, placed):
    clock = connect.clock
    clock.now = datetime.fromisoformat(utc).replace(tzinfo=UTC).timestamp()
    configure(monkeypatch, clock)
    load_list(backend, clock, [phone(1)])
    answer = run_once(clock)
    assert bool(connect.calls) is placed
    assert (answer.get("stopped") == "outside_calling_hours") is not placed
    if not placed:
        (item,) = contacts(backend).values()
        assert (item["state"], item["attempts"]) == ("pending", 0)


def test_a_second_runner_is_busy(backend, clock, connect, monkeypatch):
    from functions.dal import campaigns

    configure(monkeypatch, clock)
    load_list(backend, clock, [phone(1)])
    assert campaigns.take_lease("another-runner", clock.now, 120) is not None
    assert run_once(clock) == {"status": "busy"}
    assert connect.requests == []
    clock.now += 121  # that runner died: its lease runs out
    assert run_once(clock)["placed"] == "1"
    assert run_once(clock)["status"] == "ok"  # a finished run gives the lease back


def test_a_paused_campaign_places_nothing(backend, clock, connect, monkeypatch):
    from functions.dal.models import SurveyCampaign

    configure(monkeypatch, clock)
    load_list(backend, clock, [phone(1)])
    with backend.internal():
        SurveyCampaign(CAMPAIGN).update(actions=[SurveyCampaign.status.set("paused")])
    run_minutes(clock, 2)
    assert connect.requests == []


@pytest.mark.parametrize("event", [{"foo": "bar"}, [], "text", None, {"detail-type": "Object Created"}])
def test_a_malformed_event_answers_invalid_event(backend, clock, connect, monkeypatch, event):
    configure(monkeypatch, clock)
    load_list(backend, clock, [phone(1)])
    assert run_once(clock, event=event) == {"status": "invalid_event"}
    assert connect.requests == []


@pytest.mark.parametrize(
    ("name", "value", "field"),
    [
        ("SURVEY_CAMPAIGN", "{not json", "SURVEY_CAMPAIGN"),
        ("SURVEY_CAMPAIGN", json.dumps({"timezone": "Europe/Warsaw"}), "survey_id"),
        ("SURVEY_CAMPAIGN", json.dumps({"survey_id": SURVEY, "timezone": "Mars/Olympus"}), "timezone"),
        ("SURVEY_CAMPAIGN", json.dumps({"survey_id": SURVEY, "timezone": "UTC", "burst": 9}), "burst"),
        (
            "SURVEY_CAMPAIGN",
            json.dumps(
                {
                    "survey_id": SURVEY,
                    "timezone": "UTC",
                    "calling_hours": {"from": "19:00", "to": "10:00", "days": "mon"},
                }
            ),
            "calling_hours.to",
        ),
        ("SURVEY_FLOWS", "[]", "SURVEY_FLOWS"),
        ("SURVEY_SOURCE_NUMBER", "", "SURVEY_SOURCE_NUMBER"),
    ],
)
def test_a_bad_configuration_answers_one_status(backend, clock, connect, monkeypatch, name, value, field):
    configure(monkeypatch, clock)
    monkeypatch.setenv(name, value)
    load_list(backend, clock, [phone(1)])
    assert run_once(clock) == {"status": "invalid_configuration", "error_field": field}
    assert connect.requests == []


def test_nothing_personal_is_logged(backend, clock, connect, monkeypatch, caplog):
    configure(monkeypatch, clock, attempts=2)
    numbers = [phone(n) for n in range(3)]
    connect.errors = [None, "DestinationNotAllowedException", None, "ThrottlingException"]
    load_list(backend, clock, numbers)
    run_minutes(clock, 20)
    text = "\n".join(backend.logs) + caplog.text
    assert "call not placed" in text  # the log was captured
    for number in numbers:
        assert number not in text and number[1:] not in text
        assert pseudonym(number) not in text


# --- review round 2 -----------------------------------------------------------------------------


def _item(backend, number: str) -> dict:
    items = backend.dump_tables()["SurveyCampaignContacts"]
    (item,) = [i for i in items if i["pseudonym"] == pseudonym(number)]
    return item


def _retention(monkeypatch, days: int) -> None:
    from functions.settings import reset_settings

    monkeypatch.setenv("RETENTION_DAYS_SURVEYS", str(days))
    reset_settings()


def test_an_opt_out_is_checked_before_an_attempt_is_dialled_again(backend, clock, connect, monkeypatch):
    from functions.dal.models import SurveyOptOut

    configure(monkeypatch, clock, attempts=3)
    load_list(backend, clock, [phone(1)])
    connect.errors = ["ThrottlingException"]  # marked dialing, never placed
    assert run_once(clock)["stopped"] == "throttled"
    assert (_item(backend, phone(1))["state"], _item(backend, phone(1)).get("contact_id")) == ("dialing", None)
    with backend.internal():
        SurveyOptOut(pseudonym(phone(1)), source="operator", opted_out_at=datetime.now(UTC)).save()
    clock.now += 60
    answer = run_once(clock)
    assert len(connect.requests) == 1 and connect.calls == []  # the retry path never dials
    assert answer["opted_out"] == "1" and answer["in_flight"] == "0"
    item = _item(backend, phone(1))
    assert (item["state"], item.get("phone"), item.get("queue")) == ("opted_out", None, None)


def test_a_throttled_describe_contact_stops_reconciling_not_placing(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, calls_per_second=5, burst=5, max_concurrent=4, attempts=1)
    load_list(backend, clock, [phone(n) for n in range(3)])
    assert run_once(clock)["placed"] == "3"
    load_list(backend, clock, [phone(n) for n in range(3, 6)], campaign_id="autumn-needs")
    clock.now += 61  # the three calls have ended (nobody answered)
    connect.describe_errors = ["ThrottlingException"]
    answer = run_once(clock)
    assert answer["status"] == "ok", answer
    assert (answer["describe_throttled"], answer["unreconciled"], answer["placed"]) == ("1", "3", "1")
    assert answer["in_flight"] == "4" and len(connect.describes) == 1  # no DescribeContact after the throttle
    clock.now += 61
    answer = run_once(clock)
    assert answer["reconciled"] == "4" and answer["placed"] == "2", answer
    run_minutes(clock, 3)
    assert sorted(c.phone for c in connect.calls) == sorted(phone(n) for n in range(6))


def test_describe_contact_is_paced_within_its_own_quota(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, calls_per_second=5, burst=5, max_concurrent=20, attempts=1)
    load_list(backend, clock, [phone(n) for n in range(20)])
    answer = run_once(clock)
    assert answer["placed"] == "20", sorted(answer.items())
    clock.now += 61
    assert run_once(clock)["reconciled"] == "20"
    assert len(connect.describes) == 20
    assert _within_quota(connect.describes, 2, 2), connect.describes


def test_describe_contact_not_found_keeps_the_call_in_flight_until_the_grace_period(
    backend, clock, connect, monkeypatch
):
    from functions.logic.campaign import MISSING_GRACE_SECONDS

    configure(monkeypatch, clock, attempts=2, retry_after_minutes=10)
    load_list(backend, clock, [phone(1)])
    connect.unknown_until = clock.now + 10_000  # Connect does not know the contact (yet)
    dialled = clock.now
    assert run_once(clock)["placed"] == "1"
    while clock.now + 60 <= dialled + MISSING_GRACE_SECONDS:
        clock.now += 60
        answer = run_once(clock)
        assert (answer["in_flight"], answer["reconciled"]) == ("1", "0"), answer
        assert _item(backend, phone(1))["state"] == "dialing"
    clock.now = dialled + MISSING_GRACE_SECONDS + 30
    answer = run_once(clock)
    assert (answer["reconciled"], answer["retry"]) == ("1", "1"), answer
    item = _item(backend, phone(1))
    assert (item["state"], item["attempts"], item["phone"]) == ("pending", 1, phone(1))
    assert connect.calls_to(phone(1)) == 1


def test_every_attempt_s_contact_id_is_kept_and_final_states_expire_with_the_answers(
    backend, clock, connect, monkeypatch
):
    from functions.dal.models import SurveyOptOut

    configure(monkeypatch, clock, attempts=2, retry_after_minutes=10)
    _retention(monkeypatch, 30)
    load_list(backend, clock, [phone(1), phone(2)])
    connect.errors = [None, "DestinationNotAllowedException"]
    load_list(backend, clock, [phone(3)], campaign_id="autumn-needs")
    with backend.internal():
        SurveyOptOut(pseudonym(phone(3)), source="operator", opted_out_at=datetime.now(UTC)).save()
    run_minutes(clock, 45)
    kept = {n: _item(backend, n).get("contact_ids") or [] for n in (phone(1), phone(2))}
    assert kept == {n: [c.contact_id for c in connect.calls if c.phone == n] for n in (phone(1), phone(2))}
    assert sorted(len(ids) for ids in kept.values()) == [0, 2]  # one refused, one unanswered twice
    for number in (phone(1), phone(2), phone(3)):
        item = _item(backend, number)
        assert item["state"] in ("unreached", "opted_out") and item.get("phone") is None
        updated = datetime.fromisoformat(item["updated_at"].replace("Z", "+00:00")).timestamp()
        assert abs(item["expires_at"] - (updated + 30 * 86400)) <= 1, item


def test_no_call_is_placed_on_a_closed_local_date(backend, connect, monkeypatch):
    clock = connect.clock
    hours = {"from": "00:00", "to": "23:59", "days": "mon-sun"}
    configure(monkeypatch, clock, calling_hours=hours, closed_dates=["2026-11-25"])
    load_list(backend, clock, [phone(1)])
    clock.now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC).timestamp()  # 00:30 on 25 Nov in Warsaw
    assert run_once(clock)["stopped"] == "closed_date"
    clock.now = datetime(2026, 11, 25, 22, 50, tzinfo=UTC).timestamp()  # 23:50 on 25 Nov in Warsaw
    assert run_once(clock)["stopped"] == "closed_date"
    assert connect.requests == []
    clock.now = datetime(2026, 11, 25, 23, 30, tzinfo=UTC).timestamp()  # 00:30 on 26 Nov, UTC still the 25th
    assert run_once(clock)["placed"] == "1"


@pytest.mark.parametrize("value", ["2026-11-25", ["2026-13-01"], [20261125], ["2026-11-25", "25.11.2026"], None])
def test_a_bad_closed_dates_setting_is_a_configuration_error(backend, clock, connect, monkeypatch, value):
    configure(monkeypatch, clock, closed_dates=value)
    load_list(backend, clock, [phone(1)])
    assert run_once(clock) == {"status": "invalid_configuration", "error_field": "closed_dates"}
    assert connect.requests == []


def test_a_pause_during_a_run_stops_its_calls_at_once(backend, clock, connect, monkeypatch):
    from functions.dal.models import SurveyCampaign

    configure(monkeypatch, clock, calls_per_second=1, burst=1, max_concurrent=20)
    load_list(backend, clock, [phone(n) for n in range(10)])

    def pause(number: int) -> None:
        if number == 1:
            with backend.internal():
                SurveyCampaign(CAMPAIGN).update(actions=[SurveyCampaign.status.set("paused")])

    connect.after_start = pause
    answer = run_once(clock)
    assert len(connect.requests) == 2 and answer["placed"] == "2", answer
    assert sum(1 for i in contacts(backend).values() if i["state"] == "dialing") == 2


def test_the_end_of_the_calling_hours_during_a_run_stops_its_calls(backend, connect, monkeypatch):
    clock = connect.clock
    clock.now = datetime(2026, 11, 25, 17, 59, 55, tzinfo=UTC).timestamp()  # 18:59:55 in Warsaw
    configure(monkeypatch, clock, calls_per_second=1, burst=1, max_concurrent=20)
    load_list(backend, clock, [phone(n) for n in range(10)])
    answer = run_once(clock)
    end = datetime(2026, 11, 25, 18, 0, tzinfo=UTC).timestamp()
    assert connect.requests and all(t < end for t in connect.requests), connect.requests
    assert answer["stopped"] == "outside_calling_hours"
    pending = [i for i in contacts(backend).values() if i["state"] == "pending"]
    assert len(pending) == 10 - len(connect.requests) and all(i["attempts"] == 0 for i in pending)


@pytest.mark.parametrize(
    ("utc", "hours", "placed"),
    [
        # 29 March 2026, last Sunday of March: 02:00 CET -> 03:00 CEST (01:00 UTC)
        ("2026-03-29T08:30:00", ("10:00", "19:00"), True),  # 10:30 CEST (09:30 if still CET)
        ("2026-03-29T17:30:00", ("10:00", "19:00"), False),  # 19:30 CEST (18:30 if still CET)
        ("2026-03-29T00:30:00", ("02:00", "04:00"), False),  # 01:30 CET
        ("2026-03-29T01:00:00", ("02:00", "04:00"), True),  # 03:00 CEST (02:00-03:00 never exists)
        ("2026-03-29T02:00:00", ("02:00", "04:00"), False),  # 04:00 CEST
        # 25 October 2026, last Sunday of October: 03:00 CEST -> 02:00 CET (01:00 UTC)
        ("2026-10-25T08:30:00", ("10:00", "19:00"), False),  # 09:30 CET (10:30 if still CEST)
        ("2026-10-25T17:30:00", ("10:00", "19:00"), True),  # 18:30 CET (19:30 if still CEST)
        ("2026-10-25T00:30:00", ("02:00", "03:00"), True),  # 02:30 CEST, the first time
        ("2026-10-25T01:30:00", ("02:00", "03:00"), True),  # 02:30 CET, the second time
        ("2026-10-25T02:00:00", ("02:00", "03:00"), False),  # 03:00 CET
    ],
)
def test_calling_hours_on_daylight_saving_changeover_days(backend, connect, monkeypatch, utc, hours, placed):
    clock = connect.clock
    clock.now = datetime.fromisoformat(utc).replace(tzinfo=UTC).timestamp()
    configure(monkeypatch, clock, calling_hours={"from": hours[0], "to": hours[1], "days": "mon-sun"})
    load_list(backend, clock, [phone(1)])
    run_once(clock)
    assert bool(connect.calls) is placed


def test_a_lambda_timeout_leaves_the_lease_until_it_expires(backend, clock, connect, monkeypatch):
    from functions.logic import campaign
    from functions.logic.campaign import LEASE_SECONDS

    configure(monkeypatch, clock, calls_per_second=1, burst=1, attempts=1)
    numbers = [phone(n) for n in range(3)]
    load_list(backend, clock, numbers)
    start = clock.now
    connect.hang = {1}  # the second StartOutboundVoiceContact hangs: Lambda ends the process
    with monkeypatch.context() as killed:  # a process ended at its timeout runs no more code
        killed.setattr(campaign, "_release", lambda owner: None)
        with pytest.raises(Crash):
            run_once(clock)
    runner = [c for c in backend.dump_tables()["SurveyCampaigns"] if c["campaign_id"] == "#runner"][0]
    assert runner["lease_until"] > clock.now  # nobody gave the lease back
    assert run_once(clock) == {"status": "busy"}
    clock.now = start + LEASE_SECONDS + 1
    answer = run_once(clock)
    assert answer["status"] == "ok" and answer["placed"] == "1" and answer["rang_out"] == "1", answer
    # the hung attempt is older than the ring time: used (it may have rung), never dialled again
    assert len(connect.calls) == 2 and len({c.phone for c in connect.calls}) == 2  # the hung one: not rung
    assert all(c.token.endswith("-1") for c in connect.calls)


def test_a_language_without_a_flow_is_unreached_and_never_holds_back_the_list(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, max_concurrent=3, attempts=2)
    load_list(backend, clock, [phone(n) for n in range(200)], language="pl")  # no survey flow for pl
    clock.now += 1
    load_list(backend, clock, [phone(n) for n in range(200, 203)])
    answer = run_once(clock)
    assert answer["placed"] == "3" and answer["no_flow"] == "200", answer
    assert sorted(c.phone for c in connect.calls) == [phone(n) for n in range(200, 203)]
    stuck = [i for i in contacts(backend).values() if i["language"] == "pl"]
    assert {(i["state"], i.get("phone"), i.get("queue")) for i in stuck} == {("unreached", None, None)}


def test_an_attempt_marked_for_a_language_without_a_flow_is_not_in_flight(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, max_concurrent=1)
    load_list(backend, clock, [phone(1)], language="ru")
    connect.errors = ["ThrottlingException"]
    run_once(clock)  # marked dialing, not placed
    flows = {"uk": FLOWS["uk"]}  # the ru flow is gone
    monkeypatch.setenv("SURVEY_FLOWS", json.dumps(flows))
    load_list(backend, clock, [phone(2)], campaign_id="autumn-needs")
    clock.now += 60
    answer = run_once(clock)
    assert answer["no_flow"] == "1" and answer["placed"] == "1", answer
    assert _item(backend, phone(1))["state"] == "unreached" and _item(backend, phone(1)).get("phone") is None


def test_contact_keys_are_not_logged(backend, clock, connect, monkeypatch, caplog):
    configure(monkeypatch, clock, attempts=2)
    numbers = [phone(n) for n in range(3)]
    connect.errors = [None, "DestinationNotAllowedException", None, "ThrottlingException"]
    connect.describe_errors = ["ThrottlingException"]
    keys = load_list(backend, clock, numbers)
    run_minutes(clock, 20)
    text = "\n".join(backend.logs) + caplog.text
    assert "reconciliation stopped" in text and "call not placed" in text
    for key in keys.values():
        assert key not in text
