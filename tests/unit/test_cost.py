"""`helpline cost`: inventory from a template, the monthly model, unknown prices, the data file, the CLI."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import typer
import yaml
from typer.testing import CliRunner

from helpline import cost
from helpline.cli import app
from helpline.config import load_country
from helpline.cost import (
    ASSUMPTIONS,
    DAYS_PER_MONTH,
    PRICES_FILE,
    WEEKS_PER_MONTH,
    CostError,
    Load,
    Price,
    PriceBook,
    estimate,
    inventory,
    load_prices,
)
from helpline.cost import cli as cost_cli
from helpline.cost.cli import command

runner = CliRunner()


def _fn(memory: int) -> dict:
    return {"Type": "AWS::Lambda::Function", "Properties": {"MemorySize": memory, "Architectures": ["arm64"]}}


# A small template: one flow function (1024 MB, Connect may invoke it), one event function
# (512 MB, a rule's target), one deploy-time function, one table, two keys, two alarms (one of
# them metric math over two metrics), a secret, a toll-free number in PL, recordings, a trail.
TEMPLATE = {
    "Resources": {
        "FlowFn": _fn(1024),
        "EventFn": _fn(512),
        "CustomResourceFn": {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "nodejs24.x"}},
        "FlowFnPermission": {
            "Type": "AWS::Lambda::Permission",
            "Properties": {"FunctionName": {"Fn::GetAtt": ["FlowFn", "Arn"]}, "Principal": "connect.amazonaws.com"},
        },
        "Rule": {"Type": "AWS::Events::Rule", "Properties": {"Targets": [{"Arn": {"Fn::GetAtt": ["EventFn", "Arn"]}}]}},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {"BillingMode": "PAY_PER_REQUEST"}},
        "DataKey": {"Type": "AWS::KMS::Key", "Properties": {"EnableKeyRotation": True}},
        "SigningKey": {"Type": "AWS::KMS::Key", "Properties": {"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}},
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}},
        "Recordings": {
            "Type": "AWS::Connect::InstanceStorageConfig",
            "Properties": {"ResourceType": "CALL_RECORDINGS"},
        },
        "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "Errors"}},
        "MathAlarm": {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "Metrics": [
                    {"Id": "a", "MetricStat": {}},
                    {"Id": "b", "MetricStat": {}},
                    {"Id": "e", "Expression": "a+b"},
                ]
            },
        },
        "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
        "Number": {"Type": "AWS::Connect::PhoneNumber", "Properties": {"CountryCode": "PL", "Type": "TOLL_FREE"}},
        "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {}},
    }
}

PRICE_VALUES = {
    "connect.instance_month": 0.0,
    "connect.voice_minute": 0.02,
    "connect.contact_lens_minute": 0.01,
    "connect.number_day.PL.TOLL_FREE": 0.5,
    "connect.inbound_minute.PL.TOLL_FREE": 0.1,
    "lambda.requests_million": 0.2,
    "lambda.arm_gb_second": 0.00001,
    "dynamodb.write_million": 1.0,
    "dynamodb.read_million": 0.5,
    "dynamodb.storage_gb_month": 0.25,
    "kms.key_month": 1.0,
    "kms.symmetric_requests_10k": 0.03,
    "kms.asymmetric_requests_10k": 0.15,
    "s3.standard_gb_month": 0.02,
    "cloudwatch.alarm_month": 0.1,
    "cloudwatch.logs_ingested_gb": 0.5,
    "eventbridge.aws_service_event": 0.0,
    "secretsmanager.secret_month": 0.4,
    "cloudtrail.data_events_100k": 0.1,
}


def book(**overrides: float | None) -> PriceBook:
    values = {**PRICE_VALUES, **{k.replace("__", "."): v for k, v in overrides.items()}}
    return PriceBook(
        {
            pid: Price(pid, v, "unit", "eu-central-1", "https://example.org/p", "2026-11-25")
            for pid, v in values.items()
        },
        "2026-11-25",
    )


def by_item(est) -> dict[str, float | None]:
    """Monthly cost by item name without its parenthesis (the first line of a name wins)."""
    items: dict[str, float | None] = {}
    for line in est.lines:
        items.setdefault(line.item.split(" (")[0], line.monthly)
    return items


# ---- inventory ----------------------------------------------------------------------------
def test_inventory_counts_what_the_template_creates():
    inv = inventory(TEMPLATE)
    roles = {f.name: (f.role, f.memory_mb, f.arch) for f in inv.functions}
    assert roles == {
        "FlowFn": ("flow", 1024, "arm64"),
        "EventFn": ("event", 512, "arm64"),
        "CustomResourceFn": ("deploy", 128, "x86_64"),
    }
    assert (inv.tables, inv.kms_symmetric, inv.kms_asymmetric, inv.buckets) == (1, 1, 1, 1)
    assert (inv.alarm_metrics, inv.log_groups, inv.secrets, inv.event_rules, inv.trails) == (3, 1, 1, 1, 1)
    assert inv.numbers == [("PL", "TOLL_FREE")] and inv.recordings


def test_a_number_named_by_arn_is_still_rented():
    inv = inventory(TEMPLATE, byo_number=("PL", "DID"))
    assert inv.numbers == [("PL", "TOLL_FREE"), ("PL", "DID")]


def test_a_template_without_resources_is_refused():
    with pytest.raises(CostError, match="no 'Resources'"):
        inventory({"Outputs": {}})


# ---- the model ----------------------------------------------------------------------------
def test_idle_month_is_the_fixed_items_only():
    est = estimate(inventory(TEMPLATE), book(), Load(0, 0, contact_lens=True))
    fixed = DAYS_PER_MONTH * 0.5 + 2 * 1.0 + 3 * 0.1 + 0.4  # number rent, keys, alarm metrics, secret
    assert est.total == pytest.approx(fixed)
    items = by_item(est)
    for per_use in ("Connect voice usage", "Inbound telephony", "Contact Lens", "Lambda requests", "DynamoDB writes"):
        assert items[per_use] == 0.0
    assert est.unknown == []


def test_month_at_load_from_the_data_file():
    load = Load(calls_per_week=100, minutes_per_call=5, contact_lens=True, recordings_days=91, interactions_days=365)
    est = estimate(inventory(TEMPLATE), book(), load)
    a = ASSUMPTIONS
    calls = 100 * WEEKS_PER_MONTH
    minutes = calls * 5
    invocations = calls * (a["flow_invocations_per_call"] + a["event_invocations_per_call"])  # no stream function
    gb_s = (
        calls
        * a["seconds_per_invocation"]
        * (a["flow_invocations_per_call"] * 1.0 + a["event_invocations_per_call"] * 0.5)
    )
    expected = {
        "Connect voice usage": minutes * 0.02,
        "Phone number rent": DAYS_PER_MONTH * 0.5,
        "Inbound telephony": minutes * 0.1,
        "Contact Lens": minutes * 0.01,
        "Lambda requests": invocations / 1e6 * 0.2,
        "Lambda compute": gb_s * 0.00001,
        "DynamoDB writes": calls * a["dynamodb_writes_per_call"] / 1e6 * 1.0,
        "DynamoDB reads": calls * a["dynamodb_reads_per_call"] / 1e6 * 0.5,
        "KMS keys": 2.0,
        "KMS requests": calls * a["kms_symmetric_requests_per_call"] / 1e4 * 0.03,
        "S3 storage: call recordings": minutes * a["recording_mb_per_minute"] / 1000 * (91 / DAYS_PER_MONTH) * 0.02,
        "CloudWatch alarms": 0.3,
        "CloudWatch Logs ingestion": invocations * a["log_kb_per_invocation"] / 1e6 * 0.5,
        "Secrets Manager secrets": 0.4,
        "CloudTrail data events": calls * a["cloudtrail_data_events_per_call"] / 1e5 * 0.1,
    }
    items = by_item(est)
    for item, value in expected.items():
        assert items[item] == pytest.approx(value), item
    asym = [line for line in est.lines if "asymmetric: signatures" in line.item][0]
    assert asym.monthly == pytest.approx(calls * a["kms_asymmetric_requests_per_call"] / 1e4 * 0.15)
    assert est.total == pytest.approx(sum(line.monthly for line in est.lines))


def test_contact_lens_is_priced_only_when_the_country_enables_it():
    est = estimate(inventory(TEMPLATE), book(), Load(100, 5, contact_lens=False))
    assert not any("Contact Lens" in line.item for line in est.lines)


def test_unknown_price_is_unknown_and_left_out_of_the_total():
    prices = book(connect__number_day__PL__TOLL_FREE=None)
    known = estimate(inventory(TEMPLATE), book(), Load(0, 0))
    est = estimate(inventory(TEMPLATE), prices, Load(0, 0))
    rent = [line for line in est.lines if line.item.startswith("Phone number rent")][0]
    assert rent.monthly is None and rent.unit_price is None
    assert est.unknown == ["Phone number rent (PL TOLL_FREE)"]
    assert est.total == pytest.approx(known.total - DAYS_PER_MONTH * 0.5)
    assert cost.money(rent.monthly) == "unknown" and cost.unit_price(rent) == "unknown"
    assert "excludes 1 unknown: Phone number rent (PL TOLL_FREE)" in cost.total_note(est)


def test_unknown_per_minute_price_costs_nothing_idle_and_is_unknown_at_load():
    prices = book(connect__inbound_minute__PL__TOLL_FREE=None)
    idle = by_item(estimate(inventory(TEMPLATE), prices, Load(0, 0)))
    busy = by_item(estimate(inventory(TEMPLATE), prices, Load(10, 3)))
    assert idle["Inbound telephony"] == 0.0 and busy["Inbound telephony"] is None


def test_a_price_missing_from_the_data_file_is_unknown_with_a_note():
    inv = inventory(TEMPLATE, byo_number=("PL", "UIFN"))
    est = estimate(inv, book(), Load(0, 0))
    uifn = [line for line in est.lines if line.item == "Phone number rent (PL UIFN)"][0]
    assert uifn.monthly is None and "no entry 'connect.number_day.PL.UIFN'" in uifn.note


# ---- the data file ------------------------------------------------------------------------
def test_every_price_in_the_data_file_has_a_date_a_source_and_a_unit():
    raw = yaml.safe_load(PRICES_FILE.read_text(encoding="utf-8"))
    dt.date.fromisoformat(str(raw["retrieved"]))
    assert raw["currency"] == "USD" and raw["prices"]
    for pid, entry in raw["prices"].items():
        dt.date.fromisoformat(str(entry["retrieved"]))
        assert re.match(r"^https://", entry["source"]), pid
        assert entry.get("via") is None or entry["via"].startswith("https://"), pid
        assert entry["unit"] and entry["region"], pid
        if entry["price"] is None:
            assert entry.get("note"), f"{pid}: an unknown price must say why"
        else:
            assert entry["price"] >= 0, pid


def test_the_data_file_names_every_price_the_model_asks_for():
    est = estimate(inventory(TEMPLATE), load_prices(), Load(10, 3, contact_lens=True))
    missing = [line.price_id for line in est.lines if "no entry" in line.note]
    assert missing == []


# The shipped countries' numbers are in the price file (a new country's are not until someone adds
# them: the tool then prints "unknown", see test_a_price_missing_from_the_data_file_is_unknown_with_a_note).
@pytest.mark.parametrize("code", ["hu", "pl", "ro"])
def test_every_country_s_number_type_has_telephony_entries(code):
    number = load_country(code).phone_number
    prices = load_prices().prices
    for kind in ("number_day", "inbound_minute"):
        assert f"connect.{kind}.{number.country_code}.{number.type}" in prices


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("currency: USD\n", "expected a mapping with 'prices:'"),
        ("prices:\n  a: {unit: x}\n", "has no 'price:'"),
        ("prices:\n  a: {price: -1}\n", "not a non-negative number"),
        ("prices: [\n", "cannot read the price file"),
    ],
)
def test_a_bad_price_file_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "prices.yaml"
    path.write_text(text)
    with pytest.raises(CostError, match=re.escape(message)):
        load_prices(path)


# ---- CLI ----------------------------------------------------------------------------------
def _app() -> typer.Typer:
    app = typer.Typer()
    app.command()(command)
    return app


@pytest.fixture
def template_file(tmp_path):
    path = tmp_path / "t.template.json"
    path.write_text(json.dumps(TEMPLATE))
    return path


def test_cli_json_has_idle_and_load_totals(template_file):
    r = runner.invoke(
        _app(),
        [
            "pl",
            "--template",
            str(template_file),
            "--calls-per-week",
            "400",
            "--minutes-per-call",
            "6",
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["country"] == "pl" and data["calls_per_week"] == 400 and data["prices_retrieved"]
    # PL's toll-free rent and per-minute rate are not in the data file: unknown, named, left out.
    assert "Phone number rent (PL TOLL_FREE)" in data["idle"]["unknown"]
    assert "Inbound telephony (PL TOLL_FREE)" in data["at_load"]["unknown"]
    assert data["at_load"]["total"] > data["idle"]["total"] > 0
    lines = {line["item"]: line for line in data["lines"]}
    assert lines["Connect voice usage"]["idle_monthly"] == 0.0
    assert lines["Connect voice usage"]["monthly"] == pytest.approx(400 * WEEKS_PER_MONTH * 6 * 0.038)
    assert data["assumptions"] == ASSUMPTIONS


def test_cli_table_prints_unknown_and_both_totals(template_file):
    r = runner.invoke(_app(), ["pl", "--template", str(template_file), "--calls-per-week", "10000"])
    assert r.exit_code == 0, r.output
    assert "unknown" in r.stdout
    assert re.search(r"idle \(0 calls\): \$[\d.,]+ a month \(excludes 1 unknown", r.stdout)
    assert "at 10000 calls/week x 6 min:" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["pl", "--calls-per-week", "-1"], "--calls-per-week: must be a number >= 0"),
        (["pl", "--minutes-per-call", "-0.5"], "--minutes-per-call: must be a number >= 0"),
        (["pl", "--minutes-per-call", "nan"], "--minutes-per-call: must be a number >= 0"),
        (["xx"], "countries/xx.yaml"),
    ],
)
def test_cli_bad_options_are_one_line_and_exit_2(args, message):
    r = runner.invoke(_app(), args)
    assert r.exit_code == 2
    assert message in r.stderr and r.stderr.count("\n") == 1 and "Traceback" not in r.output


def test_cli_an_unknown_format_is_refused_with_exit_2_naming_the_formats():
    r = CliRunner().invoke(app, ["cost", "pl", "--format", "table"])  # the old name of text
    said = " ".join(r.output.replace("│", " ").split())  # click's error box, unwrapped
    assert r.exit_code == 2 and "'table' is not one of 'text', 'json'" in said and "Traceback" not in r.output


def test_cli_text_and_json_tell_the_same_totals(template_file):
    args = ["cost", "pl", "--template", str(template_file), "--calls-per-week", "1000"]
    text = CliRunner().invoke(app, [*args, "--format", "text"])
    as_json = CliRunner().invoke(app, [*args, "--format", "json"])
    assert text.exit_code == 0 and as_json.exit_code == 0, (text.output, as_json.output)
    data = json.loads(as_json.stdout)
    idle, at_load = data["idle"], data["at_load"]
    assert (
        f"idle (0 calls): {cost.money(idle['total'])} a month (excludes {len(idle['unknown'])} unknown" in text.stdout
    )
    assert f"at 1000 calls/week x 6 min: {cost.money(at_load['total'])} a month" in text.stdout
    for line in data["lines"]:
        assert line["item"] in text.stdout


def test_cli_a_synthesis_that_cannot_run_is_one_line_and_exit_1(monkeypatch):
    def not_built(cfg, *, stage=None):
        raise SystemExit("Lambda assets are not built: run `make build` first")

    monkeypatch.setattr(cost_cli, "synthesize", not_built)
    r = CliRunner().invoke(app, ["cost", "pl", "--format", "json"])
    assert r.exit_code == 1 and r.stdout == "" and "Traceback" not in r.output
    assert r.stderr.splitlines()[-1] == "Lambda assets are not built: run `make build` first"


def test_cli_unreadable_template_is_one_line_and_exit_2(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    r = runner.invoke(_app(), ["pl", "--template", str(path)])
    assert r.exit_code == 2 and "cannot read the template" in r.stderr and r.stderr.count("\n") == 1


def test_review_page_hook_needs_a_synthesized_template(tmp_path, monkeypatch, template_file):
    cfg = load_country("pl")
    monkeypatch.chdir(tmp_path)
    assert cost.review_estimate(cfg, calls_per_week=400, minutes_per_call=6) is None
    (tmp_path / "cdk.out").mkdir()
    (tmp_path / "cdk.out" / f"{cfg.stack_name}.template.json").write_text(template_file.read_text())
    page = cost.review_estimate(cfg, calls_per_week=400, minutes_per_call=6)
    assert page and "<table>" in page and "unknown" in page and "Phone number rent (PL TOLL_FREE)" in page


def test_the_pseudonym_hmac_key_is_a_key_and_its_generate_mac_calls_are_priced():
    template = {
        "Resources": {
            **TEMPLATE["Resources"],
            "PseudonymKey": {
                "Type": "AWS::KMS::Key",
                "Properties": {"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC"},
            },
        }
    }
    inv = inventory(template)
    assert (inv.kms_symmetric, inv.kms_asymmetric, inv.kms_hmac) == (1, 1, 1)  # not counted as asymmetric
    load = Load(calls_per_week=100, minutes_per_call=5, contact_lens=False, recordings_days=91, interactions_days=365)
    est = estimate(inv, book(), load)
    calls = 100 * WEEKS_PER_MONTH
    (mac,) = [line for line in est.lines if "GenerateMac" in line.item]
    assert mac.monthly == pytest.approx(calls * ASSUMPTIONS["kms_mac_requests_per_call"] / 1e4 * 0.03)
    assert by_item(est)["KMS keys"] == pytest.approx(3.0)
    assert "GenerateMac" not in " ".join(line.item for line in estimate(inventory(TEMPLATE), book(), load).lines)
