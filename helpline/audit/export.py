"""``helpline audit export``: chain records as CSV or JSON Lines (``--format json``), filtered.

One row per interaction record (both chain kinds: ``case#<id>`` and ``contact#<id>``), in key
order (chain, seq).  Filters combine (AND): ``since``/``until`` (inclusive dates, on the UTC
``occurred_at``), ``case`` (the record's case id), ``operator`` (the record's ``actor``),
``country`` (the case's country from the Cases table, else the case id's prefix ``PL-...``;
records without a case have no country and are left out by a country filter).

CSV cells are neutralised against spreadsheet formulas (OWASP, "CSV Injection",
https://owasp.org/www-community/attacks/CSV_Injection): a cell starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it as text
(an ``--actor`` of ``=HYPERLINK(...)`` stays a string).  Remove that apostrophe before recomputing
a record's hash from a CSV export; JSON Lines exports keep every value unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """The export cannot be written; ``str()`` is the one line for the user."""


def neutral_cell(value: Any) -> Any:
    """A CSV cell a spreadsheet cannot run: text starting like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else value


COLUMNS = (
    "chain_id",
    "seq",
    "record_type",
    "occurred_at",
    "recorded_at",
    "actor",
    "case_id",
    "country",
    "contact_id",
    "event_id",
    "payload",
    "prev_hash",
    "record_hash",
    "expires_at",
)


def _country(record: dict[str, Any], countries: dict[str, str]) -> str:
    case_id = str(record.get("case_id") or "")
    if not case_id:
        return ""
    return countries.get(case_id) or case_id.split("-", 1)[0].lower()


def rows(
    records: list[dict[str, Any]],
    cases: list[dict[str, Any]],
    *,
    since: str | None = None,
    until: str | None = None,
    case: str | None = None,
    operator: str | None = None,
    country: str | None = None,
) -> list[dict[str, Any]]:
    countries = {str(c["case_id"]): str(c.get("country") or "").lower() for c in cases if c.get("case_id")}
    out = []
    for record in records:
        day = str(record.get("occurred_at") or "")[:10]
        row = {name: record.get(name) for name in COLUMNS}
        row["country"] = _country(record, countries)
        row["payload"] = dict(record.get("payload") or {})
        if since and day < since or until and day > until:
            continue
        if case and record.get("case_id") != case:
            continue
        if operator and record.get("actor") != operator:
            continue
        if country and row["country"] != country.lower():
            continue
        out.append(row)

    def key(row: dict[str, Any]) -> tuple:
        seq = row.get("seq")
        return (str(row.get("chain_id")), seq if isinstance(seq, int) else -1)

    return sorted(out, key=key)


def render(selected: list[dict[str, Any]], fmt: str) -> str:
    """``csv`` (a header line, then one row per record) or ``json`` (JSON Lines: one record per line)."""
    if fmt == "json":
        return "".join(json.dumps(r, sort_keys=True, ensure_ascii=False) + "\n" for r in selected)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in selected:
        cells = {**row, "payload": json.dumps(row["payload"], sort_keys=True, ensure_ascii=False)}
        writer.writerow({name: neutral_cell(value) for name, value in cells.items()})
    return buffer.getvalue()


def write(text: str, output: Path) -> None:
    """Write the export; a missing folder or a refused write is one :class:`ExportError` line."""
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExportError(f"{output}: cannot write the export: {exc.strerror or exc}") from None
