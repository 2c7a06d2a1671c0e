"""What the Amazon Connect Flow-language reference says about each action type we meet.

A data module for the linter (issue 12): one :class:`ActionSpec` per action ``Type`` used by
our rendered flows (``contact_flows/*.json``) or by the shared corpus of exported flows
(``../shared/flows-corpus``). Plain Python, no I/O at import.

Sources. Every entry cites its page in the Amazon Connect API reference
(``https://docs.aws.amazon.com/connect/latest/APIReference/<page>.html``, the "Flow language"
action pages). The facts were read from two copies of those pages, named per entry in
``text_source``:

- ``"api-ref"``: the current page as stored by the documentation search (November 2026), read
  from its parameter object to its restrictions; where one section was not readable the entry's
  ``notes`` say which, and that section comes from the 2023 text.
- ``"2023-md"``: the full markdown of the same page in the archived
  ``awsdocs/amazon-connect-admin-guide`` repository (``doc_source/<page>.md``, last version
  before the pages moved to the API reference, February 2023), used where only the first part
  of the current page was readable (GetParticipantInput, UpdateContactRecordingBehavior,
  CheckVoiceId, StartVoiceIdStream, CreateCustomerProfile). Known later changes are noted
  (e.g. ``GetParticipantInput``'s ``InputTimeoutSeconds`` is now ``InputTimeLimitSeconds``).

Pages that changed since 2023 (a linter built from old notes gets these wrong):
``DisconnectParticipant`` is now limited to contact, transfer and customer queue flows (was
"can be used everywhere"); ``UpdateContactTextToSpeechVoice`` now raises NoMatchingError, which
"must always be defined" (was "Errors: None"); ``ConnectParticipantWithLexBot`` lists
InputTimeLimitExceeded; ``Wait`` adds ParticipantNotFound and the BotParticipantDisconnected
event; ``UpdateContactEventHooks`` lists its valid keys (:data:`EVENT_HOOK_KEYS`); Voice ID
(``CheckVoiceId``, ``StartVoiceIdStream``, Voice ID fields of ``UpdateContactData``) reached end
of support on May 20, 2026 (``end_of_support``).

Conventions. ``None`` means *unknown: the page is silent or was not readable*; an empty tuple
means *the page says none*. Flow types use the names of the flow-type table in the admin guide
(``contactFlow`` ... ``queueTransfer``, see :data:`FLOW_TYPES`); ``render.py`` uses the API enum
(``CONTACT_FLOW`` ...), mapped by :data:`API_FLOW_TYPES`. Flow *modules* are not a flow type
on these pages: only ``EndFlowModuleExecution`` ("only in flow modules") and
``InvokeFlowModule`` ("only supports Inbound flow types") mention them, so a linter must not
report flow-type findings for a module except those two.

Where the docs are silent (gaps)
--------------------------------
- ``GetParticipantInput``: the (2023) Errors list names NoMatchingCondition, NoMatchingError
  and InvalidPhoneNumber; the time-out error is only described ("proceeding with a timeout
  error"). Its name ``InputTimeLimitExceeded`` comes from AWS's own exported flows (corpus) and
  the ``ConnectParticipantWithLexBot`` action syntax. With ``StoreInput: "True"`` the "Store
  customer input" block page says a time-out takes the *success* branch (the stored value is
  ``Timeout``), so ``InputTimeLimitExceeded`` is only for the ``False`` form.
- Per-prompt text length: no Flow-language page gives a limit for ``Text``/``SSML``. The only
  documented number is Amazon Polly's SynthesizeSpeech limit (6,000 characters, at most 3,000
  billed; SSML tags not billed), see :data:`PROMPT_TEXT_LIMITS`.
- ``CreateCustomerProfile``, ``GetCustomerProfile``: no Restrictions section (flow types and
  channels unknown); ``CheckVoiceId``, ``StartVoiceIdStream``: no flow types.
- ``UpdateContactData``: the Errors and Restrictions sections were not readable.
- ``GetCase``: ``CustomerId`` is not marked optional, but AWS exports omit it.
- ``Compare``, ``CheckVoiceId``: the pages do not restrict the operators (CheckVoiceId lists
  its result strings only); ``ShowView``'s operands depend on the view.
- ``TransferContactToQueue``/``TransferToFlow``: the pages do not say whether ``NextAction`` is
  required; AWS exports always write one (11/11 and 1/1 in the corpus). What the action does
  on success (the flow ends: queue / another flow takes over) is stated in their descriptions.
- ``Wait``: its parameter is ``TimeoutSeconds`` on the page, but the corpus export writes
  ``TimeLimitSeconds``.
- ``UpdateFlowAttributes`` (Errors: "None") and AWS exports that still carry a
  ``NoMatchingError`` branch (3/3 in the corpus): the linter should not call such a branch an
  error (``impossible`` findings are informational; see :data:`EXPORT_TOLERATED_ERRORS`).
- ``CheckMetricData``: NoMatchingCondition is "only supported if the MetricType is
  OldestContactInQueueAgeSeconds or NumberOfContactsInQueue", yet the console's own "Default
  queue transfer" flow wires it on NumberOfAgentsStaffed (tolerated as info). The page does not
  say whether the branch must be defined for the two queue metrics.
- ``GetParticipantInput``: the page does not say whether an InputValidation naming neither
  PhoneNumberValidation nor CustomValidation is accepted (:data:`STORE_INPUT_SHAPE`).
- Conditions: the operator table gives every operator one operand, while the same page says
  "some will support a list of up to ten Operands" without naming which.
- Channel ``email`` is absent from the 2023 pages; :data:`CHANNELS` lists it for completeness.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

API_REFERENCE = "https://docs.aws.amazon.com/connect/latest/APIReference/"
ADMIN_GUIDE = "https://docs.aws.amazon.com/connect/latest/adminguide/"

# The flow types as the admin guide's block pages name them.
FLOW_TYPES: tuple[str, ...] = (
    "contactFlow",
    "customerQueue",
    "customerHold",
    "customerWhisper",
    "outboundWhisper",
    "agentHold",
    "agentWhisper",
    "agentTransfer",
    "queueTransfer",
)
MODULE = "flowModule"  # not a flow type on the action pages; see the module docstring
API_FLOW_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "CONTACT_FLOW": "contactFlow",
        "CUSTOMER_QUEUE": "customerQueue",
        "CUSTOMER_HOLD": "customerHold",
        "CUSTOMER_WHISPER": "customerWhisper",
        "OUTBOUND_WHISPER": "outboundWhisper",
        "AGENT_HOLD": "agentHold",
        "AGENT_WHISPER": "agentWhisper",
        "AGENT_TRANSFER": "agentTransfer",
        "QUEUE_TRANSFER": "queueTransfer",
    }
)
CHANNELS: tuple[str, ...] = ("voice", "chat", "task", "email")

# How the pages name groups of flow types.
_ALL = frozenset(FLOW_TYPES)
_INBOUND = frozenset({"contactFlow"})
_TRANSFER = frozenset({"agentTransfer", "queueTransfer"})
_WHISPER = frozenset({"customerWhisper", "agentWhisper", "outboundWhisper"})
_HOLD = frozenset({"customerHold", "agentHold"})
_QUEUE = frozenset({"customerQueue"})
_VOICE = frozenset({"voice"})
_CHAT = frozenset({"chat"})

# Common to every action (flow-language-actions page): the two generic error types.
COMMON_ERRORS: tuple[str, ...] = ("NoMatchingError", "NoMatchingCondition")

# Condition operators (flow-language-actions page, "List of Operators"): each takes one
# string operand. Conditions nest at most 5 deep, at most 50 sub-conditions.
OPERATORS: tuple[str, ...] = (
    "Equals",
    "TextStartsWith",
    "TextEndsWith",
    "TextContains",
    "NumberGreaterThan",
    "NumberGreaterOrEqualTo",
    "NumberLessThan",
    "NumberLessOrEqualTo",
)
OPERANDS_PER_OPERATOR = 1
CONDITION_MAX_DEPTH = 5
CONDITION_MAX_SUBCONDITIONS = 50

FLOW_LANGUAGE_ACTIONS_URL = API_REFERENCE + "flow-language-actions.html"
# Identifier rules (flow-language-actions page): unique in the flow, at most 50 characters;
# these characters and names are not allowed. (lint.py keeps a copy of these: it should import
# them from here, one source with its citation.)
IDENTIFIER_MAX_CHARS = 50
IDENTIFIER_FORBIDDEN_CHARS = frozenset("%:(\\/)=$,;[]{}")
IDENTIFIER_FORBIDDEN_NAMES = frozenset(
    {
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
)
# CreateContactFlow / CreateContactFlowModule: Content length 1..256,000 characters.
CONTENT_MAX_CHARS = 256_000
CONTENT_MAX_CHARS_URL = API_REFERENCE + "API_CreateContactFlowModule.html"

# Per-prompt text: no Flow-language page gives a limit (see "gaps"). Amazon Polly's documented
# SynthesizeSpeech limit is the only number; a linter may use the billed limit as a warning.
PROMPT_TEXT_LIMITS: Mapping[str, Any] = MappingProxyType(
    {
        "flow_language": None,
        "polly_total_chars": 6000,
        "polly_billed_chars": 3000,  # SSML tags are not billed characters
        "url": "https://docs.aws.amazon.com/botocore/latest/reference/services/polly/client/"
        "exceptions/TextLengthExceededException.html",
    }
)

# Error branches AWS's own exports carry although the action page says "Errors: None" (or, for
# CheckMetricData, "NoMatchingCondition ... only supported if the MetricType is
# OldestContactInQueueAgeSeconds or NumberOfContactsInQueue"). Declaring them is harmless in
# practice; a linter should report them at most as "info". CheckMetricData: the console's own
# "Default queue transfer" flow wires NoMatchingCondition on a NumberOfAgentsStaffed check as its
# "no agent staffed" branch (recorded in the flow-as-code/flow-as-code conformance suite,
# conformance/export/omitted-parameters; not in our corpus).
EXPORT_TOLERATED_ERRORS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {"UpdateFlowAttributes": ("NoMatchingError",), "CheckMetricData": ("NoMatchingCondition",)}
)


@dataclass(frozen=True)
class InputForm:
    """One form of an input action (``GetParticipantInput`` with ``StoreInput`` True/False)."""

    conditions: bool
    operators: tuple[str, ...]
    operand_pattern: str | None  # a regular expression every operand must match
    errors: tuple[str, ...]  # error types this form can raise
    required_errors: tuple[str, ...]  # the page says "must always be defined"
    required_params: tuple[str, ...]
    forbidden_params: tuple[str, ...]
    notes: str = ""


@dataclass(frozen=True)
class ActionSpec:
    type: str
    url: str
    group: str  # participant / contact / flow-control / interaction (the pages' sections)
    text_source: str  # "api-ref" or "2023-md" (see the module docstring)
    summary: str
    required_params: tuple[str, ...] | None
    optional_params: tuple[str, ...] | None
    exclusive_params: tuple[tuple[str, ...], ...] = ()  # at most one of each group
    required_one_of: tuple[tuple[str, ...], ...] = ()  # at least one of each group
    param_rules: Mapping[str, str] = field(default_factory=dict)  # the page's constraints
    int_ranges: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # inclusive
    errors: tuple[str, ...] | None = None  # documented ErrorTypes; () = "None"
    required_errors: tuple[str, ...] = ()  # the page says "must always be defined"
    error_notes: Mapping[str, str] = field(default_factory=dict)
    errors_in_exports: tuple[str, ...] = ()  # seen in AWS-exported flows, not on the page
    conditions: bool | None = None
    operators: tuple[str, ...] | None = None  # None: any of OPERATORS / unknown
    operands: tuple[str, ...] | None = None  # the only allowed operand values
    required_operands: tuple[str, ...] = ()  # a condition must exist for each
    terminal: bool = False  # Transitions must be empty: the flow stops here
    ends_flow_on_success: bool | None = None  # leaves the flow on success (transfers)
    flow_types: frozenset[str] | None = None  # allowed flow types; None = unknown
    channels: frozenset[str] | None = None  # supported channels; None = unknown / all
    channel_notes: str = ""
    end_of_support: str | None = None  # the feature's documented end of support
    notes: tuple[str, ...] = ()

    @property
    def may_have_next_action(self) -> bool:
        return not self.terminal


def _p(page: str) -> str:
    return API_REFERENCE + page + ".html"


_PROMPT = ("PromptId", "Text", "SSML", "Media")
_PROMPT_RULE = "at most one of PromptId / Text / SSML (Media: external S3 audio)"

_SPECS: tuple[ActionSpec, ...] = (
    # ---------------------------------------------------------------- participant actions
    ActionSpec(
        type="ConnectParticipantWithLexBot",
        url=_p("participant-actions-connectparticipantwithlexbot"),
        group="participant",
        text_source="api-ref",
        summary="Connects the participant with an Amazon Lex bot; the result is the bot's intent.",
        required_params=(),
        optional_params=_PROMPT
        + ("LexV2Bot", "LexBot", "LexSessionAttributes", "LexInitilizationData", "LexTimeoutSeconds"),
        exclusive_params=(("PromptId", "Text", "SSML"), ("LexV2Bot", "LexBot")),
        required_one_of=(("LexV2Bot", "LexBot"),),  # "Provide either LexBot or LexV2Bot"
        param_rules={"prompt": _PROMPT_RULE, "LexV2Bot.AliasArn": "static or dynamic"},
        errors=("InputTimeLimitExceeded", "NoMatchingError", "NoMatchingCondition"),
        error_notes={
            "InputTimeLimitExceeded": "in the current page's action syntax; not in the 2023 Errors list",
            "NoMatchingCondition": "no condition (intent) matched",
        },
        conditions=True,
        operators=("Equals",),
        flow_types=_INBOUND | _TRANSFER | _QUEUE,
        channels=frozenset(CHANNELS),
        channel_notes="supported by all channels",
        notes=(
            "Restrictions (flow types, channels) as on the 2023 page; the current page's were "
            "not readable. 'LexInitilizationData' is spelled so on the page.",
        ),
    ),
    ActionSpec(
        type="DisconnectParticipant",
        url=_p("participant-actions-disconnectparticipant"),
        group="participant",
        text_source="api-ref",
        summary="Disconnects the participant and stops the flow.",
        required_params=(),
        optional_params=(),
        errors=(),
        conditions=False,
        terminal=True,
        flow_types=_INBOUND | _TRANSFER | _QUEUE,
        channels=frozenset(CHANNELS),
        channel_notes="all channels",
        notes=(
            "The 2023 page said 'None. This action can be used everywhere'; the current page "
            "restricts it to contact, transfer and customer queue flows.",
            "Terminal: 'Transitions must be defined as an empty object' (flow-language-actions).",
        ),
    ),
    ActionSpec(
        type="GetParticipantInput",
        url=_p("participant-actions-getparticipantinput"),
        group="participant",
        text_source="2023-md",
        summary="Gathers DTMF (voice) or typed input; StoreInput True stores it instead of branching.",
        required_params=("StoreInput",),
        optional_params=_PROMPT
        + (
            "InputTimeLimitSeconds",
            "InputTimeoutSeconds",
            "InputValidation",
            "InputEncryption",
            "DTMFConfiguration",
        ),
        exclusive_params=(("PromptId", "Text", "SSML"),),
        param_rules={
            "prompt": _PROMPT_RULE,
            "InputTimeLimitSeconds": "static integer > 0; for voice, time to the FIRST digit "
            "(named InputTimeoutSeconds on the 2023 page)",
            "StoreInput": '"True" or "False", static',
            "InputValidation": "required if and only if StoreInput is True; "
            "PhoneNumberValidation (NumberFormat Local|E164, CountryCode if Local) or "
            "CustomValidation (MaximumLength), not both",
            "InputEncryption": "only with CustomValidation",
            "DTMFConfiguration": "InputTerminationSequence up to five digits; DisableCancelKey",
        },
        errors=("NoMatchingCondition", "NoMatchingError", "InvalidPhoneNumber", "InputTimeLimitExceeded"),
        error_notes={
            "NoMatchingCondition": "must be defined only if StoreInput is False",
            "NoMatchingError": "must always be defined",
            "InvalidPhoneNumber": "only if StoreInput is True and PhoneNumberValidation is set",
            "InputTimeLimitExceeded": "name from AWS exports; the page only says 'timeout "
            "error'. StoreInput True: a time-out takes the success branch (value 'Timeout', "
            "store-customer-input block page)",
        },
        required_errors=("NoMatchingError",),
        errors_in_exports=("InputTimeLimitExceeded",),
        conditions=None,  # depends on StoreInput: see INPUT_FORMS
        operators=("Equals",),
        flow_types=_INBOUND | _TRANSFER | _QUEUE,
        channels=_VOICE,
        channel_notes="'only supported on the voice channel' (2023 page); the current page "
        "describes typed input for other channels",
        notes=("Forms: see INPUT_FORMS['GetParticipantInput'].",),
    ),
    ActionSpec(
        type="MessageParticipant",
        url=_p("participant-actions-messageparticipant"),
        group="participant",
        text_source="api-ref",
        summary="Plays a prompt or sends a text message.",
        required_params=(),  # the page marks every prompt form optional
        optional_params=_PROMPT,
        exclusive_params=(("PromptId", "Text", "SSML"),),
        param_rules={"prompt": _PROMPT_RULE},
        errors=("NoMatchingError",),
        conditions=False,
        flow_types=_INBOUND | _TRANSFER | _WHISPER | _QUEUE,
        channels=None,
        channel_notes='"PromptId" and "SSML" only on voice; other channels support only "Text"',
        notes=("Does not capture key presses (only an input block does).",),
    ),
    ActionSpec(
        type="MessageParticipantIteratively",
        url=_p("participant-actions-messageparticipantiteratively"),
        group="participant",
        text_source="api-ref",
        summary="Plays a list of messages in a loop until interrupted.",
        required_params=("Messages",),
        optional_params=("InterruptFrequencySeconds",),
        param_rules={
            "Messages": "list of {Text} | {PromptId} | {SSML} | {Media}",
            "InterruptFrequencySeconds": "time before completing with MessagesInterrupted",
        },
        errors=("NoMatchingError",),
        conditions=True,
        operators=("Equals",),
        operands=("MessagesInterrupted",),
        flow_types=_QUEUE | _HOLD,
        channels=None,
        channel_notes='"PromptId" only on voice; on chat the action immediately takes the error '
        "branch (without one the flow stops and the contact goes to the next agent)",
        notes=(
            "Without InterruptFrequencySeconds it never completes, so a NextAction is "
            "unreachable (one corpus export has none).",
        ),
    ),
    ActionSpec(
        type="ShowView",
        url=_p("participant-actions-showview"),
        group="participant",
        text_source="api-ref",
        summary="Shows a view (step-by-step guide) in the agent workspace.",
        required_params=("ViewResource",),
        optional_params=("InvocationTimeLimitSeconds", "ViewData", "SensitiveDataConfiguration"),
        param_rules={
            "ViewResource": "{Id, Version}",
            "SensitiveDataConfiguration.HideResponseOn": '["TRANSCRIPT"]',
        },
        errors=("NoMatchingError", "NoMatchingCondition", "TimeLimitExceeded"),
        error_notes={"TimeLimitExceeded": "no response before InvocationTimeLimitSeconds"},
        conditions=True,
        operators=None,  # "dependent on the View resource"
        flow_types=_INBOUND | _QUEUE,
        channels=_CHAT,
        channel_notes="only the chat channel (guides are routed as chat contacts to the agent)",
    ),
    # --------------------------------------------------------------------- contact actions
    ActionSpec(
        type="CreateCase",
        url=_p("createcase"),
        group="contact",
        text_source="api-ref",
        summary="Creates a case from a case template, optionally linking the contact.",
        required_params=("CaseTemplateId",),
        optional_params=("LinkContactToCase", "CaseRequestFields"),
        param_rules={"LinkContactToCase": '"true" or "false"'},
        errors=("ContactNotLinked", "NoMatchingError"),
        error_notes={"ContactNotLinked": "appears when LinkContactToCase is true"},
        conditions=False,
        flow_types=_ALL,
        channels=frozenset(CHANNELS),
        channel_notes="any type of flow and any channel",
    ),
    ActionSpec(
        type="GetCase",
        url=_p("getcase"),
        group="contact",
        text_source="api-ref",
        summary="Searches cases (by customer id and request fields).",
        required_params=None,  # CustomerId is not marked optional, but AWS exports omit it
        optional_params=(
            "LinkContactToCase",
            "GetLastUpdatedCase",
            "CustomerId",
            "CaseRequestFields",
            "CaseResponseFields",
        ),
        errors=("NoMatchingError", "ContactNotLinked", "MultipleFound", "NoneFound"),
        error_notes={"ContactNotLinked": "appears when LinkContactToCase is true"},
        conditions=False,
        flow_types=_ALL,
        channels=frozenset(CHANNELS),
        channel_notes="any type of flow and any channel",
    ),
    ActionSpec(
        type="CreateTask",
        url=_p("createtask"),
        group="contact",
        text_source="api-ref",
        summary="Creates a task contact that runs the given flow.",
        required_params=("ContactFlowId", "Name"),
        optional_params=(
            "Attributes",
            "Description",
            "References",
            "DelaySeconds",
            "ScheduledTime",
            "TaskTemplateId",
        ),
        exclusive_params=(("DelaySeconds", "ScheduledTime"),),
        param_rules={
            "ContactFlowId": "fully static or a single valid JSONPath",
            "TaskTemplateId": "static",
        },
        int_ranges={"DelaySeconds": (1, 518_400)},
        errors=("NoMatchingError",),
        conditions=False,
        flow_types=_ALL,
        channels=frozenset(CHANNELS),
        channel_notes="all channels, all flow types",
    ),
    ActionSpec(
        type="EndFlowModuleExecution",
        url=_p("endflowmoduleexecution"),
        group="contact",
        text_source="api-ref",
        summary="Ends the module and returns to the calling flow without disconnecting.",
        required_params=(),
        optional_params=(),
        errors=(),
        conditions=False,
        terminal=True,
        flow_types=frozenset({MODULE}),
        notes=("Only in flow modules.",),
    ),
    ActionSpec(
        type="InvokeFlowModule",
        url=_p("flow-language-actions-invoke-flow-module"),
        group="contact",
        text_source="api-ref",
        summary="Runs a flow module and continues after it returns.",
        required_params=("FlowModuleId",),
        optional_params=(),
        errors=("NoMatchingError",),
        conditions=False,
        flow_types=_INBOUND,
        channels=frozenset(CHANNELS),
        channel_notes="all channels; 'only supports Inbound flow types'",
    ),
    ActionSpec(
        type="TransferContactToQueue",
        url=_p("contact-actions-transfercontacttoqueue"),
        group="contact",
        text_source="api-ref",
        summary="Places the contact into its TargetQueue (fails if already queued).",
        required_params=(),
        optional_params=(),
        errors=("QueueAtCapacity", "NoMatchingError"),
        conditions=False,
        ends_flow_on_success=True,
        flow_types=_INBOUND | _TRANSFER,
        notes=("Set the queue first (UpdateContactTargetQueue).",),
    ),
    ActionSpec(
        type="UpdateContactAttributes",
        url=_p("contact-actions-updatecontactattributes"),
        group="contact",
        text_source="api-ref",
        summary="Sets user-defined contact attributes.",
        required_params=("Attributes",),
        optional_params=("TargetContact",),
        param_rules={
            "Attributes": "keys and values static or dynamic",
            "TargetContact": '"Current" or "Related", static',
        },
        errors=("NoMatchingError",),
        conditions=False,
        flow_types=_ALL,
        channels=frozenset(CHANNELS),
        channel_notes="any type of flow and any channel",
        notes=("All attributes are set or none.",),
    ),
    ActionSpec(
        type="UpdateContactCallbackNumber",
        url=_p("contact-actions-updatecontactcallbacknumber"),
        group="contact",
        text_source="api-ref",
        summary="Sets the number a callback will dial.",
        required_params=("CallbackNumber",),
        optional_params=(),
        param_rules={"CallbackNumber": "a single valid JSONPath reference; cannot be static"},
        errors=("InvalidCallbackNumber", "CallbackNumberNotDialable"),
        error_notes={
            "InvalidCallbackNumber": "not a valid E.164 number",
            "CallbackNumberNotDialable": "not dialable by the instance",
        },
        conditions=False,
        flow_types=_INBOUND | _TRANSFER | _QUEUE,
        notes=("The page lists no NoMatchingError for this action.",),
    ),
    ActionSpec(
        type="UpdateContactData",
        url=_p("contact-actions-updatecontactdata"),
        group="contact",
        text_source="api-ref",
        summary="Sets Connect-defined contact data (name, language, customer id, Voice ID ...).",
        required_params=(),
        optional_params=(
            "Name",
            "Description",
            "LanguageCode",
            "CustomerId",
            "References",
            "IsVoiceIdStreamingEnabled",
            "IsVoiceAuthenticationEnabled",
            "IsFraudDetectionEnabled",
            "VoiceAuthenticationThreshold",
            "VoiceAuthenticationResponseTime",
            "FraudDetectionThreshold",
        ),
        param_rules={
            "IsVoiceIdStreamingEnabled": '"TRUE" or "FALSE"',
            "IsVoiceAuthenticationEnabled": '"TRUE" or "FALSE"',
            "IsFraudDetectionEnabled": '"TRUE" or "FALSE"',
            "VoiceAuthenticationThreshold": "0..100",
        },
        errors=None,  # the Errors section was not readable
        errors_in_exports=("NoMatchingError",),
        conditions=None,
        flow_types=None,
        end_of_support="Voice ID parameters only: "
        + "Amazon Connect Voice ID: end of support on May 20, 2026 (adminguide/check-voice-id.html)",
        notes=("All attributes are set or none.",),
    ),
    ActionSpec(
        type="UpdateContactEventHooks",
        url=_p("contact-actions-updatecontacteventhooks"),
        group="contact",
        text_source="api-ref",
        summary="Sets an event hook: the flow that runs for an event (queue, whisper, hold, agent UI).",
        required_params=("EventHooks",),
        optional_params=("EventHooksConfiguration",),
        param_rules={"EventHooks": "exactly one entry; key static, one of EVENT_HOOK_KEYS; value a flow id/ARN"},
        errors=("NoMatchingError",),
        conditions=False,
        flow_types=_ALL,
        notes=("EventHooksConfiguration is not on the page; AWS exports write it.",),
    ),
    ActionSpec(
        type="UpdateContactRecordingBehavior",
        url=_p("contact-actions-updatecontactrecordingbehavior"),
        group="contact",
        text_source="2023-md",
        summary="Sets call recording and Contact Lens analytics.",
        required_params=("RecordingBehavior",),
        optional_params=("AnalyticsBehavior",),
        param_rules={
            "RecordingBehavior.RecordedParticipants": 'static list of "Agent"/"Customer"; empty disables recording',
            "RecordingBehavior.ScreenRecordedParticipants": 'static, only "Agent" (current page)',
            "RecordingBehavior.IVRRecordingBehavior": "Enabled | Disabled, static (current page)",
            "AnalyticsBehavior": "only if RecordedParticipants has both Agent and Customer; "
            "Enabled True/False static; AnalyticsLanguage xx-XX static; "
            "AnalyticsRedactionBehavior Enabled|Disabled; AnalyticsRedactionResults "
            "RedactedAndOriginal|RedactedOnly",
        },
        errors=(),
        conditions=False,
        flow_types=_INBOUND | _TRANSFER | frozenset({"outboundWhisper"}) | _QUEUE,
        channels=None,
        channel_notes="analytics only on the voice channel",
        notes=(
            "Restrictions as on the 2023 page. The 'Set recording and analytics behavior' block "
            "'remains supported in existing flows for backwards compatibility'; new flows use "
            "UpdateContactRecordingAndAnalyticsBehavior (adminguide/set-recording-behavior.html).",
        ),
    ),
    ActionSpec(
        type="UpdateContactRecordingAndAnalyticsBehavior",
        url="https://docs.aws.amazon.com/connect/latest/devguide/"
        "contact-actions-updatecontactrecordingandanalyticsbehavior.html",
        group="contact",
        text_source="api-ref",
        summary="Sets call recording and Contact Lens analytics per channel (the current block).",
        required_params=(),
        optional_params=("VoiceBehavior", "ChatBehavior", "ScreenRecordingBehavior"),
        exclusive_params=(("VoiceBehavior", "ChatBehavior"),),  # "Only ONE of the ... channel behavior objects"
        required_one_of=(("VoiceBehavior", "ChatBehavior", "ScreenRecordingBehavior"),),
        param_rules={
            "VoiceBehavior.VoiceRecordingBehavior.RecordedParticipants": 'static list of "Agent"/"Customer"; '
            "empty disables recording",
            "VoiceBehavior.VoiceRecordingBehavior.IVRRecordingBehavior": "Enabled | Disabled, static",
            "VoiceBehavior.VoiceAnalyticsBehavior": "only if RecordedParticipants has both Agent and Customer; "
            "Enabled True/False static; AnalyticsLanguage xx-XX static; AnalyticsModes one of RealTime / "
            "PostContact (plus AutomatedInteraction); ConversationalAnalyticsRedactionConfiguration {Enabled, "
            "RedactionResults RedactedAndOriginal|RedactedOnly, RedactionMaskMode EntityType|PII, "
            "RedactionEntities}",
            "ScreenRecordingBehavior.ScreenRecordedParticipants": 'static, only "Agent"',
        },
        # The page's third error, InFlightRedactionConfigurationFailed, is raised (and "must be
        # defined") only with ChatBehavior; this catalog has no per-form errors for this action,
        # so it lists the two every form raises (a chat form's branch is reported as impossible).
        errors=("NoMatchingError", "ChannelMismatch"),
        required_errors=("NoMatchingError", "ChannelMismatch"),
        error_notes={
            "ChannelMismatch": "the channel that started the contact is not the one the action defines",
        },
        conditions=False,
        flow_types=None,
        channels=frozenset({"voice", "chat"}),
        channel_notes="one channel behaviour per action; another channel takes ChannelMismatch",
        notes=(
            "Replaces UpdateContactRecordingBehavior for new flows: the admin guide's 'Set recording and "
            "analytics behavior' page says that block 'is replaced by Set recording, analytics and processing "
            "behavior for new flows or modifications' (adminguide/set-recording-behavior.html), whose Flow-"
            "language action this is (devguide page, 'Corresponding block in the UI'). The page has no "
            "Restrictions section: flow types unknown.",
        ),
    ),
    ActionSpec(
        type="UpdateContactTargetQueue",
        url=_p("contact-actions-updatecontacttargetqueue"),
        group="contact",
        text_source="api-ref",
        summary="Sets the queue (or agent queue) a later transfer uses.",
        required_params=(),  # both marked [Optional]
        optional_params=("QueueId", "AgentId"),
        exclusive_params=(("QueueId", "AgentId"),),
        param_rules={"QueueId": "static or a single JSONPath", "AgentId": "static or a single JSONPath"},
        errors=("NoMatchingError",),
        conditions=False,
        flow_types=_INBOUND | _TRANSFER,
    ),
    ActionSpec(
        type="UpdateContactTextToSpeechVoice",
        url=_p("contact-actions-updatecontacttexttospeechvoice"),
        group="contact",
        text_source="api-ref",
        summary="Sets the Amazon Polly voice for the contact.",
        required_params=("TextToSpeechVoice",),
        optional_params=("TextToSpeechEngine", "TextToSpeechStyle"),
        param_rules={
            "TextToSpeechVoice": "static or dynamic; an invalid voice stops text to speech for the contact",
            "TextToSpeechStyle": "None | Conversational | Newscaster",
        },
        errors=("NoMatchingError",),
        required_errors=("NoMatchingError",),
        error_notes={
            "NoMatchingError": "'Must always be defined'; taken if the voice or engine is invalid or the "
            "voice does not support the engine. (The 2023 page said 'Errors: None'.)"
        },
        conditions=False,
        flow_types=_ALL,
        channels=frozenset(CHANNELS),
        channel_notes="all flow types and channels",
    ),
    # ---------------------------------------------------------------- flow-control actions
    ActionSpec(
        type="CheckHoursOfOperation",
        url=_p("flow-control-actions-checkhoursofoperation"),
        group="flow-control",
        text_source="api-ref",
        summary="True/False: is the hours of operation (or the target queue's) open now.",
        required_params=(),
        optional_params=("HoursOfOperationId",),
        param_rules={"HoursOfOperationId": "fully static or fully dynamic; default: the target queue's hours"},
        errors=("NoMatchingError",),
        conditions=True,
        operators=("Equals",),
        operands=("True", "False"),
        required_operands=("True", "False"),
        flow_types=_INBOUND | _TRANSFER | _QUEUE,
    ),
    ActionSpec(
        type="CheckMetricData",
        url=_p("flow-control-actions-checkmetricdata"),
        group="flow-control",
        text_source="api-ref",
        summary="Loads a queue metric (contacts in queue, oldest age, agents staffed/available/online).",
        required_params=("MetricType",),
        optional_params=("QueueId", "AgentId"),
        exclusive_params=(("QueueId", "AgentId"),),
        param_rules={
            "MetricType": "NumberOfAgentsAvailable | NumberOfAgentsStaffed | "
            "NumberOfAgentsOnline | OldestContactInQueueAgeSeconds | NumberOfContactsInQueue; "
            "static",
        },
        errors=("NoMatchingError", "NoMatchingCondition"),
        error_notes={
            "NoMatchingCondition": "only if MetricType is OldestContactInQueueAgeSeconds or NumberOfContactsInQueue"
        },
        conditions=True,
        operators=("Equals",) + tuple(o for o in OPERATORS if o.startswith("Number")),
        flow_types=_INBOUND | _TRANSFER | _QUEUE,
        notes=('NumberOfAgents*: the only supported condition is "NumberGreaterThan 0".',),
    ),
    ActionSpec(
        type="CheckVoiceId",
        url=_p("flow-control-actions-checkvoiceid"),
        group="flow-control",
        text_source="2023-md",
        summary="Branches on Voice ID enrollment, authentication or fraud results.",
        required_params=("CheckVoiceIdOption",),
        optional_params=(),
        param_rules={"CheckVoiceIdOption": "enrollmentStatus | voiceAuthentication | fraudDetection"},
        errors=("NoMatchingError",),
        conditions=True,
        operators=None,
        flow_types=None,
        channels=_VOICE,
        channel_notes="voice only; on chat or task it takes the error branch",
        end_of_support="Amazon Connect Voice ID: end of support on May 20, 2026 (adminguide/check-voice-id.html)",
        notes=("The Check Voice ID block page lists inbound, customer queue, whisper and transfer flows.",),
    ),
    ActionSpec(
        type="Compare",
        url=_p("flow-control-actions-compare"),
        group="flow-control",
        text_source="api-ref",
        summary="Compares one value (a single JSONPath) against the conditions.",
        required_params=("ComparisonValue",),
        optional_params=(),
        param_rules={"ComparisonValue": "any single valid JSONPath identifier"},
        errors=("NoMatchingCondition",),
        conditions=True,
        operators=None,  # any of OPERATORS
        flow_types=_ALL,
    ),
    ActionSpec(
        type="EndFlowExecution",
        url=_p("flow-control-actions-endflowexecution"),
        group="flow-control",
        text_source="api-ref",
        summary="Ends the flow (whisper / queue flows: the contact continues).",
        required_params=(),
        optional_params=(),
        errors=(),
        conditions=False,
        terminal=True,
        flow_types=_WHISPER | _QUEUE,
        notes=("'This is always a terminal action'.",),
    ),
    ActionSpec(
        type="Loop",
        url=_p("flow-control-actions-loop"),
        group="flow-control",
        text_source="api-ref",
        summary="Counts passes through the same action: ContinueLooping N times, then DoneLooping.",
        required_params=("LoopCount",),
        optional_params=(),
        param_rules={"LoopCount": "fully static or fully dynamic"},
        int_ranges={"LoopCount": (0, 100)},
        errors=(),
        conditions=True,
        operators=("Equals",),
        operands=("ContinueLooping", "DoneLooping"),
        required_operands=("ContinueLooping", "DoneLooping"),
        flow_types=_ALL,
    ),
    ActionSpec(
        type="StartVoiceIdStream",
        url=_p("flow-control-actions-startvoiceidstream"),
        group="flow-control",
        text_source="2023-md",
        summary="Starts streaming audio to Voice ID.",
        required_params=(),
        optional_params=(),
        errors=("NoMatchingError",),
        conditions=False,
        flow_types=None,
        channels=_VOICE,
        channel_notes="voice only; on chat or task it takes the error branch",
        end_of_support="Amazon Connect Voice ID: end of support on May 20, 2026 (adminguide/check-voice-id.html)",
    ),
    ActionSpec(
        type="TransferToFlow",
        url=_p("flow-control-actions-transfertoflow"),
        group="flow-control",
        text_source="api-ref",
        summary="Jumps to the start of another flow.",
        required_params=("ContactFlowId",),
        optional_params=(),
        param_rules={"ContactFlowId": "fully static or a single valid JSONPath"},
        errors=("NoMatchingError",),
        conditions=False,
        ends_flow_on_success=True,
        flow_types=_INBOUND | _TRANSFER,
    ),
    ActionSpec(
        type="UpdateFlowAttributes",
        url=_p("flow-control-actions-updateflowattributes"),
        group="flow-control",
        text_source="api-ref",
        summary="Sets flow attributes (not carried to later flows).",
        required_params=("FlowAttributes",),
        optional_params=(),
        errors=(),
        errors_in_exports=("NoMatchingError",),
        conditions=False,
        flow_types=_ALL,
        channels=frozenset(CHANNELS),
        channel_notes="all channels, all flow types",
    ),
    ActionSpec(
        type="UpdateFlowLoggingBehavior",
        url=_p("flow-control-actions-updateflowloggingbehavior"),
        group="flow-control",
        text_source="api-ref",
        summary="Turns flow logs on or off.",
        required_params=("FlowLoggingBehavior",),
        optional_params=(),
        param_rules={"FlowLoggingBehavior": "Enabled | Disabled, static"},
        errors=(),
        conditions=False,
        flow_types=_ALL,
    ),
    ActionSpec(
        type="Wait",
        url=_p("flow-control-actions-wait"),
        group="flow-control",
        text_source="api-ref",
        summary="Pauses until a time-out or an event (CustomerReturned, BotParticipantDisconnected).",
        required_params=(),
        optional_params=("TimeoutSeconds", "TimeLimitSeconds", "Events"),
        # TimeoutSeconds on the page (not marked optional); AWS exports write TimeLimitSeconds
        required_one_of=(("TimeoutSeconds", "TimeLimitSeconds"),),
        param_rules={
            "TimeoutSeconds": "static positive integer <= 604800 or a single JSONPath",
            "Events": "static list: CustomerReturned, BotParticipantDisconnected",
        },
        int_ranges={"TimeoutSeconds": (1, 604_800)},
        errors=("NoMatchingError", "ParticipantNotFound"),
        error_notes={"ParticipantNotFound": "with the BotParticipantDisconnected event"},
        conditions=True,
        operators=("Equals",),
        required_operands=("WaitCompleted",),
        flow_types=_ALL,
        channels=_CHAT,
        channel_notes="'supported in every type of flow, but is supported only by the chat channel' "
        "(the Wait block page also allows voice in inbound flows with some options)",
        notes=("Every event in Events also needs a condition.",),
    ),
    # ------------------------------------------------------------------------ interactions
    ActionSpec(
        type="CreateCallbackContact",
        url=_p("interactions-createcallbackcontact"),
        group="interaction",
        text_source="api-ref",
        summary="Queues a callback to the contact's callback number.",
        required_params=("InitialCallDelaySeconds", "MaximumConnectionAttempts", "RetryDelaySeconds"),
        optional_params=("QueueId", "AgentId", "ContactFlowId"),
        exclusive_params=(("QueueId", "AgentId"),),
        param_rules={
            "ContactFlowId": "if set, InitialCallDelaySeconds is ignored (current page)",
            "InitialCallDelaySeconds": "static integer, > 0, <= 259200",
            "MaximumConnectionAttempts": "static integer > 0",
            "RetryDelaySeconds": "static integer, > 0, <= 259200",
        },
        int_ranges={
            "InitialCallDelaySeconds": (1, 259_200),
            "RetryDelaySeconds": (1, 259_200),
            "MaximumConnectionAttempts": (1, 2**31 - 1),
        },
        errors=("NoMatchingError",),
        conditions=False,
        flow_types=_INBOUND | _TRANSFER | _QUEUE,
        notes=("Restrictions as on the 2023 page; the current page's were not readable.",),
    ),
    ActionSpec(
        type="CreateCustomerProfile",
        url=_p("interactions-createcustomerprofile"),
        group="interaction",
        text_source="2023-md",
        summary="Creates a Customer Profiles profile; response fields under $.Customer.",
        required_params=(),
        optional_params=("ProfileRequestData", "ProfileResponseData"),
        errors=("NoMatchingError",),
        conditions=False,
        flow_types=None,  # no Restrictions section
    ),
    ActionSpec(
        type="GetCustomerProfile",
        url=_p("interactions-getcustomerprofile"),
        group="interaction",
        text_source="api-ref",
        summary="Finds a Customer Profiles profile by phone number or email.",
        required_params=("ProfileRequestData",),
        optional_params=("ProfileResponseData",),
        param_rules={
            "ProfileRequestData": "current page: IdentifierName + IdentifierValue, or SearchCriteria "
            "(list of IdentifierName/IdentifierValue) with LogicalOperator AND|OR; up to five "
            "identifiers. The 2023 page (and the corpus exports) use PhoneNumber / EmailAddress."
        },
        errors=("MultipleFoundError", "NoneFoundError", "NoMatchingError"),
        conditions=False,
        flow_types=None,  # no Restrictions section
        notes=("Errors as on the 2023 page; the current page's were not readable.",),
    ),
    ActionSpec(
        type="InvokeLambdaFunction",
        url=_p("interactions-invokelambdafunction"),
        group="interaction",
        text_source="api-ref",
        summary="Invokes a Lambda function; the answer is under $.External until the next call.",
        required_params=("LambdaFunctionARN", "InvocationTimeLimitSeconds"),
        optional_params=("InvocationType", "LambdaInvocationAttributes", "ResponseValidation"),
        param_rules={
            "InvocationTimeLimitSeconds": "static integer, > 0, <= 8",
            "InvocationType": "SYNCHRONOUS | ASYNCHRONOUS",
            "ResponseValidation.ResponseType": "STRING_MAP (flat string map) | JSON; static",
        },
        int_ranges={"InvocationTimeLimitSeconds": (1, 8)},
        errors=("NoMatchingError",),
        conditions=False,
        flow_types=_ALL,
        channels=frozenset(CHANNELS),
        channel_notes="all channels and all types of flows",
    ),
)

CATALOG: Mapping[str, ActionSpec] = MappingProxyType({s.type: s for s in _SPECS})

# GetParticipantInput forms (participant-actions-getparticipantinput, "Results and conditions"
# and "Errors"; store-customer-input block page for the StoreInput True time-out).
STORE_CUSTOMER_INPUT_URL = ADMIN_GUIDE + "store-customer-input.html"
INPUT_FORMS: Mapping[str, Mapping[str, InputForm]] = MappingProxyType(
    {
        "GetParticipantInput": MappingProxyType(
            {
                "False": InputForm(
                    conditions=True,
                    operators=("Equals",),
                    operand_pattern=r"^[0-9*#]$",
                    errors=("NoMatchingCondition", "NoMatchingError", "InputTimeLimitExceeded"),
                    required_errors=("NoMatchingError",),
                    required_params=(),
                    forbidden_params=("InputValidation", "InputEncryption"),
                    notes="also the form when StoreInput is absent; operands static, one character 0-9, * or #",
                ),
                "True": InputForm(
                    conditions=False,
                    operators=(),
                    operand_pattern=None,
                    errors=("NoMatchingError", "InvalidPhoneNumber"),
                    required_errors=("NoMatchingError",),
                    required_params=("InputValidation",),
                    forbidden_params=(),
                    notes="no run result, no conditions; InvalidPhoneNumber only with "
                    "PhoneNumberValidation; a time-out takes the success branch with the "
                    "value 'Timeout'",
                ),
            }
        )
    }
)

# CheckMetricData: the metrics whose comparisons may fall through to NoMatchingCondition.
CHECK_METRIC_NO_MATCHING_CONDITION = ("OldestContactInQueueAgeSeconds", "NumberOfContactsInQueue")

# How a parameter may carry a JSONPath reference, as its action page says: "whole" = "fully static
# or a single valid JSONPath identifier" (or "fully static or fully dynamic"): a reference is the
# entire value, never part of a longer string; "reference" = "a single JSONPath" only (Compare:
# "Any single JSONPath identifier"; UpdateContactCallbackNumber: "cannot be set statically");
# "static" = "must be defined statically" ("Dynamic values are not supported"). Text and SSML "may
# be defined statically or dynamically": a reference inside a sentence is interpolated there.
REFERENCE_FORMS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        ("MessageParticipant", "PromptId"): "whole",
        ("GetParticipantInput", "PromptId"): "whole",
        ("UpdateContactTargetQueue", "QueueId"): "whole",
        ("UpdateContactTargetQueue", "AgentId"): "whole",
        ("TransferToFlow", "ContactFlowId"): "whole",
        ("CreateTask", "ContactFlowId"): "whole",
        ("CheckHoursOfOperation", "HoursOfOperationId"): "whole",
        ("Loop", "LoopCount"): "whole",
        ("Wait", "TimeoutSeconds"): "whole",
        ("Compare", "ComparisonValue"): "reference",
        ("UpdateContactCallbackNumber", "CallbackNumber"): "reference",
        ("GetParticipantInput", "StoreInput"): "static",
        ("GetParticipantInput", "InputTimeLimitSeconds"): "static",
        ("UpdateContactAttributes", "TargetContact"): "static",
        ("UpdateFlowLoggingBehavior", "FlowLoggingBehavior"): "static",
        ("CheckMetricData", "MetricType"): "static",
        ("InvokeLambdaFunction", "InvocationTimeLimitSeconds"): "static",
        ("CreateTask", "TaskTemplateId"): "static",
    }
)

# GetParticipantInput's input objects (participant-actions-getparticipantinput, parameter object):
# StoreInput "True" or "False"; InputValidation holds PhoneNumberValidation ("May not be specified
# if CustomValidation is specified") or CustomValidation (the other way); NumberFormat "Local" or
# "E164", CountryCode "must be defined" for Local ("the two letter country code");
# CustomValidation.MaximumLength "A number"; InputEncryption "May only be specified if
# CustomValidation is provided", with EncryptionKeyId and Key; DTMFConfiguration
# InputTerminationSequence "Up to five digits", DisableCancelKey "True" or "False".
STORE_INPUT_SHAPE: Mapping[str, Any] = MappingProxyType(
    {
        "url": API_REFERENCE + "participant-actions-getparticipantinput.html",
        "store_input": ("True", "False"),
        "validations": ("PhoneNumberValidation", "CustomValidation"),
        "number_formats": ("Local", "E164"),
        "encryption_keys": ("EncryptionKeyId", "Key"),
        "termination_max_digits": 5,
        "disable_cancel_key": ("True", "False"),
    }
)

# UpdateContactEventHooks: "The following event hooks are valid" (current page).
EVENT_HOOK_KEYS: tuple[str, ...] = (
    "AgentHold",
    "AgentWhisper",
    "CustomerHold",
    "CustomerQueue",
    "CustomerRemaining",
    "CustomerWhisper",
    "DefaultAgentUI",
    "DisconnectAgentUI",
    "PauseContact",
    "ResumeContact",
)


def spec(action_type: Any) -> ActionSpec | None:
    """The catalog entry of an action type, or None (unknown, or not a string)."""
    return CATALOG.get(action_type) if isinstance(action_type, str) else None


def flow_type_name(value: Any) -> str | None:
    """``CONTACT_FLOW`` or ``contactFlow`` -> ``contactFlow``; anything else -> None."""
    if not isinstance(value, str):
        return None
    if value in FLOW_TYPES or value == MODULE:
        return value
    return API_FLOW_TYPES.get(value)


def allowed_in(action_type: Any, flow_type: Any) -> bool | None:
    """Whether the docs allow the action in the flow type; None when either is unknown.

    Flow modules get None except for the two actions whose pages name modules.
    """
    s = spec(action_type)
    ft = flow_type_name(flow_type)
    if s is None or ft is None or s.flow_types is None:
        return None
    if ft == MODULE:
        if s.type in ("EndFlowModuleExecution", "InvokeFlowModule"):
            return ft in s.flow_types
        return None
    return ft in s.flow_types


def input_form(action: Any) -> InputForm | None:
    """The documented form of an input action (``StoreInput`` True/False), else None."""
    if not isinstance(action, Mapping):
        return None
    action_type = action.get("Type")
    forms = INPUT_FORMS.get(action_type) if isinstance(action_type, str) else None
    if forms is None:
        return None
    params = action.get("Parameters")
    store = params.get("StoreInput", "False") if isinstance(params, Mapping) else "False"
    return forms.get(store if isinstance(store, str) else "", None)


def possible_errors(action: Any) -> tuple[str, ...] | None:
    """The ErrorTypes the docs say this action (with its parameters) can raise, else None.

    Takes the action's form into account (GetParticipantInput's StoreInput and validation,
    CheckMetricData's MetricType, the Cases actions' LinkContactToCase, Wait's Events). Never raises, whatever the input.
    """
    if not isinstance(action, Mapping):
        return None
    s = spec(action.get("Type"))
    if s is None or s.errors is None:
        return None
    params = action.get("Parameters")
    params = params if isinstance(params, Mapping) else {}
    form = input_form(action)
    if form is not None:
        errors = list(form.errors)
        if "InvalidPhoneNumber" in errors:
            validation = params.get("InputValidation")
            if not (isinstance(validation, Mapping) and "PhoneNumberValidation" in validation):
                errors.remove("InvalidPhoneNumber")
        return tuple(errors)
    if "ContactNotLinked" in s.errors and str(params.get("LinkContactToCase", "")).lower() != "true":
        return tuple(e for e in s.errors if e != "ContactNotLinked")
    if s.type == "Wait":
        events = params.get("Events")
        if not (isinstance(events, list) and "BotParticipantDisconnected" in events):
            return tuple(e for e in s.errors if e != "ParticipantNotFound")
    if s.type == "CheckMetricData":
        metric = params.get("MetricType")
        if metric not in CHECK_METRIC_NO_MATCHING_CONDITION:
            return tuple(e for e in s.errors if e != "NoMatchingCondition")
    return s.errors


def gaps() -> list[str]:
    """Catalog fields the docs leave unknown, as ``Type.field`` (for reports)."""
    out = []
    for s in _SPECS:
        for name in ("required_params", "errors", "conditions", "flow_types"):
            if name == "conditions" and s.type in INPUT_FORMS:
                continue  # per form, see INPUT_FORMS
            if getattr(s, name) is None:
                out.append(f"{s.type}.{name}")
    return out
