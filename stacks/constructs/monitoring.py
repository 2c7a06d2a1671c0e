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
        action = cw_actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []
        for name, fn in functions.functions.items():
            for metric, what in (
                (fn.metric_errors(period=Duration.minutes(5)), "errors"),
                (fn.metric_throttles(period=Duration.minutes(5)), "throttles"),
            ):
                alarm = cloudwatch.Alarm(
                    self,
                    f"{name}-{what}",
                    alarm_description=f"{name}: {what} in the last 5 minutes (callers may have reached the fallback)",
                    metric=metric,
                    threshold=1,
                    evaluation_periods=1,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
                alarm.add_alarm_action(action)
                self.alarms.append(alarm)
        dlq = cloudwatch.Alarm(
            self,
            "contact-events-dlq",
            alarm_description="Contact events that could not be recorded are waiting in the dead-letter queue",
            metric=functions.dead_letters.metric_approximate_number_of_messages_visible(period=Duration.minutes(5)),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        dlq.add_alarm_action(action)
        self.alarms.append(dlq)
