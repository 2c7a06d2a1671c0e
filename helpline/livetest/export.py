"""Offline scenarios -> Amazon Connect test cases (the Testing language), one definition for both.

A scenario of :mod:`helpline.flows.scenarios` is run once through the offline simulator (the
rendered flows, the real handlers); the call it lived through (what was said, where the caller
pressed which key, which queue took the call) becomes a test case document. So the live test
case and the offline test come from the same :class:`~helpline.flows.scenarios.Scenario`, and a
scenario that fails offline is never exported.

The Testing language (a JSON document of ``Observations``; each observes one ``Event`` and runs
``Actions``), as documented by AWS:

- structure, ``Version``, ``Metadata``, ``Observations`` with ``Identifier``/``Event``/
  ``Actions``/``Transitions.NextObservations``: devguide/testing-language-observations.html and
  the example, devguide/testing-language-example.html (``"Version": "2025-06-21"``, the version
  the observations page of the API reference names: :data:`helpline.livetest.schema.
  TESTING_LANGUAGE_VERSION`, where the citation is);
- events ``TestInitiated`` (devguide/testing-language-events-test-initiated.html),
  ``MessageReceived`` with ``Text`` or ``PromptId`` and ``MatchingCriteria`` ``Inclusion`` ("checks
  if the observed message contains the specified text", testing-language-events-message-received
  .html), ``FlowActionStarted`` for ``TransferContactToQueue`` with ``QueueId``
  (testing-language-events-flow-action-started.html);
- actions ``SendInstruction``/``DtmfInput`` ("String or number representing the DTMF input",
  testing-language-actions-send-instruction.html), ``TestControl``/``EndTest``
  (testing-language-actions-test-control.html), ``OverrideSystemBehavior`` with ``MockResponse``
  for ``InvokeLambdaFunction`` (``ExecutionResult.LoadedData`` or ``Error``
  ``TimeLimitExceeded|NoMatchingError``), ``CheckHoursOfOperation`` (``InHours|OutOfHours``) and
  ``TransferContactToQueue`` (``Error`` ``QueueAtCapacity|NoMatchingError``)
  (testing-language-actions-override-system-behavior.html).
  (All under https://docs.aws.amazon.com/connect/latest/devguide/.)

How a simulated call becomes observations:

- one observation per moment the caller is asked (an input block): it observes the last prompt
  heard before it (``Text`` with ``Inclusion`` for an Amazon Polly language, ``PromptId`` for a
  recorded one) and presses the scenario's key there (no action: the caller stays silent);
- the end: a queue transfer is observed as ``FlowActionStarted``/``TransferContactToQueue`` with
  the queue's ARN and the test ends there (``EndTest``), before any operator could answer ("If you
  don't end the test before the simulated contact is transferred to a queue, the simulated contact
  might reach the agent queue", adminguide/testing-simulation-execute-test-cases.html); a call
  that ends with a message is observed up to its last message, then ``EndTest``;
- the first observation (``TestInitiated``) sets overrides so the run does not depend on the hour
  or on production data: the hours check answers the scenario's time of day; injected Lambda
  failures, handler statuses and queues at capacity become mocks; every Lambda but
  :data:`LIVE_LAMBDAS` answers with what the real handler answered offline (a live smoke test
  must not write cases into the production tables).

What cannot run live is listed with the reason (:attr:`LivePlan.skipped`), never silently
dropped. The staffing check (``CheckMetricData``) cannot be overridden: queue scenarios need at
least one operator logged in to the queue they reach (the test ends before anyone answers).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from helpline.config.schema import CountryConfig
from helpline.livetest.schema import TESTING_LANGUAGE_VERSION

MAX_CONTENT_CHARS = 256_000  # AWS::Connect::TestCase Content (cfn-lint schema: maxLength 256000)
MAX_NAME_CHARS = 127  # AWS::Connect::TestCase Name (cfn-lint schema: maxLength 127)
MAX_DESCRIPTION_CHARS = 500
TEXT_MATCH_CHARS = 120  # Inclusion needs a fragment, not the whole notice
# Lambda functions a live run really invokes (a read and at most one pseudonymous caller write);
# every other Lambda answers with the handler's offline answer (a mock), so a smoke test never
# creates a case, a referral or a screening in the production tables.
LIVE_LAMBDAS = frozenset({"identify_caller"})
CATALOGUES = ("behaviour", "keypress", "status")
# A country stack holds at most 500 resources (CloudFormation quota) and has about 230 today; the
# keypress and status matrices (hundreds of variants) stay offline-only.
LIVE_CATALOGUES = ("behaviour",)
E164 = re.compile(r"^\+[1-9]\d{1,14}$")

Resolver = Callable[[str, str], str]


@dataclass(frozen=True)
class Skipped:
    """A scenario that is not exported, and why (shown by docs and tests, never hidden)."""

    scenario: str
    reason: str


@dataclass
class Step:
    """One observation, independent of how resources are named (local names or ARNs)."""

    label: str
    prompt: tuple[str, str] | None = None  # (lang, prompt id) of a recorded prompt
    text: str | None = None  # or the spoken text (Amazon Polly)
    keys: list[str] = field(default_factory=list)  # DTMF sent when the event is observed
    queue: str | None = None  # a transfer to this queue key (the last step)
    end: bool = False


@dataclass
class LiveCase:
    """One scenario as a test case: steps and overrides, resolved into a document on demand."""

    country: str
    scenario: str  # Scenario.id, e.g. uk-report-risk
    description: str
    caller: str
    steps: list[Step]
    hours: str  # InHours | OutOfHours: the main hours (weekly hours and closures)
    weekly_hours: str = "InHours"  # the weekly hours alone (hours:weekly), asked only when the main say closed
    lambda_errors: tuple[str, ...] = ()
    lambda_answers: dict[str, dict[str, str]] = field(default_factory=dict)
    queues_full: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.country.upper()} {self.scenario}"[:MAX_NAME_CHARS]

    def document(self, resolve: Resolver) -> dict[str, Any]:
        """The Testing-language document, references resolved by ``resolve(kind, name)``."""
        observations: list[dict[str, Any]] = []
        total = len(self.steps) + 1
        ids = [_obs_id(1, "start")] + [_obs_id(i + 2, s.label) for i, s in enumerate(self.steps)]
        overrides = self._overrides(resolve)
        observations.append(
            _observation(ids[0], {"Type": "TestInitiated", "Actor": "System", "Properties": {}}, overrides, ids[1:2])
        )
        for i, step in enumerate(self.steps):
            n = i + 2
            nxt = ids[n : n + 1] if n < total else []
            if step.queue is not None:
                event: dict[str, Any] = {
                    "Type": "FlowActionStarted",
                    "Actor": "System",
                    "Properties": {
                        "ActionType": "TransferContactToQueue",
                        "ActionParameters": {"QueueId": resolve("queue", step.queue)},
                    },
                }
            elif step.prompt is not None:
                event = {
                    "Type": "MessageReceived",
                    "Actor": "System",
                    "Properties": {"PromptId": resolve("prompt", "/".join(step.prompt))},
                }
            else:
                event = {
                    "Type": "MessageReceived",
                    "Actor": "System",
                    "Properties": {"Text": _fragment(step.text or "")},
                    "MatchingCriteria": "Inclusion",
                }
            actions = [_dtmf(k) for k in step.keys]
            if step.end:
                actions.append(
                    {"Type": "TestControl", "Parameters": {"ActionType": "TestControl", "Command": {"Type": "EndTest"}}}
                )
            observations.append(_observation(ids[i + 1], event, actions, nxt))
        return {"Version": TESTING_LANGUAGE_VERSION, "Metadata": {}, "Observations": observations}

    def content(self, resolve: Resolver) -> str:
        text = json.dumps(self.document(resolve), ensure_ascii=False, separators=(",", ":"), sort_keys=False)
        if len(text) > MAX_CONTENT_CHARS:
            raise ValueError(f"test case {self.name}: {len(text)} characters; Connect allows {MAX_CONTENT_CHARS}")
        return text

    def _overrides(self, resolve: Resolver) -> list[dict[str, Any]]:
        out = [
            _override(
                "CheckHoursOfOperation",
                {"HoursOfOperationId": resolve("hours", "main")},
                {"Type": "ExecutionResult", "ExecutionResult": {"Value": self.hours}},
            ),
            _override(  # both checks mocked: the path never depends on the clock of the live run
                "CheckHoursOfOperation",
                {"HoursOfOperationId": resolve("hours", "weekly")},
                {"Type": "ExecutionResult", "ExecutionResult": {"Value": self.weekly_hours}},
            ),
        ]
        for fn in sorted(self.lambda_errors):
            out.append(
                _override(
                    "InvokeLambdaFunction",
                    {"LambdaFunctionARN": resolve("lambda", fn)},
                    {"Type": "Error", "Error": {"DelaySeconds": 0, "Value": "NoMatchingError"}},
                )
            )
        for fn, answer in sorted(self.lambda_answers.items()):
            loaded = json.dumps(answer, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
            out.append(
                _override(
                    "InvokeLambdaFunction",
                    {"LambdaFunctionARN": resolve("lambda", fn)},
                    {"Type": "ExecutionResult", "ExecutionResult": {"DelaySeconds": 0, "LoadedData": loaded}},
                )
            )
        for queue in sorted(self.queues_full):
            out.append(
                _override(
                    "TransferContactToQueue",
                    {"QueueId": resolve("queue", queue)},
                    {"Type": "Error", "Error": {"Value": "QueueAtCapacity"}},
                )
            )
        return out


@dataclass
class LivePlan:
    """One country's live test cases: the scenario catalogue run offline once (:func:`plan_for`).

    Synthesis asks two things of it. app.py builds the plan once per country and hands it to the
    test stack (stacks/live_tests_stack.py), which takes :meth:`references` (the country stack hands
    them over as SSM parameters) and :meth:`test_case_resources`; no stack imports this module.
    """

    country: str
    cases: list[LiveCase]
    skipped: list[Skipped]

    def documents(self, resolve: Resolver) -> dict[str, dict[str, Any]]:
        return {c.name: c.document(resolve) for c in self.cases}

    def references(self) -> list[tuple[str, str]]:
        """Every (kind, name) the test cases name (queues, Lambdas, hours, prompts), sorted: what the
        country stack hands over to its test stack."""
        used: set[tuple[str, str]] = set()

        def record(kind: str, name: str) -> str:
            used.add((kind, name))
            return f"{kind}:{name}"

        for case in self.cases:
            case.document(record)
        return sorted(used)

    def test_case_resources(
        self,
        rendered: dict[str, Any],
        *,
        resolve: Resolver,
        instance_arn: str,
        entry_flow_arn: str,
        tags: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:
        """CloudFormation properties of one ``AWS::Connect::TestCase`` per case. Every resource a
        case names (queue, Lambda, hours, prompt) must be one the ``rendered`` flows name: a test
        case can only observe or override what the deployed flows do."""
        known = {ref for f in rendered.values() for ref in f.references} | {("hours", "main")}
        used: list[tuple[str, str]] = []

        def checked(kind: str, name: str) -> str:
            used.append((kind, name))
            return resolve(kind, name)

        out: list[dict[str, Any]] = []
        for case in self.cases:
            used.clear()
            content = case.content(checked)
            unknown = sorted(set(used) - known)
            if unknown:
                raise ValueError(f"test case {case.name} names {unknown}, which no rendered flow names")
            props: dict[str, Any] = {
                "InstanceArn": instance_arn,
                "Name": case.name,
                "Description": case.description,
                "Content": content,
                # No SourcePhoneNumber: the resource schema's pattern for it is "^\\\\+[1-9]\\\\d{1,14}$"
                # (escaped twice: a literal backslash), so no E.164 number passes cfn-lint 1.58 or, with
                # the same schema, CloudFormation's validation. Connect then uses its own test number.
                "EntryPoint": {"Type": "VOICE_CALL", "VoiceCallEntryPointParameters": {"FlowId": entry_flow_arn}},
                "Status": "PUBLISHED",
                "Tags": [
                    {"Key": k, "Value": v}
                    for k, v in sorted({**(tags or {}), "helpline:scenario": case.scenario}.items())
                ],
            }
            out.append(props)
        return out


# ---- building blocks of a document ---------------------------------------------------------


def _obs_id(n: int, label: str) -> str:
    """``step-NN-<label>``: the smoke test reads the step number back from the execution records."""
    slug = re.sub(r"[^a-z0-9_]+", "-", label.lower()).strip("-")[:60] or "step"
    return f"step-{n:02d}-{slug}"


def step_number(observation_id: str) -> int | None:
    m = re.match(r"^step-(\d+)-", observation_id or "")
    return int(m.group(1)) if m else None


def step_label(observation_id: str) -> str:
    m = re.match(r"^step-\d+-(.*)$", observation_id or "")
    return m.group(1) if m else observation_id


def _observation(ident: str, event: dict[str, Any], actions: list[dict[str, Any]], nxt: list[str]) -> dict[str, Any]:
    chained = []
    for i, action in enumerate(actions):
        aid = f"{ident}-a{i + 1}"
        follow = f"{ident}-a{i + 2}" if i + 1 < len(actions) else ""
        chained.append({"Identifier": aid, **action, "Transitions": {"NextAction": follow}})
    obs: dict[str, Any] = {"Identifier": ident, "Event": {"Identifier": f"{ident}-event", **event}, "Actions": chained}
    if nxt:
        obs["Transitions"] = {"NextObservations": list(nxt)}
    return obs


def _dtmf(key: str) -> dict[str, Any]:
    return {
        "Type": "SendInstruction",
        "Parameters": {
            "ActionType": "SendInstruction",
            "Actor": "Customer",
            "Instruction": {"Type": "DtmfInput", "Properties": {"Value": key}},
        },
    }


def _override(action_type: str, parameters: dict[str, str], response: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "OverrideSystemBehavior",
        "Parameters": {
            "ActionType": "OverrideSystemBehavior",
            "Behavior": {
                "Type": "FlowAction",
                "Properties": {
                    "ActionType": action_type,
                    "ActionParameters": parameters,
                    "Strategy": {"Type": "MockResponse", "Response": response},
                },
            },
        },
    }


def _fragment(text: str) -> str:
    """The start of a prompt, cut at a word: Inclusion matches a message that contains it."""
    text = " ".join(text.split())
    if len(text) <= TEXT_MATCH_CHARS:
        return text
    cut = text[:TEXT_MATCH_CHARS]
    return cut[: cut.rfind(" ")] if " " in cut else cut


# ---- scenario -> case ----------------------------------------------------------------------


def catalogue(cfg: CountryConfig) -> list[tuple[str, Any]]:
    """Every offline scenario of the country, with the catalogue it belongs to."""
    from helpline.flows.scenarios import keypress_scenarios, scenarios_for, status_scenarios

    return (
        [("behaviour", s) for s in scenarios_for(cfg)]
        + [("keypress", s) for s in keypress_scenarios(cfg)]
        + [("status", s) for s in status_scenarios(cfg)]
    )


def offline_only(cfg: CountryConfig, sc: Any, kind: str = "behaviour") -> str | None:
    """Why a scenario cannot run as a live test case (``None``: it can). Before any simulation."""
    if kind not in LIVE_CATALOGUES:
        return (
            f"{kind} matrix: offline only (a stack holds at most 500 resources; the matrix would "
            "add hundreds of test cases)"
        )
    if sc.operator is not None:
        return "an operator works the step-by-step guide; a live test case ends before anyone answers"
    if getattr(sc, "survey", None) is not None:
        return "the post-call survey runs after an operator answers and hangs up; a live test case ends before anyone answers"
    if getattr(sc, "outbound", None) is not None:
        return (
            "an outbound survey call: placed by StartOutboundVoiceContact with the runner's contact attributes "
            "and a list entry in the tables; not exported as a live test case yet"
        )
    if sc.before is not None:
        return "needs an earlier call's stored state (returning or blocked caller); a live run would depend on what earlier runs left in the tables"
    if sc.inject:
        return "forces one flow action's error branch; the Testing language overrides only Lambda, hours-check, queue-transfer and Lex actions"
    if not sc.staffed:
        return "needs nobody logged in; the staffing check (CheckMetricData) cannot be overridden in a test case"
    if getattr(sc, "staffed_after_hours", False):
        return (
            "operators still logged in after closing time: live, the same night path as its plain twin (which is "
            "exported); the twin proves the same prompts, so no second test case is spent on it"
        )
    if sc.caller is not None and not E164.match(sc.caller):
        return f"caller {sc.caller!r}: a voice test case's SourcePhoneNumber must be an E.164 number"
    if "callback" in sc.fail or sc.outcome == "callback":
        return "arranges a call back (CreateCallbackContact cannot be overridden): Connect would dial the test number"
    if "dynamodb" in sc.fail:
        return "every table request fails: not something to inject into production"
    if sc.wait:
        return "continues in the queue after the transfer; the test contact could reach a live operator"
    return None


def _prompt_of(sim: Any, line: Any) -> tuple[tuple[str, str] | None, str | None]:
    """The heard line as (recorded prompt, None) or (None, spoken text)."""
    action = sim.actions.get(line.flow, {}).get(line.action, {})
    params = action.get("Parameters") or {}
    candidates = [params] + list(params.get("Messages") or [])
    for p in candidates:
        if "PromptId" in p:
            ref = sim.resolver.lookup(p["PromptId"])
            if ref and ref[0] == "prompt":
                lang, pid = ref[1].split("/", 1)
                if lang != "shared" and sim.spoken.get(lang, {}).get(pid) == line.text:
                    return (lang, pid), None
    return None, line.text


def _prompt_id(sim: Any, line: Any) -> str:
    """The prompt id of a heard line (for step labels), else the flow action's id."""
    for pid, text in sim.spoken.get(line.lang or "", {}).items():
        if text == line.text:
            return pid
    return line.action


def case_from_call(cfg: CountryConfig, sc: Any, sim: Any, result: Any, caller: str) -> LiveCase | Skipped:
    """Turn one simulated call into a :class:`LiveCase` (or why it cannot be one)."""
    steps: list[Step] = []
    heard: Any = None  # the last system line not yet observed
    labels: dict[str, int] = {}

    def label_of(line: Any) -> str:
        base = _prompt_id(sim, line)
        labels[base] = labels.get(base, 0) + 1
        return base if labels[base] == 1 else f"{base}-{labels[base]}"

    def observe(line: Any) -> Step:
        prompt, text = _prompt_of(sim, line)
        return Step(label=label_of(line), prompt=prompt, text=text)

    queued = False
    for line in result.transcript:
        if line.speaker == "note" and line.text.startswith("queued in "):
            queued = True
            break
        if line.speaker == "system":
            heard = line
        elif line.speaker == "caller":
            key = _pressed(line.text)
            if heard is not None:
                steps.append(observe(heard))
                heard = None
            elif not steps:
                return Skipped(sc.id, "a key is pressed before anything is said")
            if key is not None:
                steps[-1].keys.append(key)
        elif line.speaker in ("agent", "screen", "operator"):
            break
    if result.outcome == "queue":
        if not queued or result.queue is None:
            return Skipped(sc.id, "reaches a queue only after the transfer (in the queue flow)")
        if heard is not None:
            steps.append(observe(heard))
        steps.append(Step(label=f"queue-{result.queue}", queue=result.queue, end=True))
    elif result.outcome == "disconnect":
        if heard is None and not steps:
            return Skipped(sc.id, "nothing is said before the call ends")
        if heard is not None:
            steps.append(observe(heard))
        steps[-1].end = True
    else:
        return Skipped(sc.id, f"ends as {result.outcome!r}; a live test case cannot observe that end")
    if any(s.text is not None and not s.text.strip() for s in steps):
        return Skipped(sc.id, "a prompt has no text to observe")

    answers: dict[str, dict[str, str]] = {}
    for call in result.lambda_calls:
        fn = call["function"]
        if fn in sc.fail or (fn in LIVE_LAMBDAS and fn not in sc.statuses):
            continue
        if "response" in call and fn not in answers:
            answers[fn] = _stable_answer(cfg, call["response"])
    queues_full: tuple[str, ...] = ()
    if "queue" in sc.fail:
        queues_full = tuple(cfg.queue_names())
    else:
        queues_full = tuple(f.split(":", 1)[1] for f in sc.fail if f.startswith("queue:"))
    lambda_errors = tuple(sorted(f for f in sc.fail if f not in ("queue", "callback", "dynamodb") and ":" not in f))
    return LiveCase(
        country=cfg.code,
        scenario=sc.id,
        description=_describe(sc, result),
        caller=caller,
        steps=steps,
        hours="InHours" if cfg.hours.is_open(_at(cfg, sc.at)) else "OutOfHours",
        weekly_hours="InHours" if cfg.hours.is_open(_at(cfg, sc.at), closures=False) else "OutOfHours",
        lambda_errors=lambda_errors,
        lambda_answers=answers,
        queues_full=queues_full,
    )


def _pressed(text: str) -> str | None:
    m = re.match(r"^presses (\S)", text)
    return m.group(1) if m else None


def _stable_answer(cfg: CountryConfig, response: Any) -> dict[str, str]:
    """The handler's offline answer with its per-call identifiers made fixed (a deterministic mock)."""
    out: dict[str, str] = {}
    for k, v in sorted((response or {}).items()):
        v = v if isinstance(v, str) else json.dumps(v)
        if k in ("case_id", "open_case_id") and v:
            v = f"{cfg.code.upper()}-LIVETEST"
        elif k.endswith("_id") and v:
            v = "livetest"
        out[k] = v
    return out


def _at(cfg: CountryConfig, at: str) -> Any:
    from helpline.flows.simulate import parse_at

    return parse_at(at, cfg)


def _describe(sc: Any, result: Any) -> str:
    keys = " ".join(sc.presses) or "-"
    end = f"queue {result.queue_name}" if result.outcome == "queue" else result.outcome
    extra = []
    if sc.fail:
        extra.append("fails: " + ", ".join(sc.fail))
    if sc.statuses:
        extra.append("statuses: " + ", ".join(f"{k}={v}" for k, v in sc.statuses.items()))
    text = f"Offline scenario {sc.id}: keys {keys} at {sc.at}; ends: {end}" + (
        f" ({'; '.join(extra)})" if extra else ""
    )
    return text[:MAX_DESCRIPTION_CHARS]


def build_plan(cfg: CountryConfig, *, kinds: Iterable[str] = CATALOGUES) -> LivePlan:
    """Run every live-capable scenario offline once and turn its call into a test case."""
    from helpline.flows.scenarios import caller_number, run_scenario, verify
    from helpline.flows.simulate import Simulator, backend_for

    kinds = tuple(kinds)
    cases: list[LiveCase] = []
    skipped: list[Skipped] = []
    todo = []
    for kind, sc in catalogue(cfg):
        if kind not in kinds:
            continue
        reason = offline_only(cfg, sc, kind)
        if reason:
            skipped.append(Skipped(sc.id if kind == "behaviour" else f"{kind}:{sc.id}", reason))
        else:
            todo.append(sc)
    if todo:
        # The handlers log to stdout; synthesis prints the template summary there, not their logs.
        with contextlib.redirect_stdout(io.StringIO()), backend_for(cfg) as backend:
            sim = Simulator(cfg)
            for sc in todo:
                caller = sc.caller or caller_number(cfg.code, sc.id, "")
                result = run_scenario(cfg, sc, backend, sim)
                try:
                    verify(cfg, sc, result)
                except AssertionError as exc:
                    skipped.append(Skipped(sc.id, "fails offline: " + str(exc).splitlines()[0][:200]))
                    continue
                made = case_from_call(cfg, sc, sim, result, caller)
                if isinstance(made, Skipped):
                    skipped.append(made)
                else:
                    cases.append(made)
    names = [c.name for c in cases]
    if len(set(names)) != len(names):
        raise ValueError(f"{cfg.code}: two test cases share a name")
    return LivePlan(country=cfg.code, cases=cases, skipped=skipped)


_PLANS: dict[str, LivePlan] = {}


def plan_for(cfg: CountryConfig) -> LivePlan:
    """:func:`build_plan` once per country configuration in a process (synthesis asks again)."""
    key = hashlib.sha256(cfg.model_dump_json().encode()).hexdigest()
    if key not in _PLANS:
        _PLANS[key] = build_plan(cfg, kinds=LIVE_CATALOGUES)
    return _PLANS[key]


def export(cfg: CountryConfig, resolve: Resolver | None = None) -> dict[str, dict[str, Any]]:
    """Test case name -> Testing-language document (local names unless ``resolve`` is given)."""
    if resolve is None:
        from helpline.flows.render import LocalResolver

        resolve = LocalResolver(cfg)
    return plan_for(cfg).documents(resolve)


# ---- CloudFormation ------------------------------------------------------------------------

# The test cases deploy in their own top-level stack, after the country stack (stacks/
# live_tests_stack.py): a failing test case rolls back only that stack, never the instance.
TEST_STACK_SUFFIX = "-tests"


def test_stack_name(country_stack: str) -> str:
    """``Helpline-PL-prod`` -> ``Helpline-PL-prod-tests`` (a name that already is one is kept)."""
    return country_stack if country_stack.endswith(TEST_STACK_SUFFIX) else country_stack + TEST_STACK_SUFFIX


def test_case_resources(
    cfg: CountryConfig,
    flows: Any,
    *,
    resolve: Resolver | None = None,
    instance_arn: str | None = None,
    entry_flow_arn: str | None = None,
    tags: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """CloudFormation properties of one ``AWS::Connect::TestCase`` per exportable scenario.

    ``flows`` is the stack's ``Flows`` construct (``resolve``, ``rendered``, ``entry_flow``,
    ``telephony.instance_arn`` are read from it) or a dict of rendered flows, then ``resolve``,
    ``instance_arn`` and ``entry_flow_arn`` are given. Every resource a test case names (queue,
    Lambda, hours, prompt) must be one the rendered flows name: a test case can only observe or
    override what the deployed flows do.
    """
    rendered = getattr(flows, "rendered", flows)
    resolve = resolve or getattr(flows, "resolve", None)
    if instance_arn is None and hasattr(flows, "telephony"):
        instance_arn = flows.telephony.instance_arn
    if entry_flow_arn is None and hasattr(flows, "entry_flow"):
        entry_flow_arn = flows.entry_flow.attr_contact_flow_arn
    if resolve is None or instance_arn is None or entry_flow_arn is None:
        raise TypeError("test_case_resources: give the Flows construct, or resolve, instance_arn and entry_flow_arn")
    return plan_for(cfg).test_case_resources(
        rendered, resolve=resolve, instance_arn=instance_arn, entry_flow_arn=entry_flow_arn, tags=tags
    )


test_case_resources.__test__ = False  # type: ignore[attr-defined]  # names pytest would collect
test_stack_name.__test__ = False  # type: ignore[attr-defined]
