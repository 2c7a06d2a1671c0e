"""`make bench`: every benchmark of the project, in one run on this machine.

Exits non-zero when a suite does (benchmarks.handlers: an import ratio above its target or a
shipped module without its bytecode), after running every suite.
"""

from __future__ import annotations

import importlib
import sys

SUITES = ["benchmarks.synth", "benchmarks.handlers", "benchmarks.simulator"]

if __name__ == "__main__":
    failed = []
    for name in SUITES:
        print(f"\n=== {name} ===", flush=True)
        if importlib.import_module(name).main([]):
            failed.append(name)
    if failed:
        print(f"\nbench: {', '.join(failed)} missed a target", file=sys.stderr)
    sys.exit(1 if failed else 0)
