"""What a caller lives through, as Amazon Connect behaves: the issue's end-to-end calls, run with
``helpline call`` exactly as a user would, plus the simulator's Connect fidelity (keys during
messages, closed and unstaffed queues, the hold loop) and a one-language country.
"""

from __future__ import annotations

import copy
import json
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import COUNTRIES_DIR, load_country
from helpline.flows.render import render_local
from helpline.flows.simulate import Simulator, backend_for
from tests.flows.support import COUNTRIES

runner = CliRunner()
NIGHT = "2026-03-01T03:00"  # Sunday 03:00: every shipped country is closed
DAY = "2026-03-02T10:30"


def _call(*args: str):
    r = runner.invoke(app, ["call", *args])
    assert r.exit_code == 0, r.stdout + r.stderr
    return r.stdout


@pytest.mark.parametrize("code", COUNTRIES)
def test_emergency_at_night_hears_the_emergency_number_and_is_not_queued(code, free_sandbox):
    cfg = load_country(code)
    lang = cfg.language_codes[0]
    out = _call(code, "--lang", lang, "--press", cfg.emergency.digit, "--at", NIGHT, "--no-tables")
    assert cfg.message(lang, "emergency_closed") in out  # the number and safe alternatives
    assert cfg.emergency.number in cfg.message(lang, "emergency_closed")
    assert "queued in" not in out and "safe end: yes" in out


@pytest.mark.parametrize("code", COUNTRIES)
def test_silent_caller_at_night_is_not_queued_and_hears_the_emergency_number(code, free_sandbox):
    cfg = load_country(code)
    out = _call(code, "--press", "-", "--at", NIGHT, "--no-tables")
    first = cfg.language_codes[0]
    assert cfg.message(first, "privacy_notice") in out  # the full flow in the default language
    assert cfg.message(first, "closed") in out and cfg.emergency.number in cfg.message(first, "closed")
    assert "queued in" not in out and "language_source=default" in out


@pytest.mark.parametrize("code", COUNTRIES)
def test_report_with_dynamodb_down_reaches_a_person(code, free_sandbox):
    cfg = load_country(code)
    lang = cfg.language_codes[-1]
    out = _call(code, "--lang", lang, "--press", "-", "2", "--at", DAY, "--fail", "dynamodb", "--no-tables")
    assert "create_case -> status=backend_unavailable" in out  # the real handler, after botocore's retries
    assert cfg.message(lang, "technical_problem") in out
    assert f"queued in {cfg.queue_names()['priority_' + lang]}" in out and "answered" in out


def test_three_reports_from_one_number_leave_one_open_case(tmp_path, free_sandbox):
    state = tmp_path / "state"
    args = ["pl", "--lang", "uk", "--press", "-", "2", "--at", DAY, "--caller", "+48600700800", "--state", str(state)]
    outs = [_call(*args, "--no-tables") for _ in range(3)]
    assert "returning=false" in outs[0] and all("returning=true" in o for o in outs[1:])
    cases = [json.loads(line) for line in (state / "Cases.jsonl").read_text().splitlines()]
    assert len(cases) == 1 and cases[0]["status"]["S"] == "open"
    chain = [json.loads(line) for line in (state / "Interactions.jsonl").read_text().splitlines()]
    assert len([r for r in chain if r["chain_id"]["S"] == f"case#{cases[0]['case_id']['S']}"]) == 3


def test_state_persists_between_calls_and_a_fresh_folder_starts_empty(tmp_path, free_sandbox):
    a, b = tmp_path / "a", tmp_path / "b"
    common = ["pl", "--lang", "ru", "--press", "-", "3", "--at", DAY, "--caller", "+48600700801", "--no-tables"]
    _call(*common, "--state", str(a))
    assert "returning=true" in _call(*common, "--state", str(a))
    assert "returning=false" in _call(*common, "--state", str(b))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail", "dynamo"], "--fail: unknown value 'dynamo'"),
        (["--fail", "queue:xx"], "--fail: unknown value 'queue:xx'"),
        (["--press", "!x"], "is not a phone key"),
    ],
)
def test_call_rejects_unknown_values_with_one_line(args, message, free_sandbox):
    r = runner.invoke(app, ["call", "pl", "--lang", "uk", *args])
    assert r.exit_code == 2 and message in r.stderr and "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0


# ---- Connect fidelity of the simulator ------------------------------------------------------


@pytest.fixture
def pl(backends):
    cfg, backend, sim = backends.get("pl")
    sim.backend = backend
    return cfg, sim


def test_a_key_during_an_input_prompt_is_captured(pl, quiet):
    cfg, sim = pl
    r = sim.call(lang="uk", presses=["!" + cfg.emergency.digit], at=DAY)  # pressed during the welcome
    assert r.queue == "priority_uk" and r.attributes["topic"] == "emergency"
    assert not r.said(cfg.message("uk", "emergency_notice"))  # the caller did not have to wait for it


def test_a_key_during_a_message_is_lost_as_in_connect(pl, quiet):
    cfg, sim = pl
    flows = copy.deepcopy(sim.flows)
    welcome = next(a for a in flows["inbound_uk"].content["Actions"] if a["Identifier"] == "welcome")
    welcome["Type"] = "MessageParticipant"  # the old template: a message cannot capture keys
    welcome["Transitions"] = {
        "NextAction": "privacy",
        "Errors": [{"NextAction": "privacy", "ErrorType": "NoMatchingError"}],
    }
    old = Simulator(cfg, sim.backend, flows=flows, resolver=sim.resolver)
    r = old.call(lang="uk", presses=["!" + cfg.emergency.digit, "-", "0"], at=DAY)
    assert any("lost" in ln.text for ln in r.transcript if ln.speaker == "caller")
    assert r.queue == "uk" and r.attributes["priority"] == "normal"  # the emergency key did nothing


def test_a_closed_queue_accepts_the_call_and_nobody_answers(pl, quiet):
    cfg, sim = pl
    flows = copy.deepcopy(sim.flows)
    hours = next(a for a in flows["inbound_uk"].content["Actions"] if a["Identifier"] == "hours")
    hours["Transitions"]["Conditions"][1]["NextAction"] = "main-menu"  # a flow that forgets the hours
    target = next(a for a in flows["inbound_uk"].content["Actions"] if a["Identifier"] == "lang-target")
    target["Transitions"]["NextAction"] = "lang-transfer"  # ... and the staffing check
    broken = Simulator(cfg, sim.backend, flows=flows, resolver=sim.resolver)
    r = broken.call(lang="uk", presses=["-", "0"], at=NIGHT, patience=600)
    assert r.outcome == "abandoned" and not r.answered and not r.safe
    assert r.said(cfg.message("uk", "queue_hold"))  # "stay on the line" to nobody


def test_unstaffed_helpline_offers_the_emergency_number_and_a_call_back(pl, quiet):
    cfg, sim = pl
    r = sim.call(lang="uk", presses=["-", "0", "1"], at=DAY, staffed=False)
    assert r.outcome == "callback" and r.said(cfg.message("uk", "emergency_closed")) and r.queue is None


def test_hold_loop_plays_message_then_music_and_offers_a_call_back_each_period(pl, quiet):
    cfg, sim = pl
    period = cfg.ivr.queue_message_seconds
    r = sim.call(lang="uk", presses=["-", "0"], at=DAY, wait=period * 3 + 30)
    hold = [ln for ln in r.transcript if ln.flow == "customer_queue"]
    texts = [ln.text for ln in hold]
    assert texts.count(cfg.message("uk", "queue_hold")) == 4  # once per period, never back to back
    assert texts.count(cfg.message("uk", "queue_callback_offer")) == 3
    after_message = [b.text for a, b in pairwise(hold) if a.text == cfg.message("uk", "queue_hold")]
    # music after every message but the last, which the operator interrupts by answering
    assert len(after_message) == 3 and all("hold_music" in t for t in after_message)


def _one_language_country(tmp_path: Path) -> Path:
    """A copy of the countries folder with Romania reduced to Romanian only."""
    folder = tmp_path / "countries"
    folder.mkdir()
    for name in ("defaults.yaml", "messages.yaml"):
        shutil.copy(COUNTRIES_DIR / name, folder / name)
    data = yaml.safe_load((COUNTRIES_DIR / "ro.yaml").read_text())
    data["languages"] = [lg for lg in data["languages"] if lg["code"] == "ro"]
    data["hours"]["spoken"] = {"ro": data["hours"]["spoken"]["ro"]}
    for topic in data["topics"]:
        topic["menu"], topic["info"] = {"ro": topic["menu"]["ro"]}, {"ro": topic["info"]["ro"]}
    data.pop("messages", None)
    (folder / "ro.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    return folder


def test_one_language_country_plays_no_language_menu(tmp_path, free_sandbox, quiet):
    cfg = load_country("ro", countries_dir=_one_language_country(tmp_path))
    sim = Simulator(cfg)
    inbound = sim.flows["inbound"].content["Actions"]
    assert not [a for a in inbound if a["Type"] == "GetParticipantInput"]
    with backend_for(cfg) as backend:
        sim.backend = backend
        r = sim.call(lang="ro", presses=["-", "0"], at=DAY)
    assert not r.said(cfg.message("ro", "language_option"))
    assert r.said(cfg.message("ro", "welcome")) and r.queue == "ro" and r.answered
    assert r.attributes["language"] == "ro"


def test_nobody_answers_after_closing_time(pl, quiet):
    cfg, sim = pl
    r = sim.call(lang="uk", presses=["-", "0"], at="2026-03-02T19:58", wait=3600, patience=7200)
    assert r.outcome == "abandoned" and not r.answered  # the queue closes at 20:00 before anyone answers


def test_a_caller_who_gives_up_in_a_staffed_queue_heard_the_emergency_number(pl, quiet):
    cfg, sim = pl
    r = sim.call(lang="uk", presses=["-", cfg.emergency.digit], at=DAY, wait=1200, patience=300)
    assert r.outcome == "gave_up" and r.queue == "priority_uk" and not r.answered
    assert r.safe and cfg.emergency.number in cfg.message("uk", "queue_hold")


def test_declined_call_back_offer_resumes_the_loop_from_the_message(pl, quiet):
    cfg, sim = pl
    r = sim.call(lang="uk", presses=["-", "0", "7"], at=DAY, wait=cfg.ivr.queue_message_seconds * 2 + 10)
    texts = [ln.text for ln in r.transcript if ln.flow == "customer_queue"]
    resume = texts.index("resume: the loop restarts")
    assert texts[resume + 1] == cfg.message("uk", "queue_hold")  # Connect restarts the prompts


def test_whisper_mentions_an_open_case_only_when_there_is_one(pl, quiet):
    cfg, sim = pl
    caller = "+48600700900"
    sim.call(lang="uk", presses=["-", "0"], at=DAY, caller=caller)  # no case is opened
    second = sim.call(lang="uk", presses=["-", "0"], at=DAY, caller=caller)
    assert second.attributes["returning"] == "true"
    assert not second.said(cfg.message(cfg.operator_language, "whisper_returning"))
    sim.call(lang="uk", presses=["-", "3"], at=DAY, caller=caller)  # feedback opens a case
    third = sim.call(lang="uk", presses=["-", "0"], at=DAY, caller=caller)
    assert third.said(cfg.message(cfg.operator_language, "whisper_returning"))


@pytest.mark.parametrize("code", COUNTRIES)
def test_emergency_at_night_with_operators_still_logged_in_is_not_queued(code, free_sandbox):
    """Closing time logs nobody out: with --staffed-after-hours the staffing check counts the
    operators, and only the flow's hours check keeps the night emergency from the priority queue."""
    cfg = load_country(code)
    lang = cfg.language_codes[0]
    args = ["--lang", lang, "--press", cfg.emergency.digit, "--at", NIGHT, "--no-tables"]
    out = _call(code, *args, "--staffed-after-hours")
    assert cfg.message(lang, "emergency_closed") in out and cfg.message(lang, "callback_offer") in out
    assert cfg.message(lang, "transfer_priority") not in out and "queued in" not in out
    assert "NumberOfAgents" not in out  # no staffing check decided anything out of hours


def _night_emergency_heads_for_the_queue(cfg):
    """The flows with one change the issue warns of: the night emergency path says "connecting
    you with priority" and leaves the decision to the staffing check."""
    flows, resolver = render_local(cfg)
    flows = copy.deepcopy(flows)
    for name, flow in flows.items():
        for action in flow.content["Actions"]:
            if name.startswith("inbound_") and action["Identifier"] == "urgent-hours":
                for cond in action["Transitions"]["Conditions"]:
                    cond["NextAction"] = "prio-say"
    return flows, resolver


def test_operators_logged_in_after_hours_expose_a_flow_that_trusts_staffing(pl, quiet):
    """Without the option the simulator hides such a flow (nobody counts as staffed at night);
    with operators still logged in the call heads for the priority queue, which the night
    scenarios refuse (scenarios.py, emergency-at-night-operators-logged-in)."""
    cfg, good = pl
    flows, resolver = _night_emergency_heads_for_the_queue(cfg)
    sim = Simulator(cfg, good.backend, flows=flows, resolver=resolver)
    hidden = sim.call(lang="uk", presses=[cfg.emergency.digit], at=NIGHT)
    assert hidden.queue is None and hidden.said(cfg.message("uk", "emergency_closed"))  # the blind spot
    exposed = sim.call(lang="uk", presses=[cfg.emergency.digit], at=NIGHT, staffed_after_hours=True)
    assert exposed.queue == "priority_uk" and exposed.said(cfg.message("uk", "transfer_priority"))
    assert not exposed.answered  # the queue's hours are closed: nobody answers (simulate.py)
    right = good.call(lang="uk", presses=[cfg.emergency.digit], at=NIGHT, staffed_after_hours=True)
    assert right.queue is None and not right.said(cfg.message("uk", "transfer_priority"))


def test_whisper_says_priority_only_for_a_priority_call(pl, quiet):
    cfg, sim = pl
    prio = cfg.message(cfg.operator_language, "whisper_priority")
    normal = sim.call(lang="uk", presses=["-", "0"], at=DAY, caller="+48600700910")
    urgent = sim.call(lang="uk", presses=[cfg.emergency.digit], at=DAY, caller="+48600700911")
    assert normal.answered and urgent.answered
    assert not normal.said(prio) and urgent.said(prio)


def test_whisper_is_silent_on_a_case_this_very_call_opened(pl, quiet):
    """A first-time caller who files a report reaches an operator: the case is this call's own,
    so neither "returning" nor "open case"; the next call from the number hears both."""
    cfg, sim = pl
    caller, said = "+48600700920", cfg.message(cfg.operator_language, "whisper_returning")
    for presses in (["-", "2"], ["-", "3"]):  # a report of risk (priority queue), feedback
        first = sim.call(lang="uk", presses=presses, at=DAY, caller=f"{caller}{presses[1]}")
        assert first.answered and first.case_id and first.attributes["returning"] == "false"
        assert not first.said(said), first.render_transcript()
        later = sim.call(lang="uk", presses=["-", "0"], at=DAY, caller=f"{caller}{presses[1]}")
        assert later.attributes["returning"] == "true" and later.said(said)
