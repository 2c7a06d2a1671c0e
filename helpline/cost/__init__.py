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

Modules: ``prices`` (the data file), ``resources`` (what the template creates), ``model`` (the
model and its assumptions, one function per service), ``template`` (synthesize or read it),
``reporting`` (idle and at load, the numbers as text, the review page's table), ``cli`` (the command).
"""

from helpline.cost.errors import CostError
from helpline.cost.model import ASSUMPTIONS, DAYS_PER_MONTH, WEEKS_PER_MONTH, Estimate, Line, Load, estimate
from helpline.cost.prices import PRICES_FILE, Price, PriceBook, load_prices
from helpline.cost.reporting import (
    Report,
    byo_number,
    load_for,
    money,
    quantity,
    report,
    review_estimate,
    short_source,
    total_note,
    unit_price,
)
from helpline.cost.resources import CONNECT_PRINCIPAL, Function, Inventory, inventory
from helpline.cost.template import REPO_ROOT, read_template, synthesize

__all__ = [
    "ASSUMPTIONS",
    "CONNECT_PRINCIPAL",
    "DAYS_PER_MONTH",
    "PRICES_FILE",
    "REPO_ROOT",
    "WEEKS_PER_MONTH",
    "CostError",
    "Estimate",
    "Function",
    "Inventory",
    "Line",
    "Load",
    "Price",
    "PriceBook",
    "Report",
    "byo_number",
    "estimate",
    "inventory",
    "load_for",
    "load_prices",
    "money",
    "quantity",
    "read_template",
    "report",
    "review_estimate",
    "short_source",
    "synthesize",
    "total_note",
    "unit_price",
]
