"""``helpline new-country XX``: write a country file to fill in, with every text to write marked.

The file has everything the schema needs: the languages with their menu digits and a voice
(or recorded prompts where Amazon Polly has no voice), the opening hours, the emergency number,
the standard topics, and a phone number to claim.  Every text a person must write or translate
starts with :data:`UNTRANSLATED`; the country-file rules refuse the file, naming each such
text, until all are replaced (so ``make synth`` cannot deploy a half-written helpline).
Messages that ``countries/messages.yaml`` already translates are not repeated.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from helpline.config.loader import COUNTRIES_DIR, SHARED_FILES
from helpline.config.messages import LANGUAGE_NAME_PREFIX, REQUIRED_MESSAGES, UNTRANSLATED
from helpline.config.reference import CONNECT_REGIONS, LANGUAGES
from helpline.config.schema import parse_days, parse_time_range, zone
from helpline.config.upgrade import FORMAT_VERSION
from helpline.output import Format, FormatOpt, bad_input, print_json

# The topics most helplines start with (UNHCR and NRC lines): key -> English menu wording.
STANDARD_TOPICS = {
    "health": "health care",
    "education": "education and kindergartens",
    "employment": "work",
    "housing": "housing",
    "legal": "legal help and documents",
    "cash": "cash assistance",
}


class ScaffoldError(ValueError):
    """A bad option for new-country: one line saying what and how to fix it."""


def _languages(codes: list[str], emergency_digit: str) -> list[dict[str, Any]]:
    unknown = [c for c in codes if c not in LANGUAGES]
    if unknown:
        raise ScaffoldError(f"unknown language code '{unknown[0]}'; fix: use ISO 639-1 codes such as uk, ar, en")
    if len(set(codes)) != len(codes):
        raise ScaffoldError("a language is listed twice; fix: list each language once")
    digits = [d for d in "123456780" if d != emergency_digit]
    if len(codes) > len(digits):
        raise ScaffoldError(f"{len(codes)} languages do not fit on a keypad menu; fix: offer at most {len(digits)}")
    out = []
    for code, digit in zip(codes, digits, strict=False):
        voices = LANGUAGES[code].polly_voices
        out.append({"code": code, "digit": digit, **({"voice": voices[0]} if voices else {"recorded": True})})
    return out


def _weekly(hours: list[str]) -> dict[str, str]:
    weekly: dict[str, str] = {}
    for item in hours:
        days, _, times = item.strip().partition(" ")
        try:
            parse_days(days)
            parse_time_range(times.strip())
        except ValueError as exc:
            raise ScaffoldError(f"--hours '{item}': {exc}") from None
        weekly[days] = times.strip()
    return weekly


def _standard_messages(countries_dir: Path) -> dict[str, dict[str, str]]:
    return yaml.safe_load((countries_dir / "messages.yaml").read_text(encoding="utf-8")) or {}


def _messages(langs: list[str], standard: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Texts the standard file lacks: marked, with the English text to translate."""
    english = standard.get("en", {})
    operator = langs[0]
    out: dict[str, dict[str, str]] = {}
    for lang in langs:
        have = standard.get(lang, {})
        needed = {k: english.get(k, REQUIRED_MESSAGES[k]) for k in REQUIRED_MESSAGES if k not in have}
        if "language_option" in needed:  # the offer names this language, not English
            needed["language_option"] = f"For {LANGUAGES[lang].english}, press {{digit}}."
        if lang == operator:
            for code in langs:
                key = f"{LANGUAGE_NAME_PREFIX}{code}"
                if key not in have:
                    needed[key] = LANGUAGES[code].english
        if needed:
            name = LANGUAGES[lang].english
            out[lang] = {k: f"{UNTRANSLATED} ({name}) {v}" for k, v in needed.items()}
    return out


def _topics(langs: list[str], country: str, emergency: str) -> list[dict[str, Any]]:
    topics = []
    for digit, (key, subject) in enumerate(STANDARD_TOPICS.items(), start=1):
        menu, info = {}, {}
        for lang in langs:
            name = LANGUAGES[lang].english
            menu[lang] = f"{UNTRANSLATED} ({name}) For {subject}, press {digit}."
            info[lang] = (
                f"{UNTRANSLATED} ({name}) What a caller needs to know about {subject} in {country}: "
                f"where to go, what to bring, what it costs. In an emergency, call {emergency}."
            )
        topics.append({"key": key, "digit": str(digit), "menu": menu, "info": info})
    return topics


def country_document(
    code: str,
    *,
    name: str,
    languages: list[str],
    time_zone: str,
    hours: list[str],
    region: str,
    emergency_number: str,
    number_type: str = "DID",
    regions: list[str] | None = None,
    countries_dir: Path = COUNTRIES_DIR,
) -> dict[str, Any]:
    """The new country file as a mapping (validated option by option)."""
    if not re.fullmatch(r"[a-z]{2}", code):
        raise ScaffoldError(f"'{code}' is not a country code; fix: use the ISO 3166-1 alpha-2 code, e.g. md")
    if not name.strip():
        raise ScaffoldError("--name is empty; fix: give the country's name, e.g. --name Moldova")
    if region not in CONNECT_REGIONS:
        raise ScaffoldError(
            f"Amazon Connect is not offered in '{region}'; fix: use one of {', '.join(sorted(CONNECT_REGIONS))}"
        )
    try:
        zone(time_zone)
    except LookupError:
        raise ScaffoldError(f"'{time_zone}' is not an IANA time zone; fix: use a name like Europe/Chisinau") from None
    if not re.fullmatch(r"[0-9]{2,6}", emergency_number):
        raise ScaffoldError(f"'{emergency_number}' is not an emergency number; fix: digits only, e.g. 112")
    if not languages:
        raise ScaffoldError("no language given; fix: --languages uk,ru (the first is the default)")
    regions = regions or []
    if not regions or any(not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,63}", r) for r in regions):
        raise ScaffoldError(
            f"--country-regions {','.join(regions)!r} is not a list of region names; "
            "fix: lower-case names, e.g. north,centre"
        )
    langs = _languages(languages, "9")
    codes = [lang["code"] for lang in langs]
    weekly = _weekly(hours or ["mon-fri 09:00-17:00"])
    said = "; ".join(f"{d} {t}" for d, t in weekly.items())
    messages = _messages(codes, _standard_messages(countries_dir))
    doc: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "code": code,
        "name": name.strip(),
        "region": region,
        "languages": langs,
        "hours": {
            "time_zone": time_zone,
            "weekly": weekly,
            "closures": [],
            "spoken": {
                c: f"{UNTRANSLATED} ({LANGUAGES[c].english}) The opening hours as said aloud: {said}" for c in codes
            },
        },
        "regions": list(dict.fromkeys(regions)),
        "emergency": {"number": emergency_number, "digit": "9"},
        "topics": _topics(codes, name.strip(), emergency_number),
        "partners": [],
        "phone_number": {"type": number_type, "country_code": code.upper()},
    }
    if messages:
        doc["messages"] = messages
    labels = _guide_labels(codes[0])
    if labels:
        doc["operators"] = {"labels": labels}
    return doc


def _guide_labels(lang: str) -> dict[str, str]:
    """The operators' guide's labels to write when the project ships none in ``lang``: marked,
    with the English text to translate (merged over nothing: every key of en.yaml)."""
    from helpline.guide import REFERENCE, has_label_set, labels

    if has_label_set(lang):
        return {}
    name = LANGUAGES[lang].english
    return {k: f"{UNTRANSLATED} ({name}) {v}" for k, v in labels(REFERENCE).items()}


HEADER = """\
# {name}: written by `helpline new-country {code}`. Reference: docs/country-file.md
# Replace every text that starts with {marker}: the helpline is refused (helpline validate {code},
# make synth) until none is left. Languages without an Amazon Polly voice use recorded prompts:
# list them with `helpline prompts {code}`. Add partners (referrals) and closures (holidays).
"""


def write_country(doc: dict[str, Any], *, countries_dir: Path = COUNTRIES_DIR, force: bool = False) -> Path:
    code = doc["code"]
    if not countries_dir.is_dir():
        raise ScaffoldError(f"folder {countries_dir} does not exist; fix: create it or choose another --out")
    path = countries_dir / f"{code}.yaml"
    if path.name in SHARED_FILES:
        raise ScaffoldError(f"'{code}' would overwrite a shared file; fix: use the country's code")
    if path.exists() and not force:
        raise ScaffoldError(f"{path.name} already exists; fix: choose another code or pass --force to overwrite it")
    text = HEADER.format(name=doc["name"], code=code, marker=UNTRANSLATED)
    text += yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110)
    path.write_text(text, encoding="utf-8")
    return path


NUMBER_TYPES = ("DID", "TOLL_FREE")

# Options asked for when left out, in this order: (parameter, question). Asked on standard error,
# so standard output holds only the result (one JSON document with --format json).
QUESTIONS = (
    ("name", "Country name"),
    ("languages", "Languages (ISO 639-1, comma-separated; the first is the default)"),
    ("time_zone", "Time zone"),
    ("region", "AWS Region"),
    ("country_regions", "The country's regions (comma-separated, lower case)"),
    ("emergency_number", "Emergency number callers in danger dial (digits, e.g. 112 in the EU)"),
)


def count_marked(node: Any) -> int:
    """How many texts of the document still carry the :data:`UNTRANSLATED` mark."""
    if isinstance(node, dict):
        return sum(count_marked(v) for v in node.values())
    if isinstance(node, list):
        return sum(count_marked(v) for v in node)
    return int(isinstance(node, str) and UNTRANSLATED in node)


def _shown(path: Path) -> str:
    return str(path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path)


def written_report(doc: dict[str, Any], path: Path) -> dict[str, Any]:
    """What new-country wrote and what is left to do (the text and the JSON output say the same)."""
    from helpline.config import ConfigError, load_country

    try:
        load_country(path)
        left = "nothing left to write"
    except ConfigError as exc:
        left = exc.problem.split(", the first:")[0].split(":")[0]
    code = doc["code"]
    recorded = [lang["code"] for lang in doc["languages"] if lang.get("recorded")]
    steps = [f"write the marked texts, then `helpline validate {code}`"]
    if recorded:
        steps.append(
            f"recorded prompts needed for {', '.join(recorded)} (no Amazon Polly voice): "
            f"`helpline prompts {code}` lists them, --placeholders makes stand-ins for a test deploy"
        )
    return {
        "file": _shown(path),
        "country": code,
        "languages": [lang["code"] for lang in doc["languages"]],
        "recorded_prompts": recorded,
        "untranslated": count_marked(doc),
        "left": left,
        "next_steps": steps,
    }


def _ask(key: str, question: str) -> str:
    """One answer read from standard input, the question on standard error (standard output holds the result)."""
    print(f"{question}: ", end="", file=sys.stderr, flush=True)
    line = sys.stdin.readline()
    if not line:  # end of input: the question's line ends, the refusal is a line of its own
        print(file=sys.stderr)
        bad_input(f"new-country: no answer for --{key.replace('_', '-')}; fix: pass it as an option")
    return line.strip()


def command(
    code: Annotated[str, typer.Argument(help="ISO 3166-1 alpha-2 code of the new country, e.g. md")],
    name: Annotated[str | None, typer.Option(help="The country's name, e.g. Moldova (asked when left out)")] = None,
    languages: Annotated[
        str | None, typer.Option(help="ISO 639-1 codes, comma-separated, the first is the default, e.g. ro,uk,en")
    ] = None,
    time_zone: Annotated[str | None, typer.Option(help="IANA time zone, e.g. Europe/Chisinau")] = None,
    region: Annotated[str | None, typer.Option(help="AWS Region where Amazon Connect runs, e.g. eu-central-1")] = None,
    country_regions: Annotated[
        str | None,
        typer.Option(
            help="The country's own regions the operators' guide offers and partners serve, "
            "comma-separated, lower case, e.g. chisinau,north,south"
        ),
    ] = None,
    emergency_number: Annotated[
        str | None,
        typer.Option(help="Local emergency number said to callers, e.g. 112; every text that ends a call says it"),
    ] = None,
    hours: Annotated[
        list[str] | None,
        typer.Option(help="Opening hours as 'DAYS HH:MM-HH:MM', repeatable; default 'mon-fri 09:00-17:00'"),
    ] = None,
    number_type: Annotated[str, typer.Option(help="Phone number to claim: DID or TOLL_FREE")] = "DID",
    force: Annotated[bool, typer.Option(help="Overwrite an existing country file")] = False,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder to write to (the shared defaults still come from countries/)")
    ] = COUNTRIES_DIR,
    output: FormatOpt = Format.text,
) -> None:
    """Write countries/XX.yaml to fill in; texts to write are marked and refused until replaced.
    Options left out are asked for."""
    given = {"name": name, "languages": languages, "time_zone": time_zone, "region": region,
             "country_regions": country_regions, "emergency_number": emergency_number}  # fmt: skip
    answers = {key: _ask(key, q) if given[key] is None else str(given[key]) for key, q in QUESTIONS}
    try:
        if number_type not in NUMBER_TYPES:
            raise ScaffoldError(f"--number-type '{number_type}' is not a number to claim; fix: use DID or TOLL_FREE")
        doc = country_document(
            code.lower(),
            name=answers["name"],
            languages=[c.strip() for c in answers["languages"].split(",") if c.strip()],
            time_zone=answers["time_zone"],
            hours=hours or [],
            region=answers["region"],
            emergency_number=answers["emergency_number"],
            number_type=number_type,
            regions=[r.strip() for r in answers["country_regions"].split(",") if r.strip()],
        )
        path = write_country(doc, countries_dir=out_dir, force=force)
    except ScaffoldError as exc:
        bad_input(f"new-country: {exc}")
    report = written_report(doc, path)
    if output is Format.json:
        print_json(report)
        return
    print(f"wrote {report['file']}: {report['left']}")
    for step in report["next_steps"]:
        print(f"next: {step}")
