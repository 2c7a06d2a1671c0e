"""run_survey_campaign after a crash: a ``dialing`` entry without a ContactId that is older than the
ring time (Connect stops dialling after 60 s) is a USED attempt.  Dialling it again with the same
ClientToken would ring the person a second time for one attempt: the token returns the existing
contact only while it is going (API_StartOutboundVoiceContact), and the runner's 120-s lease
outlasts the 60-s ring."""

from __future__ import annotations

import pytest

from tests.integration.campaign_support import Crash, configure, contacts, load_list, phone
from tests.integration.campaign_support import run_once as run
from tests.integration.test_fn_survey_campaign import clock, connect  # noqa: F401 - the runner's fixtures

# ruff: noqa: F811 - the imported fixtures are parameters of the tests


def _crash_after_connect_rang(monkeypatch, clock) -> None:
    """Connect starts the call, the process dies before storing the ContactId and never gives the
    lease back (a process Lambda ends runs no more code)."""
    from functions.logic import campaign

    with monkeypatch.context() as killed:
        killed.setattr(campaign, "_release", lambda owner: None)
        with pytest.raises(Crash):
            run(clock)


def test_an_attempt_older_than_the_ring_time_is_used_and_never_rung_again(backend, clock, connect, monkeypatch):
    from functions.logic.campaign import LEASE_SECONDS

    configure(monkeypatch, clock, calls_per_second=1, burst=1, attempts=2, retry_after_minutes=10)
    load_list(backend, clock, [phone(1)])
    connect.crash_after = {0}
    _crash_after_connect_rang(monkeypatch, clock)
    clock.now += LEASE_SECONDS + 1  # the next run that may work: the call rang out long ago
    answer = run(clock)
    assert connect.calls_to(phone(1)) == 1, answer  # not rung twice for attempt 1
    (item,) = contacts(backend).values()
    assert (item["state"], item["attempts"]) == ("pending", 1)
    clock.now += 10 * 60 + 1  # retry_after_minutes later: the second attempt, a new ClientToken
    run(clock)
    assert [c.token.rsplit("-", 1)[1] for c in connect.calls] == ["1", "2"]


def test_the_last_attempt_older_than_the_ring_time_is_unreached(backend, clock, connect, monkeypatch):
    configure(monkeypatch, clock, calls_per_second=1, burst=1, attempts=1)
    load_list(backend, clock, [phone(1)])
    connect.crash_after = {0}
    _crash_after_connect_rang(monkeypatch, clock)
    clock.now += 130
    run(clock)
    assert connect.calls_to(phone(1)) == 1
    (item,) = contacts(backend).values()
    assert item["state"] == "unreached" and "phone" not in item
