"""phone_number.outbound: a separate number to call out from where the inbound number cannot.

Admin guide, outbound-calling-restrictions.html: UIFN numbers are for inbound calls only (calls
from them are blocked: an error); toll-free numbers are not supported for international calls
and their outbound use is listed per country (a warning).
"""

from __future__ import annotations

import shutil

import pytest

from helpline.config import COUNTRIES_DIR, load_country
from helpline.config.rules import config_warnings
from tests.unit.config.test_country_files import _edit, _error

REGION_ARN = "arn:aws:connect:eu-central-1:123456789012:phone-number/"
DID_ARN = REGION_ARN + "11111111-1111-4111-8111-111111111111"
TF_ARN = REGION_ARN + "22222222-2222-4222-8222-222222222222"


@pytest.fixture
def countries(tmp_path):
    """A private copy of countries/ to change."""
    return shutil.copytree(COUNTRIES_DIR, tmp_path / "countries")


def _warnings(folder, code: str) -> list[str]:
    return config_warnings(load_country(code, countries_dir=folder), f"{code}.yaml")


def _without_outbound(countries, code: str) -> None:
    _edit(countries, code, lambda d: d["phone_number"].pop("outbound", None))


def test_the_shipped_toll_free_lines_call_out_from_a_did():
    for code in ("pl", "hu"):
        cfg = load_country(code)
        assert cfg.phone_number.type == "TOLL_FREE" and cfg.phone_number.outbound.type == "DID"
        assert config_warnings(cfg, f"{code}.yaml") == []


def test_a_toll_free_number_without_an_outbound_number_is_warned_once_with_the_fix(countries):
    _without_outbound(countries, "pl")
    warnings = _warnings(countries, "pl")  # the Polish line is toll-free
    assert len(warnings) == 1 and "\n" not in warnings[0]
    assert warnings[0].startswith("pl.yaml: phone_number.outbound: the TOLL_FREE number")
    assert "international" in warnings[0]
    assert "fix: add phone_number.outbound: {type: DID, country_code: PL}" in warnings[0]


def test_a_did_inbound_number_calls_out_itself_without_a_warning(countries):
    assert _warnings(countries, "ro") == []  # the Romanian line is a DID


def test_an_outbound_did_to_claim_silences_the_warning_and_is_kept(countries):
    _edit(countries, "pl", lambda d: d["phone_number"].update(outbound={"type": "DID", "country_code": "PL"}))
    cfg = load_country("pl", countries_dir=countries)
    assert cfg.phone_number.outbound.type == "DID" and cfg.phone_number.type == "TOLL_FREE"
    assert config_warnings(cfg, "pl.yaml") == []


def test_an_existing_outbound_number_by_arn(countries):
    _edit(countries, "pl", lambda d: d["phone_number"].update(outbound={"arn": DID_ARN}))
    assert load_country("pl", countries_dir=countries).phone_number.outbound.arn == DID_ARN


def test_an_inbound_only_uifn_without_an_outbound_number_is_refused(countries):
    _without_outbound(countries, "pl")
    _edit(countries, "pl", lambda d: d["phone_number"].update(type="UIFN"))
    error = _error(countries, "pl")
    assert "pl.yaml: phone_number.outbound: a UIFN number cannot call out" in error
    assert "fix: add phone_number.outbound:" in error


def test_a_uifn_cannot_be_the_outbound_number(countries):
    _edit(countries, "pl", lambda d: d["phone_number"].update(outbound={"type": "UIFN", "country_code": "PL"}))
    assert "phone_number.outbound.type: a UIFN number cannot call out" in _error(countries, "pl")


def test_an_outbound_number_needs_an_arn_or_what_to_claim(countries):
    _edit(countries, "pl", lambda d: d["phone_number"].update(outbound={"prefix": "+4822"}))
    assert "phone_number.outbound: needs either arn" in _error(countries, "pl")


def test_an_outbound_number_of_another_country_or_region_is_refused(countries):
    _edit(countries, "pl", lambda d: d["phone_number"].update(outbound={"type": "DID", "country_code": "DE"}))
    assert "phone_number.outbound.country_code: 'DE' is not PL" in _error(countries, "pl")
    other = "arn:aws:connect:eu-west-2:123456789012:phone-number/11111111-1111-4111-8111-111111111111"
    _edit(countries, "pl", lambda d: d["phone_number"].update(outbound={"arn": other}))
    assert "phone_number.outbound.arn: is in eu-west-2" in _error(countries, "pl")


def test_the_inbound_number_is_not_its_own_outbound_number(countries):
    _edit(countries, "pl", lambda d: d.update(phone_number={"arn": TF_ARN, "outbound": {"arn": TF_ARN}}))
    assert "phone_number.outbound.arn: is the inbound number itself" in _error(countries, "pl")


def test_an_unknown_outbound_field_is_one_line(countries):
    _edit(countries, "pl", lambda d: d["phone_number"].update(outbound={"number": "+48221234567"}))
    assert "phone_number.outbound" in _error(countries, "pl")


def test_validate_prints_the_toll_free_warning_and_still_passes(countries, monkeypatch):
    from typer.testing import CliRunner

    from helpline.cli import app

    _without_outbound(countries, "pl")
    monkeypatch.setenv("HELPLINE_COUNTRIES_DIR", str(countries))
    result = CliRunner().invoke(app, ["validate", "pl", "ro"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "countries/pl.yaml: phone_number.outbound" in warnings[0]
