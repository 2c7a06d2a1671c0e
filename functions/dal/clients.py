"""The one cache of AWS clients: one client per service and profile, for every AWS call of the runtime.

Only ``functions.dal`` asks for a client (the logic and the handlers call the dal's functions).
Clients come from the one botocore session of :mod:`functions.aws` (the deadline hooks of
:mod:`functions.deadline`, botocore's data files read once), in the region of the environment
(``AWS_REGION``, ``AWS_DEFAULT_REGION``, else eu-central-1).  A profile is a time and retry budget:

============  ==========================================  ===================================================
profile       connect / read timeout, retries             used for
============  ==========================================  ===================================================
``FLOW``      DDB_CONNECT_TIMEOUT, DDB_READ_TIMEOUT,      KMS GenerateMac, EventBridge PutEvents, Connect
              DDB_MAX_RETRIES (functions.settings)        DescribeUser and GetContactAttributes: a flow
                                                          function answers Amazon Connect within 8 s
``PACED``     2 s / 5 s, no retry                         run_survey_campaign's Connect calls: a retry would
                                                          spend quota behind the token bucket's back
``STREAM``    2 s / 5 s, 3 retries                        archive_records: S3 and KMS Sign
============  ==========================================  ===================================================

A client is made on first use and kept while the session lives: :func:`functions.aws.reset` (and
:func:`functions.caches.reset_all`) drop the session, and the next call makes the client again.
DynamoDB goes through PynamoDB's one connection on the same session (functions.dal.repository).
"""

from __future__ import annotations

from typing import Any

FLOW = "flow"
PACED = "paced"
STREAM = "stream"
_FIXED = {PACED: (2, 5, 0), STREAM: (2, 5, 3)}  # connect timeout, read timeout, retries

_cache: dict[tuple[str, str], tuple[Any, Any]] = {}


def client(service: str, profile: str = FLOW) -> Any:
    """The client of ``service`` with ``profile``'s timeouts and retries (made once per session)."""
    from functions.aws import botocore_session

    session = botocore_session()
    cached = _cache.get((service, profile))
    if cached is None or cached[0] is not session:
        cached = _cache[(service, profile)] = (session, _new(service, profile))
    return cached[1]


def _new(service: str, profile: str) -> Any:
    from functions.aws import client as new_client

    if profile == FLOW:
        from functions.settings import get_settings

        settings = get_settings()
        budget = (settings.ddb_connect_timeout, settings.ddb_read_timeout, settings.ddb_max_retries)
    else:
        budget = _FIXED[profile]
    connect_timeout, read_timeout, max_retries = budget
    return new_client(service, connect_timeout=connect_timeout, read_timeout=read_timeout, max_retries=max_retries)


def reset() -> None:
    """Forget every client (the next call makes them again)."""
    _cache.clear()
