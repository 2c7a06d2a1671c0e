"""The pinned AWS CDK CLI: one version, checked against the assembly aws-cdk-lib writes."""

from __future__ import annotations

import json

import pytest

from helpline import cdk_cli
from helpline.cdk_cli import CDK_CLI_VERSION, CdkCliError, check_assembly, minimum_cli_version


def _assembly(tmp_path, minimum):
    (tmp_path / "manifest.json").write_text(json.dumps({"version": "55.0.0", "minimumCliVersion": minimum}))
    return tmp_path


def test_an_older_cli_than_the_assembly_needs_is_refused_in_one_line(tmp_path):
    # the situation of the issue: CLI 2.1033.0 pinned, aws-cdk-lib asking for 2.1148.0
    with pytest.raises(CdkCliError, match=r"2\.1033\.0 cannot read .* at least 2\.1148\.0.*CDK_CLI_VERSION"):
        check_assembly(_assembly(tmp_path, "2.1148.0"), "2.1033.0")


def test_versions_compare_as_numbers_not_text(tmp_path):
    check_assembly(_assembly(tmp_path, "2.999.0"), "2.1148.0")  # 1148 > 999
    with pytest.raises(CdkCliError):
        check_assembly(_assembly(tmp_path, "2.1148.1"), "2.1148.0")


def test_a_missing_or_broken_manifest_is_one_line(tmp_path):
    with pytest.raises(CdkCliError, match="make synth"):
        minimum_cli_version(tmp_path)
    (tmp_path / "manifest.json").write_text("{")
    with pytest.raises(CdkCliError, match="not JSON"):
        minimum_cli_version(tmp_path)


def test_the_version_lives_in_one_place():
    from pathlib import Path

    root = Path(cdk_cli.__file__).resolve().parents[1]
    for name in ("Makefile", ".ci/run", "README.md", "docs/deploying.md"):
        assert CDK_CLI_VERSION not in (root / name).read_text(), f"{name} repeats the CLI version"
    for name in ("Makefile", ".ci/run"):  # what runs: never npx (it does not run from the wheel)
        assert "npx" not in (root / name).read_text(), f"{name} still runs npx"
    assert cdk_cli.main(["--pinned-version"]) == 0
