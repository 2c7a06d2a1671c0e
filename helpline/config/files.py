"""The countries folder: where the files are, which of them are country files, and reading one.

:func:`read_yaml` is the one reader of a country folder's YAML (``defaults.yaml``, ``messages.yaml``,
``<code>.yaml``): the loader, the gate, ``helpline validate`` and ``helpline upgrade-country`` all
read through it, so a file that is not a YAML mapping fails the same way everywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from helpline.config.errors import ConfigError

COUNTRIES_DIR = Path(__file__).resolve().parents[2] / "countries"
SHARED_FILES = {"defaults.yaml", "messages.yaml"}
MAX_DEPTH = 32  # mappings and lists; the shipped files nest at most 6 deep


def default_countries_dir() -> Path:
    """Where the tools look for country files: ``$HELPLINE_COUNTRIES_DIR`` when set (a countries folder kept
    outside this repository, or a copy to try changes in), else ``countries/`` of this repository. Every
    command and synthesis (app.py) read it the same way (docs/cli.md)."""
    import os

    return Path(os.environ.get("HELPLINE_COUNTRIES_DIR") or COUNTRIES_DIR)


def country_files(countries_dir: Path = COUNTRIES_DIR) -> list[Path]:
    """Every country file in the folder (sorted), i.e. every ``*.yaml`` but the shared ones."""
    return sorted(p for p in countries_dir.glob("*.yaml") if p.name not in SHARED_FILES)


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


def read_yaml(path: Path, display: str) -> dict[str, Any]:
    """The YAML mapping in ``path`` (``{}`` for an empty file), or a :class:`ConfigError` naming
    ``display`` (the path as the user knows it): no such file, not UTF-8, a tab in the indentation,
    a YAML syntax error or an impossible date (with its line), a top level that is no mapping, or
    nesting deeper than :data:`MAX_DEPTH`."""
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
