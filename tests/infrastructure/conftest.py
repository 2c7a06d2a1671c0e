"""Synthesize every shipped country once per test session (synthesis takes seconds)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest
from aws_cdk import assertions

import app as cdk_app
from helpline.config import CountryConfig, load_all

pytestmark = pytest.mark.xdist_group("infra")


@dataclass
class Synthesized:
    config: CountryConfig
    stack: object
    template: assertions.Template
    raw: dict
    path: Path


@pytest.fixture(scope="session")
def cloud_assembly(tmp_path_factory) -> tuple[Path, dict[str, Synthesized]]:
    outdir = tmp_path_factory.mktemp("cdk.out")
    app = cdk_app.build_app(outdir=str(outdir))
    app.synth()
    stacks = {}
    configs = {c.stack_name: c for c in load_all()}
    for child in app.node.children:
        if child.node.id in configs:
            cfg = configs[child.node.id]
            path = outdir / f"{child.node.id}.template.json"
            raw = json.loads(path.read_text())
            stacks[cfg.code] = Synthesized(cfg, child, assertions.Template.from_json(raw), raw, path)
    return outdir, stacks


@pytest.fixture(scope="session")
def synthesized(cloud_assembly) -> dict[str, Synthesized]:
    return cloud_assembly[1]


@pytest.fixture(params=["pl", "hu", "ro"])
def country(request, synthesized) -> Synthesized:
    return synthesized[request.param]


def resources(raw: dict, rtype: str) -> dict[str, dict]:
    return {k: v for k, v in raw["Resources"].items() if v["Type"] == rtype}
