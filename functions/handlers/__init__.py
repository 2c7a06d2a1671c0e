"""Thin Lambda entry points; each module exposes ``handler(event, context)``."""

HANDLERS = (
    "identify_caller",
    "create_case",
    "route_referral",
    "record_contact_event",
    "record_survey_answer",
    "get_caller_context",
    "classify_call",
    "save_screening",
    "record_outcome",
    "block_caller",
    "deliver_outbox",
    "archive_records",
    "survey_consent",
    "run_survey_campaign",
)
