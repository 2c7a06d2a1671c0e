"""Load country files: ``defaults.yaml`` <- ``messages.yaml`` <- ``<code>.yaml`` <- stage overrides.

Every problem becomes a :class:`ConfigError`: one line naming the file, the field, what is
wrong and how to fix it. No traceback reaches a user. The folder and the reading of one YAML file
are :mod:`helpline.config.files`; the error is :mod:`helpline.config.errors` (the rules and the
format check raise it too).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from helpline.config.errors import ConfigError
from helpline.config.files import COUNTRIES_DIR, SHARED_FILES, country_files, default_countries_dir, read_yaml
from helpline.config.messages import LANGUAGE_NAME_PREFIX, OPERATOR_MESSAGES
from helpline.config.reference import LANGUAGES
from helpline.config.rules import check_rules
from helpline.config.schema import CountryConfig
from helpline.config.upgrade import FormatError, needed_changes

# ConfigError, COUNTRIES_DIR, SHARED_FILES and country_files live in helpline.config.errors and
# helpline.config.files; the loader is where the tools have always found them.
__all__ = ["COUNTRIES_DIR", "SHARED_FILES", "ConfigError", "country_files", "deep_merge", "load_all", "load_country"]


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) is replaced."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _loc_to_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the field at ``loc`` (to list allowed field names)."""
    import typing

    model: Any = CountryConfig
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        ann = model.model_fields[part].annotation
        model = None
        for cand in [ann, *typing.get_args(ann)]:
            for inner in [cand, *typing.get_args(cand)]:
                if isinstance(inner, type) and issubclass(inner, BaseModel):
                    model = inner
        if model is None:
            return None
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


# Required fields whose fix says more than "add it".
MISSING_FIXES = {
    "emergency.number": 'add emergency: {number: "<digits>"}, the local number callers in danger dial '
    "(e.g. 112 in the EU); every text that ends a call says it",
}
_TYPE_TAGS = ("list[", "dict[", "function-", "union[", "literal[", "tagged-union[")
_TYPE_NAMES = {"str", "int", "float", "bool", "none"}


def _pydantic_to_config_error(err: ValidationError, display: str) -> ConfigError:
    """The first error, with every error of the file (one per field) in ``.all``."""
    out: list[ConfigError] = []
    seen: set[tuple] = set()
    for detail in err.errors():
        loc = tuple(detail["loc"])
        while loc and isinstance(loc[-1], str) and (loc[-1] in _TYPE_NAMES or loc[-1].startswith(_TYPE_TAGS)):
            loc = loc[:-1]  # a union's branches (str, list[str] ...): one line per field
        if loc in seen:
            continue
        seen.add(loc)
        out.append(_one_pydantic_error(detail, display))
    out[0].all = out
    return out[0]


def _one_pydantic_error(first: dict[str, Any], display: str) -> ConfigError:
    loc = tuple(first["loc"])
    field = _loc_to_path(loc)
    kind = first["type"]
    if kind == "extra_forbidden":
        model = _model_at(loc)
        allowed = ", ".join(model.model_fields) if model else ""
        return ConfigError(
            display, field, "unknown field", f"remove it or correct the spelling (allowed here: {allowed})"
        )
    if kind == "missing":
        return ConfigError(
            display, field, "required field is missing", MISSING_FIXES.get(field, "add it; see docs/country-file.md")
        )
    msg = str(first["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        msg = msg.removeprefix(prefix)
    value = first.get("input")
    shown = f" (got {value!r})" if value is not None and not isinstance(value, dict | list) else ""
    if "fix:" in msg:
        return ConfigError(display, field, msg)
    return ConfigError(display, field, f"{msg}{shown}", "see docs/country-file.md for the expected form")


def _merged_messages(merged: dict[str, Any], standard: dict[str, Any], display: str) -> dict[str, dict[str, str]]:
    """The texts per language: the standard translations first, then what the country file says, for its own
    languages only (and the operators' language callers do not use: its whisper texts and language names)."""
    langs = [lg.get("code") for lg in merged.get("languages") or [] if isinstance(lg, dict)]
    own = merged.get("messages") or {}
    if not isinstance(own, dict):
        raise ConfigError(display, "messages", "is not a mapping", "write messages: {<lang>: {<key>: text}}")
    operators = merged.get("operators") if isinstance(merged.get("operators"), dict) else {}
    operators_only = operators.get("language") if isinstance(operators.get("language"), str) else None
    if operators_only in langs:
        operators_only = None
    for lang in own:
        unknown = [(i, c) for i, c in enumerate(langs) if isinstance(c, str) and c not in LANGUAGES]
        if lang not in langs and lang != operators_only and unknown:  # a typo in a language code, not in the messages
            i, typo = unknown[0]
            raise ConfigError(
                display,
                f"languages[{i}].code",
                f"unknown language code '{typo}' (the file has messages for '{lang}')",
                f"write code: {lang} if that is the language meant, or another ISO 639-1 code the project knows",
            )
        if lang not in langs and lang != operators_only:
            raise ConfigError(
                display,
                f"messages.{lang}",
                "messages for a language the country does not offer",
                f"add '{lang}' to languages or remove these messages",
            )
    messages = {lang: {**standard.get(lang, {}), **(own.get(lang) or {})} for lang in langs if lang}
    if operators_only:  # the operators' language callers do not use: the whisper texts and language names
        shipped = {
            k: v
            for k, v in (standard.get(operators_only) or {}).items()
            if k in OPERATOR_MESSAGES or k.startswith(LANGUAGE_NAME_PREFIX)
        }
        messages[operators_only] = {**shipped, **(own.get(operators_only) or {})}

    return messages


def load_country(
    code_or_path: str | Path,
    *,
    stage: str | None = None,
    countries_dir: Path | None = None,
    rules: bool = True,
) -> CountryConfig:
    """Load, merge and validate one country. Raises :class:`ConfigError` on any problem (the first;
    a file's every structural problem is in its ``.all``). ``rules=False`` skips the rules that span
    several fields (:func:`helpline.config.gate.check_country` collects them all itself).
    ``countries_dir``: default :func:`default_countries_dir` ($HELPLINE_COUNTRIES_DIR or countries/)."""
    countries_dir = countries_dir or default_countries_dir()
    path = Path(code_or_path)
    if path.suffix != ".yaml":
        path = countries_dir / f"{code_or_path}.yaml"
    shared_dir = countries_dir if path.parent.resolve() != countries_dir.resolve() else path.parent
    try:
        display = str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        display = str(path)

    defaults = read_yaml(shared_dir / "defaults.yaml", "countries/defaults.yaml")
    standard = read_yaml(shared_dir / "messages.yaml", "countries/messages.yaml")
    country = read_yaml(path, display)
    # A file of an older format: one report of every change it needs, before any other check.
    try:
        changes = needed_changes(country, standard, code=path.stem)
    except FormatError as exc:
        raise ConfigError(display, "format", str(exc).removeprefix("format: ")) from None
    if changes:
        errors = [ConfigError(display, c.field, c.problem, c.fix) for c in changes]
        errors[0].all = errors
        raise errors[0]
    country = {key: value for key, value in country.items() if key != "format"}

    merged = deep_merge(defaults, country)
    if stage:
        overrides = (country.get("stages") or {}).get(stage, {})
        if not isinstance(overrides, dict):
            raise ConfigError(display, f"stages.{stage}", "is not a mapping", "write overrides as a mapping")
        merged = deep_merge(merged, overrides)
        merged["stage"] = stage

    merged["messages"] = _merged_messages(merged, standard, display)

    try:
        cfg = CountryConfig.model_validate(merged)
    except ValidationError as err:
        raise _pydantic_to_config_error(err, display) from None
    cfg._countries_dir = path.parent.resolve()
    if rules:
        check_rules(cfg, display, file_stem=path.stem)
    return cfg


def load_all(*, stage: str | None = None, countries_dir: Path = COUNTRIES_DIR) -> list[CountryConfig]:
    return [load_country(p, stage=stage, countries_dir=countries_dir) for p in country_files(countries_dir)]
