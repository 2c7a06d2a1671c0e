"""Synthesis time per country and for all countries, against a minimal one-function CDK app.

Every measurement is a fresh process (jsii start-up included), repeated; the median is shown.
Run: python -m benchmarks.synth [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MINIMAL_APP = """
from helpline.node import ensure_node_on_path
ensure_node_on_path()
import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
app = cdk.App(outdir={outdir!r})
stack = cdk.Stack(app, "Minimal")
lambda_.Function(stack, "Fn", runtime=lambda_.Runtime.PYTHON_3_14, handler="index.handler",
                 code=lambda_.Code.from_inline("def handler(event, context):\\n    return {{}}"))
app.synth()
"""

COUNTRY_APP = """
import app
app.build_app(countries={countries!r}, outdir={outdir!r}).synth()
"""


def measure(code_template: str, repeat: int, **fmt) -> float:
    times = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            code = code_template.format(outdir=out, **fmt)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    from helpline.config import country_files

    codes = [p.stem for p in country_files()]
    minimal = measure(MINIMAL_APP, args.repeat)
    rows = [("minimal one-function app", minimal)]
    for code in codes:
        rows.append((f"country {code}", measure(COUNTRY_APP, args.repeat, countries=[code])))
    rows.append((f"all countries ({len(codes)})", measure(COUNTRY_APP, args.repeat, countries=codes)))
    print(f"\nSynthesis (fresh process, median of {args.repeat}, includes cdk-nag)")
    print(f"{'app':<28}{'seconds':>9}{'x minimal':>11}")
    for name, secs in rows:
        print(f"{name:<28}{secs:>9.2f}{secs / minimal:>11.2f}")


if __name__ == "__main__":
    main()
