"""The two ways deliver_outbox can publish one referral twice (docs/partners.md), and the key a
partner de-duplicates on: ``referral_id`` in the event's Detail, the same in both deliveries.

1. A lost PutEvents response (here), 2. a mark lost after a successful PutEvents
(tests/integration/test_fn_referral_outbox.py::test_a_mark_lost_after_a_publish_is_the_one_case_of_a_second_publish).
"""

from __future__ import annotations

import json

from tests.integration.support import guide_event


def test_a_lost_put_events_response_publishes_the_referral_twice_with_one_dedup_key(backend, case_id, monkeypatch):
    from botocore.exceptions import ReadTimeoutError

    from functions.dal import clients
    from functions.logic import outbox

    backend.invoke(
        "route_referral",
        guide_event(case_id=case_id, needs_codes="SV", consent="true", region="mazowieckie", language="uk"),
    )
    client = clients.client("events")
    real = client.put_events

    def answer_lost(**params):
        real(**params)  # EventBridge accepted the entries and routed them to the partner ...
        raise ReadTimeoutError(endpoint_url="https://events.eu-central-1.amazonaws.com")  # ... the answer never came

    monkeypatch.setattr(client, "put_events", answer_lost)
    (failed,) = backend.pump_streams()
    assert isinstance(failed, outbox.DeliveryFailed)  # not acknowledged: the lease is given back, the stream retries
    monkeypatch.setattr(client, "put_events", real)
    assert backend.pump_streams() == [{"status": "ok", "delivered": "1", "skipped": "0"}]
    details = [json.loads(e["Detail"]) for e in backend.published_events]
    assert len(details) == 2  # the partner received the referral twice ...
    assert details[0]["referral_id"] == details[1]["referral_id"]  # ... under one de-duplication key
    assert details[0] == details[1]
