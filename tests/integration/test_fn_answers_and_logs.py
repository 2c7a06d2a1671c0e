"""The flow wrapper: exact status codes, the time budget from Lambda's context, one PII-free
"answered" log line per invocation that operators and auditors can rely on."""

from __future__ import annotations

import json

import pytest

from tests.integration.support import PHONE, load_event


class Context:
    function_name = "create_case"
    aws_request_id = "req-0001"

    def __init__(self, remaining_ms: int) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> int:
        return self.remaining_ms


def _json_logs(backend) -> list[dict]:
    out = []
    for line in backend.logs:
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def test_a_bug_answers_internal_error_and_logs_only_its_type(backend, monkeypatch):
    from functions.logic import cases

    def broken(event):
        raise KeyError(PHONE)  # a bug whose message happens to hold personal data

    monkeypatch.setattr(cases, "run", broken)
    import importlib

    import functions.handlers.create_case as module

    importlib.reload(module)
    try:
        response = backend.invoke("create_case", load_event("create_case"))
    finally:
        monkeypatch.undo()
        importlib.reload(module)
    assert response == {"status": "internal_error", "case_id": "", "created": "false", "appended": "false"}
    errors = [line for line in _json_logs(backend) if line.get("level") == "ERROR"]
    assert [(e["message"], e["error"]) for e in errors] == [("internal error", "KeyError")]
    assert PHONE not in "\n".join(backend.logs)


def test_every_invocation_logs_one_answered_line_with_status_and_ids(backend):
    backend.invoke("create_case", load_event("create_case"))
    backend.invoke("identify_caller", {"Name": "ContactFlowEvent"})  # invalid
    answered = [line for line in _json_logs(backend) if line.get("message") == "answered"]
    assert [(a["status"], a["function_name"]) for a in answered] == [
        ("ok", "create_case"),
        ("invalid_event", "identify_caller"),
    ]
    assert answered[0]["contact_id"] == "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"
    assert answered[1].get("contact_id") is None  # not carried over from the previous invocation
    assert all(0 <= a["duration_ms"] < 60_000 for a in answered)
    invalid = [line for line in _json_logs(backend) if line.get("message") == "invalid event"]
    assert len(invalid) == 1 and "Details" in invalid[0]["fields"]
    assert PHONE not in "\n".join(backend.logs)


def test_a_rejected_parameter_is_logged_with_its_name_not_its_value(backend):
    from tests.integration.support import with_params

    backend.invoke("create_case", with_params(load_event("create_case"), channel_note="call +48601234567"))
    rejected = [line for line in _json_logs(backend) if line.get("message") == "request rejected"]
    assert [(r["status"], r["error_field"]) for r in rejected] == [("invalid_parameter", "channel_note")]
    assert "48601234567" not in "\n".join(backend.logs)


@pytest.mark.parametrize(("remaining_ms", "attempts"), [(1500, 0), (4000, 1), (8000, 2)])
def test_the_budget_is_cut_to_what_lambda_has_left(backend, remaining_ms, attempts):
    """A Lambda timeout below Connect's 8 s shortens the budget (less 0.5 s): only attempts that can
    end in time are made.  Every attempt here times out after DDB_READ_TIMEOUT=2 s."""
    from functions.handlers.create_case import handler

    backend.invoke("create_case", load_event("create_case"))  # warm: the secret is cached
    backend.reset_calls()
    backend.inject_failure(error="ReadTimeout")
    response = handler(load_event("create_case"), Context(remaining_ms))
    assert response["status"] == "backend_unavailable"
    assert backend.attempts("dynamodb") == attempts
