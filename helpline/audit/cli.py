"""``helpline audit verify|export`` and ``helpline erase`` (registered in helpline.cli).

Exit codes (helpline.output): 0 ok; 1 a finding (a chain does not verify) or something could not be
erased; 2 bad input (no state folder or stack, an unreadable source, an option value that makes no
sense), one line on standard error.  ``audit verify`` and ``erase`` print ``--format text|json``;
``audit export`` prints records, ``--format csv|json`` (JSON Lines).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import TaskID

from helpline.output import Format, FormatOpt, bad_input, exit_with, print_json, progress_bar

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


def source_from_options(
    state: Path | None, stack: str | None, region: str | None, public_key: Path | None = None
) -> Any:
    """The one source ``--state DIR`` or ``--stack NAME`` (with ``--region``) names: a
    :class:`~helpline.audit.sources.LocalSource` or a :class:`~helpline.audit.stack.StackSource`;
    exits 2 with one line when neither or both are given or the source cannot be read. Shared by
    every command that takes these options (``audit``, ``erase``, ``survey-campaign``)."""
    if (state is None) == (stack is None):
        bad_input("give exactly one of --state DIR or --stack NAME")
    try:
        if state is not None:
            from helpline.audit.sources import LocalSource

            if not state.is_dir():
                raise ValueError(f"{state}: not a state folder")
            return LocalSource(state, public_key)
        from helpline.audit.stack import StackSource

        return StackSource(str(stack), region)
    except Exception as exc:  # noqa: BLE001 - SandboxStateError, StackError, botocore: one line
        bad_input(str(exc))


def _stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True, emoji=False)


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
    fmt: FormatOpt = Format.text,
) -> None:
    """Check every chain: altered, inserted, reordered, deleted records, cut tails, missing and rewritten chains, bad checkpoint signatures. Exits 1 on any finding, 0 when all verifies, 2 on bad input."""
    source = source_from_options(state, stack, region, public_key)
    try:
        report = _verify(source)
    except Exception as exc:  # noqa: BLE001 - an unreadable key, table or bucket: one line
        bad_input(f"{source.describe()}: {exc}")
    if fmt == Format.json:
        print_json({"source": source.describe(), **report.as_dict()})
    else:
        _print_report(source.describe(), report)
    exit_with(not report.ok)


def _verify(source: Any) -> Any:
    """Read the source and verify it, with a progress bar (a terminal only): the archive's object
    versions as they are read (a stack), then the chains as they are checked."""
    from helpline.audit.verify import verify

    with progress_bar(_stderr(), f"reading {source.describe()}") as bar:

        def advance(done: int, total: int) -> None:
            bar.update(TaskID(0), completed=done, total=total)

        source.progress = advance
        archive = source.archive()
        records, checkpoints, key = source.interactions(), source.checkpoints(), source.public_key()
        bar.update(TaskID(0), description="chains verified", completed=0, total=None)
        return verify(records, checkpoints, key, archive=archive, progress=advance)


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


class ExportFormat(StrEnum):
    """What ``audit export`` writes: the records themselves, not a command's result."""

    csv = "csv"
    json = "json"


def _export_format(value: str) -> ExportFormat:
    """csv or json; ``jsonl``, the option's old value, still means json (JSON Lines)."""
    text = str(value).strip().lower()
    try:
        return ExportFormat("json" if text == "jsonl" else text)
    except ValueError:
        raise typer.BadParameter(f"{value!r}: choose csv or json") from None


@audit_app.command("export")
def export_command(
    state: StateOpt = None,
    stack: StackOpt = None,
    region: RegionOpt = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option(
            "--format",
            parser=_export_format,
            metavar="[csv|json]",
            help="How the records are written: csv (default; a header line, one row per record) or json "
            "(JSON Lines: one JSON object per record and line, every value as stored).",
        ),
    ] = ExportFormat.csv,
    output: Annotated[
        Path | None, typer.Option("--out", "--output", "-o", help="File to write (default: standard output).")
    ] = None,
    since: Annotated[str | None, typer.Option("--since", help="First day, YYYY-MM-DD (UTC, inclusive).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Last day, YYYY-MM-DD (UTC, inclusive).")] = None,
    case: Annotated[str | None, typer.Option("--case", help="Only this case id.")] = None,
    operator: Annotated[str | None, typer.Option("--operator", help="Only records by this actor.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Only cases of this country code.")] = None,
) -> None:
    """Export chain records (CSV or JSON Lines) by date range, case, operator (actor) and country. Exit 2 on bad input."""
    from helpline.audit import export

    _check_days(since, until)
    source = source_from_options(state, stack, region)
    try:
        records, cases = source.interactions(), source.cases()
    except Exception as exc:  # noqa: BLE001 - an unreadable table: one line
        bad_input(f"{source.describe()}: {exc}")
    selected = export.rows(records, cases, since=since, until=until, case=case, operator=operator, country=country)
    text = export.render(selected, fmt.value)
    if output is None:
        sys.stdout.write(text)
        return
    try:
        export.write(text, output)
    except export.ExportError as exc:
        bad_input(str(exc))
    print(f"{len(selected)} record(s) written to {output}", file=sys.stderr)


def _check_days(since: str | None, until: str | None) -> None:
    """Both dates YYYY-MM-DD, real days, and in order; else one line and exit 2."""
    import datetime as dt
    import re

    for name, day in (("--since", since), ("--until", until)):
        if day is None:
            continue
        try:
            real = bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", day)) and bool(dt.date.fromisoformat(day))
        except ValueError:
            real = False
        if not real:
            bad_input(f"{name} must be a date YYYY-MM-DD, got {day!r}")
    if since is not None and until is not None and since > until:
        bad_input(f"--since {since} is after --until {until}: no day is in between")


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
    fmt: FormatOpt = Format.text,
) -> None:
    """Erase one caller: every contact (ContactLinks, caller item, cases, survey lists), their survey answers and contact links, the caller item, pseudonym and notes on cases, their survey campaign list entries (the opt-out entry stays: it keeps them from being called again), the number in Amazon Connect's record of each contact (stack); appends an 'erased' tombstone (counts only) to each case chain; ends with what it could not erase and the manual step for each (--format json: the same report as one JSON document). Exit 0 when everything reachable was erased, 1 when something failed, 2 on bad input."""
    from helpline.audit.erase import erase_caller, report_data, report_lines
    from helpline.audit.sources import pseudonym_for

    _check_caller(caller, pseudonym)
    source = source_from_options(state, stack, region)
    try:
        target = pseudonym or pseudonym_for(str(caller), source.hash_key())
        with progress_bar(_stderr(), f"erasing in {source.describe()}") as bar:  # advances per contact redacted
            source.progress = lambda done, total: bar.update(TaskID(0), completed=done, total=total)
            result = erase_caller(source, target, actor, dry_run=dry_run)
    except Exception as exc:  # noqa: BLE001 - weak key, AWS errors: one line
        print(f"{source.describe()}: erase failed: {exc}", file=sys.stderr)
        raise typer.Exit(1) from None
    if fmt == Format.json:
        print_json(report_data(result, source.describe(), source.has_connect))
    else:
        print("\n".join(report_lines(result, source.describe(), source.has_connect)))
    for line in result.failures:
        print(f"not erased: {line}", file=sys.stderr)
    exit_with(bool(result.failures))


def _check_caller(caller: str | None, pseudonym: str | None) -> None:
    """Exactly one of a number (E.164, never echoed) or a pseudonym (64 lowercase hex); else exit 2."""
    import re

    from functions.logic.pseudonym import normalise_e164

    if (caller is None) == (pseudonym is None):
        bad_input("give exactly one of --caller NUMBER or --pseudonym HEX")
    if pseudonym is not None and not re.fullmatch(r"[0-9a-f]{64}", pseudonym):
        bad_input("--pseudonym must be 64 lowercase hex characters")
    if caller is not None and normalise_e164(caller) is None:  # the one number check, never echoing it
        bad_input("--caller is not an E.164 phone number (e.g. +48600700800)")
