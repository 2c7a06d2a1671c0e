"""Security profiles come from the documented permission catalog (stacks/connect_permissions.py).

Operators see the step-by-step guide only with ``CustomViews.Access`` (admin guide, list of
security profile permissions, "Agent applications"); auditors only look.
"""

from __future__ import annotations

import pytest

from stacks.connect_permissions import CATALOG, DEPLOYABLE, PROFILES, unsettled
from tests.infrastructure.conftest import resources

pytestmark = pytest.mark.xdist_group("infra")


def _profiles(raw: dict) -> dict[str, list[str]]:
    return {
        p["Properties"]["SecurityProfileName"].split()[-1]: p["Properties"]["Permissions"]
        for p in resources(raw, "AWS::Connect::SecurityProfile").values()
    }


def test_every_permission_in_every_profile_is_a_deployable_catalog_entry(country):
    profiles = _profiles(country.raw)
    assert set(profiles) == {"agent", "supervisor", "auditor"}
    for role, names in profiles.items():
        unknown = [n for n in names if n not in CATALOG]
        assert not unknown, f"{country.config.code} {role}: not in the catalog: {unknown}"
        stale = [n for n in names if CATALOG[n].status not in DEPLOYABLE]
        assert not stale, f"{country.config.code} {role}: superseded names: {stale}"
        assert len(set(names)) == len(names), f"{role}: a permission twice"
        assert names == list(PROFILES[role])


def test_agents_and_supervisors_can_see_the_step_by_step_guide(country):
    profiles = _profiles(country.raw)
    assert "CustomViews.Access" in profiles["agent"]
    assert "CustomViews.Access" in profiles["supervisor"]
    assert "BasicAgentAccess" in profiles["agent"] and "BasicAgentAccess" in profiles["supervisor"]


def test_supervisors_get_real_time_metrics_under_the_current_name(country):
    supervisor = _profiles(country.raw)["supervisor"]
    assert {"AccessMetrics", "AccessMetrics.RealTimeMetrics.Access"} <= set(supervisor)
    assert "RealTimeMetrics.Access" not in supervisor  # the archived guide's name


def test_auditors_only_view(country):
    auditor = _profiles(country.raw)["auditor"]
    assert auditor and all(name.endswith(".View") for name in auditor)
    assert "CustomViews.Access" not in auditor and "BasicAgentAccess" not in auditor


def test_every_catalog_entry_names_its_page_and_meaning():
    for entry in CATALOG.values():
        assert entry.page.startswith("https://"), entry.name
        assert entry.meaning, entry.name


def test_unsettled_names_reach_verify_live_with_their_doc_gap():
    gaps = dict(unsettled())
    assert "*" in gaps  # the CloudFormation resource lists no valid names
    assert "archived admin guide" in gaps["AccessMetrics.RealTimeMetrics.Access"]
    used = {n for names in PROFILES.values() for n in names}
    assert set(gaps) - {"*"} <= used  # only names a profile really holds
    assert all(gap for gap in gaps.values())
