"""`helpline surge`: a reproducible mix of calls replayed through flows and handlers, losses counted."""

from __future__ import annotations

import json
import re
from collections import Counter

from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import load_country
from helpline.surge import summarize
from helpline.surge.mix import KINDS_WITH_A_CASE, MIX, plan_calls
from helpline.surge.replay import CallStat, WorkerResult, _check_tables, replay, split

PL = load_country("pl")


def test_the_mix_is_reproducible_and_in_proportion():
    plans = plan_calls(PL, 1000, seed=3)
    assert plans == plan_calls(PL, 1000, seed=3) and plans != plan_calls(PL, 1000, seed=4)
    kinds = Counter(p.kind for p in plans)
    for kind, share in MIX.items():
        assert abs(kinds[kind] - share * 1000) <= 1 + (1000 - sum(int(s * 1000) for s in MIX.values())) * (
            kind == "info"
        )
    returning = [p for p in plans if p.returning]
    assert 0.25 < len(returning) / 1000 < 0.35
    first_seen = {}
    for p in plans:
        first_seen.setdefault(p.caller, p.index)
    assert all(first_seen[p.caller] < p.index for p in returning)  # they really called before


def test_out_of_hours_calls_come_when_the_line_is_closed_and_the_rest_when_it_is_open():
    import datetime as dt

    for plan in plan_calls(PL, 300):
        assert PL.hours.is_open(dt.datetime.fromisoformat(plan.at)) is (plan.kind != "out_of_hours")
        assert plan.presses[0] == PL.language(plan.lang).digit  # Poland has a language menu


def test_a_callers_calls_stay_in_one_worker_in_order():
    plans = plan_calls(PL, 400)
    shares = split(plans, 3)
    assert sorted(p.index for s in shares for p in s) == list(range(400))
    where = {}
    for n, share in enumerate(shares):
        assert [p.index for p in share] == sorted(p.index for p in share)
        for p in share:
            assert where.setdefault(p.caller, n) == n


def test_a_small_replay_loses_nothing_and_opens_a_case_for_every_call_that_needs_one():
    plans = plan_calls(PL, 40, seed=11)
    results, seconds = replay("pl", plans, workers=1)
    summary = summarize(results, seconds)
    assert (summary.calls, summary.lost, summary.duplicated) == (40, 0, 0)
    by_index = {c.index: c for c in results[0].calls}
    for plan in plans:
        stat = by_index[plan.index]
        assert bool(stat.cases) is (plan.kind in KINDS_WITH_A_CASE), (plan, stat)
        if plan.kind != "emergency":  # the emergency key goes to a person before any backend call
            assert stat.ddb_attempts >= 1 and stat.handler_ms
    assert summary.outcomes["out_of_hours"] == Counter({"callback": summary.outcomes["out_of_hours"].total()})
    assert summary.outcomes["emergency"] == Counter({"queue": summary.outcomes["emergency"].total()})
    assert summary.menu_seconds > 30 and summary.lambdas_per_call >= 1  # measured, used for quota planning
    assert summary.items > 0 and re.fullmatch(r"calls=40 lost=0 rate=[0-9.]+/s p99_ms=[0-9.]+", summary.line())


def test_a_fault_drill_still_leaves_every_caller_a_way_forward():
    results, seconds = replay("pl", plan_calls(PL, 30, seed=5), workers=1, faults=0.3, seed=5)
    summary = summarize(results, seconds)
    assert any(k.startswith("DynamoDB ") for k in summary.injected)
    assert any(k.startswith("Lambda ") for k in summary.injected)
    assert summary.faulted_calls > 5 and summary.faulted_safe == summary.faulted_calls
    assert (summary.lost, summary.duplicated) == (0, 0)


class _Tables:
    def __init__(self, tables):
        self.tables = tables

    def scan_raw(self):
        return self.tables


def _call(index, cases, safe=True):
    return CallStat(index, "report_risk", "queue", safe, [1.0], 3, cases, [])


def test_a_case_answered_ok_but_not_stored_or_without_its_chain_is_lost():
    out = WorkerResult(calls=[_call(0, ["PL-A"]), _call(1, ["PL-B"]), _call(2, ["PL-C"])])
    tables = {
        "Cases": [
            {"case_id": {"S": "PL-A"}, "contact_id": {"S": "c0"}},
            {"case_id": {"S": "PL-B"}, "contact_id": {"S": "c1"}},
        ],
        "Interactions": [{"chain_id": {"S": "case#PL-A"}, "seq": {"N": "1"}}],
        "PartnerServices": [{"x": {"S": "seeded"}}],
    }
    _check_tables(_Tables(tables), out)
    assert (out.missing_cases, out.missing_chains, out.items_written) == (["PL-C"], ["PL-B"], 3)
    summary = summarize([out], 1.0)
    assert summary.lost == 2 and summary.line().startswith("calls=3 lost=2 ")


def test_an_unsafe_call_and_a_duplicated_case_are_counted():
    out = WorkerResult(calls=[_call(0, [], safe=False), _call(1, [])])
    _check_tables(_Tables({"Cases": [{"case_id": {"S": "PL-A"}, "contact_id": {"S": "c"}},
                                     {"case_id": {"S": "PL-B"}, "contact_id": {"S": "c"}}]}), out)  # fmt: skip
    summary = summarize([out], 2.0)
    assert (summary.unsafe, summary.duplicated, summary.lost) == (1, 1, 1)


def test_cli_ends_with_the_machine_readable_line_and_refuses_bad_options():
    result = CliRunner().invoke(app, ["surge", "pl", "--calls", "12", "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"calls=12 lost=0 rate=[0-9.]+/s p99_ms=[0-9.]+", result.output.strip().splitlines()[-1])
    for bad in (["surge", "pl", "--calls", "0"], ["surge", "pl", "--faults", "1.5"], ["surge", "zz"]):
        failed = CliRunner().invoke(app, bad)
        assert failed.exit_code == 2 and "Traceback" not in failed.output


def test_a_long_replay_is_split_into_shards_of_callers_each_on_its_own_backend(monkeypatch):
    """moto copies a whole table per transaction: backends stay small, a caller stays in one shard."""
    import helpline.surge.replay as replay_module

    monkeypatch.setattr(replay_module, "SHARD_CALLS", 10)
    plans = plan_calls(PL, 25, seed=2)
    results, seconds = replay("pl", plans, workers=1)
    assert len(results) == 3 and sum(len(r.calls) for r in results) == 25
    callers = [{plans[c.index].caller for c in r.calls} for r in results]
    assert not (callers[0] & callers[1]) and not (callers[1] & callers[2]) and not (callers[0] & callers[2])
    assert summarize(results, seconds).lost == 0


def test_cli_json_is_one_document_with_the_facts_of_the_text_report():
    args = ["surge", "pl", "--calls", "12", "--workers", "1"]
    text = CliRunner().invoke(app, args)
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert text.exit_code == 0 and result.exit_code == 0, (text.output, result.output)
    report = json.loads(result.stdout)  # nothing else on standard output
    last = text.stdout.strip().splitlines()[-1]
    assert last.startswith(f"calls={report['calls']} lost={report['lost']} ") and report["calls"] == 12
    said = f"left without a way forward: {report['unsafe']}; cases answered ok but missing: {report['missing']}; "
    assert said + f"contacts with more than one case: {report['duplicated']}" in text.stdout
    assert f"{report['items']} items in the tables" in text.stdout
    for kind, outcomes in report["outcomes"].items():  # the same mix: the seed decides it
        row = next(line for line in text.stdout.splitlines() if line.startswith(f"│ {kind} "))
        cells = [c.strip() for c in row.split("│")[1:-1]]
        assert cells == [kind, str(sum(outcomes.values())), ", ".join(f"{k} {v}" for k, v in outcomes.items())]
    assert f"measured: {report['menu_seconds']:.0f} s in the flows" in text.stdout
    for quota in report["quotas"]:
        assert quota["quota"] in text.stdout and quota["note"] in text.stdout
    assert report["faults"] == 0 and report["faulted_calls"] == 0 and report["faults_injected"] == {}


def test_cli_exits_1_when_a_call_was_lost(monkeypatch):
    import helpline.surge.replay as replay_module

    def lossy(code, plans, **_):
        out = WorkerResult(calls=[_call(0, ["PL-A"]), _call(1, [], safe=False)])
        out.missing_cases.append("PL-A")
        return [out], 1.0

    monkeypatch.setattr(replay_module, "replay", lossy)
    result = CliRunner().invoke(app, ["surge", "pl", "--calls", "2", "--format", "json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    assert (report["lost"], report["unsafe"], report["missing"]) == (2, 1, 1)
    text = CliRunner().invoke(app, ["surge", "pl", "--calls", "2"])
    assert text.exit_code == 1 and text.stdout.strip().splitlines()[-1].startswith("calls=2 lost=2 ")


def test_bad_input_with_json_is_one_line_on_standard_error_and_exit_2():
    result = CliRunner().invoke(app, ["surge", "zz", "--format", "json"])
    assert result.exit_code == 2 and result.stdout == "" and result.stderr.count("\n") == 1
    assert result.stderr.startswith("surge: ") and "zz.yaml" in result.stderr


def test_the_progress_counts_every_call_once_in_worker_processes_and_in_one():
    """What the progress bar over the calls is told: from the pool's processes and from this one."""
    for workers in (2, 1):
        done: list[int] = []
        results, _ = replay("pl", plan_calls(PL, 8, seed=4), workers=workers, progress=done.append)
        assert sum(done) == 8 == sum(len(r.calls) for r in results), workers
