"""cdk-nag findings: acknowledging one with its reason, and how a finding names the instance."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Token, Validations
from constructs import IConstruct


def nag_arn(instance_arn: str) -> str:
    """How cdk-nag writes the instance ARN in a finding: the literal ARN of a brought instance
    (``instance.arn``), ``<ConnectInstance.Arn>`` for the one the stack creates."""
    return instance_arn if not Token.is_unresolved(instance_arn) else "<ConnectInstance.Arn>"


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge a cdk-nag finding on ``construct`` (and its children), always with a reason."""
    if len(reason) < 20:
        raise ValueError(f"acknowledging {rule} needs a real reason")
    Validations.of(construct).acknowledge(Acknowledgment(id=rule, reason=reason))
