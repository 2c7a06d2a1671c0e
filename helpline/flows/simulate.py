"""Offline call simulator: runs the rendered flow JSON action by action, as Amazon Connect does.

The flows come from :func:`helpline.flows.render.render_country` with the local resolver (the
same renderer the stack uses); Lambda actions call the REAL handlers in process through
:mod:`helpline.sandbox` (moto). Nothing here knows the helpline's menus: it interprets the
Amazon Connect Flow language, and where Connect behaves a certain way the simulator does too:

- **Key presses.** Only an input block (``GetParticipantInput``) captures keys; DTMF pressed
  while a ``MessageParticipant`` plays is lost ("Amazon Connect can't capture the DTMF input
  that the caller provides during the play prompt block",
  https://repost.aws/knowledge-center/connect-store-get-customer-input-blocks), while an input
  block's prompt is interruptible ("It supports interruptible prompts with DTMF input",
  https://docs.aws.amazon.com/connect/latest/adminguide/get-customer-input.html).
- **Caller model.** A scripted key (``"1"``) is pressed when the caller is asked: at the next
  *menu*, an input block that waits more than a second. Input blocks of one second are
  announcements the caller may interrupt; a key written ``"!1"`` is pressed at once, during
  whatever plays next: captured by an input block, lost in a message. ``"-"`` lets a menu
  time out; ``"."`` lets the next interruptible announcement pass (so ``". !2"`` presses 2
  during the second announcement).
- **Queues.** A queue accepts a contact even when its hours are closed or nobody is staffed;
  then nobody answers: the caller waits in the customer-queue flow until they give up
  (``patience``), outcome ``abandoned``. An operator answers only when the queue's hours are
  open and it is staffed, after ``wait`` seconds.
- **Hours.** Two hours of operation, each evaluated by its own definition: ``main`` (the queues'
  hours: the weekly hours with the closures as CLOSED overrides) and ``weekly`` (the same week,
  no overrides), so a closure day at a normally open hour is told from a normal closed hour
  (see :meth:`Simulator._do_CheckHoursOfOperation`).
- **Loop prompts.** ``MessageParticipantIteratively`` plays its messages back to back, in a
  loop, until ``InterruptFrequencySeconds`` have passed (result ``MessagesInterrupted``) or an
  operator answers (https://docs.aws.amazon.com/connect/latest/adminguide/participant-actions-messageparticipantiteratively.html).
  Message lengths are estimated from the words (Amazon Polly speaks about 2.5 words a
  second) or, for generated audio, read from the file.
- **Staffing after hours.** Closing time logs nobody out: no AWS page says Connect logs agents
  out when a queue's hours close (hours are "referenced in flows", adminguide/set-hours-
  operation.html; the Check hours of operation block only "checks whether the contact is
  occurring within or outside the hours", adminguide/check-hours-of-operation.html), and the
  staffing metrics count agents by their own status. ``staffed_after_hours=True`` keeps the
  operators logged in (CheckMetricData counts them) after closing time, so only the flow's own
  hours check keeps a caller out of a closed queue. Whether Connect routes a queued contact to
  such an operator after hours is not documented either (a re:Post answer says hours are "not
  used implicitly"); the simulator keeps nobody answering in a closed queue.
- **Callbacks.** ``CreateCallbackContact`` queues a new contact that calls the caller back in
  the given queue; it is answered when that queue is open and staffed.

- **The operators' guide.** When an operator answers, the contact's ``DefaultAgentUI`` event
  hook names the flow "invoked when a contact comes into the Agent Workspace", used "to set up a
  step-by-step guide" (adminguide/set-event-flow.html; the flow action is
  UpdateContactEventHooks, APIReference/contact-actions-updatecontacteventhooks.html). ShowView
  "routes step-by-step guides ... as chat contacts ... different from the customer-based
  contact" and "is only supported on the chat channel" (APIReference/participant-actions-
  showview.html): the guide runs as its own CHAT contact, related to the call. No page says
  what that contact carries beyond the link to the call (the copy of attributes that
  StartOutboundVoiceContact documents for its RelatedContactId is about contacts started by that
  API, not about guides), so the guide contact here carries ONLY its ContactId, Channel CHAT and
  ``RelatedContactId`` (the call's ContactId): no contact attributes, no customer endpoint. Its
  Lambdas look the call up (functions.logic.voice_call: ContactLinks, GetContactAttributes, which
  the sandbox answers from the call's attributes). What the guide learns stays in its flow
  attributes (``$.FlowAttributes``, UpdateFlowAttributes: "not carried over to the subsequent
  flows", APIReference/flow-control-actions-updateflowattributes.html). ``$.Agent.ARN`` is the
  answering agent's ARN (adminguide/connect-attrib-list.html, agent attributes; that it is set
  on the guide contact is a live assumption checked by ``helpline verify-live``). Each ShowView takes the operator
  script's step for that screen (:mod:`helpline.flows.operator`), checked against the view
  (:mod:`helpline.flows.views`); ``$.Views.Action`` / ``$.Views.ViewResultData`` hold the
  result. Without an operator script the guide is not run.

Faults: ``fail`` names Lambda functions that fail (Connect's error branch), ``queue`` /
``queue:<key>`` (queue at capacity), ``callback``; ``inject`` makes one action take one of
its error branches (``{(flow, action id): error type}``); ``statuses`` makes a Lambda
function answer a given ``status`` (a handler that answered that status). Every transition
taken is recorded (``CallResult.transitions``) for transition coverage.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from helpline.config.reference import POLLY_ENGINES, STANDARD
from helpline.config.schema import CountryConfig
from helpline.flows.operator import FAILS, TIMEOUT, OperatorScript, OperatorScriptError
from helpline.flows.render import ENTRY_FLOW, HOURS_RESOURCES, LocalResolver, RenderedFlow, render_local
from helpline.flows.views import ViewError, form_inputs, form_result, offered_results

MAX_STEPS = 1000
NO_INPUT_TOKENS = {"-", "wait", "_"}
EARLY = "!"  # "!1": the key is pressed at once, while the next prompt plays
SKIP_ANNOUNCEMENT = "."  # the caller lets the next interruptible announcement pass without a key
ANNOUNCEMENT_MAX_SECONDS = 1.0  # an input block this short is an interruptible announcement
WORDS_PER_SECOND = 2.5
DEFAULT_PATIENCE = 900.0
SAFE_WINDOW = 3  # the emergency number must be said in one of the last 3 messages of a call  # seconds a caller waits unanswered in a queue before hanging up
FAIL_KINDS = ("queue", "callback", "dynamodb")  # plus Lambda function names and queue:<key>
VALID_KEYS = set("0123456789*#")
SURVEY_INPUT = re.compile(r"[0-9*#]{1,8}|-")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
INSTANCE_ARN = "arn:aws:connect:eu-central-1:123456789012:instance/00000000-0000-4000-8000-000000000000"

# Action types the simulator executes (the linter reports any other type by name).
MODELLED_TYPES: frozenset[str] = frozenset(
    {
        "MessageParticipant",
        "MessageParticipantIteratively",
        "GetParticipantInput",
        "InvokeLambdaFunction",
        "CheckHoursOfOperation",
        "Compare",
        "Loop",
        "UpdateContactAttributes",
        "UpdateContactTextToSpeechVoice",
        "UpdateContactEventHooks",
        "UpdateContactRecordingBehavior",
        "UpdateContactRecordingAndAnalyticsBehavior",
        "UpdateContactTargetQueue",
        "UpdateContactCallbackNumber",
        "UpdateFlowLoggingBehavior",
        "UpdateFlowAttributes",
        "ShowView",
        "CreateCallbackContact",
        "CheckMetricData",
        "TransferContactToQueue",
        "TransferToFlow",
        "DisconnectParticipant",
        "EndFlowExecution",
    }
)


class SimulationError(Exception):
    """The flow cannot be simulated (unknown action, broken reference, loop guard)."""


@dataclass
class Line:
    flow: str
    action: str
    speaker: str  # "system" (heard by the caller), "agent" (whisper), "caller" (key press), "note",
    # "screen" (a guide screen the operator sees), "operator" (what the operator did there)
    text: str
    lang: str | None = None

    def __str__(self) -> str:
        tag = f"[{self.lang}] " if self.lang else ""
        if self.speaker == "caller":
            return f"  caller: {self.text}"
        if self.speaker == "note":
            return f"  ({self.text})"
        if self.speaker == "screen":
            return f"  screen [{self.action}]: {self.text}"
        if self.speaker == "operator":
            return f"  operator: {self.text}"
        who = "whisper" if self.speaker == "agent" else "system"
        return f"  {who}: {tag}{self.text}"


@dataclass
class CallResult:
    country: str
    lang: str | None
    outcome: str  # "queue" (answered) | "disconnect" | "callback" | "abandoned" (nobody would answer) | "gave_up"
    queue: str | None  # logical queue key ("uk", "priority") when queued
    queue_name: str | None
    attributes: dict[str, str]
    transcript: list[Line]
    visited: dict[str, list[str]]
    dump: Any  # () -> the tables; read lazily (a dump after every call would dominate a run)
    lambda_calls: list[dict[str, Any]]
    callback: dict[str, str] | None
    contact_id: str
    steps: int
    answered: bool = False
    transitions: set[tuple[str, str, str]] = field(default_factory=set)
    emergency_number: str = ""
    callbacks: list[dict[str, str]] = field(default_factory=list)
    guide: GuideRun | None = None
    guide_flow: str | None = None  # the DefaultAgentUI hook's flow when an operator answered
    survey_outcome: str | None = None  # the disconnect flow's end: disconnect / hung_up / no_hook
    entry_flow: str = ENTRY_FLOW  # the flow the contact started in (outbound_survey_<lang> for a survey call)
    # A call the helpline placed that ended having heard only its flow's before_identification
    # actions (the neutral opener, its retry, its goodbye): see :attr:`safe`.
    ended_before_identification: bool = False

    _tables: dict[str, list[dict[str, Any]]] | None = None

    @property
    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """What the backend's tables hold after the call (read while the backend is open)."""
        if self._tables is None:
            self._tables = self.dump() if self.dump is not None else {}
        return self._tables

    @property
    def link(self) -> dict[str, Any]:
        """The call's ContactLinks item (caller pseudonym, case): where the helpline keeps what
        it knows of a call, instead of Connect's contact attributes; {} if none."""
        links = self.tables.get("ContactLinks", [])
        return next((x for x in links if x.get("contact_id") == self.contact_id), {})

    @property
    def caller_id(self) -> str:
        return str(self.link.get("caller_id", ""))

    @property
    def case_id(self) -> str:
        """The case this call opened or extended: its link's, else the case that names the call
        (a withheld number has no link); "" if none."""
        if self.link.get("case_id"):
            return str(self.link["case_id"])
        for case in self.tables.get("Cases", []):
            if case.get("contact_id") == self.contact_id or self.contact_id in (case.get("contact_seqs") or {}):
                return str(case["case_id"])
        return ""

    @property
    def spoken(self) -> list[str]:
        return [ln.text for ln in self.transcript if ln.speaker in ("system", "agent")]

    def said(self, text: str) -> bool:
        return any(text in s for s in self.spoken)

    def render_transcript(self) -> str:
        return "\n".join(str(ln) for ln in self.transcript)

    @property
    def ended_with_emergency_number(self) -> bool:
        """One of the last messages before the call ended named the emergency number."""
        heard = [ln.text for ln in self.transcript if ln.speaker == "system"][-SAFE_WINDOW:]
        return bool(self.emergency_number) and any(self.emergency_number in t for t in heard)

    @property
    def safe(self) -> bool:
        """A way forward: a person answered, a call back was arranged, or the call ended (not
        abandoned in a queue nobody answers) with a message that names the emergency number.

        One documented exception: a survey call the helpline placed that ended before the person
        who answered was identified (``ended_before_identification``: nothing was heard but the
        flow's ``before_identification`` actions, the neutral opener and its goodbye). Naming the
        emergency number there would tell a voicemail or whoever picked up a shared phone what
        the call is about; the person is called again while attempts remain
        (docs/survey-campaigns.md, "The opener")."""
        if self.answered or self.callback is not None:
            return True
        if self.ended_before_identification:
            return True
        return self.outcome != "abandoned" and self.ended_with_emergency_number


@dataclass
class GuideRun:
    """The operators' guide as it ran for one answered call (a CHAT contact of its own)."""

    contact_id: str
    agent_arn: str
    screens: list[str] = field(default_factory=list)  # ShowView ids in the order shown
    actions: list[str] = field(default_factory=list)  # what the operator did on each (button/timeout/error)
    attributes: dict[str, str] = field(default_factory=dict)  # the guide contact's attributes at the end
    flow_attributes: dict[str, str] = field(default_factory=dict)  # its flow attributes at the end
    outcome: str = ""


@dataclass
class _State:
    attributes: dict[str, str] = field(default_factory=dict)
    external: dict[str, str] = field(default_factory=dict)
    flow_attributes: dict[str, str] = field(default_factory=dict)
    hooks: dict[str, str] = field(default_factory=dict)
    target_queue: str | None = None
    voice: str | None = None
    callback_number: str | None = None
    views: dict[str, Any] = field(default_factory=dict)  # $.Views after a ShowView
    loops: dict[tuple[str, str], int] = field(default_factory=dict)
    stored_input: str = ""  # $.StoredCustomerInput (GetParticipantInput with StoreInput True)
    clock: float = 0.0  # seconds since the call started


class _Outcome(Exception):
    def __init__(self, kind: str):
        self.kind = kind


class Simulator:
    """Runs calls for one country against a backend (``helpline.sandbox.local_backend``)."""

    def __init__(
        self,
        cfg: CountryConfig,
        backend: Any = None,
        flows: dict[str, RenderedFlow] | None = None,
        resolver: LocalResolver | None = None,
    ):
        self.cfg = cfg
        self.backend = backend
        if flows is None or resolver is None:
            flows, resolver = render_local(cfg)
        self.flows = flows
        self.resolver = resolver
        self.actions = {name: {a["Identifier"]: a for a in f.content["Actions"]} for name, f in flows.items()}
        self.voice_lang = {lg.voice: lg.code for lg in cfg.languages if lg.voice}
        self.spoken = {lg: cfg.spoken(lg) for lg in cfg.language_codes}

    # ---- public --------------------------------------------------------------------------
    def call(
        self,
        *,
        lang: str | None = None,
        presses: Iterable[str] = (),
        at: dt.datetime | str | None = None,
        caller: str = "+48500100200",
        fail: Iterable[str] = (),
        wait: float = 0,
        max_steps: int = MAX_STEPS,
        contact_id: str | None = None,
        staffed: bool = True,
        staffed_after_hours: bool = False,
        patience: float = DEFAULT_PATIENCE,
        inject: dict[tuple[str, str], str] | None = None,
        statuses: dict[str, str] | None = None,
        operator: OperatorScript | None = None,
        survey: Iterable[str] | None = None,
        outbound: Iterable[str] | None = None,
        campaign: dict[str, str] | None = None,
    ) -> CallResult:
        """Simulate one call. ``presses``: keys in order (see the caller model above).

        If ``lang`` is given and the country has a language menu, the language's digit is
        pressed first at the language menu. ``fail``: Lambda function names, ``queue``,
        ``queue:<key>``, ``callback``. ``staffed``: whether operators are logged in.
        ``staffed_after_hours``: they stay logged in after closing time (the staffing check
        counts them then too; see the module notes).
        ``operator``: what the answering operator does in the step-by-step guide; without it
        the guide is not run. ``survey``: the caller stays on the line when the operator hangs
        up and gives these inputs, one per question (see :meth:`_after_agent`); None: the
        caller hangs up with the operator. ``outbound``: instead of an inbound call, a survey call
        placed to ``caller`` in ``lang`` (see :meth:`_outbound_start`); the person who answers
        gives these inputs; ``campaign`` overrides the contact attributes the runner sets.
        """
        if outbound is not None:
            tokens = outbound_inputs(outbound)
            self._start(None, (), at, caller, fail, wait, max_steps, contact_id)
        else:
            self._start(lang, presses, at, caller, fail, wait, max_steps, contact_id)
        self.staffed, self.patience = staffed, patience
        self.staffed_after_hours = staffed_after_hours
        self.inject = dict(inject or {})
        self.statuses = dict(statuses or {})
        self.operator = operator
        if operator is not None and "agent_guide" in self.flows:
            operator.check_screens([a for a, v in self.actions["agent_guide"].items() if v["Type"] == "ShowView"])
        entry = ENTRY_FLOW if outbound is None else self._outbound_start(lang, tokens, campaign or {})
        outcome = self._run_flow(entry)
        if outcome == "queue":
            outcome = self._after_queue()
        if outcome == "queue" and survey is not None:
            self._after_agent(survey)
        if outcome in ("disconnect", "abandoned", "gave_up") and self.callback is not None:
            outcome = "callback"
        return self._result(lang, outcome)

    # ---- engine --------------------------------------------------------------------------
    def _start(self, lang, presses, at, caller, fail, wait, max_steps, contact_id) -> None:
        self.presses = [str(p) for p in presses]
        if lang is not None and len(self.cfg.languages) > 1:
            digit = self.cfg.language(lang).digit
            if not self.presses or self.presses[0].lstrip(EARLY) != digit:
                self.presses.insert(0, digit)
        for p in self.presses:
            key = p[1:] if p.startswith(EARLY) and len(p) == 2 else p
            if key not in VALID_KEYS and p not in NO_INPUT_TOKENS and p != SKIP_ANNOUNCEMENT:
                raise SimulationError(
                    f"key {p!r} is not a phone key (0-9, *, #), '!<key>', '.' (let an announcement pass) nor '-' (no input)"
                )
        self.at = parse_at(at, self.cfg)
        self.caller = caller
        self.fail = set(fail)
        self.wait = wait
        self.max_steps = max_steps
        self.steps = 0
        self.contact_id = contact_id or str(uuid.uuid4())
        self.state = _State()
        self.transcript: list[Line] = []
        self.visited: dict[str, list[str]] = {}
        self.transitions: set[tuple[str, str, str]] = set()
        self.lambda_calls: list[dict[str, Any]] = []
        self.callback: dict[str, str] | None = None
        self.callbacks: list[dict[str, str]] = []
        self.queued: str | None = None
        self.answered = False
        self.answer_at: float | None = None
        self.resume_at = None
        self.nobody_answers = False
        self.channel, self.related_contact = "VOICE", None
        self.guide: GuideRun | None = None
        self.guide_flow: str | None = None
        self.operator = None
        self.survey_outcome: str | None = None
        self.hangs_up_when_done = False
        self.entry_flow = ENTRY_FLOW
        self.initiation = "INBOUND"

    def _result(self, lang: str | None, outcome: str) -> CallResult:
        queue_key = self.queued
        return CallResult(
            country=self.cfg.code,
            lang=self.state.attributes.get("language", lang),
            outcome=outcome,
            queue=queue_key,
            queue_name=self.cfg.queue_names().get(queue_key) if queue_key else None,
            attributes=dict(self.state.attributes),
            transcript=self.transcript,
            visited=self.visited,
            dump=self.backend.dump_tables if self.backend is not None else None,
            lambda_calls=self.lambda_calls,
            callback=self.callback,
            contact_id=self.contact_id,
            steps=self.steps,
            answered=self.answered,
            transitions=self.transitions,
            emergency_number=self.cfg.emergency.number,
            callbacks=self.callbacks,
            guide=self.guide,
            guide_flow=self.guide_flow,
            survey_outcome=self.survey_outcome,
            entry_flow=self.entry_flow,
            ended_before_identification=self._ended_before_identification(outcome),
        )

    def _ended_before_identification(self, outcome: str) -> bool:
        """The call was placed by the helpline (InitiationMethod API), the flow disconnected it,
        and everything said came from its flow's ``before_identification`` actions."""
        if self.initiation != "API" or outcome != "disconnect":
            return False
        marked = {(name, ident) for name, flow in self.flows.items() for ident in flow.before_identification}
        heard = [(ln.flow, ln.action) for ln in self.transcript if ln.speaker in ("system", "agent")]
        return bool(heard) and all(h in marked for h in heard)

    def queue_open(self, queue: str, when: dt.datetime) -> bool:
        """Every queue of the stack uses the country's hours of operation."""
        return queue in self.cfg.queue_names() and self.cfg.hours.is_open(when)

    def _after_queue(self) -> str:
        """The caller waits in ``self.queued``. An operator answers after ``wait`` seconds only
        if the queue is staffed and its hours are open both now and then; a caller gives up
        after ``patience`` seconds (``gave_up`` if someone would have answered later,
        ``abandoned`` if nobody ever would)."""
        queue = self.queued or ""
        now = self._now()
        is_open = self.queue_open(queue, now)
        open_then = self.queue_open(queue, now + dt.timedelta(seconds=self.wait))
        self.nobody_answers = not (is_open and open_then and self.staffed)
        if not self.nobody_answers and self.wait <= self.patience:
            self.answer_at = self.state.clock + self.wait
            if self.wait > 0:
                self.transcript.append(Line("-", "-", "note", f"waiting in queue up to {self.wait:g} s"))
        elif self.nobody_answers:
            why = "no operator is staffed" if is_open and open_then else "its hours are closed (now or by then)"
            self.transcript.append(Line("-", "-", "note", f"queue {queue}: {why}; nobody will answer"))
        self.give_up_at = self.state.clock + self.patience
        self.resume_at: str | None = None
        queue_flow = self._hook_flow("CustomerQueue")
        if queue_flow and (self.answer_at is None or self.answer_at > self.state.clock):
            outcome = self._run_flow(queue_flow, in_queue=True)
            if outcome == "disconnect":
                return outcome
        if self.answer_at is None:
            self.transcript.append(Line("-", "-", "note", "the caller hangs up: nobody answered"))
            return "abandoned" if self.nobody_answers else "gave_up"
        self.answered = True
        self.transcript.append(Line("-", "-", "note", "an operator answers"))
        whisper = self._hook_flow("AgentWhisper")
        if whisper:
            self._run_flow(whisper, whisper=True)
        self._run_guide()
        return "queue"

    def _after_agent(self, survey: Iterable[str]) -> None:
        """The operator hangs up first and the caller stays on the line: Connect runs the
        contact's disconnect flow, the ``CustomerRemaining`` event hook ("Set disconnect flow":
        "the agent asks the customer to remain on the line for a post-call survey. The agent
        hangs up and a disconnect flow is run", adminguide/set-disconnect-flow.html;
        APIReference/contact-actions-updatecontacteventhooks.html). Without the hook the call
        ends. ``survey`` holds one input per input block: keys (``1``, ``12#``, ``*``, ``0``)
        or ``-`` (no key: a time-out); when they run out the caller hangs up at the next
        question (``hung_up``)."""
        tokens = [str(t) for t in survey]
        for t in tokens:
            if not SURVEY_INPUT.fullmatch(t):
                raise SimulationError(f"survey input {t!r} is not phone keys (0-9, *, #) nor '-' (no key)")
        self.transcript.append(Line("-", "-", "note", "the operator hangs up; the caller stays on the line"))
        flow = self._hook_flow("CustomerRemaining")
        if flow is None:
            self.transcript.append(Line("-", "-", "note", "no disconnect flow: the call ends"))
            self.survey_outcome = "no_hook"
            return
        self.presses, self.hangs_up_when_done = tokens, True
        self.survey_outcome = self._run_flow(flow)

    def _outbound_start(self, lang: str | None, tokens: list[str], campaign: dict[str, str]) -> str:
        """A survey call placed by the campaign runner: StartOutboundVoiceContact "places an
        outbound call to a contact, and then initiates the flow ... specified (in ContactFlowId)"
        with the request's ``Attributes`` as contact attributes (APIReference/
        API_StartOutboundVoiceContact.html); the contact's InitiationMethod is ``API``
        (adminguide/contact-initiation-methods.html). The runner sets campaign_id, contact_key and
        survey_id and picks the flow of the person's language, ``outbound_survey_<lang>``. The
        person answers and gives ``tokens`` (keys per input block, ``-`` no key; after 9 the
        keys go on into the helpline's menus, with the caller model above); when they run out
        the person stays on the line and presses nothing more: every input block times out,
        so each call shows where the flow leaves a silent person."""
        survey = self.cfg.outbound_survey
        if survey is None:
            raise SimulationError("no outbound survey in this country (surveys: kind outbound)")
        lang = lang or self.cfg.language_codes[0]
        name = f"outbound_survey_{lang}"
        if name not in self.flows:
            raise SimulationError(f"no flow {name!r}: {lang!r} is not a language of {self.cfg.code}")
        key = uuid.uuid5(uuid.NAMESPACE_URL, f"contact-key/{self.contact_id}").hex  # random 32 hex in the runner
        self.state.attributes.update(
            {"campaign_id": "sim-campaign", "contact_key": key, "survey_id": survey.id, **campaign}
        )
        self.presses = tokens
        self.entry_flow, self.initiation = name, "API"
        self.transcript.append(
            Line(
                "-",
                "-",
                "note",
                f"survey call placed to {self.caller} (campaign {self.state.attributes['campaign_id']}); answered",
            )
        )
        return name

    def _run_guide(self) -> None:
        """The DefaultAgentUI flow, run as the guide's own CHAT contact (see the module notes)."""
        name = self.guide_flow = self._hook_flow("DefaultAgentUI")
        if name is None:
            return
        if self.operator is None:
            self.transcript.append(Line(name, "-", "note", "the agent workspace starts the guide (no operator script)"))
            return
        voice_state, voice_id = self.state, self.contact_id
        guide_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"guide/{voice_id}"))
        self.guide = GuideRun(contact_id=guide_id, agent_arn=self._agent_arn())
        register = getattr(self.backend, "connect_contacts", None)
        if register is not None:  # what Connect holds for the call (GetContactAttributes)
            register[voice_id] = dict(voice_state.attributes)
        self.state = _State(clock=voice_state.clock)  # the guide contact: no copied attributes
        self.contact_id, self.channel, self.related_contact = guide_id, "CHAT", voice_id
        self.transcript.append(
            Line(name, "-", "note", f"the guide starts in the agent workspace (agent {self.operator.agent})")
        )
        try:
            self.guide.outcome = self._run_flow(name)
        finally:
            self.guide.attributes = dict(self.state.attributes)
            self.guide.flow_attributes = dict(self.state.flow_attributes)
            self.state, self.contact_id, self.channel, self.related_contact = voice_state, voice_id, "VOICE", None

    def _agent_arn(self) -> str:
        """The answering agent's ARN; the backend learns the user (and its security profile)."""
        assert self.operator is not None
        add_agent = getattr(self.backend, "add_agent", None)
        if add_agent is not None:
            return add_agent(self.operator.agent, supervisor=self.operator.supervisor)
        return f"{INSTANCE_ARN}/agent/{self.operator.agent}"

    def _hook_flow(self, hook: str) -> str | None:
        value = self.state.hooks.get(hook)
        if not value:
            return None
        ref = self.resolver.lookup(value)
        if not ref or ref[0] != "flow" or ref[1] not in self.flows:
            raise SimulationError(f"event hook {hook} refers to {value!r}, which is no rendered flow")
        return ref[1]

    def _run_flow(self, name: str, *, in_queue: bool = False, whisper: bool = False) -> str:
        if name not in self.flows:
            raise SimulationError(f"no flow named {name!r}")
        self.flow = name
        self.in_queue = in_queue
        self.whisper = whisper
        current: str | None = self.flows[name].content["StartAction"]
        while current is not None:
            self.steps += 1
            if self.steps > self.max_steps:
                raise SimulationError(f"loop guard: more than {self.max_steps} steps (last: {self.flow}:{current})")
            action = self.actions[self.flow].get(current)
            if action is None:
                raise SimulationError(f"flow {self.flow}: NextAction {current!r} does not exist")
            self.visited.setdefault(self.flow, []).append(current)
            kind = action["Type"]
            if kind not in MODELLED_TYPES:
                raise SimulationError(
                    f"flow {self.flow}: action {current!r} has type {kind}, which the simulator does not model"
                )
            flow, self._label = self.flow, None
            try:
                injected = self.inject.get((flow, current))
                if injected is not None:
                    self._enter(action)
                    self.transcript.append(Line(flow, current, "note", f"{kind} fails ({injected}, injected)"))
                    nxt = self._error(action, injected)
                else:
                    nxt = getattr(self, f"_do_{kind}")(action)
            except _Outcome as out:
                return out.kind
            if self._label is not None:
                self.transitions.add((flow, current, self._label))
            current = nxt
        return "ended"

    # ---- helpers -------------------------------------------------------------------------
    def _next(self, action: dict[str, Any]) -> str | None:
        self._label = "Next"
        return action.get("Transitions", {}).get("NextAction")

    def _error(self, action: dict[str, Any], error: str) -> str:
        for wanted in (error, "NoMatchingError"):
            for branch in action.get("Transitions", {}).get("Errors", []):
                if branch.get("ErrorType") == wanted:
                    self._label = f"Error:{wanted}"
                    return branch["NextAction"]
        raise SimulationError(f"flow {self.flow}: action {action['Identifier']!r} has no branch for error {error}")

    def _condition(self, action: dict[str, Any], value: str) -> str | None:
        for i, branch in enumerate(action.get("Transitions", {}).get("Conditions", [])):
            cond = branch.get("Condition", {})
            if _matches(cond.get("Operator", "Equals"), value, cond.get("Operands", [])):
                self._label = f"Condition:{i}"
                return branch["NextAction"]
        return None

    def _value(self, value: Any) -> str:
        if not isinstance(value, str) or not value.startswith("$."):
            return "" if value is None else str(value)
        path = value[2:].split(".")
        head, rest = path[0], path[1:]
        key = ".".join(rest)
        if head == "Attributes":
            return self.state.attributes.get(key, "")
        if head == "External":
            return self.state.external.get(key, "")
        if head == "StoredCustomerInput":
            return self.state.stored_input
        if head == "FlowAttributes":
            return self.state.flow_attributes.get(key, "")
        if head == "CustomerEndpoint" and key == "Address":
            return self.caller
        if head == "ContactId":
            return self.contact_id
        if head == "Channel":
            return self.channel
        if head == "Views":
            return _path_value(self.state.views, rest, value)
        if head == "Agent" and key == "ARN":
            return self.guide.agent_arn if self.guide is not None and self.channel == "CHAT" else ""
        return ""

    def _speak(self, params: dict[str, Any]) -> float:
        """Play one message; returns its length in seconds (estimated for speech)."""
        speaker = "agent" if self.whisper else "system"
        if "PromptId" in params:
            ref = self.resolver.lookup(self._value(params["PromptId"]) or params["PromptId"])
            if not ref or ref[0] != "prompt":
                raise SimulationError(f"flow {self.flow}: unknown prompt {params['PromptId']!r}")
            lang, prompt_id = ref[1].split("/", 1)
            if lang == "shared":
                seconds = _shared_audio_seconds(prompt_id)
                self.transcript.append(Line(self.flow, self._current_id, "note", f"{prompt_id} ({seconds:g} s)"))
                return seconds
            text = self.spoken[lang].get(prompt_id)
            if text is None:
                raise SimulationError(f"flow {self.flow}: prompt {ref[1]!r} has no text")
            self.transcript.append(Line(self.flow, self._current_id, speaker, text, lang))
            return _speech_seconds(text)
        if "Text" in params or "SSML" in params:
            text = self._value(params.get("Text", params.get("SSML")))
            lang = self.voice_lang.get(self.state.voice or "")
            self.transcript.append(Line(self.flow, self._current_id, speaker, text, lang))
            return _speech_seconds(text)
        return 0.0

    def _early_key_lost(self) -> None:
        """A key pressed at once ('!k') while a message plays: Connect does not capture it."""
        if self.presses and self.presses[0].startswith(EARLY) and len(self.presses[0]) == 2:
            key = self.presses.pop(0)[1]
            note = f"presses {key} during a message: lost (only an input block captures keys)"
            self.transcript.append(Line(self.flow, self._current_id, "caller", note))

    def _advance(self, seconds: float) -> None:
        """Time passes; in a queue the operator may answer or the caller give up meanwhile."""
        self.state.clock += seconds
        if self.in_queue:
            if self.answer_at is not None and self.state.clock >= self.answer_at:
                raise _Outcome("answered")
            if self.answer_at is None and self.state.clock >= self.give_up_at:
                raise _Outcome("abandoned")

    # ---- actions -------------------------------------------------------------------------
    def _enter(self, action: dict[str, Any]) -> dict[str, Any]:
        self._current_id = action["Identifier"]
        return action.get("Parameters", {}) or {}

    def _do_MessageParticipant(self, action: dict[str, Any]) -> str | None:
        params = self._enter(action)
        self._early_key_lost()
        self._advance(self._speak(params))
        return self._next(action)

    def _do_MessageParticipantIteratively(self, action: dict[str, Any]) -> str | None:
        """Messages back to back in a loop until the interrupt period or an operator answers."""
        params = self._enter(action)
        messages = params.get("Messages") or []
        freq = float(self._value(params.get("InterruptFrequencySeconds")) or 0)
        if not self.in_queue:
            raise SimulationError(f"flow {self.flow}: {action['Identifier']!r} loops prompts outside a queue flow")
        deadline = self.state.clock + freq if freq else None
        self.resume_at = action["Identifier"]  # where Resume (EndFlowExecution) returns to
        for played in range(MAX_STEPS):
            if not messages:
                raise SimulationError(f"flow {self.flow}: {action['Identifier']!r} has no messages")
            self._early_key_lost()
            length = max(self._speak(messages[played % len(messages)]), 1.0)
            if deadline is not None and self.state.clock + length >= deadline:
                self._advance(deadline - self.state.clock)
                nxt = self._condition(action, "MessagesInterrupted")
                return nxt if nxt is not None else self._next(action)
            self._advance(length)
        raise SimulationError(f"flow {self.flow}: {action['Identifier']!r} looped {MAX_STEPS} messages")

    def _take_key(self, timeout: float) -> str | None:
        """The key this input block captures, or None (time-out). See the caller model."""
        if not self.presses:
            return None
        token = self.presses[0]
        if token.startswith(EARLY) and len(token) == 2:
            self.presses.pop(0)
            return token[1]
        if timeout <= ANNOUNCEMENT_MAX_SECONDS:  # an announcement: the caller waits for a menu
            if token == SKIP_ANNOUNCEMENT:
                self.presses.pop(0)
            return None
        if token == SKIP_ANNOUNCEMENT:  # nothing to let pass here: the token is for a later announcement
            return None
        self.presses.pop(0)
        return None if token in NO_INPUT_TOKENS else token

    def _do_GetParticipantInput(self, action: dict[str, Any]) -> str | None:
        params = self._enter(action)
        timeout = float(self._value(params.get("InputTimeLimitSeconds")) or 5)
        length = self._speak(params)
        if self.hangs_up_when_done and not self.presses:
            self.transcript.append(Line(self.flow, action["Identifier"], "note", "the caller hangs up"))
            raise _Outcome("hung_up")
        if str(params.get("StoreInput")) == "True":
            return self._store_input(action, params, timeout, length)
        key = self._take_key(timeout)
        if key is None:
            self._advance(length)
            if timeout > ANNOUNCEMENT_MAX_SECONDS:
                self.transcript.append(Line(self.flow, action["Identifier"], "caller", "(no key)"))
            self._advance(timeout)
            return self._error(action, "InputTimeLimitExceeded")
        self.transcript.append(Line(self.flow, action["Identifier"], "caller", f"presses {key}"))
        nxt = self._condition(action, key)
        return nxt if nxt is not None else self._error(action, "NoMatchingCondition")

    def _store_input(self, action: dict[str, Any], params: dict[str, Any], timeout: float, length: float) -> str:
        """StoreInput True ("Store customer input", adminguide/store-customer-input.html): the
        keys go to ``$.StoredCustomerInput`` and the block takes its success branch, also on a
        time-out (the value is ``Timeout``). Input ends at the termination sequence (not
        stored) or at ``MaximumLength`` digits; ``*`` is the cancel key (it clears the keys so
        far) unless ``DisableCancelKey`` is True."""
        dtmf = params.get("DTMFConfiguration") or {}
        end = str(dtmf.get("InputTerminationSequence") or "#")
        cancel = str(dtmf.get("DisableCancelKey", "False")) != "True"
        limit = int((params.get("InputValidation") or {}).get("CustomValidation", {}).get("MaximumLength") or 20)
        token = self.presses.pop(0) if self.presses else "-"
        self._advance(length)
        keys = "" if token in NO_INPUT_TOKENS else token.split(end, 1)[0][:limit]
        if cancel and "*" in keys:
            keys = keys.rsplit("*", 1)[1]
        if keys:
            self.transcript.append(Line(self.flow, action["Identifier"], "caller", f"presses {token}"))
        else:
            self.transcript.append(Line(self.flow, action["Identifier"], "caller", "(no key)"))
            self._advance(timeout)
        self.state.stored_input = keys or "Timeout"
        return self._next(action)

    def _do_InvokeLambdaFunction(self, action: dict[str, Any]) -> str | None:
        params = self._enter(action)
        ref = self.resolver.lookup(params.get("LambdaFunctionARN", ""))
        if not ref or ref[0] != "lambda":
            raise SimulationError(
                f"flow {self.flow}: action {action['Identifier']!r}: unknown Lambda {params.get('LambdaFunctionARN')!r}"
            )
        name = ref[1]
        call_params = {k: self._value(v) for k, v in (params.get("LambdaInvocationAttributes") or {}).items()}
        record: dict[str, Any] = {"function": name, "parameters": call_params}
        self.lambda_calls.append(record)
        self.state.external = {}
        if name in self.fail or self.backend is None:
            record["error"] = "injected failure" if name in self.fail else "no backend"
            self.transcript.append(
                Line(self.flow, action["Identifier"], "note", f"Lambda {name} fails ({record['error']})")
            )
            return self._error(action, "NoMatchingError")
        if name in self.statuses:
            response: Any = {"status": self.statuses[name]}
        else:
            try:
                response = self.backend.invoke(name, self._event(call_params))
            except Exception as exc:  # noqa: BLE001 - Connect sees any Lambda error the same way
                record["error"] = f"{type(exc).__name__}: {exc}"
                self.transcript.append(
                    Line(self.flow, action["Identifier"], "note", f"Lambda {name} raised {type(exc).__name__}")
                )
                return self._error(action, "NoMatchingError")
        record["response"] = response
        record["contact_id"] = self.contact_id
        validation = (params.get("ResponseValidation") or {}).get("ResponseType", "STRING_MAP")
        if validation == "STRING_MAP" and (
            not isinstance(response, dict) or any(not isinstance(v, str) for v in response.values())
        ):
            record["error"] = "response is not a flat map of strings"
            return self._error(action, "NoMatchingError")
        self.state.external = {k: (v if isinstance(v, str) else str(v)) for k, v in (response or {}).items()}
        status = self.state.external.get("status", "")
        text = f"Lambda {name} -> status={status}"
        if self.channel == "CHAT":  # the guide: what was sent and answered (never the note's text)
            sent = ", ".join(f"{k}={_shown(k, v)}" for k, v in call_params.items())
            got = ", ".join(f"{k}={v}" for k, v in self.state.external.items())
            text = f"Lambda {name}({sent}) -> {got}"
        self.transcript.append(Line(self.flow, action["Identifier"], "note", text))
        return self._next(action)

    def _event(self, parameters: dict[str, str]) -> dict[str, Any]:
        voice = self.channel == "VOICE"
        contact: dict[str, Any] = {}
        if not voice:  # the guide's chat contact, related to the call
            contact["RelatedContactId"] = self.related_contact
        return {
            "Name": "ContactFlowEvent",
            "Details": {
                "ContactData": {
                    **contact,
                    "Attributes": dict(self.state.attributes),
                    "Channel": self.channel,
                    "ContactId": self.contact_id,
                    "CustomerEndpoint": {"Address": self.caller, "Type": "TELEPHONE_NUMBER"} if voice else None,
                    "SystemEndpoint": {"Address": f"{self.cfg.phone_number.prefix}0000", "Type": "TELEPHONE_NUMBER"},
                    "InitialContactId": self.contact_id,
                    "InitiationMethod": self.initiation,
                    "InstanceARN": INSTANCE_ARN,
                    "PreviousContactId": self.contact_id,
                    "Queue": None,
                    "MediaStreams": {"Customer": {"Audio": None}},
                },
                "Parameters": dict(parameters),
            },
        }

    def _now(self) -> dt.datetime:
        return self.at + dt.timedelta(seconds=self.state.clock)

    def _do_CheckHoursOfOperation(self, action: dict[str, Any]) -> str | None:
        """True/False: is the named hours of operation "in hours or out of hours" now; without
        HoursOfOperationId, the target queue's hours (every queue here has ``main``); with
        neither, the Error branch (APIReference/flow-control-actions-checkhoursofoperation.html).

        Each hours of operation answers by its own definition (render.HOURS_RESOURCES): its weekly
        hours in the country's time zone (adminguide/set-hours-operation.html) and, for ``main``
        only, the closures as CLOSED overrides, dates where "operations will be closed" and the
        standard hours do not apply (adminguide/hours-of-operation-overrides.html,
        check-hours-of-operation.html; an override's OperationalStatus "determines how the
        override modifies the base hours of operation schedule", APIReference/
        API_OverrideHour.html). So on a closure day at a normally open hour ``main`` says False
        and ``weekly`` (no overrides) says True."""
        params = self._enter(action)
        if params.get("HoursOfOperationId"):
            ref = self.resolver.lookup(params.get("HoursOfOperationId", ""))
            if not ref or ref[0] != "hours" or ref[1] not in HOURS_RESOURCES:
                return self._error(action, "NoMatchingError")
            name = ref[1]
        elif self.state.target_queue is not None:
            name = f"queue {self.state.target_queue}"
        else:
            return self._error(action, "NoMatchingError")
        now = self._now()
        is_open = self.cfg.hours.is_open(now, closures=HOURS_RESOURCES.get(name, True))
        state = "open" if is_open else "closed"
        self.transcript.append(
            Line(self.flow, action["Identifier"], "note", f"hours {name} at {now:%a %Y-%m-%d %H:%M}: {state}")
        )
        nxt = self._condition(action, "True" if is_open else "False")
        return nxt if nxt is not None else self._error(action, "NoMatchingError")

    def _do_CheckMetricData(self, action: dict[str, Any]) -> str | None:
        """Check staffing: agents staffed/available/online in the (target) queue. Operators are
        logged in during opening hours when the simulation says the helpline is staffed, and
        after closing time too with ``staffed_after_hours`` (closing logs nobody out)."""
        params = self._enter(action)
        queue = self._queue_key(params["QueueId"]) if params.get("QueueId") else self.state.target_queue
        if queue is None:
            return self._error(action, "NoMatchingError")
        metric = str(params.get("MetricType", ""))
        if metric.startswith("NumberOfAgents"):
            logged_in = self.staffed and (self.staffed_after_hours or self.queue_open(queue, self._now()))
            value = "1" if logged_in and queue in self.cfg.queue_names() else "0"
        else:
            value = "0"
        self.transcript.append(Line(self.flow, action["Identifier"], "note", f"{metric} in {queue}: {value}"))
        nxt = self._condition(action, value)
        if nxt is not None:
            return nxt
        # flow-control-actions-checkmetricdata.html: NoMatchingCondition is "only supported if the
        # MetricType is OldestContactInQueueAgeSeconds or NumberOfContactsInQueue"; for the
        # NumberOfAgents* metrics (only condition: NumberGreaterThan 0) a false condition takes the
        # default NextAction, the block's False branch.
        if metric.startswith("NumberOfAgents"):
            return self._next(action)
        return self._error(action, "NoMatchingCondition")

    def _do_Compare(self, action: dict[str, Any]) -> str | None:
        params = self._enter(action)
        nxt = self._condition(action, self._value(params.get("ComparisonValue")))
        return nxt if nxt is not None else self._error(action, "NoMatchingCondition")

    def _do_Loop(self, action: dict[str, Any]) -> str | None:
        params = self._enter(action)
        key = (self.flow, action["Identifier"])
        count = int(self._value(params.get("LoopCount", "0")) or 0)
        done = self.state.loops.get(key, 0)
        if done < count:
            self.state.loops[key] = done + 1
            result = "ContinueLooping"
        else:
            self.state.loops[key] = 0
            result = "DoneLooping"
        nxt = self._condition(action, result)
        return nxt if nxt is not None else self._next(action)

    def _do_UpdateContactAttributes(self, action: dict[str, Any]) -> str | None:
        params = self._enter(action)
        for k, v in (params.get("Attributes") or {}).items():
            self.state.attributes[k] = self._value(v)
        return self._next(action)

    def _do_UpdateContactTextToSpeechVoice(self, action: dict[str, Any]) -> str | None:
        """Sets the voice; "results in error if ... the selected voice does not support the selected engine"
        (contact-actions-updatecontacttexttospeechvoice.html): then NoMatchingError and the voice is unchanged.
        No engine named counts as Standard: the docs do not say which engine applies then (an older version of the
        page asks for the engine "if it is a neural voice"); this project's flows always name one, so only an
        exported flow without it relies on this reading."""
        params = self._enter(action)
        voice = self._value(params.get("TextToSpeechVoice"))
        engine = self._value(params.get("TextToSpeechEngine")) or STANDARD
        if voice in POLLY_ENGINES and engine not in POLLY_ENGINES[voice]:
            return self._error(action, "NoMatchingError")
        self.state.voice = voice
        return self._next(action)

    def _do_UpdateContactEventHooks(self, action: dict[str, Any]) -> str | None:
        for hook, value in (self._enter(action).get("EventHooks") or {}).items():
            self.state.hooks[hook] = self._value(value) or value
        return self._next(action)

    def _do_UpdateContactRecordingBehavior(self, action: dict[str, Any]) -> str | None:
        self._enter(action)
        return self._next(action)

    def _do_UpdateContactRecordingAndAnalyticsBehavior(self, action: dict[str, Any]) -> str | None:
        """Sets recording for the channel its one behaviour object names (VoiceBehavior /
        ChatBehavior); "ChannelMismatch - if the media channel that initiated the contact is not
        the same as the one defined in the action" (devguide/contact-actions-
        updatecontactrecordingandanalyticsbehavior.html)."""
        params = self._enter(action)
        wanted = "VOICE" if "VoiceBehavior" in params else "CHAT" if "ChatBehavior" in params else self.channel
        if wanted != self.channel:
            return self._error(action, "ChannelMismatch")
        return self._next(action)

    def _do_UpdateFlowLoggingBehavior(self, action: dict[str, Any]) -> str | None:
        self._enter(action)
        return self._next(action)

    def _do_UpdateFlowAttributes(self, action: dict[str, Any]) -> str | None:
        for k, v in (self._enter(action).get("FlowAttributes") or {}).items():
            self.state.flow_attributes[k] = self._value(v.get("Value") if isinstance(v, dict) else v)
        return self._next(action)

    def _queue_key(self, value: str) -> str | None:
        ref = self.resolver.lookup(self._value(value) or value)
        return ref[1] if ref and ref[0] == "queue" else None

    def _do_UpdateContactTargetQueue(self, action: dict[str, Any]) -> str | None:
        key = self._queue_key(self._enter(action).get("QueueId", ""))
        if key is None:
            return self._error(action, "NoMatchingError")
        self.state.target_queue = key
        return self._next(action)

    def _do_UpdateContactCallbackNumber(self, action: dict[str, Any]) -> str | None:
        number = self._value(self._enter(action).get("CallbackNumber"))
        if not E164.match(number):
            return self._error(action, "InvalidCallbackNumber")
        self.state.callback_number = number
        return self._next(action)

    def _do_CreateCallbackContact(self, action: dict[str, Any]) -> str | None:
        params = self._enter(action)
        queue = self._queue_key(params["QueueId"]) if params.get("QueueId") else self.state.target_queue
        if "callback" in self.fail or queue is None:
            return self._error(action, "NoMatchingError")
        self.callback = {
            "number": self.state.callback_number or self.caller,
            "queue": queue,
            "queue_name": self.cfg.queue_names().get(queue, queue),
            "initial_delay_seconds": str(params.get("InitialCallDelaySeconds", "")),
            "case_id": self.state.attributes.get("case_id", ""),
        }
        self.callbacks.append(self.callback)
        self.transcript.append(
            Line(self.flow, action["Identifier"], "note", f"call back requested to queue {self.callback['queue_name']}")
        )
        return self._next(action)

    def _do_TransferContactToQueue(self, action: dict[str, Any]) -> str | None:
        self._enter(action)
        queue = self.state.target_queue
        if queue is None:
            return self._error(action, "NoMatchingError")
        if f"queue:{queue}" in self.fail or "queue" in self.fail:
            self.transcript.append(Line(self.flow, action["Identifier"], "note", f"queue {queue} is at capacity"))
            return self._error(action, "QueueAtCapacity")
        self.queued = queue
        self.transcript.append(
            Line(self.flow, action["Identifier"], "note", f"queued in {self.cfg.queue_names().get(queue, queue)}")
        )
        raise _Outcome("queue")

    def _do_TransferToFlow(self, action: dict[str, Any]) -> str | None:
        value = self._enter(action).get("ContactFlowId", "")
        ref = self.resolver.lookup(self._value(value) or value)
        if not ref or ref[0] != "flow" or ref[1] not in self.flows:
            return self._error(action, "NoMatchingError")
        self.flow = ref[1]
        return self.flows[ref[1]].content["StartAction"]

    def _do_ShowView(self, action: dict[str, Any]) -> str | None:
        """A guide screen: the operator script's step chooses a button, times out or fails."""
        params, ident = self._enter(action), action["Identifier"]
        ref = self.resolver.lookup(str((params.get("ViewResource") or {}).get("Id", "")))
        if not ref or ref[0] != "view":
            raise SimulationError(f"flow {self.flow}: {ident!r}: ViewResource.Id is no view")
        if self.channel != "CHAT" or self.guide is None or self.operator is None:
            self.transcript.append(Line(self.flow, ident, "note", "ShowView is only supported on the chat channel"))
            return self._error(action, "NoMatchingError")
        data = self._resolve_view_data(params.get("ViewData") or {})
        self.guide.screens.append(ident)
        self.transcript.append(Line(self.flow, ident, "screen", _screen_text(ref[1], data)))
        step = self.operator.step(ident)
        if step is None or step.action in (TIMEOUT, FAILS):
            return self._view_unanswered(action, step.action if step else None)
        offered = offered_results(ref[1], data)
        if step.action not in offered:
            raise OperatorScriptError(
                f"{self.operator.source}: screens.{ident}.action: {step.action!r} is not a result of this screen;"
                f" it offers: {', '.join(offered)} (or {TIMEOUT}, {FAILS})"
            )
        try:
            result = _view_result(ref[1], data, step.action, step.data)
        except ViewError as exc:
            raise OperatorScriptError(f"{self.operator.source}: screens.{ident}: {exc}") from None
        self.state.views = {"Action": step.action, "ViewResultData": result}
        self.guide.actions.append(step.action)
        hidden = "TRANSCRIPT" in ((params.get("SensitiveDataConfiguration") or {}).get("HideResponseOn") or [])
        self.transcript.append(Line(self.flow, ident, "operator", _answer_text(step.action, result, hidden)))
        nxt = self._condition(action, step.action)
        return nxt if nxt is not None else self._error(action, "NoMatchingCondition")

    def _view_unanswered(self, action: dict[str, Any], what: str | None) -> str:
        """No step (the operator does nothing) or ``timeout``: TimeLimitExceeded after the
        limit; ``error``: the view cannot be shown, NoMatchingError."""
        assert self.guide is not None
        ident = action["Identifier"]
        if what == FAILS:
            self.guide.actions.append(FAILS)
            self.transcript.append(Line(self.flow, ident, "operator", "(the screen cannot be shown: NoMatchingError)"))
            return self._error(action, "NoMatchingError")
        self.guide.actions.append(TIMEOUT)
        limit = float(self._value((action.get("Parameters") or {}).get("InvocationTimeLimitSeconds")) or 0)
        why = "no step for this screen in the operator script" if what is None else "the operator lets it time out"
        self.transcript.append(
            Line(self.flow, ident, "operator", f"(no answer: {why}; TimeLimitExceeded after {limit:g} s)")
        )
        self._advance(limit)
        return self._error(action, "TimeLimitExceeded")

    def _resolve_view_data(self, value: Any) -> Any:
        """ViewData with its dynamic values ($.Attributes..., $.External...) filled in."""
        if isinstance(value, str):
            return self._value(value) if value.startswith("$.") else value
        if isinstance(value, list):
            return [self._resolve_view_data(v) for v in value]
        if isinstance(value, dict):
            return {k: self._resolve_view_data(v) for k, v in value.items()}
        return value

    def _do_DisconnectParticipant(self, action: dict[str, Any]) -> str | None:
        self._enter(action)
        raise _Outcome("disconnect")

    def _do_EndFlowExecution(self, action: dict[str, Any]) -> str | None:
        """In a customer-queue flow this is Resume: "After executing the Resume block in the
        timeout branch, Connect restarts the prompts from the beginning" of the interrupted
        Loop prompts block (adminguide/loop-prompts.html); with no loop the caller waits in
        silence until answered or gone. Elsewhere it ends the flow."""
        self._enter(action)
        if not self.in_queue:
            raise _Outcome("ended")
        if self.resume_at is not None:
            self.transcript.append(Line(self.flow, action["Identifier"], "note", "resume: the loop restarts"))
            return self.resume_at
        self._advance((self.answer_at if self.answer_at is not None else self.give_up_at) - self.state.clock)
        raise SimulationError(f"flow {self.flow}: the queue flow ended and time did not pass")


def outbound_inputs(inputs: Iterable[str]) -> list[str]:
    """The inputs of the person who answers a survey call: keys (``1``, ``12#``, ``*``), ``-``
    (no key), and for the helpline's menus after 9 also ``!k`` and ``.`` (the caller model).
    Raises :class:`SimulationError` naming the first that is none of these (``helpline call
    --outbound`` checks its option with it before anything runs)."""
    tokens = [str(t) for t in inputs]
    for t in tokens:
        early = t.startswith(EARLY) and len(t) == 2 and t[1] in VALID_KEYS
        if not (SURVEY_INPUT.fullmatch(t) or early or t == SKIP_ANNOUNCEMENT):
            raise SimulationError(f"outbound input {t!r} is not phone keys (0-9, *, #), '!<key>', '.' nor '-' (no key)")
    return tokens


def _matches(operator: str, value: str, operands: list[Any]) -> bool:
    ops = [str(o) for o in operands]
    if operator == "Equals":
        return value in ops
    if operator == "TextContains":
        return any(o in value for o in ops)
    if operator == "TextStartsWith":
        return any(value.startswith(o) for o in ops)
    if operator == "TextEndsWith":
        return any(value.endswith(o) for o in ops)
    try:
        num = float(value)
        nums = [float(o) for o in ops]
    except ValueError:
        return False
    return {
        "NumberGreaterThan": any(num > o for o in nums),
        "NumberLessThan": any(num < o for o in nums),
        "NumberGreaterOrEqualTo": any(num >= o for o in nums),
        "NumberLessOrEqualTo": any(num <= o for o in nums),
    }.get(operator, False)


def _path_value(data: Any, path: list[str], ref: str) -> str:
    """``$.Views.ViewResultData.need.0`` -> the value; a list or map is no flow value."""
    for part in path:
        if isinstance(data, list) and part.isdigit():
            data = data[int(part)] if int(part) < len(data) else None
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            data = None
        if data is None:
            return ""
    if isinstance(data, (list, dict)):
        raise SimulationError(f"{ref} is a list or map; a flow passes only texts: index it ({ref}.0)")
    return str(data)


def _view_result(view: str, data: dict[str, Any], action: str, given: dict[str, Any]) -> dict[str, Any]:
    """$.Views.ViewResultData: a form's FormData; the chosen action's name (``actionName``)."""
    if view == "form":
        return form_result(form_inputs(data), given, action)
    if action == "ActionSelected":
        names = [str(a) for a in data.get("Actions") or []]
        chosen = given.get("actionName", names[0] if len(names) == 1 else None)
        if chosen not in names or set(given) - {"actionName"}:
            raise ViewError(f"give data.actionName, one of: {', '.join(names)}")
        return {"actionName": chosen}
    if given:
        raise ViewError("this screen has no inputs")
    return {}


def _shown(key: str, value: str) -> str:
    """A Lambda parameter as the transcript shows it: free text only by its length."""
    return f"({len(value)} characters)" if key == "note" and value else value


def _screen_text(view: str, data: dict[str, Any]) -> str:
    """One line: heading, the attribute bar and the label/value items of the sections."""
    parts = [str(data.get("Heading", view))]
    pairs = list(data.get("AttributeBar") or [])
    inputs = []
    for section in data.get("Sections") or []:
        for item in section.get("Items") or []:
            if "Name" in item:
                inputs.append(str(item.get("Name")))
            elif "Label" in item:
                pairs.append(item)
    if pairs:
        parts.append("; ".join(f"{p.get('Label')}: {p.get('Value') or '-'}" for p in pairs))
    if inputs:
        parts.append("inputs: " + ", ".join(inputs))
    return " | ".join(parts)


def _answer_text(action: str, result: dict[str, Any], hidden: bool) -> str:
    result = result.get("FormData", result)
    if not result:
        return action
    if hidden:  # SensitiveDataConfiguration.HideResponseOn TRANSCRIPT
        return f"{action} (response hidden from the transcript: {', '.join(result)})"
    return action + " " + ", ".join(f"{k}={'|'.join(v) if isinstance(v, list) else v}" for k, v in result.items())


def _speech_seconds(text: str) -> float:
    """How long Amazon Polly (or a recording of the text) takes to say ``text``, roughly."""
    return max(1.0, round(len(text.split()) / WORDS_PER_SECOND, 1))


@cache
def _shared_audio_seconds(prompt_id: str) -> float:
    """Length of generated shared audio (e.g. hold music), read from the WAV header."""
    from helpline.prompts import shared_audio
    from helpline.prompts.audio import read_wav

    return round(read_wav(shared_audio(prompt_id).read_bytes()).seconds, 1)


def parse_at(at: dt.datetime | str | None, cfg: CountryConfig) -> dt.datetime:
    """The moment of a simulated call in the country's time zone (``hours.time_zone``): now when
    ``at`` is None, an ISO text (``2026-03-02T18:30``) or a datetime, naive ones read as local
    time. Raises :class:`SimulationError` for a text that is no date and time (``--at``)."""
    tz = ZoneInfo(cfg.hours.time_zone)
    if at is None:
        return dt.datetime.now(tz)
    if isinstance(at, str):
        try:
            at = dt.datetime.fromisoformat(at)
        except ValueError:
            raise SimulationError(f"--at {at!r} is not a date and time like 2026-03-02T18:30") from None
    return at.replace(tzinfo=tz) if at.tzinfo is None else at.astimezone(tz)


def outbound_campaign(cfg: CountryConfig, caller: str) -> dict[str, str]:
    """The contact attributes the campaign runner sets for a survey call to ``caller``."""
    key = hashlib.sha256(f"contact-key:{caller}".encode()).hexdigest()[:32]  # random 32 hex in the runner
    return {"campaign_id": f"sim-{cfg.code}", "contact_key": key}


def seed_campaign_contact(cfg: CountryConfig, campaign: dict[str, str], caller: str, lang: str) -> None:
    """The runner's write-ahead before it dials (functions/dal/models.py CampaignContact): the
    person's contact in state dialing, first attempt. Overwrites an earlier call's item. Run
    with the backend open."""
    from functions.dal.models import CampaignContact
    from functions.logic.pseudonym import pseudonymise

    now = dt.datetime.now(dt.UTC)
    CampaignContact(
        campaign["campaign_id"],
        campaign["contact_key"],
        pseudonym=pseudonymise(caller),
        phone=caller,
        language=lang,
        consent_ref="simulated list",
        state="dialing",
        queue=f"{campaign['campaign_id']}#dialing",
        due_at=now.isoformat(timespec="seconds"),
        attempts=1,
        dialled_at=now,
        updated_at=now,
    ).save()


@contextmanager
def backend_for(cfg: CountryConfig, *, fail_dynamodb: bool = False, state_dir: Path | None = None) -> Iterator[Any]:
    """A local backend (moto) with the country's partner directory.

    ``fail_dynamodb``: every DynamoDB request fails below botocore's retries (the handlers
    answer ``backend_unavailable``). ``state_dir``: tables persist there between calls.
    """
    from helpline.sandbox import local_backend

    options: dict[str, Any] = {}
    if fail_dynamodb:
        options["fail_dynamodb"] = True
    if state_dir is not None:
        options["state_dir"] = Path(state_dir)
    with local_backend(partners=[p.model_dump() for p in cfg.partners], country=cfg.code, **options) as backend:
        yield backend


def simulate_call(
    cfg: CountryConfig,
    *,
    lang: str | None = None,
    presses: Iterable[str] = (),
    at: dt.datetime | str | None = None,
    caller: str = "+48500100200",
    fail: Iterable[str] = (),
    wait: float = 0,
    staffed: bool = True,
    staffed_after_hours: bool = False,
    backend: Any = None,
    state_dir: Path | None = None,
    max_steps: int = MAX_STEPS,
    simulator: Simulator | None = None,
    operator: OperatorScript | None = None,
    survey: Iterable[str] | None = None,
    outbound: Iterable[str] | None = None,
) -> CallResult:
    """Simulate one call (``outbound``: a survey call placed to ``caller``, see Simulator.call). Without ``backend`` a local backend is started for the call (fresh,
    or kept in ``state_dir``); pass one (from :func:`backend_for`) to keep tables between calls.
    ``fail`` may include ``dynamodb`` (every table request fails below botocore's retries).
    """
    fail = set(fail)
    ctx = (
        nullcontext(backend)
        if backend is not None
        else backend_for(cfg, fail_dynamodb="dynamodb" in fail, state_dir=state_dir)
    )
    with ctx as be:
        sim = simulator or Simulator(cfg)
        sim.backend = be
        campaign = None
        if outbound is not None and cfg.outbound_survey is not None:  # the runner's write-ahead
            campaign = outbound_campaign(cfg, caller)
            seed_campaign_contact(cfg, campaign, caller, lang or cfg.language_codes[0])
        result = sim.call(
            lang=lang,
            presses=presses,
            at=at,
            caller=caller,
            fail=fail - {"dynamodb"},
            wait=wait,
            staffed=staffed,
            staffed_after_hours=staffed_after_hours,
            max_steps=max_steps,
            operator=operator,
            survey=survey,
            outbound=outbound,
            campaign=campaign,
        )
        if backend is None:  # the backend closes with this call: read the tables while it is open
            result.tables  # noqa: B018
        return result
