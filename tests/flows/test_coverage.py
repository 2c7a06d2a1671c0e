"""Every action of every shipped flow is reached by the scenario catalogue."""

from __future__ import annotations

import pytest

from helpline.flows.scenarios import run_scenario, scenarios_for
from tests.flows.support import COUNTRIES, record


@pytest.mark.parametrize("code", COUNTRIES)
def test_every_action_of_every_flow_is_reached(code, backends, quiet):
    cfg, backend, sim = backends.get(code)
    reached: dict[str, set[str]] = {name: set() for name in sim.flows}
    for sc in scenarios_for(cfg):
        result = run_scenario(cfg, sc, backend, sim, salt="coverage")
        record(code, result)
        for flow, ids in result.visited.items():
            reached[flow].update(ids)
    missing = {name: sorted(set(sim.actions[name]) - reached[name]) for name in sim.flows}
    assert not any(missing.values()), f"actions no scenario reaches: {missing}"
