"""The country-file format version, and what a file written for an older version must change.

Every country file says ``format: N`` (:data:`FORMAT_VERSION` is the current one). A file without
the key is read as :data:`PREVIOUS_VERSION`, the format of the previous release. For a file older
than the current format, :func:`needed_changes` lists every change it needs at once: renamed fields
mapped old path -> new path, removed fields, every missing text per language, new required values.
The loader refuses such a file with that one report before any other check
(:func:`check_format`); ``helpline upgrade-country XX --write`` makes the mechanical changes
(renames, the format key) and lists what a person must still write.
What each version changed: docs/country-file-CHANGELOG.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpline.config.errors import ConfigError
from helpline.config.files import read_yaml
from helpline.config.messages import LANGUAGE_NAME_PREFIX, REQUIRED_MESSAGES
from helpline.config.rules import SAFE_EXIT_MESSAGES  # must say {emergency_number} since version 2

FORMAT_VERSION = 2  # the current country-file format (docs/country-file-CHANGELOG.md)
PREVIOUS_VERSION = 1  # what a file without a `format` key is read as: the previous release
CHANGELOG = "docs/country-file-CHANGELOG.md"


@dataclass(frozen=True)
class Change:
    """One change a file needs: ``field`` (YAML path), what changed, the fix; ``mechanical``
    changes are made by ``helpline upgrade-country --write``."""

    field: str
    problem: str
    fix: str
    mechanical: bool = False

    def line(self, file: str) -> str:
        return f"{file}: {self.field}: {self.problem}; fix: {self.fix}"


class FormatError(ValueError):
    """The ``format`` key itself is wrong (not a version this release knows)."""


def file_version(raw: dict[str, Any]) -> int:
    """The file's format version; a file without the key is :data:`PREVIOUS_VERSION`."""
    if "format" not in raw:
        return PREVIOUS_VERSION
    value = raw["format"]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FormatError(
            f"format: {value!r} is not a format version; fix: write format: {FORMAT_VERSION} "
            f"(the current version; {CHANGELOG})"
        )
    if value > FORMAT_VERSION:
        raise FormatError(
            f"format: version {value} is newer than this release reads (at most {FORMAT_VERSION}); "
            f"fix: update helpline-blueprint, or write the file for format {FORMAT_VERSION} ({CHANGELOG})"
        )
    return value


def needed_changes(raw: dict[str, Any], standard: dict[str, Any], *, code: str) -> list[Change]:
    """Every change a file of an older format needs to be read as :data:`FORMAT_VERSION`.

    ``raw`` is the country file as written, ``standard`` is countries/messages.yaml (the standard
    texts every language of the project has). Empty for a current file."""
    version = file_version(raw)
    if version >= FORMAT_VERSION:
        return []
    rest = _v1_to_v2(raw, standard, code=code)
    if not rest and "format" not in raw:
        return []  # already current but for the key: a warning (missing_format_warning), not a refusal
    said = (
        f"missing, so read as version {PREVIOUS_VERSION} (the previous release)"
        if "format" not in raw
        else f"version {version}"
    )
    out = [
        Change(
            "format",
            f"{said}; the current format is {FORMAT_VERSION} and every change this file needs is listed "
            f"below ({CHANGELOG})",
            f"make them (helpline upgrade-country {code} --write makes the renames), then write "
            f"format: {FORMAT_VERSION} as the first key",
            mechanical=True,
        )
    ]
    return out + rest


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _v1_to_v2(raw: dict[str, Any], standard: dict[str, Any], *, code: str) -> list[Change]:
    out: list[Change] = []
    rec = _mapping(raw.get("recordings"))
    if "bucket" in rec:
        prefix = rec.get("prefix", "prompts/")
        out.append(
            Change(
                "recordings.bucket",
                "renamed: recordings.bucket -> recordings.folder (prompts are files in the repository, "
                "countries/<folder>/<lang>/<prompt id>.wav, uploaded by the deploy)",
                f"write recordings: {{folder: {code}/prompts}}",
                mechanical=True,
            )
        )
        recorded = [lg.get("code") for lg in raw.get("languages") or [] if isinstance(lg, dict) and lg.get("recorded")]
        if recorded:
            out.append(
                Change(
                    "recordings.folder",
                    f"the recorded prompts of {', '.join(map(str, recorded))} are read from countries/{code}/prompts/"
                    f"<lang>/<prompt id>.wav now, not from S3",
                    f"copy s3://{rec['bucket']}/{prefix}<lang>/*.wav there (list them with: helpline prompts {code})",
                )
            )
    if "prefix" in rec:
        out.append(
            Change(
                "recordings.prefix",
                "removed: merged into recordings.folder",
                "delete it (recordings.folder names the whole folder)",
                mechanical=True,
            )
        )
    if not str(_mapping(raw.get("emergency")).get("number") or "").strip():
        out.append(
            Change(
                "emergency.number",
                "required since version 2 (version 1 said 112 when the file had none)",
                'add emergency: {number: "<digits>"}, the local number callers in danger dial',
            )
        )
    if not raw.get("regions"):
        out.append(
            Change(
                "regions",
                "required since version 2 (the operators' guide asks which region the caller is in)",
                "add regions: [<name>, ...], or the regions partners serve",
            )
        )
    hold = _mapping(raw.get("ivr")).get("queue_message_seconds")
    if isinstance(hold, int) and not isinstance(hold, bool) and hold <= 20:
        out.append(
            Change(
                "ivr.queue_message_seconds",
                f"{hold} s is below version 2's range of 21-240 s (was 10-600 s)",
                "write 21 or more, e.g. 60 (the default)",
            )
        )
    number = _mapping(raw.get("phone_number"))
    if number.get("type") == "UIFN" and not number.get("outbound"):
        out.append(
            Change(
                "phone_number.outbound",
                "new in version 2: a UIFN number cannot call out (call-backs, the operators' calls)",
                f"add phone_number.outbound: {{type: DID, country_code: {number.get('country_code') or code.upper()}}}",
            )
        )
    out += _texts(raw, standard)
    return out


def _texts(raw: dict[str, Any], standard: dict[str, Any]) -> list[Change]:
    from helpline.config.reference import LANGUAGES

    langs = [lg.get("code") for lg in raw.get("languages") or [] if isinstance(lg, dict)]
    langs = [c for c in langs if isinstance(c, str) and c in LANGUAGES]
    own = _mapping(raw.get("messages"))
    texts = {lang: {**_mapping(standard.get(lang)), **_mapping(own.get(lang))} for lang in langs}
    out: list[Change] = []
    for lang in langs:
        missing = [key for key in REQUIRED_MESSAGES if not str(texts[lang].get(key) or "").strip()]
        if missing:
            english = LANGUAGES[lang].english
            out.append(
                Change(
                    f"messages.{lang}",
                    f"{len(missing)} {english} text{'s' if len(missing) > 1 else ''} missing: "
                    + ", ".join(f"messages.{lang}.{key}" for key in missing),
                    f"add each in {english} (what each says: helpline/config/messages.py, docs/country-file.md)",
                )
            )
    if not langs:
        return out
    op = _mapping(raw.get("operators")).get("language") or langs[0]
    if op in texts:
        names = [
            f"messages.{op}.{LANGUAGE_NAME_PREFIX}{c}"
            for c in langs
            if not str(texts[op].get(f"{LANGUAGE_NAME_PREFIX}{c}") or "").strip()
        ]
        if names:
            out.append(
                Change(
                    f"messages.{op}.{LANGUAGE_NAME_PREFIX}*",
                    f"new in version 2: the whisper names the caller's language in the operators' language "
                    f"({LANGUAGES[op].english}); missing: {', '.join(names)}",
                    f"add each language's name in {LANGUAGES[op].english}",
                )
            )
        whisper = str(_mapping(own.get(op)).get("whisper_language") or "")
        if whisper and "{caller_language}" not in whisper:
            out.append(
                Change(
                    f"messages.{op}.whisper_language",
                    "changed in version 2: one text in the operators' language that names the caller's language "
                    "({caller_language}), no longer each language's own sentence",
                    "rewrite it with {caller_language}, e.g. 'Caller speaks {caller_language}.'",
                )
            )
    for lang in langs:
        for key in SAFE_EXIT_MESSAGES:
            text = str(_mapping(own.get(lang)).get(key) or "")
            if text and "{emergency_number}" not in text:
                out.append(
                    Change(
                        f"messages.{lang}.{key}",
                        "must say {emergency_number} since version 2 (a call can end with these words)",
                        "add {emergency_number}, e.g. '... If you are in danger, call {emergency_number}.'",
                    )
                )
    return out


def missing_format_warning(raw: dict[str, Any], display: str) -> str | None:
    """A file without ``format`` that needs no change (read as version 1, it is already current)."""
    if "format" in raw:
        return None
    return (
        f"{display}: format: missing, so the file is read as version {PREVIOUS_VERSION} (the previous release); "
        f"it needs no other change; fix: add format: {FORMAT_VERSION} as the first key"
    )


# ---- helpline upgrade-country: the mechanical part, as text edits (comments and layout stay) ----

_FORMAT_LINE = re.compile(r"^format:.*$", re.MULTILINE)


def upgrade_text(text: str, raw: dict[str, Any], *, code: str) -> str:
    """The file's text with the renames made and ``format`` set to the current version."""
    lines = text.splitlines(keepends=True)
    rec = _mapping(raw.get("recordings"))
    if "bucket" in rec or "prefix" in rec:
        lines = _rewrite_recordings(lines, code)
    text = "".join(lines)
    if _FORMAT_LINE.search(text):
        return _FORMAT_LINE.sub(f"format: {FORMAT_VERSION}", text, count=1)
    # first key: after the leading comment lines
    lines = text.splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), len(lines))
    note = f"format: {FORMAT_VERSION}   # country-file format ({CHANGELOG})\n"
    return "".join(lines[:at] + [note] + lines[at:])


def _rewrite_recordings(lines: list[str], code: str) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^recordings:\s*\{", line):  # flow style: recordings: {bucket: x, prefix: y}
            out.append(f"recordings:\n  folder: {code}/prompts\n")
            i += 1
            continue
        if re.match(r"^recordings:\s*(#.*)?$", line):
            out.append(line)
            i += 1
            wrote = False
            while i < len(lines) and (lines[i].startswith((" ", "\t")) or not lines[i].strip()):
                if re.match(r"^\s+(bucket|prefix):", lines[i]):
                    if not wrote:
                        indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
                        out.append(f"{indent}folder: {code}/prompts   # <lang>/<prompt id>.wav\n")
                        wrote = True
                else:
                    out.append(lines[i])
                i += 1
            continue
        out.append(line)
        i += 1
    return out


def upgrade_country(code_or_path: str, *, write: bool, countries_dir: Any, say: Any, warn: Any) -> int:
    """``helpline upgrade-country``: list every change an older file needs; with ``write`` make the
    mechanical ones (renames, the format key). Returns the exit code: 0 nothing left for a person,
    1 changes a person must still make, 2 bad input."""
    path = Path(code_or_path)
    if path.suffix != ".yaml":
        path = Path(countries_dir) / f"{code_or_path}.yaml"
    display = str(path)
    try:
        raw = read_yaml(path, display)
        standard = (
            read_yaml(path.parent / "messages.yaml", "countries/messages.yaml")
            if (path.parent / "messages.yaml").exists()
            else read_yaml(Path(countries_dir) / "messages.yaml", "countries/messages.yaml")
        )
        changes = needed_changes(raw, standard, code=path.stem)
    except ConfigError as exc:
        warn(str(exc))
        return 2
    except FormatError as exc:
        warn(f"{display}: {exc}")
        return 2
    if not changes and "format" in raw:
        texts = _texts(raw, standard)  # the current format gains texts between releases (CHANGELOG rows)
        if not texts:
            say(f"{display}: format {FORMAT_VERSION} (current); nothing to upgrade")
            return 0
        for change in texts:  # nothing mechanical: --write has nothing to do
            say(f"{change.line(display)} [a person must write this]")
        return 1
    if not changes:
        changes = [
            Change(
                "format",
                f"missing, so read as version {PREVIOUS_VERSION} (the previous release); nothing else to change",
                f"add format: {FORMAT_VERSION} as the first key",
                mechanical=True,
            )
        ]
    manual = [c for c in changes if not c.mechanical]
    if write:
        text = upgrade_text(path.read_text(encoding="utf-8"), raw, code=path.stem)
        import yaml

        after = yaml.safe_load(text) or {}
        if {"bucket", "prefix"} & set(_mapping(after.get("recordings"))):
            warn(
                f"{display}: recordings: could not rewrite it; fix: replace bucket and prefix with "
                f"folder: {path.stem}/prompts by hand"
            )
            return 2
        path.write_text(text, encoding="utf-8")
        done = [c.field for c in changes if c.mechanical and c.field != "format"]
        say(f"wrote {display}: format: {FORMAT_VERSION}" + "".join(f", {f}" for f in done))
    else:
        for change in changes:
            tag = "upgrade-country --write does this" if change.mechanical else "a person must write this"
            say(f"{change.line(display)} [{tag}]")
    if manual:
        if write:
            say(f"{len(manual)} change(s) a person must still make:")
            for change in manual:
                say(change.line(display))
        return 1
    return 0 if write else (1 if changes else 0)
