"""The outbound needs survey in the template: both survey Lambdas reachable from a flow, the
runner wired to the outbound flows, its number and its settings, and switched off elsewhere."""

from __future__ import annotations

import json

from tests.infrastructure.conftest import resources


def _function_id(raw: dict, name: str) -> str:
    stem = "Functions" + "".join(p.title() for p in name.split("_"))
    return next(
        k
        for k, r in resources(raw, "AWS::Lambda::Function").items()
        if k.startswith(stem) and r["Properties"]["Handler"] == f"functions.handlers.{name}.handler"
    )


def _flows_invoking(raw: dict, function_id: str) -> list[str]:
    """Flows whose content names the function's ARN (a Lambda block of that flow invokes it)."""
    needle = json.dumps({"Fn::GetAtt": [function_id, "Arn"]})
    return sorted(
        r["Properties"]["Name"] if isinstance(r["Properties"]["Name"], str) else k
        for k, r in resources(raw, "AWS::Connect::ContactFlow").items()
        if needle in json.dumps(r["Properties"]["Content"])
    )


def _schedule_state(raw: dict, function_id: str) -> str:
    (rule,) = [
        r["Properties"]
        for r in resources(raw, "AWS::Events::Rule").values()
        if any(t["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]} for t in r["Properties"].get("Targets", []))
    ]
    return rule.get("State", "ENABLED")


def test_both_survey_lambdas_are_invoked_by_the_outbound_survey_flows(country):
    raw, cfg = country.raw, country.config
    consent, answers = _function_id(raw, "survey_consent"), _function_id(raw, "record_survey_answer")
    outbound = sorted(f"{cfg.code.upper()} outbound_survey_{lang}" for lang in cfg.language_codes)
    if cfg.outbound_survey is None:
        assert _flows_invoking(raw, consent) == []
        return
    assert _flows_invoking(raw, consent) == outbound
    assert set(outbound) <= set(_flows_invoking(raw, answers))
    associated = [
        a["Properties"]["IntegrationArn"] for a in resources(raw, "AWS::Connect::IntegrationAssociation").values()
    ]
    assert {"Fn::GetAtt": [consent, "Arn"]} in associated and {"Fn::GetAtt": [answers, "Arn"]} in associated


def test_the_runner_calls_from_the_helpline_number_into_the_outbound_flows(country):
    raw, cfg = country.raw, country.config
    runner = _function_id(raw, "run_survey_campaign")
    env = raw["Resources"][runner]["Properties"]["Environment"]["Variables"]
    if cfg.outbound_survey is None:
        assert env["SURVEY_FLOWS"] == "{}" and env["SURVEY_SOURCE_NUMBER"] == ""
        assert _schedule_state(raw, runner) == "DISABLED"
        return
    assert _schedule_state(raw, runner) == "ENABLED"
    flows = json.dumps(env["SURVEY_FLOWS"])
    for lang in cfg.language_codes:
        flow_id = next(
            k
            for k, r in resources(raw, "AWS::Connect::ContactFlow").items()
            if r["Properties"]["Name"] == f"{cfg.code.upper()} outbound_survey_{lang}"
        )
        assert f'\\"{lang}\\":\\"' in flows and flow_id in flows
    # the number the survey calls from: the outbound number where the country has one (a toll-free
    # line may not call out), else the helpline's own
    number = "OutboundNumber" if cfg.phone_number.outbound is not None else "PhoneNumber"
    assert env["SURVEY_SOURCE_NUMBER"] == {"Fn::GetAtt": [number, "Address"]}
    settings = json.loads(env["SURVEY_CAMPAIGN"])
    campaign = cfg.outbound_survey.campaign
    assert settings["survey_id"] == cfg.outbound_survey.id and settings["timezone"] == cfg.hours.time_zone
    assert settings["calls_per_second"] == campaign.calls_per_second
    assert settings["calling_hours"]["from"] == campaign.calling_hours.start
    consent_env = raw["Resources"][_function_id(raw, "survey_consent")]["Properties"]["Environment"]["Variables"]
    assert consent_env["SURVEY_CAMPAIGN"] == env["SURVEY_CAMPAIGN"]  # attempts decide whether a number is kept


def test_the_runner_may_place_calls_only_on_this_instance_its_flows_and_number(country):
    raw, cfg = country.raw, country.config
    runner = _function_id(raw, "run_survey_campaign")
    policy = next(k for k in resources(raw, "AWS::IAM::Policy") if k.startswith("FunctionsRunSurveyCampaignPolicy"))
    granted: dict[str, list] = {}
    for st in raw["Resources"][policy]["Properties"]["PolicyDocument"]["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        for action in actions:
            if action.startswith("connect:"):
                granted.setdefault(action, []).extend(
                    st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
                )
    assert set(granted) == {"connect:StartOutboundVoiceContact", "connect:DescribeContact"}
    text = json.dumps(granted)
    assert '"*"' not in text and "contact-flow/*" not in text
    assert all("/contact/*" in json.dumps(r) for r in granted["connect:DescribeContact"])
    if cfg.outbound_survey is not None:
        assert "PhoneNumberArn" in text and text.count("ContactFlowArn") == len(cfg.language_codes)
    assert runner


def test_an_existing_number_is_read_with_describe_phone_number(byo_country):
    raw, cfg = byo_country.raw, byo_country.config
    env = raw["Resources"][_function_id(raw, "run_survey_campaign")]["Properties"]["Environment"]["Variables"]
    if cfg.outbound_survey is None:
        assert env["SURVEY_SOURCE_NUMBER"] == ""
        return
    (lookup_id,) = [k for k in resources(raw, "Custom::AWS") if k.startswith("SurveysSourceNumber")]
    assert env["SURVEY_SOURCE_NUMBER"] == {"Fn::GetAtt": [lookup_id, "ClaimedPhoneNumberSummary.PhoneNumber"]}
    create = json.dumps(raw["Resources"][lookup_id]["Properties"]["Create"])
    assert "describePhoneNumber" in create
