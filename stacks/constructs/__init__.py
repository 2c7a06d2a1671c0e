"""Constructs of a country stack."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Validations
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge a cdk-nag finding on ``construct`` (and its children), always with a reason."""
    if len(reason) < 20:
        raise ValueError(f"acknowledging {rule} needs a real reason")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))
