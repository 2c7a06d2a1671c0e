"""Lambda functions built from ``functions/`` (no Docker), each with its own least-privilege role."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration, Fn, RemovalPolicy, Stack
from aws_cdk import aws_connect as connect
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from helpline.config.schema import CountryConfig
from stacks.constructs import acknowledge, grant_key_to_service, nag_arn
from stacks.constructs.audit import Audit
from stacks.constructs.data import DataLayer, allow_mac

RUNTIME = lambda_.Runtime.PYTHON_3_14
# Amazon Connect actions -> the resource (under the instance ARN) they act on, from the Service
# Authorization Reference (docs.aws.amazon.com/service-authorization/latest/reference/
# list_amazonconnect.html): DescribeUser acts on a user ("agent/<id>"); StartOutboundVoiceContact
# and DescribeContact act on a contact ("contact/<id>").
CONNECT_RESOURCES = {
    "connect:DescribeUser": "agent/*",
    "connect:StartOutboundVoiceContact": "contact/*",
    "connect:DescribeContact": "contact/*",
    "connect:GetContactAttributes": "contact/*",
}
ARCHITECTURE = lambda_.Architecture.ARM_64


@dataclass(frozen=True)
class Trigger:
    """What invokes a function: ``flow`` (Amazon Connect), ``eventbridge`` (contact events),
    ``stream`` (DynamoDB streams of ``tables``) or ``schedule`` (every ``minutes``)."""

    kind: str
    tables: tuple[str, ...] = ()
    minutes: int = 0
    events: tuple[str, ...] = ()  # stream only: the record kinds that invoke it (INSERT, MODIFY, REMOVE); all if empty


def parse_triggers(value: object) -> tuple[Trigger, ...]:
    """functions/permissions.py ``trigger``: "flow" | "eventbridge" | {"stream": [tables]} |
    {"schedule_minutes": N}, or a list of these."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if item in ("flow", "eventbridge"):
            out.append(Trigger(item))
        elif isinstance(item, dict) and set(item) <= {"stream", "events"} and item.get("stream"):
            events = tuple(item.get("events", ()))
            if not set(events) <= {"INSERT", "MODIFY", "REMOVE"}:
                raise ValueError(f"unknown stream events {events!r}")
            out.append(Trigger("stream", tables=tuple(item["stream"]), events=events))
        elif isinstance(item, dict) and set(item) == {"schedule_minutes"} and int(item["schedule_minutes"]) >= 1:
            out.append(Trigger("schedule", minutes=int(item["schedule_minutes"])))
        else:
            raise ValueError(f"unknown trigger {item!r}")
    if not out:
        raise ValueError("a function needs a trigger")
    return tuple(out)


@dataclass(frozen=True)
class FunctionAccess:
    """What one handler may touch (from functions/permissions.py, next to the code that uses it)."""

    name: str
    tables: dict[str, tuple[str, ...]]  # logical table name -> DynamoDB actions
    pseudonym_key: bool  # kms:GenerateMac on the pseudonym key (functions/permissions.py ``pseudonym_key``)
    events: bool
    triggers: tuple[Trigger, ...]
    description: str
    connect: tuple[str, ...] = ()  # Amazon Connect actions on the instance's agents
    archive_bucket: bool = False  # s3:PutObject into the Object Lock archive
    signing_key: bool = False  # kms:Sign with the checkpoint key

    @property
    def flow_invoked(self) -> bool:
        return any(t.kind == "flow" for t in self.triggers)

    @property
    def stream_tables(self) -> tuple[str, ...]:
        return tuple(t for trigger in self.triggers if trigger.kind == "stream" for t in trigger.tables)


def flow_needs(cfg: CountryConfig, name: str) -> bool:
    """Whether a flow of this country invokes the flow-triggered function ``name``: the keypad
    surveys' ``record_survey_answer`` only where a survey flow is rendered, ``survey_consent`` only
    where the outbound survey flow is."""
    if name == "record_survey_answer":
        return cfg.post_call_survey is not None or cfg.outbound_survey is not None
    if name == "survey_consent":
        return cfg.outbound_survey is not None
    return True


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
        instance_id: str,
        supervisor_profile_ids: list[str],
        audit: Audit,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        cfg = config
        self.config = cfg
        self.data = data
        self.audit = audit
        self.instance_arn = instance_arn
        self.instance_id = instance_id
        self.supervisor_profile_ids = supervisor_profile_ids
        self.access = {spec.name: spec for spec in access}
        self.functions: dict[str, lambda_.Function] = {}
        self.log_groups: dict[str, logs.LogGroup] = {}
        self.roles: dict[str, iam.Role] = {}
        self.policies: dict[str, iam.Policy] = {}
        # Stream failures land here (one encrypted queue per stream-triggered function).
        self.failure_queues: dict[str, sqs.Queue] = {}
        self.stream_mappings: dict[str, list[lambda_.CfnEventSourceMapping]] = {}
        self.schedules: dict[str, events.Rule] = {}
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
        self.base_env = {spec.env_var: data.tables[name].table_name for name, spec in data.specs.items()} | {
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
            self._function(spec, code, layer, stack)
        self._contact_events(stack)
        audit.only_signers([self.roles[s.name] for s in access if s.signing_key])
        allow_mac(data.pseudonym_key, [self.roles[s.name] for s in access if s.pseudonym_key])

    def _function(self, spec: FunctionAccess, code: lambda_.Code, layer: lambda_.LayerVersion, stack: Stack) -> None:
        cid = _camel(spec.name)
        log_group = logs.LogGroup(
            self,
            f"{cid}Logs",
            retention=logs.RetentionDays.THREE_MONTHS,
            encryption_key=self.data.key,
            # RetainExceptOnCreate: kept on update/delete, removed if the first create fails.
            removal_policy=RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        )
        role = iam.Role(
            self,
            f"{cid}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{spec.name}: only the tables and actions it declares",
        )
        env = dict(self.base_env)
        statements = [
            iam.PolicyStatement(
                actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]
            )
        ]
        kms_actions: set[str] = set()
        statements += self._table_statements(spec, kms_actions)
        acks: list[tuple[str, str]] = []  # cdk-nag findings of scoped wildcards, each with its reason
        statements += self._extra_statements(spec, env, kms_actions, acks)
        if spec.stream_tables:
            queue = self._failure_queue(cid)
            self.failure_queues[spec.name] = queue
            statements += self._stream_statements(spec, queue, kms_actions)
        if kms_actions:
            statements.append(iam.PolicyStatement(actions=sorted(kms_actions), resources=[self.data.key.key_arn]))
        policy = iam.Policy(self, f"{cid}Policy", statements=statements)
        role.attach_inline_policy(policy)
        for rule, reason in acks:
            acknowledge(policy, rule, reason)
        # Active tracing adds xray:PutTraceSegments/PutTelemetryRecords on "*" to the role.
        acknowledge(
            role,
            "AwsSolutions-IAM5[Resource::*]",
            "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions; "
            "no data action has a wildcard (asserted in tests/infrastructure).",
        )
        flow_invoked = spec.flow_invoked
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
            timeout=Duration.seconds(self.config.ivr.lambda_timeout_seconds if flow_invoked else 60),
            tracing=lambda_.Tracing.ACTIVE,
            environment=env,
        )
        fn.node.add_dependency(policy)
        self.functions[spec.name] = fn
        self.log_groups[spec.name] = log_group
        self.roles[spec.name] = role
        self.policies[spec.name] = policy
        for trigger in spec.triggers:
            if trigger.kind == "flow" and not flow_needs(self.config, spec.name):
                continue  # no flow of this country invokes it: no stray Connect grant
            if trigger.kind == "flow":
                self._invoked_by_connect(spec.name, cid, fn, stack)
            elif trigger.kind == "stream":
                self._stream_mappings(spec, cid, fn, trigger, policy)
            elif trigger.kind == "schedule":
                self._schedule(spec.name, cid, fn, trigger.minutes)

    def _table_statements(self, spec: FunctionAccess, kms_actions: set[str]) -> list[iam.PolicyStatement]:
        statements = []
        for table_name, actions in sorted(spec.tables.items()):
            table = self.data.tables[table_name]
            resources = [table.table_arn]
            if any(a in ("dynamodb:Query", "dynamodb:Scan") for a in actions) and self.data.specs[table_name].indexes:
                resources += [f"{table.table_arn}/index/{i.name}" for i in self.data.specs[table_name].indexes]
            statements.append(iam.PolicyStatement(actions=sorted(actions), resources=resources))
            kms_actions.add("kms:Decrypt")
            if any(
                not a.endswith(("GetItem", "Query", "Scan", "DescribeTable", "ConditionCheckItem")) for a in actions
            ):
                kms_actions.update({"kms:Encrypt", "kms:GenerateDataKey"})
        return statements

    def _extra_statements(
        self, spec: FunctionAccess, env: dict, kms_actions: set[str], acks: list[tuple[str, str]]
    ) -> list[iam.PolicyStatement]:
        """Pseudonym key, event bus, Connect, archive bucket and signing key, each with its env variable."""
        statements = []
        if spec.pseudonym_key:
            # The key policy names these roles too (data.allow_mac): the account statement omits GenerateMac.
            statements.append(
                iam.PolicyStatement(actions=["kms:GenerateMac"], resources=[self.data.pseudonym_key.key_arn])
            )
            env["PSEUDONYM_KEY_ID"] = self.data.pseudonym_key.key_arn
        if spec.events:
            statements.append(
                iam.PolicyStatement(actions=["events:PutEvents"], resources=[self.data.bus.event_bus_arn])
            )
            env["EVENT_BUS_NAME"] = self.data.bus.event_bus_name
        if spec.connect:
            by_resource: dict[str, list[str]] = {}
            for action in spec.connect:
                if action not in CONNECT_RESOURCES:
                    raise ValueError(f"{spec.name}: no resource known for {action}; add it to CONNECT_RESOURCES")
                by_resource.setdefault(CONNECT_RESOURCES[action], []).append(action)
            for resource, actions in sorted(by_resource.items()):
                statements.append(
                    iam.PolicyStatement(actions=sorted(actions), resources=[f"{self.instance_arn}/{resource}"])
                )
                acks.append(
                    (
                        f"AwsSolutions-IAM5[Resource::{self._nag_arn(self.instance_arn)}/{resource}]",
                        f"Connect {resource.split('/')[0]} ARNs of this one instance: which one is only known at run time.",
                    )
                )
            env["CONNECT_INSTANCE_ID"] = self.instance_id
            if "connect:DescribeUser" in spec.connect:
                env["SUPERVISOR_PROFILE_IDS"] = Fn.join(",", self.supervisor_profile_ids)
        if spec.archive_bucket:
            # Writes only: no role of the stack may delete archived records (asserted in the tests).
            statements.append(
                iam.PolicyStatement(actions=["s3:PutObject"], resources=[self.audit.archive.arn_for_objects("*")])
            )
            acks.append(
                (
                    "AwsSolutions-IAM5[Resource::<ArchiveBucket.Arn>/*]",
                    "The archive writer creates new object keys in the one Object Lock bucket; PutObject only.",
                )
            )
            kms_actions.update({"kms:Encrypt", "kms:GenerateDataKey"})  # SSE-KMS with the data key
            env["ARCHIVE_BUCKET"] = self.audit.archive.bucket_name
        if spec.signing_key:
            statements.append(iam.PolicyStatement(actions=["kms:Sign"], resources=[self.audit.signing_key.key_arn]))
            env["SIGNING_KEY_ARN"] = self.audit.signing_key.key_arn
        return statements

    @staticmethod
    def _nag_arn(arn: str) -> str:
        """How cdk-nag names an ARN in a finding: a created instance's as <ConnectInstance.Arn>."""
        return nag_arn(arn)

    def _stream_statements(
        self, spec: FunctionAccess, queue: sqs.Queue, kms_actions: set[str]
    ) -> list[iam.PolicyStatement]:
        """Reading the tables' streams (DynamoDB developer guide,
        iam-policy-example-lamda-process-dynamodb-streams.html) and sending failed batches to the
        on-failure queue (Lambda developer guide, invocation-async-retain-records.html: sqs:SendMessage;
        the queue's KMS key needs kms:GenerateDataKey and kms:Decrypt, SQS sqs-key-management.html)."""
        streams = []
        for table_name in spec.stream_tables:
            stream_arn = self.data.tables[table_name].table_stream_arn
            if stream_arn is None:
                raise ValueError(f"{spec.name} reads the stream of {table_name}, whose model sets no stream_view_type")
            streams.append(stream_arn)
        kms_actions.update({"kms:Decrypt", "kms:GenerateDataKey"})
        return [
            iam.PolicyStatement(
                actions=[
                    "dynamodb:DescribeStream",
                    "dynamodb:GetRecords",
                    "dynamodb:GetShardIterator",
                    "dynamodb:ListStreams",
                ],
                resources=streams,
            ),
            iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[queue.queue_arn]),
        ]

    def _failure_queue(self, cid: str) -> sqs.Queue:
        queue = sqs.Queue(
            self,
            f"{cid}StreamFailures",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.data.key,
            enforce_ssl=True,
            retention_period=Duration.days(14),
        )
        acknowledge(
            queue,
            "AwsSolutions-SQS3",
            "This queue is the on-failure destination of a DynamoDB stream mapping (a dead-letter queue).",
        )
        return queue

    def _stream_mappings(
        self, spec: FunctionAccess, cid: str, fn: lambda_.Function, trigger: Trigger, policy: iam.Policy
    ) -> None:
        """AWS::Lambda::EventSourceMapping per stream (aws-resource-lambda-eventsourcemapping.html).

        From the oldest record (TRIM_HORIZON: nothing is skipped), a failing batch is split in
        two (BisectBatchOnFunctionError) and retried; what still fails after the retries or
        after a day goes to the encrypted on-failure queue (DestinationConfig.OnFailure).
        Archive writers gather records for audit.checkpoint_batch_seconds
        (MaximumBatchingWindowInSeconds, 0-300) so one checkpoint covers many records.
        """
        window = self.config.audit.checkpoint_batch_seconds if spec.archive_bucket else 0
        for table_name in trigger.tables:
            mapping = lambda_.CfnEventSourceMapping(
                self,
                f"{cid}{table_name}Stream",
                function_name=fn.function_name,
                event_source_arn=self.data.tables[table_name].table_stream_arn,
                starting_position="TRIM_HORIZON",
                batch_size=100,
                maximum_batching_window_in_seconds=window,
                bisect_batch_on_function_error=True,
                maximum_retry_attempts=10,
                maximum_record_age_in_seconds=86400,  # DynamoDB keeps stream records 24 hours
                # Only these record kinds invoke the function (with-ddb-filtering.html: a filter on
                # eventName; records that do not match are dropped, not retried).
                filter_criteria=lambda_.CfnEventSourceMapping.FilterCriteriaProperty(
                    filters=[
                        lambda_.CfnEventSourceMapping.FilterProperty(
                            pattern=json.dumps({"eventName": list(trigger.events)}, separators=(",", ":"))
                        )
                    ]
                )
                if trigger.events
                else None,
                destination_config=lambda_.CfnEventSourceMapping.DestinationConfigProperty(
                    on_failure=lambda_.CfnEventSourceMapping.OnFailureProperty(
                        destination=self.failure_queues[spec.name].queue_arn
                    )
                ),
            )
            # Lambda checks the role's stream permissions when it creates the mapping.
            mapping.node.add_dependency(policy)
            self.stream_mappings.setdefault(spec.name, []).append(mapping)

    def _schedule(self, name: str, cid: str, fn: lambda_.Function, minutes: int) -> None:
        """An EventBridge schedule rule (rate expression, eb-scheduled-rule-pattern.html)."""
        self.schedules[name] = events.Rule(
            self,
            f"{cid}Schedule",
            description=f"Every {minutes} minutes -> {name}",
            schedule=events.Schedule.rate(Duration.minutes(minutes)),
            targets=[targets.LambdaFunction(fn, retry_attempts=2, max_event_age=Duration.minutes(minutes))],
        )

    def _invoked_by_connect(self, name: str, cid: str, fn: lambda_.Function, stack: Stack) -> None:
        fn.add_permission(
            "InvokedByConnect",
            principal=iam.ServicePrincipal("connect.amazonaws.com"),
            source_arn=self.instance_arn,
            source_account=stack.account,
        )
        self.integrations[name] = connect.CfnIntegrationAssociation(
            self,
            f"{cid}Integration",
            instance_id=self.instance_arn,  # AWS::Connect::IntegrationAssociation takes the instance ARN
            integration_type="LAMBDA_FUNCTION",
            integration_arn=fn.function_arn,
        )

    def _contact_events(self, stack: Stack) -> None:
        """Contact events (initiated, queued, connected, disconnected) -> the "eventbridge" functions."""
        cfg = self.config
        self.dead_letters = sqs.Queue(
            self,
            "ContactEventsDLQ",
            encryption=sqs.QueueEncryption.KMS,
            encryption_master_key=self.data.key,
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
        receivers = [n for n, spec in self.access.items() if any(t.kind == "eventbridge" for t in spec.triggers)]
        if not receivers:
            return
        self.contact_events_rule = events.Rule(
            self,
            "ContactEvents",
            rule_name=self.contact_events_rule_name,
            description="Amazon Connect contact events of this instance -> " + ", ".join(receivers),
            event_pattern=events.EventPattern(
                source=["aws.connect"],
                detail_type=["Amazon Connect Contact Event"],
                detail={"instanceArn": [self.instance_arn]},
            ),
            targets=[
                targets.LambdaFunction(
                    self.functions[name],
                    dead_letter_queue=self.dead_letters,
                    retry_attempts=8,
                    max_event_age=Duration.hours(6),
                )
                for name in receivers
            ],
        )
        self._let_eventbridge_use_the_key(self.data, stack)

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
