"""``helpline review XX``: write the page, say what it leaves out, print where it went."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import TaskID

from helpline.config.schema import CountryConfig
from helpline.output import Format, FormatOpt, bad_input, generated, print_json, progress_bar
from helpline.review.page import render_review, warnings

DEFAULT_OUT = generated("review")  # build/review, which .gitignore ignores


def _render(cfg: CountryConfig, out_dir: Path, *, pictures: bool, **load: Any) -> tuple[Path, dict[str, Any]]:
    """The page, with a progress bar on standard error while the flow pictures are drawn."""
    if not pictures:
        return render_review(cfg, out_dir, pictures=False, **load)
    with progress_bar(Console(stderr=True), "drawing the flow pictures") as bar:

        def drawn(name: str, total: int) -> None:
            bar.update(TaskID(0), total=total, description=f"drawn {name}")
            bar.advance(TaskID(0))

        return render_review(cfg, out_dir, drawn=drawn, **load)


def command(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl")],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for <code>.html (default build/review, ignored by git)")
    ] = DEFAULT_OUT,
    pictures: Annotated[bool, typer.Option(help="Draw the flow pictures (needs Graphviz 'dot')")] = True,
    calls_per_week: Annotated[int, typer.Option(min=0, help="Load for the cost estimate")] = 400,
    minutes_per_call: Annotated[float, typer.Option(min=0.0, help="Load for the cost estimate")] = 6.0,
    stage: Annotated[str | None, typer.Option(help="Stage whose overrides to apply, e.g. dev")] = None,
    output: FormatOpt = Format.text,
) -> None:
    """Write one self-contained HTML page about a country's helpline for programme managers to review and sign."""
    from helpline.config import ConfigError, load_country

    try:
        cfg = load_country(country, stage=stage)
    except ConfigError as exc:
        bad_input(str(exc))
    try:
        path, context = _render(cfg, out_dir, pictures=pictures, calls_per_week=calls_per_week,
                                minutes_per_call=minutes_per_call)  # fmt: skip
    except OSError as exc:  # --out is a file, or not writable
        bad_input(f"review: cannot write to {out_dir}: {exc.strerror or exc}")
    notes = warnings(context)
    gaps = [{"region": region, "need": need} for region, need in context["coverage"]["gaps"]]
    for line in notes:
        print(f"warning: {line}", file=sys.stderr)
    if output is Format.json:
        print_json({"country": cfg.code, "file": str(path), "pictures": len(context["pictures"]), "gaps": gaps,
                    "warnings": notes})  # fmt: skip
        return
    print(f"wrote {path} ({len(context['pictures'])} flow pictures)")
