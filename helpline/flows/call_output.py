"""What ``helpline call`` prints about a simulated call: one report, as text for people or JSON for scripts.

:func:`call_report` gathers the facts once (the transcript, the outcome, whether the call ended safely, the
contact attributes, the operators' guide, the table rows the call wrote); :func:`print_call` writes them as
text, and the JSON form is the same report, so both say the same. Phone numbers are masked and notes shown
by their length only (:func:`helpline.surveys.campaign.shown_item`), in both forms.

:func:`default_caller` is the number a call comes from when ``--caller`` is not given: a made-up number of
the country called (its ITU-T E.164 country calling code, from the phonenumbers package).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.text import Text

if TYPE_CHECKING:
    from rich.console import Console

    from helpline.config.schema import CountryConfig
    from helpline.flows.simulate import CallResult, Line

MADE_UP_SUBSCRIBER = "500100200"  # after the calling code: +48500100200, +40500100200, +36500100200


def calling_code(cfg: CountryConfig) -> str | None:
    """The country's ITU-T E.164 calling code ('48' for pl, '235' for td): by the file's code, else the inbound
    number's country, from Google's libphonenumber metadata (the ``phonenumbers`` package: every country)."""
    import phonenumbers

    for iso in (cfg.code.upper(), cfg.phone_number.country_code or ""):
        code = phonenumbers.country_code_for_region(iso) if iso else 0
        if code:
            return str(code)
    return None


def default_caller(cfg: CountryConfig) -> str | None:
    """A made-up number of the country called (E.164), or None when its calling code is not known."""
    code = calling_code(cfg)
    return f"+{code}{MADE_UP_SUBSCRIBER}" if code else None


def _key(item: dict[str, Any]) -> str:
    return json.dumps(item, sort_keys=True, default=str)


def changed_rows(
    before: dict[str, list[dict[str, Any]]], after: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """The rows of ``after`` that ``before`` did not hold as they are now: what a call wrote or changed
    (seeded rows such as the partner directory, and rows an earlier call left in a --state folder, are not)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for table, items in after.items():
        old = {_key(item) for item in before.get(table, [])}
        new = [item for item in items if _key(item) not in old]
        if new:
            out[table] = new
    return out


def _outcome_text(result: CallResult) -> str:
    if result.outcome == "queue":
        return f"queued in {result.queue_name} (queue key {result.queue}), answered"
    if result.outcome == "callback":
        return f"call back requested ({(result.callback or {}).get('queue_name')}), call ended"
    if result.outcome == "abandoned":
        return f"waited in {result.queue_name}; nobody answered; the caller hung up"
    if result.outcome == "gave_up":
        return f"waited in {result.queue_name} longer than the caller's patience; hung up"
    return result.outcome


def _safe_text(result: CallResult) -> str:
    if result.ended_before_identification:  # a placed call nobody took up at the neutral opener
        return "yes: ended before the person was identified (only the neutral opener, nothing named)"
    return "yes" if result.safe else "NO: no person, no call back, no emergency number"


SURVEY_ENDS = {
    "disconnect": "the survey flow ended the call",
    "hung_up": "the caller hung up during the survey",
    "no_hook": "no post-call survey in this country: the call ended",
}


def _line(ln: Line, hide: Callable[[str], str]) -> dict[str, Any]:
    """One transcript line: who, what (``line``: as the text form prints it), where in which flow."""
    text = hide(ln.text)
    return {"speaker": ln.speaker, "text": text, "lang": ln.lang, "flow": ln.flow, "action": ln.action,
            "line": hide(str(ln))}  # fmt: skip


def call_report(
    cfg: CountryConfig, result: CallResult, *, at: str | None, caller: str, rows: dict[str, list[dict]] | None
) -> dict[str, Any]:
    """Every fact ``helpline call`` prints; ``rows``: the table rows the call wrote (None: not asked for)."""
    from helpline.surveys.campaign import mask, shown_item

    guide = result.guide
    shown = caller if caller == "anonymous" else mask(caller)  # the number is never printed whole

    def hide(text: str) -> str:  # the transcript names the number a survey call was placed to
        return text.replace(caller, shown) if caller != "anonymous" else text

    return {
        "country": cfg.code,
        "name": cfg.name,
        "direction": "outbound" if result.entry_flow.startswith("outbound_survey_") else "inbound",
        "entry_flow": result.entry_flow,
        "at": at or "now",
        "caller": shown,
        "transcript": [_line(ln, hide) for ln in result.transcript],
        "outcome": result.outcome,
        "outcome_text": _outcome_text(result),
        "queue": result.queue,
        "queue_name": result.queue_name,
        "safe": result.safe,
        "safe_end": _safe_text(result),
        "after_operator": None
        if result.survey_outcome is None
        else SURVEY_ENDS.get(result.survey_outcome, result.survey_outcome),
        "attributes": dict(result.attributes),
        "guide": None
        if guide is None
        else {
            "agent": guide.agent_arn.rsplit("/", 1)[-1],
            "steps": [{"screen": s, "action": a} for s, a in zip(guide.screens, guide.actions, strict=True)],
        },
        "tables": None
        if rows is None
        else {table: [shown_item(item) for item in items] for table, items in rows.items()},
    }


def print_call(out: Console, report: dict[str, Any]) -> None:
    """The report as text: the transcript, then one line per fact, then the rows the call wrote."""
    if report["direction"] == "outbound":  # --outbound: placed to the person
        heading = f" survey call at {report['at']} to {report['caller']} ({report['entry_flow']})"
    else:
        heading = f" call at {report['at']} from {report['caller']}"
    out.print(Text.assemble((report["name"], "bold"), heading))
    out.print("\n".join(line["line"] for line in report["transcript"]), markup=False)
    out.print()
    out.print(Text.assemble(("outcome:", "bold"), f" {report['outcome_text']}"))
    out.print(f"safe end: {report['safe_end']}", markup=False)
    if report["after_operator"] is not None:
        out.print(f"after the operator: {report['after_operator']}", markup=False)
    out.print("attributes: " + ", ".join(f"{k}={v}" for k, v in report["attributes"].items()), markup=False)
    if report["guide"] is not None:
        steps = ", ".join(f"{s['screen']}:{s['action']}" for s in report["guide"]["steps"])
        out.print(f"guide (agent {report['guide']['agent']}): {steps}", markup=False)
    for table, items in (report["tables"] or {}).items():
        out.print(f"table {table}: {len(items)} item(s) written or changed by this call", markup=False)
        for item in items:
            out.print("  " + ", ".join(f"{k}={v}" for k, v in item.items()), markup=False)
