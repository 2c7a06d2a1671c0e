"""First invocation of each handler in a fresh process: import + client creation + secret fetch +
first requests, the silence a caller hears on a Lambda cold start (issue 13).

The child process is clean (no moto, no test code imported): it imports the handler and calls it
twice (the first call, then a warm one) over real HTTP to a bridge in this process, which answers
from the sandbox (``helpline.sandbox.local_backend``: moto plus its Amazon Connect stand-in).  The
time moto spends emulating the requests is measured on the bridge and shown apart: what is left
of the first call is the function's own cold work (botocore clients and service models, the
secret fetch, lazily imported modules, parsing, the handler's logic).  Network latency of real
AWS (a few ms per request inside a Region) is not part of these numbers.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "tests" / "fixtures" / "events"
REGION = "eu-central-1"

# signing name (Authorization credential scope) -> botocore service id (event names)
_SERVICE_IDS = {
    "dynamodb": "dynamodb",
    "secretsmanager": "secrets-manager",
    "events": "eventbridge",
    "connect": "connect",
}

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
handler = __import__("functions.handlers." + sys.argv[1], fromlist=["handler"]).handler
t1 = time.perf_counter()
first, second = json.loads(sys.stdin.read())
answer = handler(first, None)
t2 = time.perf_counter()
handler(second, None)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "second": t3 - t2, "status": answer.get("status", "")}))
"""


class Bridge:
    """HTTP endpoint (``AWS_ENDPOINT_URL``) for the child, answered by the sandbox's moto."""

    def __init__(self) -> None:
        from botocore.handlers import BUILTIN_HANDLERS

        self.before_send = next(
            entry[1]
            for entry in BUILTIN_HANDLERS
            if entry[0] == "before-send" and type(entry[1]).__name__ == "_HttpLayer"
        )
        self.requests: list[tuple[str, str]] = []
        self.emulation = 0.0
        bridge = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                started = time.perf_counter()
                status, headers, content = bridge.answer(self.command, self.path, dict(self.headers), body)
                bridge.emulation += time.perf_counter() - started
                self.send_response(status)
                for k, v in headers.items():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "server", "date"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_DELETE = _answer  # noqa: N815

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        from botocore.awsrequest import AWSPreparedRequest

        scope = headers.get("Authorization", "").split("Credential=", 1)[-1].split(",", 1)[0].split("/")
        service = scope[3] if len(scope) > 3 else ""
        target = headers.get("X-Amz-Target", "")
        operation = target.rsplit(".", 1)[-1] if target else ("DescribeUser" if path.startswith("/users/") else "")
        host = f"{service}.{REGION}.amazonaws.com"
        headers = {k: v for k, v in headers.items() if k.lower() != "host"} | {"Host": host}
        request = AWSPreparedRequest(method, f"https://{host}{path}", headers, body, stream_output=False)
        self.requests.append((service, operation))
        response = self.before_send(f"before-send.{_SERVICE_IDS.get(service, service)}.{operation}", request)
        return response.status_code, dict(response.headers), response.content

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _event(name: str) -> dict:
    return json.loads((EVENTS / f"{name}.json").read_text())


def _flow(contact: str, number: str, **params: str) -> dict:
    event = _event("identify_caller")
    data = event["Details"]["ContactData"]
    data["ContactId"] = data["InitialContactId"] = data["PreviousContactId"] = contact
    data["CustomerEndpoint"]["Address"] = number
    event["Details"]["Parameters"] = dict(params)
    return event


def _plans(backend: Any, repeats: int) -> dict[str, list[list[dict]]]:
    """Per handler and repeat, two events (first call, warm call) of first-time contacts and
    callers; the cases and known callers they need are made here, in the sandbox."""
    n = 2 * repeats
    created = [
        backend.invoke("create_case", _flow(f"bench-pre-{i}", f"+486010{i:05d}", topic="legal", language="uk"))
        for i in range(n)
    ]
    known = [
        backend.invoke("identify_caller", _flow(f"bench-id-{i}", f"+486010{i:05d}", language="uk")) for i in range(n)
    ]
    supervisor = backend.add_agent("bench-supervisor", supervisor=True)
    contact = _event("contact_event_queued")

    def contact_event(i: int) -> dict:
        event = copy.deepcopy(contact)
        event["id"] = f"bench-event-{i}"
        event["detail"]["contactId"] = f"bench-j-{i}"
        return event

    makers = {
        "identify_caller": lambda i: _flow(f"bench-a-{i}", f"+486020{i:05d}", language="uk"),
        "create_case": lambda i: _flow(f"bench-b-{i}", f"+486030{i:05d}", topic="legal", language="uk"),
        "route_referral": lambda i: _flow(
            f"bench-c-{i}",
            f"+486010{i:05d}",
            case_id=created[i]["case_id"],
            needs_codes="LP-ND",
            region="*",
            language="uk",
            consent="true",
        ),
        "record_survey_answer": lambda i: _flow(
            f"bench-d-{i}", f"+486040{i:05d}", survey_id="needs", question_id="q1", answer="yes"
        ),
        "get_caller_context": lambda i: _flow(
            f"bench-e-{i}", f"+486010{i:05d}", caller_id=known[i]["caller_id"], case_id=created[i]["case_id"]
        ),
        "classify_call": lambda i: _flow(f"bench-f-{i}", f"+486010{i:05d}", call_type="real"),
        "save_screening": lambda i: _flow(
            f"bench-g-{i}", f"+486050{i:05d}", language="uk", needs_codes="SM", consent="true"
        ),
        "record_outcome": lambda i: _flow(
            f"bench-h-{i}", f"+486010{i:05d}", case_id=created[i]["case_id"], outcome="resolved"
        ),
        "block_caller": lambda i: _flow(
            f"bench-i-{i}", f"+486010{i:05d}", caller_id=known[i]["caller_id"], hours="24", agent_arn=supervisor
        ),
        "record_contact_event": contact_event,
        "deliver_outbox": lambda i: {"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}},
    }
    return {name: [[make(2 * r), make(2 * r + 1)] for r in range(repeats)] for name, make in makers.items()}


def first_invocations(env_extra: dict[str, str], repeats: int) -> dict[str, dict[str, Any]]:
    """Per handler: medians (ms) of import, first call, moto's share of it, warm call; requests.
    One more run than ``repeats`` is made and dropped (it fills a cold bytecode cache)."""
    import io
    import statistics
    from contextlib import redirect_stdout

    from helpline.sandbox import local_backend

    partners = [{**p, "capacity": 100000} for p in _event("partners_pl")]
    results: dict[str, dict[str, Any]] = {}
    with redirect_stdout(io.StringIO()), local_backend(partners, country="pl") as backend:
        bridge = Bridge()
        try:
            plans = _plans(backend, repeats + 1)
            env = {**os.environ, **backend.env, **env_extra, "PYTHONPATH": str(ROOT), "AWS_ENDPOINT_URL": bridge.url}
            for name, pairs in plans.items():
                samples: list[dict[str, Any]] = []
                for pair in pairs:
                    bridge.requests.clear()
                    bridge.emulation = 0.0
                    out = subprocess.run(  # noqa: S603
                        [sys.executable, "-c", _CHILD, name],
                        input=json.dumps(pair),
                        cwd=ROOT,
                        env=env,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    sample = json.loads(out.stdout.strip().splitlines()[-1])
                    sample["moto"] = bridge.emulation  # both calls; the warm one is small
                    sample["requests"] = len(bridge.requests)
                    samples.append(sample)
                samples = samples[1:]
                results[name] = {
                    key: statistics.median(s[key] for s in samples) * 1000
                    for key in ("import", "first", "second", "moto")
                } | {"status": samples[-1]["status"], "requests": samples[-1]["requests"]}
        finally:
            bridge.close()
    return results
