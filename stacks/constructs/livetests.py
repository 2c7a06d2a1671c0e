"""Live test cases in a nested stack: the offline scenarios as AWS::Connect::TestCase resources.

They live in their own (nested) template because CloudFormation accepts at most 1 MB per
template (cloudformation-limits.html, "Template body size in an Amazon S3 object") and a
country's test cases alone can weigh half of that (Romania: 92 test cases, about 460 KB).
The nested stack receives the instance, flow, queue, Lambda and prompt ARNs it names as
parameters (about two dozen; the limit is 200 parameters per template).
``helpline smoke-test`` starts them after a deploy (docs/live-tests.md).
"""

from __future__ import annotations

from aws_cdk import CfnResource, NestedStack
from constructs import Construct

from helpline.config.schema import CountryConfig


class LiveTests(NestedStack):
    def __init__(self, scope: Construct, construct_id: str, *, config: CountryConfig, flows: object) -> None:
        super().__init__(scope, construct_id, description=f"Live test cases of the {config.name} helpline")
        from helpline.livetest import test_case_resources
        from helpline.livetest.export import logical_id

        self.test_cases = [
            CfnResource(self, logical_id(props), type="AWS::Connect::TestCase", properties=props)
            for props in test_case_resources(config, flows)
        ]
