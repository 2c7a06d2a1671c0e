"""Data layer: customer-managed KMS key, DynamoDB tables, pseudonymisation key (KMS HMAC), event bus."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import custom_resources as cr
from constructs import Construct

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

    Keys and tables are RETAIN_ON_UPDATE_OR_DELETE (CloudFormation RetainExceptOnCreate):
    kept when the stack is updated or deleted, removed when their own first create rolls back,
    so a failed first deploy can simply be retried.
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table_specs: list[TableSpec],
        partner_items: dict[str, dict[str, list[dict]]],
        name_prefix: str,
        deletion_protection: bool = False,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = self._data_key(name_prefix)
        self.tables: dict[str, dynamodb.Table] = {}
        self.specs: dict[str, TableSpec] = {}
        for spec in table_specs:
            self.tables[spec.logical_name] = self._table(spec, deletion_protection)
            self.specs[spec.logical_name] = spec

        self.pseudonym_key = pseudonym_key(self, name_prefix)

        self.bus = events.EventBus(self, "ReferralBus", event_bus_name=f"{name_prefix}-referrals")

        for partner_id, items in partner_items.items():
            self._seed_partner(partner_id, items)

    def _data_key(self, name_prefix: str) -> kms.Key:
        """The customer-managed key of the tables, recordings, secrets, queues and this stack's log groups."""
        stack = Stack.of(self)
        key = kms.Key(
            self,
            "Key",
            alias=f"alias/{name_prefix}-data",
            description=f"{name_prefix}: encrypts tables, recordings, secrets, queues and logs",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        key.node.default_child.override_logical_id("DataKey")
        # CloudWatch Logs encrypts this stack's log groups with the same key.
        key.add_to_resource_policy(
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
        return key

    def _table(self, spec: TableSpec, deletion_protection: bool) -> dynamodb.Table:
        """One on-demand table under the data key, with point-in-time recovery and its indexes."""
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
        return table

    def _seed_partner(self, partner_id: str, items: dict[str, list[dict]]) -> None:
        """Write one partner's directory items on create and update; delete them on delete.

        One custom resource per partner (logical id from the partner id): a partner removed
        from the country file leaves the template, so CloudFormation deletes its resource and
        the DeleteItem calls remove it from the directory; route_referral never sees it again.
        TransactWriteItems takes at most 100 actions (DynamoDB API_TransactWriteItems.html);
        IAM checks PutItem / DeleteItem per item for it. A partner that keeps its id but drops a
        service leaves that PartnerServices item behind; selection re-checks the Partners item's
        own ``services`` (functions/logic/directory.py, match_score), so it is never chosen for it.
        """
        puts, deletes, tables = [], [], []
        for logical_name, rows in sorted(items.items()):
            table = self.tables[logical_name]
            tables.append(table.table_arn)
            key_names = [self.specs[logical_name].partition.name] + (
                [self.specs[logical_name].sort.name] if self.specs[logical_name].sort else []
            )
            for row in rows:
                puts.append({"Put": {"TableName": table.table_name, "Item": row}})
                deletes.append({"Delete": {"TableName": table.table_name, "Key": {k: row[k] for k in key_names}}})
        if len(puts) > 100:
            raise ValueError(f"partner {partner_id}: {len(puts)} directory items, TransactWriteItems takes 100")
        write = cr.AwsSdkCall(
            service="DynamoDB",
            action="transactWriteItems",
            parameters={"TransactItems": puts},
            physical_resource_id=cr.PhysicalResourceId.of(f"partner-{partner_id}"),
        )
        cr.AwsCustomResource(
            self,
            "SeedPartner" + "".join(p.title() for p in partner_id.split("-")),
            on_create=write,
            on_update=write,
            on_delete=cr.AwsSdkCall(
                service="DynamoDB", action="transactWriteItems", parameters={"TransactItems": deletes}
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(actions=["dynamodb:DeleteItem", "dynamodb:PutItem"], resources=tables),
                    iam.PolicyStatement(
                        actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"], resources=[self.key.key_arn]
                    ),
                ]
            ),
            install_latest_aws_sdk=False,
            timeout=Duration.minutes(2),
        )


# What the account (root, hence IAM policies) may do with a key whose use this stack names in the key
# policy itself: administer it, never use it.  KMS developer guide, key-policy-default.html: the
# default statement gives the account kms:* so IAM policies decide; "Allows key administrators to
# administer the KMS key" lists these actions.  Keeping kms:PutKeyPolicy (and Describe/Get) for the
# account is what keeps the key manageable: PutKeyPolicy refuses a policy that would lock the caller
# out (the lockout safety check, key-policy-default.html#prevent-unmanageable-key), and with the
# account able to put a policy the key can always be repaired.  A change of the policy is the one
# way to gain use of the key: the trail records it and an EventBridge rule alarms on it
# (stacks/constructs/audit.py, custody_alarms).
KEY_ADMIN_ACTIONS = [
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
]


def admin_only_policy() -> iam.PolicyDocument:
    """A key policy whose account statement administers the key but does not use it."""
    return iam.PolicyDocument(
        statements=[
            iam.PolicyStatement(
                sid="AccountAdministersNotUses",
                principals=[iam.AccountRootPrincipal()],
                actions=KEY_ADMIN_ACTIONS,
                resources=["*"],  # in a key policy "*" means this key
            )
        ]
    )


def pseudonym_key(scope: Construct, name_prefix: str) -> kms.Key:
    """KMS HMAC key of the caller pseudonyms (KeySpec HMAC_256, KeyUsage GENERATE_VERIFY_MAC;
    AWS::KMS::Key, aws-resource-kms-key.html; KMS developer guide, hmac.html).

    Its material never leaves KMS: the only way to a pseudonym is kms:GenerateMac, logged by
    CloudTrail and throttled.  Only the roles named by :func:`allow_mac` may call it (key policy; the
    account's IAM policies cannot grant it: the account statement omits it).  Not rotated: HMAC keys
    have no automatic rotation, and a new key would unlink every caller from their history.
    """
    key = kms.Key(
        scope,
        "PseudonymKey",
        alias=f"alias/{name_prefix}-pseudonyms",
        description=f"{name_prefix}: HMAC key that pseudonymises callers' phone numbers (GenerateMac only)",
        key_spec=kms.KeySpec.HMAC_256,
        key_usage=kms.KeyUsage.GENERATE_VERIFY_MAC,
        policy=admin_only_policy(),
        removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    )
    key.node.default_child.override_logical_id("PseudonymKey")
    return key


def allow_mac(key: kms.IKey, roles: list[iam.IRole], sid: str = "PseudonymisersGenerateMac") -> None:
    """Key policy: kms:GenerateMac with HMAC_SHA_256 for ``roles`` only (kms-conditions.html,
    kms:MacAlgorithm)."""
    if roles:
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid=sid,
                principals=[iam.ArnPrincipal(r.role_arn) for r in roles],
                actions=["kms:GenerateMac"],
                resources=["*"],
                conditions={"StringEquals": {"kms:MacAlgorithm": "HMAC_SHA_256"}},
            )
        )
