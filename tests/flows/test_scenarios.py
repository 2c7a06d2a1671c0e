"""Scenario tests: every shipped country, every language, through the offline simulator.

The simulator runs the rendered flow JSON (same renderer as the stack) against the real
Lambda handlers in a moto sandbox.
"""

from __future__ import annotations

import pytest

from helpline.config import load_country
from helpline.flows.scenarios import closure_scenarios, run_scenario, scenarios_for, verify
from tests.flows.support import COUNTRIES, record

CASES = [
    (code, sc)
    for code in COUNTRIES
    for cfg in [load_country(code)]
    for sc in scenarios_for(cfg) + closure_scenarios(cfg)
]


@pytest.mark.parametrize(("code", "scenario"), CASES, ids=[f"{c}-{s.id}" for c, s in CASES])
def test_scenario(code, scenario, backends, quiet):
    cfg, backend, sim = backends.get(code)
    result = run_scenario(cfg, scenario, backend, sim)
    record(code, result)
    verify(cfg, scenario, result)


@pytest.mark.parametrize("code", COUNTRIES)
def test_returning_caller_twice_with_same_number(code, backends, quiet):
    cfg, backend, sim = backends.get(code)
    lang = cfg.language_codes[-1]
    caller = f"+4860{COUNTRIES.index(code)}123456"
    sim.backend = backend
    first = sim.call(lang=lang, presses=["-", "3"], at="2026-03-02T10:30", caller=caller)
    record(code, first)
    assert first.attributes["returning"] == "false"
    # the first call opened a case (feedback) and reached an operator: that case is this call's
    # own, so the whisper must not call the caller returning with an (earlier) open case
    assert first.answered and first.case_id and first.attributes["open_case"] == "false"
    assert not first.said(cfg.message(cfg.operator_language, "whisper_returning"))
    second = sim.call(lang=lang, presses=["-", "0"], at="2026-03-02T10:30", caller=caller)
    record(code, second)
    assert second.attributes["returning"] == "true"
    # the same person (one pseudonym, found by contact id) with the open case the first call made;
    # the call carries only the non-personal open_case flag (docs/audit.md)
    assert second.caller_id == first.caller_id != "" and first.case_id != ""
    assert second.attributes["open_case"] == "true" and "case_id" not in second.attributes
    assert not {"caller_id", "case_id"} & (set(first.attributes) | set(second.attributes))
    assert second.said(cfg.message(cfg.operator_language, "whisper_returning"))  # the operators' language


@pytest.mark.parametrize("code", COUNTRIES)
def test_lambda_failure_still_reaches_a_person(code, backends, quiet):
    cfg, backend, sim = backends.get(code)
    sim.backend = backend
    for lang in cfg.language_codes:
        r = sim.call(
            lang=lang,
            presses=["-", "2"],
            at="2026-03-02T10:30",
            caller="+48600999000",
            fail={"identify_caller", "create_case"},
        )
        record(code, r)
        assert r.outcome == "queue" and r.queue == f"priority_{lang}"
        assert r.said(cfg.message(lang, "technical_problem"))


def test_hours_use_the_country_time_zone(backends, quiet):
    cfg, backend, sim = backends.get("ro")
    sim.backend = backend
    # 16:30 in Bucharest is open (09-17); 16:30 UTC is 18:30 there: closed.
    open_r = sim.call(lang="en", presses=["-", "0"], at="2026-03-02T16:30", caller="+40700000001")
    closed_r = sim.call(lang="en", presses=["-", "2"], at="2026-03-02T16:30+00:00", caller="+40700000001")
    assert open_r.outcome == "queue"
    assert closed_r.said(cfg.message("en", "closed"))


def test_tables_show_what_was_written(backends, quiet):
    cfg, backend, sim = backends.get("pl")
    sim.backend = backend
    r = sim.call(lang="uk", presses=["-", "2"], at="2026-03-02T10:30", caller="+48600111222")
    cases = {c["case_id"]: c for c in r.tables["Cases"]}
    assert r.case_id in cases and r.link["case_id"] == r.case_id  # the call's link names its case
    assert all("+48600111222" not in str(v) for c in r.tables["Callers"] for v in c.values())  # pseudonymised
