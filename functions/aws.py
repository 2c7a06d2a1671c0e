"""One botocore session per process for every AWS client the functions create.

PynamoDB creates a botocore session and client per model connection, and each new session
re-reads botocore's JSON data files (endpoints, service models) - tens of milliseconds each on
a cold start.  All DynamoDB connections therefore share ONE client (see
``functions.dal.repository``), and every other client (``functions.dal.clients``, the one client
cache) comes from the same session.  ``reset()`` drops the session (credentials, clients) but keeps
the loaded data files.

The session carries the time-budget hooks of ``functions.deadline`` (every client inherits them).
"""

from __future__ import annotations

from typing import Any

_session: Any = None
_loader: Any = None


def botocore_session() -> Any:
    global _session, _loader
    if _session is None:
        import botocore.session

        session = botocore.session.get_session()
        if _loader is None:
            _loader = session.get_component("data_loader")
        else:
            session.register_component("data_loader", _loader)
        from functions import deadline

        deadline.register(session.get_component("event_emitter"))
        _session = session
    return _session


def client(service: str, *, connect_timeout: int, read_timeout: int, max_retries: int) -> Any:
    import os

    from botocore.config import Config

    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "eu-central-1"
    return botocore_session().create_client(
        service,
        region_name=region,
        config=Config(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            retries={"total_max_attempts": 1 + max_retries, "mode": "standard"},
        ),
    )


def reset() -> None:
    global _session
    _session = None
