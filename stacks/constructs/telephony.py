"""Amazon Connect: instance, storage, hours, queues, routing and security profiles, number, prompts."""

from __future__ import annotations

from aws_cdk import Duration, Fn, RemovalPolicy
from aws_cdk import aws_connect as connect
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from helpline.config.schema import CountryConfig
from stacks.constructs import acknowledge

# Security profiles. Auditors only ever get '.View' permissions (asserted in the tests).
AGENT_PERMISSIONS = [
    "BasicAgentAccess",
    "OutboundCallAccess",
    "TransferDestinations.View",
    "ContactAttributes.View",
]
SUPERVISOR_PERMISSIONS = [
    *AGENT_PERMISSIONS,
    "Queues.View",
    "RoutingPolicies.View",
    "HoursOfOperation.View",
    "Users.View",
    "AgentStates.View",
    "ContactSearch.View",
    "MetricsReports.View",
    "RealtimeContactLens.View",
]
AUDITOR_PERMISSIONS = [
    "ContactSearch.View",
    "ContactAttributes.View",
    "MetricsReports.View",
    "Queues.View",
    "RoutingPolicies.View",
    "HoursOfOperation.View",
    "ContactFlows.View",
    "Prompts.View",
    "PhoneNumbers.View",
    "Users.View",
]


class Telephony(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: CountryConfig, key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        cfg = config
        self.config = cfg
        prefix = f"helpline-{cfg.code}-{cfg.stage}"

        # --- Recordings and transcripts: KMS-encrypted, private, TLS only, expiring. ---
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # S3 server access logging cannot target SSE-KMS
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.access_logs.node.default_child.override_logical_id("AccessLogsBucket")
        acknowledge(self.access_logs, "AwsSolutions-S1", "This is the server access log bucket itself.")
        self.recordings = s3.Bucket(
            self,
            "Recordings",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="recordings/",
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(cfg.retention_days.recordings),
                    noncurrent_version_expiration=Duration.days(1),
                )
            ],
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.recordings.node.default_child.override_logical_id("RecordingsBucket")

        # --- The instance. ---
        self.instance = connect.CfnInstance(
            self,
            "Instance",
            identity_management_type="CONNECT_MANAGED",
            instance_alias=cfg.instance.alias or f"helpline-{cfg.code}-{cfg.stage}",
            attributes=connect.CfnInstance.AttributesProperty(
                inbound_calls=cfg.instance.inbound_calls,
                outbound_calls=cfg.instance.outbound_calls,
                contact_lens=cfg.instance.contact_lens,
                contactflow_logs=True,
                auto_resolve_best_voices=True,
                early_media=True,
            ),
        )
        self.instance.apply_removal_policy(RemovalPolicy.RETAIN)
        self.instance.override_logical_id("ConnectInstance")
        for resource_type, folder in (("CALL_RECORDINGS", "recordings"), ("CHAT_TRANSCRIPTS", "transcripts")):
            connect.CfnInstanceStorageConfig(
                self,
                f"Storage{folder.title()}",
                instance_arn=self.instance.attr_arn,
                resource_type=resource_type,
                storage_type="S3",
                s3_config=connect.CfnInstanceStorageConfig.S3ConfigProperty(
                    bucket_name=self.recordings.bucket_name,
                    bucket_prefix=folder,
                    encryption_config=connect.CfnInstanceStorageConfig.EncryptionConfigProperty(
                        encryption_type="KMS", key_id=key.key_arn
                    ),
                ),
            )

        # --- Hours of operation with holiday closures. ---
        self.hours = connect.CfnHoursOfOperation(
            self,
            "Hours",
            instance_arn=self.instance.attr_arn,
            name=f"{cfg.code.upper()} opening hours",
            description=f"{cfg.name} helpline opening hours ({cfg.hours.time_zone})",
            time_zone=cfg.hours.time_zone,
            config=[
                connect.CfnHoursOfOperation.HoursOfOperationConfigProperty(
                    day=slot.day,
                    start_time=connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty(
                        hours=slot.start[0], minutes=slot.start[1]
                    ),
                    # Connect has no 24:00; 23:59 closes the day.
                    end_time=connect.CfnHoursOfOperation.HoursOfOperationTimeSliceProperty(
                        hours=23 if slot.end == (24, 0) else slot.end[0],
                        minutes=59 if slot.end == (24, 0) else slot.end[1],
                    ),
                )
                for slot in cfg.hours.slots
            ],
            hours_of_operation_overrides=[
                connect.CfnHoursOfOperation.HoursOfOperationOverrideProperty(
                    override_name=closure.name,
                    override_description=f"Closed: {closure.name}",
                    override_type="CLOSED",
                    effective_from=closure.date.isoformat(),
                    effective_till=closure.last_day.isoformat(),
                    override_config=[],
                )
                for closure in cfg.hours.closures
            ]
            or None,
        )

        # --- Queues: one per language plus the priority queue for people at risk. ---
        self.queues: dict[str, connect.CfnQueue] = {}
        for key_name, queue_name in cfg.queue_names().items():
            what = (
                f"people at risk and emergencies, speaking {key_name[9:]}"
                if key_name.startswith("priority_")
                else f"callers speaking {key_name}"
            )
            self.queues[key_name] = connect.CfnQueue(
                self,
                f"Queue{key_name.title()}",
                instance_arn=self.instance.attr_arn,
                name=queue_name,
                description=f"{cfg.name}: {what}",
                hours_of_operation_arn=self.hours.attr_hours_of_operation_arn,
            )

        # --- Routing profiles: agents of a language take the priority queue first. ---
        self.routing_profiles: dict[str, connect.CfnRoutingProfile] = {}
        for lang in cfg.language_codes:
            self.routing_profiles[lang] = self._routing_profile(
                f"Routing{lang.title()}",
                f"{cfg.code.upper()} agents {lang}",
                [self.queues[f"priority_{lang}"].attr_queue_arn],
                [self.queues[lang].attr_queue_arn],
            )
        self.routing_profiles["all"] = self._routing_profile(
            "RoutingAll",
            f"{cfg.code.upper()} agents all languages",
            [self.queues[f"priority_{lang}"].attr_queue_arn for lang in cfg.language_codes],
            [self.queues[lang].attr_queue_arn for lang in cfg.language_codes],
        )

        # --- Security profiles: agent, supervisor, auditor (read-only). ---
        self.security_profiles = {
            name: connect.CfnSecurityProfile(
                self,
                f"Security{name.title()}",
                instance_arn=self.instance.attr_arn,
                security_profile_name=f"{cfg.code.upper()} {name}",
                description=desc,
                permissions=perms,
            )
            for name, desc, perms in (
                ("agent", "Answers calls in the agent workspace", AGENT_PERMISSIONS),
                (
                    "supervisor",
                    "Agent rights plus queue, metrics and contact search views",
                    SUPERVISOR_PERMISSIONS,
                ),
                ("auditor", "Read-only review of contacts, metrics and configuration", AUDITOR_PERMISSIONS),
            )
        }

        # --- The helpline's number. ---
        self.phone_number = connect.CfnPhoneNumber(
            self,
            "PhoneNumber",
            target_arn=self.instance.attr_arn,
            country_code=cfg.phone_number.country_code,
            type=cfg.phone_number.type,
            prefix=cfg.phone_number.prefix,
            description=f"{cfg.name} refugee helpline",
        )
        self.phone_number.apply_removal_policy(RemovalPolicy.RETAIN)
        self.phone_number.override_logical_id("PhoneNumber")

        self.prompts: dict[str, connect.CfnPrompt] = {}
        self._prefix = prefix

    def _routing_profile(
        self, cid: str, name: str, priority_arns: list[str], queue_arns: list[str]
    ) -> connect.CfnRoutingProfile:
        """Priority queues at routing priority 1, the language queues at 2."""
        ranked = [(arn, 1) for arn in priority_arns] + [(arn, 2) for arn in queue_arns]
        return connect.CfnRoutingProfile(
            self,
            cid,
            instance_arn=self.instance.attr_arn,
            name=name,
            description=f"{name}: priority queue first",
            default_outbound_queue_arn=queue_arns[-1],
            media_concurrencies=[connect.CfnRoutingProfile.MediaConcurrencyProperty(channel="VOICE", concurrency=1)],
            queue_configs=[
                connect.CfnRoutingProfile.RoutingProfileQueueConfigProperty(
                    delay=0,
                    priority=rank,
                    queue_reference=connect.CfnRoutingProfile.RoutingProfileQueueReferenceProperty(
                        channel="VOICE", queue_arn=arn
                    ),
                )
                for arn, rank in ranked
            ],
        )

    def prompt(self, lang: str, prompt_id: str) -> connect.CfnPrompt:
        """The recorded prompt for ``prompt_id`` in ``lang`` (created on first use)."""
        key = f"{lang}/{prompt_id}"
        if key not in self.prompts:
            cid = "Prompt" + "".join(part.title() for part in f"{lang}_{prompt_id}".replace("-", "_").split("_"))
            # The recording is uploaded by the deploy itself (a CDK asset), so the object exists
            # before CloudFormation creates the prompt (AWS::Connect::Prompt reads it at create).
            audio = s3_assets.Asset(self, cid + "Audio", path=str(self.config.recording_path(lang, prompt_id)))
            self.prompts[key] = connect.CfnPrompt(
                self,
                cid,
                instance_arn=self.instance.attr_arn,
                name=f"{lang} {prompt_id}",
                description=self.config.spoken(lang)[prompt_id][:250],
                s3_uri=audio.s3_object_url,
            )
        return self.prompts[key]

    @property
    def instance_id(self) -> str:
        return self.instance.attr_id

    @property
    def phone_number_id(self) -> str:
        return Fn.select(1, Fn.split("phone-number/", self.phone_number.attr_phone_number_arn))
