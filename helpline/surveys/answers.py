"""The stored survey answers, as plain values: from a local state folder or a deployed stack's table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

TABLE_LOGICAL_ID = "SurveyResponsesTable"  # stacks/constructs/data.py: <LOGICAL_NAME>Table


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    from boto3.dynamodb.types import TypeDeserializer

    des = TypeDeserializer()
    return {k: des.deserialize(v) for k, v in item.items()}


def answers_from_state(state_dir: Path) -> list[dict[str, Any]]:
    """Survey answers a local state folder holds (``helpline call ... --state DIR``)."""
    from helpline.sandbox import read_state

    if not state_dir.is_dir():
        raise FileNotFoundError(f"{state_dir} is not a folder")
    return [_plain(line.item) for line in read_state(state_dir).get("SurveyResponses", [])]


def answers_from_stack(stack: str, session: Any) -> list[dict[str, Any]]:
    """Survey answers in a deployed country stack: one paginated Scan of its SurveyResponses table."""
    cfn = session.client("cloudformation")
    resource = cfn.describe_stack_resource(StackName=stack, LogicalResourceId=TABLE_LOGICAL_ID)
    table = resource["StackResourceDetail"]["PhysicalResourceId"]
    paginator = session.client("dynamodb").get_paginator("scan")
    return [_plain(item) for page in paginator.paginate(TableName=table) for item in page.get("Items", [])]
