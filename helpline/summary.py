"""One-screen summary of what `make synth` rendered, read back from the synthesized templates.

Per country: the country stack (queues, flows, tables, functions, prompts, quotas), then its live
test stack ``<country stack>-tests`` (how many test cases, in how many creation batches, and the
stack it is deployed after)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from helpline.quotas import connect_lambda_count, plan

if TYPE_CHECKING:  # pragma: no cover
    from helpline.config.schema import CountryConfig


def _names(resources: dict, rtype: str, prop: str) -> list[str]:
    return sorted(r["Properties"].get(prop, "?") for r in resources.values() if r["Type"] == rtype)


def _batches(resources: dict) -> list[int]:
    """Sizes of the test-case creation batches (test cases that wait for the same ones)."""
    groups: dict[tuple, int] = {}
    for r in resources.values():
        if r["Type"] == "AWS::Connect::TestCase":
            key = tuple(sorted(r.get("DependsOn") or []))
            groups[key] = groups.get(key, 0) + 1
    return list(groups.values())


def summarize(outdir: Path) -> list[dict]:
    manifest = json.loads((outdir / "manifest.json").read_text())
    rows = []
    for artifact_id, artifact in sorted(manifest["artifacts"].items()):
        if artifact.get("type") != "aws:cloudformation:stack":
            continue
        template = json.loads((outdir / artifact["properties"]["templateFile"]).read_text())
        res = template["Resources"]
        env = artifact.get("environment", "")
        handlers = sorted(
            r["Properties"]["Handler"].split(".")[-2]
            for r in res.values()
            if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("Handler", "").startswith("functions.")
        )
        rows.append(
            {
                "stack": artifact_id,
                "region": env.rsplit("/", 1)[-1],
                "queues": _names(res, "AWS::Connect::Queue", "Name"),
                "flows": _names(res, "AWS::Connect::ContactFlow", "Name"),
                "tables": sorted(
                    k.removesuffix("Table") for k, r in res.items() if r["Type"] == "AWS::DynamoDB::Table"
                ),
                "functions": handlers,
                "prompts": sum(1 for r in res.values() if r["Type"] == "AWS::Connect::Prompt"),
                "connect_lambdas": connect_lambda_count(template),
                "resources": len(res),
                "test_cases": sum(1 for r in res.values() if r["Type"] == "AWS::Connect::TestCase"),
                "batches": _batches(res),
                "after": sorted(
                    d
                    for d in artifact.get("dependencies", [])
                    if d in manifest["artifacts"] and manifest["artifacts"][d].get("type") == "aws:cloudformation:stack"
                ),
                "template_kib": round((outdir / artifact["properties"]["templateFile"]).stat().st_size / 1024),
            }
        )
    return rows


def print_summary(outdir: Path, console: Console | None = None) -> None:
    from helpline.config import load_country

    console = console or Console()
    for row in summarize(outdir):
        if row["test_cases"]:
            print_test_stack(row, console)
            continue
        code = row["stack"].split("-")[1].lower()
        cfg = None
        try:
            cfg = load_country(code, stage=row["stack"].split("-", 2)[2])
            langs = ", ".join(f"{lg.code} ({'recorded' if lg.recorded else lg.voice})" for lg in cfg.languages)
        except Exception:  # a stack synthesized from a file that changed since; show what we can
            langs = "?"
        table = _stack_table(row)
        table.add_row("languages", langs)
        table.add_row("queues", ", ".join(row["queues"]))
        table.add_row("flows", ", ".join(row["flows"]))
        table.add_row("tables", ", ".join(row["tables"]))
        table.add_row("functions", ", ".join(row["functions"]))
        table.add_row("prompts", prompts_cell(row["prompts"], cfg))
        console.print(table)
        if cfg is not None:
            print_quotas(plan(cfg, connect_lambdas=row["connect_lambdas"]), console)


def prompts_cell(in_template: int, cfg: CountryConfig | None) -> str:
    """The stack's prompts as ``helpline prompts`` counts them (one function, :func:`prompt_counts`),
    e.g. ``54 recorded prompts in uk (54 placeholders) + hold music (generated)``; the template's
    count of AWS::Connect::Prompt is named too when it differs (a stack synthesized before the
    files or the flows changed)."""
    from helpline.flows.render import RenderError
    from helpline.prompts import PromptError, check_prompts
    from helpline.prompts.check import deployed_line, prompt_counts

    if cfg is None:
        return f"{in_template} prompts"
    try:
        counts = prompt_counts(check_prompts(cfg))
    except (PromptError, RenderError) as exc:
        return f"{in_template} prompts (not counted: {exc})"
    line = deployed_line(counts)
    if counts.deployed != in_template:
        line += f"; the template has {in_template} AWS::Connect::Prompt, not {counts.deployed}: synthesize again"
    return line


def _stack_table(row: dict) -> Table:
    """A two-column table titled with the stack's size, its Region in the first row."""
    table = Table(
        title=f"{row['stack']}  ({row['resources']} resources, {row['template_kib']} KiB)",
        show_header=False,
    )
    table.add_column(style="bold")
    table.add_column()
    table.add_row("region", row["region"])
    return table


def print_test_stack(row: dict, console: Console) -> None:
    """A live test stack: its test cases, their creation batches, the stack deployed before it."""
    table = _stack_table(row)
    batches = row["batches"]
    table.add_row(
        "test cases",
        f"{row['test_cases']} live test cases, created in {len(batches)} batches of at most {max(batches)}",
    )
    table.add_row("deploy after", ", ".join(row["after"]) or "-")
    console.print(table)


def print_quotas(needs: list, console: Console) -> None:
    """The service quotas the planned peak needs (country file `capacity`), and which to raise."""
    table = Table("service", "quota", "default", "needed", "", title="Service quotas at the planned peak")
    for need in needs:
        default = "?" if need.default is None else str(need.default)
        verdict = "RAISE before launch" if need.raise_it else "ok"
        table.add_row(need.service, need.quota, default, str(need.needed), verdict)
    console.print(table)
    for need in needs:
        console.print(f"  {need.quota}: {need.note} ({need.source})", highlight=False)


if __name__ == "__main__":
    print_summary(Path(sys.argv[1] if len(sys.argv) > 1 else "cdk.out"))
