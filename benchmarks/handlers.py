"""Cold-start and latency benchmark of the Lambda handlers.

Run from the repository root: ``python -m benchmarks.handlers [--repeats N] [--calls N]``.

Prints, measured in this run:
1. cold import time of each handler module vs ``import boto3`` alone, each in a fresh
   subprocess, median of N repeats, and the ratio (target <= 1.3);
2. DynamoDB requests per invocation (counted by the sandbox's botocore hook);
3. warm handler latency against moto (median, p95) - moto's in-process emulation, not the
   network latency of real DynamoDB.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "tests" / "fixtures" / "events"
HANDLERS = ("identify_caller", "create_case", "route_referral", "record_contact_event", "record_survey_answer")

_SNIPPET = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def cold_import(module: str, repeats: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "0"}
    samples = []
    for _ in range(repeats):
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-c", _SNIPPET.format(module=module)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def _event(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def warm_calls(calls: int) -> dict[str, dict[str, object]]:
    sys.path.insert(0, str(ROOT))
    import io
    from contextlib import redirect_stdout

    from helpline.sandbox import local_backend

    results: dict[str, dict[str, object]] = {}
    partners = [{**p, "capacity": 100000} for p in _event("partners_pl")]
    with redirect_stdout(io.StringIO()), local_backend(partners, country="pl") as b:
        case_ids = []

        def flow(name: str, i: int, **params: str) -> dict:
            event = copy.deepcopy(_event(name))
            event["Details"]["ContactData"]["ContactId"] = f"bench-{name.replace('_', '-')}-{i:05d}"
            event["Details"]["ContactData"]["CustomerEndpoint"]["Address"] = f"+4860{i:07d}"
            event["Details"]["Parameters"].update(params)
            return event

        plans = {
            "identify_caller": lambda i: flow("identify_caller", i),
            "create_case": lambda i: flow("create_case", i),
            "route_referral": lambda i: flow("route_referral", i, case_id=case_ids[i], needs_codes="LP-ND"),
            "record_contact_event": lambda i: {**_event("contact_event_queued"), "id": f"bench-{i:05d}"},
            "record_survey_answer": lambda i: flow("record_survey_answer", i),
        }
        for name in HANDLERS:
            b.invoke(name, plans[name](calls + 1) if name != "route_referral" else plans["create_case"](0))
            latencies, requests = [], []
            for i in range(calls):
                event = plans[name](i)
                b.reset_calls()
                started = time.perf_counter()
                response = b.invoke(name, event)
                assert response.get("status") == "ok", (name, response)
                latencies.append((time.perf_counter() - started) * 1000)
                requests.append(len(b.dynamodb_calls()))
                if name == "create_case":
                    case_ids.append(response["case_id"])
            results[name] = {
                "ddb_requests": f"{min(requests)}-{max(requests)}"
                if min(requests) != max(requests)
                else str(requests[0]),
                "ops": ",".join(c.operation for c in b.dynamodb_calls()),
                "median_ms": statistics.median(latencies),
                "p95_ms": _percentile(latencies, 95),
            }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=50)
    args = parser.parse_args(argv)

    boto3_time = cold_import("boto3", args.repeats)
    print(f"python {sys.version.split()[0]}, {args.repeats} fresh subprocesses per module (median)")
    print(f"{'module':<44} {'import ms':>9} {'vs boto3':>9}")
    print(f"{'boto3':<44} {boto3_time * 1000:9.1f} {1.0:9.2f}")
    ratios = {}
    for name in HANDLERS:
        t = cold_import(f"functions.handlers.{name}", args.repeats)
        ratios[name] = t / boto3_time
        flag = "" if ratios[name] <= 1.3 else "  > 1.3!"
        print(f"{'functions.handlers.' + name:<44} {t * 1000:9.1f} {ratios[name]:9.2f}{flag}")

    print()
    print(f"warm invocations against moto ({args.calls} calls each, distinct contacts, first-time path)")
    print(f"{'handler':<22} {'DDB req':>7} {'median ms':>10} {'p95 ms':>8}  operations (last call)")
    for name, r in warm_calls(args.calls).items():
        print(f"{name:<22} {r['ddb_requests']:>7} {r['median_ms']:10.2f} {r['p95_ms']:8.2f}  {r['ops']}")
    return 0 if all(r <= 1.3 for r in ratios.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
