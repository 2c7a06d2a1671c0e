"""Referral routing that holds at scale: partners found by needs code (never a Scan), family codes,
capacity that counts OPEN referrals, partners removed from the country file, operator-confirmed
partners, expired items read as absent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from helpline.sandbox import local_backend
from tests.integration.support import guide_event, load_event, partners, with_contact


def _refer(backend, case_id: str, contact_id: str = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe", **params: str) -> dict:
    values = {"case_id": case_id, "needs_codes": "SC-UC", "consent": "true", "region": "mazowieckie", "language": "uk"}
    return backend.invoke("route_referral", guide_event(contact_id=contact_id, **{**values, **params}))


def _case(backend, contact_id: str) -> str:
    event = with_contact(load_event("create_case"), contact_id)
    event["Details"]["ContactData"]["CustomerEndpoint"] = None  # separate cases, no caller pointer
    return backend.invoke("create_case", event)["case_id"]


def test_a_family_partner_serves_a_sub_code_and_partners_are_queried_by_code(backend, case_id):
    backend.reset_calls()
    answer = _refer(backend, case_id, needs_codes="SM-CC", region="pomorskie")  # the SM-CC specialist is regional
    assert answer["partner_ids"] == "pl-med-general"  # serves the SM family
    queries = [c.params for c in backend.dynamodb_calls() if c.operation == "Query"]
    assert [q["ExpressionAttributeValues"][":0"] for q in queries] == [{"S": "SM-CC"}]
    assert "Scan" not in [c.operation for c in backend.dynamodb_calls()]


def test_capacity_counts_open_referrals_and_closing_gives_it_back(backend):
    first = _case(backend, "contact-a-0001")
    second = _case(backend, "contact-b-0001")
    assert _refer(backend, first, "contact-a-0001")["partner_ids"] == "pl-child-protect"  # capacity 1
    assert _refer(backend, second, "contact-b-0001")["reason"] == "no_partner"  # full: one open referral
    closed = guide_event(contact_id="contact-a-0001", case_id=first, outcome="resolved")
    assert backend.invoke("record_outcome", closed)["case_status"] == "closed"
    assert _refer(backend, second, "contact-b-0002")["partner_ids"] == "pl-child-protect"  # a place again
    loads = backend.dump_tables()["PartnerLoads"]
    assert loads == [{"partner_id": "pl-child-protect", "open_referrals": 1}]


def test_operator_confirmed_partners_must_still_be_eligible(backend, case_id):
    confirmed = _refer(backend, case_id, needs_codes="LP-ND,SM-CC", partner_ids="pl-legal-aid")
    assert confirmed["partner_ids"] == "pl-legal-aid" and confirmed["referred"] == "1"  # only what was confirmed
    other = with_contact(load_event("create_case"), "contact-c-0001")
    other["Details"]["ContactData"]["CustomerEndpoint"] = None
    case_two = backend.invoke("create_case", other)["case_id"]
    # pl-gbv-safe does not serve LP; pl-unknown is not in the directory
    answer = _refer(backend, case_two, "contact-c-0001", needs_codes="LP-ND", partner_ids="pl-gbv-safe,pl-unknown")
    assert answer["reason"] == "no_partner" and answer["referred"] == "0"
    assert len(backend.dump_tables()["Referrals"]) == 1


def test_a_partner_removed_from_the_country_file_stops_receiving_referrals(tmp_path):
    with local_backend(partners(), country="pl", state_dir=tmp_path) as b:
        case_id = _case(b, "contact-a-0001")
        assert _refer(b, case_id, "contact-a-0001", needs_codes="SV")["partner_ids"] == "pl-gbv-safe"
    without = [p for p in partners() if p["id"] != "pl-gbv-safe"]
    with local_backend(without, country="pl", state_dir=tmp_path) as b:
        case_id = _case(b, "contact-b-0001")
        assert _refer(b, case_id, "contact-b-0001", needs_codes="SV")["reason"] == "no_partner"
        suggested = b.invoke(
            "save_screening", guide_event(contact_id="contact-b-0001", case_id=case_id, language="uk", needs_codes="SV")
        )
        assert suggested["suggested_partner_ids"] == ""


def test_an_inactive_partner_or_a_lingering_service_item_refers_nobody(backend, case_id):
    from functions.dal.models import Partner

    Partner("pl-gbv-safe").update(actions=[Partner.active.set(False)])
    assert _refer(backend, case_id, needs_codes="SV")["reason"] == "no_partner"
    Partner("pl-gbv-safe").delete()  # deleted from the directory, its PartnerServices items left behind
    assert _refer(backend, case_id, "contact-d-0001", needs_codes="SV")["reason"] == "no_partner"


def test_expired_items_are_absent(backend, case_id):
    from functions.dal.models import Caller, Case, Interaction

    caller_id = backend.invoke("identify_caller", load_event("identify_caller"))["caller_id"]
    past = datetime.now(UTC) - timedelta(seconds=1)
    Interaction(f"case#{case_id}", 1).update(actions=[Interaction.expires_at.set(past)])
    context = backend.invoke("get_caller_context", guide_event(caller_id=caller_id, case_id=case_id))
    assert context["case_id"] == case_id and context["last_interactions"] == ""  # expired records left out
    Case(case_id).update(actions=[Case.expires_at.set(past)])
    context = backend.invoke("get_caller_context", guide_event(caller_id=caller_id, case_id=case_id))
    assert context["case_id"] == "" and context["case_status"] == ""
    assert _refer(backend, case_id, needs_codes="SV")["status"] == "case_not_found"
    outcome = guide_event(case_id=case_id, outcome="resolved")
    assert backend.invoke("record_outcome", outcome)["status"] == "case_not_found"
    Caller(caller_id).update(actions=[Caller.blocked_until.set(datetime.now(UTC) + timedelta(hours=1))])
    assert backend.invoke("get_caller_context", guide_event(caller_id=caller_id))["blocked"] == "true"
    Caller(caller_id).update(actions=[Caller.expires_at.set(past)])
    assert backend.invoke("get_caller_context", guide_event(caller_id=caller_id))["blocked"] == "false"
    # a new report of the expired caller opens a new case although the expired item still points to the old
    created = backend.invoke("create_case", with_contact(load_event("create_case"), "later-contact-0001"))
    assert created["status"] == "ok" and created["created"] == "true" and created["case_id"] != case_id


def test_a_service_dropped_from_the_country_file_is_not_served_even_if_its_item_lingers(backend, case_id):
    """The stack's seeding rewrites a kept partner's items but may leave a dropped code's PartnerServices
    item behind: selection checks the Partners item's own services, so the partner is not chosen."""
    from functions.dal.models import Partner, PartnerService

    Partner("pl-gbv-safe").update(actions=[Partner.services.set(["WR"])])  # SV dropped, SV items left
    assert PartnerService.get("SV-VA", "pl-gbv-safe").match == "family"
    assert _refer(backend, case_id, needs_codes="SV-VA")["reason"] == "no_partner"
    screening = guide_event(case_id=case_id, language="uk", needs_codes="SV-VA", region="mazowieckie")
    assert backend.invoke("save_screening", screening)["suggested_partner_ids"] == ""
