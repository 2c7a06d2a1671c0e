"""Build the Lambda assets without Docker.

``build/lambda/``  the runtime code: a copy of ``functions/`` (no tests, no caches).
``build/layer/python/``  third-party runtime dependencies from ``requirements-lambda.txt``,
installed by uv as wheels for the Lambda platform (Python 3.14, arm64). Packages that the
Lambda runtime already ships (boto3, botocore and their dependencies) are pruned.

Both are precompiled to CPython 3.14 bytecode (:mod:`helpline.bytecode`), so a cold start
does not compile our modules.

This step may download wheels; synthesis itself never touches the network.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from helpline.bytecode import PYODIDE_VERSION, precompile

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "build"
LAMBDA_DIR = BUILD / "lambda"
LAYER_DIR = BUILD / "layer"
REQUIREMENTS = ROOT / "requirements-lambda.txt"
PYTHON_VERSION = "3.14"
PLATFORM = "aarch64-manylinux2014"
# Provided by the Lambda Python runtime; pruning them keeps the layer small.
RUNTIME_PROVIDED = (
    "boto3",
    "botocore",
    "s3transfer",
    "urllib3",
    "jmespath",
    "dateutil",
    "python_dateutil",
    "six",
)


class BuildError(RuntimeError):
    pass


def _copy_functions() -> None:
    if LAMBDA_DIR.exists():
        shutil.rmtree(LAMBDA_DIR)
    shutil.copytree(
        ROOT / "functions",
        LAMBDA_DIR / "functions",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "*.md"),
    )


def _layer_stamp() -> str:
    return hashlib.sha256(
        REQUIREMENTS.read_bytes() + f"{PYTHON_VERSION}{PLATFORM}{PYODIDE_VERSION}".encode()
    ).hexdigest()


def _build_layer() -> None:
    stamp_file = BUILD / "layer.stamp"
    if stamp_file.exists() and stamp_file.read_text() == _layer_stamp() and (LAYER_DIR / "python").exists():
        return
    if LAYER_DIR.exists():
        shutil.rmtree(LAYER_DIR)
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    cmd = [
        uv,
        "pip",
        "install",
        "--system-certs",
        "--quiet",
        "--target",
        str(LAYER_DIR / "python"),
        "--python-platform",
        PLATFORM,
        "--python-version",
        PYTHON_VERSION,
        "--only-binary",
        ":all:",
        "--no-compile",
        "-r",
        str(REQUIREMENTS),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv
    if result.returncode != 0:
        raise BuildError(f"installing Lambda dependencies failed: {result.stderr.strip().splitlines()[-1:]}")
    site = LAYER_DIR / "python"
    for entry in list(site.iterdir()):
        base = entry.name.split("-")[0].lower()
        if base in RUNTIME_PROVIDED or entry.name in {"bin", "six.py"} or entry.name.startswith("six-"):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for cache in site.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    precompile(BUILD, site, "/opt/python")
    stamp_file.write_text(_layer_stamp())


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def build() -> dict[str, int]:
    """Build both assets; return their sizes in bytes."""
    BUILD.mkdir(exist_ok=True)
    _copy_functions()
    precompile(BUILD, LAMBDA_DIR, "/var/task")
    _build_layer()
    return {"lambda": dir_size(LAMBDA_DIR), "layer": dir_size(LAYER_DIR)}


if __name__ == "__main__":
    from helpline.bytecode import BytecodeError

    try:
        sizes = build()
    except (BuildError, BytecodeError) as exc:
        sys.exit(f"build failed: {exc}")
    print(
        f"built Lambda code {sizes['lambda'] / 1024:.0f} KiB, dependency layer {sizes['layer'] / 1024 / 1024:.1f} MiB"
    )
