"""Amazon Connect: instance, storage, hours, queues, routing and security profiles, number, prompts.

Bring your own: with ``instance.arn`` no instance (and no instance storage) is created and
everything attaches to that ARN; with ``phone_number.arn`` no number is claimed and that
number is used (entry flow, outbound caller ID). ``phone_number.outbound`` adds a separate
number to call out from (queues' outbound caller ID, outbound survey source), claimed or existing.
"""

from __future__ import annotations

import datetime as dt

from aws_cdk import Annotations, Aws, Duration, Fn, RemovalPolicy
from aws_cdk import aws_connect as connect
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_assets as s3_assets
from constructs import Construct

from helpline.config.rules import config_warnings
from helpline.config.schema import CountryConfig, NumberSpec
from helpline.flows.render import HOURS_RESOURCES
from stacks.connect_permissions import profile_permissions
from stacks.constructs import acknowledge, logged_bucket

# Stateful resources keep their data on stack updates and deletes, but a failed FIRST create
# removes them again, so the retry is not blocked by a leftover instance, number, table or
# bucket (CloudFormation DeletionPolicy "RetainExceptOnCreate"; plain "Retain" keeps them
# even when the create that made them rolls back).
STATEFUL = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE

# Security profile permissions come from one documented catalog (stacks/connect_permissions.py:
# each name with its meaning, its admin-guide page and whether the docs settle it).
# Auditors only ever get '.View' permissions (asserted in the tests).
AGENT_PERMISSIONS = profile_permissions("agent")
SUPERVISOR_PERMISSIONS = profile_permissions("supervisor")
AUDITOR_PERMISSIONS = profile_permissions("auditor")
METRICS_PERMISSIONS = [p for p in SUPERVISOR_PERMISSIONS if p.startswith("AccessMetrics")]

# CloudFormation creates resources without a dependency between them in parallel, and each
# AWS::Connect::Prompt is one CreatePrompt call. Connect throttles its API per account and Region,
# "for each API separately" (APIReference/best-practices-connect-apis.html); the API reference's
# service description, as every AWS SDK reproduces it, gives "for all other operations, a RateLimit
# of 2 per second, and a BurstLimit of 5 per second" (the admin guide's per-API table:
# adminguide/amazon-connect-service-limits.html, "API throttling quotas"). So prompts are created
# in batches of at most the burst, each batch waiting for the whole batch before it (DependsOn).
# The docs do not say how long a CreatePrompt takes, so whether a batch stays under 2 per second
# is a live assumption (listed for helpline verify-live).
PROMPT_BATCH = 5

# CreateInstance / AWS::Connect::Instance: InstanceAlias is at most 45 characters.
ALIAS_MAX = 45
UUID_HEAD = 8  # hex characters of the stack id's UUID in the default alias


def default_alias_prefix(cfg: CountryConfig) -> str:
    return f"helpline-{cfg.code}-{cfg.stage}-"


def default_alias(cfg: CountryConfig) -> str:
    """``helpline-<cc>-<stage>-<first 8 hex of the stack's UUID>``, resolved by CloudFormation.

    Aliases are unique across every Connect instance in every Region, so a fixed name would
    collide; the stack id is unique per stack and never changes across updates. AWS::StackId
    is ``arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>``.
    """
    prefix = default_alias_prefix(cfg)
    if len(prefix) + UUID_HEAD > ALIAS_MAX:  # cannot happen with the schema's code/stage limits
        raise ValueError(f"default alias {prefix}<8 hex> is longer than {ALIAS_MAX} characters")
    uuid = Fn.select(2, Fn.split("/", Aws.STACK_ID))
    return Fn.join("", [prefix, Fn.select(0, Fn.split("-", uuid))])


def instance_id_of(arn: str) -> str:
    """The instance id is the last segment of arn:...:connect:<region>:<account>:instance/<id>."""
    return arn.rsplit("/", 1)[1]


class Telephony(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, config: CountryConfig, key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        cfg = config
        self.config = cfg
        self._buckets(key)
        self._instance(key)
        self._numbers()

        # --- Hours of operation: "main" with the holiday closures (the queues' hours), and "weekly",
        # the same week without them, which the flow checks only when main says closed: open by the
        # week means a closure day (closed_holiday), closed means a normal closed hour (closed).
        # One resource per name of helpline.flows.render.HOURS_RESOURCES (a template's {{hours:<name>}}).
        self.hours_of_operation: dict[str, connect.CfnHoursOfOperation] = {
            name: self._hours(cfg, name, closures) for name, closures in HOURS_RESOURCES.items()
        }
        self.hours = self.hours_of_operation["main"]

        self.quick_connects = self._quick_connects(cfg)
        self.queues = self._queues(cfg)
        self.routing_profiles = self._routing_profiles(cfg)
        self.security_profiles = self._security_profiles(cfg)

        self.prompts: dict[str, connect.CfnPrompt] = {}
        self._prefix = f"helpline-{cfg.code}-{cfg.stage}"

    def _buckets(self, key: kms.IKey) -> None:
        """Recordings and transcripts: KMS-encrypted, private, TLS only, expiring; and their access logs."""
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            encryption=s3.BucketEncryption.S3_MANAGED,  # S3 server access logging cannot target SSE-KMS
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=Duration.days(365))],
            removal_policy=STATEFUL,
        )
        self.access_logs.node.default_child.override_logical_id("AccessLogsBucket")
        acknowledge(self.access_logs, "AwsSolutions-S1", "This is the server access log bucket itself.")
        self.recordings = logged_bucket(
            self,
            "Recordings",
            access_logs=self.access_logs,
            prefix="recordings/",
            encryption=s3.BucketEncryption.KMS,
            encryption_key=key,
            bucket_key_enabled=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    expiration=Duration.days(self.config.retention_days.recordings),
                    noncurrent_version_expiration=Duration.days(1),
                )
            ],
        )
        self.recordings.node.default_child.override_logical_id("RecordingsBucket")

    def _instance(self, key: kms.IKey) -> None:
        """The instance: created here (with its storage), or an existing one (instance.arn)."""
        cfg = self.config
        self.instance: connect.CfnInstance | None = None
        if cfg.instance.arn:
            self.instance_arn: str = cfg.instance.arn
            self.instance_id: str = instance_id_of(cfg.instance.arn)
            self.instance_alias: str | None = None
            return
        self.instance_alias = cfg.instance.alias or default_alias(cfg)
        self.instance = connect.CfnInstance(
            self,
            "Instance",
            identity_management_type="CONNECT_MANAGED",
            instance_alias=self.instance_alias,
            attributes=connect.CfnInstance.AttributesProperty(
                inbound_calls=cfg.instance.inbound_calls,
                outbound_calls=cfg.instance.outbound_calls,
                contact_lens=cfg.instance.contact_lens,
                contactflow_logs=True,
                auto_resolve_best_voices=True,
                early_media=True,
            ),
        )
        self.instance.apply_removal_policy(STATEFUL)
        self.instance.override_logical_id("ConnectInstance")
        self.instance_arn = self.instance.attr_arn
        self.instance_id = self.instance.attr_id
        self._storage(key)

    def _storage(self, key: kms.IKey) -> None:
        """Call recordings and chat transcripts into the recordings bucket, for the instance created
        here (an existing instance keeps its own storage configuration: it is not ours to change)."""
        for resource_type, folder in (("CALL_RECORDINGS", "recordings"), ("CHAT_TRANSCRIPTS", "transcripts")):
            connect.CfnInstanceStorageConfig(
                self,
                f"Storage{folder.title()}",
                instance_arn=self.instance_arn,
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

    def _numbers(self) -> None:
        """The helpline's number, claimed here or an existing one (phone_number.arn), and the number it
        calls out from (phone_number.outbound), default the inbound one: the queues' outbound caller ID
        and the outbound survey's source number. UIFN numbers cannot call out, toll-free ones not
        internationally (outbound-calling-restrictions.html)."""
        cfg = self.config
        self.phone_number, self.phone_number_arn = self._number("PhoneNumber", cfg.phone_number, "refugee helpline")
        if cfg.phone_number.arn and self.instance is not None:
            # AssociatePhoneNumberContactFlow only works for a number claimed to the instance.
            Annotations.of(self).add_warning_v2(
                "helpline:byo-number-new-instance",
                "phone_number.arn is set but the stack creates a new instance: the number must be "
                "claimed to that instance before the entry flow can answer it; set instance.arn to "
                "the instance the number belongs to",
            )
        self.outbound_number, self.outbound_number_arn = self.phone_number, self.phone_number_arn
        if cfg.phone_number.outbound is not None:
            self.outbound_number, self.outbound_number_arn = self._number(
                "OutboundNumber", cfg.phone_number.outbound, "refugee helpline, outbound calls"
            )
        for line in config_warnings(cfg, f"countries/{cfg.code}.yaml"):
            Annotations.of(self).add_warning_v2("helpline:outbound-number", line)

    def _queues(self, cfg: CountryConfig) -> dict[str, connect.CfnQueue]:
        """Per language a queue and a priority queue (people at risk, emergencies). Callbacks and agents'
        outbound calls need the queue's outbound caller ID number (the outbound number); the name is at
        most 255 characters (AWS::Connect::Queue OutboundCallerConfig)."""
        self.caller_id_name = f"{cfg.name} helpline"[:255]
        queues: dict[str, connect.CfnQueue] = {}
        for key_name, queue_name in cfg.queue_names().items():
            what = (
                f"people at risk and emergencies, speaking {key_name[9:]}"
                if key_name.startswith("priority_")
                else f"callers speaking {key_name}"
            )
            queues[key_name] = connect.CfnQueue(
                self,
                f"Queue{key_name.title()}",
                instance_arn=self.instance_arn,
                name=queue_name,
                description=f"{cfg.name}: {what}",
                hours_of_operation_arn=self.hours.attr_hours_of_operation_arn,
                outbound_caller_config=connect.CfnQueue.OutboundCallerConfigProperty(
                    outbound_caller_id_name=self.caller_id_name,
                    outbound_caller_id_number_arn=self.outbound_number_arn,
                ),
                # Operators transfer to partners from any queue's call (AWS::Connect::Queue QuickConnectArns).
                quick_connect_arns=[qc.attr_quick_connect_arn for qc in self.quick_connects.values()] or None,
            )
        return queues

    def _routing_profiles(self, cfg: CountryConfig) -> dict[str, connect.CfnRoutingProfile]:
        """Agents of a language take its priority queue first; "all" takes every language."""
        profiles: dict[str, connect.CfnRoutingProfile] = {}
        for lang in cfg.language_codes:
            profiles[lang] = self._routing_profile(
                f"Routing{lang.title()}",
                f"{cfg.code.upper()} agents {lang}",
                [self.queues[f"priority_{lang}"].attr_queue_arn],
                [self.queues[lang].attr_queue_arn],
            )
        profiles["all"] = self._routing_profile(
            "RoutingAll",
            f"{cfg.code.upper()} agents all languages",
            [self.queues[f"priority_{lang}"].attr_queue_arn for lang in cfg.language_codes],
            [self.queues[lang].attr_queue_arn for lang in cfg.language_codes],
        )
        return profiles

    def _security_profiles(self, cfg: CountryConfig) -> dict[str, connect.CfnSecurityProfile]:
        """Agent, supervisor, auditor (read-only)."""
        return {
            name: connect.CfnSecurityProfile(
                self,
                f"Security{name.title()}",
                instance_arn=self.instance_arn,
                security_profile_name=f"{cfg.code.upper()} {name}",
                description=desc,
                permissions=perms,
            )
            for name, desc, perms in (
                ("agent", "Answers calls in the agent workspace", AGENT_PERMISSIONS),
                (
                    "supervisor",
                    "Agent rights plus real-time and historical metrics, queue and contact search views",
                    SUPERVISOR_PERMISSIONS,
                ),
                ("auditor", "Read-only review of contacts, metrics and configuration", AUDITOR_PERMISSIONS),
            )
        }

    def _hours(self, cfg: CountryConfig, name: str, closures: bool) -> connect.CfnHoursOfOperation:
        """One hours of operation: the country's weekly hours in its time zone; with ``closures``,
        the closures as CLOSED overrides (yearly ones written out, see Hours.closure_spans)."""
        main = name == "main"
        return connect.CfnHoursOfOperation(
            self,
            "Hours" if main else f"Hours{name.title()}",  # main keeps its first logical id
            instance_arn=self.instance_arn,
            name=f"{cfg.code.upper()} opening hours" if main else f"{cfg.code.upper()} {name} hours, no closures",
            description=(
                f"{cfg.name} helpline opening hours ({cfg.hours.time_zone})"
                if main
                else f"{cfg.name} helpline weekly hours without the closures ({cfg.hours.time_zone}): "
                "tells a closure day from a normal closed hour in the flows"
            )[:250],  # AWS::Connect::HoursOfOperation Description: at most 250 characters
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
                    override_name=override,
                    override_description=f"Closed: {override}",
                    override_type="CLOSED",
                    effective_from=first.isoformat(),
                    effective_till=last.isoformat(),
                    override_config=[],
                )
                # Yearly closures are written out for the next years (see Hours.closure_spans).
                for override, first, last in (cfg.hours.closure_spans(dt.date.today()) if closures else [])
            ]
            or None,
        )

    def _quick_connects(self, cfg: CountryConfig) -> dict[str, connect.CfnQuickConnect]:
        """A phone-number quick connect per partner reached by phone (AWS::Connect::QuickConnect,
        type PHONE_NUMBER, number in E.164: aws-properties-connect-quickconnect-phonenumberquickconnectconfig.html).

        None for the emergency number: a quick connect takes an E.164 number (^\\+[1-9]\\d{1,14}$),
        and a short emergency number such as 112 is not one; operators tell callers to dial it
        (README, Deploying a country).
        """
        out = {}
        for partner in cfg.partners:
            if partner.channel.type != "phone":
                continue
            number = partner.channel.e164
            if number is None:  # the country-file rules refuse this; never deploy a broken number
                raise ValueError(f"partner {partner.id}: '{partner.channel.address}' is not an E.164 number")
            out[partner.id] = connect.CfnQuickConnect(
                self,
                "QuickConnect" + "".join(p.title() for p in partner.id.split("-")),
                instance_arn=self.instance_arn,
                # Names are unique per instance (and at most 127 characters): the id keeps them apart.
                name=f"{partner.name[: 124 - len(partner.id)]} ({partner.id})",
                description=f"Transfer to {partner.name} ({', '.join(partner.services)})"[:250],
                quick_connect_config=connect.CfnQuickConnect.QuickConnectConfigProperty(
                    quick_connect_type="PHONE_NUMBER",
                    phone_config=connect.CfnQuickConnect.PhoneNumberQuickConnectConfigProperty(phone_number=number),
                ),
            )
        return out

    @property
    def supervisor_profile_ids(self) -> list[str]:
        """Ids of the supervisor security profiles (the last segment of .../security-profile/<id>);
        block_caller compares them with DescribeUser's SecurityProfileIds."""
        arn = self.security_profiles["supervisor"].attr_security_profile_arn
        return [Fn.select(1, Fn.split("security-profile/", arn))]

    def _routing_profile(
        self, cid: str, name: str, priority_arns: list[str], queue_arns: list[str]
    ) -> connect.CfnRoutingProfile:
        """Priority queues at routing priority 1, the language queues at 2."""
        ranked = [(arn, 1) for arn in priority_arns] + [(arn, 2) for arn in queue_arns]
        return connect.CfnRoutingProfile(
            self,
            cid,
            instance_arn=self.instance_arn,
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
        """The recorded prompt ``prompt_id`` in ``lang`` (created on first use).

        ``lang == "shared"``: audio generated by the project (e.g. ``hold_music``), the same for
        every language, from :func:`helpline.prompts.shared_audio`.
        """
        key = f"{lang}/{prompt_id}"
        if key not in self.prompts:
            cid = "Prompt" + "".join(part.title() for part in f"{lang}_{prompt_id}".replace("-", "_").split("_"))
            code = self.config.code.upper()
            if lang == "shared":
                from helpline.prompts import shared_audio  # generated audio; imported only when used

                path = shared_audio(prompt_id)
                name = f"{code} shared {prompt_id}"
                description = f"Generated hold audio ({prompt_id}), the same for every language"
            else:
                path = self.config.recording_path(lang, prompt_id)
                if not path.is_file():
                    raise FileNotFoundError(
                        f"recorded prompt '{prompt_id}' in {lang} is missing: {path}; "
                        f"fix: record it (list every prompt with: helpline prompts {self.config.code})"
                    )
                name = f"{code} {lang} {prompt_id}"
                description = self.config.spoken(lang)[prompt_id]
            # The audio is uploaded by the deploy itself (a CDK asset), so the object exists
            # before CloudFormation creates the prompt (AWS::Connect::Prompt reads it at create).
            audio = s3_assets.Asset(self, cid + "Audio", path=str(path))
            prompt = connect.CfnPrompt(
                self,
                cid,
                instance_arn=self.instance_arn,
                name=name[:127],
                description=description[:250],
                s3_uri=audio.s3_object_url,
            )
            self._chain_prompt(prompt)
            self.prompts[key] = prompt
        return self.prompts[key]

    def _chain_prompt(self, prompt: connect.CfnPrompt) -> None:
        """Prompts are created PROMPT_BATCH at a time: each depends on every prompt of the batch before."""
        batch = len(self.prompts) // PROMPT_BATCH
        if batch > 0:
            for earlier in list(self.prompts.values())[(batch - 1) * PROMPT_BATCH : batch * PROMPT_BATCH]:
                prompt.add_resource_dependency(earlier)

    def _number(self, cid: str, spec: NumberSpec, purpose: str) -> tuple[connect.CfnPhoneNumber | None, str]:
        """(the claimed number or None, its ARN): claimed here, or the existing ``spec.arn``."""
        if spec.arn:
            return None, spec.arn
        number = connect.CfnPhoneNumber(
            self,
            cid,
            target_arn=self.instance_arn,
            country_code=spec.country_code,
            type=spec.type,
            prefix=spec.prefix,
            description=f"{self.config.name} {purpose}",
        )
        number.apply_removal_policy(STATEFUL)
        number.override_logical_id(cid)
        return number, number.attr_phone_number_arn

    @staticmethod
    def _id_of(number: connect.CfnPhoneNumber | None, arn: str) -> str:
        """A number's id, the last segment of arn:...:phone-number/<id>."""
        if number is None:
            return arn.rsplit("/", 1)[1]
        return Fn.select(1, Fn.split("phone-number/", arn))

    @property
    def phone_number_id(self) -> str:
        """The inbound number's id."""
        return self._id_of(self.phone_number, self.phone_number_arn)

    @property
    def outbound_number_id(self) -> str:
        """The id of the number the helpline calls out from."""
        return self._id_of(self.outbound_number, self.outbound_number_arn)
