"""Offline call simulator: runs the rendered flow JSON action by action.

The flows come from :func:`helpline.flows.render.render_country` with the local resolver (the
same renderer the stack uses); Lambda actions call the REAL handlers in process through
:mod:`helpline.sandbox` (moto). Nothing here knows the helpline's menus: it interprets the
Amazon Connect Flow language.

Time model: every action is instantaneous except a menu that times out (its
``InputTimeLimitSeconds``) and a waiting loop (``InterruptFrequencySeconds``). ``wait`` is how
many seconds pass in the queue before an operator answers; while waiting, the customer-queue
flow set by ``UpdateContactEventHooks`` runs; when the operator answers, the agent-whisper flow
runs.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from helpline.config.schema import CountryConfig
from helpline.flows.render import ENTRY_FLOW, LocalResolver, RenderedFlow, render_local

MAX_STEPS = 1000
NO_INPUT_TOKENS = {"-", "wait", "_"}
VALID_KEYS = set("0123456789*#")
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
        "UpdateContactTargetQueue",
        "UpdateContactCallbackNumber",
        "UpdateFlowLoggingBehavior",
        "UpdateFlowAttributes",
        "CreateCallbackContact",
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
    speaker: str  # "system" (heard by the caller), "agent" (whisper), "caller" (key press), "note"
    text: str
    lang: str | None = None

    def __str__(self) -> str:
        tag = f"[{self.lang}] " if self.lang else ""
        if self.speaker == "caller":
            return f"  caller: {self.text}"
        if self.speaker == "note":
            return f"  ({self.text})"
        who = "whisper" if self.speaker == "agent" else "system"
        return f"  {who}: {tag}{self.text}"


@dataclass
class CallResult:
    country: str
    lang: str | None
    outcome: str  # "queue" | "disconnect" | "callback" | "ended"
    queue: str | None  # logical queue key ("uk", "priority") when queued
    queue_name: str | None
    attributes: dict[str, str]
    transcript: list[Line]
    visited: dict[str, list[str]]
    tables: dict[str, list[dict[str, Any]]]
    lambda_calls: list[dict[str, Any]]
    callback: dict[str, str] | None
    contact_id: str
    steps: int
    answered: bool = False

    @property
    def spoken(self) -> list[str]:
        return [ln.text for ln in self.transcript if ln.speaker in ("system", "agent")]

    def said(self, text: str) -> bool:
        return any(text in s for s in self.spoken)

    def render_transcript(self) -> str:
        return "\n".join(str(ln) for ln in self.transcript)


@dataclass
class _State:
    attributes: dict[str, str] = field(default_factory=dict)
    external: dict[str, str] = field(default_factory=dict)
    flow_attributes: dict[str, str] = field(default_factory=dict)
    hooks: dict[str, str] = field(default_factory=dict)
    target_queue: str | None = None
    voice: str | None = None
    callback_number: str | None = None
    loops: dict[tuple[str, str], int] = field(default_factory=dict)
    clock: float = 0.0


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
    ) -> CallResult:
        """Simulate one call. ``presses``: keys in order ("-" = press nothing, time out).

        If ``lang`` is given and the first key is not a language digit, the language's digit is
        pressed first at the language menu. ``fail``: names of Lambda functions that fail as
        Connect sees a Lambda error, ``queue:<key>`` (queue at capacity), ``callback``.
        """
        self.presses = [str(p) for p in presses]
        if lang is not None:
            digit = self.cfg.language(lang).digit
            if not self.presses or self.presses[0] != digit:
                self.presses.insert(0, digit)
        for p in self.presses:
            if p not in VALID_KEYS and p not in NO_INPUT_TOKENS:
                raise SimulationError(f"key {p!r} is not a phone key (0-9, *, #) nor '-' (no input)")
        self.at = _parse_at(at, self.cfg)
        self.caller = caller
        self.fail = set(fail)
        self.wait = wait
        self.max_steps = max_steps
        self.steps = 0
        self.contact_id = contact_id or str(uuid.uuid4())
        self.state = _State()
        self.transcript: list[Line] = []
        self.visited: dict[str, list[str]] = {}
        self.lambda_calls: list[dict[str, Any]] = []
        self.callback: dict[str, str] | None = None
        self.queued: str | None = None
        self.answered = False

        outcome = self._run_flow(ENTRY_FLOW)
        if outcome == "queue":
            self._after_queue()
            if self.callback is not None and not self.answered:
                outcome = "callback"
        elif outcome == "disconnect" and self.callback is not None:
            outcome = "callback"
        queue_key = self.queued
        tables = self.backend.dump_tables() if self.backend is not None else {}
        return CallResult(
            country=self.cfg.code,
            lang=self.state.attributes.get("language", lang),
            outcome=outcome,
            queue=queue_key,
            queue_name=self.cfg.queue_names().get(queue_key) if queue_key else None,
            attributes=dict(self.state.attributes),
            transcript=self.transcript,
            visited=self.visited,
            tables=tables,
            lambda_calls=self.lambda_calls,
            callback=self.callback,
            contact_id=self.contact_id,
            steps=self.steps,
            answered=self.answered,
        )

    # ---- engine --------------------------------------------------------------------------
    def _after_queue(self) -> None:
        queue_flow = self._hook_flow("CustomerQueue")
        if self.wait > 0 and queue_flow:
            self.state.clock = 0.0  # time in the queue
            self.transcript.append(Line(queue_flow, "-", "note", f"waiting in queue up to {self.wait:g} s"))
            outcome = self._run_flow(queue_flow, in_queue=True)
            if outcome in ("disconnect", "callback"):
                return
        self.answered = True
        self.transcript.append(Line("-", "-", "note", "an operator answers"))
        whisper = self._hook_flow("AgentWhisper")
        if whisper:
            self._run_flow(whisper, whisper=True)

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
            try:
                current = getattr(self, f"_do_{kind}")(action)
            except _Outcome as out:
                return out.kind
        return "ended"

    # ---- helpers -------------------------------------------------------------------------
    @staticmethod
    def _next(action: dict[str, Any]) -> str | None:
        return action.get("Transitions", {}).get("NextAction")

    def _error(self, action: dict[str, Any], error: str) -> str:
        for branch in action.get("Transitions", {}).get("Errors", []):
            if branch.get("ErrorType") == error:
                return branch["NextAction"]
        for branch in action.get("Transitions", {}).get("Errors", []):
            if branch.get("ErrorType") == "NoMatchingError":
                return branch["NextAction"]
        raise SimulationError(f"flow {self.flow}: action {action['Identifier']!r} has no branch for error {error}")

    def _condition(self, action: dict[str, Any], value: str) -> str | None:
        for branch in action.get("Transitions", {}).get("Conditions", []):
            cond = branch.get("Condition", {})
            if _matches(cond.get("Operator", "Equals"), value, cond.get("Operands", [])):
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
        if head == "FlowAttributes":
            return self.state.flow_attributes.get(key, "")
        if head == "CustomerEndpoint" and key == "Address":
            return self.caller
        if head == "ContactId":
            return self.contact_id
        if head == "Channel":
            return "VOICE"
        return ""

    def _speak(self, params: dict[str, Any]) -> None:
        speaker = "agent" if self.whisper else "system"
        if "PromptId" in params:
            ref = self.resolver.lookup(self._value(params["PromptId"]) or params["PromptId"])
            if not ref or ref[0] != "prompt":
                raise SimulationError(f"flow {self.flow}: unknown prompt {params['PromptId']!r}")
            lang, prompt_id = ref[1].split("/", 1)
            text = self.spoken[lang].get(prompt_id)
            if text is None:
                raise SimulationError(f"flow {self.flow}: prompt {ref[1]!r} has no text")
            self.transcript.append(Line(self.flow, self._current_id, speaker, text, lang))
        elif "Text" in params or "SSML" in params:
            text = self._value(params.get("Text", params.get("SSML")))
            lang = self.voice_lang.get(self.state.voice or "")
            self.transcript.append(Line(self.flow, self._current_id, speaker, text, lang))

    # ---- actions -------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:  # pragma: no cover - only for missing handlers
        raise AttributeError(name)

    def _enter(self, action: dict[str, Any]) -> dict[str, Any]:
        self._current_id = action["Identifier"]
        return action.get("Parameters", {}) or {}

    def _do_MessageParticipant(self, action: dict[str, Any]) -> str | None:
        self._speak(self._enter(action))
        return self._next(action)

    def _do_MessageParticipantIteratively(self, action: dict[str, Any]) -> str | None:
        params = self._enter(action)
        for message in params.get("Messages", []):
            self._speak(message)
        freq = params.get("InterruptFrequencySeconds")
        if not self.in_queue or not freq:
            raise _Outcome("answered")  # the loop only ends when an operator answers
        self.state.clock += float(freq)
        if self.state.clock >= self.wait:
            raise _Outcome("answered")
        return self._condition(action, "MessagesInterrupted") or self._next(action)

    def _do_GetParticipantInput(self, action: dict[str, Any]) -> str | None:
        params = self._enter(action)
        self._speak(params)
        key = self.presses.pop(0) if self.presses else "-"
        if key in NO_INPUT_TOKENS:
            self.transcript.append(Line(self.flow, action["Identifier"], "caller", "(no key)"))
            self.state.clock += float(params.get("InputTimeLimitSeconds") or 5)
            if self.in_queue and self.state.clock >= self.wait:
                raise _Outcome("answered")
            return self._error(action, "InputTimeLimitExceeded")
        self.transcript.append(Line(self.flow, action["Identifier"], "caller", f"presses {key}"))
        nxt = self._condition(action, key)
        return nxt if nxt is not None else self._error(action, "NoMatchingCondition")

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
        event = self._event(call_params)
        try:
            response = self.backend.invoke(name, event)
        except Exception as exc:  # noqa: BLE001 - Connect sees any Lambda error the same way
            record["error"] = f"{type(exc).__name__}: {exc}"
            self.transcript.append(
                Line(self.flow, action["Identifier"], "note", f"Lambda {name} raised {type(exc).__name__}")
            )
            return self._error(action, "NoMatchingError")
        record["response"] = response
        validation = (params.get("ResponseValidation") or {}).get("ResponseType", "STRING_MAP")
        if validation == "STRING_MAP" and (
            not isinstance(response, dict) or any(not isinstance(v, str) for v in response.values())
        ):
            record["error"] = "response is not a flat map of strings"
            return self._error(action, "NoMatchingError")
        self.state.external = {k: (v if isinstance(v, str) else str(v)) for k, v in (response or {}).items()}
        self.transcript.append(
            Line(
                self.flow,
                action["Identifier"],
                "note",
                f"Lambda {name} -> status={self.state.external.get('status', '')}",
            )
        )
        return self._next(action)

    def _event(self, parameters: dict[str, str]) -> dict[str, Any]:
        return {
            "Name": "ContactFlowEvent",
            "Details": {
                "ContactData": {
                    "Attributes": dict(self.state.attributes),
                    "Channel": "VOICE",
                    "ContactId": self.contact_id,
                    "CustomerEndpoint": {"Address": self.caller, "Type": "TELEPHONE_NUMBER"},
                    "SystemEndpoint": {"Address": f"{self.cfg.phone_number.prefix}0000", "Type": "TELEPHONE_NUMBER"},
                    "InitialContactId": self.contact_id,
                    "InitiationMethod": "INBOUND",
                    "InstanceARN": INSTANCE_ARN,
                    "PreviousContactId": self.contact_id,
                    "Queue": None,
                    "MediaStreams": {"Customer": {"Audio": None}},
                },
                "Parameters": dict(parameters),
            },
        }

    def _do_CheckHoursOfOperation(self, action: dict[str, Any]) -> str | None:
        params = self._enter(action)
        ref = self.resolver.lookup(params.get("HoursOfOperationId", ""))
        if not ref or ref[0] != "hours":
            return self._error(action, "NoMatchingError")
        is_open = self.cfg.hours.is_open(self.at)
        self.transcript.append(
            Line(
                self.flow,
                action["Identifier"],
                "note",
                f"hours {ref[1]} at {self.at:%a %Y-%m-%d %H:%M}: {'open' if is_open else 'closed'}",
            )
        )
        nxt = self._condition(action, "True" if is_open else "False")
        return nxt if nxt is not None else self._error(action, "NoMatchingError")

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
        self.state.voice = self._value(self._enter(action).get("TextToSpeechVoice"))
        return self._next(action)

    def _do_UpdateContactEventHooks(self, action: dict[str, Any]) -> str | None:
        for hook, value in (self._enter(action).get("EventHooks") or {}).items():
            self.state.hooks[hook] = self._value(value) or value
        return self._next(action)

    def _do_UpdateContactRecordingBehavior(self, action: dict[str, Any]) -> str | None:
        self._enter(action)
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
        }
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

    def _do_DisconnectParticipant(self, action: dict[str, Any]) -> str | None:
        self._enter(action)
        raise _Outcome("disconnect")

    def _do_EndFlowExecution(self, action: dict[str, Any]) -> str | None:
        self._enter(action)
        raise _Outcome("ended")


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


def _parse_at(at: dt.datetime | str | None, cfg: CountryConfig) -> dt.datetime:
    tz = ZoneInfo(cfg.hours.time_zone)
    if at is None:
        return dt.datetime.now(tz)
    if isinstance(at, str):
        try:
            at = dt.datetime.fromisoformat(at)
        except ValueError:
            raise SimulationError(f"--at {at!r} is not a date and time like 2026-03-02T18:30") from None
    return at.replace(tzinfo=tz) if at.tzinfo is None else at.astimezone(tz)


@contextmanager
def backend_for(cfg: CountryConfig) -> Iterator[Any]:
    """A fresh local backend (moto) with the country's partner directory."""
    from helpline.sandbox import local_backend

    with local_backend(partners=[p.model_dump() for p in cfg.partners], country=cfg.code) as backend:
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
    backend: Any = None,
    max_steps: int = MAX_STEPS,
    simulator: Simulator | None = None,
) -> CallResult:
    """Simulate one call. Without ``backend`` a fresh local backend is started for the call;
    pass one (from :func:`backend_for`) to keep tables between calls (e.g. a returning caller).
    """
    ctx = nullcontext(backend) if backend is not None else backend_for(cfg)
    with ctx as be:
        sim = simulator or Simulator(cfg)
        sim.backend = be
        return sim.call(lang=lang, presses=presses, at=at, caller=caller, fail=fail, wait=wait, max_steps=max_steps)
