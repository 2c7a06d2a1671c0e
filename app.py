#!/usr/bin/env python3
"""CDK app: two stacks per country file. The only place that reads the environment.

Per country: the country stack (``cfg.stack_name``, e.g. Helpline-PL-prod) and its live test
cases, ``<country stack>-tests`` (Helpline-PL-prod-tests), which depends on it and is deployed
after it (stacks/live_tests_stack.py); a failing test case rolls back only the test stack.

python app.py                      # every country in countries/
cdk synth -c country=pl            # one country (also: CDK_CONTEXT_JSON / `make synth COUNTRY=pl`)
cdk synth -c country=pl -c stage=dev
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from helpline.node import ensure_node_on_path

ensure_node_on_path()

import aws_cdk as cdk  # noqa: E402
from cdk_nag import AwsSolutionsChecks  # noqa: E402

from helpline.config import COUNTRIES_DIR, ConfigError, CountryConfig, country_files  # noqa: E402
from helpline.config.gate import checked_country  # noqa: E402
from helpline.flows.render import RenderError  # noqa: E402
from helpline.livetest.export import plan_for, test_stack_name  # noqa: E402
from stacks.helpline_stack import HelplineStack  # noqa: E402
from stacks.live_tests_stack import LiveTestsStack  # noqa: E402

ROOT = Path(__file__).resolve().parent
BUILD = ROOT / "build"
# CloudFormation's limit for a template in S3 (cloudformation-limits.html, "Template body size in an
# Amazon S3 object"); CDK uploads every template as an asset.
TEMPLATE_BODY_LIMIT = 1_000_000


class RecordingsNotReady(Exception):
    """A recorded prompt file is missing or invalid; ``str(err)`` is the one line to print."""


def check_recordings(configs: list[CountryConfig]) -> None:
    """Stop before any stack is built if a recorded prompt is missing or invalid (the stack
    uploads each file as an asset); warn in one line when synthetic placeholders stand in."""
    from helpline.prompts import check_prompts, deploy_check

    error, warning = deploy_check(check_prompts(cfg) for cfg in configs)
    if error:
        raise RecordingsNotReady(error)
    if warning:
        print(warning, file=sys.stderr)


def build_app(
    *,
    countries: list[str] | None = None,
    stage: str | None = None,
    outdir: str | None = None,
    account: str | None = None,
    nag: bool = True,
) -> cdk.App:
    context = json.loads((ROOT / "cdk.json").read_text())["context"]
    app = cdk.App(outdir=outdir, context=context) if outdir else cdk.App(context=context)
    wanted = countries or [c for c in str(app.node.try_get_context("country") or "").split(",") if c]
    stage = stage or app.node.try_get_context("stage")
    countries_dir = Path(os.environ.get("HELPLINE_COUNTRIES_DIR") or COUNTRIES_DIR)
    codes = wanted or [p.stem for p in country_files(countries_dir)]
    configs = []
    for code in codes:  # the same gate as `helpline validate`: every error of a file, then its warnings
        cfg, warnings = checked_country(code, stage=stage, countries_dir=countries_dir)
        for line in warnings:
            print(f"warning: {line}", file=sys.stderr)
        configs.append(cfg)
    check_recordings(configs)
    code_dir, layer_dir = BUILD / "lambda", BUILD / "layer"
    if not (code_dir / "functions").is_dir() or not (layer_dir / "python").is_dir():
        raise SystemExit("Lambda assets are not built: run `make build` (or `make synth`, which builds them).")
    for cfg in configs:
        env = cdk.Environment(account=cfg.account or account, region=cfg.region)
        add_country(app, cfg, env=env, code_dir=code_dir, layer_dir=layer_dir)
    if nag:
        # Zero unacknowledged findings: any finding fails synthesis (policy validation).
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return app


def add_country(
    app: cdk.App,
    cfg: CountryConfig,
    *,
    env: cdk.Environment,
    code_dir: Path | None = None,
    layer_dir: Path | None = None,
) -> tuple[HelplineStack, LiveTestsStack]:
    """The country stack, then its test stack (same account and Region: it reads SSM parameters).

    The live test cases are computed here, once per country: the scenario catalogue runs through
    the offline simulator (:func:`helpline.livetest.export.plan_for`); the stacks only write them."""
    country = HelplineStack(
        app,
        cfg.stack_name,
        config=cfg,
        lambda_code_dir=code_dir or BUILD / "lambda",
        lambda_layer_dir=layer_dir or BUILD / "layer",
        env=env,
        stack_name=cfg.stack_name,
    )
    name = test_stack_name(cfg.stack_name)
    cases = plan_for(cfg)
    return country, LiveTestsStack(app, name, config=cfg, country=country, cases=cases, env=env, stack_name=name)


def oversized_templates(outdir: Path) -> list[str]:
    """One line per synthesized template CloudFormation would refuse for its size."""
    manifest = json.loads((outdir / "manifest.json").read_text())
    out = []
    for artifact_id, artifact in sorted(manifest["artifacts"].items()):
        template = artifact.get("properties", {}).get("templateFile")
        if artifact.get("type") == "aws:cloudformation:stack" and template:
            size = (outdir / template).stat().st_size
            if size >= TEMPLATE_BODY_LIMIT:
                out.append(
                    f"{artifact_id}: template is {size:,} bytes; CloudFormation accepts {TEMPLATE_BODY_LIMIT:,} "
                    "(docs/live-tests.md, Template size)"
                )
    return out


def main() -> int:
    try:
        app = build_app(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
    except (ConfigError, RecordingsNotReady, RenderError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    assembly = app.synth()
    too_big = oversized_templates(Path(assembly.directory))
    for line in too_big:
        print(f"error: {line}", file=sys.stderr)
    return 2 if too_big else 0


if __name__ == "__main__":
    sys.exit(main())
