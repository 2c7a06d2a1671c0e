"""What a synthesized CloudFormation template creates, counted for pricing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from helpline.cost.errors import CostError

# Connect's own principal on a Lambda permission marks a function the contact flows invoke.
CONNECT_PRINCIPAL = "connect.amazonaws.com"


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
