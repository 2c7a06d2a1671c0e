"""An outbound needs survey from the call list to the report, offline, with every real piece:

`helpline survey-campaign start` loads a consented list into a state folder; the real
run_survey_campaign handler places the calls (with the country file's own campaign settings) on
the fake Amazon Connect of campaign_support; each call that is answered plays the rendered
outbound_survey_<lang> flow in the simulator against the real survey_consent and
record_survey_answer handlers; the next runs reconcile with DescribeContact; `helpline
survey-campaign status`, `helpline survey-report` and a second list read what is left.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import load_country
from helpline.flows.simulate import Simulator, backend_for
from tests.integration.campaign_support import FakeConnect, SimClock, run_once

PL = load_country("pl")
_TODAY = dt.datetime.now(dt.UTC).date()
# The next Wednesday, 11:00 UTC (12:00 or 13:00 in Warsaw: inside pl's calling hours), after the list is loaded.
NOON = dt.datetime.combine(_TODAY + dt.timedelta(days=(2 - _TODAY.weekday()) % 7 or 7), dt.time(11), dt.UTC)
PEOPLE = {  # phone -> (language, what the person does when the phone rings)
    "+48500100001": ("uk", "1 1 1 2 4# 3"),  # 1 at the opener, takes part: lost income, no debt, 4 people, food
    "+48500100002": ("ru", "1 2"),  # 1 at the opener, declines: never called again
    "+48500100003": ("uk", None),  # does not pick up
}


def _cli(*args: str) -> str:
    run = CliRunner().invoke(app, list(args))
    assert run.exit_code == 0, run.output
    return run.output


@pytest.fixture
def state(tmp_path):
    listing = tmp_path / "people.csv"
    rows = [f"{phone},{lang},registration desk 2026-11" for phone, (lang, _) in PEOPLE.items()]
    listing.write_text("phone,language,consent\n" + "\n".join(rows) + "\n", encoding="utf-8")
    folder = tmp_path / "state"
    _cli("survey-campaign", "start", "pl", "--campaign", "needs-nov", "--list", str(listing), "--state", str(folder))
    return folder


def _run_campaign(folder, monkeypatch) -> FakeConnect:
    from functions.logic import campaign

    clock = SimClock(NOON.timestamp())
    monkeypatch.setenv("SURVEY_CAMPAIGN", PL.campaign_runner_settings())
    monkeypatch.setenv("SURVEY_FLOWS", json.dumps({lang: f"flow-{lang}" for lang in PL.language_codes}))
    monkeypatch.setenv("SURVEY_SOURCE_NUMBER", "+48800100100")
    monkeypatch.setattr(campaign, "clock", clock)
    monkeypatch.setattr(campaign, "sleep", clock.sleep)
    behaviour = {phone: "answer" if keys else "no_answer" for phone, (_, keys) in PEOPLE.items()}
    with backend_for(PL, state_dir=folder) as backend:
        with backend.internal():
            fake = FakeConnect(clock, behaviour=behaviour, talk=120)
            fake.attach()
        assert run_once(clock)["placed"] == "3"
        for call in [c for c in fake.calls if c.connected]:  # the people who picked up
            lang, keys = PEOPLE[call.phone]
            assert call.flow == f"flow-{lang}"
            sim = Simulator(PL)
            sim.backend = backend
            result = sim.call(
                lang=lang, at=NOON, caller=call.phone, outbound=keys.split(), campaign=dict(call.attributes)
            )
            assert result.safe and result.ended_with_emergency_number, result.render_transcript()
        clock.now += 300  # every call has ended; the next run reconciles them
        assert run_once(clock)["status"] == "ok"
    return fake


def test_a_campaign_from_the_list_to_the_report(state, monkeypatch, tmp_path):
    fake = _run_campaign(state, monkeypatch)
    assert sorted(c.phone for c in fake.calls) == sorted(PEOPLE)  # one call each, nobody twice

    status = json.loads(
        _cli("survey-campaign", "status", "pl", "--campaign", "needs-nov", "--state", str(state), "--format", "json")
    )
    counts = status["counts"]
    assert (counts["completed"], counts["declined"], counts["pending"], counts["dialing"]) == (1, 1, 1, 0)

    tables = {}
    with backend_for(PL, state_dir=state) as backend:
        tables = backend.dump_tables()
    phones = {i["state"]: i.get("phone") for i in tables["SurveyCampaignContacts"]}
    assert phones["completed"] is None and phones["declined"] is None  # done: the number is gone
    assert phones["pending"] == "+48500100003"  # not reached yet: called again after retry_after_minutes
    assert len(tables["SurveyOptOuts"]) == 1  # the person who declined

    answers = {
        (a["question_id"], a["answer"]) for a in tables["SurveyResponses"] if a.get("campaign_id") == "needs-nov"
    }
    assert answers == {("lost_income", "yes"), ("debt", "no"), ("household", "4"), ("urgent_need", "3")}

    out = tmp_path / "report"
    report = _cli("survey-report", "pl", "--state", str(state), "--out", str(out))
    assert "needs" in report and any(p.suffix == ".png" for p in out.iterdir())

    again = tmp_path / "again.csv"
    again.write_text("phone,language,consent\n+48500100002,ru,registration desk 2026-12\n", encoding="utf-8")
    second = CliRunner().invoke(
        app, ["survey-campaign", "start", "pl", "--campaign", "needs-dec", "--list", str(again), "--state", str(state)]
    )
    assert second.exit_code == 1 and "all 1 people are on the survey opt-out list" in second.output
    assert "+48500100002" not in second.output
