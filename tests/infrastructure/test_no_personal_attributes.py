"""What the synthesized country templates deploy as contact flows writes nothing personal into
Connect's contact attributes, and records calls with the current recording block.

Connect keeps contact attributes in its contact records for 24 months and DeleteContactData
redacts only the customer endpoint (helpline/flows/personal.py cites the pages): a pseudonym,
case, need, consent, region or partner written there is beyond erasure. The admin guide says the
"Set recording and analytics behavior" block (UpdateContactRecordingBehavior) "is replaced by Set
recording, analytics and processing behavior for new flows" (adminguide/set-recording-behavior.html):
UpdateContactRecordingAndAnalyticsBehavior.
"""

from __future__ import annotations

import json

import pytest

from helpline.flows.personal import personal_writes
from tests.infrastructure.conftest import resources

pytestmark = pytest.mark.xdist_group("infra")


def _flows(raw: dict) -> dict[str, dict]:
    """Flow name -> its Content as deployed (references left as the template's placeholders)."""
    out = {}
    for res in resources(raw, "AWS::Connect::ContactFlow").values():
        content = res["Properties"]["Content"]
        text = (
            content
            if isinstance(content, str)
            else "".join(p if isinstance(p, str) else "REF" for p in content["Fn::Join"][1])
        )
        out[res["Properties"]["Name"]] = json.loads(text)
    return out


def test_no_rendered_flow_writes_a_personal_contact_attribute(country):
    flows = _flows(country.raw)
    assert flows, "no ContactFlow in the template"
    found = {f"{name}:{a['Identifier']}": personal_writes(a) for name, flow in flows.items() for a in flow["Actions"]}
    assert {k: v for k, v in found.items() if v} == {}
    # the guide keeps what it learns in flow attributes, and reads nothing the docs do not promise
    guide = next(flow for name, flow in flows.items() if name.endswith("agent_guide"))
    assert not [a for a in guide["Actions"] if a["Type"] == "UpdateContactAttributes"]
    assert "$.Attributes." not in json.dumps(guide)


def test_every_rendered_flow_records_with_the_current_block(country):
    flows = _flows(country.raw)
    types = {a["Type"] for flow in flows.values() for a in flow["Actions"]}
    assert "UpdateContactRecordingBehavior" not in types
    assert "UpdateContactRecordingAndAnalyticsBehavior" in types


def test_an_action_of_any_shape_is_read_without_a_crash():
    """The linter (FL113) and verify-live read exported flows of any shape: Parameters that are not an object
    write nothing, they do not raise."""
    for parameters in ([1], "x", None, {"Attributes": ["case_id"]}, {"Attributes": None}):
        assert personal_writes({"Type": "UpdateContactAttributes", "Parameters": parameters}) == []
    assert personal_writes({"Type": "UpdateContactAttributes", "Parameters": {"Attributes": {"Case_ID": "1"}}}) == [
        "Case_ID"
    ]
