"""Synthesize every country file in countries/ once per test session (synthesis takes seconds).

Besides the shipped configuration, each country is also synthesized "bring your own": with an
existing Connect instance (``instance.arn``) and an existing number (``phone_number.arn``).

Each assembly is ``(outdir, country stacks by code)``; its ``tests`` attribute holds the live
test stacks (``<country stack>-tests``) by code, also as the ``live_test_stack`` fixture.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from aws_cdk import assertions

import app as cdk_app
from helpline.config import CountryConfig, country_files, load_all
from helpline.livetest.export import test_stack_name

pytestmark = pytest.mark.xdist_group("infra")

COUNTRY_CODES = [p.stem for p in country_files()]
BYO_ACCOUNT = "123456789012"
BYO_INSTANCE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
BYO_NUMBER_ID = "5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9"


@dataclass
class Synthesized:
    config: CountryConfig
    stack: object
    template: assertions.Template
    raw: dict
    path: Path


class Assembly(tuple):
    """``(outdir, country stacks by code)`` as before; ``tests``: the test stacks by code."""

    tests: dict[str, Synthesized]


def _synthesized(child, outdir: Path, cfg: CountryConfig) -> Synthesized:
    path = outdir / f"{child.node.id}.template.json"
    raw = json.loads(path.read_text())
    return Synthesized(cfg, child, assertions.Template.from_json(raw), raw, path)


def _collect(app, outdir: Path, configs: dict[str, CountryConfig]) -> Assembly:
    tests = {test_stack_name(name): cfg for name, cfg in configs.items()}
    stacks, test_stacks = {}, {}
    for child in app.node.children:
        if child.node.id in configs:
            stacks[configs[child.node.id].code] = _synthesized(child, outdir, configs[child.node.id])
        elif child.node.id in tests:
            test_stacks[tests[child.node.id].code] = _synthesized(child, outdir, tests[child.node.id])
    assembly = Assembly((outdir, stacks))
    assembly.tests = test_stacks
    return assembly


@pytest.fixture(scope="session")
def cloud_assembly(tmp_path_factory) -> Assembly:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk_app.build_app(outdir=str(outdir))
    app.synth()
    return _collect(app, outdir, {c.stack_name: c for c in load_all()})


@pytest.fixture(scope="session")
def synthesized(cloud_assembly) -> dict[str, Synthesized]:
    return cloud_assembly[1]


@pytest.fixture(params=COUNTRY_CODES)
def country(request, synthesized) -> Synthesized:
    return synthesized[request.param]


@pytest.fixture(params=COUNTRY_CODES)
def live_test_stack(request, cloud_assembly) -> Synthesized:
    """The country's live test stack, ``<country stack>-tests``."""
    return cloud_assembly.tests[request.param]


def byo_arns(cfg: CountryConfig) -> tuple[str, str]:
    """An existing instance and number in the country's Region (what a user would paste)."""
    base = f"arn:aws:connect:{cfg.region}:{BYO_ACCOUNT}"
    return f"{base}:instance/{BYO_INSTANCE_ID}", f"{base}:phone-number/{BYO_NUMBER_ID}"


def bring_your_own(cfg: CountryConfig) -> CountryConfig:
    """An established deployment: existing instance and number, table deletion protection on."""
    instance_arn, number_arn = byo_arns(cfg)
    return cfg.model_copy(
        update={
            "tables": cfg.tables.model_copy(update={"deletion_protection": True}),
            "instance": cfg.instance.model_copy(update={"arn": instance_arn}),
            "phone_number": cfg.phone_number.model_copy(
                update={"arn": number_arn, "type": None, "country_code": None, "prefix": None, "outbound": None}
            ),
        }
    )


@pytest.fixture(scope="session")
def byo_assembly(tmp_path_factory) -> Assembly:
    """Every country with an existing instance and number, synthesized like app.py does (cdk-nag on),
    each with its test stack."""
    import aws_cdk as cdk
    from cdk_nag import AwsSolutionsChecks

    outdir = tmp_path_factory.mktemp("cdk.out.byo")
    context = json.loads((cdk_app.ROOT / "cdk.json").read_text())["context"]
    app = cdk.App(outdir=str(outdir), context=context)
    configs = {}
    for cfg in (bring_your_own(c) for c in load_all()):
        configs[cfg.stack_name] = cfg
        cdk_app.add_country(app, cfg, env=cdk.Environment(region=cfg.region))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, verbose=True))
    app.synth()  # fails on any cdk-nag finding
    return _collect(app, outdir, configs)


@pytest.fixture(params=COUNTRY_CODES)
def byo_country(request, byo_assembly) -> Synthesized:
    return byo_assembly[1][request.param]


def resources(raw: dict, rtype: str) -> dict[str, dict]:
    return {k: v for k, v in raw["Resources"].items() if v["Type"] == rtype}
