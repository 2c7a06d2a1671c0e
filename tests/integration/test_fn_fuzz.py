"""Hypothesis-generated events: every answer is a clean flat map, a rejected event writes nothing,
and an ``ok`` answer wrote exactly what that handler writes for it - no more, no less.

What a call writes includes its ContactLinks item (``functions.dal.models.ContactLink``): an
identified call links its contact id to the pseudonym it answered (identify_caller, every ``ok``
answer), and create_case names the answered case on that link when it exists (never creates one).
The link is keyed by the event's ContactId and must say exactly what the answer said."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.dal.models import MODELS_BY_LOGICAL_NAME
from functions.logic.chain import GENESIS, verify_chain
from helpline.sandbox import local_backend
from tests.integration.support import load_event, partners, with_params

FLOW = ("identify_caller", "create_case", "route_referral", "record_survey_answer")

json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=12))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8,
)


def _mutations(base: dict) -> st.SearchStrategy[dict]:
    """Valid fixture with one path replaced by junk or removed."""
    paths = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                paths.append((*path, key))
                walk(value, (*path, key))

    walk(base, ())

    @st.composite
    def mutate(draw):
        event = copy.deepcopy(base)
        path = draw(st.sampled_from(paths))
        parent = event
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = draw(json_values)
        return event

    return mutate()


@pytest.fixture(scope="module")
def shared_backend():
    with local_backend(partners(), country="pl") as b:
        yield b


def _key(logical: str, item: dict) -> tuple:
    model = MODELS_BY_LOGICAL_NAME[logical]
    names = [a.attr_name for a in model.get_attributes().values() if a.is_hash_key or a.is_range_key]
    return tuple(item[n] for n in names)


def _snapshot(b) -> dict[str, dict[tuple, str]]:
    return {
        logical: {_key(logical, item): json.dumps(item, sort_keys=True) for item in items}
        for logical, items in b.dump_tables().items()
    }


def _diff(before: dict, after: dict) -> dict[str, dict[str, list[tuple]]]:
    """Per table: keys added, removed and changed (tables without changes left out)."""
    out = {}
    for table in after:
        old, new = before.get(table, {}), after[table]
        added = [k for k in new if k not in old]
        removed = [k for k in old if k not in new]
        changed = [k for k in new if k in old and new[k] != old[k]]
        if added or removed or changed:
            out[table] = {"added": added, "removed": removed, "changed": changed}
    return out


def _item(snapshot: dict, table: str, key: tuple) -> dict[str, Any]:
    return json.loads(snapshot[table][key])


def _link_change(before: dict, after: dict, contact_id: str) -> tuple[dict, dict]:
    """The call's ContactLinks item before and after ({} when absent); no other link may change."""
    diff = _diff(before, after).get("ContactLinks", {"added": [], "changed": []})
    assert diff["added"] + diff["changed"] in ([], [(contact_id,)]), diff
    old, new = before.get("ContactLinks", {}).get((contact_id,)), after.get("ContactLinks", {}).get((contact_id,))
    return json.loads(old or "{}"), json.loads(new or "{}")


def _caller_number(event: dict) -> str | None:
    """The number the handler pseudonymises (None: withheld or unparseable - no caller, no link)."""
    from functions.logic.pseudonym import normalise_e164

    address = (event["Details"]["ContactData"].get("CustomerEndpoint") or {}).get("Address")
    return normalise_e164(address) if isinstance(address, str) else None


def _expect_ok_writes(name: str, event: dict, response: dict, before: dict, after: dict) -> None:
    """What an ``ok`` answer of ``name`` may have written (and must have, when it says so)."""
    diff = _diff(before, after)
    assert all(not d["removed"] for d in diff.values()), diff  # nothing is ever deleted
    contact_id = event["Details"]["ContactData"]["ContactId"]  # an ok answer had a valid one
    if name == "identify_caller":
        # every identified call links its contact id to the pseudonym it answered: that link is
        # all it writes besides the caller's own item; a case already named on the link is kept
        old, new = _link_change(before, after, contact_id)
        assert new and new["caller_id"] == response["caller_id"], (old, new)
        assert new.get("case_id") == old.get("case_id") and new["linked_at"] == old.get("linked_at", new["linked_at"])
        assert set(new) - set(old) <= {"contact_id", "caller_id", "linked_at", "expires_at", "channel"}, new
        diff.pop("ContactLinks", None)
        assert set(diff) <= {"Callers"}, diff
        if "Callers" in diff:
            assert diff["Callers"]["added"] + diff["Callers"]["changed"] == [(response["caller_id"],)]
        return
    if name == "record_survey_answer":
        if response["recorded"] == "true":
            assert set(diff) == {"SurveyResponses"} and len(diff["SurveyResponses"]["added"]) == 1, diff
            assert diff["SurveyResponses"]["changed"] == []
        else:
            assert diff == {}, diff
        return
    if name == "create_case":
        case_id = response["case_id"]
        # a call with a number names the answered case on its link when identify_caller linked it
        # (a replay sets the same value again: no change); create_case never adds a link
        old, new = _link_change(before, after, contact_id)
        if old and _caller_number(event):
            assert new == {**old, "case_id": case_id}, (old, new)
        else:
            assert new == old, (old, new)
        diff.pop("ContactLinks", None)
        if "Callers" in diff:  # at most the caller's own item
            assert len(diff["Callers"]["added"] + diff["Callers"]["changed"]) == 1, diff
        if response["created"] == "true" and (case_id,) not in before["Cases"]:
            assert diff["Cases"] == {"added": [(case_id,)], "removed": [], "changed": []}
            assert diff["Interactions"] == {"added": [(f"case#{case_id}", 1)], "removed": [], "changed": []}
            assert set(diff) <= {"Cases", "Interactions", "Callers"}, diff
            record = _item(after, "Interactions", (f"case#{case_id}", 1))
            assert record["prev_hash"] == GENESIS and verify_chain([record]) == []
        elif response["appended"] == "true" and diff:
            old_case = _item(before, "Cases", (case_id,))
            seq = old_case["chain_seq"] + 1
            assert diff["Cases"] == {"added": [], "removed": [], "changed": [(case_id,)]}
            assert diff["Interactions"] == {"added": [(f"case#{case_id}", seq)], "removed": [], "changed": []}
            assert set(diff) == {"Cases", "Interactions", "Callers"}, diff
            records = sorted(
                (json.loads(v) for k, v in after["Interactions"].items() if k[0] == f"case#{case_id}"),
                key=lambda r: r["seq"],
            )
            assert len(records) == seq and verify_chain(records) == []
        else:  # a replay: answers as before, writes nothing
            assert response["created"] == "true" or response["appended"] == "true"
            assert diff == {}, diff
        return
    raise AssertionError(f"{name} answered ok to an event it cannot accept: {response}")


@pytest.mark.parametrize("name", FLOW)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_flow_events_answer_cleanly_and_write_exactly_what_they_say(shared_backend, name, data):
    # route_referral's base names a case that does not exist: no mutation can make it succeed
    base = with_params(load_event(name), case_id="PL-AAAAAAAAAAAA") if name == "route_referral" else load_event(name)
    event = data.draw(st.one_of(_mutations(base), json_values), label="event")
    before = _snapshot(shared_backend)
    shared_backend.reset_calls()
    response = shared_backend.invoke(name, event)
    assert isinstance(response, dict) and "status" in response
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in response.items())
    after = _snapshot(shared_backend)
    if response["status"] == "ok":
        _expect_ok_writes(name, event, response, before, after)
    else:
        assert response["status"] in ("invalid_event", "invalid_parameter", "no_caller_id", "case_not_found")
        assert after == before
        if name != "route_referral":  # route_referral tries a conditioned write that fails (no case)
            writes = {"PutItem", "UpdateItem", "TransactWriteItems", "DeleteItem", "BatchWriteItem"}
            assert [c.operation for c in shared_backend.dynamodb_calls() if c.operation in writes] == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzzed_contact_events_append_one_record_or_nothing(shared_backend, data):
    base = load_event("contact_event_queued")
    event = data.draw(st.one_of(_mutations(base), json_values), label="event")
    if isinstance(event, dict) and isinstance(event.get("id"), str):
        event["id"] = "fuzz-" + str(abs(hash(repr(event))))  # never collide with a recorded event
    before = _snapshot(shared_backend)
    response = shared_backend.invoke("record_contact_event", event)
    after = _snapshot(shared_backend)
    diff = _diff(before, after)
    if response["status"] == "ok":
        chain_id, seq = response["chain_id"], int(response["seq"])
        assert diff["Interactions"] == {"added": [(chain_id, seq)], "removed": [], "changed": []}
        assert diff["Idempotency"]["added"] == [(f"event#{event['id']}",)]
        assert set(diff) == {"Interactions", "Idempotency"}
        records = sorted(
            (json.loads(v) for k, v in after["Interactions"].items() if k[0] == chain_id), key=lambda r: r["seq"]
        )
        assert len(records) == seq and verify_chain(records) == []
    else:
        assert response["status"] in ("invalid_event", "ignored", "duplicate"), response
        assert diff == {}
