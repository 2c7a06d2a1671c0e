"""Pure units of the guide's backend: directory seed items and stale keys, partner suggestions,
idempotency keys, referral references, outbox event parsing, guide parameters."""

from __future__ import annotations

import pytest

from functions.dal.partners import partners_to_items, seed_items, seed_keys, service_codes, stale_keys
from functions.logic import block, context, referrals, screening
from functions.logic.case_chain import op_key
from functions.logic.directory import suggest
from functions.logic.needs import SUB_CODES
from functions.logic.outbox import parse_outbox_event
from functions.logic.referrals import referral_ref
from functions.logic.supervisors import agent_user_id
from functions.models.params import model_for

BlockCallerParams = model_for(block.PARAMS)
CallerContextParams = model_for(context.PARAMS)
RouteReferralGuideParams = model_for(referrals.PARAMS)
ScreeningParams = model_for(screening.PARAMS)

PARTNER = {
    "id": "pl-med",
    "name": "Med",
    "services": ["SM", "PG-PL"],
    "regions": ["*"],
    "languages": ["uk"],
    "channel": {"type": "email", "address": "m@x.org"},
    "capacity": 3,
}


def test_service_codes_expand_families_and_keep_exact_codes():
    codes = dict(service_codes(["SM", "SM-CC", "PG-PL"]))
    assert codes["SM"] == "exact" and codes["SM-CC"] == "exact" and codes["PG-PL"] == "exact"
    assert codes["SM-MI"] == "family" and codes["SM-OT"] == "family"
    assert "PG" not in codes and "PG-PR" not in codes  # a sub-code does not serve its family
    assert len(codes) == 1 + 7 + 1  # SM, its 7 sub-codes (SM-CC exact), PG-PL


def test_seed_items_for_the_stack():
    items = seed_items([PARTNER])
    assert set(items) == {"Partners", "PartnerServices"}
    (partner,) = items["Partners"]
    assert partner == partners_to_items([PARTNER])[0]
    assert partner["active"] == {"BOOL": True} and partner["capacity"] == {"N": "3"} and "assigned" not in partner
    assert {"service_code": {"S": "SM-CC"}, "partner_id": {"S": "pl-med"}, "match": {"S": "family"}} in items[
        "PartnerServices"
    ]
    keys = seed_keys(items)
    assert keys["Partners"] == [{"partner_id": {"S": "pl-med"}}]
    assert {"service_code": {"S": "PG-PL"}, "partner_id": {"S": "pl-med"}} in keys["PartnerServices"]


def test_stale_keys_name_what_the_country_file_no_longer_lists():
    narrower = {**PARTNER, "services": ["SM-CC"]}
    other = {**PARTNER, "id": "pl-other", "services": ["LP"]}
    stale = stale_keys([PARTNER, other], [narrower])
    assert stale["Partners"] == [{"partner_id": {"S": "pl-other"}}]
    codes = {k["service_code"]["S"] for k in stale["PartnerServices"] if k["partner_id"]["S"] == "pl-med"}
    assert "SM-CC" not in codes and {"SM", "SM-MI", "PG-PL"} <= codes
    other_codes = {k["service_code"]["S"] for k in stale["PartnerServices"] if k["partner_id"]["S"] == "pl-other"}
    assert other_codes == {"LP", *(f"LP-{sub}" for sub in SUB_CODES["LP"])} and len(other_codes) == 21
    assert stale_keys([PARTNER], [PARTNER]) == {"Partners": [], "PartnerServices": []}


def _p(pid: str, **kw) -> dict:
    base = {
        "partner_id": pid,
        "name": pid.upper(),
        "services": ["LP"],
        "regions": ["*"],
        "languages": ["uk"],
        "capacity": 5,
        "assigned": 0,
    }
    return {**base, **kw}


def test_suggestions_best_first_and_only_with_room():
    picked = _p("picked", services=["LP-ND"])  # exact match: the selection
    family = _p("family")  # family match, national
    regional = _p("regional", regions=["maz"])  # family match, regional: before the national one
    full = _p("full", capacity=1, assigned=1)
    deaf = _p("deaf", languages=["ru"])
    out = suggest([family, full, deaf, regional, picked], ["LP-ND"], "maz", "uk")
    assert [p["partner_id"] for p in out] == ["picked", "regional", "family"]
    many = [_p(f"p{i:02d}") for i in range(9)]
    assert len(suggest(many, ["LP"], "maz", "uk")) == 5


def test_op_keys_are_per_contact_and_parameters():
    key = op_key("screening", "c-1", {"a": "1", "b": None})
    assert key.startswith("screening:c-1:") and len(key.rsplit(":", 1)[1]) == 12
    assert key == op_key("screening", "c-1", {"b": None, "a": "1"})
    assert key != op_key("screening", "c-2", {"a": "1", "b": None})
    assert key != op_key("screening", "c-1", {"a": "2", "b": None})


def test_referral_references_are_short_and_speakable():
    assert referral_ref("R-KGNRFFMP4EONXDX5") == "KGN-RFF"


def test_outbox_events():
    record = {
        "eventName": "INSERT",
        "dynamodb": {"Keys": {"message_id": {"S": "m"}}, "NewImage": {"status": {"S": "pending"}}},
    }
    delivered = {**record, "dynamodb": {**record["dynamodb"], "NewImage": {"status": {"S": "delivered"}}}}
    assert parse_outbox_event({"Records": [record, delivered]}).message_ids == ["m"]
    scheduled = parse_outbox_event({"detail-type": "Scheduled Event", "source": "aws.events"})
    assert scheduled.scheduled and scheduled.message_ids == []
    for bad in ([], {"detail-type": "Other"}, "x"):
        with pytest.raises(ValueError):
            parse_outbox_event(bad)


def test_agent_arns():
    arn = "arn:aws:connect:eu-central-1:123456789012:instance/abc-1/agent/user-9"
    assert agent_user_id(arn) == "user-9" and agent_user_id("arn:aws:iam::1:user/x") == ""
    assert BlockCallerParams.model_validate({"caller_id": "a" * 64, "hours": "2", "agent_arn": arn}).hours == 2
    with pytest.raises(ValueError):
        BlockCallerParams.model_validate({"caller_id": "a" * 64, "hours": "2", "agent_arn": "arn:aws:iam::1:user/x"})


def test_guide_parameters():
    assert CallerContextParams.model_validate({"caller_id": "None", "case_id": ""}).case_id is None
    screening = ScreeningParams.model_validate({"language": "uk", "region": "", "urgency": "", "consent": "TRUE"})
    assert (screening.region, screening.urgency, screening.consent, screening.topic) == (
        "*",
        "normal",
        True,
        "screening",
    )
    confirmed = RouteReferralGuideParams.model_validate(
        {"case_id": "PL-AAAAAAAAAAAA", "region": "X", "language": "uk", "partner_ids": " a-1 ,b-2,a-1"}
    )
    assert confirmed.confirmed == ["a-1", "b-2"] and confirmed.region == "x"
    assert (
        RouteReferralGuideParams.model_validate(
            {"case_id": "PL-AAAAAAAAAAAA", "region": "x", "language": "uk", "partner_ids": "none"}
        ).confirmed
        == []
    )
