"""``helpline surge COUNTRY --calls N``: the replay with a progress bar, its report, the quotas it needs."""

from __future__ import annotations

from typing import Annotated

import typer

from helpline.output import Format, FormatOpt, bad_input, exit_with, print_json, progress_bar
from helpline.surge.replay import WorkerResult
from helpline.surge.summary import Summary, summarize


def _print(summary: Summary, faults: float) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False, soft_wrap=True)
    table = Table("kind of call", "calls", "outcomes")
    for kind, counts in sorted(summary.outcomes.items()):
        table.add_row(kind, str(sum(counts.values())), ", ".join(f"{k} {v}" for k, v in counts.most_common()))
    console.print(table)
    console.print(
        f"{summary.rate:.1f} calls/s over {summary.seconds:.1f} s; handler time p50 {summary.p50_ms:.1f} ms, "
        f"p99 {summary.p99_ms:.1f} ms; {summary.ddb_per_call:.1f} DynamoDB HTTP attempts per call; "
        f"{summary.items} items in the tables"
    )
    console.print(
        f"left without a way forward: {summary.unsafe}; cases answered ok but missing: {summary.missing}; "
        f"contacts with more than one case: {summary.duplicated}"
    )
    if faults:
        drill = Table("fault injected", "times")
        for what, n in sorted(summary.injected.items()):
            drill.add_row(what, str(n))
        console.print(drill)
        console.print(
            f"calls hit by a fault: {summary.faulted_calls}; of these reached a person, a call back or a safe "
            f"message: {summary.faulted_safe}"
        )


def _quota_needs(cfg, summary: Summary) -> list:
    """The planned peak (country file `capacity`) with the menu time and Lambda calls this replay measured."""
    from helpline.quotas import flow_lambda_count, plan

    return plan(cfg, connect_lambdas=flow_lambda_count(), lambdas_per_call=summary.lambdas_per_call,
                menu_seconds=summary.menu_seconds)  # fmt: skip


def _print_quotas(summary: Summary, needs: list) -> None:
    from rich.console import Console

    from helpline.summary import print_quotas

    console = Console(highlight=False, soft_wrap=True)
    console.print(
        f"measured: {summary.menu_seconds:.0f} s in the flows and {summary.lambdas_per_call:.1f} Lambda calls per call"
    )
    print_quotas(needs, console)


def _replay(code: str, plans: list, *, workers: int, faults: float, seed: int) -> tuple[list[WorkerResult], float]:
    """The replay, with a progress bar over the calls on standard error (20,000 calls take minutes)."""
    from rich.console import Console
    from rich.progress import TaskID

    from helpline.surge.replay import replay

    with progress_bar(Console(stderr=True), f"replaying {len(plans)} calls", total=len(plans)) as bar:
        return replay(
            code, plans, workers=workers, faults=faults, seed=seed, progress=lambda n: bar.advance(TaskID(0), n)
        )


def command(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl")],
    calls: Annotated[int, typer.Option(min=1, help="How many calls to replay")] = 2000,
    workers: Annotated[int | None, typer.Option(min=1, max=32, help="Worker processes (default: CPU count)")] = None,
    faults: Annotated[
        float,
        typer.Option(min=0.0, max=1.0, help="Fault drill: share of DynamoDB attempts and Lambda blocks that fail"),
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Seed of the call mix and the faults")] = 7,
    output: FormatOpt = Format.text,
) -> None:
    """Replay N simulated calls (a realistic mix) through the flows and the real handlers; report losses.
    Exit 1 when a caller was left without a way forward, a case went missing or a contact opened two."""
    from helpline.config import ConfigError, load_country
    from helpline.surge.mix import plan_calls
    from helpline.surge.replay import default_workers

    try:
        cfg = load_country(country)
        plans = plan_calls(cfg, calls, seed=seed)
    except (ConfigError, ValueError) as exc:
        bad_input(f"surge: {exc}")
    results, seconds = _replay(cfg.code, plans, workers=workers or default_workers(), faults=faults, seed=seed)
    summary = summarize(results, seconds)
    needs = _quota_needs(cfg, summary)
    if output is Format.json:
        quotas = [{"service": n.service, "quota": n.quota, "default": n.default, "needed": n.needed,
                   "raise_before_launch": n.raise_it, "note": n.note, "source": n.source} for n in needs]  # fmt: skip
        print_json({"country": cfg.code, "faults": faults, "seed": seed, **summary.as_dict(), "quotas": quotas})
    else:
        _print(summary, faults)
        _print_quotas(summary, needs)
        print(summary.line())
    exit_with(bool(summary.lost or summary.duplicated))
