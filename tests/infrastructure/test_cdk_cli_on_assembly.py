"""The pinned CDK CLI reads the assembly this project synthesizes, with no system Node.js.

`make cdk ARGS=ls` and `make deploy` run this CLI; a CLI older than aws-cdk-lib's assembly refuses
everything ("Maximum schema version supported is ..."), which no offline test saw before.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from helpline import cdk_cli
from helpline.config import load_all

pytestmark = pytest.mark.xdist_group("infra")


def test_pinned_cli_is_new_enough_for_the_assembly(cloud_assembly):
    outdir, _ = cloud_assembly
    cdk_cli.check_assembly(outdir)  # raises when aws-cdk-lib is upgraded past the pinned CLI
    with pytest.raises(cdk_cli.CdkCliError):
        cdk_cli.check_assembly(outdir, "2.1033.0")  # the CLI this project pinned before: refused


def test_pinned_cli_lists_every_country_stack_and_its_test_stack_without_system_node(cloud_assembly, tmp_path):
    outdir, _ = cloud_assembly
    bare = {"HOME": str(tmp_path), "PATH": str(tmp_path / "no-such-bin")}  # no system node, npx or cdk
    env = cdk_cli.environment(bare)
    assert shutil.which("node", path=env["PATH"]) == str(cdk_cli.node_bin() / "node")
    assert shutil.which("npx", path=bare["PATH"]) is None
    result = subprocess.run(
        cdk_cli.command(["ls", "--app", str(outdir)]), env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    listed = result.stdout.split()
    expected = {c.stack_name for c in load_all()}
    assert expected | {f"{name}-tests" for name in expected} == set(listed)
    assert "Maximum schema version" not in result.stderr
    assert os.environ.get("PATH") is not None  # the test's own PATH was left alone
