"""The simulator engine itself: unknown actions, loop guard, keys, Lambda error shapes."""

from __future__ import annotations

import copy

import pytest

from helpline.flows.simulate import SimulationError, Simulator
from tests.flows.support import record


def test_unknown_action_type_stops_with_its_name(backends, quiet):
    cfg, backend, sim = backends.get("pl")
    flows = copy.deepcopy(sim.flows)
    flows["inbound"].content["Actions"][0]["Type"] = "ConnectParticipantWithLexBot"
    broken = Simulator(cfg, backend, flows=flows, resolver=sim.resolver)
    with pytest.raises(SimulationError, match=r"action 'logging' has type ConnectParticipantWithLexBot"):
        broken.call(lang="uk", presses=["-", "0"], at="2026-03-02T10:30")


def test_loop_guard(backends, quiet):
    cfg, backend, sim = backends.get("pl")
    sim.backend = backend
    with pytest.raises(SimulationError, match="loop guard"):
        sim.call(lang="uk", presses=["-", "1", "1"] + ["1"] * 50, at="2026-03-02T10:30", max_steps=40)


def test_bad_key_is_refused(backends):
    cfg, backend, sim = backends.get("pl")
    with pytest.raises(SimulationError, match="not a phone key"):
        sim.call(presses=["x"])


def test_lambda_answer_that_is_not_a_string_map_takes_the_error_branch(backends, quiet):
    cfg, backend, sim = backends.get("pl")

    class Weird:
        def invoke(self, name, event):
            return {"status": "ok", "nested": {"a": 1}}

        def dump_tables(self):
            return {}

    sim.backend = Weird()
    r = sim.call(lang="ru", presses=["-", "0"], at="2026-03-02T10:30")
    record("pl", r)
    assert r.attributes["returning"] == "unknown" and r.outcome == "queue"
    assert "flat map" in r.lambda_calls[0]["error"]


def test_handler_exception_is_a_lambda_error(backends, quiet):
    cfg, backend, sim = backends.get("pl")

    class Raising:
        def invoke(self, name, event):
            raise TimeoutError("Task timed out after 8.00 seconds")

        def dump_tables(self):
            return {}

    sim.backend = Raising()
    r = sim.call(lang="uk", presses=["-", "3"], at="2026-03-02T10:30")
    assert r.outcome == "queue" and r.said(cfg.message("uk", "technical_problem"))


def test_connect_shaped_event(backends, quiet):
    cfg, backend, sim = backends.get("pl")
    seen = []

    class Spy:
        def invoke(self, name, event):
            seen.append(event)
            return backend.invoke(name, event)

        def dump_tables(self):
            return backend.dump_tables()

    sim.backend = Spy()
    sim.call(lang="uk", presses=["-", "0"], at="2026-03-02T10:30", caller="+48600222333")
    data = seen[0]["Details"]["ContactData"]
    assert seen[0]["Name"] == "ContactFlowEvent"
    assert data["CustomerEndpoint"] == {"Address": "+48600222333", "Type": "TELEPHONE_NUMBER"}
    assert data["Channel"] == "VOICE" and data["InstanceARN"].startswith("arn:aws:connect:")
    assert seen[0]["Details"]["Parameters"] == {"language": "uk"}
    assert data["Attributes"]["language"] == "uk"


def _hours_notes(result) -> dict[str, str]:
    """hours resource -> open/closed, as the simulator's CheckHoursOfOperation notes say."""
    notes = [ln.text.split() for ln in result.transcript if ln.speaker == "note" and ln.text.startswith("hours ")]
    return {words[1]: words[-1] for words in notes}


def test_each_hours_of_operation_answers_by_its_own_definition(backends, quiet):
    """main carries the closures, weekly does not: on Christmas Eve (a Thursday) at 14:00 in Poland
    main is closed and weekly open; on a Sunday night both are closed; on a Monday morning main is
    open and weekly is never asked."""
    cfg, backend, sim = backends.get("pl")
    sim.backend = backend
    holiday = sim.call(lang="uk", presses=["-", "2"], at="2026-12-24T14:00")
    record("pl", holiday)
    assert _hours_notes(holiday) == {"main": "closed", "weekly": "open"}
    night = sim.call(lang="uk", presses=["-", "2"], at="2026-03-01T03:00")
    record("pl", night)
    assert _hours_notes(night) == {"main": "closed", "weekly": "closed"}
    day = sim.call(lang="uk", presses=["-", "0"], at="2026-03-02T10:30")
    record("pl", day)
    assert _hours_notes(day) == {"main": "open"}


def test_hours_of_operation_the_stack_does_not_create_fail_rendering():
    from helpline.config import load_country
    from helpline.flows.render import LocalResolver, RenderError

    with pytest.raises(RenderError, match="unknown hours 'holidays'; known: main, weekly"):
        LocalResolver(load_country("pl"))("hours", "holidays")
