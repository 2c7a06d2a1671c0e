"""The template to price: synthesized in-process (no credentials, no network) or read from a file."""

from __future__ import annotations

import importlib.util
import json
import sys
import tempfile
from pathlib import Path

from helpline.cost.errors import CostError

REPO_ROOT = Path(__file__).resolve().parents[2]


def synthesize(cfg, *, stage: str | None = None) -> dict:
    """The country's template, synthesized in-process (no credentials, no network; ~15 s)."""
    cdk_app = _cdk_app()
    with tempfile.TemporaryDirectory(prefix="helpline-cost-") as outdir:
        app = cdk_app.build_app(countries=[cfg.code], stage=stage or cfg.stage, outdir=outdir, nag=False)
        app.synth()
        return json.loads((Path(outdir) / f"{cfg.stack_name}.template.json").read_text())


def _cdk_app():
    """The repository's app.py (beside helpline/, not an installed module)."""
    loaded = sys.modules.get("app")
    if loaded is not None and hasattr(loaded, "build_app"):
        return loaded
    spec = importlib.util.spec_from_file_location("app", REPO_ROOT / "app.py")
    if spec is None or spec.loader is None:
        raise CostError(f"{REPO_ROOT / 'app.py'}: not found; pass --template")
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    return module


def read_template(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CostError(f"{path}: cannot read the template ({exc})") from None
    if not isinstance(data, dict):
        raise CostError(f"{path}: not a CloudFormation template")
    return data
