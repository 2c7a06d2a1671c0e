"""Concurrent changes to one case never fork its chain; a Connect failure is no decision."""

from __future__ import annotations

from functions import deadline
from functions.deadline import FLOW_BUDGET_SECONDS
from functions.logic.chain import verify_chain
from tests.integration.support import guide_event, load_event


def test_a_change_racing_another_is_replanned_on_the_new_head(backend, case_id, monkeypatch):
    """Another contact appends between this handler's read and its transaction: the transaction is
    cancelled (head condition), the case read again, the change appended after the other one."""
    from functions.dal import repository

    original = repository.get_case
    raced = []

    def read_then_race(cid):
        case = original(cid)
        if not raced:
            raced.append(True)
            other = guide_event(contact_id="other-contact-0001", call_type="silent", case_id=cid)
            assert backend.invoke("classify_call", other)["status"] == "ok"
        return case

    monkeypatch.setattr(repository, "get_case", read_then_race)
    backend.reset_calls()
    event = guide_event(case_id=case_id, outcome="follow_up", follow_up="true")
    assert backend.invoke("record_outcome", event) == {"status": "ok", "case_status": "open"}
    chain = sorted(
        (r for r in backend.dump_tables()["Interactions"] if r["chain_id"] == f"case#{case_id}"),
        key=lambda r: r["seq"],
    )
    assert [r["record_type"] for r in chain] == ["case_created", "call_classified", "outcome_recorded"]
    assert verify_chain(chain) == []
    (case,) = backend.dump_tables()["Cases"]
    assert case["chain_seq"] == 3 and case["chain_head"] == chain[-1]["record_hash"]
    writes = [c.operation for c in backend.dynamodb_calls() if c.operation == "TransactWriteItems"]
    assert len(writes) == 3  # the other contact's, the cancelled one, the retry


def test_a_connect_failure_is_backend_unavailable_and_writes_nothing(backend):
    caller_id = backend.invoke("identify_caller", load_event("identify_caller"))["caller_id"]
    supervisor = backend.add_agent("super-0001", supervisor=True)
    backend.inject_failure("DescribeUser", service="connect", error="ThrottlingException")
    before = backend.dump_tables()
    clock = backend.virtual_seconds
    answer = backend.invoke("block_caller", guide_event(caller_id=caller_id, hours="1", agent_arn=supervisor))
    assert answer == {"status": "backend_unavailable", "blocked_until": ""}
    assert backend.dump_tables() == before
    # botocore retried while a retry could still end within the flow's budget (functions/deadline.py;
    # DDB_MAX_RETRIES=4 allows more): throttled, back-offs of up to 1 s and 2 s; after the third
    # attempt one more (up to 4 s back-off plus a 3-s attempt) could have ended after the deadline
    attempts = backend.attempts("connect", "DescribeUser")
    elapsed = backend.virtual_seconds - clock
    assert attempts == 3 and elapsed <= FLOW_BUDGET_SECONDS
    assert elapsed + deadline.backoff_seconds(attempts) + deadline.attempt_seconds() > FLOW_BUDGET_SECONDS
