"""Alarms an operations team needs: failing or throttled functions, lost contact events; and one
CloudWatch dashboard per country: what happens without reading logs.

Amazon Connect sends instance metrics to CloudWatch every minute in the ``AWS/Connect``
namespace (adminguide/monitoring-cloudwatch.html, "Amazon Connect metrics sent to CloudWatch"):
``CallsPerInterval``, ``ConcurrentCalls``, ``ConcurrentCallsPercentage``, ``MissedCalls``,
``ThrottledCalls``, ``CallsBreachingConcurrencyQuota`` (dimensions InstanceId, MetricGroup
VoiceCalls), ``ContactFlowErrors``/``ContactFlowFatalErrors`` (MetricGroup ContactFlow,
ContactFlowName) and ``QueueSize``, ``LongestQueueWaitTime``, ``QueueCapacityExceededError``
(MetricGroup Queue, QueueName). Connect has no CloudWatch metric for abandoned calls: the
contact-event handler counts them (``CallAbandonedInQueue``: disconnected after queueing, never
connected to an agent). The handlers' own metrics are Powertools EMF in the ``Helpline``
namespace with dimensions function and service (functions/observability.py):
``Status_<status>`` per handler (``create_case`` ok = cases, ``route_referral`` ok =
referrals), ``SurveyAnswered``/``SurveyNotAnswered`` (record_survey_answer).
"""

from __future__ import annotations

from aws_cdk import ArnFormat, Duration, Fn, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from constructs import Construct

from helpline.config.schema import CountryConfig
from stacks.constructs import grant_key_to_service
from stacks.constructs.functions import Functions

CONNECT_NAMESPACE = "AWS/Connect"
HELPLINE_NAMESPACE = "Helpline"  # functions/observability.py NAMESPACE
SERVICE = "helpline"  # functions/observability.py SERVICE
# The metric names the dashboard reads, per namespace (asserted against the sources in tests).
CONNECT_METRICS = {
    "VoiceCalls": ("CallsPerInterval", "ConcurrentCallsPercentage", "MissedCalls", "ThrottledCalls",
                   "CallsBreachingConcurrencyQuota"),
    "Queue": ("QueueSize", "LongestQueueWaitTime", "QueueCapacityExceededError"),
    "ContactFlow": ("ContactFlowErrors", "ContactFlowFatalErrors"),
}  # fmt: skip
PERIOD = Duration.minutes(5)


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        functions: Functions,
        key: kms.IKey,
        name_prefix: str,
        config: CountryConfig | None = None,
        instance_arn: str | None = None,
        flow_names: list[str] | None = None,
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
        if config is not None and instance_arn is not None:
            self._dashboard(config, functions, instance_arn, flow_names or [])
        self._let_cloudwatch_use_the_key(key)
        # Custody: key policy, archive writer and archive bucket policy changes (stacks/constructs/audit.py).
        writer = functions.functions.get("archive_records")
        functions.audit.custody_alarms(self.topic, key, writer.function_name if writer else None)

    # ---- the dashboard -----------------------------------------------------------------------
    def _connect(self, name: str, group: str, instance_id: str, statistic: str, **dims: str) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=CONNECT_NAMESPACE,
            metric_name=name,
            dimensions_map={"InstanceId": instance_id, "MetricGroup": group, **dims},
            statistic=statistic,
            period=PERIOD,
        )

    @staticmethod
    def _helpline(name: str, function: str, label: str | None = None) -> cloudwatch.Metric:
        return cloudwatch.Metric(
            namespace=HELPLINE_NAMESPACE,
            metric_name=name,
            dimensions_map={"function": function, "service": SERVICE},
            statistic="Sum",
            period=PERIOD,
            label=label or name,
        )

    def _dashboard(self, cfg: CountryConfig, functions: Functions, instance_arn: str, flow_names: list[str]) -> None:
        """One dashboard per country: calls, abandoned calls, queue wait, Lambda errors and
        duration per function, cases and referrals, survey completion."""
        instance_id = Fn.select(1, Fn.split("/", instance_arn))
        queues = list(cfg.queue_names().values())
        calls = [self._connect(m, "VoiceCalls", instance_id, "Sum") for m in ("CallsPerInterval", "MissedCalls",
                                                                            "ThrottledCalls", "CallsBreachingConcurrencyQuota")]  # fmt: skip
        abandoned = self._helpline("CallAbandonedInQueue", "record_contact_event", "abandoned in a queue")
        wait = [self._connect("LongestQueueWaitTime", "Queue", instance_id, "Maximum", QueueName=q) for q in queues]
        size = [self._connect("QueueSize", "Queue", instance_id, "Maximum", QueueName=q) for q in queues]
        full = [self._connect("QueueCapacityExceededError", "Queue", instance_id, "Sum", QueueName=q) for q in queues]
        flow_errors = [
            self._connect(m, "ContactFlow", instance_id, "Sum", ContactFlowName=f"{cfg.code.upper()} {n}")
            for n in flow_names
            for m in CONNECT_METRICS["ContactFlow"]
        ]
        names = sorted(functions.functions)
        errors = [functions.functions[n].metric_errors(period=PERIOD, label=n) for n in names]
        duration = [functions.functions[n].metric_duration(period=PERIOD, statistic="p95", label=n) for n in names]
        cases = self._helpline("Status_ok", "create_case", "cases created")
        referrals = self._helpline("Status_ok", "route_referral", "referrals routed")
        answered = self._helpline("SurveyAnswered", "record_survey_answer", "answered")
        not_answered = self._helpline("SurveyNotAnswered", "record_survey_answer", "prefer not / no answer")
        completion = cloudwatch.MathExpression(
            expression="100 * answered / (answered + declined)",
            using_metrics={"answered": answered, "declined": not_answered},
            label="survey answers that are real answers (%)",
            period=PERIOD,
        )
        concurrency = self._connect("ConcurrentCallsPercentage", "VoiceCalls", instance_id, "Maximum")
        widgets: list[list[cloudwatch.IWidget]] = [
            [
                cloudwatch.TextWidget(
                    markdown=f"# {cfg.name} helpline ({cfg.stage})\nConnect metrics: AWS/Connect "
                    "(adminguide/monitoring-cloudwatch.html); handler metrics: Helpline (Powertools EMF).",
                    width=24,
                    height=2,
                )
            ],
            [
                cloudwatch.GraphWidget(title="Calls", left=calls, right=[abandoned], width=12),
                cloudwatch.GraphWidget(title="Concurrent calls (% of quota)", left=[concurrency], width=12),
            ],
            [
                cloudwatch.GraphWidget(title="Longest queue wait (s)", left=wait, width=8),
                cloudwatch.GraphWidget(title="Contacts in queue", left=size, width=8),
                cloudwatch.GraphWidget(title="Queue full (rejected)", left=full, width=8),
            ],
            [
                cloudwatch.GraphWidget(title="Lambda errors", left=errors, width=12),
                cloudwatch.GraphWidget(title="Lambda duration p95 (ms)", left=duration, width=12),
            ],
            [
                cloudwatch.GraphWidget(title="Flow errors", left=flow_errors, width=8),
                cloudwatch.GraphWidget(title="Cases and referrals", left=[cases, referrals], width=8),
                cloudwatch.GraphWidget(
                    title="Post-call survey answers", left=[answered, not_answered], right=[completion], width=8
                ),
            ],
        ]
        if cfg.outbound_survey is not None:
            widgets.append(self._outbound_survey_row())
        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"{self.name_prefix}-helpline", widgets=widgets
        )
        # Alarms where a person must act: callers rejected or a flow failing.
        self._alarm("throttled-calls", "Calls rejected: the instance's call rate quota was exceeded",
                    self._connect("ThrottledCalls", "VoiceCalls", instance_id, "Sum"))  # fmt: skip
        self._alarm("calls-over-concurrency-quota", "Calls above the concurrent calls quota (callers not answered)",
                    self._connect("CallsBreachingConcurrencyQuota", "VoiceCalls", instance_id, "Sum"))  # fmt: skip
        for i, q in enumerate(queues):
            self._alarm(f"queue-full-{i}", f"{q}: calls rejected because the queue was full", full[i])
        for n in flow_names:
            self._alarm(f"flow-fatal-{n}", f"{cfg.code.upper()} {n}: the flow failed to run (system error)",
                        self._connect("ContactFlowFatalErrors", "ContactFlow", instance_id, "Sum",
                                      ContactFlowName=f"{cfg.code.upper()} {n}"))  # fmt: skip

    def _outbound_survey_row(self) -> list[cloudwatch.IWidget]:
        """The outbound needs survey: calls placed, and what the people who answered chose."""
        placed = self._helpline("SurveyCallPlaced", "run_survey_campaign", "calls placed")
        no_flow = self._helpline("SurveyCampaignNoFlow", "run_survey_campaign", "no flow for the language")
        choices = [
            self._helpline(f"SurveyConsent_{event}", "survey_consent", label)
            for event, label in (("accepted", "took part"), ("completed", "answered every question"),
                                 ("declined", "declined (opted out)"), ("help", "pressed 9 for the helpline"),
                                 ("no_input", "pressed nothing"))
        ]  # fmt: skip
        return [
            cloudwatch.GraphWidget(title="Outbound survey: calls placed", left=[placed, no_flow], width=12),
            cloudwatch.GraphWidget(title="Outbound survey: choices of the people who answered", left=choices, width=12),
        ]

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
