"""Cases of the flow-as-code conformance suite (github.com/flow-as-code/flow-as-code,
conformance/lint) that the linter missed (issue 22), each judged against the Flow-language docs:
unresolved tokens (FL104, FL114, FL003), GetParticipantInput's store-input shape (FL021, FL012),
references that must be a whole value (FL022) and a queue-metric check without its
NoMatchingCondition branch (FL106). A failing and a passing example per case."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from helpline.flows.lint import Finding, contact_attributes_written, lint_content
from tests.flows.test_lint import action, good


def found(flow: dict, rule_id: str, **options: Any) -> list[Finding]:
    return [f for f in lint_content(flow, "t", **options) if f.id == rule_id]


def chain(*actions: dict) -> dict:
    """A flow of ``actions`` run one after the other, then a goodbye and a disconnect."""
    steps = [copy.deepcopy(a) for a in actions]
    for a, nxt in zip(steps, [*(a["Identifier"] for a in steps[1:]), "bye"], strict=True):
        tr = a.setdefault("Transitions", {})
        tr.setdefault("NextAction", nxt)
        tr.setdefault("Errors", [{"NextAction": "bye", "ErrorType": "NoMatchingError"}])
    bye = {
        "Identifier": "bye",
        "Type": "MessageParticipant",
        "Parameters": {"Text": "Goodbye"},
        "Transitions": {"NextAction": "end", "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}]},
    }
    end = {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}}
    return {"Version": "2019-10-30", "StartAction": steps[0]["Identifier"], "Actions": [*steps, bye, end]}


def say(text: str, ident: str = "say", **params: Any) -> dict:
    return {"Identifier": ident, "Type": "MessageParticipant", "Parameters": {"Text": text, **params}}


def compare(value: str, operand: str, target: str = "bye") -> dict:
    return {
        "Identifier": "cmp",
        "Type": "Compare",
        "Parameters": {"ComparisonValue": value},
        "Transitions": {
            "Conditions": [{"NextAction": target, "Condition": {"Operator": "Equals", "Operands": [operand]}}],
            "Errors": [{"NextAction": target, "ErrorType": "NoMatchingCondition"}],
        },
    }


def set_attrs(ident: str = "set", target: str = "Current", **attrs: str) -> dict:
    return {
        "Identifier": ident,
        "Type": "UpdateContactAttributes",
        "Parameters": {"Attributes": attrs, "TargetContact": target},
    }


# ---------------------------------------------------------------- (1) unresolved tokens


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("PromptId", "${cdref:prompt:greeting}"),  # a whole token of another tool
        ("PromptId", "prefix-${cdref:prompt:greeting}"),  # interpolated into a longer value
        ("Text", "${cdrefqueue:appointments}"),  # a misspelled one, in what the caller hears
        ("LambdaInvocationAttributes", {"queue": "{{queue:uk"}),  # a {{ left open
    ],
)
def test_fl104_template_token_of_any_tool_anywhere(where, value):
    flow = chain(say("Hello"))
    params = action(flow, "say")["Parameters"]
    params.pop("Text")
    params[where] = value
    [f] = found(flow, "FL104")
    assert f.failing and f.action == "say" and f.severity == "error"


def test_fl104_token_inside_a_condition_operand():
    flow = chain(set_attrs(tier="gold"), compare("$.Attributes.tier", "prefix-${cdref:queue:sales}"))
    [f] = found(flow, "FL104")
    assert f.action == "cmp" and "Conditions[0].Condition.Operands[0]" in f.message


@pytest.mark.parametrize(
    "params",
    [
        {"Text": "Your case number is $.Attributes.case."},  # Connect interpolates its own references
        {"Text": "The fee is ${ the fee } or 100%."},  # a translator's literal braces
        {"Text": "Hello", "LambdaInvocationAttributes": {"payload": '{"a":{"b":1}}'}},  # JSON in a string
    ],
)
def test_fl104_passes_connect_references_and_literal_braces(params):
    flow = chain(set_attrs(case="1"), say("x"))
    action(flow, "say")["Parameters"] = params
    assert found(flow, "FL104") == []


@pytest.mark.parametrize("kind", ["start", "condition", "error"])
def test_fl003_a_reference_to_an_identifier_missing_from_the_flow(kind):
    flow = good()
    if kind == "start":
        flow["StartAction"] = "nowhere"
    elif kind == "condition":
        action(flow, "ask")["Transitions"]["Conditions"][0]["NextAction"] = "nowhere"
    else:
        action(flow, "q")["Transitions"]["Errors"][0]["NextAction"] = "nowhere"
    [f] = found(flow, "FL003")
    assert f.failing and "'nowhere'" in f.message
    assert found(good(), "FL003") == []


def test_fl114_text_reads_an_attribute_nothing_sets_is_a_notice():
    flow = chain(say("Caller is $.Attributes.callerName, tier $.Attributes['tier']."))
    findings = found(flow, "FL114")
    assert {f.severity for f in findings} == {"notice"} and not any(f.failing for f in findings)
    assert ["callerName" in findings[0].message, "tier" in findings[1].message] == [True, True]


def test_fl114_attribute_set_before_it_is_read_passes():
    flow = chain(set_attrs(callerName="$.External.name"), say("Caller is $.Attributes.callerName."))
    assert found(flow, "FL114") == []


def test_fl114_attribute_set_only_after_or_on_the_related_contact():
    flow = chain(say("Tier $.Attributes.tier."), set_attrs(tier="gold"))
    [f] = found(flow, "FL114")
    assert f.severity == "notice" and "only later actions set it (set)" in f.message
    related = chain(set_attrs(target="Related", tier="gold"), say("Tier $.Attributes.tier."))
    [f] = found(related, "FL114")  # Related writes another contact: nothing set this one's
    assert "nothing in the linted flows sets it" in f.message


def test_fl114_set_by_another_flow_of_the_set_passes():
    writer = chain(set_attrs(callerName="$.External.name"))
    reader = chain(say("Caller is $.Attributes.callerName."))
    assert found(reader, "FL114", attributes_set_elsewhere=contact_attributes_written(writer)) == []
    assert contact_attributes_written(chain(set_attrs(target="Related", x="1"))) == set()


def test_fl114_condition_operand_and_comparison():
    check = compare("$.Attributes.tier", "$.Attributes.expected")
    messages = [f.message for f in found(chain(check), "FL114")]
    assert messages[0].startswith("ComparisonValue reads $.Attributes.tier")
    assert messages[1].startswith("Conditions[0] operand reads $.Attributes.expected")
    assert found(chain(set_attrs(tier="a", expected="a"), check), "FL114") == []


def test_fl114_flow_attribute_never_set_in_this_flow_is_a_warning():
    flow = chain(say("You chose $.FlowAttributes.choice."))
    [f] = found(flow, "FL114")
    assert f.failing and f.severity == "warning" and "flow attributes stay in their flow" in f.message
    setter = {"Identifier": "fa", "Type": "UpdateFlowAttributes", "Parameters": {"FlowAttributes": {"choice": {}}}}
    setter["Transitions"] = {"Errors": []}
    assert found(chain(setter, say("You chose $.FlowAttributes.choice.")), "FL114") == []


def test_fl114_lambda_answer_read_before_any_lambda():
    fn = copy.deepcopy(action(good(), "fn"))
    fn.pop("Transitions")
    [f] = found(chain(say("Your date is $.External.Date."), fn), "FL114")
    assert f.severity == "notice"
    assert found(chain(fn, say("Your date is $.External.Date.")), "FL114") == []


# ---------------------------------------------------------------- (2) the store-input block


def store(**params: Any) -> dict:
    base = {"Text": "Enter your number", "InputTimeLimitSeconds": "5", "StoreInput": "True"}
    base.update(params)
    return chain({"Identifier": "ask", "Type": "GetParticipantInput", "Parameters": base})


CUSTOM = {"CustomValidation": {"MaximumLength": "4"}}


def test_fl021_stored_input_with_its_validation_passes():
    flow = store(
        InputValidation=CUSTOM, DTMFConfiguration={"InputTerminationSequence": "#", "DisableCancelKey": "True"}
    )
    assert [f for f in lint_content(flow, "t") if f.failing] == []


def test_fl012_stored_input_without_validation_is_still_caught():
    flow = store()
    action(flow, "ask")["Transitions"]["Errors"].append({"NextAction": "bye", "ErrorType": "NoMatchingCondition"})
    assert "InputValidation" in found(flow, "FL012")[0].message
    assert found(flow, "FL007")  # NoMatchingCondition: only for StoreInput False


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"InputValidation": {**CUSTOM, "PhoneNumberValidation": {"NumberFormat": "E164"}}}, "both"),
        ({"InputValidation": {"PhoneNumberValidation": {"NumberFormat": "Local"}}}, "two-letter CountryCode"),
        ({"InputValidation": {"PhoneNumberValidation": {"NumberFormat": "International"}}}, "NumberFormat"),
        ({"InputValidation": {"CustomValidation": {}}}, "MaximumLength"),
        ({"InputValidation": "yes"}, "not an object"),
        (
            {"InputValidation": {"PhoneNumberValidation": {"NumberFormat": "E164"}}, "InputEncryption": {"Key": "k"}},
            "without CustomValidation",
        ),
        ({"InputValidation": CUSTOM, "InputEncryption": {"EncryptionKeyId": "id"}}, "no Key"),
        ({"InputValidation": CUSTOM, "DTMFConfiguration": {"InputTerminationSequence": "123456"}}, "up to 5"),
        ({"InputValidation": CUSTOM, "DTMFConfiguration": {"DisableCancelKey": "yes"}}, "DisableCancelKey"),
        ({"InputValidation": CUSTOM, "StoreInput": "true"}, "StoreInput is true"),
    ],
)
def test_fl021_store_input_shape(params, words):
    [f] = found(store(**params), "FL021")
    assert f.severity == "error" and words in f.message


def test_fl021_empty_validation_is_a_warning_the_docs_are_silent():
    [f] = found(store(InputValidation={}), "FL021")
    assert f.severity == "warning" and "does not say" in f.message


def test_absent_store_input_is_the_false_form():
    """The suite wants StoreInput written out; the page says 'If the "StoreInput" option is not
    defined or is "False"' the input is gathered: no finding (a documented divergence)."""
    flow = good()
    assert "StoreInput" not in action(flow, "ask")["Parameters"]
    assert [f for f in lint_content(flow, "t") if f.failing] == []


# ---------------------------------------------------------------- whole-value references


@pytest.mark.parametrize(
    ("ident", "name", "value", "words"),
    [
        ("say", "PromptId", "arn:aws:connect:eu-central-1:1:instance/i/prompt/$.Attributes.p", "embeds"),
        ("cmp", "ComparisonValue", "Tier: $.Attributes.tier", "not a single JSONPath"),
        ("cmp", "ComparisonValue", "gold", "not a single JSONPath"),
        ("ask", "InputTimeLimitSeconds", "$.Attributes.wait", "statically"),
    ],
)
def test_fl022_reference_must_be_the_whole_value(ident, name, value, words):
    flow = reference_flow()
    action(flow, ident)["Parameters"][name] = value
    if name == "PromptId":
        action(flow, ident)["Parameters"].pop("Text")
    [f] = found(flow, "FL022")
    assert f.action == ident and f.failing and words in f.message


def test_fl022_whole_references_and_interpolated_text_pass():
    flow = reference_flow()
    action(flow, "cmp")["Parameters"]["ComparisonValue"] = "$.Attributes['tier name']"
    action(flow, "say")["Parameters"] = {"PromptId": "$.Attributes.prompt"}
    assert found(flow, "FL022") == [] and found(reference_flow(), "FL022") == []


def reference_flow() -> dict:
    ask = {
        "Identifier": "ask",
        "Type": "GetParticipantInput",
        "Parameters": {
            "Text": "Press 1",
            "InputTimeLimitSeconds": "5",
            "StoreInput": "True",
            "InputValidation": CUSTOM,
        },
    }
    check = compare("$.Attributes.tier", "gold", "say")
    return chain(set_attrs(tier="gold", prompt="p"), check, say("Hello $.Attributes.tier"), ask)


# ---------------------------------------------------------------- (3) the queue-metric check


def metric(metric_type: str, operator: str, operand: str, *errors: str) -> dict:
    check = {
        "Identifier": "check",
        "Type": "CheckMetricData",
        "Parameters": {"MetricType": metric_type},
        "Transitions": {
            "Conditions": [{"NextAction": "busy", "Condition": {"Operator": operator, "Operands": [operand]}}],
            "Errors": [{"NextAction": "bye", "ErrorType": e} for e in ("NoMatchingError", *errors)],
        },
    }
    return chain(check, say("All lines are busy", "busy"))


def test_fl106_queue_metric_check_without_no_matching_condition():
    flow = metric("NumberOfContactsInQueue", "NumberGreaterThan", "10")
    [f] = found(flow, "FL106")
    assert f.severity == "error" and "NumberOfContactsInQueue" in f.message and "NoMatchingCondition" in f.message
    assert found(flow, "FL006") == []  # one finding for one cause
    wired = metric("NumberOfContactsInQueue", "NumberGreaterThan", "10", "NoMatchingCondition")
    assert [f for f in lint_content(wired, "t") if f.failing] == []


def test_fl106_oldest_contact_check_too():
    assert found(metric("OldestContactInQueueAgeSeconds", "NumberGreaterThan", "300"), "FL106")


def test_staffing_check_needs_no_no_matching_condition_and_may_carry_it():
    """The page: NoMatchingCondition 'only supported if the MetricType is OldestContactInQueueAgeSeconds
    or NumberOfContactsInQueue' (the suite asks it of every metric: we follow the docs). The
    console's own Default queue transfer flow wires it on NumberOfAgentsStaffed: info, not a warning."""
    bare = metric("NumberOfAgentsStaffed", "NumberGreaterThan", "0")
    assert [f for f in lint_content(bare, "t") if f.failing] == []
    console = metric("NumberOfAgentsStaffed", "NumberGreaterThan", "0", "NoMatchingCondition")
    [f] = found(console, "FL007")
    assert f.severity == "info" and not f.failing
