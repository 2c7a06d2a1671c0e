"""Reset every in-memory cache of the runtime (settings, the botocore session, the AWS clients,
PynamoDB connections).  Used by the local sandbox and tests between isolated backends."""

from __future__ import annotations


def reset_all() -> None:
    from functions import aws
    from functions.dal import clients, repository
    from functions.settings import reset_settings

    reset_settings()
    aws.reset()
    clients.reset()
    repository.reset()


def reset_clients() -> None:
    """Forget the AWS clients only (functions.dal.clients); they follow the session anyway."""
    from functions.dal import clients

    clients.reset()
