"""Alarms an operations team needs: failing or throttled functions, lost contact events."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from stacks.constructs.functions import Functions


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, functions: Functions, key: kms.IKey) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", display_name="Helpline alarms", master_key=key, enforce_ssl=True)
        self._action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []
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

    def _alarm(self, construct_id: str, description: str, metric: cloudwatch.IMetric) -> None:
        """Alarm on one or more occurrences in a 5-minute period, notifying the alarm topic."""
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            alarm_description=description,
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(self._action)
        self.alarms.append(alarm)
