"""The flow JSON deployed by the stack is the JSON the offline simulator runs.

One renderer, two resolvers: replacing each CloudFormation reference in the template's flow
content by the local name of what it points to must give back, byte for byte after parsing,
the flows rendered with the simulator's LocalResolver.
"""

from __future__ import annotations

import json
import re

import pytest

from helpline.flows.render import ENTRY_FLOW, render_local
from helpline.flows.views import MANAGED_VIEWS, managed_view_arn
from tests.infrastructure.conftest import resources

pytestmark = pytest.mark.xdist_group("infra")


def _local_names(stack) -> dict[str, str]:
    """logical id -> local name, for every resource a flow may reference."""
    get = stack.get_logical_id
    tel, fns, flows = stack.telephony, stack.functions, stack.flows
    names = {get(q): f"queue/{k}" for k, q in tel.queues.items()}
    names |= {get(h): f"hours/{k}" for k, h in tel.hours_of_operation.items()}
    names |= {get(p): f"prompt/{k}" for k, p in tel.prompts.items()}
    names |= {get(f): f"flow/{k}" for k, f in flows.flows.items()}
    names |= {get(fn.node.default_child): f"lambda/{k}" for k, fn in fns.functions.items()}
    return names


def _managed_views_to_local(text: str, region: str) -> str:
    """AWS-managed view ARNs (literal in the template) -> the simulator's local names."""
    for name in MANAGED_VIEWS:
        text = text.replace(managed_view_arn(region, name), f"view/{name}")
    return text


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
        text = _managed_views_to_local(_unresolve(props["Content"], names), country.config.region)
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


def _deployed_flows(country) -> dict[str, dict]:
    """flow name -> its deployed content, references replaced by local names."""
    names = _local_names(country.stack)
    out = {}
    for r in resources(country.raw, "AWS::Connect::ContactFlow").values():
        name = r["Properties"]["Name"].split(" ", 1)[1]
        out[name] = json.loads(
            _managed_views_to_local(_unresolve(r["Properties"]["Content"], names), country.config.region)
        )
    return out


def _reaches_queue_without_guide(content: dict) -> list[str]:
    """Actions that put the contact in a queue on a path with no DefaultAgentUI hook set before."""
    actions = {a["Identifier"]: a for a in content["Actions"]}
    seen, todo, found = set(), [content["StartAction"]], []
    while todo:
        ident = todo.pop()
        if ident in seen or ident not in actions:
            continue
        seen.add(ident)
        action = actions[ident]
        hooks = (action.get("Parameters") or {}).get("EventHooks") or {}
        if action["Type"] == "UpdateContactEventHooks" and hooks.get("DefaultAgentUI") == "flow/agent_guide":
            continue  # every path through here has the guide set
        if action["Type"] in ("TransferContactToQueue", "CreateCallbackContact"):
            found.append(ident)
        tr = action.get("Transitions") or {}
        todo += [tr["NextAction"]] if "NextAction" in tr else []
        todo += [b["NextAction"] for b in (tr.get("Conditions") or []) + (tr.get("Errors") or [])]
    return found


def test_every_contact_that_can_reach_an_agent_has_the_guide_hook(country):
    """DefaultAgentUI names the guide ("the flow to be invoked when a contact comes into the
    Agent Workspace", adminguide/set-event-flow.html) on every path into a queue."""
    deployed = _deployed_flows(country)
    assert deployed["agent_guide"]["StartAction"]
    hooked = 0
    for name, content in deployed.items():
        if name.startswith("inbound"):
            assert _reaches_queue_without_guide(content) == [], name
            hooked += any(
                (a.get("Parameters") or {}).get("EventHooks", {}).get("DefaultAgentUI") == "flow/agent_guide"
                for a in content["Actions"]
            )
    assert hooked == len(country.config.languages) + 1  # every per-language flow and the entry flow's fallback


def test_the_guide_is_an_inbound_flow_of_aws_managed_views(country):
    flow = next(
        r["Properties"]
        for r in resources(country.raw, "AWS::Connect::ContactFlow").values()
        if r["Properties"]["Name"].endswith(" agent_guide")
    )
    assert flow["Type"] == "CONTACT_FLOW"  # ShowView: inbound and customer queue flows only
    content = _unresolve(flow["Content"], _local_names(country.stack))
    views = set(re.findall(r"arn:aws:connect:[a-z0-9-]+:aws:view/[a-z-]+:1", content))
    assert views and all(v.startswith(f"arn:aws:connect:{country.config.region}:aws:view/") for v in views)
    assert not resources(country.raw, "AWS::Connect::View")  # no custom view is needed


def test_every_lambda_associated_with_the_instance_is_invoked_by_some_flow(country):
    """An integration association is what lets a flow invoke a function; each must be used, and
    each function a flow invokes must be associated (the flow is created after it)."""
    fns = country.stack.functions
    associated = {
        name
        for name, fn in fns.functions.items()
        for r in resources(country.raw, "AWS::Connect::IntegrationAssociation").values()
        if r["Properties"]["IntegrationArn"]
        == {"Fn::GetAtt": [country.stack.get_logical_id(fn.node.default_child), "Arn"]}
    }
    invoked = set()
    for content in _deployed_flows(country).values():
        for action in content["Actions"]:
            if action["Type"] == "InvokeLambdaFunction":
                invoked.add(action["Parameters"]["LambdaFunctionARN"].removeprefix("lambda/"))
    assert associated, "no Lambda integration association"
    assert associated - invoked == set(), f"associated but never invoked: {sorted(associated - invoked)}"
    assert invoked <= associated, f"invoked but not associated: {sorted(invoked - associated)}"
    # the post-call survey (CustomerRemaining hook) stores answers only where the country has one
    assert ("record_survey_answer" in invoked) == (country.config.post_call_survey is not None)
    assert {
        "get_caller_context",
        "classify_call",
        "save_screening",
        "route_referral",
        "record_outcome",
        "block_caller",
    } <= invoked
    assert invoked <= associated, (
        f"associated but never invoked: {sorted(associated - invoked)}; invoked but not associated: {sorted(invoked - associated)}"
    )
