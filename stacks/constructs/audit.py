"""Auditors: an Object Lock archive, a signing key, an access trail, a read-only auditor role.

- Archive bucket: S3 Object Lock in COMPLIANCE mode with a default retention (audit.archive_
  retention_days): no user, root included, can delete or overwrite a locked object version
  before its retention ends (AWS::S3::Bucket ObjectLockConfiguration / DefaultRetention,
  aws-properties-s3-bucket-objectlockconfiguration.html, aws-properties-s3-bucket-defaultretention.html).
  Object Lock needs versioning; the bucket also denies s3:DeleteObject* to everyone.
- Signing key: asymmetric KMS key, KeySpec ECC_NIST_P256 and KeyUsage SIGN_VERIFY
  (AWS::KMS::Key, aws-resource-kms-key.html); only archive_records may kms:Sign (key policy).
- Trail: CloudTrail data events on the tables and the archive objects, selected with advanced
  event selectors (AWS::CloudTrail::Trail AdvancedEventSelector, resources.type
  AWS::DynamoDB::Table and AWS::S3::Object, aws-properties-cloudtrail-trail-advancedeventselector.html).
- Auditor role: read-only; kms:Decrypt only through DynamoDB and S3 (kms:ViaService).
- Connect flow logs: Connect stores them in a CloudWatch log group in the instance's Region,
  which it creates itself when flow logging is turned on, and which must be re-created by hand
  if deleted (Amazon Connect admin guide, contact-flow-logs-stored-in-cloudwatch.html). That
  group is named ``/aws/connect/<instance alias>``: the page shows it in its screenshot of two
  instances' groups, not in its text, so verify the name after the first deploy. A group Connect
  creates has no retention and no customer key; this stack creates it first (before the
  instance) with the country's retention and the data key, when this stack creates the instance.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from constructs import Construct

from functions.logic.archive import PERSONAL_FIELDS, auditor_case_attributes
from helpline.config.schema import CountryConfig
from stacks.constructs import acknowledge, grant_key_to_service, logged_bucket, nag_arn
from stacks.constructs.data import DataLayer, admin_only_policy, allow_mac
from stacks.constructs.telephony import STATEFUL, Telephony

# Tables whose reads and writes the trail records (who read what): every table holding case data.
# CloudWatch Logs accepts only these retention periods (AWS::Logs::LogGroup RetentionInDays).
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
# Reading actions an auditor gets; nothing that writes (asserted in tests/infrastructure).
AUDITOR_STACK_ACTIONS = [
    "cloudformation:DescribeStackResource",
    "cloudformation:DescribeStacks",
    "cloudformation:ListStackResources",
]
AUDITOR_TABLE_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
]
AUDITOR_BUCKET_ACTIONS = [
    "s3:GetBucketLocation",
    "s3:GetBucketObjectLockConfiguration",
    "s3:ListBucket",
    "s3:ListBucketVersions",
]
AUDITOR_OBJECT_ACTIONS = ["s3:GetObject", "s3:GetObjectLegalHold", "s3:GetObjectRetention", "s3:GetObjectVersion"]
SIGNING_KEY_READ_ACTIONS = ["kms:DescribeKey", "kms:GetPublicKey", "kms:Verify"]


# Erasure (helpline erase --stack) reads, updates and deletes items in every table; DescribeTable
# and ConditionCheckItem for its transactions.
DATA_PROTECTION_TABLE_ACTIONS = [
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DeleteItem",
    "dynamodb:DescribeTable",
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:UpdateItem",
]
# What an auditor may not read of a case: what the archive leaves out (functions/logic/archive.py).
AUDITOR_HIDDEN_CASE_FIELDS = PERSONAL_FIELDS
CASE_READ_ACTIONS = ["dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"]


def case_attribute_statements(cases_arn: str) -> list[iam.PolicyStatement]:
    """Cases readable only attribute by attribute, never a note or the pseudonym.

    IAM user guide, reference_policies_examples_dynamodb_attributes.html: ForAllValues:StringEquals
    on dynamodb:Attributes with StringEqualsIfExists dynamodb:Select SPECIFIC_ATTRIBUTES; DynamoDB
    developer guide, specifying-conditions.html (condition keys).  ForAllValues is also true when a
    request names no attribute at all (a plain Scan returns every attribute), so a Deny refuses a
    read that names none (Null), and another one that names a hidden field."""
    return [
        iam.PolicyStatement(
            actions=CASE_READ_ACTIONS + ["dynamodb:DescribeTable"],
            resources=[cases_arn],
            conditions={
                "ForAllValues:StringEquals": {"dynamodb:Attributes": auditor_case_attributes()},
                "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
            },
        ),
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            actions=CASE_READ_ACTIONS,
            resources=[cases_arn],
            conditions={"Null": {"dynamodb:Attributes": "true"}},
        ),
        iam.PolicyStatement(
            effect=iam.Effect.DENY,
            actions=CASE_READ_ACTIONS,
            resources=[cases_arn],
            conditions={"ForAnyValue:StringEquals": {"dynamodb:Attributes": sorted(AUDITOR_HIDDEN_CASE_FIELDS)}},
        ),
    ]


def _people(cfg: CountryConfig) -> iam.IPrincipal:
    """Who may assume the auditor and data-protection roles: the country file's
    audit.auditor_principals, else this account's administrators, and only with MFA (IAM user guide,
    id_credentials_mfa_configure-api-require.html: aws:MultiFactorAuthPresent)."""
    if cfg.audit.auditor_principals:
        principals = [
            iam.AccountPrincipal(p) if p.isdigit() else iam.ArnPrincipal(p) for p in cfg.audit.auditor_principals
        ]
        return iam.CompositePrincipal(*principals)
    return iam.AccountRootPrincipal().with_conditions({"Bool": {"aws:MultiFactorAuthPresent": "true"}})


def _decrypt_via_services(
    data: DataLayer, stack: Stack, services: list[str], actions: list[str] | None = None
) -> iam.PolicyStatement:
    """The data key only through the named services (kms-conditions.html#conditions-kms-via-service)."""
    return iam.PolicyStatement(
        actions=actions or ["kms:Decrypt"],
        resources=[data.key.key_arn],
        conditions={"StringEquals": {"kms:ViaService": [f"{s}.{stack.region}.amazonaws.com" for s in services]}},
    )


def _where(source: str, fields: dict) -> dict:
    """KMS keys are matched in the record's resources, the others in its request parameters."""
    return {"resources": fields} if source == "aws.kms" else {"requestParameters": fields}


def log_retention(days: int) -> int:
    """The longest retention CloudWatch Logs offers that does not exceed ``days`` (minimisation)."""
    return max((d for d in LOG_RETENTION_DAYS if d <= days), default=LOG_RETENTION_DAYS[0])


class Audit(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: CountryConfig, data: DataLayer, telephony: Telephony
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        cfg = config
        self.prefix = f"helpline-{cfg.code}-{cfg.stage}"
        self.archive = self._archive_bucket(cfg, data, telephony)
        self.signing_key = kms.Key(
            self,
            "SigningKey",
            alias=f"alias/{self.prefix}-checkpoints",
            description=f"{self.prefix}: signs the archive's chain checkpoints (ECDSA_SHA_256)",
            key_spec=kms.KeySpec.ECC_NIST_P256,
            key_usage=kms.KeyUsage.SIGN_VERIFY,
            # The account administers the key, it does not use it (stacks/constructs/data.py,
            # KEY_ADMIN_ACTIONS: why kms:PutKeyPolicy stays, and the lockout risk): no root kms:*.
            policy=admin_only_policy(),
            removal_policy=STATEFUL,
        )
        self.signing_key.node.default_child.override_logical_id("SigningKey")
        self.trail = self._trail(data, telephony, stack)
        self.custody_rules: dict[str, events.Rule] = {}
        self.custody_keys = [self.signing_key.key_arn, data.pseudonym_key.key_arn, data.key.key_arn]
        self.auditor_role = self._auditor_role(cfg, data, stack)
        self.data_protection_role = self._data_protection_role(cfg, data, telephony, stack)
        CfnOutput(stack, "DataProtectionRoleArn", value=self.data_protection_role.role_arn)
        self.flow_logs: logs.LogGroup | None = None
        if telephony.instance is not None:
            self.flow_logs = logs.LogGroup(
                self,
                "FlowLogs",
                log_group_name=f"/aws/connect/{telephony.instance_alias}",
                encryption_key=data.key,
                removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
            )
            flow_logs_cfn = self.flow_logs.node.default_child
            flow_logs_cfn.override_logical_id("ConnectFlowLogs")
            flow_logs_cfn.retention_in_days = log_retention(cfg.retention_days.interactions)
            # Exists before the instance, so Connect writes into this group (with its retention
            # and key) instead of creating one without either.
            telephony.instance.node.add_dependency(self.flow_logs)

    def _archive_bucket(self, cfg: CountryConfig, data: DataLayer, telephony: Telephony) -> s3.Bucket:
        days = cfg.archive_retention_days
        bucket = logged_bucket(
            self,
            "Archive",
            access_logs=telephony.access_logs,
            prefix="archive/",
            object_lock_enabled=True,  # needs versioning, which logged_bucket turns on
            object_lock_default_retention=s3.ObjectLockRetention.compliance(Duration.days(days)),
            encryption=s3.BucketEncryption.KMS,
            encryption_key=data.key,
            bucket_key_enabled=True,
            # After the lock ends S3 itself removes the records (retention limit); no role does.
            lifecycle_rules=[
                s3.LifecycleRule(expiration=Duration.days(days + 1), noncurrent_version_expiration=Duration.days(1))
            ],
        )
        bucket.node.default_child.override_logical_id("ArchiveBucket")
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="NobodyDeletesArchivedRecords",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["s3:DeleteObject", "s3:DeleteObjectVersion"],
                resources=[bucket.arn_for_objects("*")],
            )
        )
        # Deny-delete is not deny-overwrite: a PutObject without If-None-Match: * would write a new
        # version over a record or checkpoint key.  S3 user guide, conditional-writes-enforce.html
        # ("Enforce conditional writes on Amazon S3 buckets"): the condition key s3:if-none-match in a
        # bucket policy; a request without the header is refused (403).  CopyObject into the bucket
        # is refused too (the page's note), and so are multipart uploads: the archive writer uses
        # neither.  https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OnlyConditionalCreates",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects("*")],
                conditions={"Null": {"s3:if-none-match": "true"}},
            )
        )
        return bucket

    def _trail(self, data: DataLayer, telephony: Telephony, stack: Stack) -> cloudtrail.Trail:
        """Data events (reads and writes) on every table and on the archive's objects; write
        management events (key policies, function code, bucket policies)."""
        trail_bucket = logged_bucket(
            self,
            "TrailLogs",
            access_logs=telephony.access_logs,
            prefix="trail/",
            encryption=s3.BucketEncryption.S3_MANAGED,  # the log files themselves are KMS-encrypted by CloudTrail
        )
        trail_bucket.node.default_child.override_logical_id("TrailBucket")
        self.trail_bucket = trail_bucket
        trail_name = f"{self.prefix}-access"
        trail_arn = stack.format_arn(service="cloudtrail", resource="trail", resource_name=trail_name)
        trail = cloudtrail.Trail(
            self,
            "Trail",
            trail_name=trail_name,
            bucket=trail_bucket,
            encryption_key=data.key,
            enable_file_validation=True,  # digest files prove the log files were not changed
            is_multi_region_trail=False,
            include_global_service_events=False,
        )
        cfn = trail.node.default_child
        cfn.override_logical_id("AccessTrail")
        tables = [t.table_arn for t in data.tables.values()]
        # Advanced and basic event selectors cannot be combined; CDK writes an empty basic list.
        cfn.add_property_deletion_override("EventSelectors")
        cfn.add_property_override(
            "AdvancedEventSelectors",
            [
                {
                    "Name": "Tables: who read or changed which item",
                    "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Data"]},
                        {"Field": "resources.type", "Equals": ["AWS::DynamoDB::Table"]},
                        {"Field": "resources.ARN", "Equals": tables},
                    ],
                },
                {
                    # Custody: key policies (kms PutKeyPolicy), the archive writer's code and
                    # configuration (lambda UpdateFunctionCode*/UpdateFunctionConfiguration*), the
                    # archive's bucket policy (s3 PutBucketPolicy).  A trail's management selector
                    # takes only eventCategory, readOnly and eventSource, and eventSource only with
                    # NotEquals (CloudTrail API reference, API_AdvancedFieldSelector.html), so it
                    # cannot name three services: it records every write management event of this
                    # Region.  The first copy of management events is free (cloudtrail/pricing).
                    "Name": "Management writes: key policies, function code, bucket policies",
                    "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Management"]},
                        {"Field": "readOnly", "Equals": ["false"]},
                    ],
                },
                {
                    "Name": "Archive: who read or wrote which object",
                    "FieldSelectors": [
                        {"Field": "eventCategory", "Equals": ["Data"]},
                        {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                        {"Field": "resources.ARN", "StartsWith": [self.archive.arn_for_objects("")]},
                    ],
                },
            ],
        )
        # CloudTrail encrypts log files with the data key (CloudTrail user guide,
        # create-kms-key-policy-for-cloudtrail.html): kms:GenerateDataKey* for cloudtrail.amazonaws.com
        # under aws:SourceArn of this trail; DescribeKey to check the key.
        grant_key_to_service(
            data.key,
            sid="CloudTrailEncryptsAccessLogs",
            service="cloudtrail.amazonaws.com",
            actions=["kms:DescribeKey", "kms:GenerateDataKey*"],
            account=stack.account,
            source_arns=trail_arn,
        )
        trail.node.add_dependency(data.key)
        return trail

    def _auditor_role(self, cfg: CountryConfig, data: DataLayer, stack: Stack) -> iam.Role:
        """Read-only on the chains, the archive and the trail; decrypt only through DynamoDB and S3.

        Tables: Interactions (the chains), and Cases only through a projection that leaves out
        :data:`AUDITOR_HIDDEN_CASE_FIELDS` (the archive's PERSONAL_FIELDS: pseudonym, free-text
        notes).  Nothing of Callers, the survey lists, answers or opt-outs, the outbox, the partners.
        """
        role = self._person_role(
            cfg, "AuditorRole", f"{self.prefix}: auditors read chains, archive and access trail; write nothing"
        )
        chains = data.tables["Interactions"]
        chain_arns = [chains.table_arn] + [
            f"{chains.table_arn}/index/{i.name}" for i in data.specs["Interactions"].indexes
        ]
        cases = data.tables["Cases"].table_arn
        buckets = [self.archive, self.trail_bucket]
        statements = [
            iam.PolicyStatement(actions=AUDITOR_TABLE_ACTIONS, resources=chain_arns),
            *case_attribute_statements(cases),
            iam.PolicyStatement(actions=AUDITOR_BUCKET_ACTIONS, resources=[b.bucket_arn for b in buckets]),
            iam.PolicyStatement(actions=AUDITOR_OBJECT_ACTIONS, resources=[b.arn_for_objects("*") for b in buckets]),
            _decrypt_via_services(data, stack, ["dynamodb", "s3"]),
            iam.PolicyStatement(actions=SIGNING_KEY_READ_ACTIONS, resources=[self.signing_key.key_arn]),
            # `helpline audit verify --stack` finds the tables, the archive and the signing key from the
            # stack's resources and outputs (helpline/audit/stack.py): read-only, this stack only.
            iam.PolicyStatement(actions=AUDITOR_STACK_ACTIONS, resources=[stack.stack_id]),
        ]
        policy = iam.Policy(self, "AuditorPolicy", statements=statements)
        role.attach_inline_policy(policy)
        # The signing key's account statement administers only: the key policy names the auditor.
        self.signing_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AuditorsVerify",
                principals=[iam.ArnPrincipal(role.role_arn)],
                actions=SIGNING_KEY_READ_ACTIONS,
                resources=["*"],
            )
        )
        for logical_id in ("ArchiveBucket", "TrailBucket"):
            acknowledge(
                policy,
                f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/*]",
                "Auditors read every object of the archive and of the access trail; the wildcard is the "
                "object key under one named bucket, with read actions only.",
            )
        return role

    def _person_role(self, cfg: CountryConfig, construct_id: str, description: str) -> iam.Role:
        """A role people assume (see _people), for one hour at most."""
        return iam.Role(
            self,
            construct_id,
            assumed_by=_people(cfg),
            description=description,
            max_session_duration=Duration.hours(1),
        )

    def _data_protection_role(
        self, cfg: CountryConfig, data: DataLayer, telephony: Telephony, stack: Stack
    ) -> iam.Role:
        """What `helpline erase --stack` needs (helpline/audit/erase.py, helpline/audit/stack.py): the
        pseudonym of a number (kms:GenerateMac), every table (erasure reaches callers, cases, chains,
        survey answers and lists), Amazon Connect's DeleteContactData on the instance's contacts
        (connect/latest/APIReference/API_DeleteContactData.html), the stack's resources.  No archive,
        no signing key: erasure appends tombstones to the chains and the stream archives them."""
        role = self._person_role(
            cfg, "DataProtectionRole", f"{self.prefix}: data-protection officers erase a caller; no archive, no signing"
        )
        tables = []
        for name, table in data.tables.items():
            tables.append(table.table_arn)
            tables += [f"{table.table_arn}/index/{i.name}" for i in data.specs[name].indexes]
        statements = [
            iam.PolicyStatement(actions=DATA_PROTECTION_TABLE_ACTIONS, resources=tables),
            iam.PolicyStatement(actions=["kms:GenerateMac"], resources=[data.pseudonym_key.key_arn]),
            _decrypt_via_services(data, stack, ["dynamodb"], ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]),
            iam.PolicyStatement(
                actions=["connect:DeleteContactData"], resources=[f"{telephony.instance_arn}/contact/*"]
            ),
            iam.PolicyStatement(actions=AUDITOR_STACK_ACTIONS, resources=[stack.stack_id]),
        ]
        policy = iam.Policy(self, "DataProtectionPolicy", statements=statements)
        # cfn-lint 1.58.0 (the newest) lists Connect's IAM actions from before DeleteContactData
        # (API_DeleteContactData.html; botocore 1.44.5 has the operation): its W3037 here is a
        # stale list, not a typo. Only this resource, only this check.
        policy.node.default_child.add_metadata("cfn-lint", {"config": {"ignore_checks": ["W3037"]}})
        role.attach_inline_policy(policy)
        allow_mac(data.pseudonym_key, [role], sid="DataProtectionGenerateMac")
        acknowledge(
            policy,
            f"AwsSolutions-IAM5[Resource::{nag_arn(telephony.instance_arn)}/contact/*]",
            "DeleteContactData acts on contact ARNs of this one instance; which ones is only known at erasure.",
        )
        return role

    def custody_alarms(self, topic: sns.ITopic, topic_key: kms.IKey, archive_writer: str | None) -> None:
        """EventBridge rules on CloudTrail's management events to the alarm topic: a change of the
        signing or pseudonym key's policy, of the archive writer's code or configuration, of the
        archive's bucket policy.  EventBridge receives AWS API calls recorded by CloudTrail as
        "AWS API Call via CloudTrail" events (EventBridge user guide, eb-service-event-cloudtrail.html;
        the trail above logs management writes); Lambda's event names carry an API version suffix
        (UpdateFunctionCode20150331v2), hence the prefix match (eb-event-patterns-content-based-filtering.html).
        """
        patterns = {
            # CloudTrail's KMS records name the key's ARN in resources (logging-using-cloudtrail.html).
            "KeyPolicyChanged": ("aws.kms", ["PutKeyPolicy"], {"ARN": self.custody_keys}),
            "ArchiveBucketPolicyChanged": (
                "aws.s3",
                ["PutBucketPolicy", "DeleteBucketPolicy"],
                {"bucketName": [self.archive.bucket_name]},
            ),
        }
        if archive_writer is not None:
            patterns["ArchiveWriterChanged"] = (
                "aws.lambda",
                [{"prefix": "UpdateFunctionCode"}, {"prefix": "UpdateFunctionConfiguration"}],
                {"functionName": [archive_writer, {"suffix": f":function:{archive_writer}"}]},
            )
        for cid, (source, names, parameters) in patterns.items():
            # Named, so the key policy can list the rules' ARNs without referencing the rules
            # (rule -> topic -> key -> rule would be a cycle), as the alarms do (monitoring.py).
            rule = events.Rule(
                self,
                cid,
                rule_name=f"{self.prefix}-{cid}",
                description=f"{self.prefix}: custody change ({cid}); see docs/audit.md",
                event_pattern=events.EventPattern(
                    source=[source],
                    detail_type=["AWS API Call via CloudTrail"],
                    detail={"eventName": names, **_where(source, parameters)},
                ),
            )
            rule.add_target(targets.SnsTopic(topic))
            self.custody_rules[cid] = rule
        grant_key_to_service(
            topic_key,
            sid="EventBridgeCustodyAlarmsToEncryptedTopic",
            service="events.amazonaws.com",
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            account=Stack.of(self).account,
            source_arns=[
                Stack.of(self).format_arn(service="events", resource="rule", resource_name=r)
                for r in (f"{self.prefix}-{cid}" for cid in self.custody_rules)
            ],
        )

    def only_signers(self, roles: list[iam.IRole]) -> None:
        """Deny kms:Sign on the signing key to every principal but ``roles`` (archive_records).

        An explicit Deny in the key policy wins over any IAM policy in the account
        (KMS developer guide, key-policies.html); with no signer nobody may sign.
        """
        if roles:  # the account statement administers only (admin_only_policy): name the signers
            self.signing_key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid="TheArchiveSigns",
                    principals=[iam.ArnPrincipal(r.role_arn) for r in roles],
                    actions=["kms:Sign"],
                    resources=["*"],
                )
            )
        conditions = {"ArnNotEquals": {"aws:PrincipalArn": [r.role_arn for r in roles]}} if roles else None
        self.signing_key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="OnlyTheArchiveSigns",
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=["kms:Sign"],
                resources=["*"],  # in a key policy "*" means this key
                conditions=conditions,
            )
        )
