"""Alarms an operations team needs: failing or throttled functions, lost contact events."""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.constructs import grant_key_to_service
from stacks.constructs.functions import Functions


class Monitoring(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, functions: Functions, key: kms.IKey, name_prefix: str
    ) -> None:
        super().__init__(scope, construct_id)
        self.name_prefix = name_prefix
        self.topic = sns.Topic(self, "Alarms", display_name="Helpline alarms", master_key=key, enforce_ssl=True)
        self._action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []
        self.alarm_names: list[str] = []
        for name, fn in functions.functions.items():
            self._alarm(
                f"{name}-errors",
                f"{name}: errors in the last 5 minutes (callers may have reached the fallback)",
                fn.metric_errors(period=Duration.minutes(5)),
            )
            self._alarm(
                f"{name}-throttles",
                f"{name}: throttles in the last 5 minutes (callers may have reached the fallback)",
                fn.metric_throttles(period=Duration.minutes(5)),
            )
        self._alarm(
            "contact-events-dlq",
            "Contact events that could not be recorded are waiting in the dead-letter queue",
            functions.dead_letters.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
        )
        for name, queue in functions.failure_queues.items():
            self._alarm(
                f"{name}-stream-failures",
                f"{name}: stream records that failed every retry wait in its on-failure queue",
                queue.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
            )
        self._let_cloudwatch_use_the_key(key)

    def _alarm(self, construct_id: str, description: str, metric: cloudwatch.IMetric) -> None:
        """Alarm on one or more occurrences in a 5-minute period, notifying the alarm topic."""
        # Named, so the key policy can list the alarms' ARNs without referencing the alarms
        # (alarm -> topic -> key -> alarm would be a cycle).
        alarm_name = f"{self.name_prefix}-{construct_id}"
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_name=alarm_name,
            alarm_description=description,
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        self.alarms.append(alarm)
        self.alarm_names.append(alarm_name)

    @property
    def alarm_arns(self) -> list[str]:
        stack = Stack.of(self)
        return [
            stack.format_arn(
                service="cloudwatch",
                resource="alarm",
                resource_name=name,
                arn_format=ArnFormat.COLON_RESOURCE_NAME,
            )
            for name in self.alarm_names
        ]

    def _let_cloudwatch_use_the_key(self, key: kms.IKey) -> None:
        """CloudWatch publishes alarm notifications to the KMS-encrypted topic.

        Without kms:GenerateDataKey* and kms:Decrypt on the key for cloudwatch.amazonaws.com the
        notifications are dropped silently (SNS developer guide, sns-key-management.html,
        "Enable compatibility between event sources from AWS services and encrypted topics").
        The conditions limit the grant to this stack's alarms in this account.
        """
        stack = Stack.of(self)
        grant_key_to_service(
            key,
            sid="CloudWatchAlarmsToEncryptedTopic",
            service="cloudwatch.amazonaws.com",
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            account=stack.account,
            source_arns=self.alarm_arns,
        )
