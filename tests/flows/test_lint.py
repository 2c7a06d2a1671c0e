"""The flow linter: one test per rule catching a broken flow, the corpus, the shipped flows."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from helpline.config import load_country
from helpline.flows.lint import lint_content, lint_country, lint_file, lint_text
from tests.flows.support import COUNTRIES

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "flows-corpus"  # ../shared beside the repo


def good() -> dict:
    return {
        "Version": "2019-10-30",
        "StartAction": "ask",
        "Actions": [
            {
                "Identifier": "ask",
                "Type": "GetParticipantInput",
                "Parameters": {"Text": "Press 1", "InputTimeLimitSeconds": "5"},
                "Transitions": {
                    "NextAction": "sorry",
                    "Conditions": [{"NextAction": "fn", "Condition": {"Operator": "Equals", "Operands": ["1"]}}],
                    "Errors": [
                        {"NextAction": "sorry", "ErrorType": "InputTimeLimitExceeded"},
                        {"NextAction": "sorry", "ErrorType": "NoMatchingCondition"},
                        {"NextAction": "sorry", "ErrorType": "NoMatchingError"},
                    ],
                },
            },
            {
                "Identifier": "fn",
                "Type": "InvokeLambdaFunction",
                "Parameters": {
                    "LambdaFunctionARN": "arn:aws:lambda:eu-central-1:1:function:f",
                    "InvocationTimeLimitSeconds": "8",
                    "ResponseValidation": {"ResponseType": "STRING_MAP"},
                },
                "Transitions": {"NextAction": "q", "Errors": [{"NextAction": "sorry", "ErrorType": "NoMatchingError"}]},
            },
            {
                "Identifier": "q",
                "Type": "TransferContactToQueue",
                "Parameters": {},
                "Transitions": {
                    "NextAction": "sorry",
                    "Errors": [
                        {"NextAction": "sorry", "ErrorType": "QueueAtCapacity"},
                        {"NextAction": "sorry", "ErrorType": "NoMatchingError"},
                    ],
                },
            },
            {
                "Identifier": "sorry",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "Sorry"},
                "Transitions": {"NextAction": "end", "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}]},
            },
            {"Identifier": "end", "Type": "DisconnectParticipant", "Parameters": {}, "Transitions": {}},
        ],
    }


def rules(flow) -> set[str]:
    return {f.rule for f in lint_content(flow, "t") if f.failing}


def action(flow, ident):
    return next(a for a in flow["Actions"] if a["Identifier"] == ident)


def test_good_flow_is_clean():
    assert rules(good()) == set()


def test_rule_json():
    assert {f.rule for f in lint_text("{not json", "t")} == {"malformed"}


def test_rule_shape():
    flow = good()
    del action(flow, "sorry")["Transitions"]
    flow["Version"] = "2020"
    assert "malformed" in rules(flow)


@pytest.mark.parametrize("ident", ["x" * 51, "a:b", "call(me)", "toString"])
def test_rule_identifier(ident):
    flow = good()
    action(flow, "end")["Identifier"] = ident
    action(flow, "sorry")["Transitions"]["NextAction"] = ident
    assert "identifier" in rules(flow)


def test_rule_identifier_duplicate():
    flow = good()
    flow["Actions"].append(copy.deepcopy(action(flow, "end")))
    assert "identifier" in rules(flow)


def test_rule_next_action():
    flow = good()
    action(flow, "fn")["Transitions"]["NextAction"] = "nowhere"
    assert "next-action" in rules(flow)


def test_rule_unreachable():
    flow = good()
    flow["Actions"].append(
        {
            "Identifier": "orphan",
            "Type": "MessageParticipant",
            "Parameters": {"Text": "hi"},
            "Transitions": {"NextAction": "end"},
        }
    )
    assert "unreachable" in rules(flow)


@pytest.mark.parametrize("value", ["{{queue:uk}}", "${lang}", "x ${Q:name:Q}"])
def test_rule_placeholder(value):
    flow = good()
    action(flow, "sorry")["Parameters"]["Text"] = value
    assert "placeholder" in rules(flow)


def test_rule_placeholder_template_key():
    flow = good()
    action(flow, "sorry")["Parameters"] = {"$say": "welcome"}
    assert "placeholder" in rules(flow)


@pytest.mark.parametrize(
    ("ident", "error", "rule"),
    [
        ("fn", "NoMatchingError", "error-branch-policy"),
        ("q", "QueueAtCapacity", "error-branch-policy"),
        ("ask", "InputTimeLimitExceeded", "unhandled-error"),
        ("ask", "NoMatchingCondition", "unhandled-error"),
        ("ask", "NoMatchingError", "missing-required-error"),
    ],
)
def test_rule_error_branch(ident, error, rule):
    flow = good()
    tr = action(flow, ident)["Transitions"]
    tr["Errors"] = [e for e in tr["Errors"] if e["ErrorType"] != error]
    assert rule in rules(flow)


def test_rule_conditions():
    flow = good()
    action(flow, "fn")["Transitions"]["NextAction"] = "hours"
    flow["Actions"].append(
        {
            "Identifier": "hours",
            "Type": "CheckHoursOfOperation",
            "Parameters": {},
            "Transitions": {
                "NextAction": "q",
                "Conditions": [{"NextAction": "q", "Condition": {"Operator": "Equals", "Operands": ["True"]}}],
                "Errors": [{"NextAction": "sorry", "ErrorType": "NoMatchingError"}],
            },
        }
    )
    assert "missing-operand" in rules(flow)


def test_rule_silent_disconnect():
    flow = good()
    action(flow, "fn")["Transitions"]["Errors"][0]["NextAction"] = "end"
    assert "silent-disconnect" in rules(flow)


def test_rule_silent_disconnect_through_silent_actions():
    flow = good()
    action(flow, "q")["Transitions"]["Errors"][0]["NextAction"] = "note"
    flow["Actions"].append(
        {
            "Identifier": "note",
            "Type": "UpdateContactAttributes",
            "Parameters": {"Attributes": {"a": "b"}},
            "Transitions": {"NextAction": "end"},
        }
    )
    assert "silent-disconnect" in rules(flow)


@pytest.mark.parametrize(
    ("ident", "param", "value"),
    [
        ("fn", "InvocationTimeLimitSeconds", "9"),
        ("ask", "InputTimeLimitSeconds", "0"),
        ("fn", "InvocationTimeLimitSeconds", "soon"),
    ],
)
def test_rule_range(ident, param, value):
    flow = good()
    action(flow, ident)["Parameters"][param] = value
    assert "range" in rules(flow)


def _hold(messages, interrupt="60"):
    return {
        "Version": "2019-10-30",
        "StartAction": "hold",
        "Actions": [
            {
                "Identifier": "hold",
                "Type": "MessageParticipantIteratively",
                "Parameters": {"Messages": messages, "InterruptFrequencySeconds": interrupt},
                "Transitions": {
                    "NextAction": "end",
                    "Conditions": [
                        {"NextAction": "end", "Condition": {"Operator": "Equals", "Operands": ["MessagesInterrupted"]}}
                    ],
                    "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}],
                },
            },
            {"Identifier": "end", "Type": "EndFlowExecution", "Parameters": {}, "Transitions": {}},
        ],
    }


def test_rule_hold_loop_one_message_back_to_back():
    assert "hold-loop" in rules(_hold([{"Text": "Please hold."}]))
    assert "hold-loop" not in rules(_hold([{"Text": "Please hold."}, {"PromptId": "arn:music"}]))


@pytest.mark.parametrize(("interrupt", "bad"), [("20", True), ("10", True), ("21", False), ("60", False)])
def test_rule_timeout_interrupt_period_above_20_seconds(interrupt, bad):
    two = [{"Text": "Please hold."}, {"PromptId": "arn:music"}]
    assert ("range" in rules(_hold(two, interrupt))) is bad


def test_rule_loop_prompts_has_no_input_or_message_before_it():
    flow = _hold([{"Text": "Please hold."}, {"PromptId": "arn:music"}])
    flow["Actions"][0]["Transitions"]["Conditions"][0]["NextAction"] = "offer"
    flow["Actions"].append(
        {
            "Identifier": "offer",
            "Type": "GetParticipantInput",
            "Parameters": {"Text": "Press 1 for a call back", "InputTimeLimitSeconds": "5"},
            "Transitions": {
                "NextAction": "hold",
                "Errors": [
                    {"NextAction": "hold", "ErrorType": "InputTimeLimitExceeded"},
                    {"NextAction": "hold", "ErrorType": "NoMatchingCondition"},
                    {"NextAction": "end", "ErrorType": "NoMatchingError"},
                ],
            },
        }
    )
    assert "loop-prompts" in rules(flow)
    for branch in action(flow, "offer")["Transitions"]["Errors"]:
        branch["NextAction"] = "end"  # Resume (EndFlowExecution) restarts the loop instead
    action(flow, "offer")["Transitions"]["NextAction"] = "end"
    assert "loop-prompts" not in rules(flow)


def test_rule_lambda_response():
    flow = good()
    action(flow, "fn")["Parameters"]["ResponseValidation"] = {"ResponseType": "JSON"}
    assert "lambda-response" in rules(flow)


def test_rule_size():
    flow = good()
    for i in range(250):
        flow["Actions"].append(
            {
                "Identifier": f"m{i}",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "x"},
                "Transitions": {"NextAction": "end"},
            }
        )
        action(flow, "sorry")["Transitions"]["NextAction"] = f"m{i}"
    assert "size" in rules(flow)


def test_rule_unknown_type_is_a_notice():
    flow = good()
    action(flow, "sorry")["Type"] = "CreateTask"
    findings = lint_content(flow, "t")
    assert [f for f in findings if f.rule == "unmodelled" and f.notice and "CreateTask" in f.message]
    assert "unmodelled" not in rules(flow)


def show_view(view="form", **data) -> dict:
    """A ShowView action as AWS's sample guides write it (all three error branches)."""
    return {
        "Identifier": "screen",
        "Type": "ShowView",
        "Parameters": {
            "ViewResource": {"Id": f"arn:aws:connect:eu-central-1:aws:view/{view}:1"},
            "InvocationTimeLimitSeconds": "300",
            "ViewData": {"Heading": "H", "Next": {"Label": "Next"}, **data},
        },
        "Transitions": {
            "NextAction": "sorry",
            "Conditions": [{"NextAction": "sorry", "Condition": {"Operator": "Equals", "Operands": ["Next"]}}],
            "Errors": [
                {"NextAction": "sorry", "ErrorType": e}
                for e in ("NoMatchingCondition", "NoMatchingError", "TimeLimitExceeded")
            ],
        },
    }


def with_screen(screen: dict) -> dict:
    """The good flow with a screen between the Lambda function and the queue."""
    flow = good()
    flow["Actions"].append(screen)
    action(flow, "fn")["Transitions"]["NextAction"] = "screen"
    screen["Transitions"]["Conditions"][0]["NextAction"] = "q"
    return flow


def test_a_show_view_as_aws_writes_it_is_clean():
    assert rules(with_screen(show_view())) == set()


def test_rule_view():
    no_limit = show_view()
    del no_limit["Parameters"]["InvocationTimeLimitSeconds"]
    assert "view" in rules(with_screen(no_limit))
    wrong_branch = show_view("confirmation")
    wrong_branch["Transitions"]["Conditions"][0]["Condition"]["Operands"] = ["ActionSelected"]
    assert "view" in rules(with_screen(wrong_branch))  # a confirmation view only gives Next
    bad_input = show_view(Sections=[{"Type": "FormSection", "Items": [{"Type": "Slider", "Name": "x"}]}])
    assert "view" in rules(with_screen(bad_input))
    no_timeout_branch = show_view()
    no_timeout_branch["Transitions"]["Errors"].pop()
    assert "unhandled-error" in rules(with_screen(no_timeout_branch))


def test_rule_sensitive_input():
    note = {"Type": "FormSection", "Items": [{"Type": "TextArea", "Name": "note", "Label": "Note"}]}
    screen = show_view(Sections=[note])
    assert "sensitive-input" in rules(with_screen(screen))
    screen["Parameters"]["SensitiveDataConfiguration"] = {"HideResponseOn": ["TRANSCRIPT"]}
    assert "sensitive-input" not in rules(with_screen(screen))
    logged = with_screen(screen)
    logged["Actions"].append(
        {
            "Identifier": "log",
            "Type": "UpdateFlowLoggingBehavior",
            "Parameters": {"FlowLoggingBehavior": "Enabled"},
            "Transitions": {"NextAction": "ask"},
        }
    )
    logged["StartAction"] = "log"
    assert "sensitive-input" in rules(logged)


def test_rule_view_flow_type():
    from helpline.flows.lint import lint_flow_type

    flow = with_screen(show_view())
    assert "screen" in {f.action for f in lint_flow_type(flow, "AGENT_WHISPER", "t")}
    assert lint_flow_type(flow, "CONTACT_FLOW", "t") == []


def test_reads_every_corpus_file_without_crashing():
    files = sorted(CORPUS.glob("*.json"))
    assert len(files) == 34
    unmodelled: set[str] = set()
    for path in files:
        findings = lint_file(path)
        assert all(f.rule != "malformed" for f in findings), path
        for f in findings:
            assert str(f).startswith(f"{path.name}:")
            if f.rule == "unmodelled":
                unmodelled.add(f.message.split()[2])
    assert {"ConnectParticipantWithLexBot", "CreateTask"} <= unmodelled
    assert "ShowView" not in unmodelled  # the guide's action is modelled


@pytest.mark.parametrize("code", COUNTRIES)
def test_every_rendered_country_flow_lints_clean(code):
    findings = lint_country(load_country(code))
    assert findings == [], "\n".join(map(str, findings))


def test_finding_format():
    flow = good()
    action(flow, "fn")["Transitions"]["NextAction"] = "nowhere"
    f = next(f for f in lint_content(flow, "pl/inbound") if f.rule == "next-action")
    assert str(f) == "pl/inbound:fn: FL003 next-action: next goes to 'nowhere', which does not exist"
    assert f.severity == "error" and f.fix


def test_lint_file_on_disk(tmp_path):
    p = tmp_path / "flow.json"
    p.write_text(json.dumps(good()))
    assert lint_file(p) == []
