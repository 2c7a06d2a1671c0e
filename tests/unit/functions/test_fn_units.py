"""Pure units: needs codes, partner seeding, partner selection, settings, permissions data."""

from __future__ import annotations

import pytest

from functions.dal.partners import PartnerError, partner_to_item, partners_to_items
from functions.logic.chain import GENESIS, compute_hash, verify_chain
from functions.logic.needs import NeedsCodeError, is_urgent, match_score, parse_needs
from functions.logic.pseudonym import normalise_e164
from functions.logic.referrals import select_partners
from functions.settings import Settings

P = dict(services=["LP"], regions=["*"], languages=["uk"], channel={"type": "email", "address": "x@y.z"}, capacity=2)


def test_parse_needs():
    assert parse_needs(" sv, LP-nd ,SV,") == ["SV", "LP-ND"]
    assert parse_needs("") == [] and parse_needs(None) == []
    for bad in ("XX", "SM-ZZ", "SV;LP", "sv-"):
        with pytest.raises(NeedsCodeError):
            parse_needs(bad)


@pytest.mark.parametrize("code", ["SV", "SV-GM", "SC", "SC-UC", "CR", "CR-LW", "SM-CC", "TR", "TR-PI"])
def test_urgent_codes(code):
    assert is_urgent(code)


@pytest.mark.parametrize("code", ["LP", "LP-ND", "SM", "SM-MI", "PG", "DS-PM", "FU-TR"])
def test_not_urgent_codes(code):
    assert not is_urgent(code)


def test_match_score_specific_beats_family():
    assert match_score("SM-CC", ["SM-CC"]) == 2 > match_score("SM-CC", ["SM"]) == 1
    assert match_score("SM", ["SM-CC"]) == 0


def _partner(pid, **kw):
    p = {"partner_id": pid, "assigned": 0, **{k: v for k, v in P.items() if k != "channel"}}
    p.update(kw)
    return p


def test_select_partners_rules():
    partners = [
        _partner("generic-sm", services=["SM"]),
        _partner("critical", services=["SM-CC"], regions=["maz"]),
        _partner("legal", services=["LP", "SM"]),
        _partner("ru-only", services=["SV"], languages=["ru"]),
        _partner("full", services=["SV"], capacity=1, assigned=1),
    ]
    assert select_partners(partners, ["SM-CC"], "maz", "uk") == [("critical", ["SM-CC"])]
    assert select_partners(partners, ["SM-CC"], "pom", "uk")[0][0] in ("generic-sm", "legal")
    assert select_partners(partners, ["SV"], "maz", "uk") == []  # language / capacity
    # a partner already chosen is reused for another need it serves
    assert select_partners(partners, ["LP", "SM"], "pom", "uk") == [("legal", ["LP", "SM"])]
    # urgent needs are placed first
    assert [c for _, cs in select_partners(partners, ["LP", "SM-CC"], "maz", "uk") for c in cs][0] == "SM-CC"


def test_partner_items():
    item = partner_to_item({"id": "pl-legal", "name": "Legal", **P})
    assert item["partner_id"] == {"S": "pl-legal"} and item["capacity"] == {"N": "2"}
    assert item["services"] == {"L": [{"S": "LP"}]} and item["active"] == {"BOOL": True}
    assert "assigned" not in item  # the open-referral counter is PartnerLoads: a seeding never resets it
    with pytest.raises(PartnerError):
        partners_to_items([{"id": "a1", "name": "A", **P}, {"id": "a1", "name": "B", **P}])
    for bad in ({"id": "Bad Id"}, {"services": ["ZZ"]}, {"capacity": -1}, {"channel": {"type": "fax"}}):
        with pytest.raises(PartnerError):
            partner_to_item({"id": "ok-id", "name": "A", **P, **bad})


def test_normalise_e164():
    assert normalise_e164("+48 601-234-567") == "+48601234567"
    assert normalise_e164("0048601234567") == "+48601234567"
    for bad in (None, "", "anonymous", "601234567", "+0123"):
        assert normalise_e164(bad) is None


def test_settings_from_env():
    s = Settings.from_env({"RETENTION_DAYS_CASES": "30", "COUNTRY_CODE": "pl", "EVENT_BUS_NAME": ""})
    assert s.retention_days_cases == 30 and s.country_code == "pl" and s.event_bus_name == ""


def test_verify_chain_pure():
    records, prev = [], GENESIS
    for seq in (1, 2, 3):
        r = {
            "chain_id": "c",
            "seq": seq,
            "record_type": "t",
            "contact_id": "x",
            "case_id": None,
            "event_id": str(seq),
            "actor": "a",
            "occurred_at": "t",
            "recorded_at": "t",
            "payload": {"k": "v"},
            "prev_hash": prev,
            "expires_at": 10,
        }
        r["record_hash"] = compute_hash(r)
        prev = r["record_hash"]
        records.append(r)
    assert verify_chain(records) == []
    assert [f.kind for f in verify_chain([records[0], records[0]])] == ["duplicate", "broken_link"]
    assert verify_chain([]) == []


def test_models_are_introspectable():
    from functions.dal.models import ALL_MODELS
    from functions.permissions import ENVIRONMENT, PERMISSIONS

    logical = {m.LOGICAL_NAME for m in ALL_MODELS}
    assert len(logical) == len(ALL_MODELS)
    for model in ALL_MODELS:
        assert model.TABLE_ENV.endswith("_TABLE") and model.Meta.table_name
    streams = {m.LOGICAL_NAME: m.Meta.__dict__.get("stream_view_type") for m in ALL_MODELS}
    assert {k: v for k, v in streams.items() if v} == {
        "Cases": "NEW_AND_OLD_IMAGES",
        "Interactions": "NEW_AND_OLD_IMAGES",
        "Referrals": "NEW_AND_OLD_IMAGES",
        "Outbox": "NEW_IMAGE",
    }
    for name, spec in PERMISSIONS.items():
        assert set(spec["tables"]) <= logical, name
        assert name in ENVIRONMENT


def test_select_partners_tie_breaks():
    national = _partner("national", services=["LP"], capacity=9)
    regional = _partner("regional", services=["LP"], regions=["maz"], capacity=2)
    assert select_partners([national, regional], ["LP"], "maz", "uk") == [("regional", ["LP"])]
    roomy = _partner("roomy", services=["LP"], capacity=9)
    tight = _partner("a-tight", services=["LP"], capacity=9, assigned=8)
    assert select_partners([tight, roomy], ["LP"], "pom", "uk") == [("roomy", ["LP"])]  # most room left
    twins = [_partner("b-twin", services=["LP"]), _partner("a-twin", services=["LP"])]
    assert select_partners(twins, ["LP"], "pom", "uk") == [("a-twin", ["LP"])]  # then by id


def test_select_partners_language_variants_and_capacity_within_one_call():
    assert select_partners([_partner("uk", services=["LP"])], ["LP"], "pom", "uk-UA") == [("uk", ["LP"])]
    assert select_partners([_partner("uk", services=["LP"])], ["LP"], "pom", "ru") == []
    full = _partner("full", services=["LP"], capacity=1, assigned=1)
    assert select_partners([full], ["LP"], "pom", "uk") == []
    one = _partner("one", services=["LP", "SM"], capacity=1)
    other = _partner("other", services=["SM"], capacity=5)
    # "one" takes its last place for LP and may serve SM too: still one referral, no over-booking
    assert select_partners([one, other], ["LP", "SM"], "pom", "uk") == [("one", ["LP", "SM"])]
    assert select_partners([one], ["LP"], "pom", "uk") == [("one", ["LP"])]
    no_capacity_field = {k: v for k, v in _partner("nocap", services=["LP"]).items() if k != "capacity"}
    assert select_partners([no_capacity_field], ["LP"], "pom", "uk") == []  # unknown capacity: none
