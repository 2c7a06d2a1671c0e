"""The monthly estimate: one priced line per thing used, from the inventory, the prices and a load.

The model (the package docstring says more): a month is 4.345 weeks (calls) and 30.4 days (number
rent); per-call usage follows the documented ``ASSUMPTIONS``; at 0 calls every per-call line is 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpline.cost.prices import PriceBook
from helpline.cost.resources import Inventory

WEEKS_PER_MONTH = 4.345
DAYS_PER_MONTH = 30.4

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


def _lambda_usage(inv: Inventory, load: Load) -> tuple[float, float]:
    """(Lambda invocations, GB-seconds) a month: per-call invocations by role, at the role's mean memory."""
    a = ASSUMPTIONS
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
        n = load.calls * per
        invocations += n
        mean_gb = sum(f.memory_mb for f in fns) / len(fns) / 1024
        gb_seconds += n * mean_gb * a["seconds_per_invocation"]
    return invocations, gb_seconds


def _connect(inv: Inventory, prices: PriceBook, load: Load) -> list[Line]:
    """The instance, voice minutes, each number's rent and inbound minutes, Contact Lens."""
    minutes = load.minutes
    lines = [
        _line(prices, "Amazon Connect instance", 1, "connect.instance_month"),
        _line(prices, "Connect voice usage", minutes, "connect.voice_minute"),
    ]
    for country, kind in inv.numbers or []:
        label = f"{country or '?'} {kind or '?'}"
        lines.append(
            _line(prices, f"Phone number rent ({label})", DAYS_PER_MONTH, f"connect.number_day.{country}.{kind}")
        )
        lines.append(_line(prices, f"Inbound telephony ({label})", minutes, f"connect.inbound_minute.{country}.{kind}"))
    if load.contact_lens:
        lines.append(_line(prices, "Contact Lens (analysed minutes)", minutes, "connect.contact_lens_minute"))
    return lines


def _lambda(inv: Inventory, prices: PriceBook, load: Load) -> list[Line]:
    """Requests and compute (priced as arm64)."""
    invocations, gb_seconds = _lambda_usage(inv, load)
    n_fns = len(inv.functions)
    arm = all(f.arch == "arm64" for f in inv.functions if f.role != "deploy")
    return [
        _line(prices, f"Lambda requests ({n_fns} functions)", invocations / 1e6, "lambda.requests_million"),
        _line(
            prices,
            "Lambda compute (arm64)" if arm else "Lambda compute (x86 functions priced as arm64)",
            gb_seconds,
            "lambda.arm_gb_second",
        ),
    ]


def _dynamodb(inv: Inventory, prices: PriceBook, load: Load) -> list[Line]:
    """On-demand writes and reads, and the storage of the calls kept for retention_days.interactions."""
    if not inv.tables:
        return []
    a, calls = ASSUMPTIONS, load.calls
    stored_gb = calls * a["dynamodb_kb_per_call"] * (load.interactions_days / DAYS_PER_MONTH) / 1e6
    return [
        _line(
            prices,
            f"DynamoDB writes ({inv.tables} tables, on-demand)",
            calls * a["dynamodb_writes_per_call"] / 1e6,
            "dynamodb.write_million",
        ),
        _line(prices, "DynamoDB reads", calls * a["dynamodb_reads_per_call"] / 1e6, "dynamodb.read_million"),
        _line(
            prices,
            "DynamoDB storage (steady state)",
            stored_gb,
            "dynamodb.storage_gb_month",
            "calls kept for retention_days.interactions; the first 25 GB a month are free",
        ),
    ]


def _kms(inv: Inventory, prices: PriceBook, load: Load) -> list[Line]:
    """The keys a month, and the symmetric, HMAC and asymmetric requests."""
    calls = load.calls

    def requests(item: str, assumption: str, price_id: str, note: str = "") -> Line:  # priced per 10,000
        return _line(prices, item, calls * ASSUMPTIONS[assumption] / 1e4, price_id, note)

    lines = []
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
            requests("KMS requests (symmetric)", "kms_symmetric_requests_per_call", "kms.symmetric_requests_10k")
        )
    if inv.kms_hmac:
        lines.append(
            requests(
                "KMS requests (HMAC: pseudonyms, GenerateMac)",
                "kms_mac_requests_per_call",
                "kms.symmetric_requests_10k",
                "HMAC keys are symmetric keys (KMS developer guide, hmac.html); priced at the symmetric rate",
            )
        )
    if inv.kms_asymmetric:
        lines.append(
            requests(
                "KMS requests (asymmetric: signatures)",
                "kms_asymmetric_requests_per_call",
                "kms.asymmetric_requests_10k",
            )
        )
    return lines


def _s3(inv: Inventory, prices: PriceBook, load: Load) -> list[Line]:
    """The call recordings, kept for retention_days.recordings (when the instance stores them)."""
    if not inv.buckets:
        return []
    gb = (
        load.minutes * ASSUMPTIONS["recording_mb_per_minute"] / 1000 * (load.recordings_days / DAYS_PER_MONTH)
        if inv.recordings
        else 0.0
    )
    return [
        _line(
            prices,
            f"S3 storage: call recordings ({inv.buckets} buckets)",
            gb,
            "s3.standard_gb_month",
            "steady state: recordings kept for retention_days.recordings",
        )
    ]


def _cloudwatch(inv: Inventory, prices: PriceBook, load: Load) -> list[Line]:
    """Alarm metrics, and the ingestion of the functions' logs."""
    lines = []
    if inv.alarm_metrics:
        lines.append(_line(prices, "CloudWatch alarms", inv.alarm_metrics, "cloudwatch.alarm_month"))
    if inv.log_groups:
        gb = _lambda_usage(inv, load)[0] * ASSUMPTIONS["log_kb_per_invocation"] / 1e6
        lines.append(
            _line(prices, f"CloudWatch Logs ingestion ({inv.log_groups} log groups)", gb, "cloudwatch.logs_ingested_gb")
        )
    return lines


def _eventbridge(inv: Inventory, prices: PriceBook, load: Load) -> list[Line]:
    if not inv.event_rules:
        return []
    return [
        _line(
            prices,
            f"EventBridge ({inv.event_rules} rules, AWS service events)",
            load.calls * ASSUMPTIONS["event_invocations_per_call"],
            "eventbridge.aws_service_event",
        )
    ]


def _secrets(inv: Inventory, prices: PriceBook, load: Load) -> list[Line]:
    if not inv.secrets:
        return []
    return [_line(prices, "Secrets Manager secrets", inv.secrets, "secretsmanager.secret_month")]


def _cloudtrail(inv: Inventory, prices: PriceBook, load: Load) -> list[Line]:
    if not inv.trails:
        return []
    return [
        _line(
            prices,
            f"CloudTrail data events ({inv.trails} trail)",
            load.calls * ASSUMPTIONS["cloudtrail_data_events_per_call"] / 1e5,
            "cloudtrail.data_events_100k",
        )
    ]


# The estimate's lines, in the order the table prints them: one function per service.
COST_LINES = (_connect, _lambda, _dynamodb, _kms, _s3, _cloudwatch, _eventbridge, _secrets, _cloudtrail)


def estimate(inv: Inventory, prices: PriceBook, load: Load) -> Estimate:
    """Every priced line for one month at ``load`` (a Load with 0 calls is the idle month)."""
    return Estimate([line for cost_lines in COST_LINES for line in cost_lines(inv, prices, load)])
