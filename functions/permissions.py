"""What each Lambda function may touch - plain data for least-privilege IAM (no CDK imports).

``tables`` maps a table's LOGICAL_NAME (functions.dal.models) to IAM actions.  Index ARNs are
only needed where an action says so (none of the handlers query a GSI).  For
TransactWriteItems IAM checks the per-item actions (PutItem / UpdateItem / ConditionCheckItem),
so those are what is listed.  ``hash_key_secret``: secretsmanager:GetSecretValue on
HASH_KEY_SECRET_ARN (plus kms:Decrypt on its key if it is a customer-managed key).
``event_bus``: events:PutEvents on EVENT_BUS_NAME.  The test
tests/integration/test_fn_replay_and_budget.py (botocore hook) proves every handler stays within
this, and tests/infrastructure compares it with the synthesized roles.
"""

from __future__ import annotations

from typing import Any

PERMISSIONS: dict[str, dict[str, Any]] = {
    "identify_caller": {
        "tables": {"Callers": ["dynamodb:GetItem", "dynamodb:UpdateItem"]},
        "hash_key_secret": True,
        "event_bus": False,
    },
    "create_case": {
        # GetItem: the caller's open-case pointer and that case's status and chain head (returning
        # callers); UpdateItem on Cases: append a report to the open case (new chain head).
        "tables": {
            "Cases": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            "Interactions": ["dynamodb:PutItem"],
            "Callers": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
        },
        "hash_key_secret": True,
        "event_bus": False,
    },
    "route_referral": {
        "tables": {
            "Partners": ["dynamodb:Scan", "dynamodb:UpdateItem"],
            "Referrals": ["dynamodb:PutItem"],
            "Cases": ["dynamodb:UpdateItem"],
        },
        "hash_key_secret": False,
        "event_bus": True,
    },
    "record_contact_event": {
        "tables": {
            "Interactions": ["dynamodb:Query", "dynamodb:PutItem"],
            "Idempotency": ["dynamodb:PutItem"],
        },
        "hash_key_secret": False,
        "event_bus": False,
    },
    "record_survey_answer": {
        "tables": {"SurveyResponses": ["dynamodb:PutItem"]},
        "hash_key_secret": False,
        "event_bus": False,
    },
    "archive_records": {
        # DynamoDB streams of Cases, Interactions, Referrals (the event source mapping grants the stream
        # reads); no table action: it writes JSON Lines and signed checkpoints to the archive bucket.
        "tables": {},
        "hash_key_secret": False,
        "event_bus": False,
        "trigger": {"stream": ["Cases", "Interactions", "Referrals"]},
        "archive_bucket": True,
        "signing_key": True,
        "description": "Archives case, chain and referral changes (no personal fields) and signs chain-head checkpoints",
    },
}

# Environment variables each function reads (beyond AWS_REGION and POWERTOOLS_*).
_COMMON_ENV = ["COUNTRY_CODE", "DDB_CONNECT_TIMEOUT", "DDB_READ_TIMEOUT", "DDB_MAX_RETRIES"]
ENVIRONMENT: dict[str, list[str]] = {
    "identify_caller": ["CALLERS_TABLE", "HASH_KEY_SECRET_ARN", "HASH_KEY_MAX_AGE", "RETENTION_DAYS_CALLERS"],
    "create_case": [
        "CASES_TABLE",
        "INTERACTIONS_TABLE",
        "CALLERS_TABLE",
        "HASH_KEY_SECRET_ARN",
        "HASH_KEY_MAX_AGE",
        "RETENTION_DAYS_CASES",
        "RETENTION_DAYS_CALLERS",
    ],
    "route_referral": [
        "PARTNERS_TABLE",
        "REFERRALS_TABLE",
        "CASES_TABLE",
        "EVENT_BUS_NAME",
        "RETENTION_DAYS_REFERRALS",
    ],
    "record_contact_event": [
        "INTERACTIONS_TABLE",
        "IDEMPOTENCY_TABLE",
        "RETENTION_DAYS_INTERACTIONS",
        "IDEMPOTENCY_TTL_HOURS",
    ],
    "record_survey_answer": ["SURVEYS_TABLE", "RETENTION_DAYS_SURVEYS"],
    # table names only to name the stream's table in the archive (no table access)
    "archive_records": ["ARCHIVE_BUCKET", "SIGNING_KEY_ARN", "CASES_TABLE", "INTERACTIONS_TABLE", "REFERRALS_TABLE"],
}
for _name in ENVIRONMENT:
    ENVIRONMENT[_name] = ENVIRONMENT[_name] + _COMMON_ENV
