"""Lambda entry point ``run_survey_campaign`` (EventBridge schedule, every minute).

A malformed event answers ``invalid_event``; a bad configuration ``invalid_configuration``; a
second runner ``busy``.  See functions.logic.campaign.
"""

from functions.logic import campaign as _logic
from functions.observability import process_event


def handler(event, context):  # noqa: ANN001, ANN201 - the Lambda signature
    return process_event(
        "run_survey_campaign", _logic.parse_schedule_event, lambda parsed: _logic.run(parsed, context), event, context
    )
