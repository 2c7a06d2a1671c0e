"""Replay many simulated calls through the rendered flows and the real Lambda handlers.

Each worker process runs its own local backend (moto) and simulator and takes every call of
the callers assigned to it (a caller's calls stay in one worker, so a returning caller finds
their earlier calls).  Per call it records the outcome, whether the caller was left with a way
forward (``CallResult.safe``), the time each handler took, the DynamoDB HTTP attempts, and the
cases the handlers said they wrote; at the end the worker reads its tables once and checks
that every such case and its first chain record exist.

*Lost* counts a call whose caller was left without a way forward, and a case a handler
answered ``ok`` for that is not in the tables (or has no chain record).  *Duplicated* counts a
contact that opened more than one case.

Faults (``faults``: a rate 0-1): the sandbox's HTTP layer fails that share of DynamoDB
attempts (below botocore's retries: throttling, 5xx and read time-outs in turn), and each flow
Lambda block fails for that share of calls (the Lambda error branch).
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import os
import queue
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

from helpline.surge.mix import KINDS_WITH_A_CASE, CallPlan

FAULT_ERRORS = ("ThrottlingException", "InternalServerError", "ReadTimeout")
FLOW_LAMBDAS = ("identify_caller", "create_case")


@dataclass
class CallStat:
    index: int
    kind: str
    outcome: str
    safe: bool
    handler_ms: list[float]
    ddb_attempts: int
    cases: list[str]  # case ids the handlers answered ok for
    failed_lambdas: list[str]
    failed_attempts: int = 0  # DynamoDB HTTP attempts the drill failed during this call
    seconds: float = 0.0  # the call's own (simulated) time: menus, messages, waiting
    lambda_calls: int = 0  # Lambda blocks the flows ran


@dataclass
class WorkerResult:
    calls: list[CallStat] = field(default_factory=list)
    missing_cases: list[str] = field(default_factory=list)
    missing_chains: list[str] = field(default_factory=list)
    duplicated_contacts: int = 0
    items_written: int = 0
    injected: Counter = field(default_factory=Counter)


def _timed(backend: Any, sink: list[float]) -> None:
    """Time every handler invocation (the wall time the flow waits for the Lambda)."""
    invoke = backend.invoke

    def timed(name: str, event: dict) -> dict:
        start = time.perf_counter()
        try:
            return invoke(name, event)
        finally:
            sink.append((time.perf_counter() - start) * 1000)

    backend.invoke = timed


def _inject(backend: Any, rate: float, seed: int) -> None:
    for i, error in enumerate(FAULT_ERRORS):
        backend.inject_failure(None, service="dynamodb", error=error, rate=rate / len(FAULT_ERRORS), seed=seed + i)


def _cases(result: Any) -> list[str]:
    return [
        c["response"]["case_id"]
        for c in result.lambda_calls
        if c["function"] == "create_case"
        and isinstance(c.get("response"), dict)
        and c["response"].get("status") == "ok"
    ]


def run_worker(
    code: str, plans: list[CallPlan], faults: float, seed: int, done: Callable[[int], Any] | None = None
) -> WorkerResult:
    """Run ``plans`` in this process against one fresh local backend; ``done(1)`` after each call."""
    import random

    from helpline.config import load_country
    from helpline.flows.simulate import Simulator, backend_for, simulate_call

    cfg = load_country(code)
    rng = random.Random(seed)  # noqa: S311 - fault placement, reproducible
    out = WorkerResult()
    with contextlib.redirect_stdout(io.StringIO()) as sink, backend_for(cfg) as backend:
        timings: list[float] = []
        _timed(backend, timings)
        if faults:
            _inject(backend, faults, seed)
        sim = Simulator(cfg)
        for plan in plans:
            fail = [name for name in FLOW_LAMBDAS if faults and rng.random() < faults]
            timings.clear()
            backend.reset_calls()
            result = simulate_call(
                cfg, lang=plan.lang, presses=plan.presses, at=plan.at, caller=plan.caller, fail=fail,
                backend=backend, simulator=sim,
            )  # fmt: skip
            errors = [a.error for a in backend.http_attempts if a.service == "dynamodb" and a.error]
            out.calls.append(
                CallStat(
                    plan.index,
                    plan.kind,
                    result.outcome,
                    result.safe,
                    list(timings),
                    backend.attempts("dynamodb"),
                    _cases(result),
                    fail,
                    len(errors),
                    sim.state.clock,
                    len(result.lambda_calls),
                )
            )
            out.injected.update(f"Lambda {name} fails" for name in fail)
            out.injected.update(f"DynamoDB {error}" for error in errors)
            sink.seek(0)
            sink.truncate()  # handler logs: not kept (a 20,000-call replay would hold them all)
            if done is not None:
                done(1)
        backend.clear_failures()
        _check_tables(backend, out)
    return out


def _check_tables(backend: Any, out: WorkerResult) -> None:
    tables = backend.scan_raw()
    # What the calls wrote: every table but the partner directory the backend was seeded with.
    out.items_written = sum(len(items) for name, items in tables.items() if not name.startswith("Partner"))
    stored = {item["case_id"]["S"]: item for item in tables.get("Cases", [])}
    chains = {item["chain_id"]["S"] for item in tables.get("Interactions", []) if item.get("seq", {}).get("N") == "1"}
    for call in out.calls:
        for case_id in call.cases:
            if case_id not in stored:
                out.missing_cases.append(case_id)
            elif f"case#{case_id}" not in chains:
                out.missing_chains.append(case_id)
    per_contact = Counter(item["contact_id"]["S"] for item in stored.values() if "contact_id" in item)
    out.duplicated_contacts = sum(1 for n in per_contact.values() if n > 1)


def split(plans: list[CallPlan], workers: int) -> list[list[CallPlan]]:
    """A caller's calls go to one worker (hash of the number), in their original order."""
    import zlib

    shares: list[list[CallPlan]] = [[] for _ in range(workers)]
    for plan in plans:
        shares[zlib.crc32(plan.caller.encode()) % workers].append(plan)
    return [s for s in shares if s]


# Calls per local backend. moto copies a whole table for every TransactWriteItems (its rollback
# backup), so one backend's cost grows with what it holds: a 20,000-call replay on two backends ran
# out of memory. Shards of callers (all of a caller's calls in one shard) keep each backend small.
SHARD_CALLS = 1000


# In a worker process of the pool: the queue each call done is counted on (None: nobody counts).
_DONE: Any = None


def _init_pool_worker(done: Any) -> None:
    global _DONE
    _DONE = done


def _run_pool_shard(code: str, plans: list[CallPlan], faults: float, seed: int) -> WorkerResult:
    return run_worker(code, plans, faults, seed, _DONE.put if _DONE is not None else None)


def _count(done: Any, progress: Callable[[int], None], counted: int, total: int, wait_s: float) -> int:
    """Pass on the calls the workers said are done (up to ``total``); ``wait_s``: how long to wait for
    each next count (0: only what has arrived)."""
    while counted < total:
        try:
            n = done.get(timeout=wait_s) if wait_s else done.get_nowait()
        except queue.Empty:
            break
        counted += n
        progress(n)
    return counted


def replay(
    code: str,
    plans: list[CallPlan],
    *,
    workers: int,
    faults: float = 0.0,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[WorkerResult], float]:
    """Run the plans in ``workers`` processes, one fresh backend per shard of callers; returns the
    shards' results and the wall time (s). ``progress(n)``: n more calls done (for a progress bar)."""
    start = time.perf_counter()
    chunks = split(plans, max(workers, -(-len(plans) // SHARD_CALLS)))
    if workers == 1:
        results = [run_worker(code, chunk, faults, seed + i, progress) for i, chunk in enumerate(chunks)]
        return results, time.perf_counter() - start
    done = multiprocessing.get_context().Queue() if progress is not None else None
    with ProcessPoolExecutor(
        max_workers=min(workers, len(chunks)), initializer=_init_pool_worker, initargs=(done,)
    ) as pool:
        futures = [pool.submit(_run_pool_shard, code, chunk, faults, seed + i) for i, chunk in enumerate(chunks)]
        pending, counted = set(futures), 0
        while pending:
            _, pending = wait(pending, timeout=0.25)
            if done is not None and progress is not None:
                counted = _count(done, progress, counted, len(plans), 0)
        if done is not None and progress is not None:  # the last counts may still be on their way
            _count(done, progress, counted, len(plans), 1.0)
        results = [f.result() for f in futures]
    return results, time.perf_counter() - start


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def expects_case(kind: str) -> bool:
    return kind in KINDS_WITH_A_CASE
