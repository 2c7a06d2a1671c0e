"""Lambda entry point ``archive_records`` (DynamoDB streams of Cases, Interactions, Referrals).

See functions.logic.archiving for behaviour: any failure raises, so the stream retries the batch.
"""

from __future__ import annotations

from typing import Any

from functions.logic import archiving as _logic
from functions.logic.archiving import ArchiveConflict, reset

__all__ = ["ArchiveConflict", "handler", "reset"]


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return _logic.run(event)
