"""The flow JSON deployed by the stack is the JSON the offline simulator runs.

One renderer, two resolvers: replacing each CloudFormation reference in the template's flow
content by the local name of what it points to must give back, byte for byte after parsing,
the flows rendered with the simulator's LocalResolver.
"""

from __future__ import annotations

import json

import pytest

from helpline.flows.render import ENTRY_FLOW, render_local
from tests.infrastructure.conftest import resources

pytestmark = pytest.mark.xdist_group("infra")


def _local_names(stack) -> dict[str, str]:
    """logical id -> local name, for every resource a flow may reference."""
    get = stack.get_logical_id
    tel, fns, flows = stack.telephony, stack.functions, stack.flows
    names = {get(q): f"queue/{k}" for k, q in tel.queues.items()}
    names[get(tel.hours)] = "hours/main"
    names |= {get(p): f"prompt/{k}" for k, p in tel.prompts.items()}
    names |= {get(f): f"flow/{k}" for k, f in flows.flows.items()}
    names |= {get(fn.node.default_child): f"lambda/{k}" for k, fn in fns.functions.items()}
    return names


def _unresolve(content, names: dict[str, str]) -> str:
    if isinstance(content, str):
        return content
    parts = content["Fn::Join"][1]
    out = []
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif "Fn::GetAtt" in part:
            out.append(names[part["Fn::GetAtt"][0]])
        else:
            raise AssertionError(f"unexpected intrinsic in flow content: {part}")
    return "".join(out)


def test_deployed_flows_equal_the_simulated_flows(country):
    names = _local_names(country.stack)
    local, _ = render_local(country.config)
    deployed = {
        r["Properties"]["Name"].split(" ", 1)[1]: r["Properties"]
        for r in resources(country.raw, "AWS::Connect::ContactFlow").values()
    }
    assert set(deployed) == set(local)
    for name, flow in local.items():
        props = deployed[name]
        assert props["Type"] == flow.type
        text = _unresolve(props["Content"], names)
        assert len(text) <= 256_000
        assert json.loads(text) == flow.content, name
        # and the references really are CloudFormation references, not names written by hand
        if not isinstance(props["Content"], str):
            assert any(isinstance(p, dict) for p in props["Content"]["Fn::Join"][1])


def test_the_number_is_associated_with_the_entry_flow(country):
    stack = country.stack
    entry_id = stack.get_logical_id(stack.flows.flows[ENTRY_FLOW])
    association = [
        r
        for r in country.raw["Resources"].values()
        if r["Type"] == "Custom::AWS" and "associatePhoneNumberContactFlow" in json.dumps(r["Properties"])
    ]
    assert len(association) == 1
    create = json.dumps(association[0]["Properties"]["Create"])
    assert entry_id in create and "PhoneNumber" in create and "ConnectInstance" in create
