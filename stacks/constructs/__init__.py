"""Constructs of a country stack."""

from stacks.constructs.blocks import grant_key_to_service, logged_bucket
from stacks.constructs.nag import acknowledge, nag_arn

__all__ = ["acknowledge", "grant_key_to_service", "logged_bucket", "nag_arn"]
