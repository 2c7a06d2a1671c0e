"""Building blocks several constructs use: a key an AWS service may use for this account's resources
only, and a private bucket with access logs."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3


def grant_key_to_service(
    key: kms.IKey, *, sid: str, service: str, actions: list[str], account: str, source_arns: object
) -> None:
    """Let an AWS service principal use ``key`` on behalf of this account's named resources only
    (``aws:SourceAccount`` and ``aws:SourceArn``, the confused-deputy conditions)."""
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid=sid,
            principals=[iam.ServicePrincipal(service)],
            actions=actions,
            resources=["*"],  # in a key policy "*" means this key
            conditions={
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": source_arns},
            },
        )
    )


def logged_bucket(scope, construct_id: str, *, access_logs: s3.IBucket, prefix: str, **kwargs) -> s3.Bucket:
    """A private, TLS-only, versioned bucket with server access logs under ``prefix``, kept on
    update and delete but removed when its first create rolls back (RetainExceptOnCreate)."""
    return s3.Bucket(
        scope,
        construct_id,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=prefix,
        removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        **kwargs,
    )
