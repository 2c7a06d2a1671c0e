"""The renderer: one renderer, two resolvers; nothing but references differs."""

from __future__ import annotations

import json
import re

import pytest

from helpline.config import load_country
from helpline.flows.render import (
    FLOW_TYPES,
    MAX_CONTENT_CHARS,
    TEMPLATES_DIR,
    LocalResolver,
    RenderError,
    flow_type,
    load_template,
    render_country,
    render_template,
)
from tests.flows.support import COUNTRIES


def token_resolver(calls):
    def resolve(kind, name):
        calls.append((kind, name))
        return "${Token[" + kind.upper() + "." + str(len(calls)) + "]}"

    return resolve


@pytest.mark.parametrize("code", COUNTRIES)
def test_two_resolvers_differ_only_in_references(code):
    cfg = load_country(code)
    calls: list = []
    tokens = render_country(cfg, token_resolver(calls))
    local = render_country(cfg, LocalResolver(cfg))
    assert list(tokens) == list(local)
    for name in tokens:
        a = re.sub(r"\$\{Token\[[A-Z]+\.\d+\]\}", "REF", tokens[name].json())
        b = re.sub(r'"(queue|lambda|hours|flow|prompt|view)/[^"]*"', '"REF"', local[name].json())
        assert a == b, name
        assert tokens[name].type == local[name].type == flow_type(name)
        assert len(tokens[name].json()) <= MAX_CONTENT_CHARS
    kinds = {k for k, _ in calls}
    assert kinds == {"queue", "lambda", "hours", "flow", "prompt", "view"}


@pytest.mark.parametrize("code", COUNTRIES)
def test_flow_names_and_types(code):
    cfg = load_country(code)
    flows = render_country(cfg, LocalResolver(cfg))
    expected = [
        "inbound",
        *[f"inbound_{lg}" for lg in cfg.language_codes],
        "customer_queue",
        "agent_whisper",
        "agent_guide",
        *(["post_call_survey"] if cfg.post_call_survey is not None else []),  # the disconnect flow
        *([f"outbound_survey_{lg}" for lg in cfg.language_codes] if cfg.outbound_survey is not None else []),
    ]
    assert list(flows) == expected
    assert {f.type for f in flows.values()} == {"CONTACT_FLOW", "CUSTOMER_QUEUE", "AGENT_WHISPER"}
    assert set(FLOW_TYPES.values()) == {"CONTACT_FLOW", "CUSTOMER_QUEUE", "AGENT_WHISPER"}


def test_rendering_is_deterministic():
    cfg = load_country("ro")
    a = {n: f.json() for n, f in render_country(cfg, LocalResolver(cfg)).items()}
    b = {n: f.json() for n, f in render_country(cfg, LocalResolver(cfg)).items()}
    assert a == b


def test_polly_languages_speak_text_recorded_languages_use_prompts():
    cfg = load_country("ro")
    flows = render_country(cfg, LocalResolver(cfg))
    uk = flows["inbound_uk"].json()
    assert '"PromptId":"prompt/uk/welcome"' in uk and "UpdateContactTextToSpeechVoice" not in uk
    en = json.loads(flows["inbound_en"].json())
    assert en["Actions"][0]["Type"] == "UpdateContactTextToSpeechVoice"
    assert en["Actions"][0]["Parameters"]["TextToSpeechVoice"] == "Joanna"
    assert cfg.message("en", "welcome") in flows["inbound_en"].json()


def test_templates_hold_no_spoken_text_and_no_arn():
    cfg = load_country("ro")
    texts = [t for lg in cfg.language_codes for t in cfg.spoken(lg).values()]
    for path in TEMPLATES_DIR.glob("*.json"):
        raw = path.read_text(encoding="utf-8")
        assert "arn:aws" not in raw, path
        assert not any(t in raw for t in texts), path
        assert '"Text"' not in raw and '"PromptId"' not in raw, path


def test_lambda_timeout_from_config():
    cfg = load_country("pl")
    flows = render_country(cfg, LocalResolver(cfg))
    for flow in flows.values():
        for a in flow.content["Actions"]:
            if a["Type"] == "InvokeLambdaFunction":
                assert a["Parameters"]["InvocationTimeLimitSeconds"] == str(cfg.ivr.lambda_timeout_seconds)
                assert a["Parameters"]["ResponseValidation"] == {"ResponseType": "STRING_MAP"}


@pytest.mark.parametrize("code", COUNTRIES)
def test_post_call_survey_is_the_customer_remaining_hook_only_where_configured(code):
    """The disconnect flow: UpdateContactEventHooks CustomerRemaining (the 'Set disconnect flow'
    block, adminguide/set-disconnect-flow.html) in every language flow, only with a post-call survey."""
    cfg = load_country(code)
    flows = render_country(cfg, LocalResolver(cfg))
    for lg in cfg.language_codes:
        hooks = [
            a["Parameters"]["EventHooks"]
            for a in flows[f"inbound_{lg}"].content["Actions"]
            if a["Type"] == "UpdateContactEventHooks"
        ]
        remaining = [h["CustomerRemaining"] for h in hooks if "CustomerRemaining" in h]
        assert remaining == (["flow/post_call_survey"] if cfg.post_call_survey is not None else [])
    if cfg.post_call_survey is None:
        return
    survey = flows["post_call_survey"].content
    asks = [a for a in survey["Actions"] if a["Identifier"].endswith("-ask")]
    assert len(asks) == len(cfg.language_codes) * len(cfg.post_call_survey.questions)
    for a in asks:  # Store customer input: * is an answer (cancel key off), # ends a number
        p = a["Parameters"]
        assert p["StoreInput"] == "True" and p["DTMFConfiguration"] == {
            "InputTerminationSequence": "#",
            "DisableCancelKey": "True",
        }
    saves = [
        a["Parameters"]["LambdaInvocationAttributes"] for a in survey["Actions"] if a["Type"] == "InvokeLambdaFunction"
    ]
    assert {s["language"] for s in saves} == set(cfg.language_codes)


@pytest.mark.parametrize("code", COUNTRIES)
def test_outbound_survey_flows_only_where_configured_and_they_report_every_step(code):
    """One outbound_survey_<lang> flow per language, only with an outbound survey; it invokes
    survey_consent (every event, with the runner's contact attributes) and record_survey_answer
    (with the campaign) for every question, and 9 transfers to the language's inbound flow."""
    cfg = load_country(code)
    flows = render_country(cfg, LocalResolver(cfg))
    outbound = [n for n in flows if n.startswith("outbound_survey_")]
    if cfg.outbound_survey is None:
        assert outbound == []
        return
    survey = cfg.outbound_survey
    assert outbound == [f"outbound_survey_{lg}" for lg in cfg.language_codes]
    for lg in cfg.language_codes:
        flow = flows[f"outbound_survey_{lg}"]
        assert flow.type == flow_type(flow.name) == "CONTACT_FLOW"
        assert ("lambda", "survey_consent") in flow.references and ("lambda", "record_survey_answer") in flow.references
        lambdas = [a["Parameters"] for a in flow.content["Actions"] if a["Type"] == "InvokeLambdaFunction"]
        consent = [
            p["LambdaInvocationAttributes"] for p in lambdas if p["LambdaFunctionARN"] == "lambda/survey_consent"
        ]
        assert sorted(c["event"] for c in consent) == sorted(  # no_input after the opener and after the consent
            ["accepted", "declined", "help", "no_input", "no_input", "completed"]  # never "answered": silence on pickup
        )
        for c in consent:
            assert c == {"campaign_id": "$.Attributes.campaign_id", "contact_key": "$.Attributes.contact_key",
                         "survey_id": survey.id, "language": lg, "event": c["event"]}  # fmt: skip
        answers = [
            p["LambdaInvocationAttributes"] for p in lambdas if p["LambdaFunctionARN"] == "lambda/record_survey_answer"
        ]
        assert {a["question_id"] for a in answers} == {q.id for q in survey.questions}
        assert all(a["campaign_id"] == "$.Attributes.campaign_id" and a["language"] == lg for a in answers)
        transfers = [a["Parameters"]["ContactFlowId"] for a in flow.content["Actions"] if a["Type"] == "TransferToFlow"]
        assert transfers == [f"flow/inbound_{lg}"]
        consent_input = next(a for a in flow.content["Actions"] if a["Identifier"] == "consent")
        keys = [c["Condition"]["Operands"] for c in consent_input["Transitions"]["Conditions"]]
        assert keys == [["1"], ["2"], ["9"], ["0"]]


def test_before_identification_is_checked_and_only_for_a_placed_call():
    """The template marker that lets a call end without the emergency number names only actions
    that say the opener, its goodbye, invalid_input or no_input, and only in the outbound flow."""
    cfg = load_country("pl")
    good = load_template(TEMPLATES_DIR / "outbound_survey.json")
    flow = render_template(cfg, LocalResolver(cfg), good, lang="uk", file="outbound_survey.json")
    assert flow.before_identification == ("opener", "opener-invalid", "opener-goodbye")
    speaks_consent = json.loads(json.dumps(good))
    speaks_consent["Template"]["before_identification"].append("consent")
    with pytest.raises(
        RenderError, match="'consent' must be a GetParticipantInput or MessageParticipant saying one of"
    ):
        render_template(cfg, LocalResolver(cfg), speaks_consent, lang="uk", file="outbound_survey.json")
    missing = json.loads(json.dumps(good))
    missing["Template"]["before_identification"] = ["nowhere"]
    with pytest.raises(RenderError, match="names 'nowhere', which is no action"):
        render_template(cfg, LocalResolver(cfg), missing, lang="uk", file="outbound_survey.json")
    inbound = load_template(TEMPLATES_DIR / "inbound_lang.json")
    inbound["Template"]["before_identification"] = [inbound["StartAction"]]
    with pytest.raises(RenderError, match="only for a call the helpline places"):
        render_template(cfg, LocalResolver(cfg), inbound, lang="uk", file="inbound_lang.json")
