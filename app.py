#!/usr/bin/env python3
"""CDK app: one stack per country file. The only place that reads the environment.

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

from helpline.config import COUNTRIES_DIR, ConfigError, CountryConfig, country_files, load_country  # noqa: E402
from helpline.flows.render import RenderError  # noqa: E402
from stacks.helpline_stack import HelplineStack  # noqa: E402

ROOT = Path(__file__).resolve().parent
BUILD = ROOT / "build"


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
    configs = [load_country(code, stage=stage, countries_dir=countries_dir) for code in codes]
    check_recordings(configs)
    code_dir, layer_dir = BUILD / "lambda", BUILD / "layer"
    if not (code_dir / "functions").is_dir() or not (layer_dir / "python").is_dir():
        raise SystemExit("Lambda assets are not built: run `make build` (or `make synth`, which builds them).")
    for cfg in configs:
        HelplineStack(
            app,
            cfg.stack_name,
            config=cfg,
            lambda_code_dir=code_dir,
            lambda_layer_dir=layer_dir,
            env=cdk.Environment(account=cfg.account or account, region=cfg.region),
            stack_name=cfg.stack_name,
        )
    if nag:
        # Zero unacknowledged findings: any finding fails synthesis (policy validation).
        cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    return app


def main() -> int:
    try:
        app = build_app(account=os.environ.get("CDK_DEFAULT_ACCOUNT"), outdir=os.environ.get("CDK_OUTDIR", "cdk.out"))
    except (ConfigError, RecordingsNotReady, RenderError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    app.synth()
    return 0


if __name__ == "__main__":
    sys.exit(main())
