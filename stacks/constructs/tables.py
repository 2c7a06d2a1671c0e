"""DynamoDB tables generated from the PynamoDB models in ``functions/dal`` (one source).

Key schema, attribute types, secondary indexes, TTL attribute and stream settings are read
from each model, so the deployed tables and the code that uses them cannot drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pynamodb.attributes import TTLAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, IncludeProjection, KeysOnlyProjection
from pynamodb.models import Model


@dataclass(frozen=True)
class KeySpec:
    name: str
    type: str  # "S" | "N" | "B"


@dataclass(frozen=True)
class IndexSpec:
    name: str
    partition: KeySpec
    sort: KeySpec | None
    projection: str  # "ALL" | "KEYS_ONLY" | "INCLUDE"
    non_key_attributes: tuple[str, ...] = ()
    is_global: bool = True


@dataclass(frozen=True)
class TableSpec:
    logical_name: str
    env_var: str
    partition: KeySpec
    sort: KeySpec | None
    indexes: tuple[IndexSpec, ...] = field(default_factory=tuple)
    ttl_attribute: str | None = None
    stream_view_type: str | None = None


def _key(attr) -> KeySpec:
    return KeySpec(attr.attr_name, attr.attr_type)


def table_spec(model: type[Model]) -> TableSpec:
    attrs = model.get_attributes()
    hash_attr = next(a for a in attrs.values() if a.is_hash_key)
    range_attr = next((a for a in attrs.values() if a.is_range_key), None)
    ttl = next((a.attr_name for a in attrs.values() if isinstance(a, TTLAttribute)), None)
    indexes = []
    for index in model._indexes.values():
        ia = index.Meta.attributes
        ih = next(a for a in ia.values() if a.is_hash_key)
        ir = next((a for a in ia.values() if a.is_range_key), None)
        proj = index.Meta.projection
        if isinstance(proj, AllProjection):
            ptype, non_key = "ALL", ()
        elif isinstance(proj, KeysOnlyProjection):
            ptype, non_key = "KEYS_ONLY", ()
        elif isinstance(proj, IncludeProjection):
            ptype, non_key = "INCLUDE", tuple(proj.non_key_attributes)
        else:  # pragma: no cover - PynamoDB has only these three
            raise TypeError(f"unknown projection {proj!r}")
        indexes.append(
            IndexSpec(
                name=index.Meta.index_name,
                partition=_key(ih),
                sort=_key(ir) if ir else None,
                projection=ptype,
                non_key_attributes=non_key,
                is_global=isinstance(index, GlobalSecondaryIndex),
            )
        )
    return TableSpec(
        logical_name=model.LOGICAL_NAME,  # type: ignore[attr-defined]
        env_var=model.TABLE_ENV,  # type: ignore[attr-defined]
        partition=_key(hash_attr),
        sort=_key(range_attr) if range_attr else None,
        indexes=tuple(sorted(indexes, key=lambda i: i.name)),
        ttl_attribute=ttl,
        stream_view_type=getattr(model.Meta, "stream_view_type", None),
    )


def all_table_specs() -> list[TableSpec]:
    from functions.dal.models import ALL_MODELS

    return [table_spec(m) for m in ALL_MODELS]
