"""The country stack's side of the live tests: every ARN its test cases name, as SSM parameters.

The ``AWS::Connect::TestCase`` resources deploy in their own top-level stack,
``<country stack>-tests`` (:mod:`stacks.live_tests_stack`), after the country stack. A nested
stack would not do: "any failure in a child stack will cause the parent stack creation to
fail" (CloudFormation API reference, API_CreateChangeSet.html, OnStackFailure), so one test case
that Connect rejects would roll back the country stack's first create, Connect instance
included, and Connect caps instance creations and deletions per 30 days
(amazon-connect-service-limits.html).

How the test stack reads the country stack: one ``AWS::SSM::Parameter`` per reference, named
:func:`parameter_name`, written here and read by the test stack as a CloudFormation parameter of
type ``AWS::SSM::Parameter::Value<String>`` (CloudFormation resolves it when the test stack is
created or updated: cloudformation-supplied-parameter-types.html). Not CDK's automatic
cross-stack references (``Export`` + ``Fn::ImportValue``): "You can't modify or remove an output
value that is referenced by another stack" (using-cfn-stack-exports.html), so a country update
that replaces or drops a referenced queue, prompt, flow or Lambda (a language removed, a Lambda
renamed) would fail while the test stack imports it, and the way out is to change the test stack
first: the test stage would block the country stage. With parameters the country stack depends
on nothing of its test stack; the test stack picks the new values up on its next deploy, which
``make deploy`` runs right after the country stack.

Pages under https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/ (the API reference:
.../AWSCloudFormation/latest/APIReference/) and https://docs.aws.amazon.com/connect/latest/adminguide/.
"""

from __future__ import annotations

import re

from aws_cdk import aws_ssm as ssm
from constructs import Construct

from helpline.config.schema import CountryConfig

# Handed over besides the references the test cases' content names.
INSTANCE = ("instance", "arn")
ENTRY_FLOW = ("entry-flow", "arn")


def parameter_name(stack_name: str, kind: str, name: str) -> str:
    """``/helpline/<country stack>/livetest/<kind>/<name>`` (SSM allows a-zA-Z0-9_.- and / only)."""
    safe = re.sub(r"[^A-Za-z0-9_./-]+", "-", name).strip("/")
    return f"/helpline/{stack_name}/livetest/{kind}/{safe}"


class LiveTestHandoff(Construct):
    """One SSM parameter per instance, entry flow and reference the country's test cases name.

    The instance and the entry flow are handed over at once; the references the test cases name
    come with the test cases (:meth:`hand_over`, called by the test stack with what app.py computed
    once per country): the country stack runs no scenario.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: CountryConfig, flows: object) -> None:
        super().__init__(scope, construct_id)
        self.stack_name = config.stack_name
        self.flows = flows
        self.references: list[tuple[str, str]] = []
        self.parameters: dict[tuple[str, str], ssm.StringParameter] = {}
        self._values = {
            INSTANCE: flows.telephony.instance_arn,
            ENTRY_FLOW: flows.entry_flow.attr_contact_flow_arn,
        }
        self.hand_over([INSTANCE, ENTRY_FLOW])

    def hand_over(self, references: list[tuple[str, str]]) -> None:
        """Write one parameter per (kind, name) not handed over yet, in the order given."""
        for kind, name in references:
            if (kind, name) in self.parameters:
                continue
            self.references.append((kind, name))
            ident = re.sub(r"[^A-Za-z0-9]+", "-", f"{kind}-{name}")
            self.parameters[(kind, name)] = ssm.StringParameter(
                self,
                ident,
                parameter_name=self.name_of(kind, name),
                string_value=self._values.get((kind, name)) or self.flows.resolve(kind, name),
                description=f"{self.stack_name}: {kind} {name}, read by {self.stack_name}-tests",
            )

    def name_of(self, kind: str, name: str) -> str:
        """The parameter holding one reference; a reference not handed over fails synthesis."""
        if (kind, name) not in self.references:
            raise KeyError(f"{self.stack_name} hands no {kind} {name!r} to its test stack")
        return parameter_name(self.stack_name, kind, name)
