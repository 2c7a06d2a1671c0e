"""The operators' step-by-step guide, offline end to end: a caller reaches an operator, the guide
runs with an operator script against the real handlers, and what is written is checked."""

from __future__ import annotations

from dataclasses import replace

import pytest

from helpline.config import load_country
from helpline.flows.guide_scenarios import call_type, operator_script, screening
from helpline.flows.operator import OperatorScriptError, parse_operator_script
from helpline.flows.scenarios import NON_OK_STATUSES, WAIT, Scenario, caller_number, run_scenario
from helpline.guide import labels
from tests.flows.support import COUNTRIES


@pytest.fixture(scope="module", autouse=True)
def _fresh_sandbox(backends):
    """Start from empty tables: the partners' open capacity and the tables' size do not depend on
    the hundreds of calls other modules made in the shared sandbox."""
    backends.close()
    yield


def _call(backends, code: str, name: str, operator, **kw):
    cfg, backend, sim = backends.get(code)
    lang = cfg.language_codes[0]
    sc = Scenario(name, lang, [cfg.language(lang).digit, WAIT, "0"], operator=operator, **kw)
    result = run_scenario(cfg, sc, backend, sim, salt="guide")
    assert result.answered and result.guide is not None, result.render_transcript()
    return cfg, backend, result


# Countries whose directory has a partner for gender-based violence (a new country may have none yet).
GBV_COUNTRIES = [c for c in COUNTRIES if any("SV" in p.services for p in load_country(c).partners)]


@pytest.mark.parametrize("code", GBV_COUNTRIES)
def test_gbv_with_consent_is_referred_to_a_gbv_partner_notified_once_even_if_the_first_publish_fails(
    code, backends, quiet
):
    cfg, backend, r = _call(backends, code, "gbv-consent", operator_script(backends.get(code)[0]))
    ref = r.guide.flow_attributes
    partner = next(p for p in cfg.partners if p.id == ref["referred_partner_ids"])
    assert "SV" in partner.services and (cfg.regions[0] in partner.regions or "*" in partner.regions)
    referral = next(x for x in r.tables["Referrals"] if x["case_id"] == ref["case_id"])
    assert referral["consent"] is True and referral["needs_codes"] == ["SV"] and referral["urgent"] is True
    # the reference the operator reads to the caller is on the confirmation screen
    done = next(ln.text for ln in r.transcript if ln.speaker == "screen" and ln.action == "referral-done-view")
    assert referral["referral_ref"] in done and ref["referral_refs"] == referral["referral_ref"]
    # the notification: queued once; the first publish fails, the stream retries, one event
    backend.inject_failure("PutEvents", service="events", error="InternalFailure")
    first = backend.pump_streams("deliver_outbox")
    assert any(isinstance(x, Exception) for x in first), first
    backend.clear_failures()
    backend.pump_streams("deliver_outbox")
    backend.pump_streams("deliver_outbox")
    sent = [e for e in backend.published_events if referral["referral_id"] in e.get("Detail", "")]
    assert len(sent) == 1, sent


@pytest.mark.parametrize("code", COUNTRIES)
def test_without_consent_nothing_is_referred(code, backends, quiet):
    cfg = backends.get(code)[0]
    _, _, r = _call(backends, code, "no-consent", operator_script(cfg, screening_view=screening(cfg, consent="false")))
    case_id = r.guide.flow_attributes["case_id"]
    assert case_id.startswith(f"{code.upper()}-")
    assert "referral-view" not in r.guide.screens and r.guide.screens[-2:] == ["closing-view", "guide-done"]
    assert not [x for x in r.tables.get("Referrals", []) if x["case_id"] == case_id]
    assert not [m for m in r.tables.get("Outbox", []) if case_id in m.get("detail", "")]
    case = next(c for c in r.tables["Cases"] if c["case_id"] == case_id)
    assert case["consent"] is False and case["needs_codes"] == ["SV"]


def test_a_prank_call_is_classified_and_no_case_is_opened(backends, quiet):
    cfg = backends.get("pl")[0]
    _, _, r = _call(backends, "pl", "prank", operator_script(cfg, calltype_view=call_type("prank"), block_view="Back"))
    assert r.guide.screens == ["context-view", "calltype-view", "block-view", "guide-done"]
    classify = next(c for c in r.lambda_calls if c["function"] == "classify_call")
    assert classify["parameters"]["call_type"] == "prank" and classify["response"]["status"] == "ok"
    caller_id = r.caller_id
    assert caller_id and not [c for c in r.tables.get("Cases", []) if c.get("caller_id") == caller_id]
    assert not any(c["function"] in ("save_screening", "route_referral", "record_outcome") for c in r.lambda_calls)
    chain = [i for i in r.tables["Interactions"] if i["chain_id"] == f"contact#{r.guide.contact_id}"]
    assert [(i["record_type"], i["payload"]["call_type"]) for i in chain] == [("call_classified", "prank")]


@pytest.mark.parametrize("supervisor", [False, True])
def test_only_a_supervisor_can_block_and_the_blocked_caller_hears_so_next_time(supervisor, backends, quiet):
    cfg, backend, sim = backends.get("pl")
    agent = "supervisor-7" if supervisor else "operator-7"
    script = operator_script(cfg, calltype_view=call_type("abusive"), agent=agent, supervisor=supervisor)
    _, _, r = _call(backends, "pl", f"block-{supervisor}", script)
    block = next(c for c in r.lambda_calls if c["function"] == "block_caller")
    assert block["parameters"]["agent_arn"].endswith(f"/agent/{agent}") and block["parameters"]["hours"] == "24"
    assert block["response"]["status"] == ("ok" if supervisor else "forbidden")
    assert ("block-done-view" in r.guide.screens) is supervisor
    assert ("block-forbidden-view" in r.guide.screens) is not supervisor
    lang = cfg.language_codes[0]
    again = sim.call(
        lang=lang,
        presses=[WAIT, "0"],
        at="2026-03-02T10:30",
        caller=caller_number("pl", f"{lang}-block-{supervisor}", "guide"),
    )
    assert again.said(cfg.spoken(lang)["blocked"]) is supervisor


FAILING_SCREEN = {  # function -> (the failure label, the screen the operator continues with)
    "get_caller_context": ("fail_context", "calltype-view"),
    "classify_call": ("fail_classify", "needs-view"),
    "save_screening": ("fail_screening", "guide-done"),
    "route_referral": ("fail_referral", "closing-view"),
    "record_outcome": ("fail_outcome", "guide-done"),
    "block_caller": ("fail_block", "guide-done"),
}


@pytest.mark.parametrize("function", sorted(FAILING_SCREEN))
@pytest.mark.parametrize("how", ["error", *NON_OK_STATUSES])
def test_a_failing_function_shows_what_failed_and_the_operator_continues(function, how, backends, quiet):
    cfg = backends.get("pl")[0]
    script = (
        operator_script(cfg, calltype_view=call_type("prank")) if function == "block_caller" else operator_script(cfg)
    )
    faults = {"fail": (function,)} if how == "error" else {"statuses": {function: how}}
    _, _, r = _call(backends, "pl", f"fails-{function}-{how}", script, **faults)
    label, then = FAILING_SCREEN[function]
    failed = [ln.text for ln in r.transcript if ln.speaker == "screen" and ln.action == "failed-view"]
    answers = [(c["function"], c.get("response", c.get("error"))) for c in r.lambda_calls]
    assert len(failed) == 1 and labels(cfg.operator_language)[label] in failed[0], (failed, answers)
    if how != "error":
        assert how in failed[0]  # the status is shown
    screens = r.guide.screens
    assert screens[screens.index("failed-view") + 1] == then, screens
    assert screens[-1] == "guide-done" and r.guide.outcome == "disconnect"


def test_the_guide_speaks_the_operators_language_and_shows_the_callers(backends, quiet):
    for code in ("pl", "ro"):
        cfg = backends.get(code)[0]
        lang = cfg.language_codes[0]
        _, _, r = _call(backends, code, "language", operator_script(cfg))
        context = next(ln.text for ln in r.transcript if ln.speaker == "screen" and ln.action == "context-view")
        words = labels(cfg.operator_language)
        assert context.startswith(words["context_heading"])
        assert f"{words['language']}: {cfg.messages[cfg.operator_language]['language_name_' + lang]}" in context


def test_the_guide_runs_as_its_own_chat_contact_that_carries_only_the_link_to_the_call(backends, quiet):
    """No page says the call's attributes are copied to the guide's chat contact: the simulator
    gives it none, and the guide still shows the caller's language and case and saves them,
    because its Lambdas look the call up by RelatedContactId. It writes no contact attribute."""
    cfg = backends.get("pl")[0]
    _, _, r = _call(backends, "pl", "contacts", operator_script(cfg))
    assert r.guide.contact_id != r.contact_id
    guide_calls = [c for c in r.lambda_calls if c["function"] != "identify_caller"]
    assert {c["contact_id"] for c in guide_calls} == {r.guide.contact_id}
    assert r.guide.attributes == {}  # nothing copied from the call, nothing written on the guide
    assert "call_type" in r.guide.flow_attributes and "call_type" not in r.attributes
    lang = r.attributes["language"]
    assert r.guide.flow_attributes["language"] == lang  # read from the call (GetContactAttributes)
    screening = next(c for c in r.lambda_calls if c["function"] == "save_screening")
    assert "caller_id" not in screening["parameters"] and screening["parameters"]["language"] == lang
    case = next(c for c in r.tables["Cases"] if c["case_id"] == r.guide.flow_attributes["case_id"])
    assert case["caller_id"] == r.caller_id != ""  # the caller found through the call's link
    assert r.guide.agent_arn.endswith("/agent/operator-1")
    # the guide's records name the call (RelatedContactId): its recording and contact record
    written = [i for i in r.tables["Interactions"] if i["contact_id"] == r.guide.contact_id]
    assert {i["record_type"] for i in written} >= {"call_classified", "screening_saved", "outcome_recorded"}
    assert {i["payload"].get("voice_contact_id") for i in written} == {r.contact_id}


def test_the_note_is_never_shown_in_the_transcript(backends, quiet):
    cfg = backends.get("pl")[0]
    secret = "she hides at her sister's flat"
    script = operator_script(cfg, screening_view=screening(cfg, note=secret))
    _, _, r = _call(backends, "pl", "note", script)
    assert secret not in r.render_transcript()
    sent = next(c for c in r.lambda_calls if c["function"] == "save_screening")
    assert sent["parameters"]["note"] == secret  # it reaches the handler, and only the handler


def test_timeouts_and_unshown_screens_take_the_documented_error_branches(backends, quiet):
    cfg = backends.get("pl")[0]
    script = operator_script(cfg, context_view="timeout", calltype_view="error")
    _, _, r = _call(backends, "pl", "timeouts", script)
    assert ("agent_guide", "context-view", "Error:TimeLimitExceeded") in r.transitions
    assert ("agent_guide", "calltype-view", "Error:NoMatchingError") in r.transitions
    assert r.guide.actions[:2] == ["timeout", "error"] and r.guide.screens[-1] == "guide-done"
    silent = replace(operator_script(cfg), screens={})  # an operator who does nothing
    _, _, r = _call(backends, "pl", "idle", silent)
    assert set(r.guide.actions) == {"timeout"} and r.guide.screens[-1] == "guide-done"


def test_without_an_operator_script_the_guide_is_not_run(backends, quiet):
    cfg, backend, sim = backends.get("pl")
    r = sim.call(lang="uk", presses=[WAIT, "0"], at="2026-03-02T10:30", caller=caller_number("pl", "no-script"))
    assert r.answered and r.guide is None
    assert any("starts the guide" in ln.text for ln in r.transcript)


@pytest.mark.parametrize(
    ("screens", "message"),
    [
        ({"nowhere": "Next"}, "screens.nowhere: the guide has no such screen"),
        ({"calltype-view": "ActionSelected"}, "'ActionSelected' is not a result of this screen"),
        ({"calltype-view": {"action": "Next", "data": {"call_type": "spam"}}}, "has no option 'spam'"),
        ({"calltype-view": {"action": "Next", "data": {}}}, "input 'call_type' is required"),
        ({"calltype-view": {"action": "Next", "data": {"kind": "real"}}}, "the form has no input 'kind'"),
        ({"context-view": {"action": "ActionSelected", "data": {"actionName": "Go"}}}, "give data.actionName"),
        ({"guide-done": {"action": "Next", "data": {"x": "1"}}}, "this screen has no inputs"),
    ],
)
def test_a_bad_operator_script_is_one_clear_error(screens, message, backends, quiet):
    cfg, backend, sim = backends.get("pl")
    script = parse_operator_script({"agent": "operator-1", "screens": screens}, source="script.yaml")
    sim.backend = backend
    with pytest.raises(OperatorScriptError, match="^script.yaml: ") as err:
        sim.call(
            lang="uk", presses=[WAIT, "0"], at="2026-03-02T10:30", caller=caller_number("pl", "bad"), operator=script
        )
    assert message in str(err.value)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "must be a mapping"),
        ({"agent": "a b"}, "agent: 'a b' is not a user id"),
        ({"supervisor": "yes"}, "supervisor: give true or false"),
        ({"operator": "x"}, "operator: unknown key"),
        ({"screens": {"s": {"data": {}}}}, "screens.s.action: missing"),
        ({"screens": {"s": {"action": "timeout", "data": {"a": "b"}}}}, "no data with action 'timeout'"),
        ({"screens": {"s": {"action": "Next", "then": 1}}}, "screens.s.then: unknown key"),
        ({"screens": {"s": {"action": "Next", "data": {"a": {"b": 1}}}}}, "screens.s.data.a: give a text"),
    ],
)
def test_the_operator_script_format_is_checked_when_loaded(raw, message):
    with pytest.raises(OperatorScriptError) as err:
        parse_operator_script(raw, source="s.yaml")
    assert str(err.value).startswith("s.yaml: ") and message in str(err.value)


def test_a_call_answered_without_the_guide_hook_fails_the_scenario_checks(backends, quiet):
    """Every behaviour scenario asserts the DefaultAgentUI hook (scenarios.verify); without the
    hook block an answered call is reported."""
    from helpline.flows.scenarios import scenarios_for, verify
    from helpline.flows.simulate import Simulator

    cfg, backend, _ = backends.get("pl")
    sim = Simulator(cfg)
    for flow in sim.actions.values():
        for action in flow.values():
            hooks = (action.get("Parameters") or {}).get("EventHooks") or {}
            if "DefaultAgentUI" in hooks:
                action["Parameters"]["EventHooks"] = {"CustomerHold": hooks["DefaultAgentUI"]}
    sc = next(s for s in scenarios_for(cfg) if s.name == "operator")
    result = run_scenario(cfg, sc, backend, sim, salt="no-hook")
    assert result.answered and result.guide_flow is None
    with pytest.raises(AssertionError, match="answered without the operators' guide"):
        verify(cfg, sc, result)
