"""Lambda entry point ``archive_records`` (DynamoDB streams of Cases, Interactions, Referrals).

See functions.logic.archiving for behaviour: any failure raises, so the stream retries the batch.
"""

from __future__ import annotations

from typing import Any

from functions.caches import reset_clients as reset
from functions.logic import archiving as _logic
from functions.logic.archiving import ArchiveConflict

__all__ = ["ArchiveConflict", "handler", "reset"]  # reset: the AWS clients (tests between mocked accounts)


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return _logic.run(event)
