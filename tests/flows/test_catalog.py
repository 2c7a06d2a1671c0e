"""The Flow-language action catalog (helpline/flows/catalog.py) against the docs, the shared
corpus of exported flows and our rendered flows.

Assertions only where the docs are explicit; where our flows handle fewer error branches than
an action can raise, the list is printed (run with ``-s`` to see it), not failed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from helpline.config import load_country
from helpline.flows import catalog as C
from helpline.flows.render import render_local
from tests.flows.support import COUNTRIES

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "flows-corpus"
CORPUS_FILES = sorted(CORPUS.glob("**/*.json"))

# Doc-explicit disagreements in our shipped flows, known and reported (docs/flow-actions.md).
# Error branches the docs rule out that our templates still declare (none: the staffing checks'
# NoMatchingCondition, impossible for NumberOfAgentsStaffed, was removed).
KNOWN_OURS: set[tuple[str, str]] = set()
# Error branches the docs require that our templates lack (none: UpdateContactTextToSpeechVoice
# now has its NoMatchingError branch, "must always be defined").
KNOWN_MISSING_OURS: set[tuple[str, str]] = set()


def _actions(doc):
    acts = doc.get("Actions") if isinstance(doc, dict) else None
    return [a for a in acts if isinstance(a, dict)] if isinstance(acts, list) else []


def _malformed(doc) -> list[str]:
    """Shapes the Flow language does not allow (what made the issue's three flows crash)."""
    out = []
    if not isinstance(doc, dict) or not isinstance(doc.get("Actions"), list):
        return ["no Actions list"]
    for a in doc["Actions"]:
        if not isinstance(a, dict):
            out.append(f"action is {type(a).__name__}")
            continue
        ident = a.get("Identifier")
        if not isinstance(a.get("Type"), str):
            out.append(f"{ident}: Type is {json.dumps(a.get('Type'))}")
        tr = a.get("Transitions")
        if not isinstance(tr, dict):
            out.append(f"{ident}: Transitions is {type(tr).__name__}")
            continue
        for key in ("Errors", "Conditions"):
            if key in tr and not isinstance(tr[key], list):
                out.append(f"{ident}: {key} is {json.dumps(tr[key])}")
        for c in tr.get("Conditions", []) if isinstance(tr.get("Conditions"), list) else []:
            ops = c.get("Condition", {}).get("Operands") if isinstance(c, dict) else None
            if not isinstance(ops, list):
                out.append(f"{ident}: Operands is {json.dumps(ops)}")
    return out


@pytest.fixture(scope="module")
def corpus():
    return {p.name: json.loads(p.read_text()) for p in CORPUS_FILES}


@pytest.fixture(scope="module")
def ours():
    """(flow label, catalog flow type, content) of every rendered flow of every country."""
    out = []
    for code in COUNTRIES:
        flows, _ = render_local(load_country(code))
        for name, flow in flows.items():
            out.append((f"{code}:{name}", C.flow_type_name(flow.type), flow.content))
    return out


def test_corpus_is_there():
    assert len(CORPUS_FILES) >= 30, CORPUS


def test_every_corpus_action_type_has_an_entry(corpus):
    types = Counter(a.get("Type") for doc in corpus.values() for a in _actions(doc))
    missing = sorted(t for t in types if isinstance(t, str) and t not in C.CATALOG)
    assert not missing, missing


def test_every_rendered_action_type_has_an_entry(ours):
    types = {a["Type"] for _, _, content in ours for a in _actions(content)}
    assert types, "no rendered flows"
    assert not sorted(types - set(C.CATALOG))


def test_every_entry_cites_its_page():
    for s in C.CATALOG.values():
        # the Flow-language pages live in the API reference; newer ones only in the developer guide
        assert re.fullmatch(
            r"https://docs\.aws\.amazon\.com/connect/latest/(APIReference|devguide)/[a-z0-9-]+\.html", s.url
        ), s
        assert s.text_source in ("api-ref", "2023-md"), s.type
        assert s.group in ("participant", "contact", "flow-control", "interaction"), s.type


def test_entries_are_consistent():
    known_flow_types = set(C.FLOW_TYPES) | {C.MODULE}
    for s in C.CATALOG.values():
        if s.terminal:
            assert s.errors == () and s.conditions is False, s.type
        assert set(s.required_errors) <= set(s.errors or ()), s.type
        if s.flow_types is not None:
            assert s.flow_types and s.flow_types <= known_flow_types, s.type
        if s.channels is not None:
            assert s.channels <= set(C.CHANNELS), s.type
        if s.operators is not None:
            assert set(s.operators) <= set(C.OPERATORS), s.type
        if s.conditions is False:
            assert not s.operands and not s.required_operands, s.type
        assert set(s.required_operands) <= set(s.operands or s.required_operands), s.type
        for group in s.exclusive_params + s.required_one_of:
            assert set(group) <= set(s.optional_params or ()) | set(s.required_params or ()), s.type
        for name in s.int_ranges:
            assert name in (s.optional_params or ()) + (s.required_params or ()), (s.type, name)


# ------------------------------------------------------------------ spot checks of doc facts


def test_invoke_lambda_function():
    s = C.CATALOG["InvokeLambdaFunction"]
    assert s.errors == ("NoMatchingError",)
    assert s.conditions is False
    assert s.int_ranges["InvocationTimeLimitSeconds"] == (1, 8)
    assert s.flow_types == frozenset(C.FLOW_TYPES)
    assert s.url.endswith("/interactions-invokelambdafunction.html")


def test_get_participant_input_forms():
    forms = C.INPUT_FORMS["GetParticipantInput"]
    branch, store = forms["False"], forms["True"]
    assert branch.conditions and branch.operators == ("Equals",)
    assert all(re.fullmatch(branch.operand_pattern, d) for d in "0123456789*#")
    assert not re.fullmatch(branch.operand_pattern, "10")
    assert "NoMatchingCondition" in branch.errors and "InvalidPhoneNumber" not in branch.errors
    assert store.conditions is False and store.operators == ()
    assert "InputValidation" in store.required_params
    assert "NoMatchingCondition" not in store.errors and "InputTimeLimitExceeded" not in store.errors
    assert branch.required_errors == store.required_errors == ("NoMatchingError",)
    s = C.CATALOG["GetParticipantInput"]
    assert s.channels == frozenset({"voice"})
    assert "customerWhisper" not in s.flow_types and "customerHold" not in s.flow_types


def test_possible_errors_follow_the_form():
    gpi = {
        "Type": "GetParticipantInput",
        "Parameters": {"StoreInput": "True", "InputValidation": {"CustomValidation": {"MaximumLength": "4"}}},
    }
    assert C.possible_errors(gpi) == ("NoMatchingError",)
    gpi["Parameters"]["InputValidation"] = {"PhoneNumberValidation": {"NumberFormat": "E164"}}
    assert C.possible_errors(gpi) == ("NoMatchingError", "InvalidPhoneNumber")
    menu = {"Type": "GetParticipantInput", "Parameters": {"Text": "x"}}  # StoreInput absent = False
    assert set(C.possible_errors(menu)) == {"NoMatchingCondition", "NoMatchingError", "InputTimeLimitExceeded"}
    staffed = {"Type": "CheckMetricData", "Parameters": {"MetricType": "NumberOfAgentsStaffed"}}
    assert C.possible_errors(staffed) == ("NoMatchingError",)
    queued = {"Type": "CheckMetricData", "Parameters": {"MetricType": "NumberOfContactsInQueue"}}
    assert "NoMatchingCondition" in C.possible_errors(queued)


def test_terminal_and_transfer_actions():
    for t in ("DisconnectParticipant", "EndFlowExecution", "EndFlowModuleExecution"):
        assert C.CATALOG[t].terminal, t
    for t in ("TransferContactToQueue", "TransferToFlow"):
        assert not C.CATALOG[t].terminal and C.CATALOG[t].ends_flow_on_success, t
    assert C.CATALOG["TransferContactToQueue"].errors == ("QueueAtCapacity", "NoMatchingError")
    assert C.CATALOG["EndFlowExecution"].flow_types == frozenset(
        {"customerWhisper", "agentWhisper", "outboundWhisper", "customerQueue"}
    )
    assert C.allowed_in("TransferContactToQueue", "CUSTOMER_QUEUE") is False
    assert C.allowed_in("DisconnectParticipant", "AGENT_WHISPER") is False  # current page
    assert C.allowed_in("DisconnectParticipant", "CUSTOMER_QUEUE") is True
    assert C.allowed_in("EndFlowModuleExecution", "flowModule") is True
    assert C.allowed_in("UpdateContactAttributes", "flowModule") is None  # modules: undocumented


def test_other_doc_facts():
    assert C.CATALOG["UpdateContactCallbackNumber"].errors == ("InvalidCallbackNumber", "CallbackNumberNotDialable")
    assert C.CATALOG["CheckHoursOfOperation"].required_operands == ("True", "False")
    assert C.CATALOG["Loop"].int_ranges["LoopCount"] == (0, 100)
    assert C.CATALOG["Loop"].errors == ()
    assert C.CATALOG["MessageParticipantIteratively"].flow_types == frozenset(
        {"customerQueue", "customerHold", "agentHold"}
    )
    assert C.CATALOG["ShowView"].channels == frozenset({"chat"})
    assert C.CATALOG["UpdateContactRecordingBehavior"].errors == ()
    assert C.CATALOG["GetCustomerProfile"].errors == ("MultipleFoundError", "NoneFoundError", "NoMatchingError")
    assert C.CATALOG["UpdateContactTextToSpeechVoice"].required_errors == ("NoMatchingError",)
    assert C.possible_errors({"Type": "Wait", "Parameters": {"TimeoutSeconds": "60"}}) == ("NoMatchingError",)
    bot_wait = {"Type": "Wait", "Parameters": {"Events": ["BotParticipantDisconnected"]}}
    assert "ParticipantNotFound" in C.possible_errors(bot_wait)
    assert {"CustomerQueue", "AgentWhisper", "DefaultAgentUI", "CustomerWhisper"} <= set(C.EVENT_HOOK_KEYS)
    assert C.CATALOG["CheckVoiceId"].end_of_support and C.CATALOG["StartVoiceIdStream"].end_of_support
    assert C.PROMPT_TEXT_LIMITS["flow_language"] is None and C.PROMPT_TEXT_LIMITS["polly_billed_chars"] == 3000


@pytest.mark.parametrize(
    "action",
    [
        None,
        5,
        [],
        {"Type": ["MessageParticipant"]},
        {"Type": "GetParticipantInput", "Parameters": 7},
        {"Type": "GetParticipantInput", "Parameters": {"StoreInput": ["True"]}},
        {"Type": "CheckMetricData", "Parameters": None, "Transitions": {"Errors": 5}},
        {"Type": "Compare", "Transitions": {"Conditions": [{"Condition": {"Operands": 7}}]}},
    ],
)
def test_helpers_never_raise(action):
    C.possible_errors(action)
    C.input_form(action)
    C.spec(action.get("Type") if isinstance(action, dict) else action)
    C.allowed_in(action, ["CONTACT_FLOW"])
    C.flow_type_name(action)


# ------------------------------------------------------------------ catalog vs real flows


def _declared_errors(action) -> set[str]:
    errs = action.get("Transitions", {}).get("Errors", [])
    return {e.get("ErrorType") for e in errs if isinstance(e, dict)} if isinstance(errs, list) else set()


def test_corpus_exports_agree_with_the_catalog(corpus):
    """AWS's own exports declare no error the docs rule out, except the tolerated ones."""
    impossible = Counter()
    for doc in corpus.values():
        for a in _actions(doc):
            possible = C.possible_errors(a)
            if possible is not None:
                for e in _declared_errors(a) - set(possible):
                    impossible[(a["Type"], e)] += 1
    tolerated = {(t, e) for t, errs in C.EXPORT_TOLERATED_ERRORS.items() for e in errs}
    assert set(impossible) <= tolerated, impossible


def test_corpus_malformed_files_are_reported(corpus):
    bad = {name: problems for name, doc in corpus.items() if (problems := _malformed(doc))}
    print(f"\nmalformed corpus files: {len(bad)} of {len(corpus)}")
    for name, problems in bad.items():
        print(f"  {name}: {'; '.join(problems)}")


def test_our_flows_declare_no_impossible_error(ours):
    found = {}
    for label, _, content in ours:
        for a in _actions(content):
            possible = C.possible_errors(a)
            if possible is None:
                continue
            for e in _declared_errors(a) - set(possible):
                found.setdefault((a["Type"], e), set()).add(label.split(":", 1)[1])
    unknown = {k: sorted(v) for k, v in found.items() if k not in KNOWN_OURS}
    assert not unknown, f"error branches the docs rule out: {unknown}"
    for key in sorted(KNOWN_OURS - set(found)):
        print(f"\nKNOWN_OURS entry {key} no longer occurs: remove it")


def _missing_required_errors(action) -> set[str]:
    """Error types the docs say 'must always be defined' that the action lacks."""
    spec, form = C.spec(action.get("Type")), C.input_form(action)
    required = set(spec.required_errors if spec else ()) | set(form.required_errors if form else ())
    return required - _declared_errors(action)


def test_our_actions_define_the_required_errors(ours):
    """GetParticipantInput, UpdateContactTextToSpeechVoice: NoMatchingError 'must always be defined'."""
    found = {}
    for label, _, content in ours:
        for a in _actions(content):
            for e in _missing_required_errors(a):
                found.setdefault((a["Type"], e), set()).add(label.split(":", 1)[1])
    unknown = {k: sorted(v) for k, v in found.items() if k not in KNOWN_MISSING_OURS}
    assert not unknown, f"error branches the docs require: {unknown}"
    for key in sorted(found):
        print(f"\nknown, to fix in the templates: {key} missing in {sorted(found[key])}")
    for key in sorted(KNOWN_MISSING_OURS - set(found)):
        print(f"\nKNOWN_MISSING_OURS entry {key} no longer occurs: remove it")


def test_event_hooks_are_documented_keys(corpus, ours):
    """UpdateContactEventHooks: one entry, a valid event hook (current page)."""
    docs = [content for _, _, content in ours] + list(corpus.values())
    for content in docs:
        for a in _actions(content):
            if a.get("Type") == "UpdateContactEventHooks":
                hooks = a["Parameters"]["EventHooks"]
                assert len(hooks) == 1 and set(hooks) <= set(C.EVENT_HOOK_KEYS), a["Identifier"]


def test_our_flows_use_no_feature_past_end_of_support(ours):
    used = {a["Type"] for _, _, content in ours for a in _actions(content)}
    assert not {t for t in used if C.CATALOG[t].end_of_support and t != "UpdateContactData"}


def test_our_actions_are_allowed_in_their_flow_types(ours):
    wrong = sorted(
        {
            (label.split(":", 1)[1], ft, a["Type"])
            for label, ft, content in ours
            for a in _actions(content)
            if C.allowed_in(a["Type"], ft) is False
        }
    )
    assert not wrong, wrong


def test_error_branches_our_flows_leave_to_the_default(ours):
    """Report (not fail): documented error types our flows do not branch on."""
    unhandled = Counter()
    for label, _, content in ours:
        for a in _actions(content):
            possible = C.possible_errors(a)
            if possible:
                for e in set(possible) - _declared_errors(a):
                    unhandled[(label.split(":", 1)[1], a["Type"], e)] += 1
    print(f"\nerror types our flows do not handle: {len(unhandled)}")
    for (flow, t, e), n in sorted(unhandled.items()):
        print(f"  {flow:16} {t:32} {e:28} x{n}")


def test_the_current_recording_block_must_define_its_two_error_branches():
    """UpdateContactRecordingAndAnalyticsBehavior: NoMatchingError and ChannelMismatch "must always
    be defined" (devguide page); the older block stays readable for exported flows."""
    new = C.CATALOG["UpdateContactRecordingAndAnalyticsBehavior"]
    assert new.required_errors == ("NoMatchingError", "ChannelMismatch")
    assert ("VoiceBehavior", "ChatBehavior") in new.exclusive_params
    assert "UpdateContactRecordingBehavior" in C.CATALOG
