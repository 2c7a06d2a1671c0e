"""What each Lambda function may touch - plain data for least-privilege IAM (no CDK imports).

``tables`` maps a table's LOGICAL_NAME (functions.dal.models) to IAM actions.  A Query on a
table with indexes also needs the index ARNs (deliver_outbox queries the Outbox's sparse
``pending`` index; the stack grants a table's indexes with dynamodb:Query).  For
TransactWriteItems IAM checks the per-item actions (PutItem / UpdateItem / ConditionCheckItem),
so those are what is listed.  ``pseudonym_key``: kms:GenerateMac on
the KMS HMAC key PSEUDONYM_KEY_ID (functions/logic/pseudonym.py; granted in the key policy too).
``event_bus``: events:PutEvents on EVENT_BUS_NAME.  Keys the stack turns into triggers, IAM and
environment: ``trigger`` ("flow" default | "eventbridge" | {"stream": [tables]} |
{"schedule_minutes": N} | a list of these), ``connect`` (Amazon Connect actions on the instance's
``agent/*`` resources; env CONNECT_INSTANCE_ID, SUPERVISOR_PROFILE_IDS), ``description``.  A stream
trigger also needs the stream read actions, which the event source mapping grants.
``environment``: the variables the function reads (``ENVIRONMENT`` adds ``COMMON_ENVIRONMENT``).
The test tests/integration/test_fn_replay_and_budget.py (botocore hook) proves every handler stays
within this, and tests/infrastructure compares it with the synthesized roles.

One entry per Lambda function: the stack builds each function from its entry, and the list of
entry points (``functions.handlers.HANDLERS``) is this dict's keys.  A new Lambda is an entry here,
``functions/handlers/<name>.py``, its logic and its data access (docs/functions.md).
"""

from __future__ import annotations

from typing import Any

PERMISSIONS: dict[str, dict[str, Any]] = {
    "identify_caller": {
        # UpdateItem on ContactLinks: this contact -> the pseudonym (no pseudonym in contact attributes).
        "tables": {"Callers": ["dynamodb:GetItem", "dynamodb:UpdateItem"], "ContactLinks": ["dynamodb:UpdateItem"]},
        "pseudonym_key": True,
        "event_bus": False,
        "trigger": "flow",
        "environment": ["CALLERS_TABLE", "PSEUDONYM_KEY_ID", "RETENTION_DAYS_CALLERS"],
        "description": "Identifies the caller by pseudonym; language, open case, block",
    },
    "create_case": {
        # GetItem: the caller's open-case pointer and that case's status and chain head (returning
        # callers); UpdateItem on Cases: append a report to the open case (new chain head).
        "tables": {
            "Cases": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            "Interactions": ["dynamodb:PutItem"],
            "Callers": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            "ContactLinks": ["dynamodb:UpdateItem"],
        },
        "pseudonym_key": True,
        "event_bus": False,
        "trigger": "flow",
        "environment": [
            "CASES_TABLE",
            "INTERACTIONS_TABLE",
            "CALLERS_TABLE",
            "PSEUDONYM_KEY_ID",
            "RETENTION_DAYS_CASES",
            "RETENTION_DAYS_CALLERS",
        ],
        "description": "Opens a case or appends the report to the caller's open case",
    },
    "route_referral": {
        # Query: partners by needs code; BatchGetItem: directory entries and open-referral counters;
        # PutItem / UpdateItem: the one transaction (referrals, outbox, chain records, case, counters).
        "tables": {
            "Cases": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            "PartnerServices": ["dynamodb:Query"],
            "Partners": ["dynamodb:BatchGetItem"],
            "PartnerLoads": ["dynamodb:BatchGetItem", "dynamodb:UpdateItem"],
            "Referrals": ["dynamodb:PutItem"],
            "Outbox": ["dynamodb:PutItem"],
            "Interactions": ["dynamodb:PutItem"],
        },
        "pseudonym_key": False,
        "event_bus": False,
        "trigger": "flow",
        "environment": [
            "CASES_TABLE",
            "PARTNER_SERVICES_TABLE",
            "PARTNERS_TABLE",
            "PARTNER_LOADS_TABLE",
            "REFERRALS_TABLE",
            "OUTBOX_TABLE",
            "INTERACTIONS_TABLE",
        ],
        "description": "Refers a case with consent to partners; notifications go through the outbox",
    },
    "record_contact_event": {
        "tables": {
            "Interactions": ["dynamodb:Query", "dynamodb:PutItem"],
            "Idempotency": ["dynamodb:PutItem"],
        },
        "pseudonym_key": False,
        "event_bus": False,
        "trigger": "eventbridge",
        "environment": [
            "INTERACTIONS_TABLE",
            "IDEMPOTENCY_TABLE",
            "RETENTION_DAYS_INTERACTIONS",
            "IDEMPOTENCY_TTL_HOURS",
        ],
        "description": "Appends Amazon Connect contact events to the contact's chain",
    },
    "record_survey_answer": {
        "tables": {"SurveyResponses": ["dynamodb:PutItem"]},
        "pseudonym_key": False,
        "event_bus": False,
        "trigger": "flow",
        "environment": ["SURVEYS_TABLE", "RETENTION_DAYS_SURVEYS"],
        "description": "Stores one keypad survey answer",
    },
    "get_caller_context": {
        # GetItem on ContactLinks: the call's caller and case by the guide's RelatedContactId.
        "tables": {
            "ContactLinks": ["dynamodb:GetItem"],
            "Callers": ["dynamodb:GetItem"],
            "Cases": ["dynamodb:GetItem"],
            "Interactions": ["dynamodb:Query"],
        },
        "pseudonym_key": False,
        "event_bus": False,
        "trigger": "flow",
        # GetContactAttributes: the call's IVR path (language, topic, priority) by RelatedContactId.
        "connect": ["connect:GetContactAttributes"],
        "environment": ["CALLERS_TABLE", "CASES_TABLE", "INTERACTIONS_TABLE"],
        "description": "Operators' guide: caller, open case, last interactions, block (read only)",
    },
    "classify_call": {
        "tables": {
            "Cases": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            "Interactions": ["dynamodb:Query", "dynamodb:PutItem"],
            "Idempotency": ["dynamodb:PutItem"],
        },
        "pseudonym_key": False,
        "event_bus": False,
        "trigger": "flow",
        "environment": [
            "CASES_TABLE",
            "INTERACTIONS_TABLE",
            "IDEMPOTENCY_TABLE",
            "RETENTION_DAYS_INTERACTIONS",
            "IDEMPOTENCY_TTL_HOURS",
        ],
        "description": "Operators' guide: records the call type in the contact and case chains",
    },
    "save_screening": {
        # GetItem/PutItem/UpdateItem on Cases and Callers: opening the contact's case as create_case
        # does (no hash key needed: the caller's pseudonym is the call's ContactLinks item).
        "tables": {
            "ContactLinks": ["dynamodb:GetItem"],
            "Cases": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"],
            "Callers": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            "Interactions": ["dynamodb:PutItem"],
            "PartnerServices": ["dynamodb:Query"],
            "Partners": ["dynamodb:BatchGetItem"],
            "PartnerLoads": ["dynamodb:BatchGetItem"],
        },
        "pseudonym_key": False,
        "event_bus": False,
        "trigger": "flow",
        "environment": [
            "CASES_TABLE",
            "CALLERS_TABLE",
            "INTERACTIONS_TABLE",
            "PARTNER_SERVICES_TABLE",
            "PARTNERS_TABLE",
            "PARTNER_LOADS_TABLE",
            "RETENTION_DAYS_CASES",
            "RETENTION_DAYS_CALLERS",
        ],
        "description": "Operators' guide: saves the screening, consent and note; suggests partners",
    },
    "record_outcome": {
        "tables": {
            "Cases": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            "Referrals": ["dynamodb:Query", "dynamodb:UpdateItem"],
            "PartnerLoads": ["dynamodb:UpdateItem"],
            "Interactions": ["dynamodb:PutItem"],
        },
        "pseudonym_key": False,
        "event_bus": False,
        "trigger": "flow",
        "environment": ["CASES_TABLE", "REFERRALS_TABLE", "PARTNER_LOADS_TABLE", "INTERACTIONS_TABLE"],
        "description": "Operators' guide: records the outcome; closing a case closes its pending referrals",
    },
    "block_caller": {
        "tables": {
            "ContactLinks": ["dynamodb:GetItem"],
            "Callers": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            "Cases": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            "Interactions": ["dynamodb:Query", "dynamodb:PutItem"],
            "Idempotency": ["dynamodb:PutItem"],
        },
        "pseudonym_key": False,
        "event_bus": False,
        "connect": ["connect:DescribeUser"],
        "trigger": "flow",
        "environment": [
            "CALLERS_TABLE",
            "CASES_TABLE",
            "INTERACTIONS_TABLE",
            "IDEMPOTENCY_TABLE",
            "RETENTION_DAYS_INTERACTIONS",
            "IDEMPOTENCY_TTL_HOURS",
            "CONNECT_INSTANCE_ID",
            "SUPERVISOR_PROFILE_IDS",
        ],
        "description": "Operators' guide: blocks a caller for N hours (supervisor profile checked server-side)",
    },
    "deliver_outbox": {
        # Query: the sparse "pending" index (scheduled re-drive); UpdateItem: claim, mark, release.
        "tables": {"Outbox": ["dynamodb:Query", "dynamodb:UpdateItem"]},
        "pseudonym_key": False,
        "event_bus": True,
        "trigger": [{"stream": ["Outbox"], "events": ["INSERT"]}, {"schedule_minutes": 5}],
        "environment": ["OUTBOX_TABLE", "EVENT_BUS_NAME"],
        "description": "Publishes the referral notifications of the outbox to EventBridge until acknowledged",
    },
    "archive_records": {
        # DynamoDB streams of Cases, Interactions, Referrals (the event source mapping grants the stream
        # reads); no table action: it writes JSON Lines and signed checkpoints to the archive bucket.
        "tables": {},
        "pseudonym_key": False,
        "event_bus": False,
        "trigger": {"stream": ["Cases", "Interactions", "Referrals"]},
        "archive_bucket": True,
        "signing_key": True,
        # the table names only name the stream's table in the archive (no table access)
        "environment": ["ARCHIVE_BUCKET", "SIGNING_KEY_ARN", "CASES_TABLE", "INTERACTIONS_TABLE", "REFERRALS_TABLE"],
        "description": "Archives case, chain and referral changes (no personal fields) and signs chain-head checkpoints",
    },
    "survey_consent": {
        # GetItem: the contact (pseudonym, attempts); UpdateItem: its state; PutItem: the opt-out.
        "tables": {
            "SurveyCampaignContacts": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
            "SurveyOptOuts": ["dynamodb:PutItem"],
        },
        "pseudonym_key": False,
        "event_bus": False,
        "trigger": "flow",
        "environment": ["SURVEY_CONTACTS_TABLE", "SURVEY_OPTOUTS_TABLE", "SURVEY_CAMPAIGN", "RETENTION_DAYS_SURVEYS"],
        "description": "Outbound needs survey: records the consent answer; a decline opts the person out",
    },
    "run_survey_campaign": {
        # Scan: the campaigns (a handful); GetItem: a campaign's status before each call (pause);
        # UpdateItem: the "#runner" lease and token bucket, a campaign's done status; Query: the
        # contacts' "by-state" index; UpdateItem: contact states.
        "tables": {
            "SurveyCampaigns": ["dynamodb:GetItem", "dynamodb:Scan", "dynamodb:UpdateItem"],
            "SurveyCampaignContacts": ["dynamodb:Query", "dynamodb:UpdateItem"],
            "SurveyOptOuts": ["dynamodb:GetItem"],
        },
        "pseudonym_key": False,
        "event_bus": False,
        # StartOutboundVoiceContact: instance, contact-flow and (SourcePhoneNumber) phone-number
        # resources; DescribeContact: the instance's contact/* resources.
        "connect": ["connect:StartOutboundVoiceContact", "connect:DescribeContact"],
        "trigger": {"schedule_minutes": 1},
        "environment": [
            "SURVEY_CAMPAIGNS_TABLE",
            "SURVEY_CONTACTS_TABLE",
            "SURVEY_OPTOUTS_TABLE",
            "CONNECT_INSTANCE_ID",
            "SURVEY_SOURCE_NUMBER",
            "SURVEY_FLOWS",
            "SURVEY_CAMPAIGN",
            "RETENTION_DAYS_SURVEYS",
        ],
        "description": "Outbound needs survey: places the consented calls within quota, calling hours and concurrency",
    },
}

# Environment variables every function reads (beyond AWS_REGION and POWERTOOLS_*), with its entry's
# "environment".
COMMON_ENVIRONMENT = ["COUNTRY_CODE", "DDB_CONNECT_TIMEOUT", "DDB_READ_TIMEOUT", "DDB_MAX_RETRIES"]
ENVIRONMENT: dict[str, list[str]] = {
    name: entry["environment"] + COMMON_ENVIRONMENT for name, entry in PERMISSIONS.items()
}
