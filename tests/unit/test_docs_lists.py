"""The lists a new user needs are in docs/country-file.md, in step with the code they come from (a user
writing a country from the docs alone should not have to read helpline/config/reference.py)."""

from __future__ import annotations

import re
from pathlib import Path

from functions.models.needs import SUB_CODES, TOP_LEVEL
from helpline.config.reference import CONNECT_REGIONS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "country-file.md").read_text(encoding="utf-8")


def test_the_region_row_lists_every_region_with_amazon_connect():
    row = next(line for line in DOC.splitlines() if line.startswith("| `region` |"))
    assert set(re.findall(r"`([a-z]{2}(?:-gov)?-[a-z]+-\d)`", row)) == set(CONNECT_REGIONS)


def test_the_needs_table_lists_every_code_a_partner_may_serve():
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `([A-Z]{2})` \| (.*) \|$", DOC, re.M)}
    assert list(rows) == list(TOP_LEVEL)
    for top, subs in SUB_CODES.items():
        assert re.findall(r"`[A-Z]{2}-([A-Z]{2})`", rows[top]) == list(subs), top
