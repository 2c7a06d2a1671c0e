"""Every synthesized template passes cfn-lint and cdk-nag (AwsSolutions) with zero findings."""

from __future__ import annotations

import json

import pytest
from cfnlint.api import ManualArgs, lint_file

pytestmark = pytest.mark.xdist_group("infra")

# cfn-lint checks ignored, each with its reason. Nothing else may be ignored.
IGNORED_CFN_LINT = {
    "W3005": "CDK writes explicit DependsOn (IAM policy before function, custom-resource role) that a Ref "
    "already implies; redundant, harmless, and not ours to change.",
}


def test_cfn_lint_has_zero_findings(country):
    matches = lint_file(
        country.path,
        config=ManualArgs(regions=[country.config.region], ignore_checks=list(IGNORED_CFN_LINT)),
    )
    assert [f"{m.rule.id} {m.message} ({m.linenumber})" for m in matches] == []


def test_cdk_nag_passes_with_reasoned_acknowledgements_only(cloud_assembly):
    outdir, stacks = cloud_assembly
    report = json.loads((outdir / "validation-report.json").read_text())
    # CDK lists only failing plugins; synthesis itself fails on any unacknowledged finding.
    assert report["pluginReports"] == []
    # Every acknowledgement in the construct tree carries a reason of substance.
    acknowledged = set()
    for synth in stacks.values():
        for construct in synth.stack.node.find_all():
            for entry in construct.node.metadata:
                if entry.type == "aws:cdk:acknowledged-rules":
                    for rule, reason in entry.data.items():
                        assert len(reason) >= 20, (construct.node.path, rule)
                        acknowledged.add(rule.removeprefix("Annotation::"))
    from functions.permissions import PERMISSIONS

    # Scoped wildcards: object keys of the archive and trail buckets, agents of the instance, and the
    # contacts of the instance (the data-protection role's DeleteContactData at erasure).
    scoped = {
        "AwsSolutions-IAM5[Resource::<ArchiveBucket.Arn>/*]",
        "AwsSolutions-IAM5[Resource::<TrailBucket.Arn>/*]",
        "AwsSolutions-IAM5[Resource::<ConnectInstance.Arn>/contact/*]",
    }
    from stacks.constructs.functions import CONNECT_RESOURCES

    for spec in PERMISSIONS.values():  # each Connect action's resource under this instance
        scoped |= {
            f"AwsSolutions-IAM5[Resource::<ConnectInstance.Arn>/{CONNECT_RESOURCES[a]}]"
            for a in spec.get("connect", ())
        }
    assert acknowledged == scoped | {
        "AwsSolutions-S1",
        "AwsSolutions-SQS3",
        "AwsSolutions-IAM5[Resource::*]",
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
    }


def test_cdk_nag_really_fails_synthesis_on_a_finding(tmp_path):
    """The same plugin set-up as app.py rejects an unacknowledged finding (here an unlogged bucket)."""
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3
    from cdk_nag import AwsSolutionsChecks

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Probe")
    s3.Bucket(stack, "NoLogs", enforce_ssl=True)
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(Exception, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for r in report["pluginReports"] for v in r["violations"]}
    assert "AwsSolutions-S1" in rules
