"""A catalogue of call scenarios, generated from a country's config.

Used by the flow tests (expectations), the action-coverage check and the simulator benchmark.
Each scenario is a scripted call plus what must happen; nothing here depends on test tooling.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from helpline.config.schema import CountryConfig
from helpline.flows.simulate import CallResult, Simulator

OPEN_AT = "2026-03-02T10:30"  # a Monday morning: every shipped country is open
CLOSED_AT = "2026-03-01T03:00"  # a Sunday night: every shipped country is closed
WAIT = "-"  # press nothing at the emergency prompt (let it time out)


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
    says_times: dict[str, int] = field(default_factory=dict)
    whisper: list[str] = field(default_factory=list)
    before: Callable[[CountryConfig, Any, Simulator, str], None] | None = None
    check: Callable[[CallResult], None] | None = None

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
    item = Caller.get(first.attributes["caller_id"])
    item.update(actions=[Caller.blocked_until.set(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))])


def scenarios_for(cfg: CountryConfig) -> list[Scenario]:
    out: list[Scenario] = []
    first = cfg.language_codes[0]
    em = cfg.emergency.digit
    for lang in cfg.language_codes:
        d = cfg.language(lang).digit
        out += [
            Scenario(
                "emergency",
                lang,
                [d, em],
                outcome="queue",
                queue="priority",
                attributes={"language": lang, "priority": "urgent", "topic": "emergency"},
                says=["emergency_notice", "transfer_priority"],
                whisper=["whisper_language", "whisper_priority"],
            ),
            Scenario(
                "emergency-at-main-menu",
                lang,
                [d, WAIT, em],
                outcome="queue",
                queue="priority",
                attributes={"priority": "urgent"},
                says=["main_menu", "transfer_priority"],
            ),
            Scenario(
                "operator",
                lang,
                [d, WAIT, "0"],
                outcome="queue",
                queue=lang,
                attributes={"language": lang, "priority": "normal", "returning": "false"},
                says=["welcome", "privacy_notice", "main_menu", "transfer"],
                whisper=["whisper_language"],
            ),
            Scenario(
                "report-risk",
                lang,
                [d, WAIT, "2"],
                outcome="queue",
                queue="priority",
                attributes={"topic": "report_risk", "priority": "urgent"},
                says=["report_risk"],
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
                check=lambda r: _case_created(r, "feedback", "normal"),
            ),
            Scenario(
                "closed-callback",
                lang,
                [d, WAIT, "1"],
                at=CLOSED_AT,
                outcome="callback",
                says=["closed", "callback_offer", "callback_confirmed", "goodbye"],
                check=lambda r, lang=lang: _callback_to(r, lang),
            ),
            Scenario(
                "closed-no-callback",
                lang,
                [d, WAIT, "2"],
                at=CLOSED_AT,
                outcome="disconnect",
                says=["closed", "goodbye"],
            ),
            Scenario(
                "closed-invalid-then-silence",
                lang,
                [d, WAIT, "7"],
                at=CLOSED_AT,
                outcome="disconnect",
                says=["invalid_input", "no_input", "goodbye"],
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
            Scenario(
                "identify-fails",
                lang,
                [d, WAIT, "0"],
                fail=("identify_caller",),
                outcome="queue",
                queue=lang,
                attributes={"returning": "unknown", "caller_id": "none"},
                says=["main_menu", "transfer"],
            ),
            Scenario(
                "create-case-fails-report",
                lang,
                [d, WAIT, "2"],
                fail=("create_case",),
                outcome="queue",
                queue="priority",
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
                queue="priority",
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
            Scenario(
                "wait-in-queue",
                lang,
                [d, WAIT, "0"],
                wait=cfg.ivr.queue_message_seconds * 2 + 1,
                outcome="queue",
                queue=lang,
                says=["queue_hold", "queue_callback_offer"],
                says_times={"queue_hold": 2},
                whisper=["whisper_language"],
            ),
            Scenario(
                "queue-callback",
                lang,
                [d, WAIT, "0", "1"],
                wait=cfg.ivr.queue_message_seconds * 5,
                outcome="callback",
                says=["queue_hold", "queue_callback_offer", "callback_confirmed", "goodbye"],
            ),
            Scenario(
                "queue-callback-fails",
                lang,
                [d, WAIT, "0", "1"],
                wait=cfg.ivr.queue_message_seconds + 1,
                fail=("callback",),
                outcome="queue",
                says=["callback_failed"],
            ),
            Scenario(
                "queue-callback-bad-number",
                lang,
                [d, WAIT, "0", "1"],
                wait=cfg.ivr.queue_message_seconds + 1,
                caller="anonymous",
                outcome="queue",
                says=["callback_failed"],
            ),
            Scenario(
                "returning-caller",
                lang,
                [d, WAIT, "0"],
                before=_feedback_first,
                outcome="queue",
                queue=lang,
                attributes={"returning": "true"},
                whisper=["whisper_language", "whisper_returning"],
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
    # The language menu (spoken in every language) and its fall-back to a person.
    out += [
        Scenario(
            "language-menu-invalid",
            first,
            ["7", "8", "#"],
            outcome="queue",
            queue=first,
            attributes={"language": first},
            says=["invalid_input", "privacy_notice", "transfer"],
            says_times={"invalid_input": cfg.ivr.max_attempts},
        ),
        Scenario(
            "language-menu-silence",
            first,
            ["-"],
            outcome="queue",
            queue=first,
            says=["no_input", "transfer"],
            says_times={"no_input": cfg.ivr.max_attempts},
        ),
        Scenario(
            "language-menu-silence-queues-full",
            first,
            ["-"],
            fail=("queue",),
            outcome="disconnect",
            says=["no_input", "queue_full"],
        ),
    ]
    return out


def _case_created(r: CallResult, topic: str, priority: str) -> None:
    cases = [c for c in r.tables.get("Cases", []) if c.get("case_id") == r.attributes.get("case_id")]
    assert cases, f"no case {r.attributes.get('case_id')!r} in the Cases table"
    assert cases[0].get("topic") == topic and cases[0].get("priority") == priority, cases[0]


def _callback_to(r: CallResult, lang: str) -> None:
    assert r.callback is not None and r.callback["queue"] == lang, r.callback


def _has_open_case(r: CallResult) -> None:
    assert r.attributes.get("case_id", "") not in ("", "none"), r.attributes


def _not_queued(r: CallResult) -> None:
    assert r.queue is None


def run_scenario(cfg: CountryConfig, sc: Scenario, backend: Any, sim: Simulator, salt: str = "") -> CallResult:
    caller = sc.caller or caller_number(cfg.code, sc.id, salt)
    if sc.before is not None:
        sc.before(cfg, backend, sim, caller)
    sim.backend = backend
    presses = list(sc.presses)
    if sc.name.startswith("language-menu"):  # the keys go to the language menu itself
        return sim.call(presses=presses, at=sc.at, caller=caller, fail=sc.fail, wait=sc.wait)
    return sim.call(lang=sc.lang, presses=presses, at=sc.at, caller=caller, fail=sc.fail, wait=sc.wait)


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
    for pid, n in sc.says_times.items():
        got = sum(1 for t in heard if t == spoken[pid])
        if got != n:
            problems.append(f"said {pid!r} {got} times, expected {n}")
    whispered = [ln.text for ln in r.transcript if ln.speaker == "agent"]
    for pid in sc.whisper:
        if spoken[pid] not in whispered:
            problems.append(f"whisper never said {pid!r}")
    if r.outcome == "queue":
        for key in ("language", "returning", "case_id", "topic", "priority", "caller_id"):
            if key not in r.attributes:
                problems.append(f"queued without attribute {key!r}")
    if problems:
        raise AssertionError(f"{cfg.code}/{sc.id}: " + "; ".join(problems) + "\n" + r.render_transcript())
    if sc.check is not None:
        sc.check(r)
