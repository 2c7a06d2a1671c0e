"""A structural check of Testing-language documents, as far as AWS documents the language.

Connect validates a test case's content itself when it is created PUBLISHED; nobody here can
call it offline, so the exporter's output is checked against the shape the pages describe (all
under https://docs.aws.amazon.com/connect/latest/devguide/):

- testing-language-observations.html / testing-language-example.html: ``Version`` (exactly
  :data:`TESTING_LANGUAGE_VERSION`, below), ``Metadata`` (object), ``Observations`` (list); an observation has ``Identifier``, ``Event``, ``Actions``
  and optional ``Usage`` and ``Transitions.NextObservations`` (identifiers of observations);
- testing-language-events-*.html: an event has ``Identifier``, ``Type`` and ``Actor``
  ``System``; ``TestInitiated``/``TestCompleted`` have empty ``Properties``; ``MessageReceived``
  has exactly one of ``PromptId``, ``Text``, ``SSML`` (each "May not be specified if ... is also
  specified"; Connect rejects an empty text: "At least one of PromptId, Text, or SSML must be
  present"), ``MatchingCriteria`` ``Similarity`` or ``Inclusion``; ``FlowActionStarted`` names one
  of ``InvokeLambdaFunction``, ``CheckHoursOfOperation``, ``TransferContactToQueue``,
  ``ConnectParticipantWithLexBot`` with its ``ActionParameters``;
- testing-language-actions-*.html: an action has ``Identifier``, ``Type``, ``Parameters``
  (``ActionType`` equal to ``Type``) and ``Transitions.NextAction`` (an action of the same
  observation, or empty); ``SendInstruction`` ``DtmfInput`` (a key), ``Utterance`` or
  ``Disconnect``; ``TestControl`` ``EndTest`` or ``LogData``; ``Assert`` with ``Namespace``,
  ``Operator`` (one of the listed operators) and ``Operand``; ``OverrideSystemBehavior``
  ``FlowAction`` with ``SubstituteResource`` or ``MockResponse`` and the documented error
  values per action type.
"""

from __future__ import annotations

from typing import Any

from helpline.flows.catalog import OPERATORS as CONDITION_OPERATORS

# The Testing language's version. The observations page of the API reference says: "Version - The
# API version for the testing language, such as 2025-06-21", and its document skeleton opens with
# "Version": "2025-06-21" (https://docs.aws.amazon.com/connect/latest/APIReference/
# testing-language-observations.html). "2019-10-30" is the *Flow* language's version
# (flow-language.html); no Testing-language page documents it. Connect validates the content of a
# PUBLISHED test case when it is created, so a wrong version fails the test stack's create.
TESTING_LANGUAGE_VERSION = "2025-06-21"

EVENT_TYPES = ("TestInitiated", "TestCompleted", "MessageReceived", "FlowActionStarted")
FLOW_ACTION_PARAMETERS = {
    "InvokeLambdaFunction": ("LambdaFunctionARN",),
    "CheckHoursOfOperation": ("HoursOfOperationId",),
    "TransferContactToQueue": ("QueueId",),
    "ConnectParticipantWithLexBot": ("LexV2Bot",),
}
OVERRIDABLE = {
    # action type -> documented MockResponse error values (None: no mock error documented)
    "InvokeLambdaFunction": ("TimeLimitExceeded", "NoMatchingError"),
    "CheckHoursOfOperation": ("NoMatchingError",),
    "ConnectParticipantWithLexBot": ("TimeLimitExceeded", "NoMatchingError"),
    "TransferContactToQueue": ("QueueAtCapacity", "NoMatchingError"),
    "DequeueAndTransferToQueue": ("QueueAtCapacity", "NoMatchingError"),
}
HOURS_RESULTS = ("InHours", "OutOfHours")
# The Assert operators (testing-language-actions-assertion.html) are the Flow language's condition
# operators plus Exists.
ASSERT_OPERATORS = (*CONDITION_OPERATORS, "Exists")
DTMF_KEYS = set("0123456789*#")


def problems(doc: Any) -> list[str]:
    """Every way ``doc`` departs from the documented shape (empty: it conforms)."""
    out: list[str] = []
    if not isinstance(doc, dict):
        return ["the document is not a JSON object"]
    if doc.get("Version") != TESTING_LANGUAGE_VERSION:
        out.append(f"Version: {doc.get('Version')!r} is not the documented {TESTING_LANGUAGE_VERSION!r}")
    if "Metadata" in doc and not isinstance(doc["Metadata"], dict):
        out.append("Metadata: not an object")
    extra = set(doc) - {"Version", "Metadata", "Observations"}
    if extra:
        out.append(f"unknown top-level keys {sorted(extra)}")
    observations = doc.get("Observations")
    if not isinstance(observations, list) or not observations:
        return out + ["Observations: missing or empty"]
    ids = [o.get("Identifier") if isinstance(o, dict) else None for o in observations]
    if len(set(ids)) != len(ids):
        out.append("Observations: identifiers are not unique")
    seen_ids: set[str] = set()
    for i, obs in enumerate(observations):
        where = f"Observations[{i}]"
        if not isinstance(obs, dict):
            out.append(f"{where}: not an object")
            continue
        ident = obs.get("Identifier")
        if not isinstance(ident, str) or not 1 <= len(ident) <= 256:
            out.append(f"{where}.Identifier: missing or longer than 256 characters")
        extra = set(obs) - {"Identifier", "Event", "Actions", "Usage", "Transitions"}
        if extra:
            out.append(f"{where}: unknown keys {sorted(extra)}")
        out += _event(obs.get("Event"), f"{where}.Event", seen_ids)
        actions = obs.get("Actions", [])
        if not isinstance(actions, list):
            out.append(f"{where}.Actions: not a list")
            actions = []
        action_ids = {str(a.get("Identifier")) for a in actions if isinstance(a, dict)}
        for j, action in enumerate(actions):
            out += _action(action, f"{where}.Actions[{j}]", action_ids, seen_ids)
        trans = obs.get("Transitions")
        if trans is not None:
            nxt = trans.get("NextObservations") if isinstance(trans, dict) else None
            if not isinstance(nxt, list) or any(n not in ids for n in nxt):
                out.append(f"{where}.Transitions.NextObservations: not a list of observation identifiers")
    if observations and isinstance(observations[0], dict):
        first = (observations[0].get("Event") or {}).get("Type")
        if first != "TestInitiated":
            out.append("Observations[0]: the first observation should observe TestInitiated")
    return out


def _identifier(item: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    """An event's or action's Identifier: present and unique in the document."""
    ident = item.get("Identifier")
    if not isinstance(ident, str) or not ident:
        return [f"{where}.Identifier: missing"]
    if ident in seen:
        return [f"{where}.Identifier: {ident!r} used twice"]
    seen.add(ident)
    return []


def _event(event: Any, where: str, seen: set[str]) -> list[str]:
    if not isinstance(event, dict):
        return [f"{where}: missing"]
    out = _identifier(event, where, seen)
    etype = event.get("Type")
    if etype not in EVENT_TYPES:
        return out + [f"{where}.Type: {etype!r} is not one of {', '.join(EVENT_TYPES)}"]
    if event.get("Actor") != "System":
        out.append(f"{where}.Actor: must be System")
    props = event.get("Properties", {})
    if not isinstance(props, dict):
        return out + [f"{where}.Properties: not an object"]
    if etype in ("TestInitiated", "TestCompleted") and props:
        out.append(f"{where}.Properties: must be empty for {etype}")
    if etype == "MessageReceived":
        given = [k for k in ("PromptId", "Text", "SSML") if k in props]
        if len(given) != 1:
            out.append(f"{where}.Properties: exactly one of PromptId, Text, SSML (got {given})")
        for k in given:
            if not isinstance(props[k], str) or not props[k].strip():
                out.append(f"{where}.Properties.{k}: empty")
        crit = event.get("MatchingCriteria", props.get("MatchingCriteria"))
        if isinstance(crit, dict):
            crit = crit.get("Type")
        if crit is not None and crit not in ("Similarity", "Inclusion"):
            out.append(f"{where}.MatchingCriteria: {crit!r} is not Similarity or Inclusion")
        if "Text" in given and crit is None:
            out.append(f"{where}.MatchingCriteria: a Text event needs Similarity or Inclusion")
    if etype == "FlowActionStarted":
        at = props.get("ActionType")
        if at not in FLOW_ACTION_PARAMETERS:
            out.append(f"{where}.Properties.ActionType: {at!r} cannot be observed")
        else:
            params = props.get("ActionParameters") or {}
            for key in FLOW_ACTION_PARAMETERS[at]:
                if not params.get(key):
                    out.append(f"{where}.Properties.ActionParameters.{key}: missing")
    return out


def _action(action: Any, where: str, siblings: set[str], seen: set[str]) -> list[str]:
    if not isinstance(action, dict):
        return [f"{where}: not an object"]
    out = _identifier(action, where, seen)
    nxt = (action.get("Transitions") or {}).get("NextAction")
    if nxt is None or (nxt != "" and nxt not in siblings):
        out.append(f"{where}.Transitions.NextAction: must name an action of the same observation or be empty")
    atype = action.get("Type")
    params = action.get("Parameters")
    if not isinstance(params, dict):
        return out + [f"{where}.Parameters: missing"]
    if atype == "Assert":
        if not params.get("Namespace", "").startswith("$."):
            out.append(f"{where}.Parameters.Namespace: not a $. path")
        if params.get("Operator") not in ASSERT_OPERATORS:
            out.append(f"{where}.Parameters.Operator: {params.get('Operator')!r} is not documented")
        return out
    if params.get("ActionType") != atype:
        out.append(f"{where}.Parameters.ActionType: must equal Type ({atype!r})")
    if atype == "SendInstruction":
        instr = params.get("Instruction") or {}
        if params.get("Actor") != "Customer":
            out.append(f"{where}.Parameters.Actor: must be Customer")
        kind = instr.get("Type")
        if kind == "DtmfInput":
            value = str((instr.get("Properties") or {}).get("Value", ""))
            if not value or any(c not in DTMF_KEYS for c in value):
                out.append(f"{where}: DTMF value {value!r} is not phone keys")
        elif kind not in ("Utterance", "Disconnect"):
            out.append(f"{where}.Parameters.Instruction.Type: {kind!r} is not DtmfInput, Utterance or Disconnect")
    elif atype == "TestControl":
        if (params.get("Command") or {}).get("Type") not in ("EndTest", "LogData"):
            out.append(f"{where}.Parameters.Command.Type: not EndTest or LogData")
    elif atype == "OverrideSystemBehavior":
        out += _override(params.get("Behavior"), f"{where}.Parameters.Behavior")
    else:
        out.append(f"{where}.Type: {atype!r} is not a documented action")
    return out


def _override(behavior: Any, where: str) -> list[str]:
    if not isinstance(behavior, dict) or behavior.get("Type") != "FlowAction":
        return [f"{where}.Type: must be FlowAction"]
    props = behavior.get("Properties") or {}
    at = props.get("ActionType")
    if at not in OVERRIDABLE:
        return [f"{where}.Properties.ActionType: {at!r} cannot be overridden"]
    out: list[str] = []
    params = props.get("ActionParameters") or {}
    if not params or not all(params.values()):
        out.append(f"{where}.Properties.ActionParameters: missing (name the resource to override)")
    strategy = props.get("Strategy") or {}
    if strategy.get("Type") == "SubstituteResource":
        if not strategy.get("SubstituteArn"):
            out.append(f"{where}.Properties.Strategy.SubstituteArn: missing")
    elif strategy.get("Type") == "MockResponse":
        resp = strategy.get("Response") or {}
        if resp.get("Type") == "Error":
            value = (resp.get("Error") or {}).get("Value")
            if value not in OVERRIDABLE[at]:
                out.append(f"{where}: error {value!r} is not documented for {at}")
        elif resp.get("Type") == "ExecutionResult":
            result = resp.get("ExecutionResult") or {}
            if at == "CheckHoursOfOperation" and result.get("Value") not in HOURS_RESULTS:
                out.append(f"{where}: hours result {result.get('Value')!r} is not InHours or OutOfHours")
            if at == "InvokeLambdaFunction" and not isinstance(result.get("LoadedData"), str):
                out.append(f"{where}: a Lambda mock answers LoadedData, a serialized JSON string")
            if at in ("TransferContactToQueue", "DequeueAndTransferToQueue"):
                out.append(f"{where}: only an Error mock is documented for {at}")
        else:
            out.append(f"{where}.Properties.Strategy.Response.Type: not Error or ExecutionResult")
    else:
        out.append(f"{where}.Properties.Strategy.Type: not SubstituteResource or MockResponse")
    return out
