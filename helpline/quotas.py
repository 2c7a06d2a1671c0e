"""Service quotas to raise before a surge, from the country file's ``capacity`` and the template.

Little's law gives the calls in the system at the busiest hour: arrivals per second times the
time a call stays (menu + queue wait + talk).  Amazon Connect counts a call against
"Concurrent active calls per instance" while an agent handles it or it waits in a queue
(queued callbacks too); the menu time is counted as well here, which errs on the safe side.
Defaults are those documented for new accounts; an account's own values may differ (read
them in the Service Quotas console).  Quota increases can take up to three weeks: raise them
before launch, not during the surge.

Sources:
- Amazon Connect quotas: https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html
- AWS Lambda quotas: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from helpline.config.schema import CountryConfig

CONNECT_QUOTAS = "https://docs.aws.amazon.com/connect/latest/adminguide/amazon-connect-service-limits.html"
LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
MENU_SECONDS_ESTIMATE = 90.0  # until `helpline surge` measures the menus of the country's flows
LAMBDA_SECONDS = 1.0  # a flow Lambda call, generously (the handlers answer in tens of ms)


@dataclass(frozen=True)
class QuotaNeed:
    service: str
    quota: str
    default: int | None  # documented default for new accounts; None when the docs give none that applies
    needed: int
    source: str
    note: str

    @property
    def raise_it(self) -> bool:
        return self.default is not None and self.needed > self.default


def peak_calls_in_system(cfg: CountryConfig, menu_seconds: float = MENU_SECONDS_ESTIMATE) -> float:
    cap = cfg.capacity
    arrivals = cap.calls_per_day * cap.peak_hour_share / 3600
    return arrivals * (menu_seconds + 60 * (cap.wait_minutes + cap.handle_minutes))


def plan(
    cfg: CountryConfig,
    *,
    connect_lambdas: int,
    lambdas_per_call: float = 2.0,
    menu_seconds: float = MENU_SECONDS_ESTIMATE,
) -> list[QuotaNeed]:
    """The quotas this country needs at its planned peak (``cfg.capacity``)."""
    cap = cfg.capacity
    arrivals = cap.calls_per_day * cap.peak_hour_share / 3600
    in_system = peak_calls_in_system(cfg, menu_seconds)
    survey = cfg.outbound_survey
    survey_calls = survey.campaign.max_concurrent if survey and survey.campaign else 0
    needs = [
        QuotaNeed(
            "Amazon Connect",
            "Concurrent active calls per instance",
            10,
            max(1, math.ceil(in_system)) + survey_calls,
            CONNECT_QUOTAS,
            f"{cap.calls_per_day} calls/day, {cap.peak_hour_share:.0%} in the busiest hour, "
            f"{menu_seconds:.0f} s in the menus + {cap.wait_minutes:g} min waiting + {cap.handle_minutes:g} min talking"
            + (f", + {survey_calls} outbound survey calls (campaign.max_concurrent)" if survey_calls else ""),
        ),
        QuotaNeed(
            "Amazon Connect",
            "AWS Lambda functions per instance",
            35,
            connect_lambdas,
            CONNECT_QUOTAS,
            "functions associated with the instance (flows and the operators' guide); newer accounts start at 50",
        ),
        QuotaNeed(
            "AWS Lambda",
            "Concurrent executions (per Region, shared by the account)",
            1000,
            max(1, math.ceil(arrivals * lambdas_per_call * LAMBDA_SECONDS)),
            LAMBDA_QUOTAS,
            f"{lambdas_per_call:.1f} flow Lambda calls per call of up to {LAMBDA_SECONDS:g} s each",
        ),
    ]
    if survey and survey.campaign:
        # Connect API reference: StartOutboundVoiceContact is throttled at 2 requests per second
        # (burst 5) per account and Region by default; the campaign's token bucket stays under its rate.
        needs.append(
            QuotaNeed(
                "Amazon Connect",
                "StartOutboundVoiceContact requests per second (per account and Region)",
                2,
                math.ceil(survey.campaign.calls_per_second),
                CONNECT_QUOTAS,
                f"outbound survey '{survey.id}': {survey.campaign.calls_per_second:g} calls/s, "
                f"burst {survey.campaign.burst} (the default burst is 5)",
            )
        )
    return needs


def connect_lambda_count(template: dict) -> int:
    """Lambda functions associated with the Connect instance in a synthesized template."""
    return sum(
        1
        for r in template.get("Resources", {}).values()
        if r.get("Type") == "AWS::Connect::IntegrationAssociation"
        and r.get("Properties", {}).get("IntegrationType") == "LAMBDA_FUNCTION"
    )


def flow_lambda_count() -> int:
    """Functions the stack associates with the instance: those functions/permissions.py marks "flow"."""
    from functions.permissions import PERMISSIONS

    return sum(1 for spec in PERMISSIONS.values() if spec.get("trigger", "flow") == "flow")
