"""``helpline audit verify|export`` and ``helpline erase`` (registered in helpline.cli)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

audit_app = typer.Typer(
    help="Auditors' tools: verify the interaction chains against the signed checkpoints, export records.",
    no_args_is_help=True,
    add_completion=False,
)

StateOpt = Annotated[
    Path | None, typer.Option("--state", help="A local state folder (written by 'helpline call ... --state DIR').")
]
StackOpt = Annotated[
    str | None, typer.Option("--stack", help="A deployed country stack's name (read with your AWS credentials).")
]
RegionOpt = Annotated[str | None, typer.Option("--region", help="AWS Region of --stack (default: your profile's).")]


def _source(state: Path | None, stack: str | None, region: str | None, public_key: Path | None = None) -> Any:
    """The one source the options name; exits 2 with one line otherwise."""
    if (state is None) == (stack is None):
        print("give exactly one of --state DIR or --stack NAME", file=sys.stderr)
        raise typer.Exit(2)
    try:
        if state is not None:
            from helpline.audit.sources import LocalSource

            if not state.is_dir():
                raise ValueError(f"{state}: not a state folder")
            return LocalSource(state, public_key)
        from helpline.audit.stack import StackSource

        return StackSource(stack, region)
    except Exception as exc:  # noqa: BLE001 - SandboxStateError, StackError, botocore: one line
        print(str(exc), file=sys.stderr)
        raise typer.Exit(2) from None


@audit_app.command("verify")
def verify_command(
    state: StateOpt = None,
    stack: StackOpt = None,
    region: RegionOpt = None,
    public_key: Annotated[
        Path | None,
        typer.Option(
            "--public-key",
            help="PEM public key to check local checkpoints with (a copy kept outside the folder); default: the "
            "folder's own key, which whoever can edit the folder can also use.",
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """Check every chain: altered, inserted, reordered, deleted records, cut tails, missing and rewritten chains, bad checkpoint signatures. Exits 1 on any finding, 0 when all verifies, 2 on bad input."""
    from helpline.audit.verify import verify

    if fmt not in ("table", "json"):
        print("--format must be table or json", file=sys.stderr)
        raise typer.Exit(2)
    source = _source(state, stack, region, public_key)
    try:
        report = verify(source.interactions(), source.checkpoints(), source.public_key(), archive=source.archive())
    except Exception as exc:  # noqa: BLE001
        print(f"{source.describe()}: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    if fmt == "json":
        print(json.dumps(report.as_dict(), sort_keys=True))
    else:
        _print_report(source.describe(), report)
    if not report.ok:
        raise typer.Exit(1)


def _print_report(where: str, report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console(highlight=False, soft_wrap=True, emoji=False)
    out.print(
        f"{where}: {report.chains} chain(s), {report.records} record(s), "
        f"{report.valid_checkpoints}/{report.checkpoints} checkpoint(s) with a valid signature"
        + (f", key {report.key}" if report.key else ""),
        markup=False,
    )
    if report.archive_versions:
        out.print(f"{report.archive_versions} archive object version(s) read (every version of every key)")
    if report.pending:
        out.print(f"{report.pending} record(s) after the last checkpoint (not anchored yet)", markup=False)
    if report.expired_chains:
        out.print(f"{report.expired_chains} checkpointed chain(s) past their retention (expired, not missing)")
    if report.ok:
        out.print("OK: every chain verifies")
        return
    table = Table()
    for column in ("finding", "chain", "seq", "detail"):
        table.add_column(column)
    for f in report.findings:
        table.add_row(f.kind, f.chain_id or "-", "" if f.seq is None else str(f.seq), f.detail)
    out.print(table)
    out.print(f"FAIL: {len(report.findings)} finding(s)", markup=False)


@audit_app.command("export")
def export_command(
    state: StateOpt = None,
    stack: StackOpt = None,
    region: RegionOpt = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl.")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    since: Annotated[str | None, typer.Option("--since", help="First day, YYYY-MM-DD (UTC, inclusive).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day, YYYY-MM-DD (UTC, inclusive).")] = None,
    case: Annotated[str | None, typer.Option("--case", help="Only this case id.")] = None,
    operator: Annotated[str | None, typer.Option("--operator", help="Only records by this actor.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Only cases of this country code.")] = None,
) -> None:
    """Export chain records (CSV or JSON Lines) by date range, case, operator (actor) and country."""
    import re

    from helpline.audit import export

    if fmt not in ("csv", "jsonl"):
        print("--format must be csv or jsonl", file=sys.stderr)
        raise typer.Exit(2)
    for name, day in (("--since", since), ("--until", until)):
        if day is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
            print(f"{name} must be a date YYYY-MM-DD", file=sys.stderr)
            raise typer.Exit(2)
    source = _source(state, stack, region)
    selected = export.rows(
        source.interactions(), source.cases(), since=since, until=until, case=case, operator=operator, country=country
    )
    text = export.render(selected, fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        try:
            export.write(text, output)
        except export.ExportError as exc:
            print(str(exc), file=sys.stderr)
            raise typer.Exit(2) from None
        print(f"{len(selected)} record(s) written to {output}", file=sys.stderr)


def erase(
    caller: Annotated[
        str | None, typer.Option("--caller", help="The caller's phone number, e.g. +48600700800.")
    ] = None,
    pseudonym: Annotated[
        str | None,
        typer.Option("--pseudonym", help="The caller's pseudonym (64 hex characters) instead of the number."),
    ] = None,
    state: StateOpt = None,
    stack: StackOpt = None,
    region: RegionOpt = None,
    actor: Annotated[str, typer.Option("--actor", help="Who erases (written in the tombstone records).")] = "erasure",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print what would be erased and what cannot be, change nothing.")
    ] = False,
) -> None:
    """Erase one caller: every contact (ContactLinks, caller item, cases, survey lists), their survey answers and contact links, the caller item, pseudonym and notes on cases, their survey campaign list entries (the opt-out entry stays: it keeps them from being called again), the number in Amazon Connect's record of each contact (stack); appends an 'erased' tombstone (counts only) to each case chain; ends with what it could not erase and the manual step for each. Exit 0 when everything reachable was erased, 1 when something failed, 2 on bad input."""
    import re

    from functions.logic.pseudonym import normalise_e164
    from helpline.audit.erase import erase_caller, pseudonym_for, report_lines

    if (caller is None) == (pseudonym is None):
        print("give exactly one of --caller NUMBER or --pseudonym HEX", file=sys.stderr)
        raise typer.Exit(2)
    if pseudonym is not None and not re.fullmatch(r"[0-9a-f]{64}", pseudonym):
        print("--pseudonym must be 64 lowercase hex characters", file=sys.stderr)
        raise typer.Exit(2)
    if caller is not None and normalise_e164(caller) is None:  # the one number check, never echoing it
        print("--caller is not an E.164 phone number (e.g. +48600700800)", file=sys.stderr)
        raise typer.Exit(2)
    source = _source(state, stack, region)
    try:
        target = pseudonym or pseudonym_for(caller, source.hash_key())
        result = erase_caller(source, target, actor, dry_run=dry_run)
    except Exception as exc:  # noqa: BLE001 - weak key, AWS errors: one line
        print(f"{source.describe()}: erase failed: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    print("\n".join(report_lines(result, source.describe(), source.has_connect)))
    for line in result.failures:
        print(f"not erased: {line}", file=sys.stderr)
    if result.failures:
        raise typer.Exit(1)
