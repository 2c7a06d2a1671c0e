"""The Lambda assets ship CPython 3.14 bytecode, and 3.14 runs it without compiling the source.

`make test` runs after `make build`, so build/ is what `make synth` packages. The runtime-side
checks import in CPython 3.14 (Pyodide, the same compiler the build uses) from a copy whose
source files were replaced by ``raise``: the import succeeds only if the .pyc is used.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpline.build import LAMBDA_DIR, LAYER_DIR
from helpline.bytecode import (
    CACHE_TAG,
    MAGIC_3_14,
    BytecodeError,
    import_in_runtime_python,
    missing_bytecode,
    precompile,
)

BUILD = LAMBDA_DIR.parent
BROKEN_SOURCE = 'raise RuntimeError("compiled from source")\n'


@pytest.fixture(scope="module")
def built() -> None:
    """build/ as `make build` left it (`make test` builds first). Not rebuilt here: other test
    workers read build/ (synthesis) at the same time, and a rebuild deletes it first."""
    if not (LAMBDA_DIR / "functions").is_dir() or not (LAYER_DIR / "python").is_dir():
        pytest.fail("build/ has no Lambda assets: run `make build` (make test does) first")


def _break_sources(root: Path, modules: list[str]) -> None:
    for module in modules:
        path = root.joinpath(*module.split(".")).with_suffix(".py")
        if not path.exists():
            path = root.joinpath(*module.split("."), "__init__.py")
        path.write_text(BROKEN_SOURCE)


def test_every_shipped_module_has_unchecked_hash_bytecode_for_3_14(built):
    for folder in (LAMBDA_DIR, LAYER_DIR / "python"):
        modules = list(folder.rglob("*.py"))
        assert len(modules) > 40, folder
        assert missing_bytecode(folder) == [], folder


def test_missing_bytecode_names_a_source_without_pyc_and_a_checked_pyc(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    (cache / f"b.{CACHE_TAG}.pyc").write_bytes(MAGIC_3_14 + (0b11).to_bytes(4, "little") + bytes(8))
    assert missing_bytecode(tmp_path) == [tmp_path / "a.py", tmp_path / "b.py"]  # b: checked-hash, not unchecked


def test_runtime_python_imports_our_handlers_modules_from_bytecode_alone(built, tmp_path):
    shutil.copytree(LAMBDA_DIR / "functions", tmp_path / "functions")
    modules = ["functions.models.lean", "functions.errors", "functions.deadline", "functions.logic.chain"]
    _break_sources(tmp_path, modules)
    results = import_in_runtime_python(BUILD, tmp_path, modules)
    assert all(r.startswith("ok ") and f".{CACHE_TAG}.pyc" in r for r in results.values()), results

    (tmp_path / "functions" / "models" / "__pycache__" / f"lean.{CACHE_TAG}.pyc").unlink()
    again = import_in_runtime_python(BUILD, tmp_path, ["functions.models.lean"])
    assert again["functions.models.lean"] == "RuntimeError: compiled from source"


def test_runtime_python_imports_a_layer_package_from_bytecode_alone(built, tmp_path):
    shutil.copytree(LAYER_DIR / "python" / "pynamodb", tmp_path / "pynamodb")
    _break_sources(tmp_path, ["pynamodb", "pynamodb.constants"])
    results = import_in_runtime_python(BUILD, tmp_path, ["pynamodb.constants"])
    assert results["pynamodb.constants"].startswith("ok "), results


def test_tracebacks_name_the_paths_lambda_mounts(built):
    pyc = LAMBDA_DIR / "functions" / "__pycache__" / f"errors.{CACHE_TAG}.pyc"
    assert b"/var/task/functions/errors.py" in pyc.read_bytes()
    layer_pyc = LAYER_DIR / "python" / "pynamodb" / "__pycache__" / f"constants.{CACHE_TAG}.pyc"
    assert b"/opt/python/pynamodb/constants.py" in layer_pyc.read_bytes()


def test_a_file_that_does_not_compile_is_one_clear_build_error(built, tmp_path):
    (tmp_path / "ok.py").write_text("x = 1\n")
    (tmp_path / "bad.py").write_text("def f(:\n")
    with pytest.raises(BytecodeError, match=r"1 files do not compile: \['bad.py: "):
        precompile(BUILD, tmp_path, "/var/task")
