"""Keypad surveys: ``helpline survey-report COUNTRY`` (from a ``--state DIR`` or a deployed stack)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

TABLE_LOGICAL_ID = "SurveyResponsesTable"  # stacks/constructs/data.py: <LOGICAL_NAME>Table


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    des = TypeDeserializer()
    return {k: des.deserialize(v) for k, v in item.items()}


def answers_from_state(state_dir: Path) -> list[dict[str, Any]]:
    """Survey answers a local state folder holds (``helpline call ... --state DIR``)."""
    from helpline.sandbox import read_state

    if not state_dir.is_dir():
        raise FileNotFoundError(f"{state_dir} is not a folder")
    return [_plain(line.item) for line in read_state(state_dir).get("SurveyResponses", [])]


def answers_from_stack(stack: str, session: Any) -> list[dict[str, Any]]:
    """Survey answers in a deployed country stack: one paginated Scan of its SurveyResponses table."""
    cfn = session.client("cloudformation")
    resource = cfn.describe_stack_resource(StackName=stack, LogicalResourceId=TABLE_LOGICAL_ID)
    table = resource["StackResourceDetail"]["PhysicalResourceId"]
    paginator = session.client("dynamodb").get_paginator("scan")
    return [_plain(item) for page in paginator.paginate(TableName=table) for item in page.get("Items", [])]


def command(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl")],
    state: Annotated[Path | None, typer.Option(help="Local state folder written by `helpline call --state`")] = None,
    stack: Annotated[
        str | None, typer.Option(help="Deployed stack name, e.g. Helpline-PL-prod (uses AWS credentials)")
    ] = None,
    region: Annotated[str | None, typer.Option(help="AWS Region of --stack (default: the country's)")] = None,
    survey: Annotated[str | None, typer.Option(help="Only this survey id")] = None,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the CSV and the PNG charts")] = Path(
        "survey-report"
    ),
    min_sample: Annotated[int, typer.Option(min=1, help="Flag groups with fewer answers than this")] = 30,
) -> None:
    """Counts, percentages and completion per survey question and language: a table, a CSV and PNG charts."""
    from helpline.config import ConfigError, load_country
    from helpline.surveys.report import ReportError, summarize, survey_by_id, write_charts, write_csv

    try:
        cfg = load_country(country)
        chosen = survey_by_id(cfg, survey)
        if (state is None) == (stack is None):
            raise ReportError("give exactly one of --state DIR or --stack NAME")
        answers = _answers(cfg, state, stack, region)
    except (ConfigError, ReportError, FileNotFoundError, ValueError) as exc:
        print(f"survey-report: {exc}", file=sys.stderr)
        raise typer.Exit(2) from None
    stats, warnings = summarize(cfg, answers, chosen)
    out_dir.mkdir(parents=True, exist_ok=True)
    write_csv(cfg, stats, out_dir / f"{cfg.code}-surveys.csv", min_sample)
    charts = write_charts(cfg, stats, out_dir, min_sample)
    _print_table(stats, min_sample)
    for line in warnings:
        print(f"warning: {line}", file=sys.stderr)
    print(f"wrote {out_dir / f'{cfg.code}-surveys.csv'} and {len(charts)} charts")


def _answers(cfg: Any, state: Path | None, stack: str | None, region: str | None) -> list[dict[str, Any]]:
    if state is not None:
        return answers_from_state(state)
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return answers_from_stack(stack or "", boto3.session.Session(region_name=region or cfg.region))
    except (BotoCoreError, ClientError) as exc:
        raise ValueError(f"cannot read the stack's survey table: {exc}") from None


def _print_table(stats: list[Any], min_sample: int) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("survey", "question", "language", "answered", "completion", "answers (% of answered)")
    for st in stats:
        shares = ", ".join(f"{label} {st.percent(label):.0f}%" for label in st.counts)
        small = " (small sample)" if st.answered < min_sample else ""
        table.add_row(st.survey, st.label, st.language, f"{st.answered}{small}", f"{100 * st.completion:.0f}%", shares)
    Console(highlight=False, soft_wrap=True).print(table)
