"""Data layer: customer-managed KMS key, DynamoDB tables, pseudonymisation key, event bus."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import custom_resources as cr
from constructs import Construct

from stacks.constructs import acknowledge
from stacks.constructs.tables import KeySpec, TableSpec

_ATTR = {
    "S": dynamodb.AttributeType.STRING,
    "N": dynamodb.AttributeType.NUMBER,
    "B": dynamodb.AttributeType.BINARY,
}
_PROJ = {
    "ALL": dynamodb.ProjectionType.ALL,
    "KEYS_ONLY": dynamodb.ProjectionType.KEYS_ONLY,
    "INCLUDE": dynamodb.ProjectionType.INCLUDE,
}
_STREAM = {
    "NEW_IMAGE": dynamodb.StreamViewType.NEW_IMAGE,
    "OLD_IMAGE": dynamodb.StreamViewType.OLD_IMAGE,
    "NEW_AND_OLD_IMAGES": dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    "KEYS_ONLY": dynamodb.StreamViewType.KEYS_ONLY,
}


def _attr(key: KeySpec) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=_ATTR[key.type])


class DataLayer(Construct):
    """Everything that holds personal data at rest, encrypted with one customer-managed key.

    Key, tables and secret are RETAIN_ON_UPDATE_OR_DELETE (CloudFormation RetainExceptOnCreate):
    kept when the stack is updated or deleted, removed when their own first create rolls back,
    so a failed first deploy can simply be retried.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table_specs: list[TableSpec],
        partner_items: list[dict],
        partners_table: str,
        name_prefix: str,
        deletion_protection: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)

        self.key = kms.Key(
            self,
            "Key",
            alias=f"alias/{name_prefix}-data",
            description=f"{name_prefix}: encrypts tables, recordings, secrets, queues and logs",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        self.key.node.default_child.override_logical_id("DataKey")
        # CloudWatch Logs encrypts this stack's log groups with the same key.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                principals=[iam.ServicePrincipal(f"logs.{stack.region}.amazonaws.com")],
                actions=[
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ReEncryptFrom",
                    "kms:ReEncryptTo",
                    "kms:GenerateDataKey",
                    "kms:DescribeKey",
                ],
                resources=["*"],  # in a key policy "*" means this key
                conditions={
                    "ArnLike": {
                        "kms:EncryptionContext:aws:logs:arn": f"arn:{stack.partition}:logs:{stack.region}:{stack.account}:log-group:*"
                    }
                },
            )
        )

        self.tables: dict[str, dynamodb.Table] = {}
        self.specs: dict[str, TableSpec] = {}
        for spec in table_specs:
            table = dynamodb.Table(
                self,
                spec.logical_name,
                partition_key=_attr(spec.partition),
                sort_key=_attr(spec.sort) if spec.sort else None,
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                encryption=dynamodb.TableEncryption.CUSTOMER_MANAGED,
                encryption_key=self.key,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True
                ),
                # Off for the first deploy: DeleteTable is refused while it is on, so a failed first
                # create could not roll back (RetainExceptOnCreate keeps the tables on stack delete
                # and replacement anyway). Country file: tables.deletion_protection.
                deletion_protection=deletion_protection,
                time_to_live_attribute=spec.ttl_attribute,
                stream=_STREAM[spec.stream_view_type] if spec.stream_view_type else None,
                removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
            )
            for index in spec.indexes:
                if index.is_global:
                    table.add_global_secondary_index(
                        index_name=index.name,
                        partition_key=_attr(index.partition),
                        sort_key=_attr(index.sort) if index.sort else None,
                        projection_type=_PROJ[index.projection],
                        non_key_attributes=list(index.non_key_attributes) or None,
                    )
                else:
                    table.add_local_secondary_index(
                        index_name=index.name,
                        sort_key=_attr(index.sort),
                        projection_type=_PROJ[index.projection],
                        non_key_attributes=list(index.non_key_attributes) or None,
                    )
            table.node.default_child.override_logical_id(f"{spec.logical_name}Table")
            self.tables[spec.logical_name] = table
            self.specs[spec.logical_name] = spec

        # Pseudonymisation key: phone numbers are stored only as HMAC-SHA256 under this secret.
        self.hash_key = secretsmanager.Secret(
            self,
            "CallerHashKey",
            description=f"{name_prefix}: HMAC key that pseudonymises callers' phone numbers",
            encryption_key=self.key,
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        self.hash_key.node.default_child.override_logical_id("CallerHashKey")
        acknowledge(
            self.hash_key,
            "AwsSolutions-SMG4",
            "Rotating the pseudonymisation key would unlink every caller from their history; "
            "re-keying is a planned data operation (see README, Data protection), not a timed rotation.",
        )

        self.bus = events.EventBus(self, "ReferralBus", event_bus_name=f"{name_prefix}-referrals")

        if partner_items:
            self._seed_partners(partner_items, partners_table)

    def _seed_partners(self, items: list[dict], logical_name: str) -> None:
        """Write the country file's partner directory into the partners table on every deploy."""
        table = self.tables[logical_name]
        calls = []
        for start in range(0, len(items), 25):  # BatchWriteItem takes at most 25 items
            calls.append(
                {
                    "RequestItems": {
                        table.table_name: [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
                    }
                }
            )
        for i, params in enumerate(calls):
            call = cr.AwsSdkCall(
                service="DynamoDB",
                action="batchWriteItem",
                parameters=params,
                physical_resource_id=cr.PhysicalResourceId.of(f"partners-{i}"),
            )
            cr.AwsCustomResource(
                self,
                f"SeedPartners{i}",
                on_create=call,
                on_update=call,
                policy=cr.AwsCustomResourcePolicy.from_statements(
                    [
                        iam.PolicyStatement(actions=["dynamodb:BatchWriteItem"], resources=[table.table_arn]),
                        iam.PolicyStatement(
                            actions=["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
                            resources=[self.key.key_arn],
                        ),
                    ]
                ),
                install_latest_aws_sdk=False,
                timeout=Duration.minutes(2),
            )
