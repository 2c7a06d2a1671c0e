"""The summary `make synth` prints counts the prompts as `helpline prompts` does, and the stack
creates exactly those: one Amazon Connect prompt per recorded-prompt file plus the generated hold
music."""

from __future__ import annotations

import io
import json
import re

import pytest
from rich.console import Console
from typer.testing import CliRunner

from helpline.cli import app
from helpline.summary import print_summary
from tests.infrastructure.conftest import COUNTRY_CODES, resources

pytestmark = pytest.mark.xdist_group("infra")
runner = CliRunner()

SUMMARY_PROMPTS = re.compile(
    r"│ prompts\s+│ (?P<files>\d+) recorded prompts(?: in (?P<langs>[a-z, ]+?))?"
    r"(?: \((?P<placeholders>\d+) placeholders?\))?(?P<generated>(?: \+ [a-z ]+ \(generated\))*)\s+│"
)


@pytest.fixture(scope="module")
def summary(cloud_assembly) -> str:
    """What `python -m helpline.summary cdk.out` prints for the session's synthesized assembly."""
    out = io.StringIO()
    print_summary(cloud_assembly[0], Console(file=out, width=400, color_system=None))
    return out.getvalue()


def _stack_section(summary: str, stack_name: str) -> str:
    start = summary.index(f"{stack_name}  (")
    end = summary.find("resources, ", summary.index("\n", start))
    return summary[start : end if end > 0 else None]


@pytest.mark.parametrize("code", COUNTRY_CODES)
def test_the_synth_summary_counts_prompts_like_helpline_prompts(code, summary, cloud_assembly):
    stack = cloud_assembly[1][code]
    listed = runner.invoke(app, ["prompts", code, "--format", "json"])
    assert listed.exit_code == 0, listed.output
    report = json.loads(listed.stdout)
    files = report["prompts"]
    placeholders = sum(p["status"] == "placeholder" for p in files)
    generated = [g.removeprefix("shared/").replace("_", " ") for g in report["generated"]]

    match = SUMMARY_PROMPTS.search(_stack_section(summary, stack.config.stack_name))
    assert match, _stack_section(summary, stack.config.stack_name)
    assert int(match["files"]) == len(files)
    assert (match["langs"].split(", ") if match["langs"] else []) == sorted({p["lang"] for p in files})
    assert int(match["placeholders"] or 0) == placeholders
    assert re.findall(r"\+ ([a-z ]+) \(generated\)", match["generated"]) == generated
    # what gets deployed: one AWS::Connect::Prompt per recorded-prompt file and per generated one
    assert len(resources(stack.raw, "AWS::Connect::Prompt")) == len(files) + len(generated)
    assert "synthesize again" not in _stack_section(summary, stack.config.stack_name)


def test_a_template_that_disagrees_with_the_files_is_named(cloud_assembly):
    from helpline.summary import prompts_cell

    stack = next(iter(cloud_assembly[1].values()))
    deployed = len(resources(stack.raw, "AWS::Connect::Prompt"))
    assert "synthesize again" not in prompts_cell(deployed, stack.config)
    stale = prompts_cell(deployed - 1, stack.config)
    assert stale.endswith(f"the template has {deployed - 1} AWS::Connect::Prompt, not {deployed}: synthesize again")
