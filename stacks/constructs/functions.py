"""Lambda functions built from ``functions/`` (no Docker), each with its own least-privilege role."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_connect as connect
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from helpline.config.schema import CountryConfig
from stacks.constructs import acknowledge, grant_key_to_service
from stacks.constructs.data import DataLayer

RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64


@dataclass(frozen=True)
class FunctionAccess:
    """What one handler may touch (from functions/permissions.py, next to the code that uses it)."""

    name: str
    tables: dict[str, tuple[str, ...]]  # logical table name -> DynamoDB actions
    secret: bool
    events: bool
    trigger: str  # "flow" (invoked by Amazon Connect) or "eventbridge"
    description: str


def _camel(name: str) -> str:
    return "".join(part.title() for part in name.split("_"))


class Functions(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: CountryConfig,
        data: DataLayer,
        access: list[FunctionAccess],
        code_dir: Path,
        layer_dir: Path,
        instance_arn: str,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        cfg = config
        self.functions: dict[str, lambda_.Function] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        # Lambda function name -> its association with the instance. A flow that invokes a
        # function must be created after the association (Connect checks it at create), but
        # the flow never references the association, so flows depend on it explicitly.
        self.integrations: dict[str, connect.CfnIntegrationAssociation] = {}

        layer = lambda_.LayerVersion(
            self,
            "Dependencies",
            code=lambda_.Code.from_asset(str(layer_dir)),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[ARCHITECTURE],
            description="Powertools, PynamoDB, pydantic for the helpline functions",
        )
        code = lambda_.Code.from_asset(str(code_dir))

        base_env = {spec.env_var: data.tables[name].table_name for name, spec in data.specs.items()} | {
            "COUNTRY_CODE": cfg.code,
            "POWERTOOLS_SERVICE_NAME": f"helpline-{cfg.code}",
            "POWERTOOLS_METRICS_NAMESPACE": "Helpline",
            "POWERTOOLS_LOG_LEVEL": "INFO",
            "RETENTION_DAYS_CALLERS": str(cfg.retention_days.callers),
            "RETENTION_DAYS_CASES": str(cfg.retention_days.cases),
            "RETENTION_DAYS_INTERACTIONS": str(cfg.retention_days.interactions),
            "RETENTION_DAYS_REFERRALS": str(cfg.retention_days.referrals),
            "RETENTION_DAYS_SURVEYS": str(cfg.retention_days.surveys),
        }

        for spec in access:
            cid = _camel(spec.name)
            log_group = logs.LogGroup(
                self,
                f"{cid}Logs",
                retention=logs.RetentionDays.THREE_MONTHS,
                encryption_key=data.key,
                # RetainExceptOnCreate: kept on update/delete, removed if the first create fails.
                removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
            )
            role = iam.Role(
                self,
                f"{cid}Role",
                assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                description=f"{spec.name}: only the tables and actions it declares",
            )
            statements = [
                iam.PolicyStatement(
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[log_group.log_group_arn],
                ),
            ]
            kms_actions: set[str] = set()
            for table_name, actions in sorted(spec.tables.items()):
                table = data.tables[table_name]
                resources = [table.table_arn]
                if any(a in ("dynamodb:Query", "dynamodb:Scan") for a in actions) and data.specs[table_name].indexes:
                    resources += [f"{table.table_arn}/index/{i.name}" for i in data.specs[table_name].indexes]
                statements.append(iam.PolicyStatement(actions=sorted(actions), resources=resources))
                kms_actions.add("kms:Decrypt")
                if any(
                    not a.endswith(("GetItem", "Query", "Scan", "DescribeTable", "ConditionCheckItem")) for a in actions
                ):
                    kms_actions.update({"kms:Encrypt", "kms:GenerateDataKey"})
            env = dict(base_env)
            if spec.secret:
                statements.append(
                    iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[data.hash_key.secret_arn])
                )
                kms_actions.add("kms:Decrypt")
                env["HASH_KEY_SECRET_ARN"] = data.hash_key.secret_arn
            if spec.events:
                statements.append(iam.PolicyStatement(actions=["events:PutEvents"], resources=[data.bus.event_bus_arn]))
                env["EVENT_BUS_NAME"] = data.bus.event_bus_name
            if kms_actions:
                statements.append(iam.PolicyStatement(actions=sorted(kms_actions), resources=[data.key.key_arn]))
            policy = iam.Policy(self, f"{cid}Policy", statements=statements)
            role.attach_inline_policy(policy)
            # Active tracing adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the role.
            acknowledge(
                role,
                "AwsSolutions-IAM5[Resource::*]",
                "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; "
                "no data action has a wildcard (asserted in tests/infrastructure).",
            )

            flow_invoked = spec.trigger == "flow"
            fn = lambda_.Function(
                self,
                cid,
                description=spec.description[:256],
                runtime=RUNTIME,
                architecture=ARCHITECTURE,
                handler=f"functions.handlers.{spec.name}.handler",
                code=code,
                layers=[layer],
                role=role,
                log_group=log_group,
                # Callers hear silence during a cold start: more memory buys more CPU for imports.
                memory_size=1024 if flow_invoked else 512,
                # Amazon Connect waits at most 8 s; the handler's own DynamoDB timeouts stay below it.
                timeout=Duration.seconds(cfg.ivr.lambda_timeout_seconds if flow_invoked else 30),
                tracing=lambda_.Tracing.ACTIVE,
                environment=env,
            )
            fn.node.add_dependency(policy)
            self.functions[spec.name] = fn
            self.log_groups[spec.name] = log_group

            if flow_invoked:
                fn.add_permission(
                    "InvokedByConnect",
                    principal=iam.ServicePrincipal("connect.amazonaws.com"),
                    source_arn=instance_arn,
                    source_account=stack.account,
                )
                self.integrations[spec.name] = connect.CfnIntegrationAssociation(
                    self,
                    f"{cid}Integration",
                    instance_id=instance_arn,  # AWS::Connect::IntegrationAssociation takes the instance ARN
                    integration_type="LAMBDA_FUNCTION",
                    integration_arn=fn.function_arn,
                )

        # Contact events (initiated, queued, connected, disconnected) -> interaction records.
        self.dead_letters = sqs.Queue(
            self,
            "ContactEventsDLQ",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=data.key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            self.dead_letters,
            "AwsSolutions-SQS3",
            "This queue is the dead-letter queue of the contact-event rule.",
        )
        self.contact_events_rule = None
        # A fixed name gives the rule an ARN known without a reference to the rule, so the data
        # key's policy can name it (a reference would make key -> rule -> queue -> key a cycle).
        self.contact_events_rule_name = f"helpline-{cfg.code}-{cfg.stage}-contact-events"
        self.contact_events_rule_arn = stack.format_arn(
            service="events", resource="rule", resource_name=self.contact_events_rule_name
        )
        if "record_contact_event" in self.functions:
            self.contact_events_rule = events.Rule(
                self,
                "ContactEvents",
                rule_name=self.contact_events_rule_name,
                description="Amazon Connect contact events of this instance -> record_contact_event",
                event_pattern=events.EventPattern(
                    source=["aws.connect"],
                    detail_type=["Amazon Connect Contact Event"],
                    detail={"instanceArn": [instance_arn]},
                ),
                targets=[
                    targets.LambdaFunction(
                        self.functions["record_contact_event"],
                        dead_letter_queue=self.dead_letters,
                        retry_attempts=8,
                        max_event_age=Duration.hours(6),
                    )
                ],
            )
            self._let_eventbridge_use_the_key(data, stack)

    def _let_eventbridge_use_the_key(self, data: DataLayer, stack: Stack) -> None:
        """EventBridge writes undeliverable contact events to the KMS-encrypted dead-letter queue.

        Without these key permissions the failed events are dropped silently. The SQS developer
        guide (sqs-key-management.html, "Configure KMS permissions for AWS services") asks for
        kms:GenerateDataKey and kms:Decrypt for the event source's service principal. The
        conditions keep the grant to this account's contact-event rule: for EventBridge,
        aws:SourceArn is the ARN of the rule that sends the event and aws:SourceAccount its
        account (EventBridge user guide, policy-keys-eventbridge.html), and the EventBridge
        dead-letter-queue policy is conditioned the same way (eb-rule-dlq.html).
        """
        grant_key_to_service(
            data.key,
            sid="EventBridgeContactEventsDeadLetters",
            service="events.amazonaws.com",
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            account=stack.account,
            source_arns=self.contact_events_rule_arn,
        )
