"""Environment settings of the Lambda functions (one frozen object, read once, resettable).

Environment variables (all optional unless marked):

======================== ============================================= ==========================
variable                 meaning                                       default
======================== ============================================= ==========================
CALLERS_TABLE            table names, one per PynamoDB model            helpline-<logical>-local
CASES_TABLE              (see ``functions.dal.models``; read at import
INTERACTIONS_TABLE        of the models module)
REFERRALS_TABLE
PARTNERS_TABLE
PARTNER_SERVICES_TABLE
PARTNER_LOADS_TABLE
OUTBOX_TABLE
SURVEYS_TABLE
IDEMPOTENCY_TABLE
PSEUDONYM_KEY_ID         KMS HMAC_256 key (id or ARN): kms:GenerateMac  (required by identify_caller,
                         pseudonymises phone numbers                    create_case)
EVENT_BUS_NAME           EventBridge bus for referral notifications     (required by deliver_outbox)
CONNECT_INSTANCE_ID      the Amazon Connect instance's id (block_caller  (required by block_caller)
                         checks agents with connect:DescribeUser)
SUPERVISOR_PROFILE_IDS   comma list of the supervisor security          (required by block_caller;
                         profile ids that may block callers              empty: nobody may)
COUNTRY_CODE             ISO code, prefixes case ids ("PL-...")         xx
RETENTION_DAYS_CALLERS   TTL of a caller item after its last contact    365
RETENTION_DAYS_CASES     TTL of a case and of its whole interaction     730
                         chain (fixed when the case is created)
RETENTION_DAYS_INTERACTIONS  TTL of a contact chain (contact#<id>),     730
                         fixed by its first record
RETENTION_DAYS_REFERRALS (kept for the tables' TTL settings; referrals, 730
                         their chain records and outbox messages carry
                         their case's expires_at: they expire with it)
RETENTION_DAYS_SURVEYS   TTL of survey answers                          180
IDEMPOTENCY_TTL_HOURS    TTL of EventBridge de-duplication markers      48
DDB_CONNECT_TIMEOUT      botocore connect timeout (s)                   1
DDB_READ_TIMEOUT         botocore read timeout (s)                      2
DDB_MAX_RETRIES          botocore retries after the first attempt       4
                         (flow functions: only the retries that can end
                         before the deadline are made, functions.deadline)
POWERTOOLS_SERVICE_NAME  Powertools service name                        helpline
POWERTOOLS_METRICS_NAMESPACE  CloudWatch namespace                      Helpline
POWERTOOLS_LOG_LEVEL     log level                                      INFO
======================== ============================================= ==========================

The timeouts keep the worst case of a flow-invoked function under the 8 s Amazon Connect limit.
"""

from __future__ import annotations

import os
from typing import Any

from functions.models.lean import COUNTRY_CODE, settings_values

# Retries are sized by the deadline, not by a count: a flow function retries while the worst-case
# back-off and one more attempt still end before Connect's limit (functions/deadline.py), so with
# throttling it uses the budget instead of giving up after one retry with most of it unused; the
# count only bounds the functions without a deadline (EventBridge, streams: 4 retries of at most
# 3 s each plus back-offs of 1+2+4+8 s stay inside their 60 s timeout).
DEFAULT_MAX_RETRIES = 4

RETENTION_TABLES = ("callers", "cases", "interactions", "referrals", "surveys")

# name: (default, pydantic Field constraints).  Parsed without pydantic (functions.models.lean,
# cold start); a value only pydantic can judge goes to the pydantic model built from this table.
FIELDS: dict[str, tuple[Any, dict[str, Any]]] = {
    "pseudonym_key_id": ("", {}),
    "event_bus_name": ("", {}),
    "connect_instance_id": ("", {}),
    "supervisor_profile_ids": ("", {}),
    "country_code": ("xx", {"pattern": COUNTRY_CODE}),
    "retention_days_callers": (365, {"ge": 1}),
    "retention_days_cases": (730, {"ge": 1}),
    "retention_days_interactions": (730, {"ge": 1}),
    "retention_days_referrals": (730, {"ge": 1}),
    "retention_days_surveys": (180, {"ge": 1}),
    "idempotency_ttl_hours": (48, {"ge": 1}),
    "ddb_connect_timeout": (1, {"ge": 1}),
    "ddb_read_timeout": (2, {"ge": 1}),
    "ddb_max_retries": (DEFAULT_MAX_RETRIES, {"ge": 0}),
}


def pydantic_model() -> Any:
    """The pydantic model of FIELDS (frozen, unknown names ignored): raises its ValidationError."""
    from pydantic import ConfigDict, Field, create_model

    return create_model(
        "Settings",
        __config__=ConfigDict(frozen=True),
        **{name: (type(default), Field(default=default, **rule)) for name, (default, rule) in FIELDS.items()},
    )


class Settings:
    """The validated settings (frozen); ``Settings(**values)`` validates like the pydantic model."""

    model_fields = FIELDS

    def __init__(self, **values: Any) -> None:
        checked = settings_values(FIELDS, values)
        if checked is None:
            checked = pydantic_model().model_validate(values).model_dump()  # raises ValidationError
        self.__dict__.update(checked)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError("Settings is frozen")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Settings) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.items()))

    def __repr__(self) -> str:
        return f"Settings({self.__dict__!r})"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        values = {}
        for name in FIELDS:
            raw = env.get(name.upper())
            if raw not in (None, ""):
                values[name] = raw
        return cls(**values)


_settings: Settings | None = None


def get_settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings.from_env()
    return _settings


def reset_settings() -> None:
    global _settings
    _settings = None
