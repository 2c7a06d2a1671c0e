"""The referral outbox: written with the referral, delivered by deliver_outbox at most once per
message as far as possible (a conditional lease), retried until EventBridge acknowledges it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.integration.support import guide_event


def _refer(backend, case_id: str, contact_id: str = "5ca32fbd-8f92-46af-92a5-6b0f970f0efe") -> dict:
    params = {
        "case_id": case_id,
        "needs_codes": "LP-ND,SM-CC",
        "consent": "true",
        "region": "mazowieckie",
        "language": "uk",
    }
    return backend.invoke("route_referral", guide_event(contact_id=contact_id, **params))


def _age(message_id: str, minutes: int) -> None:
    from functions.dal.models import OutboxMessage
    from functions.logic.common import iso

    old = iso(datetime.now(UTC) - timedelta(minutes=minutes))
    OutboxMessage(message_id).update(actions=[OutboxMessage.created_at.set(old)])


def test_the_outbox_message_is_written_with_its_referral(backend, case_id):
    answer = _refer(backend, case_id)
    tables = backend.dump_tables()
    referrals = {r["referral_id"]: r for r in tables["Referrals"]}
    messages = {m["message_id"]: m for m in tables["Outbox"]}
    assert set(messages) == {f"referral#{rid}" for rid in referrals}
    for rid, referral in referrals.items():
        message = messages[f"referral#{rid}"]
        assert message["status"] == "pending" and message["pending"] == "pending" and message["attempts"] == 0
        assert message["expires_at"] == referral["expires_at"] == tables["Cases"][0]["expires_at"]
        detail = json.loads(message["detail"])
        assert detail["referral_id"] == rid and detail["referral_ref"] == referral["referral_ref"]
        assert detail["partner_id"] == referral["partner_id"] and "+48" not in message["detail"]
    assert sorted(r["referral_ref"] for r in referrals.values()) == sorted(answer["referral_refs"].split(","))


def test_a_failed_transaction_leaves_no_message(backend, case_id):
    backend.inject_failure("TransactWriteItems", error="InternalServerError")
    assert _refer(backend, case_id)["status"] == "backend_unavailable"
    assert backend.dump_tables()["Outbox"] == [] and backend.pump_streams() == []


def test_a_message_leased_by_another_deliverer_is_not_published_twice(backend, case_id):
    from functions.dal import repository

    _refer(backend, case_id)
    ids = sorted(m["message_id"] for m in backend.dump_tables()["Outbox"])
    now = int(datetime.now(UTC).timestamp())
    assert repository.claim_message(ids[0], now, 60) is not None  # another deliverer holds it
    assert repository.claim_message(ids[0], now, 60) is None  # a lease cannot be taken twice
    assert backend.pump_streams() == [{"status": "ok", "delivered": "1", "skipped": "1"}]
    assert len(backend.published_events) == 1
    status = {m["message_id"]: m["status"] for m in backend.dump_tables()["Outbox"]}
    assert status == {ids[0]: "pending", ids[1]: "delivered"}


def test_the_schedule_redrives_pending_messages_older_than_five_minutes(backend, case_id):
    backend.inject_failure("PutEvents", service="events", error="AccessDeniedException")
    _refer(backend, case_id)
    assert type(backend.pump_streams()[0]).__name__ == "DeliveryFailed"
    backend.clear_failures()
    ids = sorted(m["message_id"] for m in backend.dump_tables()["Outbox"])
    _age(ids[0], minutes=6)
    _age(ids[1], minutes=4)
    assert backend.run_schedule() == {"status": "ok", "delivered": "1", "skipped": "0"}
    assert [json.loads(e["Detail"])["referral_id"] for e in backend.published_events] == [ids[0].split("#")[1]]
    _age(ids[1], minutes=6)
    assert backend.run_schedule()["delivered"] == "1"
    assert backend.run_schedule()["delivered"] == "0"
    assert len(backend.published_events) == 2
    tables = backend.dump_tables()
    assert {(m["status"], "pending" in m, "claimed_until" in m) for m in tables["Outbox"]} == {
        ("delivered", False, False)
    }


def test_a_failed_claim_publishes_nothing_and_the_batch_is_retried(backend, case_id):
    _refer(backend, case_id)
    from functions.dal.models import OutboxMessage
    from functions.settings import DEFAULT_MAX_RETRIES

    attempts = 1 + DEFAULT_MAX_RETRIES  # stream-invoked, no flow deadline: every attempt is made
    backend.inject_failure(
        "UpdateItem", error="InternalServerError", table=OutboxMessage.Meta.table_name, times=attempts
    )
    (failed,) = backend.pump_streams()  # the first claim fails (every attempt): raised, nothing published
    assert not isinstance(failed, dict) and backend.published_events == []
    assert {m["attempts"] for m in backend.dump_tables()["Outbox"]} == {0}
    backend.clear_failures()
    assert backend.pump_streams() == [{"status": "ok", "delivered": "2", "skipped": "0"}]
    assert len(backend.published_events) == 2


def test_an_expired_message_is_not_delivered(backend, case_id):
    from functions.dal.models import OutboxMessage

    backend.inject_failure("PutEvents", service="events", error="AccessDeniedException")
    _refer(backend, case_id)
    backend.pump_streams()
    backend.clear_failures()
    for message in backend.dump_tables()["Outbox"]:
        _age(message["message_id"], minutes=10)
        past = datetime.now(UTC) - timedelta(seconds=1)
        OutboxMessage(message["message_id"]).update(actions=[OutboxMessage.expires_at.set(past)])
    assert backend.run_schedule() == {"status": "ok", "delivered": "0", "skipped": "0"}
    assert backend.published_events == []


def test_malformed_events_are_dropped(backend):
    assert backend.invoke("deliver_outbox", {"foo": "bar"}) == {"status": "invalid_event"}
    modify_only = {"Records": [{"eventName": "MODIFY", "dynamodb": {"Keys": {"message_id": {"S": "x"}}}}]}
    assert backend.invoke("deliver_outbox", modify_only) == {"status": "ok", "delivered": "0", "skipped": "0"}
    assert backend.calls == [] or all(c.service != "events" for c in backend.calls)


def test_only_new_messages_in_the_stream_are_delivered(backend, case_id):
    """MODIFY records (claims, marks, released leases) are not new messages: the stream's retry of a
    failed INSERT, the schedule and the lease decide when a message is tried again."""
    _refer(backend, case_id)
    (message, _) = backend.dump_tables()["Outbox"]
    image = {"message_id": {"S": message["message_id"]}, "status": {"S": "pending"}}
    record = {"eventName": "MODIFY", "dynamodb": {"Keys": {"message_id": image["message_id"]}, "NewImage": image}}
    backend.reset_calls()
    assert backend.invoke("deliver_outbox", {"Records": [record]}) == {"status": "ok", "delivered": "0", "skipped": "0"}
    assert backend.calls == [] and backend.published_events == []
    insert = {**record, "eventName": "INSERT"}
    assert backend.invoke("deliver_outbox", {"Records": [insert]})["delivered"] == "1"


def test_a_mark_lost_after_a_publish_is_the_one_case_of_a_second_publish(backend, case_id, monkeypatch):
    """Never lost: a message published but not marked stays leased; once the lease has run out the
    schedule publishes it again (same referral_id: consumers de-duplicate)."""
    from functions.dal import repository
    from functions.dal.models import OutboxMessage
    from functions.errors import BackendUnavailable

    backend.invoke(
        "route_referral",
        guide_event(case_id=case_id, needs_codes="SV", consent="true", region="mazowieckie", language="uk"),
    )
    original = repository.mark_delivered

    def lost(*args, **kwargs):
        raise BackendUnavailable("mark lost")

    monkeypatch.setattr(repository, "mark_delivered", lost)
    (failed,) = backend.pump_streams()
    assert isinstance(failed, BackendUnavailable) and len(backend.published_events) == 1
    monkeypatch.setattr(repository, "mark_delivered", original)
    assert backend.pump_streams() == [{"status": "ok", "delivered": "0", "skipped": "1"}]  # leased: not again
    (message,) = backend.dump_tables()["Outbox"]
    _age(message["message_id"], minutes=6)
    OutboxMessage(message["message_id"]).update(actions=[OutboxMessage.claimed_until.set(1)])  # lease ran out
    assert backend.run_schedule() == {"status": "ok", "delivered": "1", "skipped": "0"}
    first, second = (json.loads(e["Detail"])["referral_id"] for e in backend.published_events)
    assert first == second
    (message,) = backend.dump_tables()["Outbox"]
    assert message["status"] == "delivered" and message["attempts"] == 2
