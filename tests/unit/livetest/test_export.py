"""Offline scenarios -> Connect test cases: deterministic, complete, and shaped as AWS documents.

The Testing-language shape checked here is :mod:`helpline.livetest.schema` (its docstring cites
the pages); the CloudFormation properties are checked against cfn-lint's own resource schema for
``AWS::Connect::TestCase``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from helpline.config import country_files, load_country
from helpline.flows.render import LocalResolver, render_local
from helpline.flows.scenarios import scenarios_for
from helpline.livetest import export, schema
from helpline.livetest.export import _at, build_plan, offline_only, plan_for, test_case_resources

CODES = [p.stem for p in country_files()]
INSTANCE = "arn:aws:connect:eu-central-1:123456789012:instance/00000000-0000-4000-8000-000000000000"
ENTRY = INSTANCE + "/contact-flow/11111111-1111-4111-8111-111111111111"
STACK_RESOURCE_QUOTA = 500  # CloudFormation: resources per stack
STACK_RESOURCES_TODAY = 240  # about 230 today (cdk.out), with room


@pytest.fixture(scope="module", params=CODES)
def country(request):
    cfg = load_country(request.param)
    return cfg, plan_for(cfg)


def _dtmf(doc):
    return [
        a["Parameters"]["Instruction"]["Properties"]["Value"]
        for o in doc["Observations"]
        for a in o["Actions"]
        if a["Type"] == "SendInstruction"
    ]


def _expected_keys(cfg, sc):
    """The keys the scenario presses, as the simulator's caller model reads them."""
    keys = [p[1:] if p.startswith("!") else p for p in sc.presses if p not in ("-", ".", "wait", "_")]
    own = sc.name.startswith(("language-menu", "lang-option"))
    if len(cfg.languages) > 1 and not own:
        digit = cfg.language(sc.lang).digit
        if not sc.presses or sc.presses[0].lstrip("!") != digit:
            keys.insert(0, digit)
    return keys


def test_every_behaviour_scenario_is_exported_or_listed_with_a_reason(country):
    cfg, plan = country
    ids = [sc.id for sc in scenarios_for(cfg)]
    exported = [c.scenario for c in plan.cases]
    skipped = {s.scenario: s.reason for s in plan.skipped}
    assert sorted(exported + list(skipped)) == sorted(ids), "every scenario is exported or listed, once"
    assert all(reason.strip() for reason in skipped.values())
    by_id = {sc.id: sc for sc in scenarios_for(cfg)}
    for sid, reason in skipped.items():  # only the documented reasons: nothing dropped by accident
        assert offline_only(cfg, by_id[sid]) == reason, (sid, reason)
    assert plan.cases, "some scenarios run live"


def test_export_is_deterministic(country):
    cfg, plan = country
    again = build_plan(cfg, kinds=export.LIVE_CATALOGUES)
    resolve = LocalResolver(cfg)
    first = json.dumps(plan.documents(resolve), sort_keys=True)
    assert json.dumps(again.documents(LocalResolver(cfg)), sort_keys=True) == first
    assert [s.scenario for s in again.skipped] == [s.scenario for s in plan.skipped]
    assert [c.caller for c in again.cases] == [c.caller for c in plan.cases]


def test_every_document_has_the_documented_shape(country):
    cfg, plan = country
    for name, doc in plan.documents(LocalResolver(cfg)).items():
        assert schema.problems(doc) == [], name


def test_the_document_comes_from_the_scenario(country):
    """Same definition: keys, end and time of day of each test case are the scenario's."""
    cfg, plan = country
    by_id = {sc.id: sc for sc in scenarios_for(cfg)}
    resolve = LocalResolver(cfg)
    for case in plan.cases:
        sc = by_id[case.scenario]
        doc = case.document(resolve)
        assert _dtmf(doc) == _expected_keys(cfg, sc), sc.id
        last = doc["Observations"][-1]
        assert last["Actions"][-1]["Parameters"]["Command"]["Type"] == "EndTest"
        if sc.outcome == "queue":
            assert last["Event"]["Type"] == "FlowActionStarted"
            if sc.queue:
                assert last["Event"]["Properties"]["ActionParameters"]["QueueId"] == resolve("queue", sc.queue)
        else:
            assert last["Event"]["Type"] == "MessageReceived"
        main, weekly = (a["Parameters"]["Behavior"]["Properties"] for a in doc["Observations"][0]["Actions"][:2])
        assert main["ActionType"] == weekly["ActionType"] == "CheckHoursOfOperation"
        assert main["ActionParameters"] == {"HoursOfOperationId": resolve("hours", "main")}
        assert weekly["ActionParameters"] == {"HoursOfOperationId": resolve("hours", "weekly")}
        at = _at(cfg, sc.at)
        for check, open_ in ((main, cfg.hours.is_open(at)), (weekly, cfg.hours.is_open(at, closures=False))):
            assert check["Strategy"]["Response"]["ExecutionResult"]["Value"] == ("InHours" if open_ else "OutOfHours")


def test_injected_failures_become_overrides(country):
    cfg, plan = country
    by_id = {sc.id: sc for sc in scenarios_for(cfg)}
    for case in plan.cases:
        sc = by_id[case.scenario]
        overrides = [
            a["Parameters"]["Behavior"]["Properties"]
            for a in case.document(LocalResolver(cfg))["Observations"][0]["Actions"]
        ]
        errors = {
            o["ActionParameters"].get("LambdaFunctionARN") or o["ActionParameters"].get("QueueId"): o["Strategy"][
                "Response"
            ]["Error"]["Value"]
            for o in overrides
            if o["Strategy"]["Response"]["Type"] == "Error"
        }
        for fn in sc.fail:
            if fn == "queue":
                assert all(errors.get(f"queue/{q}") == "QueueAtCapacity" for q in cfg.queue_names()), sc.id
            elif fn.startswith("queue:"):
                assert errors.get(f"queue/{fn[6:]}") == "QueueAtCapacity", sc.id
            else:
                assert errors.get(f"lambda/{fn}") == "NoMatchingError", sc.id
        mocked = {o["ActionParameters"].get("LambdaFunctionARN") for o in overrides}
        assert {f"lambda/{fn}" for fn in case.lambda_answers} <= mocked
        assert not any(f"lambda/{fn}" in mocked for fn in export.LIVE_LAMBDAS if fn not in sc.fail), sc.id
    report = next(c for c in plan.cases if c.scenario.endswith("-report-risk"))
    assert report.lambda_answers["create_case"]["status"] == "ok", "a live run never writes a case"
    assert report.lambda_answers["create_case"]["case_id"] == f"{cfg.code.upper()}-LIVETEST"


def test_cases_fit_the_stack(country):
    cfg, plan = country
    assert len(plan.cases) + STACK_RESOURCES_TODAY <= STACK_RESOURCE_QUOTA
    for case in plan.cases:
        assert len(case.name) <= export.MAX_NAME_CHARS
        assert len(case.content(LocalResolver(cfg))) <= export.MAX_CONTENT_CHARS
        assert export.E164.match(case.caller)


def test_cfn_lint_knows_the_resource_type():
    import cfnlint

    base = Path(cfnlint.__file__).parent / "data" / "schemas"
    providers = json.loads((base / "providers" / "eu-central-1.json").read_text())
    digest = providers["AWS::Connect::TestCase"]  # cfn-lint 1.58 has the type's schema in eu-central-1
    spec = json.loads((base / "resources" / f"{digest}.json").read_text())
    assert spec["required"] == ["InstanceArn", "Name", "Content"]
    assert spec["properties"]["Content"]["maxLength"] == export.MAX_CONTENT_CHARS
    assert spec["properties"]["Name"]["maxLength"] == export.MAX_NAME_CHARS


def test_resources_pass_cfn_lint(country):
    """The properties in a template, linted by cfn-lint with its AWS::Connect::TestCase schema."""
    from cfnlint.api import lint

    from stacks.live_tests_stack import logical_id

    cfg, plan = country
    rendered, resolver = render_local(cfg)
    props_list = test_case_resources(cfg, rendered, resolve=resolver, instance_arn=INSTANCE, entry_flow_arn=ENTRY)
    assert len(props_list) == len(plan.cases)
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {logical_id(p): {"Type": "AWS::Connect::TestCase", "Properties": p} for p in props_list},
    }
    assert len(template["Resources"]) == len(props_list), "logical ids are unique"
    matches = lint(json.dumps(template), regions=[cfg.region])
    assert [str(m) for m in matches] == []
    for props in props_list:
        assert props["Status"] == "PUBLISHED"  # StartTestCaseExecution runs published test cases
        assert schema.problems(json.loads(props["Content"])) == []


def test_cfn_lint_rejects_a_bad_test_case():
    from cfnlint.api import lint

    bad = {"Resources": {"T": {"Type": "AWS::Connect::TestCase", "Properties": {"Name": "x" * 200, "Content": ""}}}}
    messages = " ".join(str(m) for m in lint(json.dumps(bad), regions=["eu-central-1"]))
    assert "'InstanceArn' is a required property" in messages and "longer than 127" in messages


def test_the_source_number_is_left_out_because_its_schema_pattern_rejects_e164():
    """The resource schema escapes the pattern twice; when a cfn-lint update fixes it, this fails:
    then give SourcePhoneNumber (each scenario's own caller number) in test_case_resources."""
    from cfnlint.api import lint

    props = {
        "InstanceArn": INSTANCE,
        "Name": "x",
        "Content": "{}",
        "EntryPoint": {
            "Type": "VOICE_CALL",
            "VoiceCallEntryPointParameters": {"FlowId": ENTRY, "SourcePhoneNumber": "+48500100200"},
        },
    }
    bad = {"Resources": {"T": {"Type": "AWS::Connect::TestCase", "Properties": props}}}
    assert any("E3031" in str(m) for m in lint(json.dumps(bad), regions=["eu-central-1"]))


def test_resources_name_only_what_the_flows_name():
    cfg = load_country(CODES[0])
    rendered, resolver = render_local(cfg)
    sub = {k: v for k, v in rendered.items() if k == "inbound"}  # the language flows are missing
    with pytest.raises(ValueError, match="no rendered flow names"):
        test_case_resources(cfg, sub, resolve=resolver, instance_arn=INSTANCE, entry_flow_arn=ENTRY)
    with pytest.raises(TypeError):
        test_case_resources(cfg, rendered)


def test_offline_only_scenarios_are_data_not_skips():
    cfg = load_country(CODES[0])
    reasons = {sc.name: offline_only(cfg, sc) for sc in scenarios_for(cfg)}
    assert reasons["operator"] is None
    assert "CheckMetricData" in reasons["nobody-staffed"]
    assert "call back" in reasons["closed-callback"]
    assert "earlier call" in reasons["blocked-caller"]
    assert reasons["closed-no-callback"] is None  # a closed hour runs live: the hours check is mocked
    assert reasons["identify-fails"] is None  # a Lambda failure runs live: the invocation is mocked


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d.pop("Version"), "Version"),
        (lambda d: d.update(Version="2019-10-30"), "not the documented '2025-06-21'"),  # the Flow language's
        (lambda d: d["Observations"][0].update(Event={"Identifier": "x", "Type": "Nope", "Actor": "System"}), "Type"),
        (lambda d: d["Observations"][1]["Event"]["Properties"].update(Text=""), "empty"),
        (
            lambda d: d["Observations"][1]["Event"]["Properties"].update(PromptId="p", Text="t"),
            "exactly one",
        ),
        (lambda d: d["Observations"][0]["Transitions"].update(NextObservations=["nowhere"]), "NextObservations"),
        (lambda d: d["Observations"][1]["Actions"].append(dict(d["Observations"][1]["Actions"][0])), "used twice"),
    ],
)
def test_the_shape_check_finds_departures(mutate, message):
    cfg = load_country(CODES[0])
    case = next(c for c in plan_for(cfg).cases if c.scenario.endswith("-operator"))
    doc = case.document(LocalResolver(cfg))
    assert schema.problems(doc) == []
    doc["Observations"][1]["Actions"] = doc["Observations"][1]["Actions"] or [
        {
            "Identifier": "k",
            "Type": "SendInstruction",
            "Parameters": {
                "ActionType": "SendInstruction",
                "Actor": "Customer",
                "Instruction": {"Type": "DtmfInput", "Properties": {"Value": "1"}},
            },
            "Transitions": {"NextAction": ""},
        }
    ]
    if "Text" not in doc["Observations"][1]["Event"]["Properties"]:
        doc["Observations"][1]["Event"]["Properties"] = {"Text": "x"}
        doc["Observations"][1]["Event"]["MatchingCriteria"] = "Inclusion"
    mutate(doc)
    found = schema.problems(doc)
    assert any(message in p for p in found), found


def test_documents_carry_the_documented_testing_language_version(country):
    """APIReference/testing-language-observations.html: "Version - The API version for the testing
    language, such as 2025-06-21" (2019-10-30 is the Flow language's; Connect validates on create)."""
    cfg, plan = country
    docs = export.export(cfg)
    assert docs and {d["Version"] for d in docs.values()} == {"2025-06-21"}


def test_the_test_stack_name_follows_the_country_stack():
    assert export.test_stack_name("Helpline-PL-prod") == "Helpline-PL-prod-tests"
    assert export.test_stack_name("Helpline-PL-prod-tests") == "Helpline-PL-prod-tests"
