"""The live test cases deploy as their own top-level stack per country, after the country stack.

What a user relies on: a test case that Connect rejects can roll back only ``<country stack>-tests``,
never the country stack's instance, number or tables; the test stack deploys after the country
stack and the country stack never waits for, or is locked by, it; test cases are created a few
at a time; their content carries the documented Testing-language version; every template fits.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint_file

import app as cdk_app
from helpline.livetest.export import plan_for, test_stack_name
from stacks.live_tests_stack import BATCH_SIZE
from tests.infrastructure.test_lint_and_nag import IGNORED_CFN_LINT

pytestmark = pytest.mark.xdist_group("infra")

SSM_TYPE = "AWS::SSM::Parameter::Value<String>"
CONNECT_API_BURST = 5  # amazon-connect-service-limits.html, "API throttling quotas": 2 per second, burst 5


def _of_type(raw: dict, rtype: str) -> dict[str, dict]:
    return {k: v for k, v in raw["Resources"].items() if v["Type"] == rtype}


def _artifacts(outdir: Path) -> dict[str, dict]:
    return json.loads((outdir / "manifest.json").read_text())["artifacts"]


def test_no_country_stack_nor_a_stack_nested_in_it_holds_a_test_case(country, byo_country):
    for synth in (country, byo_country):
        assert not _of_type(synth.raw, "AWS::Connect::TestCase")
        assert not _of_type(synth.raw, "AWS::CloudFormation::Stack"), "no nested stack to fail the parent's create"
        nested = Path(synth.path).parent.glob("*.nested.template.json")
        assert not [p.name for p in nested if "AWS::Connect::TestCase" in p.read_text()]


def test_each_test_stack_holds_the_countrys_test_cases_and_nothing_else(live_test_stack):
    cfg = live_test_stack.config
    assert live_test_stack.stack.stack_name == f"{cfg.stack_name}-tests"
    cases = _of_type(live_test_stack.raw, "AWS::Connect::TestCase")
    assert len(cases) == len(plan_for(cfg).cases) > 0
    assert len(cases) == len(live_test_stack.raw["Resources"])
    assert {c["Properties"]["Name"] for c in cases.values()} == {c.name for c in plan_for(cfg).cases}


def test_the_dependency_runs_one_way(cloud_assembly, byo_assembly):
    """The test stack deploys after its country stack; the country stack needs nothing of it:
    no export that would lock its values, no import, no manifest dependency."""
    for assembly in (cloud_assembly, byo_assembly):
        outdir, stacks = assembly
        artifacts = _artifacts(outdir)
        for code, country in stacks.items():
            name, tests = country.config.stack_name, test_stack_name(country.config.stack_name)
            assert name in artifacts[tests]["dependencies"]
            assert tests not in artifacts[name].get("dependencies", [])
            country_text = json.dumps(country.raw)
            assert "Fn::ImportValue" not in country_text
            assert not [o for o in country.raw.get("Outputs", {}).values() if "Export" in o]
            assert "Fn::ImportValue" not in json.dumps(assembly.tests[code].raw)


def test_the_test_stack_reads_only_what_the_country_stack_writes(country, cloud_assembly):
    """Every ARN in the test stack comes from an SSM parameter the country stack creates (a typo in
    a name would fail the test stack's deploy only after the country stack is up)."""
    tests = cloud_assembly.tests[country.config.code].raw
    read = {p["Default"] for k, p in tests["Parameters"].items() if p["Type"] == SSM_TYPE and k != "BootstrapVersion"}
    written = {p["Properties"]["Name"] for p in _of_type(country.raw, "AWS::SSM::Parameter").values()}
    assert read == written
    assert len(read) >= 3  # instance, entry flow and at least one queue or Lambda
    for case in _of_type(tests, "AWS::Connect::TestCase").values():
        assert tests["Parameters"][case["Properties"]["InstanceArn"]["Ref"]]["Type"] == SSM_TYPE


def test_byo_test_stack_targets_the_existing_instance(byo_country):
    (instance,) = [
        p
        for p in _of_type(byo_country.raw, "AWS::SSM::Parameter").values()
        if p["Properties"]["Name"].endswith("/arn") and "/instance/" in p["Properties"]["Name"]
    ]
    assert instance["Properties"]["Value"] == byo_country.config.instance.arn


def _levels(cases: dict[str, dict]) -> list[set[str]]:
    """The order CloudFormation can create the test cases in: level k waits for level k-1."""
    level: dict[str, int] = {}

    def depth(name: str) -> int:
        if name not in level:
            level[name] = 1 + max((depth(d) for d in cases[name].get("DependsOn", [])), default=-1)
        return level[name]

    out: list[set[str]] = []
    for name in cases:
        d = depth(name)
        out += [set() for _ in range(d + 1 - len(out))]
        out[d].add(name)
    return out


def test_test_cases_are_created_in_bounded_batches(live_test_stack):
    """At most BATCH_SIZE CreateTestCase calls at once: each batch waits for the whole batch before."""
    assert 1 <= BATCH_SIZE <= CONNECT_API_BURST
    cases = _of_type(live_test_stack.raw, "AWS::Connect::TestCase")
    levels = _levels(cases)
    assert len(levels) == -(-len(cases) // BATCH_SIZE)
    assert max(len(batch) for batch in levels) <= BATCH_SIZE
    for before, batch in zip(levels, levels[1:], strict=False):
        for name in batch:
            assert set(cases[name]["DependsOn"]) == before, name


def test_content_carries_the_documented_testing_language_version(live_test_stack):
    """APIReference/testing-language-observations.html: Version "such as 2025-06-21"."""
    for case in _of_type(live_test_stack.raw, "AWS::Connect::TestCase").values():
        content = case["Properties"]["Content"]
        first = content if isinstance(content, str) else content["Fn::Join"][1][0]
        assert first.startswith('{"Version":"2025-06-21",'), first[:40]


def test_country_templates_fit_cloudformation_without_the_test_cases(country):
    assert Path(country.path).stat().st_size < cdk_app.TEMPLATE_BODY_LIMIT, Path(country.path).name
    assert len(country.raw["Resources"]) <= 500


def test_test_stack_templates_fit_cloudformation_and_pass_cfn_lint(live_test_stack):
    path = Path(live_test_stack.path)
    size = path.stat().st_size
    assert size < cdk_app.TEMPLATE_BODY_LIMIT, f"{path.name}: {size} bytes"
    assert len(live_test_stack.raw["Resources"]) <= 500  # resources per stack
    assert len(live_test_stack.raw.get("Parameters", {})) <= 200  # parameters per template
    config = ManualArgs(regions=[live_test_stack.config.region], ignore_checks=list(IGNORED_CFN_LINT))
    assert [f"{m.rule.id} {m.message} ({m.linenumber})" for m in lint_file(path, config=config)] == []


def test_cdk_nag_ran_on_the_test_stacks(cloud_assembly):
    """cdk-nag (AwsSolutions) validates the whole app, test stacks included; zero findings."""
    outdir, _ = cloud_assembly
    report = json.loads((outdir / "validation-report.json").read_text())
    # CDK lists a plugin only when it reports something (other plugins may warn and succeed).
    assert [r["pluginName"] for r in report["pluginReports"] if r["conclusion"] != "success"] == []
    assert cloud_assembly.tests and all(t.stack.node.scope is t.stack.node.root for t in cloud_assembly.tests.values())


def test_an_oversized_template_stops_synthesis_with_one_line(tmp_path):
    (tmp_path / "big.template.json").write_text(" " * cdk_app.TEMPLATE_BODY_LIMIT)
    (tmp_path / "small.template.json").write_text("{}")
    stack = {"type": "aws:cloudformation:stack"}
    manifest = {
        "artifacts": {
            "Big-tests": {**stack, "properties": {"templateFile": "big.template.json"}},
            "Small": {**stack, "properties": {"templateFile": "small.template.json"}},
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    assert cdk_app.oversized_templates(tmp_path) == [
        f"Big-tests: template is {cdk_app.TEMPLATE_BODY_LIMIT:,} bytes; CloudFormation accepts "
        f"{cdk_app.TEMPLATE_BODY_LIMIT:,} (docs/live-tests.md, Template size)"
    ]


def test_the_summary_lists_each_test_stack_after_its_country(cloud_assembly):
    from rich.console import Console

    from helpline.summary import print_summary, summarize

    outdir, stacks = cloud_assembly
    rows = {row["stack"]: row for row in summarize(outdir)}
    for country in stacks.values():
        row = rows[test_stack_name(country.config.stack_name)]
        assert row["after"] == [country.config.stack_name]
        assert row["test_cases"] == len(plan_for(country.config).cases)
        assert max(row["batches"]) <= BATCH_SIZE
    console = Console(record=True, width=200)
    print_summary(outdir, console)
    text = console.export_text()
    assert "live test cases, created in" in text and "deploy after" in text
