"""Call scenarios through the operators' step-by-step guide (contact_flows/agent_guide.json).

Each is a caller who reaches an operator plus an operator script (:mod:`helpline.flows.operator`)
and what must be true afterwards (``check``). Together with the error branches the coverage test
injects, they take every transition of the guide. Used by tests/flows (expectations, coverage).
"""

from __future__ import annotations

from typing import Any

from helpline.config.schema import CountryConfig
from helpline.flows.operator import OperatorScript, parse_operator_script
from helpline.flows.simulate import CallResult

# The screens of a real call from the context to the end, with consent and a referral.
REAL_CALL: dict[str, Any] = {
    "context-view": "ActionSelected",
    "calltype-view": {"action": "Next", "data": {"call_type": "real"}},
    "needs-view": {"action": "Next", "data": {"need": "SV"}},
    "screening-view": {"action": "Next", "data": {"urgency": "urgent", "consent": "true", "note": "safe tonight"}},
    "referral-view": "ActionSelected",
    "referral-done-view": "Next",
    "closing-view": {
        "action": "Next",
        "data": {"outcome": "referred", "follow_up": "true", "callback_requested": "false"},
    },
    "failed-view": "ActionSelected",
    "guide-done": "Next",
    "block-view": {"action": "Next", "data": {"hours": "24"}},
    "block-done-view": "Next",
    "block-forbidden-view": "Next",
}


def operator_script(
    cfg: CountryConfig, *, agent: str = "operator-1", supervisor: bool = False, **screens: Any
) -> OperatorScript:
    """REAL_CALL with screens replaced (``None`` removes one); the region is the country's first."""
    steps = dict(REAL_CALL)
    steps["screening-view"] = {
        "action": "Next",
        "data": {**REAL_CALL["screening-view"]["data"], "region": cfg.regions[0]},
    }
    for name, step in screens.items():
        name = name.replace("_", "-")
        if step is None:
            steps.pop(name, None)
        else:
            steps[name] = step
    return parse_operator_script({"agent": agent, "supervisor": supervisor, "screens": steps}, source="scenario")


def call_type(kind: str) -> dict[str, Any]:
    return {"action": "Next", "data": {"call_type": kind}}


def screening(cfg: CountryConfig, **data: str) -> dict[str, Any]:
    base = {"region": cfg.regions[0], "urgency": "normal", "consent": "true", "note": ""}
    return {"action": "Next", "data": {**base, **data}}


def guide_cases(cfg: CountryConfig) -> list[dict[str, Any]]:
    """(name, operator script, failing/answering functions, check) for the guide scenarios."""
    s = lambda **kw: operator_script(cfg, **kw)  # noqa: E731
    return (
        [
            {
                "name": "guide-referral-with-consent",
                "operator": s(),
                # A country whose directory has no partner for the need (e.g. a new one): the
                # operator sees that nobody was referred and why; nothing is written for a partner.
                "check": referred_once if _serves(cfg, "SV") else no_partner_referred,
            },
            {
                "name": "guide-no-consent",
                "operator": s(screening_view=screening(cfg, consent="false")),
                "check": nothing_referred,
            },
            {
                "name": "guide-sub-code",
                "operator": s(
                    needs_view={"action": "Next", "data": {"need": "CR", "subcode_ask": ["yes"]}},
                    subcode_view={"action": "Next", "data": {"subcode": "CR-CP"}},
                ),
                "check": lambda r: saved_needs(r, "CR-CP"),
            },
            {
                "name": "guide-sub-code-back",
                "operator": s(
                    needs_view={"action": "Next", "data": {"need": "LP", "subcode_ask": ["yes"]}},
                    subcode_view="Back",
                    referral_view="Back",
                ),
                "check": lambda r: (saved_needs(r, "LP"), nothing_referred(r)),
            },
            {
                "name": "guide-prank",
                "operator": s(calltype_view=call_type("prank"), block_view="Back"),
                "check": no_case,
            },
            {
                "name": "guide-abusive-blocked-by-supervisor",
                "operator": s(calltype_view=call_type("abusive"), agent="supervisor-1", supervisor=True),
                "check": lambda r: blocked(r, True),
            },
            {
                "name": "guide-block-refused",
                "operator": s(calltype_view=call_type("prank"), agent="operator-2"),
                "check": lambda r: blocked(r, False),
            },
            {"name": "guide-silent", "operator": s(calltype_view=call_type("silent")), "check": no_case},
            {"name": "guide-wrong-number", "operator": s(calltype_view=call_type("wrong_number")), "check": no_case},
            {"name": "guide-information", "operator": s(calltype_view=call_type("information")), "check": no_case},
        ]
        + [
            {
                "name": f"guide-{function}-fails",
                "operator": s(),
                "fail": (function,),
                "check": lambda r: shown(r, "failed-view"),
            }
            for function in (
                "get_caller_context",
                "classify_call",
                "save_screening",
                "route_referral",
                "record_outcome",
            )
        ]
        + [
            {
                "name": "guide-block_caller-fails",
                "operator": s(calltype_view=call_type("prank")),
                "fail": ("block_caller",),
                "check": lambda r: shown(r, "failed-view"),
            }
        ]
    )


# ---- checks (AssertionError with what is wrong) ----------------------------------------------
def shown(r: CallResult, screen: str) -> None:
    assert r.guide is not None, "the guide did not run"
    assert screen in r.guide.screens, f"{screen} not shown: {r.guide.screens}"
    assert r.guide.screens[-1] == "guide-done" and r.guide.outcome == "disconnect", r.guide.screens


def _case(r: CallResult) -> dict[str, Any] | None:
    case_id = (r.guide.flow_attributes if r.guide else {}).get("case_id", "")
    return next((c for c in r.tables.get("Cases", []) if c.get("case_id") == case_id), None)


def referred_once(r: CallResult) -> None:
    """The GBV need with consent goes to the partner serving SV, notified once (one outbox message)."""
    shown(r, "referral-done-view")
    case = _case(r)
    assert case is not None, "no case"
    refs = [x for x in r.tables.get("Referrals", []) if x.get("case_id") == case["case_id"]]
    assert [x["partner_id"] for x in refs] == [r.guide.flow_attributes["referred_partner_ids"]], refs
    outbox = [m for m in r.tables.get("Outbox", []) if refs[0]["referral_id"] in m.get("message_id", "")]
    assert len(outbox) == 1, outbox
    assert r.guide.flow_attributes["referral_refs"] == refs[0]["referral_ref"]


def _serves(cfg: CountryConfig, need: str) -> bool:
    """Whether a partner of the directory serves ``need`` in the region the scripts give."""
    region = cfg.regions[0]
    return any(need in p.services and ("*" in p.regions or region in p.regions) for p in cfg.partners)


def no_partner_referred(r: CallResult) -> None:
    """Consent given but no partner serves the need: the confirmation says so, nothing is referred."""
    shown(r, "referral-done-view")
    case = _case(r)
    assert case is not None, "no case"
    assert r.guide.flow_attributes.get("referral_reason") == "no_partner", r.guide.flow_attributes
    assert not [x for x in r.tables.get("Referrals", []) if x.get("case_id") == case["case_id"]]
    assert not [m for m in r.tables.get("Outbox", []) if case["case_id"] in str(m)]


def nothing_referred(r: CallResult) -> None:
    shown(r, "closing-view")
    case = _case(r)
    assert case is not None, "the screening opened no case"
    assert not [x for x in r.tables.get("Referrals", []) if x.get("case_id") == case["case_id"]]
    assert "referral-done-view" not in r.guide.screens


def saved_needs(r: CallResult, code: str) -> None:
    case = _case(r)
    assert case is not None and case.get("needs_codes") == [code], case


def no_case(r: CallResult) -> None:
    shown(r, "guide-done")
    assert "needs-view" not in r.guide.screens
    caller_id = r.caller_id
    assert not [c for c in r.tables.get("Cases", []) if c.get("caller_id") == caller_id], "a case was opened"


def blocked(r: CallResult, done: bool) -> None:
    shown(r, "block-done-view" if done else "block-forbidden-view")
    caller_id = r.caller_id
    callers = [c for c in r.tables.get("Callers", []) if c.get("caller_id") == caller_id]
    assert callers, "no caller record"
    assert bool(callers[0].get("blocked_until")) is done, callers[0]
