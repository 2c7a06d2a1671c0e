"""The operators' step-by-step guide: screen labels per operator language, and the guide's
vocabulary (call types, outcomes, needs families shown, block durations).

Labels live in ``helpline/guide/labels/<lang>.yaml``, one file per operators' working language
(``operators.language`` in the country file, default the first caller language). ``en.yaml`` is
the reference: every other file must have exactly its keys, so a missing or misspelt label is
one clear error (:class:`GuideLabelError`) when the guide flow is rendered, never an empty
button in the agent workspace. The flow template reads a label with ``{{label:<key>}}``.

A country file may give labels of its own under ``operators.labels`` (in the operators'
language): they are merged over the shipped set of that language when there is one, so a
country whose operators' language has no shipped set writes them all (:func:`labels` with
``own``), and a country may reword a few.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from functions.logic.needs import SUB_CODES, TOP_LEVEL

LABELS_DIR = Path(__file__).resolve().parent / "labels"
REFERENCE = "en"

# Values the guide's forms send to the Lambda functions (the contract's parameter values).
CALL_TYPES = ("real", "silent", "prank", "abusive", "wrong_number", "information")
OUTCOMES = ("resolved", "referred", "information_given", "follow_up", "dropped")
BLOCK_HOURS = ("24", "72", "168", "720")
# Needs families highlighted on the screening screens: gender-based violence and children.
PROTECTION_FAMILIES = ("SV", "CR", "SC")
HIGHLIGHT = "⚠ "


class GuideLabelError(Exception):
    """A label file is missing, unreadable, or its keys differ from the reference (en)."""


@cache
def _read(lang: str) -> dict[str, str]:
    path = LABELS_DIR / f"{lang}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in LABELS_DIR.glob("*.yaml")))
        raise GuideLabelError(
            f"no guide labels for the operators' language {lang!r}: add {path.relative_to(LABELS_DIR.parents[2])} "
            f"with the keys of {REFERENCE}.yaml (label files: {known})"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise GuideLabelError(f"{path.name}: not valid YAML: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise GuideLabelError(f"{path.name}: must map label keys to texts (strings)")
    return data


def labels(lang: str, own: dict[str, str] | None = None) -> dict[str, str]:
    """The guide's labels in ``lang``: the shipped set (if any) with ``own`` (the country file's
    ``operators.labels``) over it; raises :class:`GuideLabelError` naming the problem."""
    own = dict(own or {})
    shipped = (LABELS_DIR / f"{lang}.yaml").is_file()
    if not own or shipped:
        data = {**_read(lang), **own}
        source = f"{lang}.yaml" + (" with operators.labels" if own else "")
    else:
        data, source = own, f"operators.labels ({lang})"
    reference = _read(REFERENCE)
    missing = [k for k in reference if k not in data]
    if missing:
        shown = ", ".join(missing[:5]) + (", ..." if len(missing) > 5 else "")
        raise GuideLabelError(
            f"{source}: missing label {missing[0]!r} ({len(missing)} missing: {shown}; keys as in en.yaml)"
        )
    extra = [k for k in data if k not in reference]
    if extra:
        raise GuideLabelError(f"{source}: unknown label {extra[0]!r} (not in en.yaml)")
    empty = [k for k, v in data.items() if not str(v).strip()]
    if empty:
        raise GuideLabelError(f"{source}: label {empty[0]!r} is empty")
    return data


def missing_labels(lang: str, own: dict[str, str] | None = None) -> tuple[list[str], list[str]]:
    """(keys of en.yaml that neither the shipped set of ``lang`` nor ``own`` gives, keys of ``own``
    that en.yaml does not have)."""
    path = LABELS_DIR / f"{lang}.yaml"
    data = {**(_read(lang) if path.is_file() else {}), **(own or {})}
    reference = _read(REFERENCE)
    return [k for k in reference if not str(data.get(k, "")).strip()], [k for k in (own or {}) if k not in reference]


def has_label_set(lang: str) -> bool:
    return (LABELS_DIR / f"{lang}.yaml").is_file()


def label_languages() -> list[str]:
    return sorted(p.stem for p in LABELS_DIR.glob("*.yaml"))


def needs_families() -> list[dict[str, str]]:
    """Rows for the top-level needs options: code, and a highlight mark for protection needs."""
    return [{"code": c, "mark": HIGHLIGHT if c in PROTECTION_FAMILIES else ""} for c in TOP_LEVEL]


def needs_subcodes() -> list[dict[str, str]]:
    """Rows for the sub-code options (``SV-VA`` ...), grouped by family, in UNHCR order."""
    return [
        {"code": f"{top}-{sub}", "family": top, "mark": HIGHLIGHT if top in PROTECTION_FAMILIES else ""}
        for top in TOP_LEVEL
        for sub in SUB_CODES[top]
    ]
