"""The guide's screen labels, one YAML file per operators' language in ``labels/``, checked against
the reference set (en) and merged with a country's own ``operators.labels``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

LABELS_DIR = Path(__file__).resolve().parent / "labels"
REFERENCE = "en"


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
