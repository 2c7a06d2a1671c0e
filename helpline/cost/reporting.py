"""A country's cost report (idle and at a load) and how its numbers are written."""

from __future__ import annotations

import html
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from helpline.cost.model import ASSUMPTIONS, DAYS_PER_MONTH, WEEKS_PER_MONTH, Estimate, Line, Load, estimate
from helpline.cost.prices import PriceBook, load_prices
from helpline.cost.resources import inventory
from helpline.cost.template import read_template


def load_for(cfg, calls_per_week: float, minutes_per_call: float) -> Load:
    return Load(
        calls_per_week=calls_per_week,
        minutes_per_call=minutes_per_call,
        contact_lens=cfg.instance.contact_lens,
        recordings_days=cfg.retention_days.recordings,
        interactions_days=cfg.retention_days.interactions,
    )


def byo_number(cfg) -> tuple[str | None, str | None] | None:
    """A number named by ARN is not claimed by the stack but is still rented."""
    number = cfg.phone_number
    return (number.country_code or cfg.code.upper(), number.type) if number.arn else None


@dataclass
class Report:
    country: str
    stack: str
    calls_per_week: float
    minutes_per_call: float
    prices: PriceBook
    idle: Estimate
    at_load: Estimate

    def as_dict(self) -> dict:
        def totals(e: Estimate) -> dict:
            return {"total": round(e.total, 2), "unknown": e.unknown}

        return {
            "country": self.country,
            "stack": self.stack,
            "currency": self.prices.currency,
            "prices_retrieved": self.prices.retrieved,
            "calls_per_week": self.calls_per_week,
            "minutes_per_call": self.minutes_per_call,
            "weeks_per_month": WEEKS_PER_MONTH,
            "days_per_month": DAYS_PER_MONTH,
            "lines": [
                {**asdict(at), "idle_monthly": idle.monthly}
                for idle, at in zip(self.idle.lines, self.at_load.lines, strict=True)
            ],
            "idle": totals(self.idle),
            "at_load": totals(self.at_load),
            "assumptions": dict(ASSUMPTIONS),
            "free_tiers_deducted": False,
        }


def report(
    cfg, template: dict, *, calls_per_week: float, minutes_per_call: float, prices: PriceBook | None = None
) -> Report:
    prices = prices or load_prices()
    inv = inventory(template, byo_number=byo_number(cfg))
    return Report(
        cfg.code,
        cfg.stack_name,
        calls_per_week,
        minutes_per_call,
        prices,
        estimate(inv, prices, load_for(cfg, 0, 0)),
        estimate(inv, prices, load_for(cfg, calls_per_week, minutes_per_call)),
    )


def money(value: float | None) -> str:
    if value is None:
        return "unknown"
    return f"${value:,.2f}" if value >= 0.01 or value == 0 else f"${value:.4f}"


def quantity(value: float) -> str:
    if value == 0:
        return "0"
    if value >= 100 or math.isclose(value, round(value)):
        return f"{value:,.0f}"
    return f"{value:,.4g}"


def unit_price(line: Line) -> str:
    if line.unit_price is None:
        return "unknown"
    text = f"{line.unit_price:.10f}".rstrip("0").rstrip(".") if line.unit_price else "0"
    return f"${text} / {line.unit}"


def short_source(url: str) -> str:
    """aws.amazon.com/connect/pricing/ -> aws: connect/pricing (the full URLs are in prices.yaml)."""
    for prefix in ("https://aws.amazon.com/", "http://aws.amazon.com/"):
        if url.startswith(prefix):
            return "aws: " + url[len(prefix) :].strip("/")
    return url


def total_note(e: Estimate) -> str:
    return f" (excludes {len(e.unknown)} unknown: {', '.join(e.unknown)})" if e.unknown else ""


# ---------------------------------------------------------------------------------------------
# For the review page (helpline.review looks for this hook)
# ---------------------------------------------------------------------------------------------
def review_estimate(cfg, *, calls_per_week: float, minutes_per_call: float) -> str | None:
    """An HTML table for `helpline review`, from the template `make synth` left in cdk.out/;
    None without one (the page then leaves the cost out rather than synthesize for 15 s)."""
    path = Path("cdk.out") / f"{cfg.stack_name}.template.json"
    if not path.is_file():
        return None
    try:
        template = read_template(path)
        rep = report(cfg, template, calls_per_week=calls_per_week, minutes_per_call=minutes_per_call)
    except Exception:  # noqa: BLE001 - the page is still useful without a cost estimate
        return None
    rows = "".join(
        f"<tr><td>{html.escape(at.item)}</td><td>{html.escape(unit_price(at))}</td>"
        f"<td>{money(idle.monthly)}</td><td>{money(at.monthly)}</td></tr>"
        for idle, at in zip(rep.idle.lines, rep.at_load.lines, strict=True)
    )
    return (
        f"<p>Monthly cost in {rep.prices.currency} from public list prices read on {html.escape(rep.prices.retrieved)} "
        f"(<code>helpline/cost/prices.yaml</code>), idle and at {calls_per_week:g} calls a week of "
        f"{minutes_per_call:g} minutes. Unknown prices are left out of the totals.</p>"
        "<table><tr><th>item</th><th>unit price</th><th>idle</th><th>at load</th></tr>"
        f"{rows}<tr><th>total</th><th></th><th>{money(rep.idle.total)}{html.escape(total_note(rep.idle))}</th>"
        f"<th>{money(rep.at_load.total)}{html.escape(total_note(rep.at_load))}</th></tr></table>"
    )
