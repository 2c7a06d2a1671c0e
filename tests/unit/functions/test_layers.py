"""The runtime's layers, read from its source: every module under functions/ parsed with ``ast``.

Layers, highest first; a module imports modules of its own layer and of the layers below it,
never one above (docs/functions.md):

========  =====================================================  =====================================
layer     modules                                                what it is
========  =====================================================  =====================================
entry     functions.handlers.*, functions.caches                 Lambda entry points; the reset of
                                                                 every cache (sandbox, tests)
logic     functions.logic.*                                      the helpline's rules
dal       functions.dal.*                                        DynamoDB (PynamoDB) and every AWS
                                                                 client call, in domain terms
platform  functions.aws, functions.deadline,                     the botocore session, the flow's
          functions.observability                                time budget, logs and metrics
settings  functions.settings                                     the environment, parsed
models    functions.models.*                                     parsing of events and parameters
base      functions.errors, functions.permissions, functions     error types; what each Lambda may touch
========  =====================================================  =====================================

Every import counts: at module level, inside a function (lazy) or under TYPE_CHECKING.  Each test
names the offending import (module, line) when it fails.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LAYERS = (
    ("entry", ("functions.handlers", "functions.caches")),
    ("logic", ("functions.logic",)),
    ("dal", ("functions.dal",)),
    ("platform", ("functions.aws", "functions.deadline", "functions.observability")),
    ("settings", ("functions.settings",)),
    ("models", ("functions.models",)),
    ("base", ("functions.errors", "functions.permissions", "functions")),
)
# What only the dal may do: make AWS clients and build DynamoDB expressions.
CLIENT_MAKERS = ("boto3", "botocore", "pynamodb", "functions.aws", "functions.dal.clients")


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    line: int
    target: str  # the functions module imported from, or the outside package's dotted name
    name: str  # the name imported ("" for ``import x``)
    bound: str  # the name it is bound to in the importing module


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted((ROOT / "functions").rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()}


def _imports(module: str, tree: ast.Module) -> list[Import]:
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.partition(".")[0]
                found.append(Import(module, node.lineno, alias.name, "", bound))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                target = submodule if submodule in MODULES else base
                found.append(Import(module, node.lineno, target, alias.name, alias.asname or alias.name))
    return found


IMPORTS = {module: _imports(module, tree) for module, tree in TREES.items()}


def _owner(target: str) -> str | None:
    """The functions module an import reaches (the longest known prefix), None outside functions/."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


def _edges() -> dict[str, set[str]]:
    edges = {module: set() for module in MODULES}
    for module, imports in IMPORTS.items():
        for imp in imports:
            owner = _owner(imp.target)
            if owner is not None and owner != module:
                edges[module].add(owner)
    return edges


def _layer(module: str) -> int:
    """The rank of the module's layer (0 the highest): the layer of its longest listed prefix."""
    matches = [
        (len(prefix), rank)
        for rank, (_, prefixes) in enumerate(LAYERS)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert matches, f"{module} is in no layer: add it to LAYERS"
    return max(matches)[1]


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: groups of modules that reach each other (Tarjan's strongly connected
    components of more than one module), each as a path that closes on its first module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(edges[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def test_every_module_is_in_a_layer():
    for module in MODULES:
        _layer(module)


def test_no_import_circle_inside_functions():
    assert circles(_edges()) == []


def test_no_import_runs_up_a_layer():
    upward = [
        f"{imp.module}:{imp.line} imports {owner} ({LAYERS[_layer(owner)][0]} is above {LAYERS[_layer(imp.module)][0]})"
        for imports in IMPORTS.values()
        for imp in imports
        if (owner := _owner(imp.target)) is not None and _layer(owner) < _layer(imp.module)
    ]
    assert upward == []


def _module_aliases(imports: list[Import]) -> dict[str, str]:
    """Names bound to a functions module (``from functions.dal import repository``) -> that module."""
    out = {}
    for imp in imports:
        full = f"{imp.target}.{imp.name}" if imp.name else imp.target
        if full in MODULES:
            out[imp.bound] = full
    return out


def test_no_private_name_is_used_across_modules():
    """``from x import _name`` or ``x._name`` of another functions module: make it public or keep it home."""
    crossing = []
    for module, imports in IMPORTS.items():
        crossing += [
            f"{module}:{imp.line} imports {imp.target}.{imp.name}"
            for imp in imports
            if _owner(imp.target) and imp.name.startswith("_") and not imp.name.startswith("__")
        ]
        aliases = _module_aliases(imports)
        crossing += [
            f"{module}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}"
            for node in ast.walk(TREES[module])
            if isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ]
    assert crossing == []


def _handler_or_logic(module: str) -> bool:
    return module.startswith(("functions.handlers.", "functions.logic."))


def test_only_the_dal_makes_aws_clients():
    """Handlers and logic import no boto3, botocore, pynamodb, functions.aws or the client cache."""
    found = [
        f"{imp.module}:{imp.line} imports {imp.target}"
        for module, imports in IMPORTS.items()
        if _handler_or_logic(module)
        for imp in imports
        if any(imp.target == m or imp.target.startswith(m + ".") for m in CLIENT_MAKERS)
    ]
    assert found == []


def _model_attributes() -> dict[str, set[str]]:
    """PynamoDB model -> its attributes and indexes (what an expression is built from)."""
    from pynamodb.attributes import Attribute
    from pynamodb.indexes import Index

    from functions.dal import models

    return {
        model.__name__: {name for name in dir(model) if isinstance(getattr(model, name, None), (Attribute, Index))}
        for model in models.ALL_MODELS
    }


def expressions_built(module: str, tree: ast.Module, imports: list[Import]) -> list[str]:
    """``Case.status.set(...)``, ``Caller.open_case_id == x``...: a model's attribute reached through
    its class (or a name assigned the class) is an update or condition expression in the making."""
    attributes = _model_attributes()
    classes = {
        imp.bound: imp.name for imp in imports if imp.target == "functions.dal.models" and imp.name in attributes
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Name) and node.value.id in classes:
            classes.update({t.id: classes[node.value.id] for t in node.targets if isinstance(t, ast.Name)})
    return [
        f"{module}:{node.lineno} {node.value.id}.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id in classes
        and node.attr in attributes[classes[node.value.id]]
    ]


def test_handlers_and_logic_build_no_dynamodb_expression():
    found = [
        line
        for module, tree in TREES.items()
        if _handler_or_logic(module)
        for line in expressions_built(module, tree, IMPORTS[module])
    ]
    assert found == []
