"""Contact flows rendered from ``contact_flows/`` and deployed; the number answers the entry flow.

The JSON comes from the same renderer the offline simulator uses; only the resolver differs:
here every reference becomes a CloudFormation token (an ARN attribute of a resource), except an
AWS-managed view, whose ARN is fixed (account ``aws``, see :mod:`helpline.flows.views`).

The operators' step-by-step guide (``agent_guide``) is one more flow of type CONTACT_FLOW (ShowView
"can be used in inbound flows and customer queue flows", APIReference/participant-actions-
showview.html); the per-language flows name it in their DefaultAgentUI event hook. Its screens
are AWS-managed views, so no ``AWS::Connect::View`` is created.
"""

from __future__ import annotations

from aws_cdk import CfnResource, Fn
from aws_cdk import aws_connect as connect
from aws_cdk import aws_iam as iam
from aws_cdk import custom_resources as cr
from constructs import Construct

from helpline.config.schema import CountryConfig
from helpline.flows import render
from helpline.flows.views import managed_view_arn
from stacks.constructs.functions import Functions
from stacks.constructs.telephony import Telephony

MAX_CONTENT_CHARS = 256_000


class Flows(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: CountryConfig,
        telephony: Telephony,
        functions: Functions,
    ) -> None:
        super().__init__(scope, construct_id)
        self.config = config
        self.telephony = telephony
        self.functions = functions
        self.flows: dict[str, connect.CfnContactFlow] = {}

        # Learn the flow set, create one resource per flow, then render with real references
        # (flows may reference each other, so every resource must exist before rendering).
        skeleton = render.render_country(config, lambda kind, name: f"{kind}:{name}")
        for name, flow in skeleton.items():
            self.flows[name] = connect.CfnContactFlow(
                self,
                "Flow" + "".join(p.title() for p in name.split("_")),
                instance_arn=telephony.instance_arn,
                name=f"{config.code.upper()} {name}",
                type=flow.type,
                description=flow.description[:500],
                state="ACTIVE",
                content="{}",
            )
        self.rendered = render.render_country(config, self.resolve)
        for name, flow in self.rendered.items():
            content = flow.json()
            if len(content) > MAX_CONTENT_CHARS:
                raise ValueError(f"flow {name} is {len(content)} characters; Connect allows {MAX_CONTENT_CHARS}")
            self.flows[name].content = content
            for target in self.dependencies(flow.references):
                self.flows[name].add_resource_dependency(target)

        entry = getattr(render, "ENTRY_FLOW", "inbound")
        self.entry_flow = self.flows[entry]
        self._associate_number(self.entry_flow)

    def resolve(self, kind: str, name: str) -> str:
        """Reference -> CloudFormation token. Unknown references fail synthesis loudly."""
        if kind == "queue":
            return self.telephony.queues[name].attr_queue_arn
        if kind == "lambda":
            return self.functions.functions[name].function_arn
        if kind == "hours":
            if name not in self.telephony.hours_of_operation:
                raise KeyError(f"unknown hours '{name}'")
            return self.telephony.hours_of_operation[name].attr_hours_of_operation_arn
        if kind == "flow":
            return self.flows[name].attr_contact_flow_arn
        if kind == "prompt":
            lang, prompt_id = name.split("/", 1)
            return self.telephony.prompt(lang, prompt_id).attr_prompt_arn
        if kind == "view":
            return managed_view_arn(self.config.region, name)
        raise KeyError(f"unknown reference kind '{kind}' ({name})")

    def dependencies(self, references: list[tuple[str, str]]) -> list[CfnResource]:
        """What a flow must be created after: everything it references, in the template's order.

        Connect validates a flow's content when it is created: every queue, prompt, hours, flow
        and Lambda function it names must exist, and a Lambda function must be associated with
        the instance. The ARNs give CloudFormation the order for the referenced resources, but
        the Lambda integration association is never referenced, so without an explicit
        DependsOn the flow can be created before it and fail.
        """
        out: list[CfnResource] = []
        for kind, name in dict.fromkeys(references):
            if kind == "lambda":
                target = self.functions.integrations.get(name)
                if target is None:  # a function Connect may not invoke: fail at synthesis
                    raise KeyError(f"flow invokes lambda '{name}', which has no integration association")
            elif kind == "queue":
                target = self.telephony.queues[name]
            elif kind == "hours":
                target = self.telephony.hours_of_operation[name]
            elif kind == "flow":
                target = self.flows[name]
            elif kind == "prompt":
                target = self.telephony.prompt(*name.split("/", 1))
            elif kind == "view":
                continue  # AWS-managed: exists in every instance
            else:
                raise KeyError(f"unknown reference kind '{kind}' ({name})")
            if target not in out:
                out.append(target)
        return out

    def _associate_number(self, flow: connect.CfnContactFlow) -> None:
        """CloudFormation has no property for this; call AssociatePhoneNumberContactFlow.

        Works for a claimed number and for an existing one (``phone_number.arn``); the number
        must belong to the instance the flows are created in.
        """
        tel = self.telephony
        flow_id = flow.attr_contact_flow_arn
        params = {
            "PhoneNumberId": tel.phone_number_id,
            "InstanceId": tel.instance_id,
            "ContactFlowId": flow_id_of(flow_id),
        }
        association = cr.AwsCustomResource(
            self,
            "NumberToEntryFlow",
            on_create=cr.AwsSdkCall(
                service="Connect",
                action="associatePhoneNumberContactFlow",
                parameters=params,
                physical_resource_id=cr.PhysicalResourceId.of(f"{self.config.code}-number-entry-flow"),
            ),
            on_update=cr.AwsSdkCall(
                service="Connect",
                action="associatePhoneNumberContactFlow",
                parameters=params,
                physical_resource_id=cr.PhysicalResourceId.of(f"{self.config.code}-number-entry-flow"),
            ),
            on_delete=cr.AwsSdkCall(
                service="Connect",
                action="disassociatePhoneNumberContactFlow",
                parameters={"PhoneNumberId": tel.phone_number_id, "InstanceId": tel.instance_id},
            ),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=[
                            "connect:AssociatePhoneNumberContactFlow",
                            "connect:DisassociatePhoneNumberContactFlow",
                        ],
                        # The number (claimed here or given as phone_number.arn) and the flow.
                        resources=[tel.phone_number_arn, flow.attr_contact_flow_arn],
                    )
                ]
            ),
            install_latest_aws_sdk=False,
        )
        self.number_association = association


def flow_id_of(arn: str) -> str:
    """A contact flow's id: the GUID after "contact-flow/" in its ARN (what the Connect APIs call ContactFlowId)."""
    return Fn.select(1, Fn.split("contact-flow/", arn))
