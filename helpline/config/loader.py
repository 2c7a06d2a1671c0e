"""Load country files: ``defaults.yaml`` <- ``messages.yaml`` <- ``<code>.yaml`` <- stage overrides.

Every problem becomes a :class:`ConfigError`: one line naming the file, the field, what is
wrong and how to fix it. No traceback reaches a user.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from helpline.config.messages import LANGUAGE_NAME_PREFIX, OPERATOR_MESSAGES
from helpline.config.reference import LANGUAGES
from helpline.config.rules import check_rules
from helpline.config.schema import CountryConfig
from helpline.config.upgrade import FormatError, needed_changes

COUNTRIES_DIR = Path(__file__).resolve().parents[2] / "countries"
SHARED_FILES = {"defaults.yaml", "messages.yaml"}
MAX_DEPTH = 32  # mappings and lists; the shipped files nest at most 6 deep


class ConfigError(Exception):
    """A country file is wrong. ``str(err)`` is the one-line message for the user."""

    def __init__(self, file: str, field: str, problem: str, fix: str = ""):
        self.file, self.field, self.problem, self.fix = file, field, problem, fix
        self.all: list[ConfigError] = [self]  # every problem found with this one (see helpline.config.gate)
        where = f"{file}: {field}" if field else file
        text = f"{where}: {problem}"
        if fix and "fix:" not in problem:
            text += f"; fix: {fix}"
        super().__init__(text)


def country_files(countries_dir: Path = COUNTRIES_DIR) -> list[Path]:
    """Every country file in the folder (sorted), i.e. every ``*.yaml`` but the shared ones."""
    return sorted(p for p in countries_dir.glob("*.yaml") if p.name not in SHARED_FILES)


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) is replaced."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


class _Loader(yaml.SafeLoader):
    """YAML's safe loader, except that an impossible date (2026-12-32) is a YAML error with a line."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"'{node.value}' is not a real date ({exc})", node.start_mark
            ) from None


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


def _read_yaml(path: Path, display: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(display, "", "file not found", "check the country code; files live in countries/") from None
    except UnicodeDecodeError:
        raise ConfigError(display, "", "file is not UTF-8 text", "save it as UTF-8") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if "\t" in line[: len(line) - len(line.lstrip())]:
            raise ConfigError(
                display, f"line {number}", "indented with a tab; YAML allows only spaces", "replace the tab with spaces"
            )
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except RecursionError:  # PyYAML composes nested nodes recursively
        raise _too_deep(display) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "'\\t'" in problem:
            raise ConfigError(
                display, line, "a tab character; YAML allows only spaces", "replace it with spaces"
            ) from None
        if "is not a real date" in problem:
            raise ConfigError(display, line, problem, "write a date that exists, as YYYY-MM-DD") from None
        raise ConfigError(
            display, line, f"YAML syntax error: {problem}", "fix the indentation or quoting there"
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(display, "", "top level is not a mapping", "start the file with 'code: xx'")
    if _depth(data) > MAX_DEPTH:  # merging and validating recurse too
        raise _too_deep(display)
    return data


def _too_deep(display: str) -> ConfigError:
    return ConfigError(
        display,
        "",
        f"nested deeper than {MAX_DEPTH} levels",
        "a country file needs a few levels; look for unclosed [ or {",
    )


def _depth(data: Any) -> int:
    """How deeply mappings and lists nest (iterative: a deep file cannot exhaust the stack here)."""
    deepest, todo = 0, [(data, 1)]
    while todo:
        value, level = todo.pop()
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:
            children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
            todo.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


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


def load_country(
    code_or_path: str | Path,
    *,
    stage: str | None = None,
    countries_dir: Path = COUNTRIES_DIR,
    rules: bool = True,
) -> CountryConfig:
    """Load, merge and validate one country. Raises :class:`ConfigError` on any problem (the first;
    a file's every structural problem is in its ``.all``). ``rules=False`` skips the rules that span
    several fields (:func:`helpline.config.gate.check_country` collects them all itself)."""
    path = Path(code_or_path)
    if path.suffix != ".yaml":
        path = countries_dir / f"{code_or_path}.yaml"
    shared_dir = countries_dir if path.parent.resolve() != countries_dir.resolve() else path.parent
    try:
        display = str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        display = str(path)

    defaults = _read_yaml(shared_dir / "defaults.yaml", "countries/defaults.yaml")
    standard = _read_yaml(shared_dir / "messages.yaml", "countries/messages.yaml")
    country = _read_yaml(path, display)
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

    # Standard translations first, then what the country file says, for its own languages only.
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
    merged["messages"] = {lang: {**standard.get(lang, {}), **(own.get(lang) or {})} for lang in langs if lang}
    if operators_only:  # the operators' language callers do not use: the whisper texts and language names
        shipped = {
            k: v
            for k, v in (standard.get(operators_only) or {}).items()
            if k in OPERATOR_MESSAGES or k.startswith(LANGUAGE_NAME_PREFIX)
        }
        merged["messages"][operators_only] = {**shipped, **(own.get(operators_only) or {})}

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
