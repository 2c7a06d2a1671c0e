"""Reset every in-memory cache of the runtime (settings, PynamoDB connections, botocore clients,
the Powertools secret cache).  Used by the local sandbox and tests between isolated backends."""

from __future__ import annotations


def reset_all() -> None:
    from functions import aws
    from functions.dal import repository
    from functions.logic import campaign, outbox, pseudonym, referrals, supervisors
    from functions.settings import reset_settings

    reset_settings()
    aws.reset()
    repository.reset()
    referrals.reset_clients()
    outbox.reset_clients()
    campaign.reset_clients()
    supervisors.reset_clients()
    pseudonym.reset_caches()
