"""The calls of a surge replay: a realistic mix, drawn from a seed (the same seed, the same calls).

The shares are an assumption written down, not a measurement: they follow what the UNHCR and
NRC contact centres report in broad strokes (most callers want information or a person; a
minority report a risk, complain, or are in danger; many call back; calls keep coming out of
hours).  Change ``MIX`` to replay another country's pattern.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from helpline.config.schema import CountryConfig

# kind -> share of all calls
MIX: dict[str, float] = {
    "info": 0.36,  # listens to one information topic
    "operator": 0.18,  # asks for a person
    "report_risk": 0.08,  # reports someone at risk (a case is opened)
    "feedback": 0.07,  # feedback or complaint (a case is opened)
    "emergency": 0.05,  # presses the emergency key
    "silence": 0.08,  # presses nothing
    "invalid": 0.06,  # presses a key that is not an option, then nothing
    "out_of_hours": 0.12,  # calls when the line is closed and asks for a call back (a case is opened)
}
RETURNING_SHARE = 0.3  # calls from a number that called before
KINDS_WITH_A_CASE = frozenset({"report_risk", "feedback", "out_of_hours"})


@dataclass(frozen=True)
class CallPlan:
    index: int
    kind: str
    lang: str
    presses: tuple[str, ...]
    at: str  # ISO local time in the country's time zone
    caller: str
    returning: bool


def _first_time(cfg: CountryConfig, want_open: bool, start: dt.datetime) -> dt.datetime:
    """The first whole quarter hour from ``start`` at which the line is open (or closed)."""
    when = start
    for _ in range(4 * 24 * 21):
        if cfg.hours.is_open(when) == want_open:
            return when
        when += dt.timedelta(minutes=15)
    raise ValueError(f"{cfg.code}: the line is never {'open' if want_open else 'closed'} in three weeks")


def _presses(cfg: CountryConfig, kind: str, lang: str, rng: random.Random) -> tuple[str, ...]:
    """The keys of one call, in the simulator's caller model (helpline.flows.simulate): the
    language digit (when there is a language menu), then '-' lets the emergency prompt time out
    before the main menu, as the flow scenarios do (helpline.flows.scenarios)."""
    first = (cfg.language(lang).digit,) if len(cfg.languages) > 1 else ()
    menu = (*first, "-")
    used = {"0", "1", "2", "3", cfg.emergency.digit}
    return {
        "info": (*menu, "1", rng.choice(cfg.topics).digit),
        "operator": (*menu, "0"),
        "report_risk": (*menu, "2"),
        "feedback": (*menu, "3"),
        "emergency": (*first, cfg.emergency.digit),
        "silence": first,
        "invalid": (*menu, rng.choice(sorted(set("456789") - used) or ["*"])),
        "out_of_hours": (*menu, "1"),  # accepts the call back offered when closed
    }[kind]


def plan_calls(cfg: CountryConfig, n: int, *, seed: int = 7) -> list[CallPlan]:
    """``n`` calls in the MIX proportions (rounded, the remainder to 'info'), in random order."""
    if n < 1:
        raise ValueError("--calls must be at least 1")
    rng = random.Random(seed)  # noqa: S311 - a reproducible replay, not security
    kinds = [k for k, share in MIX.items() for _ in range(int(share * n))]
    kinds += ["info"] * (n - len(kinds))
    rng.shuffle(kinds)
    base = dt.datetime(2027, 3, 1, 0, 0)  # a Monday outside every shipped closure
    open_at = _first_time(cfg, True, base.replace(hour=10)).isoformat()
    closed_at = _first_time(cfg, False, base.replace(hour=22)).isoformat()
    callers: list[str] = []
    plans = []
    for index, kind in enumerate(kinds):
        returning = bool(callers) and rng.random() < RETURNING_SHARE
        caller = rng.choice(callers) if returning else f"+4850{index:07d}"
        if not returning:
            callers.append(caller)
        lang = rng.choice(cfg.language_codes)
        plans.append(
            CallPlan(
                index=index,
                kind=kind,
                lang=lang,
                presses=_presses(cfg, kind, lang, rng),
                at=closed_at if kind == "out_of_hours" else open_at,
                caller=caller,
                returning=returning,
            )
        )
    return plans
