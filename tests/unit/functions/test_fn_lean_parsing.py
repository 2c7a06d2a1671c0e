"""The pydantic-free parsers of the hot path (functions.models.lean) against the pydantic models.

Soundness: whatever a fast parser accepts, the pydantic model accepts with the same values;
whatever it cannot vouch for goes to the pydantic model, so error statuses and ``error_field``
stay pydantic's.  And the cold-start gain itself: no handler imports pydantic, neither at import
nor on a valid first call (issue 13; timings are in ``make bench``, never asserted here).
"""

from __future__ import annotations

import copy
import importlib
import json
import random
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from functions.errors import InvalidParameter
from functions.handlers import HANDLERS
from functions.logic import block, cases, referrals
from functions.logic.common import parse_params
from functions.models import events, lean
from functions.models.connect import ContactFlowEvent
from functions.models.contact_event import ContactEvent
from functions.models.params import model_for
from functions.settings import FIELDS, Settings, pydantic_model

ROOT = Path(__file__).resolve().parents[3]
EVENTS = ROOT / "tests" / "fixtures" / "events"

# every logic module's Parameters (its PARAMS)
SPECS = [
    spec
    for path in sorted((ROOT / "functions" / "logic").glob("*.py"))
    if isinstance(spec := getattr(importlib.import_module(f"functions.logic.{path.stem}"), "PARAMS", None), lean.Spec)
]

# candidate values per parameter: valid ones, their near misses, and odd text
VALID = {
    "language": ["uk", "en-GB", "ru"],
    "topic": ["legal", "callback", "screening", "a.b-c_d"],
    "priority": ["normal", "urgent"],
    "needs_codes": ["", "SV,LP-ND", "sm"],
    "consent": ["true", "false", "TRUE", " False "],
    "channel_note": ["", "web form", "ok/fine #2"],
    "case_id": ["PL-AAAAAAAAAAAA", "UKR-ABCDEFGH2345", "none", ""],
    "region": ["*", "warsaw", "Warsaw", "x_1"],
    "partner_ids": ["", "none", "a-1,b-2", " a-1 ,b-2,a-1"],
    "survey_id": ["needs", "s1"],
    "question_id": ["q1", "income.lost"],
    "answer": ["yes", "NO", "3", "prefer_not", "*", "12", "007", "123456"],
    "kind": ["", "choice", "Number", "yes_no"],
    "choices": ["2", "9", "4"],
    "max_digits": ["1", "6", "2"],
    "caller_id": ["a" * 64, "0123456789abcdef" * 4, "None", ""],
    "callback": ["", "true"],
    "call_type": ["real", "Prank", "wrong_number"],
    "urgency": ["", "urgent", "NORMAL"],
    "note": ["", "Мама з двома дітьми, потрібне житло", "a" * 2000],
    "outcome": ["resolved", "follow_up"],
    "follow_up": ["", "true", "false"],
    "callback_requested": ["", "TRUE"],
    "hours": ["1", "24", "720", "007"],
    "agent_arn": ["arn:aws:connect:eu-central-1:123456789012:instance/abc-1/agent/user-9"],
}
ODD = [
    "",
    " ",
    "x",
    "UK",
    " uk ",
    "uk\n",
    "\tlegal",
    "legal\x1c",
    "\u00a0uk",
    "uk\u2003",
    "ук",
    "０",
    "721",
    "0",
    "-1",
    " 24 ",
    "24.0",
    "1_0",
    "+5",
    "a" * 2001,
    "null",
    "undefined",
    "PL-AAAAAAAAAAA1",
    "pl-aaaaaaaaaaaa",
    "+48 601 234 567",
    "call 601234567",
    "a-1,B-2",
    ",".join(f"p-{i}" for i in range(11)),
    "arn:aws:iam::1:user/x",
    "arn:aws:connect:eu-central-1:١٢٣٤٥٦٧٨٩٠١٢:instance/abc-1/agent/user-9",
    "yes ",
    "maybe",
]


def _pydantic(model, data):
    try:
        return "ok", model.model_validate(data).model_dump()
    except ValidationError as exc:
        errors = exc.errors(include_input=False, include_url=False)
        return "error", str(errors[0]["loc"][0]) if errors and errors[0].get("loc") else "parameters"


def _lean(spec, data):
    try:
        return "ok", parse_params(spec, data).model_dump()
    except InvalidParameter as exc:
        return "error", exc.extra["error_field"]


def _cases(spec, rng, n):
    names = [f.name for f in spec.fields]
    for _ in range(n):
        data = {}
        for name in names:
            roll = rng.random()
            if roll < 0.15:
                continue  # absent
            pool = VALID[name] if roll < 0.75 else ODD
            data[name] = rng.choice(pool)
        if rng.random() < 0.1:
            data["unknown"] = "ignored"
        yield data


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_fast_params_agree_with_the_pydantic_model(spec):
    model = model_for(spec)
    rng = random.Random(spec.name)
    fast_hits = 0
    for data in _cases(spec, rng, 1500):
        expected = _pydantic(model, data)
        fast = spec.fast(data)
        if fast is not None:
            fast_hits += 1
            assert expected == ("ok", fast.model_dump()), data
        assert _lean(spec, data) == expected, data
    assert fast_hits > 50  # the fast path does carry the valid calls


def test_fast_params_are_frozen_and_keep_the_guide_property():
    confirmed = parse_params(
        referrals.PARAMS,
        {"case_id": "PL-AAAAAAAAAAAA", "region": "X", "language": "uk", "partner_ids": " a-1 ,b-2,a-1"},
    )
    assert isinstance(confirmed, lean.Params) and confirmed.confirmed == ["a-1", "b-2"]
    with pytest.raises(TypeError):
        confirmed.region = "y"
    with pytest.raises(AttributeError):
        _ = confirmed.nothing


def test_an_invalid_parameter_is_named_by_pydantic():
    with pytest.raises(InvalidParameter) as err:
        parse_params(cases.PARAMS, {"topic": "legal", "language": "UK"})
    assert err.value.extra == {"error_field": "language"}
    with pytest.raises(InvalidParameter) as err:
        parse_params(block.PARAMS, {"caller_id": "a" * 64, "hours": "0"})
    assert err.value.extra == {"error_field": "hours"}


# ---- events -------------------------------------------------------------------------------------


def _flow_events():
    base = {
        name: json.loads((EVENTS / f"{name}.json").read_text())
        for name in ("identify_caller", "create_case", "route_referral", "record_survey_answer")
    }
    mutations = [
        lambda e: e,
        lambda e: e["Details"]["ContactData"].update(ContactId="bad id"),
        lambda e: e["Details"]["ContactData"].update(ContactId="abc\n"),
        lambda e: e["Details"]["ContactData"].pop("ContactId"),
        lambda e: e["Details"]["ContactData"].update(CustomerEndpoint=None),
        lambda e: e["Details"]["ContactData"].pop("CustomerEndpoint", None),
        lambda e: e["Details"]["ContactData"].update(CustomerEndpoint={"Address": 48601, "Type": "TELEPHONE_NUMBER"}),
        lambda e: e["Details"]["ContactData"].update(CustomerEndpoint="+48601"),
        lambda e: e["Details"]["ContactData"].update(Channel=None),
        lambda e: e["Details"]["ContactData"].update(Attributes=None),
        lambda e: e["Details"]["ContactData"].update(Attributes={"a": 1, "b": {"c": "d"}}),
        lambda e: e["Details"]["ContactData"].update(Queue={"ARN": None, "Name": "q", "x": 1}),
        lambda e: e["Details"]["ContactData"].update(InitialContactId=5),
        lambda e: e["Details"]["ContactData"].update(LanguageCode="uk-UA", NewField={"x": 1}),
        lambda e: e["Details"].update(Parameters={"a": 1}),
        lambda e: e["Details"].update(Parameters=None),
        lambda e: e["Details"].pop("Parameters"),
        lambda e: e["Details"].pop("ContactData"),
        lambda e: e.update(Name="Other"),
        lambda e: e.pop("Name"),
        lambda e: e.update(Details=[]),
        lambda e: e["Details"]["ContactData"].update({2: "x"}),
        # RelatedContactId (the guide's chat contact -> the call): absent or "" is None, else a ContactId
        lambda e: e["Details"]["ContactData"].update(RelatedContactId="0f4c8a1e-2b7d-4e55-9a61-3c2e7b9d4f10"),
        lambda e: e["Details"]["ContactData"].update(RelatedContactId=""),
        lambda e: e["Details"]["ContactData"].pop("RelatedContactId", None),
        lambda e: e["Details"]["ContactData"].update(RelatedContactId="bad id"),
        lambda e: e["Details"]["ContactData"].update(RelatedContactId=" abc"),
        lambda e: e["Details"]["ContactData"].update(RelatedContactId="abc\n"),
        lambda e: e["Details"]["ContactData"].update(RelatedContactId=42),
        lambda e: e["Details"]["ContactData"].update(RelatedContactId="abç"),
    ]
    for name, event in base.items():
        for i, mutate in enumerate(mutations):
            e = copy.deepcopy(event)
            mutate(e)
            yield pytest.param(e, id=f"{name}-{i}")
    yield pytest.param([], id="list")
    yield pytest.param(None, id="none")


@pytest.mark.parametrize("event", list(_flow_events()))
def test_fast_flow_event_agrees_with_the_pydantic_model(event):
    fast = lean.fast_flow_event(event)
    try:
        model = ContactFlowEvent.model_validate(event)
    except ValidationError:
        assert fast is None
        with pytest.raises(ValidationError):
            events.parse_flow_event(event)
        return
    parsed = events.parse_flow_event(event)
    for got in (parsed,) if fast is None else (fast, parsed):
        assert (got.contact_id, got.parameters, got.customer_address, got.related_contact_id) == (
            model.contact_id,
            model.parameters,
            model.customer_address,
            model.related_contact_id,
        )
        data, expected = got.Details.ContactData, model.Details.ContactData
        for key in ("Channel", "InitialContactId", "PreviousContactId", "InstanceARN", "LanguageCode", "Attributes"):
            assert getattr(data, key) == getattr(expected, key)


def _contact_events():
    for path in sorted(EVENTS.glob("contact_event_*.json")):
        event = json.loads(path.read_text())
        mutations = [
            lambda e: e,
            lambda e: e.update(time="2026-03-02T09:16:40.123456+02:00"),
            lambda e: e.update(time="2026-03-02 09:16:40Z"),
            lambda e: e.update(time="2026-03-02T09:16:40"),
            lambda e: e.update(time="2026-02-30T09:16:40Z"),
            lambda e: e.update(time=1772443000),
            lambda e: e.update(id="not valid!"),
            lambda e: e.update(source="aws.other"),
            lambda e: e["detail"].update(eventType="queued"),
            lambda e: e["detail"].update(initiationTimestamp="2026-03-02T09:15:01.1234567Z"),
            lambda e: e["detail"].update(queueInfo=None, agentInfo={"agentArn": None}),
            lambda e: e["detail"].update(disconnectReason=7),
            lambda e: e["detail"].pop("contactId"),
            lambda e: e.update(time="٢٠٢٦-03-02T09:16:40Z"),
            lambda e: e["detail"].update({1: "x"}),
        ]
        for i, mutate in enumerate(mutations):
            e = copy.deepcopy(event)
            mutate(e)
            yield pytest.param(e, id=f"{path.stem}-{i}")


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


@pytest.mark.parametrize("event", list(_contact_events()))
def test_fast_contact_event_agrees_with_the_pydantic_model(event):
    fast = lean.fast_contact_event(event)
    try:
        model = ContactEvent.model_validate(event)
    except ValidationError:
        assert fast is None
        return
    if fast is None:
        return  # an unusual form: the pydantic model parses it
    assert (fast.id, fast.contact_id, fast.time, fast.detail_type) == (
        model.id,
        model.contact_id,
        model.time,
        model.detail_type,
    )
    assert fast.time.isoformat() == model.time.isoformat()
    d, m = fast.detail, model.detail
    for key in ("eventType", "channel", "initiationMethod", "initialContactId", "previousContactId"):
        assert getattr(d, key) == getattr(m, key)
    for key in ("initiationTimestamp", "disconnectTimestamp", "disconnectReason"):
        assert _iso(getattr(d, key)) == _iso(getattr(m, key))
    for part, keys in (("queueInfo", ("queueArn", "queueType", "enqueueTimestamp")), ("agentInfo", ("agentArn",))):
        got, expected = getattr(d, part), getattr(m, part)
        assert (got is None) == (expected is None)
        if got is not None:
            assert [_iso(getattr(got, k)) for k in keys] == [_iso(getattr(expected, k)) for k in keys]


# ---- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"RETENTION_DAYS_CASES": "30", "COUNTRY_CODE": "pl", "EVENT_BUS_NAME": "bus"},
        {"DDB_MAX_RETRIES": "0", "HASH_KEY_MAX_AGE": "0", "COUNTRY_CODE": "UKR"},
        {"DDB_READ_TIMEOUT": " 5 "},
        {"DDB_READ_TIMEOUT": "0"},
        {"RETENTION_DAYS_SURVEYS": "x"},
        {"COUNTRY_CODE": "p1"},
        {"COUNTRY_CODE": "pl\n"},
    ],
)
def test_settings_agree_with_the_pydantic_model(env):
    values = {name: env[name.upper()] for name in FIELDS if env.get(name.upper())}
    try:
        expected = pydantic_model().model_validate(values).model_dump()
    except ValidationError:
        with pytest.raises(ValidationError):
            Settings.from_env(env)
        return
    settings = Settings.from_env(env)
    assert {name: getattr(settings, name) for name in FIELDS} == expected
    with pytest.raises(TypeError):
        settings.country_code = "de"


# ---- the cold start gain ------------------------------------------------------------------------

_NO_PYDANTIC = """
import json, sys
handler = sys.argv[1]
__import__("functions.handlers." + handler)
loaded = sorted(m for m in ("pydantic", "pydantic_core", "annotated_types") if m in sys.modules)
if handler not in ("record_contact_event", "deliver_outbox", "archive_records"):
    from functions.logic import cases
    from functions.logic.common import parse_params
    from functions.models import events, lean
    event = events.parse_flow_event(json.loads(sys.argv[2]))
    parse_params(cases.PARAMS, {"topic": "legal", "language": "uk", "consent": "true"})
    assert isinstance(event, lean.FlowEvent)
elif handler == "record_contact_event":
    from functions.models import events, lean
    assert isinstance(events.parse_contact_event(json.loads(sys.argv[3])), lean.ContactEventView)
from functions.settings import get_settings
get_settings()
loaded += sorted(m + " (first call)" for m in ("pydantic", "pydantic_core") if m in sys.modules)
print(json.dumps(loaded))
"""


@pytest.mark.parametrize("handler", HANDLERS)
def test_no_handler_imports_pydantic_on_its_valid_path(handler):
    """pydantic (~60 ms of a cold start with the models) is the error path's only."""
    flow = (EVENTS / "create_case.json").read_text()
    contact = (EVENTS / "contact_event_queued.json").read_text()
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", _NO_PYDANTIC, handler, flow, contact],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []
