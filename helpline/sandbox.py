"""A local, in-process backend for the offline call simulator and tests.

``local_backend(partners, country=..., retention=...)`` starts moto, sets fake credentials,
region eu-central-1 and every environment variable the handlers need, creates all tables from
``functions.dal.models.ALL_MODELS``, the hash-key secret and the EventBridge bus, seeds the
partner directory, and yields a :class:`LocalBackend`:

- ``invoke(function_name, event) -> dict`` calls the REAL ``functions.handlers.<name>.handler``;
- ``dump_tables() -> {LOGICAL_NAME: [items]}`` (plain JSON-able values);
- ``calls`` - every AWS API call made through botocore (service, operation, params), in order;
- ``published_events`` - EventBridge PutEvents entries;
- ``logs`` - every log line the handlers wrote (JSON strings);
- ``inject_failure(...)`` - make matching AWS calls fail (throttling, timeouts...).

Each ``with`` gets fresh state: runtime caches (settings, PynamoDB connections, botocore clients,
the Powertools secret cache) are reset on entry and exit, and the environment is restored.
"""

from __future__ import annotations

import copy
import importlib
import logging
import os
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

REGION = "eu-central-1"
ACCOUNT = "123456789012"
FUNCTIONS = ("identify_caller", "create_case", "route_referral", "record_contact_event", "record_survey_answer")


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
class _Failure:
    service: str
    operation: str | None
    error: str
    remaining: int | None
    table: str | None = None


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


def table_env(country: str, retention: dict[str, int] | None, secret_arn: str = "", bus: str = "") -> dict[str, str]:
    from functions.dal.models import ALL_MODELS

    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # noqa: S105 - moto fake credentials
        "AWS_SESSION_TOKEN": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "COUNTRY_CODE": country,
        "HASH_KEY_SECRET_ARN": secret_arn,
        "EVENT_BUS_NAME": bus,
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
        self.logs: list[str] = []
        self.published_events: list[dict[str, Any]] = []
        self._failures: list[_Failure] = []

    # -- invoking ---------------------------------------------------------------------------
    def invoke(self, function_name: str, event: dict) -> dict:
        if function_name not in FUNCTIONS:
            raise ValueError(f"unknown function {function_name!r}; known: {', '.join(FUNCTIONS)}")
        module = importlib.import_module(f"functions.handlers.{function_name}")
        return module.handler(copy.deepcopy(event), FakeLambdaContext(function_name))

    # -- inspecting -------------------------------------------------------------------------
    def dump_tables(self) -> dict[str, list[dict[str, Any]]]:
        from functions.dal.models import ALL_MODELS

        client = self._client("dynamodb")
        out: dict[str, list[dict[str, Any]]] = {}
        for model in ALL_MODELS:
            items: list[dict[str, Any]] = []
            kwargs: dict[str, Any] = {"TableName": model.Meta.table_name}
            while True:
                page = client.scan(**kwargs)
                items.extend({k: _plain(v) for k, v in item.items()} for item in page.get("Items", []))
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            out[model.LOGICAL_NAME] = items
        return out

    def item_count(self) -> int:
        return sum(len(v) for v in self.dump_tables().values())

    def dynamodb_calls(self) -> list[ApiCall]:
        return [c for c in self.calls if c.service == "dynamodb"]

    def reset_calls(self) -> None:
        self.calls.clear()

    # -- failure injection ------------------------------------------------------------------
    def inject_failure(
        self,
        operation: str | None = None,
        *,
        service: str = "dynamodb",
        error: str = "ProvisionedThroughputExceededException",
        times: int | None = None,
        table: str | None = None,
    ) -> None:
        """Fail matching calls with ``error`` (a ClientError code, or "ReadTimeout" /
        "ConnectTimeout" / "EndpointConnectionError" for network failures)."""
        self._failures.append(_Failure(service, operation, error, times, table))

    def clear_failures(self) -> None:
        self._failures.clear()

    def _maybe_fail(self, service: str, operation: str, params: dict[str, Any]) -> None:
        for failure in self._failures:
            if failure.service != service or (failure.operation and failure.operation != operation):
                continue
            if failure.table and failure.table not in str(params):
                continue
            if failure.remaining is not None:
                if failure.remaining <= 0:
                    continue
                failure.remaining -= 1
            from botocore import exceptions as bex

            if failure.error == "ReadTimeout":
                raise bex.ReadTimeoutError(endpoint_url=f"https://{service}.{REGION}.amazonaws.com")
            if failure.error == "ConnectTimeout":
                raise bex.ConnectTimeoutError(endpoint_url=f"https://{service}.{REGION}.amazonaws.com")
            if failure.error == "EndpointConnectionError":
                raise bex.EndpointConnectionError(endpoint_url=f"https://{service}.{REGION}.amazonaws.com")
            raise bex.ClientError(
                {
                    "Error": {"Code": failure.error, "Message": "injected by sandbox"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                operation,
            )

    def _client(self, service: str) -> Any:
        from functions.aws import client

        return client(service, connect_timeout=5, read_timeout=10, max_retries=0)


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
        service = client.meta.service_model.service_name
        backend.calls.append(ApiCall(service, operation_name, copy.deepcopy(api_params)))
        backend._maybe_fail(service, operation_name, api_params)
        if service == "events" and operation_name == "PutEvents":
            backend.published_events.extend(copy.deepcopy(api_params.get("Entries", [])))
        return original(client, operation_name, api_params)

    BaseClient._make_api_call = recording  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


@contextmanager
def local_backend(
    partners: list[dict], *, country: str = "xx", retention: dict[str, int] | None = None
) -> Iterator[LocalBackend]:
    from moto import mock_aws

    from functions.dal.partners import partners_to_items

    global _active
    if _active:
        raise RuntimeError(
            "local_backend() is already active in this process; nesting is not supported "
            "(moto state would be shared). Use one sandbox at a time."
        )
    country = country.lower()
    items = partners_to_items(partners)  # validate before starting anything
    env = table_env(country, retention)
    _active = True
    try:
        with _environment(env), mock_aws():
            yield from _run_backend(country, env, items)
    finally:
        _active = False
    reset_runtime_caches()


_active = False


def _run_backend(country: str, env: dict[str, str], items: list[dict]) -> Iterator[LocalBackend]:
    if True:
        reset_runtime_caches()
        from functions.aws import client

        def boto(service: str):  # noqa: ANN202 - botocore client from the runtime's shared session
            return client(service, connect_timeout=5, read_timeout=10, max_retries=0)

        secret = boto("secretsmanager").create_secret(
            Name=f"helpline/{country}/caller-hash-key", SecretString=secrets.token_hex(32)
        )
        bus_name = f"helpline-{country}-referrals"
        boto("events").create_event_bus(Name=bus_name)
        os.environ["HASH_KEY_SECRET_ARN"] = secret["ARN"]
        os.environ["EVENT_BUS_NAME"] = bus_name
        env = {**env, "HASH_KEY_SECRET_ARN": secret["ARN"], "EVENT_BUS_NAME": bus_name}
        reset_runtime_caches()

        from functions.dal import repository
        from functions.dal.models import ALL_MODELS, Partner

        repository._prepare()  # share the runtime's DynamoDB client for table creation too
        for model in ALL_MODELS:
            model.create_table(wait=False, billing_mode="PAY_PER_REQUEST")
        ddb = boto("dynamodb")
        for item in items:
            ddb.put_item(TableName=Partner.Meta.table_name, Item=item)

        backend = LocalBackend(country, env)
        from functions.observability import logger

        capture = _ListHandler(backend.logs)
        capture.setFormatter(logger.registered_formatter)
        logger._logger.addHandler(capture)
        try:
            with _record_api_calls(backend):
                yield backend
        finally:
            logger._logger.removeHandler(capture)
            reset_runtime_caches()
