"""A catalogue of call scenarios, generated from a country's config.

Used by the flow tests (expectations), the action-coverage check and the simulator benchmark.
Each scenario is a scripted call plus what must happen; nothing here depends on test tooling.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from helpline.config.schema import DAY_ALIASES, CountryConfig
from helpline.flows.operator import OperatorScript
from helpline.flows.personal import PERSONAL_ATTRIBUTES
from helpline.flows.simulate import CallResult, Simulator, outbound_campaign, seed_campaign_contact

OPEN_AT = "2026-03-02T10:30"  # a Monday morning: every shipped country is open
CLOSED_AT = "2026-03-01T03:00"  # a Sunday night: every shipped country is closed
WAIT = "-"  # press nothing at the emergency prompt (let it time out)
WEEKDAYS = list(DAY_ALIASES.values())  # MONDAY ... SUNDAY, as datetime.weekday() counts
OPENER_KEY = ["1"]  # an outbound survey call: the person called, who can talk, presses 1 at the neutral opener


@dataclass
class Scenario:
    name: str
    lang: str
    presses: list[str]
    at: str = OPEN_AT
    fail: tuple[str, ...] = ()
    wait: float = 0
    caller: str | None = None
    outcome: str | None = None
    queue: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    says: list[str] = field(default_factory=list)  # prompt ids heard (in ``lang``)
    never_says: list[str] = field(default_factory=list)  # prompt ids the caller must NOT hear
    says_times: dict[str, int] = field(default_factory=dict)
    whisper: list[str] = field(default_factory=list)
    whisper_never: list[str] = field(default_factory=list)  # prompt ids the operator must NOT hear
    staffed_after_hours: bool = False  # operators stay logged in after closing time (Simulator.call)
    staffed: bool = True
    inject: dict[tuple[str, str], str] = field(default_factory=dict)
    statuses: dict[str, str] = field(default_factory=dict)
    before: Callable[[CountryConfig, Any, Simulator, str], None] | None = None
    check: Callable[[CallResult], None] | None = None
    operator: OperatorScript | None = None  # what the answering operator does in the guide
    survey: list[str] | None = None  # the caller stays on the line after the operator: these inputs
    outbound: list[str] | None = None  # a survey call placed to the person, who gives these inputs

    @property
    def id(self) -> str:
        return f"{self.lang}-{self.name}"


def caller_number(*parts: str) -> str:
    """A stable, distinct E.164 number per scenario (so calls in one backend do not interact)."""
    digest = int(hashlib.sha256("/".join(parts).encode()).hexdigest(), 16)
    return f"+48{500000000 + digest % 99999999}"


def _feedback_first(cfg: CountryConfig, backend: Any, sim: Simulator, caller: str) -> None:
    lang = cfg.language_codes[0]
    sim.backend = backend
    sim.call(lang=lang, presses=[WAIT, "3"], at=OPEN_AT, caller=caller)


def _block(cfg: CountryConfig, backend: Any, sim: Simulator, caller: str) -> None:
    from functions.dal.models import Caller

    sim.backend = backend
    first = sim.call(lang=cfg.language_codes[0], presses=[WAIT, "0"], at=OPEN_AT, caller=caller)
    item = Caller.get(first.caller_id)
    item.update(actions=[Caller.blocked_until.set(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))])


def scenarios_for(cfg: CountryConfig) -> list[Scenario]:
    """Behaviour scenarios: what a caller lives through, per language and for the language menu."""
    out: list[Scenario] = []
    for lang in cfg.language_codes:
        out += _core(cfg, lang) + _closed(cfg, lang) + _faults(cfg, lang) + _waiting(cfg, lang) + _topics(cfg, lang)
    return out + _language_menu(cfg) + _guide(cfg) + _surveys(cfg) + _outbound(cfg)


def survey_items(r: CallResult) -> list[dict[str, Any]]:
    """This call's SurveyResponses items (keyed by sha256 of the contact id, not the caller)."""
    key = hashlib.sha256(f"survey:{r.contact_id}".encode()).hexdigest()
    return [i for i in r.tables.get("SurveyResponses", []) if i["response_key"] == key]


def survey_answers(r: CallResult) -> dict[str, str]:
    """question id -> stored answer of this call's post-call survey."""
    return {i["question_id"]: i["answer"] for i in survey_items(r)}


def _survey_check(expected: dict[str, str], lang: str, end: str) -> Callable[[CallResult], None]:
    def check(r: CallResult) -> None:
        assert r.survey_outcome == end, (r.survey_outcome, end)
        got = survey_answers(r)
        assert got == expected, got
        assert all(i.get("language") == lang for i in survey_items(r)), survey_items(r)

    return check


def _valid_key(q) -> str:
    """Keys that answer survey question ``q`` (the last choice, the largest number)."""
    return {"yes_no": "1", "choice": str(len(q.choices)), "number": "9" * q.max_digits + "#"}[q.kind]


def _stored_answer(q) -> str:
    """The answer :func:`_valid_key` stores."""
    return {"yes_no": "yes", "choice": str(len(q.choices)), "number": "9" * q.max_digits}[q.kind]


def _wrong_key(q) -> str:
    """Keys that are no answer to ``q`` (a star inside a number)."""
    return {"yes_no": "3", "choice": str(len(q.choices) + 1) if len(q.choices) < 9 else "#", "number": "1*#"}[q.kind]


def _surveys(cfg: CountryConfig) -> list[Scenario]:
    """The post-call survey (the disconnect flow) in every language: the operator hangs up and
    the caller stays on the line. Keys per question: 1..N, 0 repeats, * prefer not to say, #
    ends a number; ``-`` lets a question time out; when the keys run out the caller hangs up."""
    survey = cfg.post_call_survey
    if survey is None:
        return []
    qs = survey.questions
    tries = [q.retries + 1 for q in qs]
    key, stored, wrong = _valid_key, _stored_answer, _wrong_key  # short names: the table below stays readable
    consent_tries = cfg.ivr.max_attempts
    out: list[Scenario] = []
    for lang in cfg.language_codes:
        thanks, sid = f"survey_{survey.id}_thanks", survey.id

        def sc(
            name: str, keys: list[str], expected: dict[str, str], end: str, says: list[str], lang: str = lang
        ) -> Scenario:
            return Scenario(f"survey-{name}", lang, [WAIT, "0"], outcome="queue", survey=keys, says=says,
                            check=_survey_check(expected, lang, end))  # fmt: skip

        full = {q.id: stored(q) for q in qs}
        out += [
            sc("full", ["1", *[key(q) for q in qs]], full, "disconnect", [f"survey_{sid}_consent", thanks]),
            sc("declined", ["2"], {}, "disconnect", ["goodbye"]),
            sc("consent-time-out", ["-"] * consent_tries, {}, "disconnect", ["goodbye"]),
            sc("consent-wrong-key", ["7"] * consent_tries, {}, "disconnect", ["goodbye"]),
            sc("repeat", ["1", *[k for q in qs for k in ("0", key(q))]], full, "disconnect", [thanks]),
            sc("prefer-not", ["1", *["*"] * len(qs)], {q.id: "prefer_not" for q in qs}, "disconnect", [thanks]),
            sc("time-outs", ["1", *["-"] * sum(tries)], {q.id: "no_answer" for q in qs}, "disconnect", [thanks]),
            sc(
                "wrong-keys",
                ["1", *[wrong(q) for q, n in zip(qs, tries, strict=True) for _ in range(n)]],
                {q.id: "no_answer" for q in qs},
                "disconnect",
                ["invalid_input", thanks],
            ),  # fmt: skip
            sc("wrong-then-right", ["1", *[k for q in qs for k in (wrong(q), key(q))]], full, "disconnect", [thanks]),
            sc("hang-up-midway", ["1", key(qs[0])], {qs[0].id: stored(qs[0])}, "hung_up", []),
            sc("hang-up-at-consent", [], {}, "hung_up", []),
        ]
    return out


def campaign_contact(r: CallResult) -> dict[str, Any] | None:
    """The CampaignContact item of this survey call, after the call."""
    key = r.attributes.get("contact_key")
    items = [i for i in r.tables.get("SurveyCampaignContacts", []) if i.get("contact_key") == key]
    return items[0] if items else None


def consent_events(r: CallResult) -> list[str]:
    """The events the flow reported to survey_consent, in order."""
    return [c["parameters"].get("event", "") for c in r.lambda_calls if c["function"] == "survey_consent"]


def _outbound_check(
    cfg: CountryConfig, lang: str, answers: dict[str, str] | None, events: list[str], state: str
) -> Callable[[CallResult], None]:
    """Answers stored (None: not checked), what survey_consent was told with which parameters,
    and the person's CampaignContact state afterwards (the real survey_consent handler)."""
    survey = cfg.outbound_survey
    assert survey is not None

    def check(r: CallResult) -> None:
        assert r.entry_flow == f"outbound_survey_{lang}", r.entry_flow
        # on pickup the person hears the neutral opener at once: no Lambda (silence) before it
        first = next(
            ln for ln in r.transcript
            if ln.flow == r.entry_flow and (ln.speaker == "system" or ln.text.startswith("Lambda "))
        )  # fmt: skip
        assert (first.action, first.speaker) == ("opener", "system"), first
        if answers is not None:
            assert survey_answers(r) == answers, survey_answers(r)
            assert all(i.get("language") == lang and i["survey_id"] == survey.id for i in survey_items(r))
        assert consent_events(r) == events, consent_events(r)
        want = {k: r.attributes[k] for k in ("campaign_id", "contact_key")} | {"survey_id": survey.id, "language": lang}
        for c in r.lambda_calls:
            if c["function"] == "survey_consent":
                assert {k: c["parameters"].get(k) for k in want} == want, c
            if c["function"] == "record_survey_answer":
                assert c["parameters"].get("campaign_id") == r.attributes["campaign_id"], c
        contact = campaign_contact(r)
        assert contact is not None and contact["state"] == state, contact
        final = state in ("completed", "declined", "help")
        assert (contact.get("phone") is None) == final, contact  # the number goes when the person is done
        opted_out = [o for o in r.tables.get("SurveyOptOuts", []) if o["pseudonym"] == contact["pseudonym"]]
        if state == "declined":  # never called again
            assert opted_out and opted_out[0]["source"] == "declined", opted_out
        else:
            assert not opted_out, opted_out

    return check


def _nothing_named(cfg: CountryConfig, lang: str) -> Callable[[CallResult], None]:
    """A call that ended at the neutral opener (a voicemail, someone else on a shared phone): only
    the opener, invalid_input and the opener's goodbye were said; not the consent, no question, no
    helpline, refugee or survey word, not the emergency number."""
    from helpline.config.rules import REVEALING_WORDS

    survey = cfg.outbound_survey
    assert survey is not None
    spoken, sid = cfg.spoken(lang), survey.id
    allowed = {spoken[f"survey_{sid}_opener"], spoken[f"survey_{sid}_opener_goodbye"], spoken["invalid_input"]}
    never = [spoken[f"survey_{sid}_{k}"] for k in ("consent", "declined", "thanks", *[q.id for q in survey.questions])]

    def check(r: CallResult) -> None:
        heard = [ln.text for ln in r.transcript if ln.speaker in ("system", "agent")]
        assert heard and set(heard) <= allowed, heard
        assert heard[-1] == spoken[f"survey_{sid}_opener_goodbye"], heard
        assert r.ended_before_identification and r.safe and not r.ended_with_emergency_number
        text = " ".join(heard).casefold()
        assert not any(t in heard for t in never)
        assert cfg.emergency.number not in text and cfg.name.casefold() not in text
        assert not [w for w in REVEALING_WORDS if w in text], text
        assert [c["function"] for c in r.lambda_calls] == ["survey_consent"], r.lambda_calls

    return check


def _outbound(cfg: CountryConfig) -> list[Scenario]:
    """The outbound needs survey: a call placed to a person who agreed, in each language. On
    pickup the neutral opener: 1 goes on (the person called, who can talk), no key or another key
    asks once more, then survey_consent hears no_input and a neutral goodbye ends the call naming
    nothing (a voicemail or someone else). At the consent 1 takes part, 2 declines (never called
    again), 9 goes to the helpline's IVR, 0 repeats; no key or wrong keys end with the emergency
    number. Questions as in the post-call survey. survey_consent and record_survey_answer failing
    at every invocation change nothing the person hears but the stored state."""
    if cfg.outbound_survey is None:
        return []
    out: list[Scenario] = []
    for lang in cfg.language_codes:
        calls = _OutboundCalls(cfg, lang)
        out += calls.at_consent() + calls.at_questions() + calls.when_handlers_fail() + calls.at_opener()
    return out


class _OutboundCalls:
    """The outbound survey's calls in one language, by family, and what they have in common."""

    def __init__(self, cfg: CountryConfig, lang: str) -> None:
        survey = cfg.outbound_survey
        assert survey is not None
        self.cfg, self.lang = cfg, lang
        self.qs, sid, self.tries = survey.questions, survey.id, cfg.ivr.max_attempts
        self.q_tries = [q.retries + 1 for q in self.qs]
        self.full = {q.id: _stored_answer(q) for q in self.qs}
        self.done = ["accepted", "completed"]
        self.consent, self.thanks = f"survey_{sid}_consent", f"survey_{sid}_thanks"
        self.declined, self.question_ids = f"survey_{sid}_declined", [f"survey_{sid}_{q.id}" for q in self.qs]
        self.opener, self.opener_bye = f"survey_{sid}_opener", f"survey_{sid}_opener_goodbye"
        self.keys_full = ["1", *[_valid_key(q) for q in self.qs]]

    def sc(
        self,
        name: str,
        keys: list[str],
        check: Callable[[CallResult], None] | None,
        opener_key: list[str] = OPENER_KEY,  # noqa: B006 - never mutated
        **kw: Any,
    ) -> Scenario:
        return Scenario(f"outbound-{name}", self.lang, [], outbound=[*opener_key, *keys], check=check, **kw)

    def ok(self, answers: dict[str, str] | None, events: list[str], state: str) -> Callable[[CallResult], None]:
        return _outbound_check(self.cfg, self.lang, answers, events, state)

    def neutral(self, check: Callable[[CallResult], None]) -> Callable[[CallResult], None]:
        """``check``, and that the call ended at the opener naming nothing."""
        named_nothing = _nothing_named(self.cfg, self.lang)

        def both(r: CallResult) -> None:
            check(r)
            named_nothing(r)

        return both

    def at_consent(self) -> list[Scenario]:
        """1 takes part, 2 declines, 9 the helpline (open or closed), no key, wrong keys, 0 repeats."""
        sc, ok, lang, consent, tries = self.sc, self.ok, self.lang, self.consent, self.tries
        return [
            sc("full", self.keys_full, ok(self.full, self.done, "completed"), outcome="disconnect",
               says=[consent, self.thanks]),
            sc("declined", ["2"], ok({}, ["declined"], "declined"), outcome="disconnect", says=[self.declined]),
            sc("help", ["9", WAIT, "0"], ok({}, ["help"], "help"), outcome="queue", queue=lang,
               attributes={"language": lang, "campaign_id": f"sim-{self.cfg.code}"}, says=[consent, "main_menu"]),
            sc("help-when-closed", ["9", WAIT, "2"], ok({}, ["help"], "help"), at=CLOSED_AT,
               outcome="disconnect", says=["closed", "goodbye"]),
            sc("no-input", [], ok({}, ["no_input"], "no_input"), outcome="disconnect",
               says=["no_input", "goodbye"], says_times={consent: tries}),
            sc("wrong-keys", ["7"] * tries, ok({}, ["no_input"], "no_input"), outcome="disconnect",
               says=["invalid_input", "goodbye"], says_times={"invalid_input": tries}),
            sc("consent-repeat", ["0", "0", "2"], ok({}, ["declined"], "declined"), outcome="disconnect",
               says_times={consent: 3}),
        ]  # fmt: skip

    def at_questions(self) -> list[Scenario]:
        """The questions after 1: repeated, declined, timed out, wrong keys, wrong then right."""
        sc, ok, qs, thanks, full, done = self.sc, self.ok, self.qs, self.thanks, self.full, self.done
        no_answer = {q.id: "no_answer" for q in qs}
        return [
            sc("repeat", ["1", *[k for q in qs for k in ("0", _valid_key(q))]], ok(full, done, "completed"),
               outcome="disconnect", says=[thanks]),
            sc("prefer-not", ["1", *["*"] * len(qs)], ok({q.id: "prefer_not" for q in qs}, done, "completed"),
               outcome="disconnect", says=[thanks]),
            sc("time-outs", ["1"], ok(no_answer, done, "completed"), outcome="disconnect", says=[thanks],
               says_times=dict(zip(self.question_ids, self.q_tries, strict=True))),
            sc("wrong-keys-in-questions",
               ["1", *[_wrong_key(q) for q, n in zip(qs, self.q_tries, strict=True) for _ in range(n)]],
               ok(no_answer, done, "completed"), outcome="disconnect", says=["invalid_input", thanks]),
            sc("wrong-then-right", ["1", *[k for q in qs for k in (_wrong_key(q), _valid_key(q))]],
               ok(full, done, "completed"), outcome="disconnect", says=[thanks]),
        ]  # fmt: skip

    def when_handlers_fail(self) -> list[Scenario]:
        """survey_consent, then record_survey_answer, failing at every invocation: the same path,
        nothing written (every question still asked, thanks)."""
        sc, ok, lang, thanks, keys_full = self.sc, self.ok, self.lang, self.thanks, self.keys_full
        consent_fails = ("survey_consent",)
        return [
            sc("consent-fails-full", keys_full, ok(self.full, self.done, "dialing"), fail=consent_fails,
               outcome="disconnect", says=[thanks]),
            sc("consent-fails-declined", ["2"], ok({}, ["declined"], "dialing"),
               fail=consent_fails, outcome="disconnect", says=[self.declined]),
            sc("consent-fails-help", ["9", WAIT, "0"], ok({}, ["help"], "dialing"),
               fail=consent_fails, outcome="queue", queue=lang),
            sc("consent-fails-no-input", [], ok({}, ["no_input"], "dialing"),
               fail=consent_fails, outcome="disconnect", says=["goodbye"]),
            sc("answer-fails", keys_full, ok({}, self.done, "completed"), fail=("record_survey_answer",),
               outcome="disconnect", says=[thanks, *self.question_ids]),
        ]  # fmt: skip

    def at_opener(self) -> list[Scenario]:
        """The neutral opener: a voicemail (no key), someone else (wrong keys), a key then 1."""
        sc, ok, neutral, opener, consent = self.sc, self.ok, self.neutral, self.opener, self.consent
        return [
            sc("opener-timeout", [], neutral(ok({}, ["no_input"], "no_input")), opener_key=[],
               outcome="disconnect", says=[self.opener_bye], says_times={opener: 2, consent: 0}),
            sc("opener-wrong-keys", ["7", "8"], neutral(ok({}, ["no_input"], "no_input")), opener_key=[],
               outcome="disconnect", says=[self.opener_bye], says_times={opener: 2, "invalid_input": 2, consent: 0}),
            sc("opener-wrong-then-1", ["7", *OPENER_KEY, *self.keys_full], ok(self.full, self.done, "completed"),
               opener_key=[], outcome="disconnect", says=["invalid_input", self.thanks],
               says_times={opener: 2, consent: 1}),
            sc("opener-timeout-then-1", ["-", *OPENER_KEY, "2"], ok({}, ["declined"], "declined"), opener_key=[],
               outcome="disconnect", says=[self.declined], says_times={opener: 2, consent: 1}),
            sc("opener-consent-fails", [], neutral(ok({}, ["no_input"], "dialing")), opener_key=[],
               fail=("survey_consent",), outcome="disconnect", says=[self.opener_bye]),
        ]  # fmt: skip


def _guide(cfg: CountryConfig) -> list[Scenario]:
    """The operators' guide after a caller asks for an operator (helpline/flows/guide_scenarios.py)."""
    from helpline.flows.guide_scenarios import guide_cases

    lang = cfg.language_codes[0]
    d = cfg.language(lang).digit
    return [
        Scenario(
            case["name"],
            lang,
            [d, WAIT, "0"],
            outcome="queue",
            queue=lang,
            fail=case.get("fail", ()),
            operator=case["operator"],
            check=case["check"],
        )
        for case in guide_cases(cfg)
    ] + [
        Scenario(
            "guide-returning-caller",
            lang,
            [d, WAIT, "0"],
            before=_feedback_first,
            outcome="queue",
            operator=guide_cases(cfg)[0]["operator"],
            check=_guide_shows_open_case,
        )
    ]


def _guide_shows_open_case(r: CallResult) -> None:
    """A returning caller's open case is on the context screen and gets the screening."""
    assert r.guide is not None and r.guide.screens[0] == "context-view", r.guide
    case_id = r.guide.flow_attributes.get("case_id", "")
    assert case_id.startswith(f"{r.country.upper()}-"), r.guide.flow_attributes
    context = next(ln.text for ln in r.transcript if ln.speaker == "screen" and ln.action == "context-view")
    assert case_id in context, context
    assert "case_id" not in r.attributes and r.guide.attributes == {}  # nothing in contact attributes


def _core(cfg: CountryConfig, lang: str) -> list[Scenario]:
    """The day-time line: the emergency key, the main menu's choices, known callers, no valid key."""
    return _emergency(cfg, lang) + _main_menu(cfg, lang) + _known_callers(cfg, lang) + _no_valid_key(cfg, lang)


def _emergency(cfg: CountryConfig, lang: str) -> list[Scenario]:
    """The emergency key, from the language menu to the main menu: the priority queue."""
    d, em, prio = cfg.language(lang).digit, cfg.emergency.digit, f"priority_{lang}"
    return [
        Scenario(
            "emergency",
            lang,
            [d, em],
            outcome="queue",
            queue=prio,
            attributes={"language": lang, "priority": "urgent", "topic": "emergency"},
            says=["emergency_notice", "transfer_priority"],
            whisper=[f"whisper_language_{lang}", "whisper_priority"],
            whisper_never=["whisper_returning"],  # a first call: nobody knew this caller before
        ),
        Scenario("emergency-during-welcome", lang, [d, "!" + em], outcome="queue", queue=prio, says=["welcome"]),
        Scenario("emergency-during-privacy", lang, [d, ".", "!" + em], outcome="queue", queue=prio),
        Scenario(
            "emergency-at-main-menu",
            lang,
            [d, WAIT, em],
            outcome="queue",
            queue=prio,
            attributes={"priority": "urgent"},
            says=["main_menu", "transfer_priority"],
        ),
    ]


def _main_menu(cfg: CountryConfig, lang: str) -> list[Scenario]:
    """An operator, a report of someone at risk, feedback: the queue, the whisper, the case."""
    d, prio = cfg.language(lang).digit, f"priority_{lang}"
    return [
        Scenario(
            "operator",
            lang,
            [d, WAIT, "0"],
            outcome="queue",
            queue=lang,
            attributes={"language": lang, "priority": "normal", "returning": "false", "language_source": "caller"},
            says=["welcome", "privacy_notice", "main_menu", "transfer"],
            never_says=["closed", "closed_holiday"],
            whisper=[f"whisper_language_{lang}"],
            whisper_never=["whisper_priority", "whisper_returning"],  # a first, normal call
        ),
        Scenario(
            "report-risk",
            lang,
            [d, WAIT, "2"],
            outcome="queue",
            queue=prio,
            attributes={"topic": "report_risk", "priority": "urgent"},
            says=["report_risk"],
            # a first-time caller whose report opens a case in this very call: priority, but
            # neither "returning" nor "open case" (the case was not open before the call)
            whisper=[f"whisper_language_{lang}", "whisper_priority"],
            whisper_never=["whisper_returning"],
            check=lambda r: _case_created(r, "report_risk", "urgent"),
        ),
        Scenario(
            "feedback",
            lang,
            [d, WAIT, "3"],
            outcome="queue",
            queue=lang,
            attributes={"topic": "feedback", "priority": "normal"},
            says=["feedback"],
            whisper=[f"whisper_language_{lang}"],
            whisper_never=["whisper_priority", "whisper_returning"],  # this call's own case is no earlier case
            check=lambda r: _case_created(r, "feedback", "normal"),
        ),
    ]


def _known_callers(cfg: CountryConfig, lang: str) -> list[Scenario]:
    """A caller with an open case (returning), and a blocked one."""
    d = cfg.language(lang).digit
    return [
        Scenario(
            "returning-caller",
            lang,
            [d, WAIT, "0"],
            before=_feedback_first,
            outcome="queue",
            queue=lang,
            attributes={"returning": "true"},
            whisper=[f"whisper_language_{lang}", "whisper_returning"],
            whisper_never=["whisper_priority"],
            check=_has_open_case,
        ),
        Scenario(
            "blocked-caller",
            lang,
            [d, WAIT],
            before=_block,
            outcome="disconnect",
            says=["blocked", "goodbye"],
            check=_not_queued,
        ),
    ]


def _no_valid_key(cfg: CountryConfig, lang: str) -> list[Scenario]:
    """Wrong keys or none at the main menu, as many times as allowed: an operator."""
    d = cfg.language(lang).digit
    return [
        Scenario(
            "invalid-three-times",
            lang,
            [d, WAIT, "7", "8", "7"],
            outcome="queue",
            queue=lang,
            says=["invalid_input", "transfer"],
            says_times={"invalid_input": cfg.ivr.max_attempts},
        ),
        Scenario(
            "no-input",
            lang,
            [d, WAIT],
            outcome="queue",
            queue=lang,
            says=["no_input", "transfer"],
            says_times={"no_input": cfg.ivr.max_attempts},
        ),
    ]


def _closed(cfg: CountryConfig, lang: str) -> list[Scenario]:
    """Out of hours, and every night call again with operators still logged in: closing time
    logs nobody out (simulate.py, "Staffing after hours"), so the flow's hours check alone must
    keep every night call, the emergency above all, away from the queues."""
    return _logged_in_twins(cfg, lang, _closed_calls(cfg, lang))


def _logged_in_twins(cfg: CountryConfig, lang: str, calls: list[Scenario]) -> list[Scenario]:
    """``calls`` and, for each one out of hours, the same call with operators still logged in."""
    return calls + [
        replace(
            sc,
            name=f"{sc.name}-operators-logged-in",
            staffed_after_hours=True,
            check=_both(sc.check, _never_towards_a_queue(cfg, lang)),
        )
        for sc in calls
        if sc.at != OPEN_AT
    ]


def closure_scenarios(cfg: CountryConfig) -> list[Scenario]:
    """Closed today or closed now, per language: a closure day (``hours.closures``) at an hour the
    helpline is normally open, and a normal closed hour on a weekday evening (the converse), each
    also with operators still logged in.

    Kept out of :func:`scenarios_for`, the behaviour catalogue the live test cases are made from:
    a live test case mocks only the ``main`` hours check (helpline/livetest/export.py), so the
    ``weekly`` check would answer by the wall clock of the live run, not by the scenario's day.
    They belong there once the export also mocks ``{{hours:weekly}}`` by the scenario's time."""
    return [sc for lang in cfg.language_codes for sc in _logged_in_twins(cfg, lang, _closure_calls(cfg, lang))]


def closure_at(cfg: CountryConfig) -> str | None:
    """A local time on a closure day (``hours.closures``) in the middle of an opening range of the
    weekly hours, e.g. 2026-12-24T14:00 in Poland: the main hours say closed, the weekly hours
    open. None when no closure falls on a day the helpline is normally open."""
    hours = cfg.hours
    for closure in hours.closures:
        day = closure.date
        while day <= closure.last_day:
            for slot in hours.slots:
                if slot.day != WEEKDAYS[day.weekday()]:
                    continue
                middle = (slot.start[0] * 60 + slot.start[1] + slot.end[0] * 60 + slot.end[1]) // 2
                at = dt.datetime.combine(day, dt.time(middle // 60, middle % 60))
                if hours.is_open(at, closures=False) and not hours.is_open(at):
                    return at.isoformat(timespec="minutes")
            day += dt.timedelta(days=1)
    return None


def evening_at(cfg: CountryConfig) -> str | None:
    """Half an hour after closing time on the weekday of OPEN_AT (a normal closed hour, no
    closure), e.g. 2026-03-02T20:30 in Poland; None when that day is open until midnight."""
    opened = dt.datetime.fromisoformat(OPEN_AT)
    ends = [sl.end for sl in cfg.hours.slots if sl.day == WEEKDAYS[opened.weekday()]]
    if not ends or max(ends) >= (23, 30):
        return None
    at = dt.datetime.combine(opened.date(), dt.time(*max(ends))) + dt.timedelta(minutes=30)
    return None if cfg.hours.is_open(at, closures=False) else at.isoformat(timespec="minutes")


def _says_closed_today(cfg: CountryConfig, lang: str) -> Callable[[CallResult], None]:
    """The closure text as heard names the usual hours and the emergency number."""

    def check(r: CallResult) -> None:
        text = cfg.message(lang, "closed_holiday")
        assert r.said(text), r.render_transcript()
        assert cfg.hours.spoken[lang] in text and cfg.emergency.number in text, text

    return check


def _closure_calls(cfg: CountryConfig, lang: str) -> list[Scenario]:
    """A closure day at a normally open hour says closed TODAY (closed_holiday: the usual hours,
    the emergency number), never the plain weekly-hours text, then the same call-back offer; a
    normal closed hour on a weekday says the plain text, never the closure text."""
    d, at, evening = cfg.language(lang).digit, closure_at(cfg), evening_at(cfg)
    out: list[Scenario] = []
    if at is not None:
        out += [
            Scenario(
                "closure-day-callback",
                lang,
                [d, WAIT, "1"],
                at=at,
                outcome="callback",
                says=["closed_holiday", "callback_offer", "callback_confirmed", "goodbye"],
                never_says=["closed", "main_menu"],
                check=_both(_says_closed_today(cfg, lang), lambda r, lang=lang: _callback_to(r, lang, "normal")),
            ),
            Scenario(
                "closure-day-no-callback",
                lang,
                [d, WAIT, "2"],
                at=at,
                outcome="disconnect",
                says=["closed_holiday", "callback_offer", "goodbye"],
                never_says=["closed"],
                check=_both(_says_closed_today(cfg, lang), _not_queued),
            ),
        ]
    if evening is not None:
        out.append(
            Scenario(
                "closed-evening",
                lang,
                [d, WAIT, "2"],
                at=evening,
                outcome="disconnect",
                says=["closed", "callback_offer", "goodbye"],
                never_says=["closed_holiday"],
                check=_not_queued,
            )
        )
    return out


def _heard_in_every_language(cfg: CountryConfig, pid: str) -> Callable[[CallResult], None]:
    """The language menu speaks every offered language; so does what it says back to a caller
    who has not chosen one yet, each in its language's voice."""

    def check(r: CallResult) -> None:
        heard = [ln.text for ln in r.transcript if ln.speaker == "system" and ln.flow == "inbound"]  # at the menu
        missing = [lang for lang in cfg.language_codes if cfg.message(lang, pid) not in heard]
        assert not missing, f"{pid!r} never said in {missing}\n" + r.render_transcript()

    return check


def _both(*checks: Callable[[CallResult], None] | None) -> Callable[[CallResult], None]:
    def check(r: CallResult) -> None:
        for c in checks:
            if c is not None:
                c(r)

    return check


def _closed_calls(cfg: CountryConfig, lang: str) -> list[Scenario]:
    """Out of hours, and nobody staffed: a call back or the emergency number, never a queue."""
    return _closed_callbacks(cfg, lang) + _danger_when_closed(cfg, lang)


def _closed_callbacks(cfg: CountryConfig, lang: str) -> list[Scenario]:
    """Out of hours: the call-back offer taken, declined, missed; a call back that cannot be made."""
    d = cfg.language(lang).digit
    return [
        Scenario(
            "closed-callback",
            lang,
            [d, WAIT, "1"],
            at=CLOSED_AT,
            outcome="callback",
            says=["closed", "callback_offer", "callback_confirmed", "goodbye"],
            never_says=["closed_holiday"],
            check=lambda r, lang=lang: _callback_to(r, lang, "normal"),
        ),
        Scenario(
            "closed-no-callback",
            lang,
            [d, WAIT, "2"],
            at=CLOSED_AT,
            outcome="disconnect",
            says=["closed", "goodbye"],
            never_says=["closed_holiday"],
            check=_not_queued,
        ),
        Scenario(
            "closed-invalid-then-silence",
            lang,
            [d, WAIT, "7"],
            at=CLOSED_AT,
            outcome="disconnect",
            says=["invalid_input", "no_input", "goodbye"],
            check=_not_queued,
        ),
        Scenario(
            "closed-callback-bad-number",
            lang,
            [d, WAIT, "1"],
            at=CLOSED_AT,
            caller="anonymous",
            outcome="disconnect",
            says=["callback_failed", "goodbye"],
        ),
        Scenario(
            "closed-callback-fails",
            lang,
            [d, WAIT, "1"],
            at=CLOSED_AT,
            fail=("callback",),
            outcome="disconnect",
            says=["callback_failed", "goodbye"],
        ),
    ]


def _danger_when_closed(cfg: CountryConfig, lang: str) -> list[Scenario]:
    """The emergency key out of hours, and any call when nobody is staffed."""
    d, em, prio = cfg.language(lang).digit, cfg.emergency.digit, f"priority_{lang}"
    return [
        # Danger out of hours: the emergency number and safe alternatives, never a closed queue.
        Scenario(
            "emergency-at-night",
            lang,
            [d, em],
            at=CLOSED_AT,
            outcome="disconnect",
            says=["emergency_closed", "callback_offer"],
            check=_not_queued,
        ),
        Scenario(
            "emergency-at-night-callback",
            lang,
            [d, em, "1"],
            at=CLOSED_AT,
            outcome="callback",
            says=["emergency_closed", "callback_confirmed"],
            check=lambda r, prio=prio: _callback_to(r, prio, "urgent"),
        ),
        Scenario(
            "nobody-staffed",
            lang,
            [d, WAIT, "0"],
            staffed=False,
            outcome="disconnect",
            says=["emergency_closed", "callback_offer"],
            check=_not_queued,
        ),
        Scenario(
            "emergency-nobody-staffed",
            lang,
            [d, em, "1"],
            staffed=False,
            outcome="callback",
            says=["emergency_closed", "callback_confirmed"],
            check=lambda r, prio=prio: _callback_to(r, prio, "urgent"),
        ),
    ]


def _faults(cfg: CountryConfig, lang: str) -> list[Scenario]:
    d, em, prio = cfg.language(lang).digit, cfg.emergency.digit, f"priority_{lang}"
    return [
        Scenario(
            "identify-fails",
            lang,
            [d, WAIT, "0"],
            fail=("identify_caller",),
            outcome="queue",
            queue=lang,
            attributes={"returning": "unknown"},
            says=["main_menu", "transfer"],
        ),
        Scenario(
            "create-case-fails-report",
            lang,
            [d, WAIT, "2"],
            fail=("create_case",),
            outcome="queue",
            queue=prio,
            attributes={"topic": "report_risk", "priority": "urgent"},
            says=["report_risk", "technical_problem"],
        ),
        Scenario(
            "create-case-fails-feedback",
            lang,
            [d, WAIT, "3"],
            fail=("create_case",),
            outcome="queue",
            queue=lang,
            attributes={"topic": "feedback"},
            says=["feedback", "technical_problem"],
        ),
        Scenario(
            "language-queue-full",
            lang,
            [d, WAIT, "0"],
            fail=(f"queue:{lang}",),
            outcome="queue",
            queue=f"priority_{lang}",
            says=["transfer"],
        ),
        Scenario(
            "all-queues-full",
            lang,
            [d, WAIT, "0"],
            fail=("queue",),
            outcome="disconnect",
            says=["transfer", "queue_full"],
        ),
        Scenario(
            "emergency-all-queues-full",
            lang,
            [d, em],
            fail=("queue",),
            outcome="disconnect",
            says=["transfer_priority", "queue_full"],
        ),
    ]


def _waiting(cfg: CountryConfig, lang: str) -> list[Scenario]:
    d, em, qs = cfg.language(lang).digit, cfg.emergency.digit, cfg.ivr.queue_message_seconds
    return [
        Scenario(
            "wait-in-queue",
            lang,
            [d, WAIT, "0"],
            wait=qs * 2 + 1,
            outcome="queue",
            queue=lang,
            says=["queue_hold", "queue_callback_offer"],
            says_times={"queue_hold": 2},
            whisper=[f"whisper_language_{lang}"],
        ),
        Scenario(
            "queue-callback",
            lang,
            [d, WAIT, "0", "1"],
            wait=qs * 5,
            outcome="callback",
            says=["queue_hold", "queue_callback_offer", "callback_confirmed", "goodbye"],
            check=lambda r, lang=lang: _callback_to(r, lang, "normal"),
        ),
        Scenario(
            "emergency-queue-callback",
            lang,
            [d, em, "1"],
            wait=qs * 5,
            outcome="callback",
            says=["queue_callback_offer", "callback_confirmed"],
            check=lambda r, lang=lang: _callback_to(r, f"priority_{lang}", "urgent"),
        ),
        Scenario(
            "queue-callback-fails",
            lang,
            [d, WAIT, "0", "1"],
            wait=qs + 10,
            fail=("callback",),
            outcome="queue",
            says=["callback_failed"],
        ),
        Scenario(
            "queue-callback-bad-number",
            lang,
            [d, WAIT, "0", "1"],
            wait=qs + 10,
            caller="anonymous",
            outcome="queue",
            says=["callback_failed"],
        ),
    ]


def _topics(cfg: CountryConfig, lang: str) -> list[Scenario]:
    d = cfg.language(lang).digit
    em, first_topic = cfg.emergency.digit, cfg.topics[0].digit
    out = [
        Scenario(
            "operator-at-topics-menu",
            lang,
            [d, WAIT, "1", "0"],
            outcome="queue",
            queue=lang,
            says=["topics_menu_intro", "transfer"],
        ),
        Scenario(
            "emergency-at-topics-menu",
            lang,
            [d, WAIT, "1", em],
            outcome="queue",
            queue=f"priority_{lang}",
            attributes={"priority": "urgent"},
            says=["transfer_priority"],
        ),
        Scenario(
            "emergency-after-info",
            lang,
            [d, WAIT, "1", first_topic, em],
            outcome="queue",
            queue=f"priority_{lang}",
            says=["after_info", "transfer_priority"],
        ),
        Scenario(
            "topics-invalid-and-silence",
            lang,
            [d, WAIT, "1", "#"],
            outcome="queue",
            queue=lang,
            says=["topics_menu_intro", "invalid_input", "no_input", "transfer"],
        ),
        Scenario(
            "after-info-invalid-and-silence",
            lang,
            [d, WAIT, "1", cfg.topics[0].digit, "#"],
            outcome="queue",
            queue=lang,
            says=["after_info", "invalid_input", "no_input"],
        ),
    ]
    for topic in cfg.topics:
        out.append(
            Scenario(
                f"topic-{topic.key}",
                lang,
                [d, WAIT, "1", topic.digit, "1", "2", "0"],
                outcome="queue",
                queue=lang,
                attributes={"topic": topic.key},
                says=["topics_menu_intro", f"topic_{topic.key}_menu", f"topic_{topic.key}_info", "after_info"],
                says_times={f"topic_{topic.key}_info": 2, "main_menu": 2},
            )
        )
    return out


def _language_menu(cfg: CountryConfig) -> list[Scenario]:
    """The language menu (spoken in every language); a caller who chooses nothing continues in
    the default (first) language through the whole flow: notice, lookup, hours."""
    if len(cfg.languages) == 1:
        return []
    first = cfg.language_codes[0]
    attrs = {"language": first, "language_source": "default"}
    return [
        Scenario(
            "language-menu-emergency",
            first,
            [cfg.emergency.digit],
            outcome="queue",
            queue=f"priority_{first}",
            attributes={**attrs, "priority": "urgent", "topic": "emergency"},
            says=["transfer_priority"],
        ),
        Scenario(
            "language-menu-invalid",
            first,
            ["7", "8", "#"],
            outcome="queue",
            queue=first,
            attributes=attrs,
            says=["invalid_input", "privacy_notice", "emergency_notice", "transfer"],
            says_times={"invalid_input": cfg.ivr.max_attempts},
            check=_heard_in_every_language(cfg, "invalid_input"),  # as the menu itself speaks
        ),
        Scenario(
            "language-menu-silence",
            first,
            ["-"],
            outcome="queue",
            queue=first,
            attributes=attrs,
            says=["no_input", "welcome", "emergency_notice", "main_menu", "transfer"],
            check=_heard_in_every_language(cfg, "no_input"),  # as the menu itself speaks
        ),
        Scenario(
            "language-menu-silence-at-night",
            first,
            ["-"],
            at=CLOSED_AT,
            outcome="disconnect",
            attributes=attrs,
            says=["welcome", "emergency_notice", "closed", "goodbye"],
            check=_not_queued,
        ),
        Scenario(
            "language-menu-emergency-at-night-operators-logged-in",
            first,
            [cfg.emergency.digit],
            at=CLOSED_AT,
            staffed_after_hours=True,
            outcome="disconnect",
            attributes={**attrs, "priority": "urgent", "topic": "emergency"},
            says=["emergency_closed", "callback_offer"],
            check=_never_towards_a_queue(cfg, first),
        ),
        Scenario(
            "language-menu-silence-queues-full",
            first,
            ["-"],
            fail=("queue",),
            outcome="disconnect",
            says=["no_input", "queue_full"],
        ),
    ] + _entry_transfer_fails(cfg)


def _entry_transfer_fails(cfg: CountryConfig) -> list[Scenario]:
    """The hand-over to the language's flow fails: the entry flow itself reaches a person."""
    first = cfg.language_codes[0]
    broken = {("inbound", f"to-flow-{first}"): "NoMatchingError"}
    return [
        Scenario(
            "entry-transfer-fails",
            first,
            ["-"],
            inject=broken,
            outcome="queue",
            queue=first,
            says=["technical_problem"],
        ),
        Scenario(
            "entry-transfer-fails-at-night",
            first,
            ["-"],
            at=CLOSED_AT,
            inject=broken,
            outcome="disconnect",
            says=["technical_problem", "queue_full"],
        ),
        Scenario(
            "entry-transfer-fails-queues-full",
            first,
            ["-"],
            inject=broken,
            fail=("queue",),
            outcome="disconnect",
            says=["technical_problem", "queue_full"],
        ),
    ]


def keypress_scenarios(cfg: CountryConfig) -> list[Scenario]:
    """Every key of every interruptible announcement: the language options, the welcome and
    privacy notices and the topic options each capture a key pressed while they play."""
    out: list[Scenario] = []
    langs = cfg.languages
    if len(langs) > 1:
        for i in range(len(langs) - 1):  # the option announcements before the menu itself
            for lg in langs:
                out.append(
                    Scenario(
                        f"lang-option-{i}-press-{lg.code}",
                        lg.code,
                        ["."] * i + ["!" + lg.digit],
                        outcome="queue",
                        attributes={"language": lg.code, "language_source": "caller"},
                    )
                )
            out.append(
                Scenario(
                    f"lang-option-{i}-emergency",
                    langs[0].code,
                    ["."] * i + ["!" + cfg.emergency.digit],
                    outcome="queue",
                    queue=f"priority_{langs[0].code}",
                    attributes={"priority": "urgent", "topic": "emergency"},
                )
            )
        out.append(Scenario("lang-option-invalid", langs[0].code, ["!#"], outcome="queue", says=["invalid_input"]))
    for lang in cfg.language_codes:
        d = cfg.language(lang).digit
        digits = [t.digit for t in cfg.topics] + ["0", cfg.emergency.digit, "#"]
        for i in range(len(cfg.topics)):  # topics intro, then every option but the last (the menu)
            for key in digits:
                out.append(Scenario(f"topic-window-{i}-press-{key}", lang, [d, WAIT, "1"] + ["."] * i + ["!" + key]))
    return out


# Every status a handler may answer besides ok (functions/errors.py), and one it never answers.
NON_OK_STATUSES = (
    "invalid_event",
    "invalid_parameter",
    "no_caller_id",
    "case_not_found",
    "capacity_conflict",
    "backend_unavailable",
    "internal_error",
    "unexpected_status",
)
# Behaviour scenario -> the Lambda function its call invokes (one scenario per Lambda block).
STATUS_BASES = (
    ("operator", "identify_caller"),
    ("report-risk", "create_case"),
    ("feedback", "create_case"),
    ("closed-callback", "create_case"),
    ("queue-callback", "create_case"),
    ("emergency-at-night-callback", "create_case"),
    # the operators' guide (first language only): every Lambda block of agent_guide
    # (bases that decline the referral, so the partners' capacity is not used up by the matrix;
    # route_referral's own statuses replace the handler, so nothing is referred there either)
    ("guide-sub-code-back", "get_caller_context"),
    ("guide-sub-code-back", "classify_call"),
    ("guide-sub-code-back", "save_screening"),
    ("guide-referral-with-consent", "route_referral"),
    ("guide-sub-code-back", "record_outcome"),
    ("guide-block-refused", "block_caller"),
    # the outbound needs survey: every survey_consent invocation (accepted, completed,
    # declined, help, no_input) and every record_survey_answer invocation
    ("outbound-full", "survey_consent"),
    ("outbound-declined", "survey_consent"),
    ("outbound-help", "survey_consent"),
    ("outbound-no-input", "survey_consent"),
    ("outbound-opener-timeout", "survey_consent"),
    ("outbound-full", "record_survey_answer"),
    ("outbound-time-outs", "record_survey_answer"),
)
# survey_consent's own answers besides ok (functions/logic/survey_consent.py)
CONSENT_STATUSES = ("not_found", "invalid", "error")


def status_scenarios(cfg: CountryConfig) -> list[Scenario]:
    """Every non-ok handler status on every Lambda block: the caller still gets a way forward."""
    base = {(sc.lang, sc.name): sc for sc in scenarios_for(cfg)}
    out: list[Scenario] = []
    for lang in cfg.language_codes:
        for name, function in STATUS_BASES:
            if (lang, name) not in base:
                continue  # a guide scenario of another language
            sc = base[(lang, name)]
            says = [*sc.says, "technical_problem"] if name in ("report-risk", "feedback") else []
            statuses = NON_OK_STATUSES + (CONSENT_STATUSES if function == "survey_consent" else ())
            for status in statuses:
                out.append(
                    replace(
                        sc,
                        name=f"{name}-{function}-{status}",
                        statuses={function: status},
                        attributes={},
                        says=says,
                        never_says=[],
                        says_times={},
                        whisper=[],
                        whisper_never=[],
                        check=None,
                    )
                )
    return out


def _case_created(r: CallResult, topic: str, priority: str) -> None:
    cases = [c for c in r.tables.get("Cases", []) if c.get("case_id") == r.case_id]
    assert cases, f"no case {r.case_id!r} in the Cases table"
    assert cases[0].get("topic") == topic and cases[0].get("priority") == priority, cases[0]


def _callback_to(r: CallResult, queue: str, priority: str) -> None:
    """The call back is queued where it belongs and stored as a record (topic callback)."""
    assert r.callback is not None and r.callback["queue"] == queue, r.callback
    cases = {c["case_id"]: c for c in r.tables.get("Cases", [])}
    case_id = r.case_id
    assert case_id in cases, f"no stored record of the call back (case_id={case_id!r})"
    chain = [i for i in r.tables.get("Interactions", []) if i.get("case_id") == case_id]
    assert (
        any((i.get("payload") or {}).get("topic") == "callback" for i in chain) or cases[case_id]["topic"] == "callback"
    )
    assert cases[case_id]["priority"] == priority or priority == "normal", cases[case_id]


def _has_open_case(r: CallResult) -> None:
    """The whisper's non-personal flag, and the caller (looked up by the call's link) has a case."""
    callers = [c for c in r.tables.get("Callers", []) if c.get("caller_id") == r.caller_id]
    assert r.attributes.get("open_case") == "true", r.attributes
    assert callers and callers[0].get("open_case_id"), callers


def _not_queued(r: CallResult) -> None:
    assert r.queue is None


def _never_towards_a_queue(cfg: CountryConfig, lang: str) -> Callable[[CallResult], None]:
    """Out of hours the call never heads for a queue: no "connecting you" message, no staffing
    check (it would count the operators still logged in), no queue."""

    def check(r: CallResult) -> None:
        assert r.queue is None, r.queue
        heard = [ln.text for ln in r.transcript if ln.speaker == "system"]
        for pid in ("transfer_priority", "transfer"):
            assert cfg.message(lang, pid) not in heard, f"said {pid!r} out of hours\n" + r.render_transcript()
        staffing = [ln.text for ln in r.transcript if ln.speaker == "note" and ln.text.startswith("NumberOfAgents")]
        assert not staffing, f"a staffing check out of hours decided the call: {staffing}\n" + r.render_transcript()

    return check


def run_scenario(cfg: CountryConfig, sc: Scenario, backend: Any, sim: Simulator, salt: str = "") -> CallResult:
    caller = sc.caller or caller_number(cfg.code, sc.id, salt)
    if sc.before is not None:
        sc.before(cfg, backend, sim, caller)
    sim.backend = backend
    own_keys = sc.name.startswith(("language-menu", "lang-option"))  # the keys go to the language menu
    campaign = None
    if sc.outbound is not None:  # the runner wrote the contact (state dialing) before it dialled
        campaign = outbound_campaign(cfg, caller)
        seed_campaign_contact(cfg, campaign, caller, sc.lang)
    return sim.call(
        lang=None if own_keys else sc.lang,
        presses=list(sc.presses),
        at=sc.at,
        caller=caller,
        fail=sc.fail,
        wait=sc.wait,
        staffed=sc.staffed,
        staffed_after_hours=sc.staffed_after_hours,
        inject=sc.inject,
        statuses=sc.statuses,
        operator=sc.operator,
        survey=sc.survey,
        outbound=sc.outbound,
        campaign=campaign,
    )


def verify_safe(cfg: CountryConfig, sc: Scenario, r: CallResult) -> None:
    """Only the safety property: a person, a call back, or a message naming the emergency number."""
    if not r.safe:
        raise AssertionError(
            f"{cfg.code}/{sc.id}: the caller was left without a way forward ({r.outcome})\n" + r.render_transcript()
        )


def verify(cfg: CountryConfig, sc: Scenario, r: CallResult) -> None:
    """Assert the scenario's expectations (AssertionError with the transcript on failure)."""
    spoken = cfg.spoken(sc.lang)
    problems: list[str] = []
    if sc.outcome and r.outcome != sc.outcome:
        problems.append(f"outcome {r.outcome!r}, expected {sc.outcome!r}")
    if sc.queue and r.queue != sc.queue:
        problems.append(f"queue {r.queue!r}, expected {sc.queue!r}")
    for k, v in sc.attributes.items():
        if r.attributes.get(k) != v:
            problems.append(f"attribute {k}={r.attributes.get(k)!r}, expected {v!r}")
    heard = [ln.text for ln in r.transcript if ln.speaker == "system"]
    for pid in sc.says:
        if spoken[pid] not in heard:
            problems.append(f"never said {pid!r}")
    for pid in sc.never_says:
        if spoken[pid] in heard:
            problems.append(f"said {pid!r}, which is not true of this call")
    for pid, n in sc.says_times.items():
        got = sum(1 for t in heard if t == spoken[pid])
        if got != n:
            problems.append(f"said {pid!r} {got} times, expected {n}")
    whispered = [ln.text for ln in r.transcript if ln.speaker == "agent"]
    operators = cfg.spoken(cfg.operator_language)  # the whisper speaks the operators' language
    for pid in sc.whisper:
        if operators[pid] not in whispered:
            problems.append(f"whisper never said {pid!r}")
    if sc.whisper_never and not r.answered:
        problems.append("the call was not answered: the whisper it must not say was never tested")
    for pid in sc.whisper_never:
        if operators[pid] in whispered:
            problems.append(f"whisper said {pid!r}, which is not true of this call")
    if r.outcome == "queue":
        for key in ("language", "returning", "open_case", "topic", "priority"):
            if key not in r.attributes:
                problems.append(f"queued without attribute {key!r}")
    personal = sorted(PERSONAL_ATTRIBUTES & set(r.attributes))
    if personal:  # Connect keeps contact attributes 24 months, beyond erasure (docs/audit.md)
        problems.append(f"personal data in contact attributes: {', '.join(personal)}")
    if not r.safe:
        problems.append("the caller was left without a way forward (no person, no call back, no emergency number)")
    if r.answered and r.guide_flow != "agent_guide":  # DefaultAgentUI: the guide opens with the call
        problems.append(f"answered without the operators' guide (DefaultAgentUI hook: {r.guide_flow!r})")
    if problems:
        raise AssertionError(f"{cfg.code}/{sc.id}: " + "; ".join(problems) + "\n" + r.render_transcript())
    if sc.check is not None:
        sc.check(r)
