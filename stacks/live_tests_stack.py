"""One country's live test cases (``AWS::Connect::TestCase``), a top-level stack of their own.

Named ``<country stack>-tests`` (:func:`helpline.livetest.export.test_stack_name`) and deployed
after the country stack, which it depends on (one way only: the country stack's template names
nothing of it). It reads every ARN it names from the SSM parameters the country stack writes
(:mod:`stacks.constructs.livetests`, where the choice over CDK exports is explained). A test
case that fails to create rolls back this stack only: the instance, the number and the tables
are in the country stack and stay as they are; fix the cause and deploy this stack again.

The test cases come in ready (``cases``: :class:`LiveTestCases`, the country's
``helpline.livetest.export.LivePlan``): app.py runs the scenario catalogue once per country and
synthesis; no stack runs a scenario or imports the live-test tooling.

Throttle-safe creation: CloudFormation creates resources without a dependency between them in
parallel, and every test case is a CreateTestCase call. The Connect API allows 2 requests a second
with a burst of 5 per account and Region by default ("API throttling quotas",
https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html). So the
test cases are created in batches of :data:`BATCH_SIZE`, each test case of a batch ``DependsOn``
every test case of the batch before (deletes run in the reverse order, batch by batch too).

Template size: CloudFormation accepts at most 1 MB for a template uploaded to S3
(cloudformation-limits.html, "Template body size in an Amazon S3 object"; CDK uploads every
template as an asset). Romania's 92 test cases weigh about 0.5 MB;
``tests/infrastructure/test_live_test_stack.py`` asserts every test stack stays under the limit,
and ``app.py`` refuses to write an assembly where one does not.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any, Protocol

from aws_cdk import CfnResource, Stack, Tags
from aws_cdk import aws_ssm as ssm
from constructs import Construct

from helpline.config.schema import CountryConfig
from stacks.constructs.livetests import ENTRY_FLOW, INSTANCE

# At most this many CreateTestCase calls at once: the Connect API's default burst (above).
BATCH_SIZE = 5


def batches(items: list, size: int = BATCH_SIZE) -> list[list]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def logical_id(props: dict[str, Any]) -> str:
    """A stable CloudFormation logical id for one test case (from its name)."""
    name = props["Name"]
    slug = "".join(p.title() for p in re.split(r"[^A-Za-z0-9]+", name) if p)
    return ("TestCase" + slug)[:200] + hashlib.sha256(name.encode()).hexdigest()[:6].upper()


class LiveTestCases(Protocol):
    """What this stack asks of a country's live test cases (``helpline.livetest.export.LivePlan``)."""

    def references(self) -> list[tuple[str, str]]:
        """Every (kind, name) the test cases name: handed over by the country stack."""
        ...

    def test_case_resources(
        self,
        rendered: dict[str, Any],
        *,
        resolve: Callable[[str, str], str],
        instance_arn: str,
        entry_flow_arn: str,
    ) -> list[dict[str, Any]]:
        """The properties of each ``AWS::Connect::TestCase``, every reference through ``resolve``."""
        ...


class LiveTestsStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: CountryConfig,
        country: Stack,
        cases: LiveTestCases,
        **kwargs,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            description=f"Live test cases of the {config.name} helpline ({config.stage}), "
            f"deployed after {config.stack_name} - helpline-blueprint",
            **kwargs,
        )
        self.add_stack_dependency(
            country, "the test cases name the country stack's instance, flows, queues, Lambdas, prompts"
        )
        handoff = country.live_test_handoff
        handoff.hand_over(cases.references())  # SSM parameters in the country stack

        def read(kind: str, name: str) -> str:
            return ssm.StringParameter.value_for_string_parameter(self, handoff.name_of(kind, name))

        props = cases.test_case_resources(
            country.flows.rendered,
            resolve=read,
            instance_arn=read(*INSTANCE),
            entry_flow_arn=read(*ENTRY_FLOW),
        )
        self.test_cases = [CfnResource(self, logical_id(p), type="AWS::Connect::TestCase", properties=p) for p in props]
        self.batches = batches(self.test_cases)
        for previous, batch in zip(self.batches, self.batches[1:], strict=False):
            for case in batch:
                for before in previous:
                    case.add_resource_dependency(before)
        for key, value in {**config.tags, "country": config.code, "stage": config.stage}.items():
            Tags.of(self).add(key, value)
