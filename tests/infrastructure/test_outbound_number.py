"""phone_number.outbound is the queues' outbound caller ID and the outbound survey's source number.

Synthesizes the shipped Polish line (toll-free, with an outbound survey) with an outbound DID to
claim, and with an existing outbound number (ARN), each in an app of its own.
"""

from __future__ import annotations

import json

import pytest

from helpline.config import load_country
from helpline.config.schema import NumberSpec
from tests.infrastructure.conftest import BYO_ACCOUNT, resources
from tests.infrastructure.test_first_deploy import _telephony_only

pytestmark = pytest.mark.xdist_group("infra")

OUTBOUND_ID = "7a7a7a7a-7a7a-4a7a-8a7a-7a7a7a7a7a7a"


def _app(tmp_path):
    import aws_cdk as cdk

    import app as cdk_app

    context = json.loads((cdk_app.ROOT / "cdk.json").read_text())["context"]
    return cdk.App(outdir=str(tmp_path), context=context), cdk_app


def _synth(tmp_path, cfg) -> tuple[dict, object]:
    """One country's HelplineStack, synthesized like app.py builds it (raw template, stack)."""
    import aws_cdk as cdk

    from stacks.helpline_stack import HelplineStack

    app, cdk_app = _app(tmp_path)
    stack = HelplineStack(
        app,
        cfg.stack_name,
        config=cfg,
        lambda_code_dir=cdk_app.BUILD / "lambda",
        lambda_layer_dir=cdk_app.BUILD / "layer",
        env=cdk.Environment(region=cfg.region),
        stack_name=cfg.stack_name,
    )
    app.synth()
    return json.loads((tmp_path / f"{cfg.stack_name}.template.json").read_text()), stack


def _telephony(tmp_path, cfg):
    """The Telephony construct alone (queues, numbers, prompts): (raw template, stack, telephony)."""
    from aws_cdk.assertions import Template

    stack, telephony = _telephony_only(tmp_path, cfg)
    return Template.from_stack(stack).to_json(), stack, telephony


def _with_outbound(**outbound):
    cfg = load_country("pl")
    spec = NumberSpec.model_validate(outbound) if outbound else None
    return cfg.model_copy(update={"phone_number": cfg.phone_number.model_copy(update={"outbound": spec})})


def _runner_env(raw: dict) -> dict:
    runner = next(
        r for r in resources(raw, "AWS::Lambda::Function").values()
        if "SURVEY_SOURCE_NUMBER" in r["Properties"].get("Environment", {}).get("Variables", {})
    )  # fmt: skip
    return runner["Properties"]["Environment"]["Variables"]


EXISTING_ARN = f"arn:aws:connect:eu-central-1:{BYO_ACCOUNT}:phone-number/{OUTBOUND_ID}"


@pytest.fixture(scope="module")
def claimed(tmp_path_factory):
    """The whole Polish stack with an outbound DID to claim."""
    return _synth(tmp_path_factory.mktemp("outbound-claimed"), _with_outbound(type="DID", country_code="PL"))


def test_a_claimed_outbound_did_is_every_queues_caller_id_and_the_toll_free_number_is_not(tmp_path):
    raw, stack, telephony = _telephony(tmp_path, _with_outbound(type="DID", country_code="PL"))
    assert telephony.phone_number.type == "TOLL_FREE" and telephony.outbound_number.type == "DID"
    numbers = resources(raw, "AWS::Connect::PhoneNumber")
    assert {n["Properties"]["Type"] for n in numbers.values()} == {"TOLL_FREE", "DID"}
    assert numbers["OutboundNumber"]["Properties"]["Type"] == "DID"
    assert numbers["OutboundNumber"]["DeletionPolicy"] == "RetainExceptOnCreate"
    queues = resources(raw, "AWS::Connect::Queue")
    assert queues
    for queue in queues.values():
        caller_id = queue["Properties"]["OutboundCallerConfig"]["OutboundCallerIdNumberArn"]
        assert caller_id == {"Fn::GetAtt": ["OutboundNumber", "PhoneNumberArn"]}


def test_the_outbound_survey_calls_from_the_claimed_outbound_number(claimed):
    raw, _ = claimed
    assert _runner_env(raw)["SURVEY_SOURCE_NUMBER"] == {"Fn::GetAtt": ["OutboundNumber", "Address"]}
    start = [
        st
        for res in resources(raw, "AWS::IAM::Policy").values()
        for st in res["Properties"]["PolicyDocument"]["Statement"]
        if "connect:StartOutboundVoiceContact" in json.dumps(st["Action"])
    ]
    granted = json.dumps([st["Resource"] for st in start])  # the number StartOutboundVoiceContact may use
    assert json.dumps({"Fn::GetAtt": ["OutboundNumber", "PhoneNumberArn"]}) in granted
    assert json.dumps({"Fn::GetAtt": ["PhoneNumber", "PhoneNumberArn"]}) not in granted


def test_without_an_outbound_number_the_inbound_number_stays_the_caller_id(tmp_path):
    raw, _, telephony = _telephony(tmp_path, load_country("ro"))
    assert telephony.outbound_number is telephony.phone_number
    assert [n["Properties"]["Type"] for n in resources(raw, "AWS::Connect::PhoneNumber").values()] == ["DID"]
    for queue in resources(raw, "AWS::Connect::Queue").values():
        caller_id = queue["Properties"]["OutboundCallerConfig"]["OutboundCallerIdNumberArn"]
        assert caller_id == {"Fn::GetAtt": ["PhoneNumber", "PhoneNumberArn"]}


def test_an_existing_outbound_number_is_used_by_arn_and_nothing_more_is_claimed(tmp_path):
    raw, _, telephony = _telephony(tmp_path, _with_outbound(arn=EXISTING_ARN))
    assert telephony.outbound_number is None and telephony.outbound_number_id == OUTBOUND_ID
    assert [n["Properties"]["Type"] for n in resources(raw, "AWS::Connect::PhoneNumber").values()] == ["TOLL_FREE"]
    for queue in resources(raw, "AWS::Connect::Queue").values():
        assert queue["Properties"]["OutboundCallerConfig"]["OutboundCallerIdNumberArn"] == EXISTING_ARN


def test_a_toll_free_line_without_an_outbound_number_warns_at_synthesis(tmp_path):
    from aws_cdk.assertions import Annotations, Match

    pattern = Match.string_like_regexp("phone_number.outbound: the TOLL_FREE number")
    _, stack, _ = _telephony(tmp_path / "pl", _with_outbound())  # the toll-free line alone
    Annotations.from_stack(stack).has_warning("*", pattern)
    _, stack, _ = _telephony(tmp_path / "did", _with_outbound(type="DID", country_code="PL"))
    Annotations.from_stack(stack).has_no_warning("*", pattern)
