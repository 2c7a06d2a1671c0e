"""``helpline deploy`` (``make deploy COUNTRY=pl``): every stage of a deploy, in order, none able to undo another.

1. ``preflight``   read-only checks with your credentials (:mod:`helpline.preflight`);
2. ``recordings``  a production stage refuses synthetic placeholder recordings (callers would hear
                   a robot voice) unless ``--allow-placeholders`` says it is meant;
3. ``country``     ``cdk deploy <country stack>`` with the pinned CDK CLI (:mod:`helpline.cdk_cli`);
4. ``tests``       ``cdk deploy <country stack>-tests --exclusively``: the live test cases, a stack of
                   their own, so a test case that fails to create rolls back only that stack and never
                   the Connect instance, number or tables (BRIEF 2c; docs/live-tests.md);
5. ``smoke-test``  runs the live test cases (``helpline smoke-test``);
6. ``verify-live`` read-only checks of what the offline model assumes and the docs leave open
                   (``helpline verify-live``, :mod:`helpline.live_assumptions`).

The first four stop the deploy when they fail (and say what to do: :data:`WHEN_FAILED`); the last
two are checks: both run, and the deploy exits 1 if either found something. It ends by printing
what a person must still check by hand. ``--from STAGE`` resumes at a stage; ``--dry-run`` runs the
offline gate (recordings) and prints every other stage's command without running it.

Approval: in a terminal ``cdk deploy`` asks before widening IAM or security groups
(``--require-approval broadening``); unattended (no terminal on standard input, as in CI/CD) it
cannot ask, so the default there is ``never``; ``--approval`` chooses explicitly.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from helpline.config.schema import CountryConfig

STAGES = ("preflight", "recordings", "country", "tests", "smoke-test", "verify-live")
CHECKS = ("smoke-test", "verify-live")
APPROVALS = ("broadening", "never", "any-change")
PRODUCTION_STAGES = frozenset({"prod", "production"})

WHEN_FAILED = {
    "preflight": "nothing was changed; fix what preflight says (its FAIL lines, or the one line above) and run it again",
    "recordings": "nothing was changed; record the prompts (docs/recording-prompts.md) or pass --allow-placeholders",
    "country": "the lines above say why (before CloudFormation: credentials, bootstrap, synthesis; during: "
    "CloudFormation rolled the country stack back, and a failed first create removes everything it made, see the "
    "stack's events); fix the cause and resume with --from country",
    "tests": "the country stack is deployed and untouched; only the test stack rolled back: fix the test "
    "cases (`helpline smoke-test` / docs/live-tests.md) and resume with --from tests",
}

MANUAL_CHECKS = (
    "Call the number from a phone: the language menu plays in every language, 9 reaches the priority queue.",
    "Log in to the agent workspace as an operator: the step-by-step guide opens on an accepted call.",
    "Assign people to the <CC> agent, supervisor and auditor security profiles in Connect.",
    "Replace placeholder recordings with human ones before launch (`helpline prompts <country>`).",
    "Toll-free and local numbers that need documents: open the support case (docs/preflight.md).",
    "Subscribe the on-call people to the AlarmTopic output (SNS) and confirm the subscription.",
)


@dataclass
class Options:
    country: str
    stage: str | None = None
    profile: str | None = None
    approval: str | None = None
    allow_placeholders: bool = False
    start: str = "preflight"
    dry_run: bool = False


@dataclass
class Step:
    name: str
    argv: list[str] = field(default_factory=list)  # a command to run, or
    check: Callable[[], str | None] | None = None  # an in-process gate: None passes, else the error


class DeployError(Exception):
    """Bad options: one line, exit 2."""


def approval_for(explicit: str | None, interactive: bool) -> str:
    if explicit is None:
        return "broadening" if interactive else "never"
    if explicit not in APPROVALS:
        raise DeployError(f"--approval: choose one of {', '.join(APPROVALS)}, got {explicit!r}")
    return explicit


def recordings_gate(cfg: CountryConfig, allow: bool) -> str | None:
    """The refusal line when a production stage would play synthetic placeholders, else None."""
    from helpline.prompts import check_prompts

    report = check_prompts(cfg)
    if not report.placeholders or allow or cfg.stage not in PRODUCTION_STAGES:
        return None
    return (
        f"{cfg.code} stage {cfg.stage}: {len(report.placeholders)} of {len(report.prompts)} recorded prompts are "
        "synthetic placeholders that real callers would hear; record them (`helpline prompts "
        f"{cfg.code}`) or deploy with --allow-placeholders (make deploy ... ALLOW_PLACEHOLDERS=1)"
    )


def plan(cfg: CountryConfig, opts: Options, *, interactive: bool) -> list[Step]:
    """Every stage of the deploy, from ``opts.start`` on."""
    from helpline.livetest.export import test_stack_name

    if opts.start not in STAGES:
        raise DeployError(f"--from: choose one of {', '.join(STAGES)}, got {opts.start!r}")
    helpline = [sys.executable, "-m", "helpline.cli"]
    cdk = [sys.executable, "-m", "helpline.cdk_cli"]
    stage = ["--stage", cfg.stage]
    profile = ["--profile", opts.profile] if opts.profile else []
    context = ["-c", f"country={cfg.code}", "-c", f"stage={cfg.stage}"]
    approval = ["--require-approval", approval_for(opts.approval, interactive)]
    tests = test_stack_name(cfg.stack_name)
    steps = [
        Step("preflight", [*helpline, "preflight", cfg.code, *stage, *profile]),
        Step("recordings", check=lambda: recordings_gate(cfg, opts.allow_placeholders)),
        Step("country", [*cdk, "deploy", cfg.stack_name, "--exclusively", *context, *approval, *profile]),
        Step("tests", [*cdk, "deploy", tests, "--exclusively", *context, *approval, *profile]),
        Step("smoke-test", [*helpline, "smoke-test", cfg.code, "--stack", tests]),
        Step("verify-live", [*helpline, "verify-live", cfg.code, "--stack", cfg.stack_name, *profile]),
    ]
    return steps[STAGES.index(opts.start) :]


Runner = Callable[[Sequence[str]], int]


def _run(argv: Sequence[str]) -> int:
    return subprocess.run(list(argv), cwd=Path(__file__).resolve().parents[1], check=False).returncode  # noqa: S603


def execute(steps: list[Step], *, run: Runner = _run, say: Callable[[str], None] = print, dry_run: bool = False) -> int:
    """Run the steps; 0 when all passed, 1 when a check found something or a stage failed."""
    found = []
    for step in steps:
        if dry_run and step.check is None:
            say(f"[{step.name}] " + " ".join(step.argv))
            continue
        say(f"== {step.name}")
        if step.check is not None:
            problem = step.check()
            code = 0 if problem is None else 1
            if problem:
                say(f"error: {problem}")
            elif dry_run:
                say(f"[{step.name}] passed")
        else:
            code = run(step.argv)
        if code == 0:
            continue
        if step.name in CHECKS:
            found.append(step.name)
            continue
        say(f"deploy stopped at {step.name} (exit {code}): {WHEN_FAILED[step.name]}")
        return 1
    if dry_run:
        return 0
    say("Still to check by hand:")
    for line in MANUAL_CHECKS:
        say(f"  - {line}")
    if found:
        say(f"deploy finished, but {' and '.join(found)} found problems (see above)")
        return 1
    say("deploy finished: every stage passed")
    return 0
