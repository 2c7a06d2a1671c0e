"""Flow linter: checks Amazon Connect Flow-language JSON (rendered country flows or any file).

Findings print as ``flow:action-id: rule: message``. Rules (see :data:`RULES`); a ``notice``
(an action type the project's tools do not model) is reported but does not fail the lint.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpline.flows.simulate import MODELLED_TYPES
from helpline.flows.views import FREE_TEXT_INPUTS, VIEW_ERRORS, VIEW_RESULTS, ViewError, form_inputs, view_name

MAX_ACTIONS = 250
MAX_CONTENT_CHARS = 256_000
MAX_IDENTIFIER = 50
FORBIDDEN_ID_CHARS = set("%:()\\/=$,;[]{}")
FORBIDDEN_IDS = {
    "__proto__",
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "toString",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "valueOf",
}
# Error branches each action type must have.
REQUIRED_ERRORS: dict[str, tuple[str, ...]] = {
    "InvokeLambdaFunction": ("NoMatchingError",),
    "TransferContactToQueue": ("QueueAtCapacity", "NoMatchingError"),
    "GetParticipantInput": ("InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError"),
    # ShowView errors: NoMatchingError, NoMatchingCondition, TimeLimitExceeded ("no response
    # before the configured InvocationTimeLimitSeconds"), APIReference/participant-actions-showview.html.
    "ShowView": VIEW_ERRORS,
}
# "This action can be used in inbound flows and customer queue flows" (participant-actions-showview.html).
SHOW_VIEW_FLOW_TYPES = ("CONTACT_FLOW", "CUSTOMER_QUEUE")
# Conditions each action type must have (Connect rejects the flow otherwise).
REQUIRED_CONDITIONS: dict[str, tuple[str, ...]] = {
    "CheckHoursOfOperation": ("True", "False"),
    "Loop": ("ContinueLooping", "DoneLooping"),
}
NOT_BEFORE_LOOP_PROMPTS = {
    "GetParticipantInput",
    "Loop",
    "MessageParticipant",
    "MessageParticipantIteratively",
    "TransferContactToQueue",
}
# Types that say something to the caller (a message before a disconnect); in the operators'
# guide a screen (ShowView) is what the operator is told.
SPEAKING_TYPES = {"MessageParticipant", "MessageParticipantIteratively", "GetParticipantInput", "ShowView"}
# Numeric limits: (type, parameter) -> (min, max).
LIMITS: dict[tuple[str, str], tuple[int, int]] = {
    ("InvokeLambdaFunction", "InvocationTimeLimitSeconds"): (1, 8),
    ("GetParticipantInput", "InputTimeLimitSeconds"): (1, 180),
    ("Loop", "LoopCount"): (0, 100),
    ("CreateCallbackContact", "InitialCallDelaySeconds"): (1, 259_200),
    ("CreateCallbackContact", "RetryDelaySeconds"): (1, 259_200),
    ("CreateCallbackContact", "MaximumConnectionAttempts"): (1, 100),
    ("Wait", "TimeLimitSeconds"): (1, 604_800),
    # "Always use an interruption period that's greater than 20 seconds ... the amount of time an
    # available agent has to accept the contact" (adminguide/loop-prompts.html).
    ("MessageParticipantIteratively", "InterruptFrequencySeconds"): (21, 86_400),
    # A time limit is required (the service refuses a ShowView without one); no documented maximum.
    ("ShowView", "InvocationTimeLimitSeconds"): (1, 604_800),
}
_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}|\$\{[^{}]*\}|\$\{|\{\{")
_TEMPLATE_KEYS = {"$say", "$audio", "$each", "$if", "$in", "$skip_to", "Template"}

RULES: dict[str, str] = {
    "json": "the file is valid JSON",
    "shape": "Flow-language shape: Version, StartAction, Actions with Identifier/Type/Parameters/Transitions",
    "identifier": "Identifiers are unique, at most 50 characters, without % : ( \\ / ) = $ , ; [ ] { } or reserved words",
    "next-action": "StartAction and every NextAction name an existing action",
    "unreachable": "every action is reachable from StartAction",
    "placeholder": "no template placeholder ({{...}}, ${...}, $say...) is left in the flow",
    "error-branch": "InvokeLambdaFunction, TransferContactToQueue and GetParticipantInput have all their error branches",
    "conditions": "CheckHoursOfOperation has True and False, Loop has ContinueLooping and DoneLooping",
    "silent-disconnect": "no error path reaches DisconnectParticipant without a message to the caller first",
    "timeout": "time-outs and counts within Connect's limits (Lambda at most 8 s, input 1-180 s ...)",
    "lambda-response": "InvokeLambdaFunction validates the response as STRING_MAP",
    "size": "at most 250 actions and 256,000 characters of content",
    "hold-loop": "a loop of prompts does not repeat one message back to back (Connect loops the list without a pause)",
    "loop-prompts": "no Get customer input, Loop, Play prompt, Loop prompts or Transfer to queue leads into Loop prompts",
    "view": "ShowView names a view and a time limit, and branches only on buttons its view offers",
    "view-flow-type": "ShowView only in inbound (CONTACT_FLOW) and customer queue flows",
    "sensitive-input": "a screen with free-text inputs hides the response from the transcript and the flow does not log",
    "unknown-type": "(notice) action types the project's simulator does not model",
}


@dataclass(frozen=True)
class Finding:
    flow: str
    action: str
    rule: str
    message: str
    notice: bool = False

    def __str__(self) -> str:
        return f"{self.flow}:{self.action}: {self.rule}: {self.message}"


def _walk_strings(value: Any, path: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(value, str):
        out.append((path, value))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_walk_strings(v, f"{path}[{i}]"))
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in _TEMPLATE_KEYS:
                out.append((f"{path}.{k}", "$" + k.lstrip("$")))
            out.extend(_walk_strings(v, f"{path}.{k}" if path else k))
    return out


def _branches(action: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, target) for every transition: ("next", id), ("condition", id), ("error:<type>", id)."""
    tr = action.get("Transitions") or {}
    out: list[tuple[str, str]] = []
    if not isinstance(tr, dict):
        return out
    if isinstance(tr.get("NextAction"), str):
        out.append(("next", tr["NextAction"]))
    for c in tr.get("Conditions") or []:
        if isinstance(c, dict) and isinstance(c.get("NextAction"), str):
            out.append(("condition", c["NextAction"]))
    for e in tr.get("Errors") or []:
        if isinstance(e, dict) and isinstance(e.get("NextAction"), str):
            out.append((f"error:{e.get('ErrorType', '')}", e["NextAction"]))
    return out


def lint_content(content: Any, flow: str, *, raw_length: int | None = None) -> list[Finding]:
    """Lint one flow (the parsed JSON). ``flow`` names it in the findings."""
    findings: list[Finding] = []

    def add(action: str, rule: str, message: str, notice: bool = False) -> None:
        findings.append(Finding(flow, action, rule, message, notice))

    if not isinstance(content, dict):
        add("-", "shape", "the flow is not a JSON object")
        return findings
    if content.get("Version") != "2019-10-30":
        add("-", "shape", f"Version is {content.get('Version')!r}, expected '2019-10-30'")
    actions_raw = content.get("Actions")
    if not isinstance(actions_raw, list) or not actions_raw:
        add("-", "shape", "Actions is missing or empty")
        return findings
    start = content.get("StartAction")
    if not isinstance(start, str):
        add("-", "shape", "StartAction is missing")

    actions: dict[str, dict[str, Any]] = {}
    for i, action in enumerate(actions_raw):
        if not isinstance(action, dict):
            add(f"#{i}", "shape", "action is not an object")
            continue
        ident = action.get("Identifier")
        if not isinstance(ident, str) or not ident:
            add(f"#{i}", "shape", "action has no Identifier")
            continue
        if ident in actions:
            add(ident, "identifier", "Identifier is used by more than one action")
        actions[ident] = action
        for key in ("Type", "Parameters", "Transitions"):
            if key not in action:
                add(ident, "shape", f"action has no {key}")
        if "Parameters" in action and not isinstance(action["Parameters"], dict):
            add(ident, "shape", "Parameters is not an object")
        tr = action.get("Transitions")
        if tr is not None and not isinstance(tr, dict):
            add(ident, "shape", "Transitions is not an object")
        elif isinstance(tr, dict):
            for e in tr.get("Errors") or []:
                if not isinstance(e, dict) or "ErrorType" not in e or "NextAction" not in e:
                    add(ident, "shape", "an Errors entry needs ErrorType and NextAction")
            for c in tr.get("Conditions") or []:
                cond = c.get("Condition") if isinstance(c, dict) else None
                if (
                    not isinstance(cond, dict)
                    or "Operator" not in cond
                    or "Operands" not in cond
                    or "NextAction" not in c
                ):
                    add(ident, "shape", "a Conditions entry needs NextAction and Condition {Operator, Operands}")
        # identifier rules
        if len(ident) > MAX_IDENTIFIER:
            add(ident, "identifier", f"Identifier is {len(ident)} characters long (at most {MAX_IDENTIFIER})")
        bad = sorted(set(ident) & FORBIDDEN_ID_CHARS)
        if bad:
            add(ident, "identifier", f"Identifier contains {' '.join(bad)}, which Connect does not allow")
        if ident in FORBIDDEN_IDS:
            add(ident, "identifier", "Identifier is a reserved word")

    # size
    n = len(actions_raw)
    if n > MAX_ACTIONS:
        add("-", "size", f"{n} actions (Connect allows at most {MAX_ACTIONS})")
    length = (
        raw_length if raw_length is not None else len(json.dumps(content, ensure_ascii=False, separators=(",", ":")))
    )
    if length > MAX_CONTENT_CHARS:
        add("-", "size", f"content is {length} characters (CloudFormation allows at most {MAX_CONTENT_CHARS})")

    # references
    if isinstance(start, str) and start not in actions:
        add("-", "next-action", f"StartAction {start!r} does not exist")
    for ident, action in actions.items():
        for kind, target in _branches(action):
            if target not in actions:
                add(ident, "next-action", f"{kind} goes to {target!r}, which does not exist")

    # reachability
    if isinstance(start, str) and start in actions:
        seen = {start}
        todo = [start]
        while todo:
            cur = todo.pop()
            for _, target in _branches(actions[cur]):
                if target in actions and target not in seen:
                    seen.add(target)
                    todo.append(target)
        for ident in actions:
            if ident not in seen:
                add(ident, "unreachable", "no path from StartAction reaches this action")

    for ident, action in actions.items():
        kind = action.get("Type")
        params = action.get("Parameters") if isinstance(action.get("Parameters"), dict) else {}
        tr = action.get("Transitions") if isinstance(action.get("Transitions"), dict) else {}
        if kind not in MODELLED_TYPES:
            add(ident, "unknown-type", f"action type {kind} is not modelled by the simulator", notice=True)
        # placeholders
        for path, text in _walk_strings({"Parameters": params, "Transitions": tr}):
            if _PLACEHOLDER.search(text) or text in {"$say", "$each", "$if", "$in", "$Template"}:
                add(ident, "placeholder", f"{path} holds an unresolved placeholder: {text[:80]!r}")
        # error branches
        error_types = {e.get("ErrorType") for e in tr.get("Errors") or [] if isinstance(e, dict)}
        for needed in REQUIRED_ERRORS.get(kind, ()):
            if needed not in error_types:
                add(ident, "error-branch", f"{kind} has no {needed} error branch")
        cond_values = {
            str(o)
            for c in tr.get("Conditions") or []
            if isinstance(c, dict) and isinstance(c.get("Condition"), dict)
            for o in c["Condition"].get("Operands") or []
        }
        for needed in REQUIRED_CONDITIONS.get(kind, ()):
            if needed not in cond_values:
                add(ident, "conditions", f"{kind} has no condition for {needed}")
        # limits
        for (ltype, param), (lo, hi) in LIMITS.items():
            if kind == ltype and param in params:
                raw = params[param]
                if isinstance(raw, str) and raw.startswith("$."):
                    continue
                try:
                    value = int(str(raw))
                except ValueError:
                    add(ident, "timeout", f"{param} is {raw!r}, not an integer")
                    continue
                if not lo <= value <= hi:
                    add(ident, "timeout", f"{param} is {value} (Connect allows {lo}-{hi})")
        if kind == "ShowView":
            for rule, message in _view_findings(params, tr):
                add(ident, rule, message)
        if kind == "MessageParticipantIteratively":
            messages = params.get("Messages")
            if isinstance(messages, list) and len(messages) == 1:
                add(ident, "hold-loop", "one message looped back to back; add music or silence after it")
        if kind == "InvokeLambdaFunction":
            if "InvocationTimeLimitSeconds" not in params:
                add(ident, "timeout", "InvocationTimeLimitSeconds is missing (Connect allows at most 8 s)")
            rv = params.get("ResponseValidation")
            if not isinstance(rv, dict) or rv.get("ResponseType") != "STRING_MAP":
                add(ident, "lambda-response", "ResponseValidation is not {'ResponseType': 'STRING_MAP'}")

    # Loop prompts: "The following blocks are not allowed before the Loop prompts block: Get
    # customer input, Loop, Play prompt, ... Transfer to queue" (adminguide/loop-prompts.html);
    # end such a branch with Resume (EndFlowExecution), which restarts the loop.
    for ident, action in actions.items():
        if action.get("Type") not in NOT_BEFORE_LOOP_PROMPTS:
            continue
        for kind, target in _branches(action):
            if actions.get(target, {}).get("Type") == "MessageParticipantIteratively":
                add(ident, "loop-prompts", f"{kind} leads into Loop prompts {target!r}; end it with EndFlowExecution")

    # silent disconnect: from every error target, follow non-speaking actions
    # (A speaking action's own error branch is exempt: its message was the attempt to speak.)
    logging = any(
        a.get("Type") == "UpdateFlowLoggingBehavior"
        and (a.get("Parameters") or {}).get("FlowLoggingBehavior") == "Enabled"
        for a in actions.values()
    )
    for ident, action in actions.items():
        if logging and action.get("Type") == "ShowView" and _free_text(action.get("Parameters") or {}):
            add(ident, "sensitive-input", "free-text inputs in a flow that enables flow logs (logs hold view results)")
    for ident, action in actions.items():
        if action.get("Type") in SPEAKING_TYPES - {"GetParticipantInput"}:
            continue
        for kind, target in _branches(action):
            if not kind.startswith("error:"):
                continue
            path = _silent_path_to_disconnect(actions, target)
            if path is not None:
                add(
                    ident,
                    "silent-disconnect",
                    f"{kind[6:]} branch reaches DisconnectParticipant without a message: {' -> '.join(path)}",
                )
    return findings


def _free_text(params: dict[str, Any]) -> bool:
    try:
        inputs = form_inputs(params.get("ViewData") or {})
    except ViewError:
        return False
    return any(i.kind in FREE_TEXT_INPUTS for i in inputs.values())


def _view_findings(params: dict[str, Any], tr: dict[str, Any]) -> list[tuple[str, str]]:
    """A ShowView's view, time limit, branches (the view's buttons) and free-text handling."""
    out: list[tuple[str, str]] = []
    if not isinstance(params.get("ViewResource"), dict) or not params["ViewResource"].get("Id"):
        out.append(("view", "ViewResource.Id is missing"))
    if "InvocationTimeLimitSeconds" not in params:
        out.append(("view", "InvocationTimeLimitSeconds is missing (the service requires a time limit)"))
    data = params.get("ViewData") if isinstance(params.get("ViewData"), dict) else {}
    view = view_name(str((params.get("ViewResource") or {}).get("Id", "")))
    results = VIEW_RESULTS.get(view or "", ())
    for c in tr.get("Conditions") or [] if view else []:
        for operand in (c.get("Condition") or {}).get("Operands") or [] if isinstance(c, dict) else []:
            if str(operand) not in results:
                out.append(("view", f"branch on {operand!r}, which a {view} view never gives ({', '.join(results)})"))
    try:
        form_inputs(data)
    except ViewError as exc:
        out.append(("view", str(exc)))
    hidden = (params.get("SensitiveDataConfiguration") or {}).get("HideResponseOn") or []
    if _free_text(params) and "TRANSCRIPT" not in hidden:
        out.append(("sensitive-input", "free-text input without SensitiveDataConfiguration.HideResponseOn TRANSCRIPT"))
    return out


def _silent_path_to_disconnect(actions: dict[str, dict[str, Any]], start: str) -> list[str] | None:
    todo: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while todo:
        cur, path = todo.pop()
        if cur in seen or cur not in actions:
            continue
        seen.add(cur)
        kind = actions[cur].get("Type")
        if kind == "DisconnectParticipant":
            return path
        if kind in SPEAKING_TYPES:
            continue
        for _, target in _branches(actions[cur]):
            todo.append((target, [*path, target]))
    return None


def lint_text(text: str, flow: str) -> list[Finding]:
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        return [Finding(flow, "-", "json", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")]
    return lint_content(content, flow, raw_length=len(text))


def lint_file(path: Path) -> list[Finding]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Finding(path.name, "-", "json", f"cannot read the file: {exc}")]
    return lint_text(text, path.name)


def lint_country(cfg: Any) -> list[Finding]:
    """Render the country with the local resolver and lint every flow."""
    from helpline.flows.render import render_local

    flows, _ = render_local(cfg)
    out: list[Finding] = []
    for name, flow in flows.items():
        out.extend(lint_text(flow.json(), f"{cfg.code}/{name}"))
        out.extend(lint_flow_type(flow.content, flow.type, f"{cfg.code}/{name}"))
    return out


def lint_flow_type(content: dict[str, Any], flow_type: str, flow: str) -> list[Finding]:
    """Actions Connect allows only in some flow types (rule ``view-flow-type``)."""
    out: list[Finding] = []
    for action in content.get("Actions") or []:
        if action.get("Type") == "ShowView" and flow_type not in SHOW_VIEW_FLOW_TYPES:
            out.append(
                Finding(flow, action.get("Identifier", "?"), "view-flow-type", f"ShowView in a {flow_type} flow")
            )
    return out
