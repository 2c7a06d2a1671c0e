"""The review page: its content put together and rendered to one self-contained HTML file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from helpline.config.reference import LANGUAGES
from helpline.config.schema import CountryConfig
from helpline.review.content import NEEDS_NAMES, coverage, direction, hours, journey, languages, menu, partners
from helpline.review.pictures import Drawn, draw_pictures


def _cost(cfg: CountryConfig, calls_per_week: int, minutes_per_call: float) -> Any:
    """The cost estimate when the cost tool is installed (helpline.cost), else None."""
    try:
        from helpline import cost
    except ImportError:
        return None
    estimate = getattr(cost, "review_estimate", None)
    return estimate(cfg, calls_per_week=calls_per_week, minutes_per_call=minutes_per_call) if estimate else None


def page_context(
    cfg: CountryConfig, *, today: dt.date, pictures: bool = True, drawn: Drawn | None = None, **load: Any
) -> dict:
    shots, note = draw_pictures(cfg, drawn) if pictures else ([], "Flow pictures not requested.")
    return {
        "cfg": cfg,
        "today": today.isoformat(),
        "languages": languages(cfg),
        "hours": hours(cfg, today),
        "menu": menu(cfg),
        "partners": partners(cfg),
        "coverage": coverage(cfg),
        "journey": journey(cfg),
        "dirs": {code: direction(code) for code in cfg.language_codes},
        "retention": cfg.retention_days.model_dump(),
        "pictures": shots,
        "pictures_note": note,
        "cost": _cost(cfg, load.get("calls_per_week", 400), load.get("minutes_per_call", 6.0)),
        "lang_names": {code: LANGUAGES[code].english for code in cfg.language_codes},
    }


def render_review(
    cfg: CountryConfig, out_dir: Path, *, today: dt.date | None = None, **options: Any
) -> tuple[Path, dict[str, Any]]:
    """Write ``<out>/<code>.html`` (one self-contained file); return its path and what the page was made of."""
    env = Environment(loader=PackageLoader("helpline.review", "templates"), autoescape=select_autoescape(["html"]))
    out_dir.mkdir(parents=True, exist_ok=True)
    context = page_context(cfg, today=today or dt.date.today(), **options)
    path = out_dir / f"{cfg.code}.html"
    path.write_text(env.get_template("review.html").render(**context), encoding="utf-8")
    return path, context


def write_review(cfg: CountryConfig, out_dir: Path, *, today: dt.date | None = None, **options: Any) -> Path:
    """Write ``<out>/<code>.html`` (one self-contained file) and return its path."""
    return render_review(cfg, out_dir, today=today, **options)[0]


def warnings(context: dict[str, Any]) -> list[str]:
    """What the page leaves out or flags, one line each (the page says the same)."""
    out = []
    if context["pictures_note"].startswith("Flow pictures left out"):
        out.append(context["pictures_note"])
    gaps = context["coverage"]["gaps"]
    if gaps:
        regions: dict[str, list[str]] = {}
        for region, need in gaps:
            regions.setdefault(need, []).append(region)
        said = "; ".join(f"{need} ({NEEDS_NAMES.get(need, need)}) in {', '.join(r)}" for need, r in regions.items())
        out.append(f"{len(gaps)} need(s) by region with no partner: {said}")
    if context["cost"] is None:
        out.append("no cost section: no synthesized template in cdk.out/ (make synth)")
    return out
