"""`helpline cost XX`: print the monthly cost of one country's helpline, idle and at a load."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from helpline.cost import (
    ASSUMPTIONS,
    CostError,
    Report,
    load_prices,
    money,
    quantity,
    read_template,
    report,
    short_source,
    synthesize,
    total_note,
    unit_price,
)
from helpline.output import FINDINGS, Format, FormatOpt, bad_input, print_json


def _template(cfg, template: Path | None, stage: str | None) -> dict:
    """The template to price: the file given (unreadable: exit 2), or one synthesized now (fails: exit 1)."""
    if template is not None:
        try:
            return read_template(template)
        except CostError as exc:
            bad_input(str(exc))
    print(f"synthesizing {cfg.stack_name} (offline, about 15 s)...", file=sys.stderr)
    try:
        return synthesize(cfg, stage=stage)
    except CostError as exc:
        message = str(exc)
    except SystemExit as exc:  # build_app: Lambda assets not built
        message = str(exc.code)
    print(message, file=sys.stderr)
    raise typer.Exit(FINDINGS)


def command(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl")],
    calls_per_week: Annotated[float, typer.Option(help="Calls a week at load")] = 400,
    minutes_per_call: Annotated[float, typer.Option(help="Average minutes a call")] = 6.0,
    output: FormatOpt = Format.text,
    template: Annotated[
        Path | None,
        typer.Option(
            help="A synthesized template (e.g. cdk.out/Helpline-PL-prod.template.json); default: synthesize now"
        ),
    ] = None,
    stage: Annotated[str | None, typer.Option(help="Stage whose overrides to apply, e.g. dev")] = None,
) -> None:
    """Monthly cost of a country's helpline, idle and at the given load, from the synthesized
    template and the public list prices in helpline/cost/prices.yaml (no AWS credentials needed)."""
    from helpline.config import ConfigError, load_country

    for name, value in (("--calls-per-week", calls_per_week), ("--minutes-per-call", minutes_per_call)):
        if not value >= 0 or value == float("inf"):
            bad_input(f"{name}: must be a number >= 0, got {value:g}")
    try:
        cfg = load_country(country, stage=stage)
        prices = load_prices()
    except (ConfigError, CostError) as exc:
        bad_input(str(exc))
    raw = _template(cfg, template, stage)
    try:
        rep = report(cfg, raw, calls_per_week=calls_per_week, minutes_per_call=minutes_per_call, prices=prices)
    except CostError as exc:  # not a template: no Resources
        bad_input(str(exc))
    if output is Format.json:
        print_json(rep.as_dict())
    else:
        print_table(rep)


def print_table(rep: Report) -> None:
    # A pipe or a file gets the whole table; a terminal its own width.
    out = Console(highlight=False, emoji=False, width=None if sys.stdout.isatty() else 200)
    load = f"{rep.calls_per_week:g} calls/week x {rep.minutes_per_call:g} min"
    table = Table(title=f"{rep.stack}: monthly cost ({rep.prices.currency}, prices read {rep.prices.retrieved})")
    for name, justify in (
        ("item", "left"),
        ("quantity at load", "right"),
        ("unit price", "left"),
        ("idle / month", "right"),
        ("at load / month", "right"),
        ("source", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for idle, at in zip(rep.idle.lines, rep.at_load.lines, strict=True):
        table.add_row(
            at.item,
            quantity(at.quantity),
            unit_price(at),
            money(idle.monthly),
            money(at.monthly),
            short_source(at.source),
        )
    table.add_section()
    table.add_row("total", "", "", money(rep.idle.total), money(rep.at_load.total), "")
    out.print(table)
    out.print(f"idle (0 calls): {money(rep.idle.total)} a month{total_note(rep.idle)}")
    out.print(f"at {load}: {money(rep.at_load.total)} a month{total_note(rep.at_load)}")
    out.print(
        "Month = 4.345 weeks / 30.4 days; free tiers not deducted. Per-call assumptions: "
        + ", ".join(f"{k}={v:g}" for k, v in ASSUMPTIONS.items())
        + ". Prices and their sources: helpline/cost/prices.yaml."
    )
