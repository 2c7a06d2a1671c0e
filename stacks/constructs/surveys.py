"""The outbound needs survey's runner: what run_survey_campaign needs that only exists after the flows.

The function itself comes from functions/permissions.py like every other (Functions); here it gets
the outbound survey flows' ids, the number it calls from and the campaign settings
(``SURVEY_CAMPAIGN``: :meth:`CountryConfig.campaign_runner_settings`), and its
Amazon Connect grant on exactly those resources. A country without an outbound survey keeps the
function but its every-minute schedule is DISABLED (nothing to place).

StartOutboundVoiceContact (API reference): ``ContactFlowId`` is the flow's id (the GUID at the
end of its ARN), ``SourcePhoneNumber`` "the phone number associated with the Amazon Connect
instance, in E.164 format". The IAM grant names the instance, its contacts, the outbound
survey flows and the number (Service Authorization Reference, Amazon Connect).
"""

from __future__ import annotations

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from helpline.config.schema import CountryConfig
from stacks.constructs.flows import Flows, flow_id_of
from stacks.constructs.functions import Functions
from stacks.constructs.telephony import Telephony

RUNNER = "run_survey_campaign"
CONSENT = "survey_consent"


def outbound_flow_names(cfg: CountryConfig) -> dict[str, str]:
    """Language -> the name of its outbound survey flow (empty without an outbound survey)."""
    if cfg.outbound_survey is None:
        return {}
    return {lang: f"outbound_survey_{lang}" for lang in cfg.language_codes}


class SurveyCampaigns(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: CountryConfig,
        telephony: Telephony,
        functions: Functions,
        flows: Flows,
    ) -> None:
        super().__init__(scope, construct_id)
        runner = functions.functions[RUNNER]
        settings = config.campaign_runner_settings()
        for name in (RUNNER, CONSENT):
            functions.functions[name].add_environment("SURVEY_CAMPAIGN", settings)
        names = outbound_flow_names(config)
        flow_arns = {lang: flows.flows[name].attr_contact_flow_arn for lang, name in names.items()}
        flow_ids = {lang: flow_id_of(arn) for lang, arn in flow_arns.items()}
        runner.add_environment("SURVEY_FLOWS", Stack.of(self).to_json_string(flow_ids) if flow_ids else "{}")
        runner.add_environment("SURVEY_SOURCE_NUMBER", self._source_number(telephony) if names else "")
        schedule = functions.schedules[RUNNER]
        if not names:
            schedule.node.default_child.add_property_override("State", "DISABLED")  # type: ignore[union-attr]
            return
        functions.policies[RUNNER].add_statements(
            iam.PolicyStatement(
                actions=["connect:StartOutboundVoiceContact"],
                resources=[
                    telephony.instance_arn,
                    f"{telephony.instance_arn}/contact/*",
                    telephony.outbound_number_arn,
                    *flow_arns.values(),
                ],
            )
        )

    def _source_number(self, telephony: Telephony) -> str:
        """The outbound number in E.164: the claimed number's Address, or DescribePhoneNumber of its ARN."""
        if telephony.outbound_number is not None:
            return telephony.outbound_number.attr_address
        call = cr.AwsSdkCall(
            service="Connect",
            action="describePhoneNumber",
            parameters={"PhoneNumberId": telephony.outbound_number_id},
            physical_resource_id=cr.PhysicalResourceId.of(f"{telephony.config.code}-survey-source-number"),
            output_paths=["ClaimedPhoneNumberSummary.PhoneNumber"],
        )
        lookup = cr.AwsCustomResource(
            self,
            "SourceNumber",
            on_create=call,
            on_update=call,
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["connect:DescribePhoneNumber"], resources=[telephony.outbound_number_arn]
                    )
                ]
            ),
            install_latest_aws_sdk=False,
        )
        return lookup.get_response_field("ClaimedPhoneNumberSummary.PhoneNumber")
