"""What each thing costs: ``prices.yaml``, every price with its unit, Region, source URL and the date
it was read; a price the file does not know is "unknown" (None)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from helpline.cost.errors import CostError

PRICES_FILE = Path(__file__).with_name("prices.yaml")


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
