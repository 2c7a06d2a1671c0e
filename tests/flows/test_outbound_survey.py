"""The outbound needs survey on the line: `helpline call --outbound`, and simulated survey calls
against the real survey_consent and record_survey_answer handlers (no stubs)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import load_country
from helpline.flows.render import LocalResolver, render_country
from helpline.flows.scenarios import OPEN_AT, campaign_contact, scenarios_for, status_scenarios
from helpline.flows.simulate import simulate_call

PL = load_country("pl")


def test_call_outbound_option(free_sandbox):
    """`helpline call pl --outbound ...`: a survey call placed to --caller; bad input is one line, exit 2."""
    base = ["call", "pl", "--lang", "ru", "--at", OPEN_AT]
    run = CliRunner().invoke(app, [*base, "--outbound", "1 1 1 2 4# 3"])
    assert run.exit_code == 0, run.output
    assert "survey call at 2026-03-02T10:30 to +48******200 (outbound_survey_ru)" in run.output
    assert "campaign sim-pl" in run.output
    assert PL.spoken("ru")["survey_needs_thanks"] in run.output
    assert "item_key=needs#urgent_need, answer=3" in run.output and "state=completed" in run.output
    bad = CliRunner().invoke(app, [*base, "--outbound", "1 x"])
    assert bad.exit_code == 2 and "--outbound: outbound input 'x' is not phone keys" in bad.output
    assert "Traceback" not in bad.output
    both = CliRunner().invoke(app, [*base, "--outbound", "1", "--press", "1"])
    assert both.exit_code == 2 and "drop --press" in both.output
    ro = CliRunner().invoke(app, ["call", "ro", "--lang", "ro", "--at", OPEN_AT, "--outbound", "1"])
    assert ro.exit_code == 2 and "--outbound: no outbound survey in ro" in ro.output


def test_help_reaches_the_helpline_menu_and_an_operator(free_sandbox):
    r = simulate_call(PL, lang="uk", outbound=["1", "9", "-", "0"], at=OPEN_AT, caller="+48500100999")
    assert (r.outcome, r.queue, r.answered) == ("queue", "uk", True), r.render_transcript()
    assert r.entry_flow == "outbound_survey_uk" and "inbound_uk" in r.visited
    assert PL.spoken("uk")["main_menu"] in r.spoken
    calls = [(c["function"], c["parameters"].get("event")) for c in r.lambda_calls][:1]
    assert calls == [("survey_consent", "help")]
    assert all("error" not in c for c in r.lambda_calls if c["function"] == "survey_consent")  # the real handler


def test_outbound_scenarios_cover_every_language_choice_and_fault():
    names = {(sc.lang, sc.name) for sc in scenarios_for(PL) if sc.outbound is not None}
    wanted = {"full", "declined", "help", "help-when-closed", "no-input", "wrong-keys", "consent-repeat", "repeat",
              "prefer-not", "time-outs", "consent-fails-full", "consent-fails-declined", "consent-fails-help",
              "consent-fails-no-input", "answer-fails", "opener-timeout", "opener-wrong-keys", "opener-wrong-then-1",
              "opener-timeout-then-1", "opener-consent-fails"}  # fmt: skip
    assert {(lang, f"outbound-{n}") for lang in PL.language_codes for n in wanted} <= names
    statuses = {(sc.name, next(iter(sc.statuses))) for sc in status_scenarios(PL) if sc.outbound is not None}
    for base in ("outbound-full", "outbound-declined", "outbound-help", "outbound-no-input", "outbound-opener-timeout"):
        assert {(f"{base}-survey_consent-{s}", "survey_consent") for s in ("not_found", "error", "internal_error")} <= (
            statuses
        )
    assert ("outbound-full-record_survey_answer-backend_unavailable", "record_survey_answer") in statuses


def test_call_tables_show_the_survey_list_number_masked(free_sandbox):
    """A person who pressed nothing keeps their number for the next attempt; the printout masks it."""
    run = CliRunner().invoke(app, ["call", "pl", "--lang", "uk", "--at", OPEN_AT, "--outbound", "1 - -"])
    assert run.exit_code == 0, run.output
    listed = next(line for line in run.output.splitlines() if "consent_ref=" in line)
    assert "state=no_input" in listed and "phone=+48******200" in listed
    assert "+48500100200" not in listed


def _reachable_before(flow: dict, stop: str) -> list[dict]:
    """Every action the flow can run from its start before it reaches ``stop`` (any branch)."""
    actions = {a["Identifier"]: a for a in flow["Actions"]}
    seen: dict[str, dict] = {}
    todo = [flow["StartAction"]]
    while todo:
        ident = todo.pop()
        if ident == stop or ident in seen:
            continue
        seen[ident] = action = actions[ident]
        t = action.get("Transitions", {})
        todo += [t["NextAction"]] if "NextAction" in t else []
        todo += [b["NextAction"] for b in t.get("Errors", []) + t.get("Conditions", [])]
    return list(seen.values())


@pytest.mark.parametrize("lang", PL.language_codes)
def test_the_neutral_opener_is_the_first_thing_the_person_hears(lang, free_sandbox):
    """No Lambda runs before the opener prompt (the person would hear silence on pickup and
    hang up); the consent comes only after 1 at the opener; every other step reaches
    survey_consent after the person chose."""
    flow = render_country(PL, LocalResolver(PL))[f"outbound_survey_{lang}"].content
    before = _reachable_before(flow, "opener")
    assert [
        a["Type"] for a in before if a["Type"] not in ("UpdateContactTextToSpeechVoice", "UpdateContactAttributes")
    ] == []
    # without the opener's 1 no path reaches the consent (nor anything that names the helpline)
    cut = json.loads(json.dumps(flow))
    opener = next(a for a in cut["Actions"] if a["Identifier"] == "opener")
    assert [c["Condition"]["Operands"] for c in opener["Transitions"]["Conditions"]] == [["1"]]
    opener["Transitions"]["Conditions"] = []
    without_1 = {a["Identifier"] for a in _reachable_before(cut, stop="-")}  # everything reachable
    assert "consent" not in without_1
    assert without_1 - {"voice", "attrs"} == {"opener", "opener-invalid", "opener-retry", "opener-unanswered",
                                              "opener-goodbye", "end"}, without_1  # fmt: skip
    events = [
        a["Parameters"]["LambdaInvocationAttributes"]["event"]
        for a in flow["Actions"]
        if a["Type"] == "InvokeLambdaFunction" and a["Parameters"]["LambdaFunctionARN"] == "lambda/survey_consent"
    ]
    assert "answered" not in events
    r = simulate_call(PL, lang=lang, outbound=["1", "2"], at=OPEN_AT, caller="+48500100998")
    heard = [ln for ln in r.transcript if ln.speaker == "system" or ln.text.startswith("Lambda ")]
    assert heard[0].action == "opener" and heard[0].text == PL.spoken(lang)["survey_needs_opener"], heard[0]
    assert heard[1].action == "consent" and heard[1].text == PL.spoken(lang)["survey_needs_consent"], heard[1]


@pytest.mark.parametrize("lang", PL.language_codes)
def test_a_voicemail_hears_only_the_neutral_opener_and_is_called_again(lang, free_sandbox):
    """Nobody presses anything (an answering machine records the call): the opener twice, the
    neutral goodbye, nothing that names the helpline, the survey or the emergency number; the
    person stays on the list for the next attempt (survey_consent no_input, phone kept)."""
    from helpline.config.rules import REVEALING_WORDS

    spoken = PL.spoken(lang)
    r = simulate_call(PL, lang=lang, outbound=[], at=OPEN_AT, caller="+48500100997")
    heard = [ln.text for ln in r.transcript if ln.speaker == "system"]
    assert heard == [spoken["survey_needs_opener"]] * 2 + [spoken["survey_needs_opener_goodbye"]], heard
    text = " ".join(heard).casefold()
    assert spoken["survey_needs_consent"] not in heard and PL.emergency.number not in text
    assert not [q.id for q in PL.outbound_survey.questions if spoken[f"survey_needs_{q.id}"] in heard]
    assert not [w for w in REVEALING_WORDS if w in text]
    assert (r.outcome, r.ended_before_identification, r.safe) == ("disconnect", True, True)
    assert [(c["function"], c["parameters"]["event"]) for c in r.lambda_calls] == [("survey_consent", "no_input")]
    contact = campaign_contact(r)
    assert contact["state"] == "no_input" and contact.get("phone") == "+48500100997", contact


def test_only_the_opener_path_is_safe_without_the_emergency_number(free_sandbox):
    """The exception is narrow: an inbound call or a survey call that heard anything beyond the
    opener still needs a person, a call back or the emergency number."""
    r = simulate_call(PL, lang="uk", outbound=["1"], at=OPEN_AT, caller="+48500100996")  # silent at the consent
    assert not r.ended_before_identification and r.ended_with_emergency_number and r.safe
    flows = render_country(PL, LocalResolver(PL))
    assert {n: f.before_identification for n, f in flows.items() if f.before_identification} == {
        f"outbound_survey_{lang}": ("opener", "opener-invalid", "opener-goodbye") for lang in PL.language_codes
    }
