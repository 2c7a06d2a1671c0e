"""Property: any sequence of reports from a few numbers keeps the case invariants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from functions.logic.chain import verify_chain
from helpline.sandbox import local_backend
from tests.integration.support import load_event, partners, with_params

report_params = st.fixed_dictionaries(
    {
        "topic": st.sampled_from(["legal", "report_risk", "callback", "health"]),  # feedback: its own case
        "priority": st.sampled_from(["normal", "urgent"]),
        "needs_codes": st.sampled_from(["", "LP-ND", "SV", "SM,PG", "SC-UC,LP"]),
        "consent": st.sampled_from(["true", "false"]),
    }
)
NUMBERS = ("+48601000001", "+48601000002", "anonymous")


@settings(max_examples=15, deadline=None)
@given(reports=st.lists(st.tuples(st.sampled_from(NUMBERS), report_params, st.booleans()), min_size=1, max_size=8))
def test_reports_from_a_few_numbers_keep_one_open_case_per_caller(reports):
    """Any sequence of reports (some replayed): one case per known number holding one chain record
    per distinct contact, one case per withheld contact, urgent iff a report was, chains intact."""
    from functions.logic.needs import any_urgent, parse_needs

    with local_backend(partners(), country="pl") as b:
        contacts: list[tuple[str, dict, str]] = []
        for i, (number, params, replay) in enumerate(reports):
            if replay and contacts:
                number, params, contact = contacts[-1]  # Connect invokes the same contact again
            else:
                contact = f"prop-contact-{i:04d}"
                contacts.append((number, params, contact))
            event = with_params(load_event("create_case"), **params)
            event["Details"]["ContactData"]["ContactId"] = contact
            event["Details"]["ContactData"]["CustomerEndpoint"]["Address"] = number
            assert b.invoke("create_case", event)["status"] == "ok"
        tables = b.dump_tables()

    cases = {c["case_id"]: c for c in tables["Cases"]}
    known = {n for n, _, _ in contacts if n != "anonymous"}
    anonymous = [c for n, _, c in contacts if n == "anonymous"]
    assert len(cases) == len(known) + len(anonymous)
    assert len(tables["Callers"]) == len(known)
    assert len(tables["Interactions"]) == len(contacts)
    for case_id, case in cases.items():
        records = sorted(
            (r for r in tables["Interactions"] if r["chain_id"] == f"case#{case_id}"), key=lambda r: r["seq"]
        )
        assert verify_chain(records) == [] and case["chain_seq"] == len(records)
        by_seq = sorted(case["contact_seqs"], key=lambda c: int(case["contact_seqs"][c]))
        assert [r["contact_id"] for r in records] == by_seq
        reported = [p for _, p, c in contacts if c in case["contact_seqs"]]
        urgent = any(p["priority"] == "urgent" or any_urgent(parse_needs(p["needs_codes"])) for p in reported)
        assert case["priority"] == ("urgent" if urgent else "normal")
