"""One country's helpline: composes the constructs; builds nothing itself."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import CfnDeletionPolicy, CfnOutput, CfnResource, RemovalPolicy, Stack, Tags
from aws_cdk import custom_resources as cr
from constructs import Construct

from helpline.config.schema import CountryConfig
from stacks.constructs import acknowledge
from stacks.constructs.audit import Audit
from stacks.constructs.data import DataLayer
from stacks.constructs.flows import Flows
from stacks.constructs.functions import FunctionAccess, Functions, parse_triggers
from stacks.constructs.livetests import LiveTestHandoff
from stacks.constructs.monitoring import Monitoring
from stacks.constructs.surveys import SurveyCampaigns
from stacks.constructs.tables import all_table_specs
from stacks.constructs.telephony import Telephony

DESCRIPTIONS = {
    "identify_caller": "Returning-caller lookup for the IVR (pseudonymous)",
    "create_case": "Creates a case and its first interaction record, idempotent on the contact",
    "route_referral": "Refers a case to partners by specific needs, with consent",
    "record_contact_event": "Appends Amazon Connect contact events to the interaction records",
    "record_survey_answer": "Stores one keypad survey answer",
}
# Entries written before functions/permissions.py had a "trigger" key.
DEFAULT_TRIGGERS = {"record_contact_event": "eventbridge"}


def function_access() -> list[FunctionAccess]:
    """Per-function access, declared next to the handlers in functions/permissions.py."""
    from functions.permissions import PERMISSIONS

    return [
        FunctionAccess(
            name=name,
            tables={table: tuple(actions) for table, actions in spec["tables"].items()},
            pseudonym_key=bool(spec.get("pseudonym_key")),
            events=bool(spec.get("event_bus")),
            triggers=parse_triggers(spec.get("trigger", DEFAULT_TRIGGERS.get(name, "flow"))),
            description=spec.get("description") or DESCRIPTIONS.get(name, name),
            connect=tuple(spec.get("connect", ())),
            archive_bucket=bool(spec.get("archive_bucket")),
            signing_key=bool(spec.get("signing_key")),
        )
        for name, spec in PERMISSIONS.items()
    ]


def directory_items(config: CountryConfig) -> dict[str, dict[str, list[dict]]]:
    """Partner id -> the items functions/dal/partners.py makes of it, per table LOGICAL_NAME."""
    from functions.dal import partners as directory

    everyone = [p.model_dump() for p in config.partners]
    directory.partners_to_items(everyone)  # rejects duplicate ids
    seed = getattr(directory, "seed_items", None)
    return {
        p["id"]: seed([p]) if seed is not None else {"Partners": directory.partners_to_items([p])} for p in everyone
    }


class HelplineStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: CountryConfig,
        lambda_code_dir: Path,
        lambda_layer_dir: Path,
        **kwargs,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Refugee helpline for {config.name} ({config.stage}) - helpline-blueprint",
            **kwargs,
        )
        self.config = config
        self._build(config, lambda_code_dir, lambda_layer_dir)
        self._acknowledge_provider()
        self._retain_except_on_create()
        for key, value in {**config.tags, "country": config.code, "stage": config.stage}.items():
            Tags.of(self).add(key, value)
        self._outputs()

    def _build(self, config: CountryConfig, lambda_code_dir: Path, lambda_layer_dir: Path) -> None:
        """The constructs, each handed what it uses of the ones before it."""
        prefix = f"helpline-{config.code}-{config.stage}"
        self.data = DataLayer(
            self,
            "Data",
            table_specs=all_table_specs(),
            partner_items=directory_items(config),
            name_prefix=prefix,
            deletion_protection=config.tables.deletion_protection,
        )
        self.telephony = Telephony(self, "Telephony", config=config, key=self.data.key)
        self.audit = Audit(self, "Audit", config=config, data=self.data, telephony=self.telephony)
        self.functions = Functions(
            self,
            "Functions",
            config=config,
            data=self.data,
            access=function_access(),
            code_dir=lambda_code_dir,
            layer_dir=lambda_layer_dir,
            instance_arn=self.telephony.instance_arn,
            instance_id=self.telephony.instance_id,
            supervisor_profile_ids=self.telephony.supervisor_profile_ids,
            audit=self.audit,
        )
        self.flows = Flows(self, "Flows", config=config, telephony=self.telephony, functions=self.functions)
        self.surveys = SurveyCampaigns(
            self, "Surveys", config=config, telephony=self.telephony, functions=self.functions, flows=self.flows
        )
        # The test cases themselves deploy in <stack>-tests (stacks/live_tests_stack.py): what they name, handed over.
        self.live_test_handoff = LiveTestHandoff(self, "LiveTests", config=config, flows=self.flows)
        self.monitoring = Monitoring(
            self,
            "Monitoring",
            functions=self.functions,
            key=self.data.key,
            name_prefix=prefix,
            config=config,
            instance_arn=self.telephony.instance_arn,
            flow_names=list(self.flows.flows),
        )

    def _acknowledge_provider(self) -> None:
        """AwsCustomResource (partner seeding, number association) runs on one shared function."""
        provider = self.node.try_find_child("AWS" + cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace("-", ""))
        if provider is not None:
            acknowledge(
                provider,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
                "The CDK-provided custom-resource function only writes its own logs with this managed policy; "
                "its API permissions are scoped per call (partners table, this number and flow).",
            )

    def _retain_except_on_create(self) -> None:
        """Nothing keeps a plain "Retain" (also CDK's own, e.g. the custom-resource function's log
        group): Retain keeps a resource even when the create that made it rolls back, which
        blocks the retry; RetainExceptOnCreate removes it then and retains it afterwards."""
        for construct in self.node.find_all():
            if isinstance(construct, CfnResource) and construct.cfn_options.deletion_policy == CfnDeletionPolicy.RETAIN:
                construct.apply_removal_policy(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE)

    def _outputs(self) -> None:
        tel = self.telephony
        CfnOutput(self, "InstanceId", value=tel.instance_id, description="Amazon Connect instance id")
        if tel.instance is not None:
            CfnOutput(self, "InstanceAlias", value=tel.instance_alias, description="Amazon Connect instance alias")
        else:
            CfnOutput(
                self,
                "InstanceStorage",
                value="unchanged",
                description="Existing instance (instance.arn): its data storage (call recordings, chat "
                "transcripts) is left as it is; attach RecordingsBucket yourself if you want it used",
            )
        if tel.phone_number is not None:
            CfnOutput(self, "PhoneNumber", value=tel.phone_number.attr_address, description="The claimed number")
        CfnOutput(self, "PhoneNumberArn", value=tel.phone_number_arn, description="Number answered by the entry flow")
        CfnOutput(
            self,
            "OutboundPhoneNumberArn",
            value=tel.outbound_number_arn,
            description="Caller ID of callbacks, operators' calls and the outbound survey (phone_number.outbound or the number above)",
        )
        CfnOutput(self, "RecordingsBucket", value=tel.recordings.bucket_name)
        CfnOutput(self, "AlarmTopic", value=self.monitoring.topic.topic_arn)
        CfnOutput(self, "ArchiveBucket", value=self.audit.archive.bucket_name, description="Object Lock archive")
        CfnOutput(self, "SigningKeyArn", value=self.audit.signing_key.key_arn, description="Checkpoint signing key")
        CfnOutput(self, "AuditorRoleArn", value=self.audit.auditor_role.role_arn, description="Read-only auditors")
        CfnOutput(self, "AccessTrailBucket", value=self.audit.trail_bucket.bucket_name, description="Who read what")
