"""The catalog-driven linter rules (FL001-FL020), the project's rules (FL1xx), output formats,
and the promise that no input crashes the linter (a Hypothesis test over mutated flows)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.flows.lint import RULE_LIST, Finding, lint_content, lint_file, lint_text, to_json, to_sarif
from tests.flows.test_lint import action, good

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "flows-corpus"


def ids(flow: Any, **options: Any) -> set[str]:
    return {f.id for f in lint_content(flow, "t", **options)}


def check(rule_id: str, flow: Any, present: bool = True, **options: Any) -> list[Finding]:
    found = [f for f in lint_content(flow, "t", **options) if f.id == rule_id]
    assert bool(found) is present, [str(f) for f in lint_content(flow, "t", **options)]
    return found


def add_action(flow: dict, new: dict, after: str = "sorry") -> dict:
    """Insert ``new`` between ``after`` and its NextAction."""
    prev = action(flow, after)
    new.setdefault("Transitions", {})
    if new["Type"] not in ("DisconnectParticipant", "EndFlowExecution"):
        new["Transitions"].setdefault("NextAction", prev["Transitions"]["NextAction"])
    prev["Transitions"]["NextAction"] = new["Identifier"]
    flow["Actions"].append(new)
    return flow


def test_good_flow_has_no_findings_at_all():
    assert lint_content(good(), "t") == []


@pytest.mark.parametrize("text", ["[]", '"x"', "5", "null", "{", "", "{}", '{"Actions": 7}'])
def test_any_json_gives_one_clear_finding(text):
    findings = lint_text(text, "f.json")
    assert findings and all(f.id == "FL001" and f.failing and f.fix for f in findings)
    assert len(findings) <= 2  # e.g. Version and Actions of "{}"


def test_invalid_utf8_file(tmp_path):
    p = tmp_path / "f.json"
    p.write_bytes(b'{"Version": "\xff\xfe"}')
    [f] = lint_file(p)
    assert f.id == "FL001" and "UTF-8" in f.message
    [f] = lint_file(tmp_path / "missing.json")
    assert f.id == "FL001" and "cannot read" in f.message


@pytest.mark.parametrize(
    "mutate",
    [
        lambda fl: action(fl, "fn")["Transitions"].__setitem__("Errors", 5),
        lambda fl: action(fl, "ask")["Transitions"]["Conditions"][0]["Condition"].__setitem__("Operands", 7),
        lambda fl: action(fl, "sorry").__setitem__("Type", ["MessageParticipant"]),
        lambda fl: fl["Actions"].append("not an action"),
        lambda fl: action(fl, "fn").__setitem__("Parameters", []),
        lambda fl: action(fl, "fn").update(Type="UpdateContactAttributes", Parameters=[{"Attributes": {}}]),
    ],
    ids=["errors-5", "operands-7", "type-list", "action-string", "parameters-list", "attributes-parameters-list"],
)
def test_the_three_crashing_flows_get_findings(mutate):
    flow = good()
    mutate(flow)
    findings = lint_content(flow, "t")
    assert findings and not [f for f in findings if "could not read" in f.message]
    assert {"FL001", "FL010"} & {f.id for f in findings}


def test_fl002_unknown_type():
    flow = add_action(good(), {"Identifier": "x", "Type": "PlayPromptPlease", "Parameters": {}})
    check("FL002", flow)


def test_fl003_missing_next_action_and_loop_prompts_exemption():
    flow = good()
    del action(flow, "sorry")["Transitions"]["NextAction"]
    check("FL003", flow)
    hold = {
        "Identifier": "h",
        "Type": "MessageParticipantIteratively",
        "Parameters": {"Messages": [{"Text": "a"}, {"Text": "b"}]},
        "Transitions": {"Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}]},
    }
    flow = good()
    action(flow, "sorry")["Transitions"]["NextAction"] = "h"
    flow["Actions"].append(hold)
    assert "FL003" not in ids(flow)  # loops until the caller hangs up or an agent answers


def test_fl004_terminal_with_transitions():
    flow = good()
    action(flow, "end")["Transitions"] = {"NextAction": "sorry"}
    check("FL004", flow)


def test_fl005_store_input_true_and_false_differ():
    flow = good()
    ask = action(flow, "ask")
    # StoreInput True: no conditions, no time-out error (a time-out stores "Timeout")
    ask["Parameters"].update({"StoreInput": "True", "InputValidation": {"CustomValidation": {"MaximumLength": "4"}}})
    ask["Transitions"] = {"NextAction": "fn", "Errors": [{"NextAction": "sorry", "ErrorType": "NoMatchingError"}]}
    assert ids(flow) == set()
    ask["Transitions"]["Errors"] = []
    check("FL005", flow)


def test_fl006_unhandled_and_fl007_impossible_errors():
    flow = good()
    action(flow, "sorry")["Transitions"]["Errors"] = []
    [f] = check("FL006", flow)
    assert f.severity == "warning" and f.action == "sorry"
    flow = good()
    action(flow, "sorry")["Transitions"]["Errors"].append({"NextAction": "end", "ErrorType": "QueueAtCapacity"})
    check("FL007", flow)
    # AWS's own exports carry NoMatchingError on UpdateFlowAttributes: info only
    flow = add_action(
        good(),
        {
            "Identifier": "fa",
            "Type": "UpdateFlowAttributes",
            "Parameters": {"FlowAttributes": {}},
            "Transitions": {"Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}]},
        },
    )
    [f] = check("FL007", flow)
    assert f.severity == "info" and not f.failing


def test_fl008_conditions_on_store_input_true():
    flow = good()
    ask = action(flow, "ask")
    ask["Parameters"].update({"StoreInput": "True", "InputValidation": {"CustomValidation": {"MaximumLength": "4"}}})
    ask["Transitions"]["Errors"] = [{"NextAction": "sorry", "ErrorType": "NoMatchingError"}]
    check("FL008", flow)


def test_fl009_fl010_operators_and_operands():
    flow = good()
    action(flow, "ask")["Transitions"]["Conditions"][0]["Condition"]["Operator"] = "NumberGreaterThan"
    check("FL009", flow)
    for operands in (["12"], [], [1], "1"):
        flow = good()
        action(flow, "ask")["Transitions"]["Conditions"][0]["Condition"]["Operands"] = operands
        check("FL010", flow)


def test_fl011_missing_operand():
    flow = add_action(
        good(),
        {
            "Identifier": "loop",
            "Type": "Loop",
            "Parameters": {"LoopCount": "2"},
            "Transitions": {
                "Conditions": [{"NextAction": "end", "Condition": {"Operator": "Equals", "Operands": ["DoneLooping"]}}]
            },
        },
    )
    check("FL011", flow)


def test_fl012_parameters():
    flow = good()
    action(flow, "sorry")["Parameters"]["SSML"] = "<speak>Sorry</speak>"  # Text and SSML together
    check("FL012", flow)
    flow = good()
    del action(flow, "fn")["Parameters"]["LambdaFunctionARN"]
    check("FL012", flow)
    flow = good()
    action(flow, "ask")["Parameters"]["InputValidation"] = {}  # only with StoreInput True
    check("FL012", flow)


def test_fl013_ranges():
    flow = good()
    action(flow, "fn")["Parameters"]["InvocationTimeLimitSeconds"] = "9"
    check("FL013", flow)
    action(flow, "fn")["Parameters"]["InvocationTimeLimitSeconds"] = "$.Attributes.limit"
    check("FL013", flow, present=False)


def test_fl014_flow_type_from_option_or_export_metadata():
    flow = good()
    check("FL014", flow, flow_type="AGENT_WHISPER")
    check("FL014", flow, present=False, flow_type="CONTACT_FLOW")
    flow["Metadata"] = {"type": "agentWhisper"}
    check("FL014", flow)


def test_fl015_channel():
    check("FL015", good(), channel="chat")  # GetParticipantInput is voice only
    check("FL015", good(), present=False, channel="voice")


def test_fl016_end_of_support():
    flow = add_action(
        good(),
        {
            "Identifier": "vid",
            "Type": "StartVoiceIdStream",
            "Parameters": {},
            "Transitions": {"Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}]},
        },
    )
    check("FL016", flow)


def test_fl017_event_hooks():
    flow = add_action(
        good(),
        {
            "Identifier": "hook",
            "Type": "UpdateContactEventHooks",
            "Parameters": {"EventHooks": {"CustomerQueueX": "arn"}},
            "Transitions": {"Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}]},
        },
    )
    check("FL017", flow)


@pytest.mark.parametrize("ident", ["x" * 51, "a:b", "call(me)", "toString", "a$b"])
def test_fl018_identifiers(ident):
    flow = good()
    action(flow, "end")["Identifier"] = ident
    action(flow, "sorry")["Transitions"]["NextAction"] = ident
    action(flow, "sorry")["Transitions"]["Errors"][0]["NextAction"] = ident
    check("FL018", flow)


def test_fl019_size():
    flow = good()
    action(flow, "fn")["Parameters"]["LambdaFunctionARN"] = "x" * 260_000
    check("FL019", flow)


def test_fl020_prompt_length_counts_billed_characters():
    flow = good()
    action(flow, "sorry")["Parameters"]["Text"] = "a" * 3001
    [f] = check("FL020", flow)
    assert f.severity == "warning"
    flow = good()
    del action(flow, "sorry")["Parameters"]["Text"]
    action(flow, "sorry")["Parameters"]["SSML"] = "<speak>" + ("<s>" + "a" * 100 + "</s>") * 29 + "</speak>"
    check("FL020", flow, present=False)  # 2,900 billed: tags are not billed
    action(flow, "sorry")["Parameters"]["SSML"] = "<speak>" + "a" * 6001 + "</speak>"
    [f] = check("FL020", flow)
    assert f.severity == "error"  # over Polly's 6,000 in all


def test_fl101_one_finding_per_unreachable_subtree():
    flow = good()
    for i in range(5):
        flow["Actions"].append(
            {
                "Identifier": f"dead{i}",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "x"},
                "Transitions": {
                    "NextAction": f"dead{i + 1}" if i < 4 else "end",
                    "Errors": [{"NextAction": "end", "ErrorType": "NoMatchingError"}],
                },
            }
        )
    [f] = check("FL101", flow)
    assert f.action == "dead0" and "4 action" in f.message and f.severity == "warning"


def test_fl102_a_flow_that_can_never_end():
    flow = good()
    action(flow, "sorry")["Transitions"] = {
        "NextAction": "again",
        "Errors": [{"NextAction": "again", "ErrorType": "NoMatchingError"}],
    }
    flow["Actions"].append(
        {
            "Identifier": "again",
            "Type": "UpdateContactAttributes",
            "Parameters": {"Attributes": {"a": "b"}},
            "Transitions": {"NextAction": "sorry", "Errors": [{"NextAction": "sorry", "ErrorType": "NoMatchingError"}]},
        }
    )
    found = check("FL102", flow)
    assert len(found) == 1  # one loop, one finding
    assert "FL102" not in ids(good())


def _recording(flow: dict, notice_first: bool) -> dict:
    rec = {
        "Identifier": "rec",
        "Type": "UpdateContactRecordingBehavior",
        "Parameters": {"RecordingBehavior": {"RecordedParticipants": ["Agent", "Customer"]}},
        "Transitions": {"NextAction": "ask"},
    }
    flow["Actions"].append(rec)
    if notice_first:
        flow["Actions"].append(
            {
                "Identifier": "notice",
                "Type": "MessageParticipant",
                "Parameters": {"Text": "This call is recorded."},
                "Transitions": {"NextAction": "rec", "Errors": [{"NextAction": "rec", "ErrorType": "NoMatchingError"}]},
            }
        )
        flow["StartAction"] = "notice"
    else:
        flow["StartAction"] = "rec"
        # a caller who presses nothing still hears the menu: make a silent way to the queue
        action(flow, "fn")["Transitions"]["NextAction"] = "q"
        rec["Transitions"]["NextAction"] = "fn"
    return flow


def test_fl103_recording_without_a_notice():
    check("FL103", _recording(good(), notice_first=False))
    check("FL103", _recording(good(), notice_first=True), present=False)


def _current_block(flow: dict) -> dict:
    """The recording action as the current block writes it (UpdateContactRecordingAndAnalyticsBehavior)."""
    rec = action(flow, "rec")
    rec["Type"] = "UpdateContactRecordingAndAnalyticsBehavior"
    rec["Parameters"] = {"VoiceBehavior": {"VoiceRecordingBehavior": {"RecordedParticipants": ["Agent", "Customer"]}}}
    nxt = rec["Transitions"]["NextAction"]
    rec["Transitions"]["Errors"] = [
        {"NextAction": nxt, "ErrorType": "ChannelMismatch"},
        {"NextAction": nxt, "ErrorType": "NoMatchingError"},
    ]
    return flow


def test_fl103_knows_the_current_recording_block():
    check("FL103", _current_block(_recording(good(), notice_first=False)))
    check("FL103", _current_block(_recording(good(), notice_first=True)), present=False)


@pytest.mark.parametrize("target", ["Current", "Related"])
@pytest.mark.parametrize("key", ["caller_id", "case_id", "needs_codes", "consent", "referred_partner_ids", "Region"])
def test_fl113_a_personal_contact_attribute_is_an_error(key, target):
    """Connect keeps contact attributes 24 months, beyond erasure: a pseudonym, case, need,
    consent, region or partner written there cannot be erased."""
    new = {
        "Identifier": "attrs",
        "Type": "UpdateContactAttributes",
        "Parameters": {"Attributes": {"topic": "x", key: "$.External.value"}, "TargetContact": target},
        "Transitions": {"Errors": [{"NextAction": "sorry", "ErrorType": "NoMatchingError"}]},
    }
    found = check("FL113", add_action(good(), new))
    assert key.lower() in found[0].message.lower() and found[0].severity == "error"


def test_fl113_non_personal_attributes_and_flow_attributes_pass():
    kept = {
        "Identifier": "attrs",
        "Type": "UpdateContactAttributes",
        "Parameters": {"Attributes": {"language": "uk", "priority": "urgent", "open_case": "true"}},
        "Transitions": {"Errors": [{"NextAction": "sorry", "ErrorType": "NoMatchingError"}]},
    }
    check("FL113", add_action(good(), kept), present=False)
    flow_only = {
        "Identifier": "flowattrs",
        "Type": "UpdateFlowAttributes",
        "Parameters": {"FlowAttributes": {"case_id": {"Value": "$.External.case_id"}}},
    }
    check("FL113", add_action(good(), flow_only), present=False)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("Hello %CustomerName%, welcome", True),
        ("Hello {{name}}", True),
        ("Hello ${name}", True),
        ("welcome.greeting", True),
        ("PROMPT_WELCOME", True),
        ("[untranslated] Witamy", True),
        ("Hello [[first_name]]", True),
        ("Your number is $.", True),
        ("Hello $.Attributes.name, welcome", False),  # Connect interpolates this
        ("Costs 100% of ${ the fee }", False),  # literal text a translator wrote
        ("Press 1 for 100% support, 2 for 50 %", False),
        ("Call 112 now.", False),
    ],
)
def test_fl104_placeholders_in_speech(text, flagged):
    flow = good()
    action(flow, "sorry")["Parameters"]["Text"] = text
    check("FL104", flow, present=flagged)


def test_fl104_template_constructs_anywhere_one_finding_per_action():
    flow = good()
    action(flow, "fn")["Parameters"]["LambdaFunctionARN"] = "{{lambda:lookup}}"
    action(flow, "fn")["Parameters"]["x"] = "${lang}"
    assert len(check("FL104", flow)) == 1


def test_fl105_one_finding_per_silent_disconnect():
    flow = good()
    action(flow, "fn")["Transitions"]["Errors"][0]["NextAction"] = "end"
    for e in action(flow, "q")["Transitions"]["Errors"]:
        e["NextAction"] = "end"
    [f] = check("FL105", flow)
    assert f.action == "end" and "fn NoMatchingError" in f.message and "q QueueAtCapacity" in f.message


def test_project_rules_are_labelled():
    by = {r.id: r for r in RULE_LIST}
    assert by["FL106"].source == "policy" and by["FL105"].source == "policy"
    assert all(by[f"FL0{i:02d}"].source == "docs" for i in range(1, 21))
    assert all(r.fix and r.severity in ("error", "warning", "info", "notice") for r in RULE_LIST)


def test_json_and_sarif_formats():
    flow = good()
    action(flow, "fn")["Transitions"]["NextAction"] = "nowhere"
    findings = lint_content(flow, "flow.json")
    data = json.loads(to_json(findings))
    assert data["failing"] >= 1 and {"rule", "severity", "action", "message", "fix", "source"} <= set(
        data["findings"][0]
    )
    sarif = to_sarif(findings, {"flow.json": "flows/flow.json"})
    assert sarif["version"] == "2.1.0"
    [run] = sarif["runs"]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert len(rule_ids) == len(set(rule_ids)) == len(RULE_LIST)
    for r in run["results"]:
        assert r["ruleId"] in rule_ids and rule_ids[r["ruleIndex"]] == r["ruleId"]
        assert r["level"] in ("error", "warning", "note", "none") and r["message"]["text"]
        assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "flows/flow.json"
    json.dumps(sarif)


def test_corpus_counts_and_no_internal_errors():
    files = sorted(CORPUS.glob("*.json"))
    assert len(files) == 34
    for path in files:
        for f in lint_file(path):
            assert "could not read" not in f.message, f
            assert f.fix and f.severity


# ---------------------------------------------------------------- Hypothesis: nothing crashes

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
KEYS = [
    "Version",
    "StartAction",
    "Actions",
    "Identifier",
    "Type",
    "Parameters",
    "Transitions",
    "NextAction",
    "Errors",
    "Conditions",
    "Condition",
    "Operator",
    "Operands",
    "ErrorType",
    "Text",
    "Messages",
    "StoreInput",
    "RecordingBehavior",
    "EventHooks",
    "ViewResource",
    "ViewData",
    "InputValidation",
    "LoopCount",
]


def _containers(value: Any, out: list) -> list:
    if isinstance(value, (dict, list)):
        out.append(value)
        for v in value.values() if isinstance(value, dict) else value:
            _containers(v, out)
    return out


def _bases() -> list[Any]:
    bases: list[Any] = [good()]
    for name in (
        "gitlab-cicd-terraform__acme_main_AUTO.json",
        "step-by-step-guides__examples_Financial_contactFlow.json",
    ):
        p = CORPUS / name
        if p.exists():
            bases.append(json.loads(p.read_text()))
    return bases


BASES = _bases()


@st.composite
def mutated(draw: Any) -> Any:
    flow = copy.deepcopy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 6))):
        nodes = _containers(flow, [])
        node = draw(st.sampled_from(nodes))
        op = draw(st.sampled_from(["delete", "retype", "key", "wrap", "cycle", "huge", "junk-action"]))
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node, key=str)))
        elif isinstance(node, list) and node:
            key = draw(st.integers(0, len(node) - 1))
        else:
            continue
        if op == "delete":
            del node[key]
        elif op == "retype":
            node[key] = draw(JSON | st.sampled_from([5, 7, [], {}, ["MessageParticipant"], "x"]))
        elif op == "key" and isinstance(node, dict):
            node[draw(st.sampled_from(KEYS))] = draw(JSON)
        elif op == "wrap":
            node[key] = [node[key]]
        elif op == "cycle" and isinstance(node, dict) and isinstance(node.get("Identifier"), str):
            node.setdefault("Transitions", {})
            if isinstance(node["Transitions"], dict):
                node["Transitions"]["NextAction"] = node["Identifier"]
        elif op == "huge":
            node[key] = "{{" + "x" * draw(st.sampled_from([10, 3001, 7000])) + "%a%"
        elif op == "junk-action" and isinstance(flow, dict) and isinstance(flow.get("Actions"), list):
            flow["Actions"].append(draw(JSON))
    if draw(st.booleans()) and isinstance(flow, dict):
        flow = draw(st.sampled_from([flow, [flow], {"Content": flow}]))
    return flow


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    mutated(),
    st.sampled_from([None, "CONTACT_FLOW", "agentWhisper", "nonsense"]),
    st.sampled_from([None, "voice", "chat"]),
)
def test_no_mutated_flow_crashes_the_linter(flow, flow_type, channel):
    findings = lint_content(flow, "t", flow_type=flow_type, channel=channel)
    assert isinstance(findings, list) and all(isinstance(f, Finding) for f in findings)
    # the catch-all never had to step in: every rule copes with the junk by itself
    assert not [f for f in findings if "could not read" in f.message], findings
    for f in findings:
        str(f)
        assert f.fix and f.severity in ("error", "warning", "info", "notice")
    json.dumps(to_sarif(findings))
    text = json.dumps(flow, allow_nan=True)
    assert isinstance(lint_text(text, "t"), list)


def test_every_rule_has_a_test():
    """Order-free (xdist, random order): every rule id is checked in a test_lint_*.py file, or its name in test_lint.py."""
    import re

    here = "".join(p.read_text(encoding="utf-8") for p in sorted(Path(__file__).parent.glob("test_lint_*.py")))
    legacy = (Path(__file__).parent / "test_lint.py").read_text(encoding="utf-8")
    tested = set(re.findall(r'"(FL\d{3})"', here)) | {r.id for r in RULE_LIST if f'"{r.slug}"' in legacy}
    assert {r.id for r in RULE_LIST} - tested == set()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_any_bytes_give_findings_not_exceptions(data):
    findings = lint_text(data, "f.json")
    assert findings and all(isinstance(f, Finding) for f in findings)


def test_cli_formats_and_exit_codes(tmp_path):
    from typer.testing import CliRunner

    from helpline.cli import app

    runner = CliRunner()
    bad = tmp_path / "bad.json"
    bad.write_text('"x"')
    r = runner.invoke(app, ["lint", str(bad), "--format", "sarif"])
    assert r.exit_code == 1
    sarif = json.loads(r.stdout)
    assert sarif["runs"][0]["results"][0]["ruleId"] == "FL001"
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == str(bad)
    good_file = tmp_path / "good.json"
    good_file.write_text(json.dumps(good()))
    r = runner.invoke(app, ["lint", str(good_file), "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.stdout) == {"findings": [], "failing": 0}
    assert runner.invoke(app, ["lint", str(good_file), "--format", "xml"]).exit_code == 2
    r = runner.invoke(app, ["lint", str(good_file), "--flow-type", "AGENT_WHISPER"])
    assert r.exit_code == 1 and "FL014 flow-type" in r.stdout
