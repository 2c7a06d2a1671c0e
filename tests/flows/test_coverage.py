"""Every transition of every shipped flow is taken by a simulated call, and every call ends safely.

Transitions are the ways out of each action (NextAction, each condition, each error branch;
see helpline/flows/coverage.py). Behaviour scenarios, the key-press matrix and every non-ok
handler status take most of them; each error branch no scenario takes is then forced by
injecting that error into a call that reaches the action, and that call too must reach a
person, a call back or a message that names the emergency number. (A branch reached only
after an earlier injected fault is taken with two faults; there only the branch is asserted:
no flow can speak when its last message itself fails; nor where the injected fault is a prompt
that cannot be played, since then nothing can be said.)
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from helpline.flows.coverage import injectable, missing
from helpline.flows.scenarios import (
    closure_scenarios,
    keypress_scenarios,
    run_scenario,
    scenarios_for,
    status_scenarios,
    verify,
    verify_safe,
)
from tests.flows.support import COUNTRIES, record

SPEAKING = {"MessageParticipant", "GetParticipantInput", "MessageParticipantIteratively"}


def _run_all(cfg, backend, sim, scenarios, salt):
    taken: set = set()
    reached: dict[tuple[str, str], list] = {}
    for sc in scenarios:
        result = run_scenario(cfg, sc, backend, sim, salt=salt)
        verify(cfg, sc, result)
        taken |= result.transitions
        _remember(reached, result, sc)
        record(cfg.code, result)
    return taken, reached


BASES = 4  # scenarios remembered per action, tried in order as the base of an injection


def _remember(reached: dict, result, sc) -> None:
    """Which scenarios reached each action. A later base is tried when an earlier one reached the
    action only by a handler's time-dependent answer (backend_unavailable under a slow machine)."""
    for flow, ids in result.visited.items():
        for action_id in set(ids):
            bases = reached.setdefault((flow, action_id), [])
            if len(bases) < BASES and sc not in bases:
                bases.append(sc)


def _injected(base, flow: str, action_id: str, error: str):
    """``base`` with one more error injected; expectations reduced to safety."""
    return replace(
        base,
        name=f"{base.name}-inject-{action_id}-{error}",
        inject={**base.inject, (flow, action_id): error},
        attributes={},
        says=[],
        never_says=[],
        says_times={},
        whisper=[],
        check=None,
        outcome=None,
        queue=None,
    )


@pytest.mark.parametrize("code", COUNTRIES)
def test_every_transition_of_every_flow_is_taken(code, backends, quiet):
    cfg, backend, sim = backends.get(code)
    scenarios = scenarios_for(cfg) + closure_scenarios(cfg) + keypress_scenarios(cfg) + status_scenarios(cfg)
    taken, reached = _run_all(cfg, backend, sim, scenarios, "coverage")
    injected, progress = 0, True
    while progress:  # an error branch may lead to actions only an earlier injection reaches
        progress = False
        for flow, action_id, label in missing(sim.flows, taken):
            error, bases = injectable((flow, action_id, label)), reached.get((flow, action_id), [])
            if error is None or not bases:
                continue
            for base in bases:
                sc = _injected(base, flow, action_id, error)
                result = run_scenario(cfg, sc, backend, sim, salt="inject")
                if (flow, action_id, label) in result.transitions:
                    break
            if len(sc.inject) == 1 and sim.actions[flow][action_id]["Type"] not in SPEAKING:
                verify_safe(cfg, sc, result)  # one fault: still a person, a call back or the emergency number
                alone = replace(sc, staffed=False, name=sc.name + "-unstaffed")  # the same fault, nobody staffed
                verify_safe(cfg, alone, run_scenario(cfg, alone, backend, sim, salt="inject-unstaffed"))
            assert (flow, action_id, label) in result.transitions, f"injecting {error} at {flow}:{action_id} failed"
            taken |= result.transitions
            _remember(reached, result, sc)
            injected, progress = injected + 1, True
    left = missing(sim.flows, taken)
    assert not left, f"{len(left)} transitions no scenario takes: {left[:25]}"
    assert injected > 0  # error branches are really exercised, not assumed


@pytest.mark.parametrize("code", COUNTRIES)
def test_every_action_is_reached(code, backends, quiet):
    """Action coverage follows from transition coverage; kept as the readable summary."""
    cfg, backend, sim = backends.get(code)
    reached: dict[str, set[str]] = {name: set() for name in sim.flows}
    for sc in scenarios_for(cfg) + closure_scenarios(cfg) + keypress_scenarios(cfg):
        result = run_scenario(cfg, sc, backend, sim, salt="actions")
        for flow, ids in result.visited.items():
            reached[flow].update(ids)
    unreached = {name: sorted(set(sim.actions[name]) - reached[name]) for name in sim.flows}
    assert not any(unreached.values()), f"actions no scenario reaches: {unreached}"
