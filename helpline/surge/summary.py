"""What a surge replay measured: losses, duplicates, handler times, outcomes, the fault drill."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from helpline.surge.replay import WorkerResult


@dataclass(frozen=True)
class Summary:
    calls: int
    seconds: float
    unsafe: int  # callers left without a way forward
    missing: int  # cases answered ok but not stored (or without their chain record)
    duplicated: int
    p50_ms: float
    p99_ms: float
    ddb_per_call: float
    items: int
    outcomes: dict[str, Counter]  # kind -> outcome counts
    injected: Counter  # what the fault drill broke -> how often
    faulted_calls: int  # calls during which at least one fault was injected
    faulted_safe: int  # ... of which the caller still reached a person, a call back or a safe message
    menu_seconds: float  # mean simulated time a call spends in the flows before a person answers
    lambdas_per_call: float

    @property
    def lost(self) -> int:
        return self.unsafe + self.missing

    @property
    def rate(self) -> float:
        return self.calls / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return f"calls={self.calls} lost={self.lost} rate={self.rate:.1f}/s p99_ms={self.p99_ms:.1f}"

    def as_dict(self) -> dict[str, Any]:
        """What the text report says, as data (the fault drill's counts are zero without --faults)."""
        return {
            "calls": self.calls,
            "lost": self.lost,
            "unsafe": self.unsafe,
            "missing": self.missing,
            "duplicated": self.duplicated,
            "seconds": round(self.seconds, 2),
            "rate_per_second": round(self.rate, 1),
            "handler_ms": {"p50": round(self.p50_ms, 1), "p99": round(self.p99_ms, 1)},
            "dynamodb_attempts_per_call": round(self.ddb_per_call, 1),
            "items": self.items,
            "outcomes": {kind: dict(counts.most_common()) for kind, counts in sorted(self.outcomes.items())},
            "faults_injected": dict(sorted(self.injected.items())),
            "faulted_calls": self.faulted_calls,
            "faulted_safe": self.faulted_safe,
            "menu_seconds": round(self.menu_seconds, 1),
            "lambdas_per_call": round(self.lambdas_per_call, 1),
        }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1]


def summarize(results: list[WorkerResult], seconds: float) -> Summary:
    calls = [c for r in results for c in r.calls]
    timings = [ms for c in calls for ms in c.handler_ms]
    outcomes: dict[str, Counter] = {}
    for c in calls:
        outcomes.setdefault(c.kind, Counter())[c.outcome] += 1
    return Summary(
        calls=len(calls),
        seconds=seconds,
        unsafe=sum(1 for c in calls if not c.safe),
        missing=sum(len(r.missing_cases) + len(r.missing_chains) for r in results),
        duplicated=sum(r.duplicated_contacts for r in results),
        p50_ms=_percentile(timings, 50),
        p99_ms=_percentile(timings, 99),
        ddb_per_call=sum(c.ddb_attempts for c in calls) / len(calls) if calls else 0.0,
        items=sum(r.items_written for r in results),
        outcomes=outcomes,
        injected=sum((r.injected for r in results), Counter()),
        faulted_calls=sum(1 for c in calls if c.failed_lambdas or c.failed_attempts),
        faulted_safe=sum(1 for c in calls if (c.failed_lambdas or c.failed_attempts) and c.safe),
        menu_seconds=statistics.fmean(c.seconds for c in calls) if calls else 0.0,
        lambdas_per_call=statistics.fmean(c.lambda_calls for c in calls) if calls else 0.0,
    )
