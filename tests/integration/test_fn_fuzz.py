"""Hypothesis-generated malformed events: a clean error status and no write."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _snapshot(b):
    return {k: sorted(map(repr, v)) for k, v in b.dump_tables().items()}


@pytest.mark.parametrize("name", FLOW)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_malformed_flow_events_answer_error_and_write_nothing(shared_backend, name, data):
    base = with_params(load_event(name), case_id="PL-AAAAAAAAAAAA") if name == "route_referral" else load_event(name)
    event = data.draw(st.one_of(_mutations(base), json_values), label="event")
    before = _snapshot(shared_backend)
    response = shared_backend.invoke(name, event)
    assert isinstance(response, dict) and "status" in response
    assert all(isinstance(v, str) for v in response.values())
    if response["status"] != "ok":
        assert shared_backend.item_count() >= 0
        assert _snapshot(shared_backend) == before
    else:  # the mutation hit an ignored key: fine, but it must still be a valid answer
        assert response["status"] == "ok"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_malformed_contact_events_are_dropped_without_writes(shared_backend, data):
    base = load_event("contact_event_queued")
    event = data.draw(st.one_of(_mutations(base), json_values), label="event")
    if isinstance(event, dict) and isinstance(event.get("id"), str):
        event["id"] = "fuzz-" + str(abs(hash(repr(event))))  # never collide with a recorded event
    before = _snapshot(shared_backend)
    response = shared_backend.invoke("record_contact_event", event)
    if response["status"] in ("invalid_event", "ignored"):
        assert _snapshot(shared_backend) == before
