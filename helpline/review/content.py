"""What the review page says about a country, from its validated country file: languages, hours,
the menu with every prompt, partners and the needs they cover, and the caller's journey in words."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from functions.logic.needs import TOP_LEVEL
from helpline.config.messages import REQUIRED_MESSAGES, TEMPLATE_MESSAGES
from helpline.config.reference import LANGUAGES
from helpline.config.schema import CountryConfig

# Languages written right to left (ISO 639-1/-3 codes): the page sets dir="rtl" on their texts.
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb", "sd", "ug", "yi", "dv"})
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


def languages(cfg: CountryConfig) -> list[dict[str, Any]]:
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


def hours(cfg: CountryConfig, today: dt.date) -> dict[str, Any]:
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


def menu(cfg: CountryConfig) -> dict[str, Any]:
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


def partners(cfg: CountryConfig) -> list[dict[str, Any]]:
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
