"""``helpline review XX --out DIR``: one HTML page about a country's helpline for non-engineers.

Country managers and protection staff check what callers will hear and where they will be
referred without reading YAML or flow JSON: hours and holidays, languages, the menu tree with
every prompt in every language, the flow pictures, the partners and what they serve, how long
data is kept, and (when the cost tool is present) what it costs.  Everything comes from the
validated country file and the rendered flows, so the page says what will be deployed.

The page is self-contained (inline CSS, pictures beside it in ``<out>/diagrams/``); without
Graphviz the pictures are left out with a note and the rest of the page is complete.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from jinja2 import Environment, PackageLoader, select_autoescape

from helpline.config.messages import REQUIRED_MESSAGES, TEMPLATE_MESSAGES
from helpline.config.reference import LANGUAGES
from helpline.config.schema import CountryConfig

# The main menu as the inbound flow offers it (contact_flows/inbound_lang.json).
MAIN_MENU = (
    ("1", "Information", "topics_menu_intro"),
    ("2", "Report someone at risk", "report_risk"),
    ("3", "Feedback or complaint", "feedback"),
    ("0", "Speak to an operator", "transfer"),
)


@dataclass(frozen=True)
class Picture:
    name: str
    file: str


def _languages(cfg: CountryConfig) -> list[dict[str, Any]]:
    return [
        {
            "code": lang.code,
            "name": LANGUAGES[lang.code].english,
            "native": LANGUAGES[lang.code].native,
            "digit": lang.digit,
            "voice": f"Amazon Polly voice {lang.voice}" if lang.voice else "recorded prompts",
            "default": i == 0,
        }
        for i, lang in enumerate(cfg.languages)
    ]


def _hours(cfg: CountryConfig, today: dt.date) -> dict[str, Any]:
    days = {}
    for slot in cfg.hours.slots:
        days.setdefault(slot.day.title(), []).append(
            f"{slot.start[0]:02}:{slot.start[1]:02}-{slot.end[0]:02}:{slot.end[1]:02}"
        )
    closures = [
        {
            "name": c.name,
            "dates": c.date.isoformat() + (f" to {c.until.isoformat()}" if c.until else ""),
            "every_year": c.every_year,
        }
        for c in cfg.hours.closures
    ]
    upcoming = sorted((first, last, name) for name, first, last in cfg.hours.closure_spans(today) if last >= today)[:6]
    return {
        "time_zone": cfg.hours.time_zone,
        "weekly": days,
        "closures": closures,
        "upcoming": [{"name": n, "from": f.isoformat(), "till": t.isoformat()} for f, t, n in upcoming],
        "spoken": {code: cfg.hours.spoken[code] for code in cfg.language_codes},
    }


def _menu(cfg: CountryConfig) -> dict[str, Any]:
    """The menu tree: per node the key to press and what is said, in every language."""
    langs = cfg.language_codes
    spoken = {lang: cfg.spoken(lang) for lang in langs}
    main = [
        {"digit": digit, "label": label, "texts": {lang: spoken[lang][key] for lang in langs}}
        for digit, label, key in MAIN_MENU
    ]
    topics = [
        {
            "digit": t.digit,
            "key": t.key,
            "menu": {lang: spoken[lang][f"topic_{t.key}_menu"] for lang in langs},
            "info": {lang: spoken[lang][f"topic_{t.key}_info"] for lang in langs},
        }
        for t in cfg.topics
    ]
    prompts = [
        {"key": key, "purpose": purpose, "texts": {lang: spoken[lang][key] for lang in langs}}
        for key, purpose in REQUIRED_MESSAGES.items()
        if key not in TEMPLATE_MESSAGES
    ]
    prompts += [
        {"key": key, "purpose": purpose, "texts": {lang: spoken[lang][key] for lang in langs}}
        for key, purpose in _survey_prompts(cfg)
    ]
    return {"main": main, "topics": topics, "prompts": prompts}


def _survey_prompts(cfg: CountryConfig) -> list[tuple[str, str]]:
    """(prompt id, what it is for) of every survey text, in the order callers hear them."""
    out = []
    for survey in cfg.surveys:
        if survey.kind == "post_call":
            keys = "after the call: consent (1 take part, 2 decline)"
        else:
            keys = "on an outbound survey call: who calls and why (1 take part, 2 decline for good, 9 the helpline now)"
            out.append(
                (
                    f"survey_{survey.id}_opener",
                    f"Survey '{survey.id}': said first on pickup, before the person is identified (1 continues); "
                    "must name nothing: not the helpline, refugees, the survey, the country, the emergency services",
                )
            )
            out.append(
                (
                    f"survey_{survey.id}_opener_goodbye",
                    f"Survey '{survey.id}': goodbye when nobody pressed 1 at the opener (a voicemail, someone else); "
                    "names nothing, like the opener",
                )
            )
        out.append((f"survey_{survey.id}_consent", f"Survey '{survey.id}' {keys}"))
        if survey.kind == "outbound":
            out.append(
                (
                    f"survey_{survey.id}_declined",
                    f"Survey '{survey.id}': said after 2 (never called again), with the emergency number",
                )
            )
        out += [(f"survey_{survey.id}_{q.id}", f"Survey '{survey.id}': {q.label} ({q.kind})") for q in survey.questions]
        out.append((f"survey_{survey.id}_thanks", f"Survey '{survey.id}': last words, with the emergency number"))
    return out


def _partners(cfg: CountryConfig) -> list[dict[str, Any]]:
    return [
        {
            "name": p.name,
            "id": p.id,
            "services": ", ".join(p.services),
            "regions": "whole country" if "*" in p.regions else ", ".join(p.regions),
            "languages": ", ".join(LANGUAGES[code].english if code in LANGUAGES else code for code in p.languages),
            "channel": p.channel.type,
            "capacity": p.capacity,
        }
        for p in cfg.partners
    ]


def _pictures(cfg: CountryConfig, out_dir: Path) -> tuple[list[Picture], str]:
    """Flow diagrams next to the page, or a note saying why there are none."""
    from helpline.flows.diagram import DiagramError, write_diagrams

    try:
        paths = write_diagrams(cfg, out_dir / "diagrams")
    except DiagramError as exc:
        return [], f"Flow pictures left out: {exc}."
    svgs = sorted(p for p in paths if p.suffix == ".svg")
    return [Picture(p.stem, str(p.relative_to(out_dir))) for p in svgs], ""


def _cost(cfg: CountryConfig, calls_per_week: int, minutes_per_call: float) -> Any:
    """The cost estimate when the cost tool is installed (helpline.cost), else None."""
    try:
        from helpline import cost
    except ImportError:
        return None
    estimate = getattr(cost, "review_estimate", None)
    return estimate(cfg, calls_per_week=calls_per_week, minutes_per_call=minutes_per_call) if estimate else None


def page_context(cfg: CountryConfig, out_dir: Path, *, today: dt.date, pictures: bool = True, **load: Any) -> dict:
    shots, note = _pictures(cfg, out_dir) if pictures else ([], "Flow pictures not requested.")
    return {
        "cfg": cfg,
        "today": today.isoformat(),
        "languages": _languages(cfg),
        "hours": _hours(cfg, today),
        "menu": _menu(cfg),
        "partners": _partners(cfg),
        "retention": cfg.retention_days.model_dump(),
        "pictures": shots,
        "pictures_note": note,
        "cost": _cost(cfg, load.get("calls_per_week", 400), load.get("minutes_per_call", 6.0)),
        "lang_names": {code: LANGUAGES[code].english for code in cfg.language_codes},
    }


def write_review(cfg: CountryConfig, out_dir: Path, *, today: dt.date | None = None, **options: Any) -> Path:
    """Write ``<out>/<code>.html`` (and its pictures) and return the page's path."""
    env = Environment(loader=PackageLoader("helpline.review", "templates"), autoescape=select_autoescape(["html"]))
    out_dir.mkdir(parents=True, exist_ok=True)
    context = page_context(cfg, out_dir, today=today or dt.date.today(), **options)
    path = out_dir / f"{cfg.code}.html"
    path.write_text(env.get_template("review.html").render(**context), encoding="utf-8")
    return path


def command(
    country: Annotated[str, typer.Argument(help="Country code, e.g. pl")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for <code>.html and its pictures")] = Path("review"),
    pictures: Annotated[bool, typer.Option(help="Draw the flow pictures (needs Graphviz 'dot')")] = True,
    calls_per_week: Annotated[int, typer.Option(min=0, help="Load for the cost estimate")] = 400,
    minutes_per_call: Annotated[float, typer.Option(min=0.0, help="Load for the cost estimate")] = 6.0,
    stage: Annotated[str | None, typer.Option(help="Stage whose overrides to apply, e.g. dev")] = None,
) -> None:
    """Write one HTML page about a country's helpline for non-engineers (hours, menu, prompts, partners...)."""
    from helpline.config import ConfigError, load_country

    try:
        cfg = load_country(country, stage=stage)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        raise typer.Exit(2) from None
    path = write_review(
        cfg, out_dir, pictures=pictures, calls_per_week=calls_per_week, minutes_per_call=minutes_per_call
    )
    print(f"wrote {path}")
