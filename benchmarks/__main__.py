"""`make bench`: every benchmark of the project, in one run on this machine."""

from __future__ import annotations

import importlib

SUITES = ["benchmarks.synth", "benchmarks.handlers", "benchmarks.simulator"]

if __name__ == "__main__":
    for name in SUITES:
        print(f"\n=== {name} ===", flush=True)
        importlib.import_module(name).main([])
