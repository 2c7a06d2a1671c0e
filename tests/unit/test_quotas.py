"""Quota planning: the service quotas a country's planned peak needs, and which to raise."""

from __future__ import annotations

import io
import math
import shutil

import pytest
import yaml
from rich.console import Console

from helpline.config import COUNTRIES_DIR, ConfigError, load_country
from helpline.quotas import connect_lambda_count, flow_lambda_count, peak_calls_in_system, plan
from helpline.summary import print_quotas


def _country(tmp_path, capacity):
    folder = tmp_path / "countries"
    shutil.copytree(COUNTRIES_DIR, folder)
    path = folder / "ro.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["capacity"] = capacity
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return lambda: load_country("ro", countries_dir=folder)


def test_littles_law_sizes_the_concurrent_calls_quota(tmp_path):
    # The Libya line: 20,000 calls in two weeks, about 1,430 a day.
    cfg = _country(tmp_path, {"calls_per_day": 1430, "peak_hour_share": 0.2, "handle_minutes": 6, "wait_minutes": 4})()
    arrivals = 1430 * 0.2 / 3600
    assert peak_calls_in_system(cfg, menu_seconds=60) == pytest.approx(arrivals * (60 + 600))
    calls, functions, lambdas = plan(cfg, connect_lambdas=9, lambdas_per_call=3, menu_seconds=60)
    assert (calls.quota, calls.default, calls.needed, calls.raise_it) == (
        "Concurrent active calls per instance",
        10,
        53,
        True,
    )
    assert (functions.needed, functions.raise_it) == (9, False)
    assert (lambdas.needed, lambdas.raise_it) == (1, False)
    assert all(n.source.startswith("https://docs.aws.amazon.com/") for n in (calls, functions, lambdas))


def test_a_small_line_needs_no_raise_and_the_table_says_which_to_raise(tmp_path):
    small = _country(tmp_path, {"calls_per_day": 40, "peak_hour_share": 0.2, "handle_minutes": 5, "wait_minutes": 1})()
    needs = plan(small, connect_lambdas=40)
    assert [n.raise_it for n in needs] == [False, True, False]  # 40 functions > 35 per instance
    out = io.StringIO()
    print_quotas(needs, Console(file=out, width=200))
    rows = [line for line in out.getvalue().splitlines() if "AWS Lambda functions per instance" in line]
    assert "RAISE before launch" in rows[0] and "Concurrent active calls per instance" in out.getvalue()


@pytest.mark.parametrize(
    ("capacity", "field"),
    [
        ({"peak_hour_share": 1.5}, "capacity.peak_hour_share"),
        ({"calls_per_day": 0}, "capacity.calls_per_day"),
        ({"calls": 5}, "capacity.calls"),
    ],  # fmt: skip
)
def test_impossible_capacity_is_refused(tmp_path, capacity, field):
    with pytest.raises(ConfigError) as info:
        _country(tmp_path, capacity)()
    assert field in str(info.value)


def test_the_associated_functions_are_counted_from_the_template_and_from_permissions():
    template = {
        "Resources": {
            "A": {"Type": "AWS::Connect::IntegrationAssociation", "Properties": {"IntegrationType": "LAMBDA_FUNCTION"}},
            "B": {"Type": "AWS::Connect::IntegrationAssociation", "Properties": {"IntegrationType": "LEX_BOT"}},
            "C": {"Type": "AWS::Lambda::Function", "Properties": {}},
        }
    }
    assert connect_lambda_count(template) == 1
    from functions.permissions import PERMISSIONS

    flow = [n for n, spec in PERMISSIONS.items() if spec.get("trigger", "flow") == "flow"]
    assert flow_lambda_count() == len(flow) and {"identify_caller", "create_case"} <= set(flow)


def test_the_outbound_survey_adds_its_calls_and_its_api_rate(tmp_path):
    from helpline.config import load_all

    pl = next(c for c in load_all() if c.code == "pl")
    campaign = pl.outbound_survey.campaign
    needs = {n.quota: n for n in plan(pl, connect_lambdas=12)}
    base = max(1, math.ceil(peak_calls_in_system(pl)))
    calls = needs["Concurrent active calls per instance"]
    assert calls.needed == base + campaign.max_concurrent and "outbound survey calls" in calls.note
    rate = needs["StartOutboundVoiceContact requests per second (per account and Region)"]
    assert (rate.default, rate.needed, rate.raise_it) == (2, 1, False)

    faster = pl.model_copy(
        update={
            "surveys": [
                s.model_copy(update={"campaign": s.campaign.model_copy(update={"calls_per_second": 3.5})})
                if s.kind == "outbound"
                else s
                for s in pl.surveys
            ]
        }
    )
    rate = {n.quota: n for n in plan(faster, connect_lambdas=12)}[rate.quota]
    assert (rate.needed, rate.raise_it) == (4, True)
    ro = next(c for c in load_all() if c.code == "ro")  # no outbound survey: no API rate row
    assert all("StartOutboundVoiceContact" not in n.quota for n in plan(ro, connect_lambdas=12))
