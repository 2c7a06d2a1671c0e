"""Amazon Connect security-profile permissions: one documented catalog (plain data, no CDK).

Every permission name a security profile of this blueprint holds comes from :data:`CATALOG`,
with what it grants, the admin-guide page it comes from and how sure we are of the name. The
telephony construct builds the agent, supervisor and auditor profiles from :data:`PROFILES`;
the template tests check every name in every synthesized profile against the catalog, and
``helpline verify-live`` compares the stored profiles with :data:`PROFILES` and reports the
names :func:`unsettled` lists.

Source of the names: "List of security profile permissions" (admin guide), the API names "as
returned by the ListSecurityProfilePermissions API". AWS::Connect::SecurityProfile's
``Permissions`` property documents no list of valid values and does not say whether an
unknown name is refused or dropped: only the stored profile settles that (see unsettled()).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

GUIDE = "https://docs.aws.amazon.com/connect/latest/adminguide/"
LIST_PAGE = GUIDE + "security-profile-list.html"
GUIDES_PAGE = GUIDE + "step-by-step-guided-experiences.html"
CFN_PAGE = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-connect-securityprofile.html"
)
CHECK = "connect:ListSecurityProfilePermissions on each deployed profile (read-only)"

# documented: in the current admin guide's permission list under this exact API name.
# seen-only-in-exported-profiles: found in profiles exported from live instances, not in the docs.
# superseded: a name an older (archived) admin guide used; never put in a template.
Status = Literal["documented", "seen-only-in-exported-profiles", "superseded"]


@dataclass(frozen=True)
class Permission:
    name: str
    meaning: str
    page: str
    status: Status = "documented"
    gap: str = ""  # what the documentation leaves open about this name ("" = nothing)


def _p(name: str, meaning: str, page: str = LIST_PAGE, **kw) -> Permission:
    return Permission(name, meaning, page, **kw)


_ENTRIES = (
    # Contact Control Panel (CCP)
    _p("BasicAgentAccess", "Access Contact Control Panel: answer contacts in the CCP / agent workspace"),
    _p("OutboundCallAccess", "Make outbound calls (callbacks and agents' outbound calls)"),
    _p("RealtimeContactLens.View", "Conversational analytics data: real-time analytics in the CCP"),
    # Agent applications
    _p(
        "CustomViews.Access",
        "Custom views: agents see step-by-step guides in their agent workspace",
        GUIDES_PAGE,
        gap="the docs name this one permission for guides; whether the workspace shows a guide to a "
        "profile holding nothing else of Views.* is seen only on a live test call",
    ),
    # Routing
    _p("TransferDestinations.View", "Quick connects - View: agents need it to transfer to a quick connect"),
    _p("Queues.View", "Queues - View: list the instance's queues"),
    _p("RoutingPolicies.View", "Routing profiles - View"),
    _p("HoursOfOperation.View", "Hours of operation - View"),
    # Channels and flows
    _p("ContactFlows.View", "Flows - View"),
    _p("Prompts.View", "Prompts - View: list the available prompts"),
    _p("PhoneNumbers.View", "Phone numbers - View: numbers claimed or ported to the instance"),
    # Users and permissions
    _p("Users.View", "Users - View: user records"),
    _p("AgentStates.View", "Agent status - View: agents' status in real-time and historical metrics"),
    # Analytics and optimization
    _p("AccessMetrics", "Access metrics: view dashboards and reports"),
    _p(
        "AccessMetrics.RealTimeMetrics.Access",
        "Real-time metrics: the real-time metrics page",
        gap="the archived admin guide called it RealTimeMetrics.Access; the current list and profiles "
        "exported from live instances say AccessMetrics.RealTimeMetrics.Access",
    ),
    _p(
        "AccessMetrics.HistoricalMetrics.Access",
        "Historical metrics: the historical metrics page",
        gap="the archived admin guide called it HistoricalMetrics.Access; the current list and profiles "
        "exported from live instances say AccessMetrics.HistoricalMetrics.Access",
    ),
    _p("ContactSearch.View", "Contact search: search contacts and open contact details"),
    _p("ContactAttributes.View", "Contact attributes: view them, and search by them"),
    _p("MetricsReports.View", "Saved reports - View: view a shared report"),
    # Names of the archived admin guide, kept so nobody adds them back by mistake.
    _p(
        "RealTimeMetrics.Access",
        "Older name of AccessMetrics.RealTimeMetrics.Access",
        "https://github.com/awsdocs/amazon-connect-admin-guide (archived)",
        status="superseded",
    ),
    _p(
        "HistoricalMetrics.Access",
        "Older name of AccessMetrics.HistoricalMetrics.Access",
        "https://github.com/awsdocs/amazon-connect-admin-guide (archived)",
        status="superseded",
    ),
)
CATALOG: dict[str, Permission] = {p.name: p for p in _ENTRIES}

_AGENT = ("BasicAgentAccess", "OutboundCallAccess", "TransferDestinations.View", "ContactAttributes.View")
_METRICS = ("AccessMetrics", "AccessMetrics.RealTimeMetrics.Access", "AccessMetrics.HistoricalMetrics.Access")
# Queues: supervisors see every queue, the priority queues included (Queues.View, real-time
# metrics). Agents get no Queues.View at all, so no queue, priority or not, is visible to them
# outside the contacts their routing profile hands them (they must answer priority calls).
# Narrowing a profile to some queues would take tag-based access control (AllowedAccessControlTags
# with TagRestrictedResources, AWS::Connect::SecurityProfile); nothing here needs it.
PROFILES: dict[str, tuple[str, ...]] = {
    "agent": (*_AGENT, "CustomViews.Access"),
    "supervisor": (
        *_AGENT,
        "CustomViews.Access",
        *_METRICS,
        "Queues.View",
        "RoutingPolicies.View",
        "HoursOfOperation.View",
        "Users.View",
        "AgentStates.View",
        "ContactSearch.View",
        "MetricsReports.View",
        "RealtimeContactLens.View",
    ),
    # Read-only: auditors only ever get '.View' permissions (asserted in the tests).
    "auditor": (
        "ContactSearch.View",
        "ContactAttributes.View",
        "MetricsReports.View",
        "Queues.View",
        "RoutingPolicies.View",
        "HoursOfOperation.View",
        "ContactFlows.View",
        "Prompts.View",
        "PhoneNumbers.View",
        "Users.View",
    ),
}
DEPLOYABLE: tuple[Status, ...] = ("documented", "seen-only-in-exported-profiles")


def profile_permissions(role: str) -> list[str]:
    """The permission names of ``role`` (agent, supervisor, auditor), each checked against the catalog."""
    names = list(PROFILES[role])
    for name in names:
        entry = CATALOG.get(name)
        if entry is None or entry.status not in DEPLOYABLE:
            raise ValueError(f"security profile '{role}': '{name}' is not a deployable catalog permission")
    return names


def unsettled() -> list[tuple[str, str]]:
    """(permission name, doc gap) for every name a profile uses that the docs leave open.

    Always includes the general gap of AWS::Connect::SecurityProfile (no list of valid names,
    no word on whether an unknown one is refused or dropped), under the name ``*``.
    """
    used = {name for names in PROFILES.values() for name in names}
    out = [("*", f"{CFN_PAGE} documents no valid Permissions values; settle with {CHECK}")]
    for name in sorted(used):
        entry = CATALOG[name]
        if entry.status != "documented" or entry.gap:
            out.append((name, entry.gap or f"status {entry.status}: not in {LIST_PAGE}"))
    return out
