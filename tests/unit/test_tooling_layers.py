"""The tooling's and the stacks' imports, read from their source: every module under helpline/ and
stacks/ (and functions/, app.py, as import targets) parsed with ``ast``.

The arrows allowed between the packages (docs/architecture.md):

==========  ==============================================================  ==============================
package     may import                                                      why
==========  ==============================================================  ==============================
functions   functions only                                                  what runs in Lambda ships alone
stacks      functions (its declarations), and of helpline only              building a country: its model,
            helpline.config, helpline.flows.render, helpline.flows.views,   its rendered flows, its
            helpline.prompts                                                recordings; no tooling, no CLI
helpline    functions, helpline (and stacks.connect_permissions, the        the tooling and the CLI
            permission catalog verify-live checks)
==========  ==============================================================  ==============================

Every import counts: at module level, inside a function (lazy) or under TYPE_CHECKING. The tests
also fail on an import circle and on a private name (``_x``) of another module, imported (``from m
import _x``) or reached (``m._x``). Each failure names the offending import (module, line).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from tests.unit.functions.test_layers import circles

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("functions", "helpline", "stacks")
CHECKED = ("helpline", "stacks")  # circles and private names: functions/ has its own test (test_layers.py)
# What stacks/ may import of helpline (a module or a package, with everything below it): the country
# model, rendering the flows (the managed views' ARNs a ShowView names are part of it) and checking
# the recordings.  Nothing of the tooling, nothing of the CLI.
STACKS_MAY_IMPORT = ("helpline.config", "helpline.flows.render", "helpline.flows.views", "helpline.prompts")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    line: int
    target: str  # the module imported from (a project module when it is one), or an outside dotted name
    name: str  # the name imported ("" for ``import x``)
    bound: str  # the name it is bound to in the importing module
    binds: str  # what it is bound to: ``import a.b`` binds a, ``import a.b as c`` and ``from a import b`` a.b


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}
MODULES["app"] = ROOT / "app.py"
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()}


def _package_of(module: str) -> str:
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


def _imports(module: str, tree: ast.Module) -> list[Import]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.partition(".")[0]
                found.append(Import(module, node.lineno, alias.name, "", bound, alias.name if alias.asname else bound))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y
                parts = _package_of(module).split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                target = submodule if submodule in MODULES else base
                bound = alias.asname or alias.name
                found.append(Import(module, node.lineno, target, alias.name, bound, f"{base}.{alias.name}"))
    return found


IMPORTS = {module: _imports(module, tree) for module, tree in TREES.items()}


def _owner(target: str) -> str | None:
    """The project module an import reaches (the longest known prefix), None outside the project."""
    parts = target.split(".")
    return next((m for n in range(len(parts), 0, -1) if (m := ".".join(parts[:n])) in MODULES), None)


def _within(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _edges() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {module: set() for module in MODULES}
    for module, imports in IMPORTS.items():
        edges[module] |= {owner for imp in imports if (owner := _owner(imp.target)) not in (None, module)}
    return edges


def test_no_import_circle_in_the_tooling_or_the_stacks():
    """A circle through helpline/ or stacks/ (app.py and functions/ may be on its way)."""
    assert [group for group in circles(_edges()) if any(_within(m, CHECKED) for m in group)] == []


def _dotted(node: ast.expr) -> str | None:
    """``a.b.c`` of a chain of names, None for anything else (a call, a subscript...)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and (base := _dotted(node.value)) is not None:
        return f"{base}.{node.attr}"
    return None


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_names_crossing(module: str) -> list[str]:
    """``from m import _x`` and ``m._x`` (also ``pkg.m._x``, ``alias._x``) of another project module."""
    imports = IMPORTS[module]
    crossing = [
        f"{module}:{imp.line} imports {imp.target}.{imp.name}"
        for imp in imports
        if _private(imp.name) and _owner(imp.target) not in (None, module)
    ]
    # Names bound to a project module (``from functions import deadline``, ``import helpline.sandbox as sb``,
    # ``import helpline.sandbox`` binds ``helpline``).
    bound = {imp.bound: imp.binds for imp in imports if imp.binds in MODULES}
    for node in ast.walk(TREES[module]):
        if not (isinstance(node, ast.Attribute) and _private(node.attr)):
            continue
        chain = _dotted(node.value)
        if chain is None or chain.partition(".")[0] not in bound:
            continue
        head, _, rest = chain.partition(".")
        reached = f"{bound[head]}.{rest}" if rest else bound[head]
        if reached in MODULES and reached != module:
            crossing.append(f"{module}:{node.lineno} uses {reached}.{node.attr}")
    return crossing


def test_no_private_name_is_used_across_modules():
    """Make it public (and say what it is for) in the module it belongs to, or keep it at home."""
    assert [line for module in MODULES if _within(module, CHECKED) for line in private_names_crossing(module)] == []


def test_stacks_import_of_helpline_only_the_country_model_rendering_and_prompts():
    """No stack reaches the tooling or a CLI module: what they compute (the live test cases, the
    campaign settings) is handed in by app.py or comes from the country model."""
    found = [
        f"{imp.module}:{imp.line} imports {imp.target}"
        for module, imports in IMPORTS.items()
        if _within(module, ("stacks",))
        for imp in imports
        if _within(imp.target, ("helpline",)) and not _within(_owner(imp.target) or imp.target, STACKS_MAY_IMPORT)
    ]
    assert found == []


def test_functions_import_neither_helpline_nor_stacks():
    """The Lambda runtime ships alone (build/lambda holds functions/ only)."""
    found = [
        f"{imp.module}:{imp.line} imports {imp.target}"
        for module, imports in IMPORTS.items()
        if _within(module, ("functions",))
        for imp in imports
        if _within(imp.target, ("helpline", "stacks", "app"))
    ]
    assert found == []


MAX_FUNCTION_LINES = 80  # from `def` to its last line, decorators left out


def test_no_function_is_longer_than_80_lines():
    """Every function and method of the tooling, the stacks, the runtime and app.py: a long one is split into
    named steps (docs/architecture.md)."""
    long = [
        f"{module}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for module, tree in TREES.items()
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []
