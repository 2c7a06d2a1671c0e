"""Walk any flow file (an export nobody here wrote): ``helpline call FILE.json``.

The country simulator (:mod:`helpline.flows.simulate`) runs our rendered flows against the real
handlers; this walker runs *any* Flow-language file with stubs and says which it used:

- hours: ``CheckHoursOfOperation`` answers ``open`` or ``closed`` (option), named as a stub;
- Lambda functions: answered from a stub file (YAML or JSON: ``{<function name or ARN part>:
  {key: value}}``; ``{"error": true}`` takes the error branch) or, when unknown, with an empty
  success (option ``lambda_default="error"`` takes the error branch);
- queues accept the call (the call ends "queued");
- ``TransferToFlow`` and ``InvokeFlowModule`` continue in another flow file of the same folder
  when one matches the reference (file stem, the export's name, or a name inside the ARN);
  otherwise the transfer is stubbed and reported;
- any other action the walker does not model is taken along its success path (``NextAction``)
  and named in the transcript.

Keys: ``--press`` digits are consumed by input blocks in order; ``-`` is no input (time-out).
A Lex bot (not modelled) takes the next ``--intent`` or its first intent.
Never raises on a malformed flow: it stops with the reason as the outcome.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_STEPS = 500
NO_INPUT = {"-", "."}


@dataclass
class Walk:
    transcript: list[str] = field(default_factory=list)
    stubs: list[str] = field(default_factory=list)  # unresolved references stubbed, and how
    unmodelled: list[str] = field(default_factory=list)  # "Type id" taken along the success path
    flows: list[str] = field(default_factory=list)  # flow files entered
    attributes: dict[str, str] = field(default_factory=dict)
    outcome: str = ""

    def say(self, line: str) -> None:
        self.transcript.append(line)


@dataclass(frozen=True)
class Step:
    """One action of a flow file, as the walker takes it."""

    path: Path
    current: str  # the action's Identifier
    kind: Any  # its Type (anything, in a malformed flow)
    params: dict[str, Any]
    tr: dict[str, Any]  # its Transitions

    @property
    def nxt(self) -> Any:
        return self.tr.get("NextAction")


@dataclass(frozen=True)
class Stop:
    """The flow stops at this action: ``result`` "returned" when a module ends, else None (the call is over)."""

    result: str | None = None


# Action type -> the Walker method that takes it.
ACTIONS = {
    "MessageParticipant": "_message",
    "MessageParticipantIteratively": "_messages",
    "GetParticipantInput": "_input",
    "ConnectParticipantWithLexBot": "_lex_bot",
    "InvokeLambdaFunction": "_invoke_lambda",
    "CheckHoursOfOperation": "_check_hours",
    "Compare": "_compare",
    "CheckContactAttributes": "_compare",
    "UpdateContactAttributes": "_set_attributes",
    "UpdateFlowAttributes": "_set_attributes",
    "Loop": "_loop",
    "TransferContactToQueue": "_queue",
    "TransferToFlow": "_transfer",
    "InvokeFlowModule": "_transfer",
}
# Actions with no effect on what the caller hears: taken along NextAction.
PASSED = frozenset(
    {
        "UpdateContactTextToSpeechVoice",
        "UpdateContactEventHooks",
        "UpdateContactRecordingBehavior",
        "UpdateContactRecordingAndAnalyticsBehavior",
        "UpdateFlowLoggingBehavior",
        "UpdateContactTargetQueue",
        "UpdateContactData",
        "SetAttributes",
        "UpdateContactRoutingBehavior",
    }
)


def load_stubs(path: Path | None) -> dict[str, Any]:
    """The Lambda stub file (YAML or JSON mapping); an empty mapping without one."""
    if path is None:
        return {}
    text = Path(path).read_text(encoding="utf-8")
    if Path(path).suffix in (".yaml", ".yml"):
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a stub file maps function names to results")
    return data


def _d(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _l(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _name_in(ref: str) -> list[str]:
    """Names a reference may carry: '${F:acme_main_AUTO:F}' -> acme_main_AUTO; ARN tail."""
    names = re.findall(r"\$\{[A-Z]:([^:}]+):[A-Z]\}", ref)
    tail = ref.rstrip("/").split("/")[-1].split(":")[-1]
    return [n for n in [*names, tail] if n]


def find_flow_file(ref: Any, folder: Path) -> Path | None:
    """A flow file of ``folder`` that a TransferToFlow / InvokeFlowModule reference names."""
    if not isinstance(ref, str) or not ref:
        return None
    names = _name_in(ref)
    for path in sorted(folder.glob("*.json")):
        stem = path.stem
        if any(stem == n or stem.endswith("__" + n) or stem.endswith("_" + n) for n in names):
            return path
    for path in sorted(folder.glob("*.json")):  # the export's own name or id in its metadata
        try:
            meta = _d(_d(json.loads(path.read_text(encoding="utf-8"))).get("Metadata"))
        except (OSError, ValueError):
            continue
        if any(str(meta.get(k)) in names for k in ("name", "id") if meta.get(k)):
            return path
    return None


class Walker:
    def __init__(
        self,
        path: Path,
        *,
        keys: list[str] | None = None,
        hours: str = "open",
        stubs: dict[str, Any] | None = None,
        lambda_default: str = "success",
        intents: list[str] | None = None,
    ) -> None:
        self.intents = list(intents or [])
        self.path = Path(path)
        self.keys = list(keys or [])
        self.hours = hours
        self.stubs = stubs or {}
        self.lambda_default = lambda_default
        self.walk = Walk()
        self.steps = 0
        self.loops: dict[tuple[str, str], int] = {}

    # ------------------------------------------------------------ helpers
    def _load(self, path: Path) -> dict[str, Any] | None:
        try:
            content = json.loads(path.read_bytes().decode("utf-8-sig"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            self.walk.outcome = f"stopped: {path.name} is not a readable JSON flow ({type(exc).__name__})"
            return None
        if not isinstance(content, dict) or not isinstance(content.get("Actions"), list):
            self.walk.outcome = f"stopped: {path.name} is not a flow (no Actions list)"
            return None
        return content

    def _value(self, ref: Any) -> str:
        """A ``$.Attributes.x`` / ``$.External.x`` / ``$.StoredCustomerInput`` reference's value."""
        if not isinstance(ref, str) or not ref.startswith("$."):
            return str(ref)
        key = ref[2:]
        for prefix in ("Attributes.", "External.", "FlowAttributes.", "Lex.", ""):
            if key.startswith(prefix) and key[len(prefix) :] in self.walk.attributes:
                return self.walk.attributes[key[len(prefix) :]]
        return self.walk.attributes.get(key, "")

    def _text(self, params: dict[str, Any]) -> str | None:
        for key in ("Text", "SSML"):
            if isinstance(params.get(key), str):
                return re.sub(r"\$\.[\w.]+", lambda m: self._value(m.group(0)) or m.group(0), params[key])
        if "PromptId" in params or "Media" in params:
            return f"(recording {str(params.get('PromptId') or _d(params.get('Media')).get('Uri', ''))[-40:]})"
        return None

    def _error(self, tr: dict[str, Any], *kinds: str) -> str | None:
        for kind in kinds:
            for e in _l(tr.get("Errors")):
                if isinstance(e, dict) and e.get("ErrorType") == kind and isinstance(e.get("NextAction"), str):
                    return e["NextAction"]
        return None

    def _condition(self, tr: dict[str, Any], value: str) -> str | None:
        for c in _l(tr.get("Conditions")):
            cond = _d(_d(c).get("Condition"))
            operands = [str(o) for o in _l(cond.get("Operands"))]
            op = cond.get("Operator")
            if op == "Equals" and value in operands or op == "TextContains" and any(o in value for o in operands):
                return _d(c).get("NextAction")
            if op in ("TextStartsWith", "TextEndsWith") and any(
                value.startswith(o) if op == "TextStartsWith" else value.endswith(o) for o in operands
            ):
                return _d(c).get("NextAction")
            if op and str(op).startswith("Number"):
                try:
                    a, b = float(value), float(operands[0])
                except (ValueError, IndexError):
                    continue
                if {
                    "NumberGreaterThan": a > b,
                    "NumberGreaterOrEqualTo": a >= b,
                    "NumberLessThan": a < b,
                    "NumberLessOrEqualTo": a <= b,
                }.get(str(op)):
                    return _d(c).get("NextAction")
        return None

    def _lambda(self, arn: Any) -> dict[str, Any] | None:
        """The stubbed answer of a function, or None for its error branch."""
        text = str(arn)
        for name, answer in self.stubs.items():
            if name and name in text:
                if isinstance(answer, dict) and answer.get("error"):
                    self.walk.stubs.append(f"Lambda {name}: error (stub file)")
                    return None
                self.walk.stubs.append(f"Lambda {name}: answered from the stub file")
                return {str(k): str(v) for k, v in _d(answer).items()}
        short = _name_in(text)[-1] if _name_in(text) else text
        if self.lambda_default == "error":
            self.walk.stubs.append(f"Lambda {short}: unknown, took its error branch (--lambda error)")
            return None
        self.walk.stubs.append(f"Lambda {short}: unknown, answered an empty success (add it to a stub file)")
        return {}

    # ------------------------------------------------------------ the walk
    def run(self) -> Walk:
        self._run_flow(self.path, module=False)
        if not self.walk.outcome:
            self.walk.outcome = "flow ended"
        return self.walk

    def _run_flow(self, path: Path, *, module: bool) -> str | None:
        """Run one flow file; returns "returned" when a module ends, else None (the call is over)."""
        content = self._load(path)
        if content is None:
            return None
        self.walk.flows.append(path.name)
        actions = {
            a["Identifier"]: a
            for a in content["Actions"]
            if isinstance(a, dict) and isinstance(a.get("Identifier"), str)
        }
        current = content.get("StartAction")
        while True:
            self.steps += 1
            if self.steps > MAX_STEPS:
                self.walk.outcome = f"stopped after {MAX_STEPS} steps (a loop that never ends?)"
                return None
            if not isinstance(current, str) or current not in actions:
                self.walk.outcome = f"stopped: {path.name} has no action {str(current)[:60]!r}"
                return None
            action = actions[current]
            step = Step(path, current, action.get("Type"), _d(action.get("Parameters")), _d(action.get("Transitions")))
            nxt = self._take(step, module=module)
            if isinstance(nxt, Stop):
                return nxt.result
            if not isinstance(nxt, str):
                self.walk.outcome = f"stopped: {current} has no next action"
                return None
            current = nxt

    def _take(self, step: Step, *, module: bool) -> Any:
        """Take one action: the id of the next one (not a string: the flow stops there), or Stop."""
        if not isinstance(step.kind, str):
            return self._unmodelled(step)
        if step.kind == "DisconnectParticipant":
            return self._stop("caller disconnected")
        if step.kind == "EndFlowExecution":
            return self._stop("flow ended")
        if step.kind == "EndFlowModuleExecution":
            return Stop("returned") if module else self._stop("module ended")
        if step.kind in PASSED:
            return step.nxt  # no effect on what the caller hears
        method = ACTIONS.get(step.kind)
        if method is None:
            return self._unmodelled(step)
        return getattr(self, method)(step)

    def _stop(self, outcome: str) -> Stop:
        self.walk.outcome = outcome
        return Stop()

    # ------------------------------------------------------------ one action of each type
    def _message(self, step: Step) -> Any:
        self.walk.say(f"system: {self._text(step.params) or '(message)'}")
        return step.nxt

    def _messages(self, step: Step) -> Any:
        for m in _l(step.params.get("Messages")):
            self.walk.say(f"system (while waiting): {self._text(_d(m)) or '(message)'}")
        return self._stop("waiting (the loop of prompts plays until someone answers)")

    def _input(self, step: Step) -> Any:
        """Keys: the next ``--press`` key, or none (``-``): stored, or matched against the conditions."""
        params, tr, nxt = step.params, step.tr, step.nxt
        prompt = self._text(params)
        if prompt:
            self.walk.say(f"system: {prompt}")
        key = self.keys.pop(0) if self.keys else "-"
        store = str(params.get("StoreInput", "False")) == "True"
        if key in NO_INPUT:
            self.walk.say("caller: (no key)")
            if store:
                self.walk.attributes["StoredCustomerInput"] = "Timeout"
                return nxt
            return self._error(tr, "InputTimeLimitExceeded", "NoMatchingCondition", "NoMatchingError") or nxt
        self.walk.say(f"caller: presses {key}")
        if store:
            self.walk.attributes["StoredCustomerInput"] = key
            return nxt
        return self._condition(tr, key) or self._error(tr, "NoMatchingCondition", "NoMatchingError") or nxt

    def _lex_bot(self, step: Step) -> Any:
        """A Lex bot (not modelled): the next ``--intent``, or its first intent."""
        tr = step.tr
        prompt = self._text(step.params)
        if prompt:
            self.walk.say(f"system: {prompt}")
        intents = [str(o) for c in _l(tr.get("Conditions")) for o in _l(_d(_d(c).get("Condition")).get("Operands"))]
        intent = self.intents.pop(0) if self.intents else (intents[0] if intents else "")
        self.walk.unmodelled.append(f"{step.kind} {step.current}")
        self.walk.say(f"(bot {step.current}: not modelled; intent {intent or '(none)'})")
        return self._condition(tr, intent) or self._error(tr, "NoMatchingCondition", "NoMatchingError") or step.nxt

    def _invoke_lambda(self, step: Step) -> Any:
        answer = self._lambda(self._value(step.params.get("LambdaFunctionARN")))
        if answer is None:
            return self._error(step.tr, "NoMatchingError") or step.nxt
        self.walk.attributes.update(answer)
        return step.nxt

    def _check_hours(self, step: Step) -> Any:
        params = step.params
        self.walk.stubs.append(
            f"hours {_name_in(str(params.get('HoursOfOperationId', 'queue hours')))[-1] if params.get('HoursOfOperationId') else '(the queue)'}: {self.hours} (--hours)"
        )
        return self._condition(step.tr, "True" if self.hours == "open" else "False") or step.nxt

    def _compare(self, step: Step) -> Any:
        value = self._value(step.params.get("ComparisonValue", ""))
        return self._condition(step.tr, value) or self._error(step.tr, "NoMatchingCondition") or step.nxt

    def _set_attributes(self, step: Step) -> Any:
        params = step.params
        values = _d(params.get("Attributes")) or {
            k: _d(v).get("Value", v) for k, v in _d(params.get("FlowAttributes")).items()
        }
        for k, v in values.items():
            self.walk.attributes[str(k)] = self._value(v)
        return step.nxt

    def _loop(self, step: Step) -> Any:
        where = (step.path.name, step.current)
        count = self.loops.get(where, 0)
        try:
            limit = int(str(self._value(step.params.get("LoopCount", "0"))))
        except ValueError:
            limit = 0
        self.loops[where] = count + 1
        nxt = self._condition(step.tr, "ContinueLooping" if count < limit else "DoneLooping") or step.nxt
        if count >= limit:
            self.loops[where] = 0
        return nxt

    def _queue(self, step: Step) -> Any:
        self.walk.stubs.append("queue: accepted the call")
        return self._stop("queued (the queue accepts)")

    def _transfer(self, step: Step) -> Any:
        """TransferToFlow / InvokeFlowModule: on in a flow file of the same folder, else stubbed."""
        kind, params = step.kind, step.params
        ref = self._value(params.get("ContactFlowId") if kind == "TransferToFlow" else params.get("FlowModuleId"))
        target = find_flow_file(ref, step.path.parent)
        if target is None:
            self.walk.stubs.append(f"{kind} {str(ref)[-60:]}: no such flow file in the folder, stubbed")
            self.walk.say(f"({kind}: {str(ref)[-60:]} is not in the folder)")
            if kind == "TransferToFlow":
                return self._stop("transferred to a flow that is not in the folder")
            return step.nxt
        self.walk.say(f"(continues in {target.name})")
        result = self._run_flow(target, module=kind == "InvokeFlowModule")
        if kind == "TransferToFlow" or result != "returned":
            return Stop()
        return step.nxt

    def _unmodelled(self, step: Step) -> Any:
        """An action the walker does not model: taken along its success path, and named."""
        kind, current, tr = step.kind, step.current, step.tr
        self.walk.unmodelled.append(f"{kind} {current}")
        self.walk.say(
            f"({kind if isinstance(kind, str) else 'unknown action'} {current}: not modelled, took its success path)"
        )
        nxt = step.nxt
        if not isinstance(nxt, str):
            nxt = next((c.get("NextAction") for c in _l(tr.get("Conditions")) if isinstance(c, dict)), None)
        return nxt


def call_file(path: Path, **options: Any) -> Walk:
    """Walk a flow file; see the module docstring for the stubs and options."""
    return Walker(path, **options).run()
