"""Flow linter: checks Amazon Connect Flow-language JSON (rendered country flows or any file).

Rules come from :mod:`helpline.flows.catalog` (what the Flow-language reference says about each
action type; ids FL001-FL022) and from this project (FL1xx: flow-graph checks, the project's
policy, the operators' guide). Every finding has a rule id, a severity (``error``, ``warning``,
``info``, ``notice``), the action's identifier and a one-line fix. docs/flow-linter.md lists the
rules. Any input gives findings, never an exception: a file that is not JSON, a JSON value that
is not a flow, keys of the wrong type.

Findings print as ``flow:action-id: FLnnn slug: message``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpline.flows import catalog as cat
from helpline.flows.personal import personal_writes
from helpline.flows.simulate import MODELLED_TYPES
from helpline.flows.views import FREE_TEXT_INPUTS, VIEW_RESULTS, ViewError, form_inputs, view_name

MAX_ACTIONS = 250
MAX_CONTENT_CHARS = cat.CONTENT_MAX_CHARS
MAX_IDENTIFIER = cat.IDENTIFIER_MAX_CHARS
FORBIDDEN_ID_CHARS = cat.IDENTIFIER_FORBIDDEN_CHARS
FORBIDDEN_IDS = cat.IDENTIFIER_FORBIDDEN_NAMES
SEVERITIES = ("error", "warning", "info", "notice")
# Findings of these severities fail the lint (exit status 1).
FAILING = ("error", "warning")

# Project policy: error branches every flow of ours must route (they must reach a person or a
# message; the docs only say which errors can happen).
POLICY_ERRORS: dict[str, tuple[str, ...]] = {
    "TransferContactToQueue": ("QueueAtCapacity", "NoMatchingError"),
    "InvokeLambdaFunction": ("NoMatchingError",),
    # A queue-metric check (contacts in queue, oldest contact) whose value no condition names raises
    # NoMatchingCondition; without that branch it goes to NoMatchingError ("if no other Error
    # matches", flow-control-actions-checkmetricdata): the ordinary answer would take the error path.
    "CheckMetricData": ("NoMatchingCondition",),
}
# "This action can be used in inbound flows and customer queue flows" (participant-actions-showview.html).
SHOW_VIEW_FLOW_TYPES = ("CONTACT_FLOW", "CUSTOMER_QUEUE")
NOT_BEFORE_LOOP_PROMPTS = {
    "GetParticipantInput",
    "Loop",
    "MessageParticipant",
    "MessageParticipantIteratively",
    "TransferContactToQueue",
}
# Types that say something to the caller (a message before a disconnect); in the operators'
# guide a screen (ShowView) is what the operator is told.
SPEAKING_TYPES = {
    "MessageParticipant",
    "MessageParticipantIteratively",
    "GetParticipantInput",
    "ShowView",
    "ConnectParticipantWithLexBot",
}
# Numeric limits the catalog does not hold: (type, parameter) -> (min, max).
LIMITS: dict[tuple[str, str], tuple[int, int]] = {
    ("GetParticipantInput", "InputTimeLimitSeconds"): (1, 180),
    ("CreateCallbackContact", "MaximumConnectionAttempts"): (1, 100),
    ("Wait", "TimeLimitSeconds"): (1, 604_800),
    # "Always use an interruption period that's greater than 20 seconds ... the amount of time an
    # available agent has to accept the contact" (adminguide/loop-prompts.html).
    ("MessageParticipantIteratively", "InterruptFrequencySeconds"): (21, 86_400),
    # A time limit is required (the service refuses a ShowView without one); no documented maximum.
    ("ShowView", "InvocationTimeLimitSeconds"): (1, 604_800),
}
# Our renderer's template constructs (helpline.flows.render): never in a rendered flow.
_TEMPLATE_KEYS = {"$say", "$audio", "$each", "$if", "$in", "$skip_to", "Template"}
_RENDER_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}|\$\{[A-Za-z_]\w*\}")  # {{kind:name}}, ${var}
# Tokens of other flow-as-code tools ("${cdref:queue:sales}", the corpus's "${Q:sales:Q}") and a
# "{{" left open: no flow Connect runs holds one, in any parameter or condition operand.
_TEMPLATE_TOKEN = re.compile(r"\$\{[A-Za-z_][\w.-]*:[^{}\s]*\}|\{\{")
# Placeholders of other template styles, looked for in what the caller hears.
_SPEECH_PLACEHOLDERS = (
    (re.compile(r"\{\{[^{}]*\}\}|\{\{|\}\}"), "a {{...}} placeholder"),
    (re.compile(r"\$\{[A-Za-z_][\w.:-]*\}"), "a ${...} variable"),
    (re.compile(r"(?<![\w%])%[A-Za-z_][\w.]*%(?![\w%])"), "a %Name% placeholder"),
    (re.compile(r"\[\[[^\[\]]*\]\]|<<[A-Za-z_][\w.]*>>|__[A-Z][A-Z0-9_]+__"), "a [[...]]/<<...>>/__KEY__ placeholder"),
    (re.compile(r"\[untranslated\]|\bTODO\b|\bFIXME\b|\bTBD\b|\blorem ipsum\b", re.I), "a to-do marker"),
)
# A text that is only a message key ("welcome.greeting", "PROMPT_WELCOME"), not a sentence.
_KEY_TEXT = re.compile(r"^\s*(?:[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[a-z]+_[a-z0-9_]+)\s*$")
# A Connect reference inside text ("$.Attributes.name") is interpolated at run time; one that
# names no namespace ("$." alone, "$.name") is a placeholder left behind.
_CONNECT_REF = re.compile(r"\$\.([A-Za-z]+)")
_CONNECT_NAMESPACES = {
    "Attributes",
    "External",
    "Lex",
    "LexV2",
    "Customer",
    "CustomerEndpoint",
    "SystemEndpoint",
    "Queue",
    "Agent",
    "Channel",
    "ContactId",
    "InitialContactId",
    "PreviousContactId",
    "Name",
    "Description",
    "InstanceARN",
    "Media",
    "StoredCustomerInput",
    "CustomerId",
    "FlowAttributes",
    "Case",
    "Segments",
    "Tags",
    "TaskContactId",
    "Flow",
    "Modules",
    "Module",
    "Recording",
    "ContactDetails",
    "References",
    "Language",
    "TextToSpeechVoice",
    "Views",
    "MetricData",
    "Metrics",
    "RelatedContactId",
    "AgentId",
    "SegmentAttributes",
    "Voice",
    "Campaign",
    "DisconnectReason",
    "QueueMetrics",
    "CustomerProfile",
    "ContactLens",
}
_SPEECH_KEYS = {"Text", "SSML"}
# A JSONPath reference that is a whole value: "$.Attributes.x", "$.Attributes['a b']", "$['AwsRegion']".
_WHOLE_REFERENCE = re.compile(r"""^\$(?:\.[\w-]+|\.?\[(?:'[^']*'|"[^"]*")\])+$""")
# References whose value a flow action sets: contact attributes (UpdateContactAttributes), flow
# attributes (UpdateFlowAttributes), a Lambda function's answer, a Lex bot's result.
_READ_REFERENCE = re.compile(
    r"""\$\.(Attributes|FlowAttributes|External|LexV2|Lex)(?:\.?\[['"]([^'"]+)['"]\]|\.([\w-]+))"""
)
_SSML_TAG = re.compile(r"<[^>]*>")
_SEV_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class Rule:
    id: str
    slug: str
    severity: str
    source: str  # "docs" (the Flow-language reference), "policy" (this project), "project" (our tools)
    summary: str
    fix: str
    url: str = ""


def _r(id_: str, slug: str, severity: str, source: str, summary: str, fix: str, url: str = "") -> Rule:
    return Rule(id_, slug, severity, source, summary, fix, url)


_A = cat.FLOW_LANGUAGE_ACTIONS_URL
RULE_LIST: tuple[Rule, ...] = (
    _r(
        "FL001",
        "malformed",
        "error",
        "docs",
        "the file is JSON in the Flow-language shape: Version, StartAction, "
        "Actions with Identifier/Type/Parameters/Transitions of the right JSON types",
        "export the flow again or repair the key named in the message",
        _A,
    ),
    _r(
        "FL002",
        "unknown-type",
        "warning",
        "docs",
        "the action Type is one the Flow-language reference documents",
        "check the Type's spelling against the Flow-language action list",
        _A,
    ),
    _r(
        "FL003",
        "next-action",
        "error",
        "docs",
        "StartAction and every NextAction name an existing action; every non-terminal action has a NextAction",
        "point NextAction at an existing action",
        _A,
    ),
    _r(
        "FL004",
        "terminal-transitions",
        "error",
        "docs",
        "terminal actions (DisconnectParticipant, EndFlowExecution, EndFlowModuleExecution) have empty Transitions",
        "remove the Transitions",
        _A,
    ),
    _r(
        "FL005",
        "missing-required-error",
        "error",
        "docs",
        "error branches the action page says must always be defined are there (per input form: StoreInput True/False)",
        "add the Errors entry and route it",
        _A,
    ),
    _r(
        "FL006",
        "unhandled-error",
        "warning",
        "docs",
        "every error the action can raise has a branch",
        "add an Errors entry for it (usually a message, then a person)",
        _A,
    ),
    _r(
        "FL007",
        "impossible-error",
        "warning",
        "docs",
        "no branch for an error the action cannot raise (info for branches AWS's own exports carry)",
        "remove the Errors entry",
        _A,
    ),
    _r(
        "FL008",
        "conditions-not-supported",
        "error",
        "docs",
        "Conditions only on actions (and input forms) that have run results",
        "remove the Conditions or use StoreInput False",
        _A,
    ),
    _r(
        "FL009",
        "operator",
        "error",
        "docs",
        "condition operators are ones the action supports",
        "use an operator from the action page (usually Equals)",
        _A,
    ),
    _r(
        "FL010",
        "operand",
        "error",
        "docs",
        "condition operands: a list of one string, of the action's values",
        "use one operand the action can produce",
        _A,
    ),
    _r(
        "FL011",
        "missing-operand",
        "error",
        "docs",
        "actions whose results must each be branched on have a "
        "condition for each (CheckHoursOfOperation True/False, Loop ...)",
        "add the missing condition",
        _A,
    ),
    _r(
        "FL012",
        "parameters",
        "error",
        "docs",
        "required parameters present, exclusive ones not together, input-form parameters right",
        "add or remove the parameter named",
        _A,
    ),
    _r(
        "FL013",
        "range",
        "error",
        "docs",
        "numbers within the documented ranges (Lambda 1-8 s, input 1-180 s ...)",
        "use a value within the range",
        _A,
    ),
    _r(
        "FL014",
        "flow-type",
        "error",
        "docs",
        "the action is allowed in the flow's type",
        "move the action to a flow type that allows it",
        _A,
    ),
    _r(
        "FL015",
        "channel",
        "warning",
        "docs",
        "the action supports the flow's channel",
        "branch on the channel (CheckContactAttributes Channel) before it",
        _A,
    ),
    _r(
        "FL016",
        "end-of-support",
        "warning",
        "docs",
        "no action whose feature reached end of support",
        "remove the action (Voice ID ended on May 20, 2026)",
        cat.ADMIN_GUIDE + "check-voice-id.html",
    ),
    _r(
        "FL017",
        "event-hook",
        "error",
        "docs",
        "UpdateContactEventHooks sets only documented hooks",
        "use one of " + ", ".join(cat.EVENT_HOOK_KEYS),
        cat.API_REFERENCE + "contact-actions-updatecontacteventhooks.html",
    ),
    _r(
        "FL018",
        "identifier",
        "error",
        "docs",
        "identifiers unique, at most 50 characters, without % : ( \\ / ) = $ , ; [ ] { } or reserved names",
        "rename the action (and every NextAction that names it)",
        _A,
    ),
    _r(
        "FL019",
        "size",
        "error",
        "docs",
        "at most 256,000 characters of content (and 250 actions)",
        "split the flow into modules",
        cat.CONTENT_MAX_CHARS_URL,
    ),
    _r(
        "FL020",
        "prompt-length",
        "warning",
        "docs",
        "one prompt's text at most 3,000 billed characters (Amazon Polly; 6,000 in all)",
        "split the text over two prompts",
        str(cat.PROMPT_TEXT_LIMITS["url"]),
    ),
    _r(
        "FL021",
        "store-input",
        "error",
        "docs",
        'GetParticipantInput\'s input objects have their documented shape: StoreInput "True"/"False", '
        "InputValidation with one of PhoneNumberValidation (NumberFormat, CountryCode for Local) or "
        "CustomValidation (MaximumLength), InputEncryption only with CustomValidation, DTMFConfiguration",
        "write the object as the GetParticipantInput page shows it",
        str(cat.STORE_INPUT_SHAPE["url"]),
    ),
    _r(
        "FL022",
        "whole-reference",
        "error",
        "docs",
        "a parameter the docs want fully static or a single JSONPath holds no reference inside a longer "
        "value (PromptId, QueueId, ContactFlowId, ComparisonValue ...); a static-only one holds none",
        "make the reference the whole value (set an attribute to the composed value first) or write it statically",
        _A,
    ),
    _r(
        "FL101",
        "unreachable",
        "warning",
        "project",
        "every action is reachable from StartAction (one finding per unreachable subtree)",
        "link the subtree or delete it",
    ),
    _r(
        "FL102",
        "never-ends",
        "error",
        "project",
        "from every reachable action some path ends the flow (no loop without exit)",
        "give the loop an exit (an error branch, a Loop count, a disconnect)",
    ),
    _r(
        "FL103",
        "recording-notice",
        "error",
        "policy",
        "recording starts only after the caller heard something (the recording notice)",
        "play the recording notice before the recording block (UpdateContactRecordingAndAnalyticsBehavior)",
    ),
    _r(
        "FL104",
        "placeholder",
        "error",
        "project",
        "no placeholder left: our template constructs, {{...}}, "
        "${var}, %Name%, [[...]], message keys, to-do markers, '$.' without a namespace in speech",
        "render the flow or fill in the text",
    ),
    _r(
        "FL105",
        "silent-disconnect",
        "error",
        "policy",
        "no error path reaches DisconnectParticipant without a message (one finding per path)",
        "play a message before the disconnect",
    ),
    _r(
        "FL106",
        "error-branch-policy",
        "error",
        "policy",
        "queue transfers route QueueAtCapacity and NoMatchingError, Lambda calls route NoMatchingError, "
        "queue-metric checks (contacts in queue, oldest contact) route NoMatchingCondition "
        "(every error reaches a person or a message)",
        "add the Errors entry",
    ),
    _r(
        "FL107",
        "lambda-response",
        "error",
        "policy",
        "InvokeLambdaFunction validates the response as STRING_MAP and sets its time limit",
        "add ResponseValidation {ResponseType: STRING_MAP} and InvocationTimeLimitSeconds",
    ),
    _r(
        "FL108",
        "hold-loop",
        "error",
        "project",
        "a loop of prompts does not repeat one message back to back (Connect loops the list without a pause)",
        "add music or silence after the message",
    ),
    _r(
        "FL109",
        "loop-prompts",
        "error",
        "docs",
        "no Get customer input, Loop, Play prompt, Loop prompts or Transfer to queue leads into Loop prompts",
        "end the branch with EndFlowExecution",
        cat.ADMIN_GUIDE + "loop-prompts.html",
    ),
    _r(
        "FL110",
        "view",
        "error",
        "project",
        "ShowView names a view and a time limit, and branches only on buttons its view offers",
        "fix the ViewResource, time limit or branch",
    ),
    _r(
        "FL111",
        "sensitive-input",
        "error",
        "policy",
        "a screen with free-text inputs hides the response from the transcript and the flow does not log",
        "add SensitiveDataConfiguration.HideResponseOn TRANSCRIPT",
    ),
    _r(
        "FL113",
        "personal-attribute",
        "error",
        "policy",
        "no UpdateContactAttributes (Current or Related) writes a personal key (helpline/flows/personal.py): "
        "Connect keeps contact attributes 24 months, beyond erasure",
        "look the caller up by contact id (ContactLinks) or keep the value in a flow attribute",
        cat.ADMIN_GUIDE + "ctr-data-model.html",
    ),
    _r(
        "FL114",
        "unset-reference",
        "warning",
        "project",
        "a text, condition operand or comparison reads $.Attributes/$.FlowAttributes/$.External/$.Lex only "
        "where an action sets it first (warning; a notice when nothing in the linted flows sets it)",
        "set it before it is read, or make sure the flow before (or the contact's start) sets it",
        cat.ADMIN_GUIDE + "how-to-reference-attributes.html",
    ),
    _r(
        "FL112",
        "unmodelled",
        "notice",
        "project",
        "action types the project's simulator does not model (taken along their success path)",
        "none needed; the simulator reports it",
    ),
)
RULE_BY_SLUG: dict[str, Rule] = {r.slug: r for r in RULE_LIST}
RULE_BY_ID: dict[str, Rule] = {r.id: r for r in RULE_LIST}
RULES: dict[str, str] = {r.slug: r.summary for r in RULE_LIST}


@dataclass(frozen=True)
class Finding:
    flow: str
    action: str
    rule: str  # the rule's slug
    message: str
    notice: bool = False
    severity: str = ""
    fix: str = ""

    @property
    def id(self) -> str:
        return RULE_BY_SLUG[self.rule].id if self.rule in RULE_BY_SLUG else "FL000"

    @property
    def failing(self) -> bool:
        return self.severity in FAILING

    def __str__(self) -> str:
        return f"{self.flow}:{self.action}: {self.id} {self.rule}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        r = RULE_BY_SLUG.get(self.rule)
        return {
            "flow": self.flow,
            "action": self.action,
            "rule": self.id,
            "name": self.rule,
            "severity": self.severity,
            "source": r.source if r else "",
            "message": self.message,
            "fix": self.fix,
        }


def make_finding(
    flow: str, action: Any, slug: str, message: str, severity: str | None = None, fix: str | None = None
) -> Finding:
    r = RULE_BY_SLUG[slug]
    sev = severity or r.severity
    return Finding(flow, _short(action, 60), slug, message, sev == "notice", sev, fix or r.fix)


def _short(value: Any, n: int = 80) -> str:
    s = value if isinstance(value, str) else repr(value)
    return s if len(s) <= n else s[: n - 1] + "…"


def _type(action: Any) -> str | None:
    """An action's Type when it is a string (a list or number is FL001's finding)."""
    kind = action.get("Type") if isinstance(action, dict) else None
    return kind if isinstance(kind, str) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _walk_strings(value: Any, path: str = "", depth: int = 0) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if depth > 60:
        return out
    if isinstance(value, str):
        out.append((path, value))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_walk_strings(v, f"{path}[{i}]", depth + 1))
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in _TEMPLATE_KEYS:
                out.append((f"{path}.{k}", "$" + str(k).lstrip("$")))
            out.extend(_walk_strings(v, f"{path}.{k}" if path else str(k), depth + 1))
    return out


def _speech(params: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(path, text, is_ssml) for every text the caller hears: Text/SSML, Messages[].Text/SSML."""
    out: list[tuple[str, str, bool]] = []
    for key in _SPEECH_KEYS:
        if isinstance(params.get(key), str):
            out.append((key, params[key], key == "SSML"))
    for i, m in enumerate(_list(params.get("Messages"))):
        for key in _SPEECH_KEYS:
            if isinstance(m, dict) and isinstance(m.get(key), str):
                out.append((f"Messages[{i}].{key}", m[key], key == "SSML"))
    return out


def _branches(action: Any) -> list[tuple[str, str]]:
    """(kind, target) for every transition: ("next", id), ("condition", id), ("error:<type>", id)."""
    tr = _dict(_dict(action).get("Transitions"))
    out: list[tuple[str, str]] = []
    if isinstance(tr.get("NextAction"), str):
        out.append(("next", tr["NextAction"]))
    for c in _list(tr.get("Conditions")):
        if isinstance(c, dict) and isinstance(c.get("NextAction"), str):
            out.append(("condition", c["NextAction"]))
    for e in _list(tr.get("Errors")):
        if isinstance(e, dict) and isinstance(e.get("NextAction"), str):
            out.append((f"error:{_short(e.get('ErrorType', ''), 40)}", e["NextAction"]))
    return out


def _error_types(tr: dict[str, Any]) -> list[str]:
    return [
        e["ErrorType"] for e in _list(tr.get("Errors")) if isinstance(e, dict) and isinstance(e.get("ErrorType"), str)
    ]


def _conditions(tr: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        c["Condition"]
        for c in _list(tr.get("Conditions"))
        if isinstance(c, dict) and isinstance(c.get("Condition"), dict)
    ]


def _ends(action: dict[str, Any]) -> bool:
    """Whether the flow may end at this action (terminal, a transfer, a queue's loop of prompts)."""
    kind = _type(action)
    s = cat.spec(kind)
    if s is not None and (s.terminal or s.ends_flow_on_success):
        return True
    # A customer queue / hold flow ends when an agent answers, during its loop of prompts.
    return kind in ("MessageParticipantIteratively", "Wait") or not _branches(action)


def _flow_type_from(content: dict[str, Any]) -> str | None:
    meta = _dict(content.get("Metadata"))
    return cat.flow_type_name(meta.get("type")) if meta else None


def lint_content(
    content: Any,
    flow: str,
    *,
    raw_length: int | None = None,
    flow_type: str | None = None,
    channel: str | None = None,
    attributes_set_elsewhere: Iterable[str] = (),
) -> list[Finding]:
    """Lint one flow (the parsed JSON). ``flow`` names it in the findings; never raises.

    ``flow_type`` (``CONTACT_FLOW`` or ``contactFlow``; default: the export's ``Metadata.type``)
    enables the flow-type rule, ``channel`` (voice, chat, task, email) the channel rule.
    ``attributes_set_elsewhere``: contact attributes other flows of the same set write (FL114).
    """
    try:
        elsewhere = frozenset(a for a in attributes_set_elsewhere if isinstance(a, str))
        findings = _lint(content, flow, raw_length, flow_type, channel, elsewhere)
    except RecursionError:
        findings = [make_finding(flow, "-", "malformed", "the flow is nested too deeply to read")]
    except Exception as exc:  # noqa: BLE001 - the linter reports, it does not crash
        findings = [
            make_finding(
                flow,
                "-",
                "malformed",
                f"the linter could not read this flow ({type(exc).__name__}: {_short(str(exc))})",
            )
        ]
    return _dedupe(findings)


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str, str]] = set()
    out = []
    for f in findings:
        key = (f.flow, f.action, f.rule, f.message)
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _lint(
    content: Any,
    flow: str,
    raw_length: int | None,
    flow_type: str | None,
    channel: str | None,
    elsewhere: frozenset[str] = frozenset(),
) -> list[Finding]:
    findings: list[Finding] = []

    def add(action: Any, slug: str, message: str, severity: str | None = None, fix: str | None = None) -> None:
        findings.append(make_finding(flow, action, slug, message, severity, fix))

    if not isinstance(content, dict):
        add(
            "-",
            "malformed",
            f"the file holds a JSON {type(content).__name__}, not a flow object",
            fix="lint the flow's JSON object (an export's Content)",
        )
        return findings
    if content.get("Version") != "2019-10-30":
        add(
            "-",
            "malformed",
            f"Version is {_short(content.get('Version'))}, expected '2019-10-30'",
            fix='set "Version": "2019-10-30"',
        )
    actions_raw = content.get("Actions")
    if not isinstance(actions_raw, list) or not actions_raw:
        add("-", "malformed", "Actions is missing, not a list, or empty", fix="give the flow a list of actions")
        return findings
    start = content.get("StartAction")
    if not isinstance(start, str):
        add(
            "-",
            "malformed",
            f"StartAction is {'missing' if start is None else 'not a string'}",
            fix="name the first action in StartAction",
        )
    actions = _index_actions(actions_raw, add)
    _size_rules(content, actions_raw, raw_length, add)
    _reference_rules(actions, start, add)
    ft = cat.flow_type_name(flow_type) if flow_type else _flow_type_from(content)
    for ident, action in actions.items():
        _lint_action(ident, action, add, ft, channel)
    _graph_rules(actions, start if isinstance(start, str) else None, add)
    _unset_reference_rule(actions, elsewhere, add)
    return findings


def _index_actions(actions_raw: list[Any], add: Any) -> dict[str, dict[str, Any]]:
    """The actions by Identifier, reporting malformed actions and bad identifiers (FL001, FL018)."""
    actions: dict[str, dict[str, Any]] = {}
    for i, action in enumerate(actions_raw):
        if not isinstance(action, dict):
            add(f"#{i}", "malformed", f"action #{i} is a JSON {type(action).__name__}, not an object")
            continue
        ident = action.get("Identifier")
        if not isinstance(ident, str) or not ident:
            add(f"#{i}", "malformed", f"action #{i} has no Identifier string")
            continue
        if ident in actions:
            add(ident, "identifier", "Identifier is used by more than one action")
            continue
        actions[ident] = action
        _action_shape(ident, action, add)
        _identifier_rules(ident, add)
    return actions


def _action_shape(ident: str, action: dict[str, Any], add: Any) -> None:
    """FL001: the keys of one action and of its Transitions have the documented JSON types."""
    for key, expected in (("Type", str), ("Parameters", dict), ("Transitions", dict)):
        if key not in action:
            add(ident, "malformed", f"action has no {key}")
        elif not isinstance(action[key], expected):
            add(
                ident,
                "malformed",
                f"{key} is a JSON {type(action[key]).__name__}, expected {'a string' if expected is str else 'an object'}",
            )
    tr = _dict(action.get("Transitions"))
    for key in ("Errors", "Conditions"):
        if key in tr and not isinstance(tr[key], list):
            add(ident, "malformed", f"Transitions.{key} is a JSON {type(tr[key]).__name__}, expected a list")
    if "NextAction" in tr and not isinstance(tr["NextAction"], str):
        add(ident, "malformed", "Transitions.NextAction is not a string")
    for e in _list(tr.get("Errors")):
        if (
            not isinstance(e, dict)
            or not isinstance(e.get("ErrorType"), str)
            or not isinstance(e.get("NextAction"), str)
        ):
            add(ident, "malformed", "an Errors entry needs ErrorType and NextAction strings")
    for c in _list(tr.get("Conditions")):
        cond = c.get("Condition") if isinstance(c, dict) else None
        if (
            not isinstance(cond, dict)
            or "Operator" not in cond
            or "Operands" not in cond
            or not isinstance(c.get("NextAction"), str)
        ):
            add(ident, "malformed", "a Conditions entry needs NextAction and Condition {Operator, Operands}")


def _identifier_rules(ident: str, add: Any) -> None:
    """FL018: at most 50 characters, no forbidden character, no reserved name."""
    if len(ident) > MAX_IDENTIFIER:
        add(ident, "identifier", f"Identifier is {len(ident)} characters long (at most {MAX_IDENTIFIER})")
    bad = sorted(set(ident) & FORBIDDEN_ID_CHARS)
    if bad:
        add(ident, "identifier", f"Identifier contains {' '.join(bad)}, which Connect does not allow")
    if ident in FORBIDDEN_IDS:
        add(ident, "identifier", "Identifier is a reserved name")


def _size_rules(content: dict[str, Any], actions_raw: list[Any], raw_length: int | None, add: Any) -> None:
    """FL019: at most 250 actions and 256,000 characters of content."""
    n = len(actions_raw)
    if n > MAX_ACTIONS:
        add("-", "size", f"{n} actions (Connect allows at most {MAX_ACTIONS})")
    try:
        length = (
            raw_length
            if raw_length is not None
            else len(json.dumps(content, ensure_ascii=False, separators=(",", ":")))
        )
    except (TypeError, ValueError):
        length = 0
    if length > MAX_CONTENT_CHARS:
        add("-", "size", f"content is {length} characters (Connect allows at most {MAX_CONTENT_CHARS})")


def _reference_rules(actions: dict[str, dict[str, Any]], start: Any, add: Any) -> None:
    """FL003: StartAction and every transition (next, condition, error) name an action of the flow."""
    if isinstance(start, str) and start not in actions:
        add("-", "next-action", f"StartAction {_short(start)!r} does not exist")
    for ident, action in actions.items():
        for kind, target in _branches(action):
            if target not in actions:
                add(ident, "next-action", f"{kind} goes to {_short(target)!r}, which does not exist")


def _lint_action(ident: str, action: dict[str, Any], add: Any, ft: str | None, channel: str | None) -> None:
    """Every per-action rule, in a fixed order (the order of the findings)."""
    kind = _type(action)
    params = _dict(action.get("Parameters"))
    tr = _dict(action.get("Transitions"))
    s = cat.spec(kind)
    _type_notices(ident, kind, s, add)
    _placeholder_rules(ident, params, tr, add)
    _prompt_length_rules(ident, params, add)
    if s is None:
        return
    _transition_rules(ident, s, params, tr, add)
    _error_rules(ident, action, s, add)
    _condition_rules(ident, action, s, add)
    _parameter_rules(ident, s, cat.input_form(action), params, add)
    if s.type == "GetParticipantInput":
        _store_input_rules(ident, params, add)
    _reference_form_rules(ident, s, params, add)
    _range_rules(ident, s, params, add)
    _context_rules(ident, s, params, ft, channel, add)
    _project_action_rules(ident, s, params, tr, add)


def _type_notices(ident: str, kind: str | None, s: cat.ActionSpec | None, add: Any) -> None:
    """FL002 (a Type the reference does not document) and FL112 (a Type the simulator does not model)."""
    if kind is not None and s is None:
        add(ident, "unknown-type", f"action type {_short(kind, 50)} is not in the Flow-language reference")
    if kind is not None and kind not in MODELLED_TYPES:
        add(ident, "unmodelled", f"action type {_short(kind, 50)} is not modelled by the simulator")


def _placeholder_rules(ident: str, params: dict[str, Any], tr: dict[str, Any], add: Any) -> None:
    """FL104: our template constructs anywhere; other template styles in what the caller hears."""
    left = [
        (path, text)
        for path, text in _walk_strings({"Parameters": params, "Transitions": tr})
        if _RENDER_PLACEHOLDER.search(text)
        or _TEMPLATE_TOKEN.search(text)
        or text in {"$say", "$audio", "$each", "$if", "$in", "$skip_to", "$Template"}
    ]
    if left:  # one finding per action
        more = f" (and {len(left) - 1} more value(s))" if len(left) > 1 else ""
        add(ident, "placeholder", f"{left[0][0]} holds an unresolved placeholder: {_short(left[0][1], 60)}{more}")
    for path, text, _ in _speech(params):
        for rx, what in _SPEECH_PLACEHOLDERS:
            m = rx.search(text)
            if m and not _RENDER_PLACEHOLDER.search(text) and not _TEMPLATE_TOKEN.search(text):
                add(ident, "placeholder", f"{path} holds {what}: {_short(m.group(0), 40)}")
                break
        else:
            if _KEY_TEXT.match(text):
                add(ident, "placeholder", f"{path} is a message key, not a sentence: {_short(text, 40)}")
            for m in _CONNECT_REF.finditer(text + " "):
                if m.group(1) not in _CONNECT_NAMESPACES:
                    add(ident, "placeholder", f"{path} holds '$.{m.group(1)}', which is no Connect attribute reference")
            if re.search(r"\$\.(?![A-Za-z])", text):
                add(ident, "placeholder", f"{path} holds a bare '$.' reference")


def _prompt_length_rules(ident: str, params: dict[str, Any], add: Any) -> None:
    """FL020: one prompt's text within Amazon Polly's limits (3,000 billed, 6,000 in all)."""
    limits = cat.PROMPT_TEXT_LIMITS
    for path, text, ssml in _speech(params):
        billed = len(_SSML_TAG.sub("", text)) if ssml else len(text)
        if len(text) > limits["polly_total_chars"]:
            add(
                ident,
                "prompt-length",
                f"{path} is {len(text)} characters (Amazon Polly refuses more than {limits['polly_total_chars']})",
                "error",
            )
        elif billed > limits["polly_billed_chars"]:
            add(
                ident,
                "prompt-length",
                f"{path} is {billed} billed characters (Amazon Polly: at most {limits['polly_billed_chars']})",
            )


def _transition_rules(ident: str, s: cat.ActionSpec, params: dict[str, Any], tr: dict[str, Any], add: Any) -> None:
    """FL004 (terminal actions have empty Transitions) and FL003 (every other action has a NextAction)."""
    if s.terminal:
        if tr:
            add(
                ident, "terminal-transitions", f"{s.type} ends the flow but has Transitions ({', '.join(map(str, tr))})"
            )
    elif "NextAction" not in tr and not (
        s.type == "MessageParticipantIteratively" and "InterruptFrequencySeconds" not in params
    ):
        add(
            ident,
            "next-action",
            f"{s.type} has no NextAction (the flow would stop here)",
            fix="add Transitions.NextAction",
        )


def _error_rules(ident: str, action: dict[str, Any], s: cat.ActionSpec, add: Any) -> None:
    """FL005 (required branches), FL006 (unhandled), FL007 (impossible), FL106 (our policy)."""
    errors = _error_types(_dict(action.get("Transitions")))
    form = cat.input_form(action)
    required = form.required_errors if form is not None else s.required_errors
    for needed in required:
        if needed not in errors:
            add(
                ident,
                "missing-required-error",
                f"{s.type} has no {needed} error branch (the docs: must always be defined)",
            )
    possible = cat.possible_errors(action)
    if possible is not None:
        policy = POLICY_ERRORS.get(s.type, ())
        for e in possible:
            if e not in errors and e not in required and e not in policy:
                add(ident, "unhandled-error", f"{s.type} can raise {e}, which has no branch")
        tolerated = cat.EXPORT_TOLERATED_ERRORS.get(s.type, ())
        for e in errors:
            if e not in possible:
                sev = "info" if e in tolerated else None
                add(
                    ident,
                    "impossible-error",
                    f"{s.type} never raises {_short(e, 40)}" + (f" ({form_note(action)})" if form else ""),
                    sev,
                )
    for needed in POLICY_ERRORS.get(s.type, ()):
        if needed not in errors and needed not in required and (possible is None or needed in possible):
            add(ident, "error-branch-policy", _policy_message(s.type, needed, action))


def _policy_message(kind: str, needed: str, action: dict[str, Any]) -> str:
    if kind == "CheckMetricData":
        metric = _short(_dict(action.get("Parameters")).get("MetricType"), 40)
        return (
            f"CheckMetricData ({metric}) has no {needed} branch: a value no condition names goes down "
            "NoMatchingError ('if no other Error matches'), the error path"
        )
    return f"{kind} has no {needed} error branch (project policy: every error reaches a person or a message)"


def _condition_rules(ident: str, action: dict[str, Any], s: cat.ActionSpec, add: Any) -> None:
    """FL008-FL011: conditions only where there is a run result, with the action's operators and operands."""
    form = cat.input_form(action)
    conds = _conditions(_dict(action.get("Transitions")))
    supports = form.conditions if form is not None else s.conditions
    operators = form.operators if form is not None else s.operators
    if conds and supports is False:
        add(
            ident,
            "conditions-not-supported",
            f"{s.type}{' (' + form_note(action) + ')' if form else ''} has no run result to branch on",
        )
    elif conds:
        for cond in conds:
            _condition_findings(ident, s, form, operators, cond, add)
    values = {str(o) for c in conds for o in _list(c.get("Operands"))}
    for needed in s.required_operands:
        if needed not in values:
            add(ident, "missing-operand", f"{s.type} has no condition for {needed}")


def _condition_findings(
    ident: str,
    s: cat.ActionSpec,
    form: cat.InputForm | None,
    operators: tuple[str, ...] | None,
    cond: dict[str, Any],
    add: Any,
) -> None:
    """FL009 / FL010 for one condition."""
    op = cond.get("Operator")
    if not isinstance(op, str) or op not in cat.OPERATORS or (operators and op not in operators):
        add(
            ident,
            "operator",
            f"operator {_short(op, 40)} is not one {s.type} supports ({', '.join(operators or cat.OPERATORS)})",
        )
    operands = cond.get("Operands")
    if not isinstance(operands, list) or not operands:
        add(ident, "operand", f"Operands is {_short(operands, 40)}, expected a list of one string")
        return
    if len(operands) > cat.OPERANDS_PER_OPERATOR and len(operands) > 10:
        add(ident, "operand", f"{len(operands)} operands (at most 10)")
    for o in operands:
        if not isinstance(o, str):
            add(ident, "operand", f"operand {_short(o, 40)} is not a string")
        elif s.operands is not None and o not in s.operands and not o.startswith("$."):
            add(ident, "operand", f"operand {_short(o, 40)}: {s.type} only gives {', '.join(s.operands)}")
        elif form is not None and form.operand_pattern and not re.match(form.operand_pattern, o):
            add(ident, "operand", f"operand {_short(o, 40)} is not one key (0-9, * or #)")


def _parameter_rules(
    ident: str, s: cat.ActionSpec, form: cat.InputForm | None, params: dict[str, Any], add: Any
) -> None:
    """FL012: required parameters present, input-form parameters right, exclusive ones not together."""
    required_params = s.required_params or ()
    if form is not None:
        required_params = tuple(p for p in required_params if p != "StoreInput") + form.required_params
        for p in form.forbidden_params:
            if p in params:
                add(ident, "parameters", f"{p} is only for StoreInput True")
    for p in required_params:
        if p not in params:
            add(ident, "parameters", f"{s.type} needs the parameter {p}")
    for group in s.exclusive_params:
        present = [p for p in group if p in params]
        if len(present) > 1:
            add(ident, "parameters", f"{' and '.join(present)} together (at most one of {', '.join(group)})")
    for group in s.required_one_of:
        if not any(p in params for p in group):
            add(ident, "parameters", f"{s.type} needs one of {', '.join(group)}")


def _store_input_rules(ident: str, params: dict[str, Any], add: Any) -> None:
    """FL021: GetParticipantInput's StoreInput, InputValidation, InputEncryption and DTMFConfiguration
    have the shape of the parameter object on its page (cat.STORE_INPUT_SHAPE)."""
    shape = cat.STORE_INPUT_SHAPE
    store = params.get("StoreInput")
    if "StoreInput" in params and store not in shape["store_input"]:
        add(ident, "store-input", f'StoreInput is {_short(store, 30)}; the page allows "True" or "False"')
    validation = params.get("InputValidation")
    if "InputValidation" in params:
        for message in _validation_findings(validation):
            add(ident, "store-input", message)
    if isinstance(validation, dict) and not any(way in validation for way in shape["validations"]):
        add(
            ident,
            "store-input",
            "InputValidation names no way to validate (PhoneNumberValidation or CustomValidation); "
            "the page lists only these two and does not say Connect takes an empty one",
            "warning",
        )
    if "InputEncryption" in params and store == "True":
        for message in _encryption_findings(params["InputEncryption"], params.get("InputValidation")):
            add(ident, "store-input", message)
    if "DTMFConfiguration" in params:
        for message in _dtmf_findings(params["DTMFConfiguration"]):
            add(ident, "store-input", message)


def _validation_findings(validation: Any) -> list[str]:
    shape = cat.STORE_INPUT_SHAPE
    if not isinstance(validation, dict):
        return [f"InputValidation is {_short(validation, 30)}, not an object"]
    ways = [w for w in shape["validations"] if w in validation]
    if len(ways) > 1:
        return ["InputValidation has both PhoneNumberValidation and CustomValidation (the page: one or the other)"]
    if not ways:
        return []  # a warning of its own (the page is silent)
    way = validation[ways[0]]
    if not isinstance(way, dict):
        return [f"InputValidation.{ways[0]} is {_short(way, 30)}, not an object"]
    if ways[0] == "CustomValidation":
        length = way.get("MaximumLength")
        if not str(length).isdigit() or int(str(length)) < 1:
            return [f"CustomValidation.MaximumLength is {_short(length, 30)}, not a static number of digits"]
        return []
    number_format = way.get("NumberFormat")
    if number_format not in shape["number_formats"]:
        return [f'PhoneNumberValidation.NumberFormat is {_short(number_format, 30)}, not "Local" or "E164"']
    country = way.get("CountryCode")
    if number_format == "Local" and not (isinstance(country, str) and re.fullmatch(r"[A-Za-z]{2}", country)):
        return [
            f"PhoneNumberValidation with a Local NumberFormat needs a two-letter CountryCode, not {_short(country, 30)}"
        ]
    return []


def _encryption_findings(encryption: Any, validation: Any) -> list[str]:
    if not (isinstance(validation, dict) and "CustomValidation" in validation):
        return ["InputEncryption without CustomValidation (the page: only if CustomValidation is provided)"]
    if not isinstance(encryption, dict):
        return [f"InputEncryption is {_short(encryption, 30)}, not an object"]
    missing = [k for k in cat.STORE_INPUT_SHAPE["encryption_keys"] if not encryption.get(k)]
    return [f"InputEncryption has no {' or '.join(missing)}"] if missing else []


def _dtmf_findings(dtmf: Any) -> list[str]:
    shape = cat.STORE_INPUT_SHAPE
    if not isinstance(dtmf, dict):
        return [f"DTMFConfiguration is {_short(dtmf, 30)}, not an object"]
    out = []
    sequence = dtmf.get("InputTerminationSequence")
    most = shape["termination_max_digits"]
    if sequence is not None and not (isinstance(sequence, str) and re.fullmatch(rf"[0-9*#]{{1,{most}}}", sequence)):
        out.append(f"InputTerminationSequence is {_short(sequence, 30)}, not up to {most} keys (0-9, * or #)")
    cancel = dtmf.get("DisableCancelKey")
    if cancel is not None and cancel not in shape["disable_cancel_key"]:
        out.append(f'DisableCancelKey is {_short(cancel, 30)}, not "True" or "False"')
    return out


def _reference_form_rules(ident: str, s: cat.ActionSpec, params: dict[str, Any], add: Any) -> None:
    """FL022: a JSONPath reference is the whole value where the page says "fully static or a single
    JSONPath"; a reference-only parameter holds one; a static-only parameter holds none."""
    for (kind, name), form in cat.REFERENCE_FORMS.items():
        value = params.get(name) if kind == s.type else None
        if not isinstance(value, str) or _TEMPLATE_TOKEN.search(value) or _RENDER_PLACEHOLDER.search(value):
            continue  # absent, not a string (other rules), or a placeholder (FL104)
        whole = bool(_WHOLE_REFERENCE.match(value))
        if form == "static" and value.startswith("$"):
            add(ident, "whole-reference", f"{name} is {_short(value, 50)}; the page: must be defined statically")
        elif form == "reference" and not whole:
            add(ident, "whole-reference", f"{name} is {_short(value, 50)}, not a single JSONPath reference")
        elif form == "whole" and not whole and re.search(r"\$[.\[]", value):
            add(
                ident,
                "whole-reference",
                f"{name} embeds a reference in a longer value ({_short(value, 50)}); "
                "the page: fully static or a single JSONPath",
            )


def _range_rules(ident: str, s: cat.ActionSpec, params: dict[str, Any], add: Any) -> None:
    """FL013: numbers within the documented ranges (a JSONPath value is checked at run time)."""
    ranges = dict(s.int_ranges)
    for (ltype, p), rng in LIMITS.items():
        if ltype == s.type:
            ranges.setdefault(p, rng)
    for p, (lo, hi) in ranges.items():
        if p not in params:
            continue
        raw = params[p]
        if isinstance(raw, str) and raw.startswith("$."):
            continue
        try:
            value = int(str(raw)) if not isinstance(raw, (bool, dict, list)) else None
        except ValueError:
            value = None
        if value is None:
            add(ident, "range", f"{p} is {_short(raw, 40)}, not an integer")
        elif not lo <= value <= hi:
            add(ident, "range", f"{p} is {value} (Connect allows {lo}-{hi})")


def _context_rules(
    ident: str, s: cat.ActionSpec, params: dict[str, Any], ft: str | None, channel: str | None, add: Any
) -> None:
    """FL014 flow type, FL015 channel, FL016 end of support, FL017 event hooks."""
    if ft is not None and cat.allowed_in(s.type, ft) is False:
        add(
            ident,
            "flow-type",
            f"{s.type} is not allowed in a {ft} flow (allowed: {', '.join(sorted(s.flow_types or ()))})",
        )
    if channel and s.channels is not None and channel not in s.channels:
        add(ident, "channel", f"{s.type} does not support the {channel} channel ({', '.join(sorted(s.channels))})")
    if s.end_of_support and (s.type != "UpdateContactData" or any("VoiceId" in str(k) for k in params)):
        add(ident, "end-of-support", f"{s.type}: {s.end_of_support}")
    if s.type == "UpdateContactEventHooks":
        for key in _dict(params.get("EventHooks")):
            if key not in cat.EVENT_HOOK_KEYS:
                add(ident, "event-hook", f"event hook {_short(key, 40)} is not one Connect knows")


def _project_action_rules(ident: str, s: cat.ActionSpec, params: dict[str, Any], tr: dict[str, Any], add: Any) -> None:
    """FL110 / FL111 (screens), FL108 (a looped message back to back), FL107 (Lambda response)."""
    if s.type == "ShowView":
        for slug, message in _view_findings(params, tr):
            add(ident, slug, message)
    if s.type == "MessageParticipantIteratively":
        messages = params.get("Messages")
        if isinstance(messages, list) and len(messages) == 1:
            add(ident, "hold-loop", "one message looped back to back; add music or silence after it")
    if s.type == "InvokeLambdaFunction":
        rv = params.get("ResponseValidation")
        if not isinstance(rv, dict) or rv.get("ResponseType") != "STRING_MAP":
            add(ident, "lambda-response", "ResponseValidation is not {'ResponseType': 'STRING_MAP'}")


def form_note(action: dict[str, Any]) -> str:
    store = _dict(action.get("Parameters")).get("StoreInput", "False")
    return f"StoreInput {_short(store, 10)}"


def _reach(actions: dict[str, dict[str, Any]], roots: Iterable[str]) -> set[str]:
    seen = {r for r in roots if r in actions}
    todo = list(seen)
    while todo:
        cur = todo.pop()
        for _, target in _branches(actions[cur]):
            if target in actions and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _graph_rules(actions: dict[str, dict[str, Any]], start: str | None, add: Any) -> None:
    """The rules over the whole graph, in a fixed order (the order of the findings)."""
    if start in actions:
        reached = _reach(actions, [start])
        _unreachable_rule(actions, reached, add)
        _never_ends_rule(actions, reached, add)
        # FL103 recording-notice: recording applies once an agent answers, so what counts is a
        # path from the start through a recording action to a queue transfer on which the
        # caller heard nothing (no notice).
        for rec, path in _unannounced_recordings(actions, start):
            add(
                rec,
                "recording-notice",
                "recording is on when the call reaches a queue and the caller heard no notice: "
                + " -> ".join(path[-6:]),
            )
    _loop_prompts_rule(actions, add)
    # FL113 personal data in a contact attribute (kept 24 months by Connect, beyond erasure)
    for ident, action in actions.items():
        # personal.py reads Parameters as an object: hand it one (a list there is FL001's finding)
        keys = personal_writes({"Type": _type(action), "Parameters": _dict(action.get("Parameters"))})
        if keys:
            add(ident, "personal-attribute", f"writes {', '.join(keys)} as contact attributes (kept 24 months)")
    # FL111 sensitive input in a logged flow
    logging = any(
        _type(a) == "UpdateFlowLoggingBehavior" and _dict(a.get("Parameters")).get("FlowLoggingBehavior") == "Enabled"
        for a in actions.values()
    )
    for ident, action in actions.items():
        if logging and _type(action) == "ShowView" and _free_text(_dict(action.get("Parameters"))):
            add(ident, "sensitive-input", "free-text inputs in a flow that enables flow logs (logs hold view results)")
    _silent_disconnect_rule(actions, add)


def _unreachable_rule(actions: dict[str, dict[str, Any]], reached: set[str], add: Any) -> None:
    """FL101: one finding per unreachable subtree, at its root (an unreachable action no other
    unreachable action leads to; for a cycle nobody enters, its first action)."""
    dead = [a for a in actions if a not in reached]
    covered: set[str] = set()
    targeted = {t for a in dead for _, t in _branches(actions[a]) if t != a}
    roots = [a for a in dead if a not in targeted]
    for a in dead:
        if a in covered or a not in roots:
            continue
        sub = _reach(actions, [a]) - reached
        covered |= sub
        others = len(sub) - 1
        add(
            a,
            "unreachable",
            "no path from StartAction reaches this action"
            + (f" nor the {others} action(s) only it leads to" if others else ""),
        )
    for a in dead:  # cycles nobody enters
        if a not in covered:
            sub = _reach(actions, [a]) - reached
            covered |= sub
            add(a, "unreachable", f"no path from StartAction reaches this loop of {len(sub)} action(s)")


def _never_ends_rule(actions: dict[str, dict[str, Any]], reached: set[str], add: Any) -> None:
    """FL102: reachable actions from which no path ends the flow (a branch to a missing action
    is FL003's finding, not a loop)."""
    ending = {a for a in reached if _ends(actions[a]) or any(t not in actions for _, t in _branches(actions[a]))}
    can_end = set(ending)
    changed = True
    while changed:
        changed = False
        for a in reached:
            if a not in can_end and any(t in can_end for _, t in _branches(actions[a])):
                can_end.add(a)
                changed = True
    trapped = [a for a in actions if a in reached and a not in can_end]
    done: set[str] = set()
    for a in trapped:
        if a in done:
            continue
        loop = _reach(actions, [a]) & set(trapped)
        done |= loop
        add(
            a,
            "never-ends",
            f"from here the flow can never end: a loop without exit through {', '.join(sorted(loop)[:6])}{' ...' if len(loop) > 6 else ''}",
        )


def _loop_prompts_rule(actions: dict[str, dict[str, Any]], add: Any) -> None:
    """FL109: no input, loop, message or queue transfer leads into Loop prompts."""
    for ident, action in actions.items():
        if _type(action) not in NOT_BEFORE_LOOP_PROMPTS:
            continue
        for kind, target in _branches(action):
            if _type(_dict(actions.get(target))) == "MessageParticipantIteratively":
                add(
                    ident,
                    "loop-prompts",
                    f"{kind} leads into Loop prompts {_short(target)}; end it with EndFlowExecution",
                )


def _silent_disconnect_rule(actions: dict[str, dict[str, Any]], add: Any) -> None:
    """FL105: one finding per DisconnectParticipant that error paths reach without a message (one
    cause, one finding), naming every error branch that gets there. A speaking action's own error
    branch is exempt (its message was the attempt to speak)."""
    entries: dict[str, list[str]] = {}
    paths: dict[str, list[str]] = {}
    for ident, action in actions.items():
        if _type(action) in SPEAKING_TYPES - {"GetParticipantInput"}:
            continue
        for kind, target in _branches(action):
            if not kind.startswith("error:"):
                continue
            found = _silent_path_to_disconnect(actions, target)
            if found is None:
                continue
            end = found[-1]
            paths.setdefault(end, [ident, *found])
            entries.setdefault(end, []).append(f"{ident} {kind[6:]}")
    for end, sources in entries.items():
        more = f" and {len(sources) - 3} more" if len(sources) > 3 else ""
        add(
            end,
            "silent-disconnect",
            f"error branches reach this disconnect without a message ({'; '.join(sources[:3])}{more}), e.g. {' -> '.join(paths[end][-5:])}",
        )


def contact_attributes_written(content: Any) -> set[str]:
    """The contact attributes a flow sets on its own contact (UpdateContactAttributes, not Related)."""
    actions = _list(_dict(content).get("Actions"))
    return {key for action in actions for kind, key in _sets(_dict(action)) if kind == "Attributes" and key}


def _sets(action: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(namespace, key) of what an action makes readable: a contact attribute on the current contact
    (UpdateContactAttributes; "Related" writes another contact), a flow attribute, a Lambda's answer
    ($.External, any key), a Lex bot's result ($.Lex / $.LexV2)."""
    kind = _type(action)
    params = _dict(action.get("Parameters"))
    if kind == "UpdateContactAttributes" and params.get("TargetContact", "Current") != "Related":
        return [("Attributes", str(k)) for k in _dict(params.get("Attributes"))]
    if kind == "UpdateFlowAttributes":
        return [("FlowAttributes", str(k)) for k in _dict(params.get("FlowAttributes"))]
    if kind == "InvokeLambdaFunction":
        return [("External", None)]
    if kind == "ConnectParticipantWithLexBot":
        return [("Lex", None), ("LexV2", None)]
    return []


def _reads(action: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(where, namespace, key) of every settable reference in what the action says (Text, SSML,
    loop-prompt messages), compares (Compare's ComparisonValue) or branches on (condition operands)."""
    params = _dict(action.get("Parameters"))
    places = [(path, text) for path, text, _ in _speech(params)]
    if _type(action) == "Compare" and isinstance(params.get("ComparisonValue"), str):
        places.append(("ComparisonValue", params["ComparisonValue"]))
    for i, cond in enumerate(_conditions(_dict(action.get("Transitions")))):
        places += [(f"Conditions[{i}] operand", o) for o in _list(cond.get("Operands")) if isinstance(o, str)]
    out = []
    for where, text in places:
        for m in _READ_REFERENCE.finditer(text):
            ref = (where, m.group(1), m.group(2) or m.group(3))
            if ref not in out:
                out.append(ref)
    return out


def _unset_reference_rule(actions: dict[str, dict[str, Any]], elsewhere: frozenset[str], add: Any) -> None:
    """FL114: a text, comparison or operand reads a reference after an action that sets it.

    Flow attributes stay in their flow ("not carried over to the subsequent flows"): read where no
    UpdateFlowAttributes of this flow set it first is a warning. Contact attributes, a Lambda's
    answer and a Lex result may come from before this flow (a previous flow, the API or chat
    widget that started the contact): a notice, whether nothing in the linted flows sets them or
    only later actions of this flow do (no path from a setter reaches the reader).
    """
    setters: dict[tuple[str, str | None], list[str]] = {}
    for ident, action in actions.items():
        for written in _sets(action):
            setters.setdefault(written, []).append(ident)
    reach: dict[str, set[str]] = {}
    for ident, action in actions.items():
        for where, ns, key in _reads(action):
            if ns == "Attributes" and key in elsewhere:
                continue
            found = setters.get((ns, key if ns in ("Attributes", "FlowAttributes") else None), [])
            if any(ident in reach.setdefault(s, _reach(actions, [s])) for s in found):
                continue
            later = f"only later actions set it ({', '.join(_short(s, 30) for s in found[:3])})" if found else ""
            ref = f"{where} reads $.{ns}.{_short(key, 40)}"
            if ns == "FlowAttributes":
                why = later or "no UpdateFlowAttributes of this flow sets it"
                add(ident, "unset-reference", f"{ref}, but {why} (flow attributes stay in their flow)")
            else:
                why = later or "nothing in the linted flows sets it"
                add(ident, "unset-reference", f"{ref}, but {why}; a previous flow or the contact's start may", "notice")


def _starts_recording(action: dict[str, Any]) -> bool:
    params = _dict(action.get("Parameters"))
    if _type(action) == "UpdateContactRecordingBehavior":  # the older block (exported flows)
        rb = _dict(params.get("RecordingBehavior"))
    elif _type(action) == "UpdateContactRecordingAndAnalyticsBehavior":
        rb = _dict(_dict(params.get("VoiceBehavior")).get("VoiceRecordingBehavior"))
    else:
        return False
    return bool(_list(rb.get("RecordedParticipants")))


def _unannounced_recordings(actions: dict[str, dict[str, Any]], start: str) -> list[tuple[str, list[str]]]:
    """(recording action, path) for each recording action on a silent path from the start to a queue."""
    out: dict[str, list[str]] = {}
    todo: list[tuple[str, str | None, list[str]]] = [(start, None, [start])]
    seen: set[tuple[str, str | None]] = set()
    while todo:
        cur, rec, path = todo.pop(0)
        if (cur, rec) in seen or cur not in actions:
            continue
        seen.add((cur, rec))
        action = actions[cur]
        if _type(action) in SPEAKING_TYPES:
            continue
        if _starts_recording(action):
            rec = cur
        if _type(action) == "TransferContactToQueue" and rec is not None:
            out.setdefault(rec, path)
            continue
        for _, target in _branches(action):
            todo.append((target, rec, [*path, target]))
    return list(out.items())


def _free_text(params: dict[str, Any]) -> bool:
    try:
        inputs = form_inputs(_dict(params.get("ViewData")))
    except (ViewError, AttributeError, TypeError, KeyError, ValueError):
        return False
    return any(i.kind in FREE_TEXT_INPUTS for i in inputs.values())


def _view_findings(params: dict[str, Any], tr: dict[str, Any]) -> list[tuple[str, str]]:
    """A ShowView's view, time limit, branches (the view's buttons) and free-text handling."""
    out: list[tuple[str, str]] = []
    resource = _dict(params.get("ViewResource"))
    if not resource.get("Id"):
        out.append(("view", "ViewResource.Id is missing"))
    if "InvocationTimeLimitSeconds" not in params:
        out.append(("view", "InvocationTimeLimitSeconds is missing (the service requires a time limit)"))
    view = view_name(str(resource.get("Id", "")))
    results = VIEW_RESULTS.get(view or "", ())
    for cond in _conditions(tr) if view else []:
        for operand in _list(cond.get("Operands")):
            if str(operand) not in results:
                out.append(
                    ("view", f"branch on {_short(operand, 40)}, which a {view} view never gives ({', '.join(results)})")
                )
    try:
        form_inputs(_dict(params.get("ViewData")))
    except ViewError as exc:
        out.append(("view", str(exc)))
    except (AttributeError, TypeError, KeyError, ValueError):
        out.append(("view", "ViewData is not a form the linter can read"))
    hidden = _list(_dict(params.get("SensitiveDataConfiguration")).get("HideResponseOn"))
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
        kind = _type(actions[cur])
        if kind == "DisconnectParticipant":
            return path
        if kind in SPEAKING_TYPES:
            continue
        for _, target in _branches(actions[cur]):
            todo.append((target, [*path, target]))
    return None


def lint_text(text: str | bytes, flow: str, **options: Any) -> list[Finding]:
    """Lint a flow file's text (bytes: must be UTF-8). One ``malformed`` finding if it is not JSON."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            return [
                make_finding(
                    flow,
                    "-",
                    "malformed",
                    f"the file is not UTF-8 text (byte {exc.start})",
                    fix="save the flow as UTF-8",
                )
            ]
    try:
        content = json.loads(text)
    except json.JSONDecodeError as exc:
        return [
            make_finding(
                flow,
                "-",
                "malformed",
                f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                fix="fix the JSON syntax at that position",
            )
        ]
    except RecursionError:
        return [make_finding(flow, "-", "malformed", "the JSON is nested too deeply to read")]
    return lint_content(content, flow, raw_length=len(text), **options)


def lint_file(path: Path, **options: Any) -> list[Finding]:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return [
            make_finding(
                Path(path).name, "-", "malformed", f"cannot read the file: {exc.strerror or exc}", fix="check the path"
            )
        ]
    return lint_text(data, Path(path).name, **options)


def lint_country(cfg: Any) -> list[Finding]:
    """Render the country with the local resolver and lint every flow (with its flow type)."""
    from helpline.flows.render import render_local

    flows, _ = render_local(cfg)
    texts = {name: flow.json() for name, flow in flows.items()}
    written = {name: contact_attributes_written(json.loads(text)) for name, text in texts.items()}
    out: list[Finding] = []
    for name, flow in flows.items():
        elsewhere = set().union(*(keys for other, keys in written.items() if other != name))
        out.extend(
            lint_text(texts[name], f"{cfg.code}/{name}", flow_type=flow.type, attributes_set_elsewhere=elsewhere)
        )
    return out


def lint_flow_type(content: Any, flow_type: str, flow: str) -> list[Finding]:
    """Only the flow-type findings (FL014) of a flow for a given type."""
    return [f for f in lint_content(content, flow, flow_type=flow_type) if f.rule == "flow-type"]


# ---------------------------------------------------------------- output formats


def failing(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.failing]


def to_json(findings: list[Finding]) -> str:
    return json.dumps(
        {"findings": [f.as_dict() for f in findings], "failing": len(failing(findings))}, indent=2, ensure_ascii=False
    )


_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note", "notice": "note"}


def to_sarif(findings: list[Finding], paths: dict[str, str] | None = None) -> dict[str, Any]:
    """SARIF 2.1.0: one run, the rules as ``tool.driver.rules``, each finding a result.

    ``paths`` maps a finding's flow name to the file it came from (its artifact location).
    """
    paths = paths or {}
    rules = [
        {
            "id": r.id,
            "name": r.slug,
            "shortDescription": {"text": r.summary},
            "fullDescription": {"text": f"{r.summary} ({r.source})"},
            "help": {"text": r.fix},
            **({"helpUri": r.url} if r.url else {}),
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.severity]},
            "properties": {"source": r.source, "severity": r.severity},
        }
        for r in RULE_LIST
    ]
    index = {r.id: i for i, r in enumerate(RULE_LIST)}
    results = []
    for f in findings:
        uri = paths.get(f.flow, f.flow)
        results.append(
            {
                "ruleId": f.id,
                "ruleIndex": index.get(f.id, 0),
                "level": _SARIF_LEVEL.get(f.severity, "warning"),
                "message": {"text": f"{f.message}. Fix: {f.fix}"},
                "locations": [
                    {
                        "physicalLocation": {"artifactLocation": {"uri": uri}},
                        "logicalLocations": [
                            {"name": f.action, "kind": "member", "fullyQualifiedName": f"{f.flow}:{f.action}"}
                        ],
                    }
                ],
                "properties": {"flow": f.flow, "action": f.action, "severity": f.severity},
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "helpline-flow-lint", "rules": rules}},
                "results": results,
            }
        ],
    }
