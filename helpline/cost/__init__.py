"""Monthly cost of one country's helpline, idle and at a given load (``helpline cost XX``).

What is priced comes from the synthesized CloudFormation template (functions and their memory,
tables, keys, buckets, alarms, log groups, secrets, claimed numbers, rules, trails) and from the
country file (number type and country, Contact Lens, recording retention). What each thing costs
comes from one data file, ``prices.yaml``, where every price carries its unit, Region, source
URL and the date it was read. A price the data file does not know (null, or absent) is printed
as "unknown" and left out of the total, which then says so.

The model, per month:
- a month is 4.345 weeks (calls) and 30.4 days (number rent);
- voice minutes = calls x minutes per call; Connect voice usage, inbound telephony (by country
  and number type) and, when the country enables it, Contact Lens are per minute;
- per-call requests (Lambda, DynamoDB, KMS, CloudTrail data events, logs, recordings) follow the
  documented assumptions in ``ASSUMPTIONS``; at 0 calls they are all 0 (the idle cost is the
  number rent, keys, alarms and secrets);
- free tiers are not deducted (they are per account, and an account may run several countries).

No AWS credentials or network: the template is synthesized in-process (or read from a file).
"""

from __future__ import annotations

import html
import importlib.util
import json
import math
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

PRICES_FILE = Path(__file__).with_name("prices.yaml")
REPO_ROOT = Path(__file__).resolve().parents[2]
WEEKS_PER_MONTH = 4.345
DAYS_PER_MONTH = 30.4
# Connect's own principal on a Lambda permission marks a function the contact flows invoke.
CONNECT_PRINCIPAL = "connect.amazonaws.com"

# Per-call usage, documented assumptions (change them here; the JSON output repeats them).
ASSUMPTIONS: dict[str, float] = {
    # `helpline call pl --lang uk --press 1` invokes identify_caller once; the operator's guide
    # (caller context, screening, outcome) adds about 3 on an answered call.
    "flow_invocations_per_call": 4,
    # Connect contact events (initiated, queued, connected to agent, disconnected) -> one rule target each.
    "event_invocations_per_call": 4,
    # Stream consumers (outbox, archive): about one batch per call at low load (an upper bound).
    "stream_invocations_per_call": 1,
    # Billed duration per invocation, cold starts amortised (README benchmarks: ~10 ms warm, ~190 ms cold import).
    "seconds_per_invocation": 0.3,
    # Items written per call (caller, case, interaction, events, outbox, survey): write request units.
    "dynamodb_writes_per_call": 12,
    "dynamodb_reads_per_call": 6,
    # Kilobytes kept per call in the tables (kept for retention_days.interactions).
    "dynamodb_kb_per_call": 6,
    # Data-key requests reach KMS rarely (SDK and bucket-key caching); one signed checkpoint per call at most.
    "kms_symmetric_requests_per_call": 4,
    "kms_asymmetric_requests_per_call": 1,
    # The pseudonym: one GenerateMac in identify_caller and one in create_case (no cache, by design).
    "kms_mac_requests_per_call": 2,
    # Log lines per invocation (structured logs, REPORT line).
    "log_kb_per_invocation": 3,
    # Call recordings: 8 kHz 16-bit stereo WAV, about 1.9 MB per minute; kept retention_days.recordings.
    "recording_mb_per_minute": 1.9,
    # DynamoDB and S3 object requests per call that a trail records as data events.
    "cloudtrail_data_events_per_call": 20,
}


class CostError(Exception):
    """A problem the user can fix (bad template, unreadable price file); ``str()`` is one line."""


# ---------------------------------------------------------------------------------------------
# Prices
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Price:
    id: str
    price: float | None
    unit: str
    region: str
    source: str
    retrieved: str
    note: str = ""
    via: str = ""


@dataclass(frozen=True)
class PriceBook:
    prices: dict[str, Price]
    retrieved: str
    currency: str = "USD"

    def get(self, price_id: str) -> Price:
        """The price, or an unknown one saying the data file has no entry for it."""
        return self.prices.get(price_id) or Price(
            price_id, None, "", "", "", "", note=f"no entry '{price_id}' in the price file"
        )


def load_prices(path: Path = PRICES_FILE) -> PriceBook:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CostError(f"{path}: cannot read the price file ({exc})") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("prices"), dict):
        raise CostError(f"{path}: expected a mapping with 'prices:'")
    prices = {}
    for pid, entry in raw["prices"].items():
        if not isinstance(entry, dict) or "price" not in entry:
            raise CostError(f"{path}: price '{pid}' has no 'price:' (use null when unknown)")
        value = entry["price"]
        if value is not None and (not isinstance(value, int | float) or value < 0):
            raise CostError(f"{path}: price '{pid}' is not a non-negative number or null")
        prices[pid] = Price(
            id=pid,
            price=None if value is None else float(value),
            unit=str(entry.get("unit", "")),
            region=str(entry.get("region", "")),
            source=str(entry.get("source", "")),
            retrieved=str(entry.get("retrieved", "")),
            note=str(entry.get("note", "")).strip(),
            via=str(entry.get("via", "")),
        )
    return PriceBook(prices, str(raw.get("retrieved", "")), str(raw.get("currency", "USD")))


# ---------------------------------------------------------------------------------------------
# What the template creates
# ---------------------------------------------------------------------------------------------
@dataclass
class Function:
    name: str
    memory_mb: int
    arch: str
    role: str  # flow | event | stream | deploy


@dataclass
class Inventory:
    functions: list[Function] = field(default_factory=list)
    tables: int = 0
    kms_symmetric: int = 0
    kms_asymmetric: int = 0
    kms_hmac: int = 0
    buckets: int = 0
    alarm_metrics: int = 0
    log_groups: int = 0
    secrets: int = 0
    numbers: list[tuple[str | None, str | None]] = field(default_factory=list)  # (country, type)
    event_rules: int = 0
    trails: int = 0
    recordings: bool = False

    def functions_in(self, role: str) -> list[Function]:
        return [f for f in self.functions if f.role == role]


def _refs(value: Any) -> set[str]:
    """Logical ids referenced (Ref / Fn::GetAtt) anywhere inside a property value."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            found.add(value["Ref"])
        getatt = value.get("Fn::GetAtt")
        if isinstance(getatt, list) and getatt:
            found.add(str(getatt[0]))
        for v in value.values():
            found |= _refs(v)
    elif isinstance(value, list):
        for v in value:
            found |= _refs(v)
    return found


def _alarm_metrics(props: dict) -> int:
    """Billed alarm metrics: one for a plain alarm, one per metric of a metric-math alarm."""
    metrics = props.get("Metrics")
    if isinstance(metrics, list):
        return max(1, sum(1 for m in metrics if isinstance(m, dict) and "MetricStat" in m))
    return 1


def inventory(template: dict, *, byo_number: tuple[str | None, str | None] | None = None) -> Inventory:
    """Count what a synthesized template creates. ``byo_number`` adds a number claimed outside it."""
    resources = template.get("Resources")
    if not isinstance(resources, dict):
        raise CostError("the template has no 'Resources'")
    by_type: dict[str, list[tuple[str, dict]]] = {}
    for logical_id, res in resources.items():
        by_type.setdefault(res.get("Type", ""), []).append((logical_id, res.get("Properties") or {}))

    flow_fns = {
        fid
        for _, p in by_type.get("AWS::Lambda::Permission", [])
        if p.get("Principal") == CONNECT_PRINCIPAL
        for fid in _refs(p.get("FunctionName"))
    }
    event_fns = {fid for _, p in by_type.get("AWS::Events::Rule", []) for fid in _refs(p.get("Targets"))}
    stream_fns = {
        fid for _, p in by_type.get("AWS::Lambda::EventSourceMapping", []) for fid in _refs(p.get("FunctionName"))
    }

    inv = Inventory()
    for fid, p in by_type.get("AWS::Lambda::Function", []):
        role = (
            "flow" if fid in flow_fns else "event" if fid in event_fns else "stream" if fid in stream_fns else "deploy"
        )
        arch = (p.get("Architectures") or ["x86_64"])[0]
        inv.functions.append(Function(fid, int(p.get("MemorySize") or 128), str(arch), role))
    inv.tables = len(by_type.get("AWS::DynamoDB::Table", []))
    for _, p in by_type.get("AWS::KMS::Key", []):
        spec = p.get("KeySpec") or "SYMMETRIC_DEFAULT"
        if spec == "SYMMETRIC_DEFAULT":
            inv.kms_symmetric += 1
        elif spec.startswith("HMAC_"):
            inv.kms_hmac += 1
        else:
            inv.kms_asymmetric += 1
    inv.buckets = len(by_type.get("AWS::S3::Bucket", []))
    inv.alarm_metrics = sum(_alarm_metrics(p) for _, p in by_type.get("AWS::CloudWatch::Alarm", []))
    inv.log_groups = len(by_type.get("AWS::Logs::LogGroup", []))
    inv.secrets = len(by_type.get("AWS::SecretsManager::Secret", []))
    inv.numbers = [(p.get("CountryCode"), p.get("Type")) for _, p in by_type.get("AWS::Connect::PhoneNumber", [])]
    if byo_number is not None:
        inv.numbers.append(byo_number)
    inv.event_rules = len(by_type.get("AWS::Events::Rule", []))
    inv.trails = len(by_type.get("AWS::CloudTrail::Trail", []))
    inv.recordings = any(
        p.get("ResourceType") == "CALL_RECORDINGS" for _, p in by_type.get("AWS::Connect::InstanceStorageConfig", [])
    )
    return inv


# ---------------------------------------------------------------------------------------------
# The estimate
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Load:
    calls_per_week: float = 0
    minutes_per_call: float = 0
    contact_lens: bool = False
    recordings_days: int = 90
    interactions_days: int = 365

    @property
    def calls(self) -> float:
        return self.calls_per_week * WEEKS_PER_MONTH

    @property
    def minutes(self) -> float:
        return self.calls * self.minutes_per_call


@dataclass
class Line:
    item: str
    quantity: float
    unit: str
    price_id: str
    unit_price: float | None
    monthly: float | None  # None: unknown price for a non-zero quantity
    source: str
    note: str = ""


@dataclass
class Estimate:
    lines: list[Line]

    @property
    def total(self) -> float:
        return sum(line.monthly for line in self.lines if line.monthly is not None)

    @property
    def unknown(self) -> list[str]:
        return [line.item for line in self.lines if line.monthly is None]


def _line(prices: PriceBook, item: str, quantity: float, price_id: str, note: str = "") -> Line:
    price = prices.get(price_id)
    if quantity == 0:
        monthly: float | None = 0.0  # nothing used costs nothing, whatever the price
    elif price.price is None:
        monthly = None
    else:
        monthly = quantity * price.price
    return Line(item, quantity, price.unit, price_id, price.price, monthly, price.source, note or price.note)


def estimate(inv: Inventory, prices: PriceBook, load: Load) -> Estimate:
    """Every priced line for one month at ``load`` (a Load with 0 calls is the idle month)."""
    a = ASSUMPTIONS
    calls, minutes = load.calls, load.minutes
    lines: list[Line] = [_line(prices, "Amazon Connect instance", 1, "connect.instance_month")]
    lines.append(_line(prices, "Connect voice usage", minutes, "connect.voice_minute"))
    for country, kind in inv.numbers or []:
        label = f"{country or '?'} {kind or '?'}"
        lines.append(
            _line(prices, f"Phone number rent ({label})", DAYS_PER_MONTH, f"connect.number_day.{country}.{kind}")
        )
        lines.append(_line(prices, f"Inbound telephony ({label})", minutes, f"connect.inbound_minute.{country}.{kind}"))
    if load.contact_lens:
        lines.append(_line(prices, "Contact Lens (analysed minutes)", minutes, "connect.contact_lens_minute"))

    per_call = {
        "flow": a["flow_invocations_per_call"],
        "event": a["event_invocations_per_call"],
        "stream": a["stream_invocations_per_call"],
    }
    invocations = gb_seconds = 0.0
    for role, per in per_call.items():
        fns = inv.functions_in(role)
        if not fns:
            continue
        n = calls * per
        invocations += n
        mean_gb = sum(f.memory_mb for f in fns) / len(fns) / 1024
        gb_seconds += n * mean_gb * a["seconds_per_invocation"]
    n_fns = len(inv.functions)
    lines.append(_line(prices, f"Lambda requests ({n_fns} functions)", invocations / 1e6, "lambda.requests_million"))
    arm = all(f.arch == "arm64" for f in inv.functions if f.role != "deploy")
    lines.append(
        _line(
            prices,
            "Lambda compute (arm64)" if arm else "Lambda compute (x86 functions priced as arm64)",
            gb_seconds,
            "lambda.arm_gb_second",
        )
    )
    if inv.tables:
        tables = f"{inv.tables} tables, on-demand"
        lines.append(
            _line(
                prices,
                f"DynamoDB writes ({tables})",
                calls * a["dynamodb_writes_per_call"] / 1e6,
                "dynamodb.write_million",
            )
        )
        lines.append(
            _line(prices, "DynamoDB reads", calls * a["dynamodb_reads_per_call"] / 1e6, "dynamodb.read_million")
        )
        stored_gb = calls * a["dynamodb_kb_per_call"] * (load.interactions_days / DAYS_PER_MONTH) / 1e6
        lines.append(
            _line(
                prices,
                "DynamoDB storage (steady state)",
                stored_gb,
                "dynamodb.storage_gb_month",
                "calls kept for retention_days.interactions; the first 25 GB a month are free",
            )
        )
    keys = inv.kms_symmetric + inv.kms_asymmetric + inv.kms_hmac
    if keys:
        lines.append(
            _line(
                prices,
                f"KMS keys ({inv.kms_symmetric} symmetric, {inv.kms_asymmetric} asymmetric, {inv.kms_hmac} HMAC)",
                keys,
                "kms.key_month",
            )
        )
        lines.append(
            _line(
                prices,
                "KMS requests (symmetric)",
                calls * a["kms_symmetric_requests_per_call"] / 1e4,
                "kms.symmetric_requests_10k",
            )
        )
    if inv.kms_hmac:
        lines.append(
            _line(
                prices,
                "KMS requests (HMAC: pseudonyms, GenerateMac)",
                calls * a["kms_mac_requests_per_call"] / 1e4,
                "kms.symmetric_requests_10k",
                "HMAC keys are symmetric keys (KMS developer guide, hmac.html); priced at the symmetric rate",
            )
        )
    if inv.kms_asymmetric:
        lines.append(
            _line(
                prices,
                "KMS requests (asymmetric: signatures)",
                calls * a["kms_asymmetric_requests_per_call"] / 1e4,
                "kms.asymmetric_requests_10k",
            )
        )
    if inv.buckets:
        gb = (
            minutes * a["recording_mb_per_minute"] / 1000 * (load.recordings_days / DAYS_PER_MONTH)
            if inv.recordings
            else 0.0
        )
        lines.append(
            _line(
                prices,
                f"S3 storage: call recordings ({inv.buckets} buckets)",
                gb,
                "s3.standard_gb_month",
                "steady state: recordings kept for retention_days.recordings",
            )
        )
    if inv.alarm_metrics:
        lines.append(_line(prices, "CloudWatch alarms", inv.alarm_metrics, "cloudwatch.alarm_month"))
    if inv.log_groups:
        gb = invocations * a["log_kb_per_invocation"] / 1e6
        lines.append(
            _line(prices, f"CloudWatch Logs ingestion ({inv.log_groups} log groups)", gb, "cloudwatch.logs_ingested_gb")
        )
    if inv.event_rules:
        lines.append(
            _line(
                prices,
                f"EventBridge ({inv.event_rules} rules, AWS service events)",
                calls * a["event_invocations_per_call"],
                "eventbridge.aws_service_event",
            )
        )
    if inv.secrets:
        lines.append(_line(prices, "Secrets Manager secrets", inv.secrets, "secretsmanager.secret_month"))
    if inv.trails:
        lines.append(
            _line(
                prices,
                f"CloudTrail data events ({inv.trails} trail)",
                calls * a["cloudtrail_data_events_per_call"] / 1e5,
                "cloudtrail.data_events_100k",
            )
        )
    return Estimate(lines)


# ---------------------------------------------------------------------------------------------
# Template
# ---------------------------------------------------------------------------------------------
def synthesize(cfg, *, stage: str | None = None) -> dict:
    """The country's template, synthesized in-process (no credentials, no network; ~15 s)."""
    cdk_app = _cdk_app()
    with tempfile.TemporaryDirectory(prefix="helpline-cost-") as outdir:
        app = cdk_app.build_app(countries=[cfg.code], stage=stage or cfg.stage, outdir=outdir, nag=False)
        app.synth()
        return json.loads((Path(outdir) / f"{cfg.stack_name}.template.json").read_text())


def _cdk_app():
    """The repository's app.py (beside helpline/, not an installed module)."""
    loaded = sys.modules.get("app")
    if loaded is not None and hasattr(loaded, "build_app"):
        return loaded
    spec = importlib.util.spec_from_file_location("app", REPO_ROOT / "app.py")
    if spec is None or spec.loader is None:
        raise CostError(f"{REPO_ROOT / 'app.py'}: not found; pass --template")
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    return module


def read_template(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CostError(f"{path}: cannot read the template ({exc})") from None
    if not isinstance(data, dict):
        raise CostError(f"{path}: not a CloudFormation template")
    return data


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
