"""``helpline survey-report COUNTRY``: counts, percentages and completion per question and language."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from helpline.output import Format, FormatOpt, bad_input, generated, print_json
from helpline.surveys.answers import answers_from_stack, answers_from_state

DEFAULT_OUT = generated("survey-report")  # build/survey-report, ignored by git


def command(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl")],
    state: Annotated[Path | None, typer.Option(help="Local state folder written by `helpline call --state`")] = None,
    stack: Annotated[
        str | None, typer.Option(help="Deployed stack name, e.g. Helpline-PL-prod (uses AWS credentials)")
    ] = None,
    region: Annotated[str | None, typer.Option(help="AWS Region of --stack (default: the country's)")] = None,
    survey: Annotated[str | None, typer.Option(help="Only this survey id")] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the CSV and the PNG charts (default build/survey-report)")
    ] = DEFAULT_OUT,
    min_sample: Annotated[int, typer.Option(min=1, help="Flag groups with fewer answers than this")] = 30,
    output: FormatOpt = Format.text,
) -> None:
    """Counts, percentages and completion per survey question and language: a table, a CSV and PNG charts."""
    from helpline.config import ConfigError, load_country
    from helpline.surveys.report import (
        ReportError,
        report_document,
        summarize,
        survey_by_id,
        write_charts,
        write_csv,
    )

    try:
        cfg = load_country(country)
        chosen = survey_by_id(cfg, survey)
        if (state is None) == (stack is None):
            raise ReportError("give exactly one of --state DIR or --stack NAME")
        answers = _answers(cfg, state, stack, region)
    except (ConfigError, ReportError, FileNotFoundError, ValueError) as exc:
        bad_input(f"survey-report: {exc}")
    stats, warnings = summarize(cfg, answers, chosen)
    csv_path = out_dir / f"{cfg.code}-surveys.csv"
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        write_csv(cfg, stats, csv_path, min_sample)
        charts = write_charts(cfg, stats, out_dir, min_sample)
    except OSError as exc:  # --out is a file, or not writable
        bad_input(f"survey-report: cannot write to {out_dir}: {exc.strerror or exc}")
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    if output is Format.json:
        print_json(report_document(cfg.code, stats, min_sample, warnings, [csv_path, *charts]))
        return
    _print_table(stats, min_sample)
    print(f"wrote {csv_path} and {len(charts)} charts")


def _answers(cfg: Any, state: Path | None, stack: str | None, region: str | None) -> list[dict[str, Any]]:
    """The stored answers; a stack that cannot be read (credentials, access, network) is one line and exit 2, as in
    every command that reads an account (docs/cli.md)."""
    if state is not None:
        return answers_from_state(state)
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return answers_from_stack(stack or "", boto3.session.Session(region_name=region or cfg.region))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ValidationError":  # no such stack in that Region
            raise ValueError(f"--stack {stack}: {exc.response['Error'].get('Message', exc)}") from None
        failure = str(exc)
    except BotoCoreError as exc:
        failure = str(exc)
    bad_input(f"survey-report: cannot read the stack's survey table: {failure}")


def _print_table(stats: list[Any], min_sample: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("survey", "question", "language", "answered", "completion", "answers (% of answered)")
    for st in stats:
        shares = ", ".join(f"{label} {st.percent(label):.0f}%" for label in st.counts)
        small = " (small sample)" if st.answered < min_sample else ""
        table.add_row(st.survey, st.label, st.language, f"{st.answered}{small}", f"{100 * st.completion:.0f}%", shares)
    # A pipe or a file gets the whole table (no cut labels); a terminal its own width.
    Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200).print(table)
