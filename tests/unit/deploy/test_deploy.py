"""`helpline deploy` / `make deploy`: the stages in order, none able to undo another, unattended too."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import load_country
from helpline.deploy import MANUAL_CHECKS, STAGES, WHEN_FAILED, DeployError, Options, approval_for, execute, plan


def _plan(**kw):
    return plan(load_country("pl"), Options("pl", **kw), interactive=False)


def _names(steps):
    return [s.name for s in steps]


def _argv_of(steps, name):
    return next(s.argv for s in steps if s.name == name)


def test_the_stages_run_in_order_country_stack_before_its_test_stack():
    steps = _plan()
    assert _names(steps) == list(STAGES)
    country, tests = _argv_of(steps, "country"), _argv_of(steps, "tests")
    assert country[country.index("deploy") + 1] == "Helpline-PL-prod"
    assert tests[tests.index("deploy") + 1] == "Helpline-PL-prod-tests"
    # each cdk deploy names one stack only: deploying the tests never redeploys (or rolls back) the country
    assert "--exclusively" in country and "--exclusively" in tests
    assert country[country.index("-c") : country.index("-c") + 2] == ["-c", "country=pl"]


def test_the_cdk_stages_use_the_pinned_cli_not_npx():
    steps = _plan()
    for name in ("country", "tests"):
        argv = _argv_of(steps, name)
        assert argv[1:3] == ["-m", "helpline.cdk_cli"]
        assert not any("npx" in part for part in argv)


def test_unattended_deploys_never_wait_for_an_approval_prompt():
    assert approval_for(None, interactive=False) == "never"
    assert approval_for(None, interactive=True) == "broadening"
    assert approval_for("any-change", interactive=False) == "any-change"
    with pytest.raises(DeployError, match="--approval"):
        approval_for("sometimes", interactive=True)
    argv = _argv_of(plan(load_country("pl"), Options("pl"), interactive=False), "country")
    assert argv[argv.index("--require-approval") + 1] == "never"


def test_resume_from_a_stage():
    assert _names(_plan(start="tests")) == ["tests", "smoke-test", "verify-live"]
    with pytest.raises(DeployError, match="--from: choose one of"):
        _plan(start="everything")


def _stage_of(argv):
    if "helpline.cdk_cli" in argv:
        return "tests" if argv[argv.index("deploy") + 1].endswith("-tests") else "country"
    return argv[3]  # python -m helpline.cli <command>


def _execute(steps, fail=()):
    ran, said = [], []

    def run(argv):
        name = _stage_of(argv)
        ran.append(name)
        return 1 if name in fail else 0

    code = execute(steps, run=run, say=said.append)
    return code, ran, "\n".join(said)


def test_a_failed_country_stack_stops_before_the_test_stack():
    code, ran, said = _execute(_plan(allow_placeholders=True), fail={"country"})
    assert code == 1 and ran == ["preflight", "country"]
    assert WHEN_FAILED["country"] in said


def test_a_failed_test_stack_says_the_country_is_untouched_and_how_to_resume():
    code, ran, said = _execute(_plan(allow_placeholders=True), fail={"tests"})
    assert code == 1 and ran == ["preflight", "country", "tests"]
    assert "country stack is deployed and untouched" in said and "--from tests" in said


def test_checks_all_run_and_a_failed_check_fails_the_deploy():
    code, ran, said = _execute(_plan(allow_placeholders=True), fail={"smoke-test"})
    assert ran == ["preflight", "country", "tests", "smoke-test", "verify-live"]
    assert code == 1 and "smoke-test found problems" in said
    assert MANUAL_CHECKS[0] in said  # what a person must still check, even then


def test_every_stage_passing_ends_with_the_manual_checks():
    code, ran, said = _execute(_plan(allow_placeholders=True))
    assert code == 0 and len(ran) == 5
    assert said.endswith("deploy finished: every stage passed")
    assert all(line in said for line in MANUAL_CHECKS)


def test_production_refuses_placeholder_recordings_unless_allowed():
    # the shipped countries carry espeak placeholders: a prod deploy must not play them to callers
    code, ran, said = _execute(_plan())
    assert code == 1 and ran == ["preflight"]
    assert "synthetic placeholders that real callers would hear" in said
    assert _execute(_plan(allow_placeholders=True))[0] == 0


def test_a_dev_stage_may_use_placeholders():
    cfg = load_country("pl", stage="dev")
    steps = plan(cfg, Options("pl", stage="dev"), interactive=False)
    assert _execute(steps)[0] == 0


def test_cli_dry_run_rehearses_offline():
    result = CliRunner().invoke(app, ["deploy", "pl", "--dry-run", "--allow-placeholders"])
    assert result.exit_code == 0, result.output
    assert "[recordings] passed" in result.output
    assert "helpline.cdk_cli deploy Helpline-PL-prod-tests --exclusively" in result.output
    refused = CliRunner().invoke(app, ["deploy", "pl", "--dry-run"])
    assert refused.exit_code == 1 and "deploy stopped at recordings" in refused.output


def test_cli_bad_options_are_one_line_exit_2():
    for args in (["deploy", "pl", "--approval", "maybe"], ["deploy", "pl", "--from", "x"], ["deploy", "zz"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output
