"""The country file's ``audit`` section and the E.164 rule for partners the stack turns into quick connects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from helpline.config import COUNTRIES_DIR, ConfigError, load_country


@pytest.fixture
def countries(tmp_path: Path) -> Path:
    folder = tmp_path / "countries"
    shutil.copytree(COUNTRIES_DIR, folder)
    return folder


def _edit(folder: Path, change) -> None:
    path = folder / "pl.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _error(folder: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load_country("pl", countries_dir=folder)
    text = str(info.value)
    assert "\n" not in text and "pl.yaml" in text and "fix:" in text
    return text


def test_defaults_follow_the_cases_retention(countries):
    _edit(countries, lambda d: d.setdefault("retention_days", {}).update(cases=900, interactions=900, referrals=900))
    cfg = load_country("pl", countries_dir=countries)
    assert cfg.audit.archive_retention_days is None and cfg.archive_retention_days == 900
    assert cfg.audit.checkpoint_batch_seconds == 60 and cfg.audit.auditor_principals == []


def test_configured_values_are_used(countries):
    principals = ["arn:aws:iam::123456789012:role/auditors", "210987654321"]
    _edit(
        countries,
        lambda d: d.update(
            audit={"archive_retention_days": 2000, "checkpoint_batch_seconds": 300, "auditor_principals": principals}
        ),
    )
    cfg = load_country("pl", countries_dir=countries)
    assert cfg.archive_retention_days == 2000
    assert cfg.audit.checkpoint_batch_seconds == 300 and cfg.audit.auditor_principals == principals


def test_an_archive_shorter_than_the_records_it_anchors_is_refused(countries):
    _edit(countries, lambda d: d.update(audit={"archive_retention_days": 100}))
    text = _error(countries)
    assert "audit.archive_retention_days" in text and "730" in text


@pytest.mark.parametrize(
    ("audit", "field"),
    [
        ({"checkpoint_batch_seconds": 301}, "audit.checkpoint_batch_seconds"),
        ({"archive_retention_days": 0}, "audit.archive_retention_days"),
        ({"auditor_principals": ["arn:aws:iam::123:role/x"]}, "audit.auditor_principals"),
        ({"auditor_principals": ["everyone"]}, "audit.auditor_principals"),
        ({"signing": True}, "audit.signing"),
    ],
)
def test_bad_audit_values_name_the_field(countries, audit, field):
    _edit(countries, lambda d: d.update(audit=audit))
    assert field in _error(countries)


def test_a_partner_phone_that_is_not_e164_is_refused(countries):
    def change(d):
        phone = next(p for p in d["partners"] if p["channel"]["type"] == "phone")
        phone["channel"]["address"] = "022 000 00 01"

    _edit(countries, change)
    text = _error(countries)
    assert "partners[" in text and ".channel.address" in text and "E.164" in text


def test_partner_phones_become_e164_without_spaces():
    cfg = load_country("ro")
    numbers = sorted(p.channel.e164 for p in cfg.partners if p.channel.type == "phone")
    assert numbers == ["+40210000001", "+40241000001"]
