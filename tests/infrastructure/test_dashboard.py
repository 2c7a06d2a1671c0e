"""Every country template has its CloudWatch dashboard, and every metric it graphs exists: an
AWS/Connect metric of the Connect admin guide's list (with its dimensions) or a metric the
handlers emit in the Helpline namespace."""

from __future__ import annotations

import json
from pathlib import Path

from stacks.constructs.monitoring import CONNECT_METRICS
from tests.infrastructure.conftest import resources

ROOT = Path(__file__).resolve().parents[2]
# adminguide/monitoring-cloudwatch.html, "Amazon Connect metrics sent to CloudWatch": metric -> MetricGroup
CONNECT_DOCUMENTED = {
    "CallsPerInterval": "VoiceCalls", "ConcurrentCalls": "VoiceCalls", "ConcurrentCallsPercentage": "VoiceCalls",
    "MissedCalls": "VoiceCalls", "ThrottledCalls": "VoiceCalls", "MisconfiguredPhoneNumbers": "VoiceCalls",
    "CallsBreachingConcurrencyQuota": "VoiceCalls", "ContactFlowErrors": "ContactFlow",
    "ContactFlowFatalErrors": "ContactFlow", "CallBackNotDialableNumber": "ContactFlow", "QueueSize": "Queue",
    "LongestQueueWaitTime": "Queue", "QueueCapacityExceededError": "Queue", "CallRecordingUploadError": "CallRecordings",
}  # fmt: skip
PLACEHOLDER = "TOKEN"


def _body(raw: dict) -> dict:
    (dashboard,) = resources(raw, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]
    if isinstance(body, dict):  # Fn::Join of strings and tokens (instance id, function names)
        body = "".join(p if isinstance(p, str) else PLACEHOLDER for p in body["Fn::Join"][1])
    return json.loads(body)


def _metrics(body: dict) -> list[list]:
    return [m for w in body["widgets"] for m in w.get("properties", {}).get("metrics", []) if isinstance(m[0], str)]


def _emitted(name: str) -> bool:
    """The handlers count this metric: its name is a string literal in a functions/ module that
    counts metrics (functions/observability.py ``count``), or it is ``Status_<status>``."""
    if name.startswith("Status_"):
        return True
    for path in (ROOT / "functions").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if "count(" in text and f'"{name}"' in text:
            return True
    return False


def test_every_country_has_a_dashboard_of_metrics_that_exist(country):
    body = _body(country.raw)
    metrics = _metrics(body)
    connect = [m for m in metrics if m[0] == "AWS/Connect"]
    helpline = [m for m in metrics if m[0] == "Helpline"]
    lam = [m for m in metrics if m[0] == "AWS/Lambda"]
    assert connect and helpline and lam
    for m in connect:
        dims = dict(zip(m[2::2], m[3::2], strict=False))
        assert m[1] in CONNECT_DOCUMENTED, m
        assert dims.get("MetricGroup") == CONNECT_DOCUMENTED[m[1]] and "InstanceId" in dims, m
    graphed = {m[1] for m in connect}
    assert graphed == {n for group in CONNECT_METRICS.values() for n in group}
    queues = {dict(zip(m[2::2], m[3::2], strict=False)).get("QueueName") for m in connect if m[1] == "QueueSize"}
    assert queues == set(country.config.queue_names().values())
    for m in helpline:
        assert _emitted(m[1]), m
        assert dict(zip(m[2::2], m[3::2], strict=False)).get("service") == "helpline", m
    assert {m[1] for m in helpline} >= {"CallAbandonedInQueue", "Status_ok", "SurveyAnswered", "SurveyNotAnswered"}
    assert {m[1] for m in lam} == {"Errors", "Duration"}
    outbound = {"SurveyCallPlaced", "SurveyConsent_accepted", "SurveyConsent_declined", "SurveyConsent_help"}
    assert (outbound <= {m[1] for m in helpline}) == (country.config.outbound_survey is not None)


def test_alarms_on_rejected_calls_and_failing_flows(country):
    alarms = [a["Properties"] for a in resources(country.raw, "AWS::CloudWatch::Alarm").values()]
    on = {(a.get("Namespace"), a.get("MetricName")) for a in alarms}
    assert {("AWS/Connect", "ThrottledCalls"), ("AWS/Connect", "CallsBreachingConcurrencyQuota"),
            ("AWS/Connect", "QueueCapacityExceededError"), ("AWS/Connect", "ContactFlowFatalErrors")} <= on  # fmt: skip
    assert all(a["AlarmActions"] for a in alarms)
