"""Returning callers: a report from a caller with an open case joins that case's chain.

Also: callbacks recorded as reports (topic ``callback``), withheld numbers, closed and referred
cases, replays, and concurrent appends (the chain never forks).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from functions.logic.chain import GENESIS, verify_chain
from tests.integration.support import load_event, with_contact, with_params

FIRST = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe"  # the fixture's ContactId


def report(contact: str, number: str | None = "+48601234567", **params: str) -> dict:
    event = with_params(with_contact(load_event("create_case"), contact), **params)
    endpoint = {"Address": number or "anonymous", "Type": "TELEPHONE_NUMBER"}
    event["Details"]["ContactData"]["CustomerEndpoint"] = endpoint
    return event


def chain(backend, case_id: str) -> list[dict]:
    records = [r for r in backend.dump_tables()["Interactions"] if r["chain_id"] == f"case#{case_id}"]
    return sorted(records, key=lambda r: r["seq"])


def case_item(backend, case_id: str) -> dict:
    (case,) = [c for c in backend.dump_tables()["Cases"] if c["case_id"] == case_id]
    return case


def identify(backend, contact: str, number: str = "+48601234567") -> dict:
    """identify_caller for the call, as the flow runs it before a report: links the contact."""
    event = with_contact(load_event("identify_caller"), contact)
    event["Details"]["ContactData"]["CustomerEndpoint"] = {"Address": number, "Type": "TELEPHONE_NUMBER"}
    return backend.invoke("identify_caller", event)


def tables_called(backend) -> list[tuple[str, str]]:
    """(operation, table) of every DynamoDB request, the table by its logical name."""
    from functions.dal.models import MODELS_BY_LOGICAL_NAME

    logical = {backend.env[m.TABLE_ENV]: name for name, m in MODELS_BY_LOGICAL_NAME.items()}
    return [(c.operation, logical.get(c.params.get("TableName"), "?")) for c in backend.dynamodb_calls()]


NORMAL = {"topic": "operator", "priority": "normal", "needs_codes": "", "consent": "false", "channel_note": ""}


def test_three_reports_from_one_number_make_one_case_with_a_three_record_chain(backend):
    answers = [
        backend.invoke("create_case", report("contact-0001", **NORMAL)),
        backend.invoke("create_case", report("contact-0002", topic="legal", needs_codes="LP-ND", consent="true")),
        backend.invoke("create_case", report("contact-0003", topic="callback", **{"needs_codes": ""})),
    ]
    case_id = answers[0]["case_id"]
    assert [(a["status"], a["case_id"], a["created"], a["appended"]) for a in answers] == [
        ("ok", case_id, "true", "false"),
        ("ok", case_id, "false", "true"),
        ("ok", case_id, "false", "true"),
    ]
    tables = backend.dump_tables()
    (case,) = tables["Cases"]
    assert case["case_id"] == case_id and case["status"] == "open"
    records = chain(backend, case_id)
    assert len(records) == 3 and len(tables["Interactions"]) == 3
    assert verify_chain(records) == []
    assert [r["record_type"] for r in records] == ["case_created", "contact_added", "contact_added"]
    assert [r["contact_id"] for r in records] == ["contact-0001", "contact-0002", "contact-0003"]
    assert records[0]["prev_hash"] == GENESIS
    assert records[1]["prev_hash"] == records[0]["record_hash"]
    assert records[2]["prev_hash"] == records[1]["record_hash"]
    assert {r["expires_at"] for r in records} == {case["expires_at"]}  # the chain expires as a whole
    assert records[1]["payload"] == {
        "topic": "legal",
        "language": "uk",
        "priority": "normal",
        "needs_codes": "LP-ND",
        "consent": "true",
        "channel_note": "ivr:legal-menu",
        "contact_id": "contact-0002",
    }
    assert records[2]["payload"]["topic"] == "callback" and records[2]["payload"]["consent"] == "true"
    assert records[0]["payload"] == {
        "topic": "operator",
        "language": "uk",
        "priority": "normal",
        "needs_codes": "",
        "consent": "false",
        "channel_note": "",
    }
    for r in records:
        assert r["case_id"] == case_id and r["actor"] == "contact_flow" and r.get("event_id") is None
    # the case knows its head and which contact wrote which record
    assert case["chain_seq"] == 3 and case["chain_head"] == records[2]["record_hash"]
    assert case["contact_seqs"] == {"contact-0001": "1", "contact-0002": "2", "contact-0003": "3"}
    assert case["last_contact_id"] == "contact-0003"
    assert case["updated_at"] > case["created_at"] and case["last_contact_at"] == case["updated_at"]
    # what the first report said stays the case's own record
    assert case["topic"] == "operator" and case["needs_codes"] == [] and case["consent"] is False
    (caller,) = tables["Callers"]
    assert caller["open_case_id"] == case_id and caller["last_contact_id"] == "contact-0003"
    assert caller["first_contact_id"] == "contact-0001"


def test_the_number_is_normalised_before_pseudonymising(backend):
    first = backend.invoke("create_case", report("contact-0001", "+48 601-234-567", **NORMAL))
    second = backend.invoke("create_case", report("contact-0002", "0048601234567", **NORMAL))
    assert second["case_id"] == first["case_id"] and second["appended"] == "true"


def test_another_number_gets_its_own_case(backend):
    first = backend.invoke("create_case", report("contact-0001", **NORMAL))
    other = backend.invoke("create_case", report("contact-0002", "+48601999888", **NORMAL))
    assert other["created"] == "true" and other["case_id"] != first["case_id"]
    assert len(backend.dump_tables()["Cases"]) == 2


def test_an_urgent_report_raises_the_case_and_a_normal_one_never_lowers_it(backend):
    case_id = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    assert case_item(backend, case_id)["priority"] == "normal"
    backend.invoke("create_case", report("contact-0002", **{**NORMAL, "needs_codes": "SV"}))  # SV is urgent
    assert case_item(backend, case_id)["priority"] == "urgent"
    assert chain(backend, case_id)[1]["payload"]["priority"] == "urgent"
    backend.invoke("create_case", report("contact-0003", **NORMAL))
    assert case_item(backend, case_id)["priority"] == "urgent"
    backend.invoke("create_case", report("contact-0004", **{**NORMAL, "priority": "urgent"}))
    records = chain(backend, case_id)
    assert [r["payload"]["priority"] for r in records] == ["normal", "urgent", "normal", "urgent"]
    assert [r["payload"]["consent"] for r in records] == ["false"] * 4
    assert [r["payload"]["needs_codes"] for r in records] == ["", "SV", "", ""]


def test_a_flow_marked_urgent_report_without_urgent_needs_raises_the_case(backend):
    case_id = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    backend.invoke("create_case", report("contact-0002", **{**NORMAL, "priority": "urgent"}))
    assert case_item(backend, case_id)["priority"] == "urgent"


def test_replays_of_an_append_write_nothing_and_answer_the_same(backend):
    """A replay writes nothing new: no case, chain or caller write.  Its one write request is the
    call's ContactLinks update naming the case the link already names (an idempotent UpdateItem of
    the same value, kept on purpose: it repairs a link whose best-effort naming failed the first
    time, functions.logic.cases._link_case); the stored items stay byte for byte the same."""
    for contact in ("contact-0001", "contact-0002"):
        identify(backend, contact)
    backend.invoke("create_case", report("contact-0001", **NORMAL))
    first = backend.invoke("create_case", report("contact-0002", **NORMAL))
    before = backend.dump_tables()
    assert {link["contact_id"]: link["case_id"] for link in before["ContactLinks"]} == {
        "contact-0001": first["case_id"],
        "contact-0002": first["case_id"],
    }
    backend.reset_calls()
    replays = [backend.invoke("create_case", report("contact-0002", **NORMAL)) for _ in range(4)]
    assert replays == [first] * 4
    assert backend.dump_tables() == before
    one_replay = [("GetItem", "Callers"), ("GetItem", "Cases"), ("UpdateItem", "ContactLinks")]
    assert tables_called(backend) == one_replay * 4
    for call in (c for c in backend.dynamodb_calls() if c.operation == "UpdateItem"):
        assert call.params["ExpressionAttributeValues"] == {":0": {"S": first["case_id"]}}  # the same case id
    # a replay of the contact that opened the case also answers as it did first
    backend.reset_calls()
    assert backend.invoke("create_case", report("contact-0001", **NORMAL))["created"] == "true"
    assert tables_called(backend) == one_replay
    assert backend.dump_tables() == before


def test_a_replay_with_other_parameters_still_changes_nothing(backend):
    backend.invoke("create_case", report("contact-0001", **NORMAL))
    backend.invoke("create_case", report("contact-0002", **NORMAL))
    before = backend.dump_tables()
    replay = backend.invoke("create_case", report("contact-0002", **{**NORMAL, "needs_codes": "SV"}))
    assert replay["appended"] == "true" and backend.dump_tables() == before


def test_withheld_numbers_always_open_a_new_case(backend):
    answers = [backend.invoke("create_case", report(f"anon-000{i}", None, **NORMAL)) for i in range(3)]
    assert all(a["created"] == "true" and a["appended"] == "false" for a in answers)
    assert len({a["case_id"] for a in answers}) == 3
    tables = backend.dump_tables()
    assert len(tables["Cases"]) == 3 and tables["Callers"] == []
    assert all(c.get("caller_id") is None for c in tables["Cases"])
    # a known caller's open case is not touched by a withheld call
    known = backend.invoke("create_case", report("known-0001", **NORMAL))
    backend.invoke("create_case", report("anon-0009", None, **NORMAL))
    assert len(chain(backend, known["case_id"])) == 1


def _set_status(case_id: str, status: str) -> None:
    from functions.dal.models import Case

    Case(case_id).update(actions=[Case.status.set(status)])


def test_a_closed_case_is_left_alone_and_a_new_one_opened(backend):
    old = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    _set_status(old, "closed")
    before = case_item(backend, old)
    identify(backend, "contact-0002")  # the call's link, as the flow makes it before the report
    backend.reset_calls()
    new = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert tables_called(backend) == [
        ("GetItem", "Callers"),
        ("GetItem", "Cases"),  # the closed case the pointer still names
        ("TransactWriteItems", "?"),  # the new case, its first record, the caller's pointer
        ("UpdateItem", "ContactLinks"),  # the call's link names the new case
    ]
    assert new["created"] == "true" and new["appended"] == "false" and new["case_id"] != old
    assert case_item(backend, old) == before and len(chain(backend, old)) == 1
    tables = backend.dump_tables()
    assert tables["Callers"][0]["open_case_id"] == new["case_id"]
    assert {link["contact_id"]: link["case_id"] for link in tables["ContactLinks"]} == {"contact-0002": new["case_id"]}
    # and the next report joins the new case
    third = backend.invoke("create_case", report("contact-0003", **NORMAL))
    assert third["case_id"] == new["case_id"] and third["appended"] == "true"


def test_a_referred_case_is_still_open_work(backend):
    case_id = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    _set_status(case_id, "referred")
    again = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert again["case_id"] == case_id and again["appended"] == "true"
    assert case_item(backend, case_id)["status"] == "referred"


def test_a_dangling_pointer_opens_a_new_case(backend):
    from functions.dal.models import Case

    old = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    Case(old).delete()  # e.g. expired by its TTL before the caller's pointer
    new = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert new["created"] == "true" and new["case_id"] != old
    assert backend.dump_tables()["Callers"][0]["open_case_id"] == new["case_id"]


def test_a_case_without_a_chain_head_is_not_appended_to(backend):
    """A case written before chain heads were stored: open a new case rather than guess the head."""
    from functions.dal.models import Case

    old = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    Case(old).update(actions=[Case.chain_seq.remove(), Case.chain_head.remove()])
    new = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert new["created"] == "true" and new["case_id"] != old
    assert len(chain(backend, old)) == 1


# --- callbacks ----------------------------------------------------------------------------------


def test_a_callback_request_is_a_stored_record(backend):
    """The flows call create_case with topic=callback right before CreateCallbackContact."""
    answer = backend.invoke("create_case", report("cb-contact-0001", topic="callback", priority="normal"))
    assert answer["status"] == "ok" and answer["created"] == "true"
    case = case_item(backend, answer["case_id"])
    assert case["topic"] == "callback" and case["status"] == "open"
    (record,) = chain(backend, answer["case_id"])
    assert record["record_type"] == "case_created" and record["payload"]["topic"] == "callback"


def test_a_callback_from_a_caller_with_an_open_case_is_an_interaction_of_that_case(backend):
    case_id = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    answer = backend.invoke(
        "create_case", report("cb-contact-0002", topic="callback", priority="normal", needs_codes="")
    )
    assert answer["case_id"] == case_id and answer["appended"] == "true"
    records = chain(backend, case_id)
    assert records[-1]["record_type"] == "contact_added" and records[-1]["payload"]["topic"] == "callback"
    assert records[-1]["payload"]["priority"] == "normal"


def test_callback_from_a_withheld_number_is_recorded_too(backend):
    answer = backend.invoke("create_case", report("cb-anon-0001", None, topic="callback", priority="normal"))
    assert answer["status"] == "ok" and case_item(backend, answer["case_id"])["topic"] == "callback"


# --- concurrency ---------------------------------------------------------------------------------


def _competitor(monkeypatch, target: str, contacts: list[str], number: str = "+48601234567") -> list[dict]:
    """Run another contact's whole create_case just before each call of repository.<target>."""
    from functions.dal import repository
    from functions.logic import cases
    from functions.models.connect import parse_flow_event

    original = getattr(repository, target)
    answers: list[dict] = []
    running = []

    def racing(*args, **kwargs):
        if contacts and not running:  # the rival's own write is not raced
            running.append(True)
            try:
                answers.append(cases.run(parse_flow_event(report(contacts.pop(0), number, **NORMAL))))
            finally:
                running.clear()
        return original(*args, **kwargs)

    monkeypatch.setattr(repository, target, racing)
    return answers


def test_a_concurrent_append_is_retried_and_the_chain_does_not_fork(backend, monkeypatch):
    case_id = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    rival = _competitor(monkeypatch, "append_to_case", ["rival-0001"])
    backend.reset_calls()
    answer = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert answer == {"status": "ok", "case_id": case_id, "created": "false", "appended": "true"}
    assert rival[0]["appended"] == "true"
    records = chain(backend, case_id)
    assert [r["contact_id"] for r in records] == ["contact-0001", "rival-0001", "contact-0002"]
    assert verify_chain(records) == []
    transactions = [c for c in backend.dynamodb_calls() if c.operation == "TransactWriteItems"]
    assert len(transactions) == 3  # the rival's, the cancelled one, the retried one


def test_appends_that_keep_losing_answer_backend_unavailable_and_write_nothing(backend, monkeypatch, capsys):
    case_id = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    rivals = [f"rival-000{i}" for i in range(4)]
    _competitor(monkeypatch, "append_to_case", rivals)
    capsys.readouterr()
    answer = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert answer["status"] == "backend_unavailable" and answer["case_id"] == ""
    assert rivals == ["rival-0003"]  # three attempts, each lost to one rival
    records = chain(backend, case_id)
    assert [r["contact_id"] for r in records] == ["contact-0001", "rival-0000", "rival-0001", "rival-0002"]
    assert "contact-0002" not in case_item(backend, case_id)["contact_seqs"]
    assert verify_chain(records) == []
    assert '"CreateCaseConflict":[1.0]' in capsys.readouterr().out  # metric for an alarm


def test_a_chain_head_out_of_sync_is_reported_and_nothing_forks(backend):
    """A record at head + 1 already exists although the case's head did not move (a writer that
    broke the rule): the append never overwrites it, and the flow gets backend_unavailable."""
    from functions.dal.models import Interaction

    case_id = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    (first,) = chain(backend, case_id)
    Interaction(
        chain_id=f"case#{case_id}",
        seq=2,
        record_type="operator_note",
        contact_id="other",
        occurred_at="t",
        recorded_at="t",
        prev_hash=first["record_hash"],
        record_hash="x",
    ).save()
    answer = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert answer["status"] == "backend_unavailable"
    assert [r["contact_id"] for r in chain(backend, case_id)] == ["contact-0001", "other"]
    assert case_item(backend, case_id)["chain_seq"] == 1
    assert sum("case chain head out of sync" in line for line in backend.logs) == 3  # once per attempt


def test_a_case_deleted_between_read_and_write_gets_a_new_case(backend, monkeypatch):
    from functions.dal import repository
    from functions.dal.models import Case

    old = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    original = repository.append_to_case

    def deleting(*args, **kwargs):
        Case(old).delete()
        return original(*args, **kwargs)

    monkeypatch.setattr(repository, "append_to_case", deleting)
    answer = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert answer["created"] == "true" and answer["case_id"] != old
    assert [c["case_id"] for c in backend.dump_tables()["Cases"]] == [answer["case_id"]]
    assert backend.dump_tables()["Callers"][0]["open_case_id"] == answer["case_id"]


def test_a_case_id_collision_is_an_internal_error_not_a_silent_merge(backend):
    from functions.dal.models import Case
    from functions.logic.common import case_id_for

    now = datetime.now(UTC)
    Case(
        case_id=case_id_for("pl", "anon-0001"),
        country="pl",
        topic="legal",
        language="uk",
        contact_id="somebody-else",  # another contact whose id hashed to the same case id
        created_at=now,
        updated_at=now,
    ).save()
    before = backend.dump_tables()
    answer = backend.invoke("create_case", report("anon-0001", None, **NORMAL))
    assert answer == {"status": "internal_error", "case_id": "", "created": "false", "appended": "false"}
    assert backend.dump_tables() == before


def test_two_first_reports_of_one_caller_at_once_make_one_case(backend, monkeypatch):
    rival = _competitor(monkeypatch, "create_case", ["rival-0001"])
    answer = backend.invoke("create_case", report("contact-0001", **NORMAL))
    assert rival[0]["created"] == "true"
    # contact-0001 saw no case, lost the caller's pointer to the rival, read again and appended
    assert answer["case_id"] == rival[0]["case_id"] and answer["appended"] == "true"
    tables = backend.dump_tables()
    assert len(tables["Cases"]) == 1 and len(tables["Interactions"]) == 2
    assert verify_chain(chain(backend, answer["case_id"])) == []


def test_a_case_closed_between_read_and_write_gets_a_new_case(backend, monkeypatch):
    from functions.dal import repository

    old = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    original = repository.append_to_case

    def closing(*args, **kwargs):
        _set_status(old, "closed")
        return original(*args, **kwargs)

    monkeypatch.setattr(repository, "append_to_case", closing)
    backend.reset_calls()
    answer = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert answer["created"] == "true" and answer["case_id"] != old
    assert len(chain(backend, old)) == 1
    # the cancelled append's old image says "closed": a new case at once, no second read
    ops = [c.operation for c in backend.dynamodb_calls() if c.operation != "UpdateItem"]
    assert ops == ["GetItem", "GetItem", "TransactWriteItems", "TransactWriteItems"]
    assert not any("out of sync" in line for line in backend.logs)


def test_a_concurrent_replay_of_the_same_contact_answers_appended(backend, monkeypatch):
    case_id = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    _competitor(monkeypatch, "append_to_case", ["contact-0002"])  # the same contact, delivered twice
    backend.reset_calls()
    answer = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert answer == {"status": "ok", "case_id": case_id, "created": "false", "appended": "true"}
    assert len(chain(backend, case_id)) == 2
    # ours: read, read, cancelled transaction whose old image shows the rival was this contact
    assert [c.operation for c in backend.dynamodb_calls()].count("GetItem") == 4  # 2 ours + 2 the rival's


@pytest.mark.parametrize("error", ["TransactionConflict", "ReadTimeoutAfterSend"])
def test_a_new_case_survives_a_cancelled_or_ambiguous_transaction(backend, error):
    backend.inject_failure("TransactWriteItems", error=error, times=1)
    answer = backend.invoke("create_case", report("contact-0001", **NORMAL))
    assert answer["status"] == "ok" and answer["created"] == "true" and answer["appended"] == "false"
    tables = backend.dump_tables()
    assert len(tables["Cases"]) == 1 and len(tables["Interactions"]) == 1
    assert tables["Callers"][0]["open_case_id"] == answer["case_id"]
    assert backend.attempts("dynamodb", "TransactWriteItems") == 2


@pytest.mark.parametrize("error", ["TransactionConflict", "ReadTimeoutAfterSend"])
def test_an_append_survives_a_cancelled_or_ambiguous_transaction(backend, error):
    """TransactionConflict: DynamoDB cancelled it for a concurrent transaction (not retried by botocore:
    the handler reads again).  ReadTimeoutAfterSend: it committed but the answer was lost; botocore's
    retry then meets the conditions and the case's old image shows this contact was appended."""
    case_id = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    backend.inject_failure("TransactWriteItems", error=error, times=1)
    backend.reset_calls()
    answer = backend.invoke("create_case", report("contact-0002", **NORMAL))
    assert answer == {"status": "ok", "case_id": case_id, "created": "false", "appended": "true"}
    records = chain(backend, case_id)
    assert [r["contact_id"] for r in records] == ["contact-0001", "contact-0002"]
    assert verify_chain(records) == []
    assert backend.attempts("dynamodb", "TransactWriteItems") == 2


def test_an_append_sets_a_missing_preferred_language(backend):
    from functions.dal.models import Caller

    backend.invoke("create_case", report("contact-0001", **NORMAL))
    (caller,) = backend.dump_tables()["Callers"]
    Caller(caller["caller_id"]).update(actions=[Caller.preferred_language.remove()])
    backend.invoke("create_case", report("contact-0002", **{**NORMAL, "language": "ru"}))
    assert backend.dump_tables()["Callers"][0]["preferred_language"] == "ru"


def test_updated_at_moves_forward(backend):
    case_id = backend.invoke("create_case", report("contact-0001", **NORMAL))["case_id"]
    created = case_item(backend, case_id)["updated_at"]
    backend.invoke("create_case", report("contact-0002", **NORMAL))
    updated = case_item(backend, case_id)["updated_at"]
    assert updated > created
    assert datetime.fromisoformat(updated.replace("Z", "+00:00")) <= datetime.now(UTC)


def test_feedback_and_complaints_never_join_a_protection_case(backend):
    """A complaint (possibly about an aid worker) is handled separately and confidentially: it
    opens its own case instead of joining the caller's open report, and a later report does not
    join the complaint."""
    risk = backend.invoke(
        "create_case",
        report(
            "contact-0101", topic="report_risk", priority="urgent", needs_codes="", consent="false", channel_note=""
        ),
    )
    complaint = backend.invoke(
        "create_case",
        report("contact-0102", topic="feedback", priority="normal", needs_codes="", consent="false", channel_note=""),
    )
    again = backend.invoke(
        "create_case",
        report(
            "contact-0103", topic="report_risk", priority="urgent", needs_codes="", consent="false", channel_note=""
        ),
    )
    assert complaint["status"] == "ok" and complaint["created"] == "true" and complaint["appended"] == "false"
    assert complaint["case_id"] != risk["case_id"]
    assert again["created"] == "true" and again["case_id"] not in (risk["case_id"], complaint["case_id"])
    assert [r["contact_id"] for r in chain(backend, complaint["case_id"])] == ["contact-0102"]
    assert [r["contact_id"] for r in chain(backend, risk["case_id"])] == ["contact-0101"]
