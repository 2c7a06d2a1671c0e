"""A local, in-process backend for the offline call simulator and tests.

``local_backend(partners, country=..., retention=..., fail_dynamodb=False, state_dir=None)``
starts moto, sets fake credentials, region eu-central-1 and every environment variable the
handlers need, creates all tables from ``functions.dal.models.ALL_MODELS``, the hash-key secret
and the EventBridge bus, seeds the partner directory, and yields a :class:`LocalBackend`:

- ``invoke(function_name, event) -> dict`` calls the REAL ``functions.handlers.<name>.handler``;
- ``dump_tables() -> {LOGICAL_NAME: [items]}`` (plain JSON-able values);
- ``calls`` - every AWS API call the handlers made through botocore (service, operation,
  params), in order: one per API call, whatever botocore's retries did underneath;
- ``http_attempts`` - every HTTP attempt (:class:`HttpAttempt`), retries included, with what
  the fake network answered; ``attempts(service, operation)`` counts them;
- ``retry_delays`` / ``virtual_seconds`` - see "Time" below;
- ``published_events`` - EventBridge PutEvents entries that were delivered;
- ``pump_streams(function="deliver_outbox")`` - hands the new records of the function's DynamoDB
  streams (read from moto's stream, the Lambda event shape) to the function, like an event
  source mapping: when the function raises, the position stays and the next pump re-sends the
  batch (Lambda's retry of a stream batch); ``run_schedule(function)`` sends a scheduled event;
- ``connect_users`` - the fake Amazon Connect users (moto has no Connect): ``add_agent(user_id,
  supervisor=...)`` returns the agent's ARN; connect:DescribeUser is answered from it at the
  HTTP layer (recorded and failable like every other request);
- ``logs`` - every log line the handlers wrote (JSON strings);
- ``inject_failure(...)`` / ``clear_failures()`` / ``fail_dynamodb`` - see "Failures".

The sandbox's own requests (creating tables, ``dump_tables``, loading and saving state) are
neither recorded nor failed.

Failures (below botocore's retry layer)
    moto answers requests from botocore's ``before-send`` event, i.e. where the HTTP request
    would leave the process.  The sandbox puts its own handler in front of moto's there, so an
    injected failure is what the network or the service answered to ONE HTTP attempt: botocore's
    standard retry mode, its back-off and retry quota, and the handlers' time budget
    (``functions.deadline``) all run as in Lambda, and ``http_attempts`` shows every attempt.

    - ``inject_failure(operation=None, *, service="dynamodb", error=..., times=None, table=None,
      rate=None, seed=0)``: matching attempts fail with ``error``: a service error code (an HTTP
      error response: ``ThrottlingException`` / ``ProvisionedThroughputExceededException`` and
      other codes 400, ``InternalServerError`` 500, ``ServiceUnavailable`` 503),
      ``TransactionConflict`` (a TransactWriteItems cancelled by a concurrent transaction),
      ``ReadTimeout`` / ``ConnectTimeout`` / ``EndpointConnectionError`` (network; nothing reached
      the service), or ``ReadTimeoutAfterSend`` (the service DID process the request - the write
      happened - but the answer was lost: the ambiguous case retries must survive).
      ``times``: fail only that many attempts (then pass); ``table``: only requests naming this
      table; ``rate``: fail that fraction of matching attempts, drawn from ``random.Random(seed)``
      (repeatable fault drills).
    - ``local_backend(..., fail_dynamodb=True)`` or ``backend.fail_dynamodb = True``: EVERY
      DynamoDB attempt answers 503 ServiceUnavailable (``helpline call --fail dynamodb``): the
      handlers retry, then answer ``backend_unavailable``.

Time
    Nothing sleeps: botocore's retry back-off delays are recorded in ``retry_delays`` instead of
    slept, and an injected ``ReadTimeout`` / ``ConnectTimeout`` costs DDB_READ_TIMEOUT /
    DDB_CONNECT_TIMEOUT seconds.  Both are added to ``virtual_seconds``, which is the handlers'
    deadline clock (``functions.deadline.clock``), so a test can prove a flow function answers
    within Amazon Connect's 8 s even when every request times out.  Wall time does not count: a
    slow or loaded machine must not turn a successful request into ``backend_unavailable``.

State (``state_dir``)
    Without ``state_dir`` every ``with`` gets fresh tables and a new hash key.  With
    ``state_dir=Path("...")`` the tables persist in that folder so consecutive simulated calls
    share callers and cases (use one folder per country):

    - one JSON Lines file per table, named after the table's logical name (``Callers.jsonl``,
      ``Cases.jsonl``, ``Interactions.jsonl``, ...): one item per line in DynamoDB JSON, the wire
      format (``{"case_id": {"S": "PL-..."}, "chain_seq": {"N": "2"}, ...}``), sorted by key;
    - ``caller-hash-key.secret``: the key material of the sandbox's KMS HMAC key (64 hex characters, file
      mode 0600), created on first use - without it every run would give a caller a new
      pseudonym.  It is a local test key; never put a production key there.
    - loaded on entry (after the partner directory is seeded from the country file; of the stored
      partner directory, Partners and PartnerServices, nothing is loaded: the country file is the
      directory; the open-referral counters, PartnerLoads, are kept), written on exit (also after an error in
      the ``with`` body), each file atomically (temporary file + rename).
    - a corrupt file raises ONE :class:`SandboxStateError` naming the file and line (before moto
      starts), never a traceback from deep inside.

    The format is :mod:`helpline.state_folder`'s (the audit and campaign tools read and rewrite
    the same folder).

Each ``with`` resets the runtime caches (settings, PynamoDB connections, botocore clients, the
Powertools secret cache) on entry and exit, and the environment is restored.  One sandbox at a
time per process.
"""

from __future__ import annotations

import base64
import copy
import importlib
import json
import logging
import os
import random
import secrets
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from functions.handlers import HANDLERS as FUNCTIONS  # every Lambda entry point (no side effects)
from helpline.state_folder import SandboxStateError, StateLine, load_secret, read_state, write_table

REGION = "eu-central-1"
ACCOUNT = "123456789012"

INSTANCE_ID = "9e2b2a1c-4b7f-4a8e-8d3c-0f1e2d3c4b5a"
SUPERVISOR_PROFILE = "sandbox-supervisor-profile"
AGENT_PROFILE = "sandbox-agent-profile"

# HTTP status of injected service errors (others: 400)
_ERROR_STATUS = {"InternalServerError": 500, "InternalFailure": 500, "ServiceUnavailable": 503}
_NETWORK_ERRORS = ("ReadTimeout", "ReadTimeoutAfterSend", "ConnectTimeout", "EndpointConnectionError")
# botocore service ids (hyphenized, as in event names) -> service names used by inject_failure
_SERVICE_NAMES = {"secrets-manager": "secretsmanager", "eventbridge": "events"}


@dataclass
class FakeLambdaContext:
    function_name: str
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/local"
    log_stream_name: str = "local"
    timeout_ms: int = 8000

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return self.timeout_ms


@dataclass
class ApiCall:
    service: str
    operation: str
    params: dict[str, Any]


@dataclass
class HttpAttempt:
    """One HTTP attempt as the fake network saw it (botocore retries make several per API call)."""

    service: str
    operation: str
    status: int  # HTTP status answered; 0 for a network failure
    error: str  # "" when moto answered normally, else the injected error


@dataclass
class _Failure:
    service: str
    operation: str | None
    error: str
    remaining: int | None
    table: str | None = None
    rate: float | None = None
    rng: random.Random | None = None

    def matches(self, service: str, operation: str, body: bytes) -> bool:
        if self.service != service or (self.operation and self.operation != operation):
            return False
        if self.table and self.table.encode() not in body:
            return False
        if self.remaining is not None and self.remaining <= 0:
            return False
        if self.rate is not None and self.rng is not None and self.rng.random() >= self.rate:
            return False
        if self.remaining is not None:
            self.remaining -= 1
        return True


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.DEBUG)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.sink.append(self.format(record))
        except Exception:  # noqa: BLE001
            self.sink.append(record.getMessage())


def _plain(value: dict[str, Any]) -> Any:
    ((kind, inner),) = value.items()
    if kind == "S" or kind == "B":
        return inner
    if kind == "N":
        return int(inner) if inner.lstrip("-").isdigit() else float(inner)
    if kind == "BOOL":
        return bool(inner)
    if kind == "NULL":
        return None
    if kind == "L":
        return [_plain(v) for v in inner]
    if kind == "M":
        return {k: _plain(v) for k, v in inner.items()}
    if kind in ("SS", "BS"):
        return sorted(inner)
    if kind == "NS":
        return sorted(int(v) if v.lstrip("-").isdigit() else float(v) for v in inner)
    return inner


def _stream_triggers(function_name: str) -> list[dict[str, Any]]:
    from functions.permissions import PERMISSIONS

    trigger = PERMISSIONS.get(function_name, {}).get("trigger", "flow")
    items = trigger if isinstance(trigger, list) else [trigger]
    return [item for item in items if isinstance(item, dict) and "stream" in item]


def _stream_tables(function_name: str) -> list[str]:
    return [t for item in _stream_triggers(function_name) for t in item["stream"]]


def _stream_filter(function_name: str, logical: str) -> tuple[str, ...] | None:
    """The record kinds (eventName) that invoke the function from this table's stream, None for all:
    the ``events`` of its trigger in functions/permissions.py, which the stack turns into the
    mapping's FilterCriteria {"eventName": [...]} (lambda/latest/dg/with-ddb-filtering.html);
    records that do not match invoke nothing (deliver_outbox skips its own claims and marks)."""
    for item in _stream_triggers(function_name):
        if logical in item["stream"] and item.get("events"):
            return tuple(item["events"])
    return None


def _json_safe(value: Any) -> Any:
    """botocore results -> the JSON Lambda receives (datetimes as epoch seconds, bytes base64)."""
    from datetime import datetime

    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def table_env(country: str, retention: dict[str, int] | None, key_id: str = "", bus: str = "") -> dict[str, str]:
    from functions.dal.models import ALL_MODELS

    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # noqa: S105 - moto fake credentials
        "AWS_SESSION_TOKEN": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "COUNTRY_CODE": country,
        "PSEUDONYM_KEY_ID": key_id,
        "EVENT_BUS_NAME": bus,
        "CONNECT_INSTANCE_ID": INSTANCE_ID,
        "SUPERVISOR_PROFILE_IDS": SUPERVISOR_PROFILE,
        "POWERTOOLS_SERVICE_NAME": "helpline",
        "POWERTOOLS_METRICS_NAMESPACE": "Helpline",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    for model in ALL_MODELS:
        env[model.TABLE_ENV] = f"helpline-{country}-{model.LOGICAL_NAME.lower()}"
    for name, days in (retention or {}).items():
        env[f"RETENTION_DAYS_{name.upper()}"] = str(int(days))
    return env


class LocalBackend:
    def __init__(self, country: str, env: dict[str, str]) -> None:
        self.country = country
        self.env = env
        self.calls: list[ApiCall] = []
        self.http_attempts: list[HttpAttempt] = []
        self.retry_delays: list[float] = []
        self.virtual_seconds = 0.0
        self.logs: list[str] = []
        self.published_events: list[dict[str, Any]] = []
        self._failures: list[_Failure] = []
        self._fail_all: _Failure | None = None
        self._internal = 0
        self._ddb: Any = None
        self.connect_users: dict[str, list[str]] = {}  # user id -> security profile ids
        self.connect_contacts: dict[str, dict[str, str]] = {}  # contact id -> its contact attributes
        self._stream_positions: dict[str, int] = {}

    # -- invoking ---------------------------------------------------------------------------
    def add_agent(self, user_id: str, *, supervisor: bool = False) -> str:
        """A fake Amazon Connect user of the sandbox instance; returns its ARN (``$.Agent.ARN``)."""
        self.connect_users[user_id] = [SUPERVISOR_PROFILE if supervisor else AGENT_PROFILE]
        return f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}/agent/{user_id}"

    def pump_streams(self, function_name: str = "deliver_outbox") -> list[dict | Exception]:
        """Invoke ``function_name`` with the new records of each DynamoDB stream it is triggered by.

        A batch whose invocation raises is not consumed (Lambda retries a failed stream batch):
        the exception is returned in the results and the next pump sends the batch again.
        """
        results: list[dict | Exception] = []
        for logical in _stream_tables(function_name):
            records = self._stream_records(logical)
            start = self._stream_positions.get(logical, 0)
            events = _stream_filter(function_name, logical)
            batch = [r for r in records[start:] if events is None or r.get("eventName") in events]
            if not batch:
                self._stream_positions[logical] = len(records)
                continue
            try:
                results.append(self.invoke(function_name, {"Records": batch}))
            except Exception as exc:  # noqa: BLE001 - the stream keeps the batch for the retry
                results.append(exc)
                continue
            self._stream_positions[logical] = len(records)
        return results

    def run_schedule(self, function_name: str = "deliver_outbox") -> dict:
        """Invoke ``function_name`` with an EventBridge scheduled event (``Scheduled Event``)."""
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": ACCOUNT,
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "region": REGION,
            "resources": [f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{function_name}-schedule"],
            "detail": {},
        }
        return self.invoke(function_name, event)

    def _stream_records(self, logical: str) -> list[dict[str, Any]]:
        """Every record of a table's stream so far, as Lambda receives them (moto's GetRecords)."""
        from functions.aws import botocore_session
        from functions.dal.models import MODELS_BY_LOGICAL_NAME

        model = MODELS_BY_LOGICAL_NAME[logical]
        out: list[dict[str, Any]] = []
        with self.internal():
            table = self._client("dynamodb").describe_table(TableName=model.Meta.table_name)["Table"]
            arn = table.get("LatestStreamArn")
            if not arn:
                return out
            # moto answers the classic endpoint; botocore now defaults to <account>.streams-ddb...
            streams = botocore_session().create_client(
                "dynamodbstreams", region_name=REGION, endpoint_url=f"https://streams.dynamodb.{REGION}.amazonaws.com"
            )
            for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"].get("Shards", []):
                iterator = streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
                while iterator:
                    page = streams.get_records(ShardIterator=iterator)
                    for record in page.get("Records", []):
                        out.append({**_json_safe(record), "eventSourceARN": arn})
                    if not page.get("Records"):
                        break
                    iterator = page.get("NextShardIterator")
        return out

    def _skip_stream_history(self) -> None:
        """Streams start after the sandbox's own setup (seeding, loaded state)."""
        from functions.dal.models import ALL_MODELS

        for model in ALL_MODELS:
            if getattr(model.Meta, "stream_view_type", None):
                self._stream_positions[model.LOGICAL_NAME] = len(self._stream_records(model.LOGICAL_NAME))

    def invoke(self, function_name: str, event: dict) -> dict:
        if function_name not in FUNCTIONS:
            raise ValueError(f"unknown function {function_name!r}; known: {', '.join(FUNCTIONS)}")
        module = importlib.import_module(f"functions.handlers.{function_name}")
        return module.handler(copy.deepcopy(event), FakeLambdaContext(function_name))

    # -- inspecting -------------------------------------------------------------------------
    def scan_raw(self) -> dict[str, list[dict[str, Any]]]:
        """Every table's items in DynamoDB JSON, keyed by LOGICAL_NAME (not recorded)."""
        from functions.dal.models import ALL_MODELS

        out: dict[str, list[dict[str, Any]]] = {}
        with self.internal():
            client = self._client("dynamodb")
            for model in ALL_MODELS:
                items: list[dict[str, Any]] = []
                kwargs: dict[str, Any] = {"TableName": model.Meta.table_name, "ConsistentRead": True}
                while True:
                    page = client.scan(**kwargs)
                    items.extend(page.get("Items", []))
                    if "LastEvaluatedKey" not in page:
                        break
                    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
                out[model.LOGICAL_NAME] = items
        return out

    def dump_tables(self) -> dict[str, list[dict[str, Any]]]:
        return {
            name: [{k: _plain(v) for k, v in item.items()} for item in items] for name, items in self.scan_raw().items()
        }

    def item_count(self) -> int:
        return sum(len(v) for v in self.dump_tables().values())

    def dynamodb_calls(self) -> list[ApiCall]:
        return [c for c in self.calls if c.service == "dynamodb"]

    def attempts(self, service: str = "dynamodb", operation: str | None = None) -> int:
        """HTTP attempts (retries included) made to ``service`` (and ``operation``)."""
        return sum(
            1 for a in self.http_attempts if a.service == service and (operation is None or a.operation == operation)
        )

    def reset_calls(self) -> None:
        """Forget recorded API calls, HTTP attempts and retry delays."""
        self.calls.clear()
        self.http_attempts.clear()
        self.retry_delays.clear()

    # -- failure injection ------------------------------------------------------------------
    def inject_failure(
        self,
        operation: str | None = None,
        *,
        service: str = "dynamodb",
        error: str = "ProvisionedThroughputExceededException",
        times: int | None = None,
        table: str | None = None,
        rate: float | None = None,
        seed: int = 0,
    ) -> None:
        """Fail matching HTTP attempts (below botocore's retries; see the module docstring)."""
        if rate is not None and not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        rng = random.Random(seed) if rate is not None else None  # noqa: S311 - fault drills, not crypto
        self._failures.append(_Failure(service, operation, error, times, table, rate, rng))

    def clear_failures(self) -> None:
        self._failures.clear()

    @property
    def fail_dynamodb(self) -> bool:
        return self._fail_all is not None

    @fail_dynamodb.setter
    def fail_dynamodb(self, value: bool) -> None:
        self._fail_all = _Failure("dynamodb", None, "ServiceUnavailable", None) if value else None

    def _failure_for(self, service: str, operation: str, body: bytes) -> _Failure | None:
        if self._fail_all is not None and self._fail_all.matches(service, operation, body):
            return self._fail_all
        for failure in self._failures:
            if failure.matches(service, operation, body):
                return failure
        return None

    # -- internals --------------------------------------------------------------------------
    @contextmanager
    def internal(self) -> Iterator[None]:
        """The sandbox's own requests: not recorded, never failed, outside any deadline."""
        from functions import deadline

        # The deadline clock is the simulated one (_fake_network), and the sandbox's own requests
        # are never failed nor retried, so it stands still meanwhile: starting the seconds that
        # were left again restores the deadline (one already passed comes back as "now", which
        # refuses every request alike).
        left = deadline.remaining()
        deadline.clear()
        self._internal += 1
        try:
            yield
        finally:
            self._internal -= 1
            deadline.start(left)

    def _client(self, service: str) -> Any:
        from functions.aws import client

        if service == "dynamodb":
            if self._ddb is None:
                self._ddb = client(service, connect_timeout=5, read_timeout=10, max_retries=0)
            return self._ddb
        return client(service, connect_timeout=5, read_timeout=10, max_retries=0)


# -- the fake network ---------------------------------------------------------------------------


def _error_response(request: Any, service: str, code: str, status: int, extra: dict | None = None) -> Any:
    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import MockRawResponse

    prefix = "com.amazonaws.dynamodb.v20120810#" if service == "dynamodb" else ""
    body = {"__type": f"{prefix}{code}", "message": "injected by helpline.sandbox", **(extra or {})}
    headers = {
        "Content-Type": "application/x-amz-json-1.0" if service == "dynamodb" else "application/x-amz-json-1.1",
        "x-amzn-RequestId": str(uuid.uuid4()),
    }
    return AWSResponse(request.url, status, headers, MockRawResponse(json.dumps(body)))


def _connect_response(backend: LocalBackend, operation: str, request: Any) -> Any:
    """Amazon Connect is not in moto: answer DescribeUser from ``backend.connect_users``
    (``GET /users/<InstanceId>/<UserId>``, https://docs.aws.amazon.com/connect/latest/APIReference/API_DescribeUser.html)."""
    from urllib.parse import unquote, urlparse

    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import MockRawResponse

    parts = [unquote(p) for p in urlparse(request.url).path.split("/") if p]
    headers = {"Content-Type": "application/json", "x-amzn-RequestId": str(uuid.uuid4())}
    # GetContactAttributes (``GET /contact/attributes/<InstanceId>/<InitialContactId>``,
    # https://docs.aws.amazon.com/connect/latest/APIReference/API_GetContactAttributes.html)
    # answers from ``backend.connect_contacts`` (the simulator records each call's attributes).
    known = len(parts) == 4 and parts[2] == INSTANCE_ID and parts[3] in backend.connect_contacts
    if operation == "GetContactAttributes" and known:
        body = {"Attributes": backend.connect_contacts[parts[3]]}
        return AWSResponse(request.url, 200, headers, MockRawResponse(json.dumps(body)))
    if (
        operation == "DescribeUser"
        and len(parts) == 3
        and parts[1] == INSTANCE_ID
        and parts[2] in backend.connect_users
    ):
        user_id = parts[2]
        body = {
            "User": {
                "Id": user_id,
                "Arn": f"arn:aws:connect:{REGION}:{ACCOUNT}:instance/{INSTANCE_ID}/agent/{user_id}",
                "Username": user_id,
                "SecurityProfileIds": backend.connect_users[user_id],
                "RoutingProfileId": "sandbox-routing-profile",
            }
        }
        return AWSResponse(request.url, 200, headers, MockRawResponse(json.dumps(body)))
    headers["x-amzn-ErrorType"] = "ResourceNotFoundException"
    body = {"Message": "user not found (helpline.sandbox)"}
    return AWSResponse(request.url, 404, headers, MockRawResponse(json.dumps(body)))


class _HttpLayer:
    """Stands in front of moto's ``before-send`` handler: records attempts, injects failures."""

    def __init__(self, backend: LocalBackend, stubber: Any) -> None:
        self.backend = backend
        self.stubber = stubber

    def __call__(self, event_name: str = "", request: Any = None, **kwargs: Any) -> Any:
        backend = self.backend
        if backend._internal or request is None:
            return self.stubber(event_name, request, **kwargs)
        parts = event_name.split(".")
        service_id = parts[1] if len(parts) > 1 else ""
        service = _SERVICE_NAMES.get(service_id, service_id.replace("-", ""))
        operation = parts[2] if len(parts) > 2 else ""
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        failure = backend._failure_for(service, operation, body)
        if failure is None and service == "connect":
            response = _connect_response(backend, operation, request)
            backend.http_attempts.append(HttpAttempt(service, operation, response.status_code, ""))
            return response
        if failure is None:
            response = self.stubber(event_name, request, **kwargs)
            status = getattr(response, "status_code", 0)
            backend.http_attempts.append(HttpAttempt(service, operation, status, ""))
            return response
        return self._fail(failure.error, service, operation, request, body, event_name, kwargs)

    def _fail(
        self, error: str, service: str, operation: str, request: Any, body: bytes, event_name: str, kwargs: dict
    ) -> Any:
        from botocore import exceptions as bex

        from functions.settings import get_settings

        backend = self.backend
        url = request.url
        if error in _NETWORK_ERRORS:
            backend.http_attempts.append(HttpAttempt(service, operation, 0, error))
            settings = get_settings()
            if error == "ReadTimeoutAfterSend":
                self.stubber(event_name, request, **kwargs)  # the service processed it...
                backend.virtual_seconds += settings.ddb_read_timeout
                raise bex.ReadTimeoutError(endpoint_url=url)  # ...but the answer never arrived
            if error == "ReadTimeout":
                backend.virtual_seconds += settings.ddb_read_timeout
                raise bex.ReadTimeoutError(endpoint_url=url)
            if error == "ConnectTimeout":
                backend.virtual_seconds += settings.ddb_connect_timeout
                raise bex.ConnectTimeoutError(endpoint_url=url)
            raise bex.EndpointConnectionError(endpoint_url=url)
        if error == "TransactionConflict":
            try:
                count = len(json.loads(body or b"{}").get("TransactItems", [])) or 1
            except ValueError:
                count = 1
            reasons = [{"Code": "TransactionConflict", "Message": "Transaction is ongoing for the item"}] * count
            backend.http_attempts.append(HttpAttempt(service, operation, 400, error))
            return _error_response(
                request, service, "TransactionCanceledException", 400, {"CancellationReasons": reasons}
            )
        status = _ERROR_STATUS.get(error, 400)
        backend.http_attempts.append(HttpAttempt(service, operation, status, error))
        return _error_response(request, service, error, status)


class _RecordingTime:
    """Replaces ``botocore.endpoint.time``: retry back-offs are recorded, not slept."""

    def __init__(self, backend: LocalBackend, real: Any) -> None:
        self._backend = backend
        self._real = real

    def sleep(self, seconds: float) -> None:
        self._backend.retry_delays.append(float(seconds))
        self._backend.virtual_seconds += float(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


@contextmanager
def _fake_network(backend: LocalBackend) -> Iterator[None]:
    """Install the HTTP layer (for every botocore session created inside), the back-off recorder
    and the virtual deadline clock; undo all three on exit."""
    import botocore.endpoint
    from botocore.handlers import BUILTIN_HANDLERS
    from moto.core.models import botocore_stubber

    from functions import deadline

    index = next(
        (i for i, entry in enumerate(BUILTIN_HANDLERS) if entry[0] == "before-send" and entry[1] is botocore_stubber),
        None,
    )
    if index is None:
        raise RuntimeError("moto's before-send handler is not registered; cannot build the sandbox network")
    original_entry = BUILTIN_HANDLERS[index]
    BUILTIN_HANDLERS[index] = ("before-send", _HttpLayer(backend, botocore_stubber))
    original_time = botocore.endpoint.time
    botocore.endpoint.time = _RecordingTime(backend, original_time)  # type: ignore[attr-defined]
    original_clock = deadline.clock
    # Simulated time only: the machine's own speed (a loaded CI runner) must not decide whether a
    # handler still has budget for a request; Lambda's CPU time per request is milliseconds.
    deadline.clock = lambda: backend.virtual_seconds
    try:
        yield
    finally:
        BUILTIN_HANDLERS[index] = original_entry
        botocore.endpoint.time = original_time  # type: ignore[attr-defined]
        deadline.clock = original_clock
        deadline.clear()


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def reset_runtime_caches() -> None:
    """Forget cached settings, PynamoDB connections, botocore clients and the cached secret."""
    from functions.caches import reset_all

    reset_all()


@contextmanager
def _record_api_calls(backend: LocalBackend) -> Iterator[None]:
    from botocore.client import BaseClient

    original = BaseClient._make_api_call

    def recording(client: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        if backend._internal:
            return original(client, operation_name, api_params)
        service = client.meta.service_model.service_name
        backend.calls.append(ApiCall(service, operation_name, copy.deepcopy(api_params)))
        result = original(client, operation_name, api_params)
        if service == "events" and operation_name == "PutEvents":
            backend.published_events.extend(copy.deepcopy(api_params.get("Entries", [])))
        return result

    BaseClient._make_api_call = recording  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


# -- persistent state ---------------------------------------------------------------------------


def _to_client(value: dict[str, Any]) -> dict[str, Any]:
    """Wire JSON -> botocore parameters (binary values are bytes for the client)."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(v) for v in inner]}
    if kind == "M":
        return {"M": {k: _to_client(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_to_client(v) for v in inner]}
    return {kind: inner}


def _to_wire(value: dict[str, Any]) -> dict[str, Any]:
    """botocore result -> wire JSON (binary values base64)."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(v).decode("ascii") for v in inner]}
    if kind == "M":
        return {"M": {k: _to_wire(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_to_wire(v) for v in inner]}
    return {kind: inner}


def _apply_state(backend: LocalBackend, state: dict[str, list[StateLine]]) -> None:
    """Put the stored items back; the partner directory comes from the country file, not the state
    (its open-referral counters, PartnerLoads, are kept)."""
    from functions.dal.models import MODELS_BY_LOGICAL_NAME

    client = backend._client("dynamodb")
    for logical, lines in state.items():
        if logical in SEEDED_TABLES:
            continue
        model = MODELS_BY_LOGICAL_NAME[logical]
        for line in lines:
            try:
                client.put_item(TableName=model.Meta.table_name, Item={k: _to_client(v) for k, v in line.item.items()})
            except Exception as exc:  # noqa: BLE001 - report where, not a botocore traceback
                reason = getattr(exc, "response", {}).get("Error", {}).get("Message") or type(exc).__name__
                raise SandboxStateError(f"{line.path}:{line.line}: DynamoDB rejected the item: {reason}") from None


SEEDED_TABLES = ("Partners", "PartnerServices")


def save_state(backend: LocalBackend, state_dir: Path) -> None:
    """Write every table to ``<state_dir>/<LogicalName>.jsonl`` atomically (temp file + rename)."""
    for logical, items in backend.scan_raw().items():
        write_table(state_dir, logical, [{k: _to_wire(v) for k, v in item.items()} for item in items])
    from helpline.audit.local import write_checkpoint

    write_checkpoint(state_dir)  # signed heads of every chain (see docs/audit.md)


# -- the context manager ------------------------------------------------------------------------


@contextmanager
def local_backend(
    partners: list[dict],
    *,
    country: str = "xx",
    retention: dict[str, int] | None = None,
    fail_dynamodb: bool = False,
    state_dir: Path | str | None = None,
) -> Iterator[LocalBackend]:
    from moto import mock_aws

    from functions.dal.partners import seed_items

    global _active
    if _active:
        raise RuntimeError(
            "local_backend() is already active in this process; nesting is not supported "
            "(moto state would be shared). Use one sandbox at a time."
        )
    country = country.lower()
    items = seed_items(partners)  # validate before starting anything
    folder = Path(state_dir) if state_dir is not None else None
    state: dict[str, list[StateLine]] = {}
    secret_value: str | None = None
    if folder is not None:
        if folder.exists() and not folder.is_dir():
            raise SandboxStateError(f"{folder}: the state folder is a file")
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        state = read_state(folder)  # a corrupt file stops here, before moto starts
        secret_value = load_secret(folder)
    env = table_env(country, retention)
    _active = True
    try:
        with _environment(env), mock_aws():
            yield from _run_backend(country, env, items, state, secret_value, folder, fail_dynamodb)
    finally:
        _active = False
    reset_runtime_caches()


_active = False


def _pseudonym_key(backend: LocalBackend, key_text: str) -> str:
    """The stack's KMS HMAC key (HMAC_256, GENERATE_VERIFY_MAC) in moto, holding the state folder's
    key material, so pseudonyms stay the same across runs of one folder and the folder's tooling
    (helpline audit, survey-campaign) computes the same HMAC locally.  Real KMS can import HMAC key
    material (KMS developer guide, importing-keys.html); moto 5 has no ImportKeyMaterial, so the
    material is set on moto's key object: the one place the sandbox reaches into moto."""
    from moto.kms.models import kms_backends

    from functions.logic.pseudonym import key_bytes

    answer = backend._client("kms").create_key(
        KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC", Description="sandbox caller pseudonyms"
    )["KeyMetadata"]
    kms_backends[ACCOUNT][REGION].keys[answer["KeyId"]].key_material = key_bytes(key_text)
    return answer["Arn"]


def _run_backend(
    country: str,
    env: dict[str, str],
    items: dict[str, list[dict]],
    state: dict[str, list[StateLine]],
    secret_value: str | None,
    folder: Path | None,
    fail_dynamodb: bool,
) -> Iterator[LocalBackend]:
    backend = LocalBackend(country, env)
    with _fake_network(backend):
        reset_runtime_caches()  # sessions created from here on use the sandbox network
        with backend.internal():
            key_arn = _pseudonym_key(backend, secret_value or secrets.token_hex(32))
            bus_name = f"helpline-{country}-referrals"
            backend._client("events").create_event_bus(Name=bus_name)
            os.environ["PSEUDONYM_KEY_ID"] = key_arn
            os.environ["EVENT_BUS_NAME"] = bus_name
            backend.env = {**env, "PSEUDONYM_KEY_ID": key_arn, "EVENT_BUS_NAME": bus_name}
            reset_runtime_caches()
            backend._ddb = None

            from functions.dal import repository
            from functions.dal.models import ALL_MODELS

            repository.prepare()  # share the runtime's DynamoDB client for table creation too
            for model in ALL_MODELS:
                model.create_table(wait=False, billing_mode="PAY_PER_REQUEST")
            ddb = backend._client("dynamodb")
            from functions.dal.models import MODELS_BY_LOGICAL_NAME

            for logical, rows in items.items():  # the stack's seeding (functions.dal.partners)
                for item in rows:
                    ddb.put_item(TableName=MODELS_BY_LOGICAL_NAME[logical].Meta.table_name, Item=item)
            _apply_state(backend, state)
            backend._skip_stream_history()

        backend.fail_dynamodb = fail_dynamodb
        from functions.observability import logger

        capture = _ListHandler(backend.logs)
        capture.setFormatter(logger.registered_formatter)
        logger._logger.addHandler(capture)
        try:
            with _record_api_calls(backend):
                yield backend
        finally:
            logger._logger.removeHandler(capture)
            try:
                if folder is not None:
                    backend.fail_dynamodb = False
                    backend.clear_failures()
                    save_state(backend, folder)
            finally:
                reset_runtime_caches()
