"""``helpline review XX [--out DIR]``: one HTML page about a country's helpline that a programme
manager can read and sign.

Country managers and protection staff check what callers will hear and where they will be
referred without reading YAML or flow JSON: the caller's journey told in plain words first,
hours and holidays, languages, the menu tree with every prompt in every language exactly as
callers hear it (placeholders filled), the partners with their contacts, which needs have no
partner in which region, how long data is kept, the flow pictures, and (when the cost tool is
present) what it costs. Everything comes from the validated country file and the rendered
flows, so the page says what will be deployed.

Every text carries its language (``lang``) and direction (``dir``: Arabic and the other
right-to-left scripts read right to left). The page is one self-contained file (inline CSS, the
flow pictures as inline SVG), written to ``build/review/`` (ignored by git) unless ``--out``
says otherwise; without Graphviz the page says the pictures were left out.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from jinja2 import Environment, PackageLoader, select_autoescape
from rich.console import Console
from rich.progress import TaskID

from functions.logic.needs import TOP_LEVEL
from helpline.config.messages import REQUIRED_MESSAGES, TEMPLATE_MESSAGES
from helpline.config.reference import LANGUAGES
from helpline.config.schema import CountryConfig
from helpline.output import Format, FormatOpt, bad_input, generated, print_json, progress_bar

# Languages written right to left (ISO 639-1/-3 codes): the page sets dir="rtl" on their texts.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "sd", "ug", "yi", "dv"})
DEFAULT_OUT = generated("review")  # build/review, which .gitignore ignores
NEEDS_NAMES = {
    "CR": "child at risk",
    "SC": "unaccompanied or separated child",
    "WR": "woman at risk",
    "ER": "older person at risk",
    "SP": "single parent or caregiver",
    "DS": "disability",
    "SM": "serious medical condition",
    "FU": "family unity",
    "LP": "legal or physical protection",
    "TR": "torture",
    "SV": "sexual and gender-based violence",
    "PG": "pregnant or lactating",
}


def direction(lang: str) -> str:
    """``rtl`` for a right-to-left language, else ``ltr`` (the HTML ``dir`` attribute)."""
    return "rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr"


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
    svg: str  # inline <svg> element


def _languages(cfg: CountryConfig) -> list[dict[str, Any]]:
    return [
        {
            "code": lang.code,
            "name": LANGUAGES[lang.code].english,
            "native": LANGUAGES[lang.code].native,
            "digit": lang.digit,
            "voice": f"Amazon Polly voice {lang.voice}" if lang.voice else "recorded prompts",
            "default": i == 0,
            "dir": direction(lang.code),
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
        {"key": key, "purpose": _filled(cfg, purpose), "texts": {lang: spoken[lang][key] for lang in langs}}
        for key, purpose in REQUIRED_MESSAGES.items()
        if key not in TEMPLATE_MESSAGES
    ]
    prompts += [
        {"key": key, "purpose": purpose, "texts": {lang: spoken[lang][key] for lang in langs}}
        for key, purpose in _survey_prompts(cfg)
    ]
    return {"main": main, "topics": topics, "prompts": prompts}


def _filled(cfg: CountryConfig, purpose: str) -> str:
    """A prompt's purpose with its placeholders as this country fills them (not ``{emergency_number}``)."""
    values = {
        "emergency_number": cfg.emergency.number,
        "emergency_digit": cfg.emergency.digit,
        "hours": "the opening hours",
        "digit": "the language's key",
        "country": cfg.name,
        "caller_language": "the caller's language",
    }
    return re.sub(r"\{([a-z_]+)\}", lambda m: values.get(m.group(1), m.group(0)), purpose)


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
            "contact": p.channel.address,
            "capacity": p.capacity,
        }
        for p in cfg.partners
    ]


def _serves(services: list[str], need: str) -> bool:
    return any(code == need or code.startswith(need + "-") for code in services)


def coverage(cfg: CountryConfig) -> dict[str, Any]:
    """Needs (UNHCR top-level codes) by region: the partners that serve each, and the gaps.

    A partner serves a need when it lists the code or one of its sub-codes (``LP-ND`` counts for
    ``LP``); ``regions: ['*']`` serves every region.
    """
    rows = []
    gaps: list[tuple[str, str]] = []
    for region in cfg.regions:
        cells = {}
        for need in TOP_LEVEL:
            names = [
                p.name for p in cfg.partners if ("*" in p.regions or region in p.regions) and _serves(p.services, need)
            ]
            cells[need] = names
            if not names:
                gaps.append((region, need))
        rows.append({"region": region, "cells": cells})
    return {"needs": [(n, NEEDS_NAMES.get(n, n)) for n in TOP_LEVEL], "rows": rows, "gaps": gaps}


# Called after each flow picture is drawn: (flow name, how many pictures there are in all).
Drawn = Callable[[str, int], None]
NO_DOT = "graphviz 'dot' is not installed (Debian/Ubuntu: apt-get install graphviz, macOS: brew install graphviz)"


def _pictures(cfg: CountryConfig, drawn: Drawn | None = None) -> tuple[list[Picture], str]:
    """Flow diagrams as inline SVG (the page is one file), or a note saying why there are none."""
    from helpline.flows.diagram import DiagramError, flow_graph
    from helpline.flows.render import RenderError, render_local

    if shutil.which("dot") is None:
        return [], f"Flow pictures left out: {NO_DOT}."
    try:
        flows, resolver = render_local(cfg)
        pictures = []
        for name in sorted(flows):
            svg = flow_graph(flows[name], cfg, resolver).pipe(format="svg").decode("utf-8")
            pictures.append(Picture(name, _inline_svg(svg)))
            if drawn is not None:
                drawn(name, len(flows))
    except (DiagramError, RenderError, OSError, subprocess.CalledProcessError) as exc:
        return [], f"Flow pictures left out: {str(exc).rstrip('.')}."
    return pictures, ""


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG file as an element to put in HTML: no XML prolog, doctype or comments."""
    svg = svg[svg.index("<svg") :]
    return re.sub(r"<!--.*?-->", "", svg, flags=re.S)


def journey(cfg: CountryConfig) -> list[str]:
    """The caller's way through the line, in plain words, from the country file and its texts."""
    langs = cfg.languages
    first = LANGUAGES[langs[0].code].english
    choice = ", ".join(f"{lang.digit} for {LANGUAGES[lang.code].english}" for lang in langs)
    slots = "; ".join(
        f"{days} {times if isinstance(times, str) else ', '.join(times)}" for days, times in cfg.hours.weekly.items()
    )
    topics = ", ".join(t.key.replace("_", " ") for t in cfg.topics)
    steps = []
    if len(langs) > 1:
        steps.append(
            f"The caller hears each language offered in that language and presses a key: {choice}. "
            f"A caller who presses nothing continues in {first}."
        )
    else:
        steps.append(f"The whole call is in {first}.")
    steps.append(
        "They are welcomed, told the call is confidential and may be recorded, and hear the emergency "
        f"number {cfg.emergency.number}. At any menu, key {cfg.emergency.digit} (in danger) puts them "
        "through to an operator with priority."
    )
    closures = f" and on {len(cfg.hours.closures)} holiday(s) or closure(s)" if cfg.hours.closures else ""
    steps.append(
        f"The line is open {slots} ({cfg.hours.time_zone}). Outside these hours{closures} the caller hears "
        f"that it is closed, when it opens and the emergency number, and can press 1 to be called back "
        "during opening hours."
    )
    steps.append(
        f"In the main menu: 1 information ({topics}), 2 report someone at risk, 3 feedback or complaint, "
        "0 speak to an operator. After information they can hear it again, go back or ask for an operator."
    )
    steps.append(
        "While waiting for an operator they hear, at every hold period, that all operators are busy and the "
        f"emergency number {cfg.emergency.number}, then quiet music; they can press 1 to be called back "
        "instead of waiting. If no queue can take the call, they are told the emergency number and to call again."
    )
    steps.append(
        "A call back is made during opening hours to the number they called from; if it cannot be arranged "
        f"they are told so, with the emergency number {cfg.emergency.number}. Every call that ends without "
        "a person ends with the emergency number."
    )
    return steps


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
    shots, note = _pictures(cfg, drawn) if pictures else ([], "Flow pictures not requested.")
    return {
        "cfg": cfg,
        "today": today.isoformat(),
        "languages": _languages(cfg),
        "hours": _hours(cfg, today),
        "menu": _menu(cfg),
        "partners": _partners(cfg),
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
