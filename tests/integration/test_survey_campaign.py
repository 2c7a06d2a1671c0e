"""``helpline survey-campaign start|status|pause|resume|opt-out`` and the campaign part of
``helpline erase``, on a ``--state`` folder and on a deployed stack offline (the sandbox's moto
tables, named as a stack names them, found through a stubbed CloudFormation)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from functions.logic.common import sha256_hex
from helpline.cli import app
from helpline.config import COUNTRIES_DIR
from helpline.surveys.campaign import STATES

runner = CliRunner()
A, B, C = "+48600700801", "+48600700802", "+48600700803"
HEADER = "phone,language,consent\n"
RETENTION_DAYS = 7  # the test country's campaign.list_retention_days (the shipped default is 14)


def cli(*args: str, code: int = 0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.stdout + result.stderr
    return result


def _survey_country(tmp_path: Path, *, outbound: bool = True) -> Path:
    """pl's country file with (or without) an outbound survey whose list is kept RETENTION_DAYS."""
    data = yaml.safe_load((COUNTRIES_DIR / "pl.yaml").read_text(encoding="utf-8"))
    shipped = next((s for s in data["surveys"] if s["kind"] == "outbound"), None)
    data["surveys"] = [s for s in data["surveys"] if s["kind"] != "outbound"]
    if outbound:
        if shipped is None:  # built from the post-call survey's texts
            post = data["surveys"][0]
            shipped = {**post, "id": "needs", "kind": "outbound", "declined": post["thanks"]}
        shipped["campaign"] = {**shipped.get("campaign", {}), "list_retention_days": RETENTION_DAYS}
        data["surveys"].append(shipped)
    folder = tmp_path / ("countries" if outbound else "countries-without")
    folder.mkdir()
    path = folder / "pl.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def country(tmp_path) -> Path:
    return _survey_country(tmp_path)


def _csv(tmp_path: Path, *rows: str, name: str = "list.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def _start(country: Path, campaign: str, people: Path, *where, code: int = 0):
    """``survey-campaign start COUNTRY --campaign ID --list FILE <where...>``."""
    return cli("survey-campaign", "start", country, "--campaign", campaign, "--list", people, *where, code=code)


def _items(state: Path, table: str) -> list[dict]:
    path = state / f"{table}.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line] if path.exists() else []


def _write_items(state: Path, table: str, items: list[dict]) -> None:
    (state / f"{table}.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items))


def _pseudonym(state: Path, number: str) -> str:
    from helpline.audit.sources import pseudonym_for

    return pseudonym_for(number, (state / "caller-hash-key.secret").read_text().strip())


def _no_number(*texts: str) -> None:
    for text in texts:
        assert "600700" not in text, text


# ---------------------------------------------------------------------------- state folder


def test_start_loads_each_consenting_person_once_and_prints_no_number(tmp_path, country):
    state = tmp_path / "state"
    rows = (f"{A},uk,hotline call 2026-03-01", f"{B},ru,desk Warsaw", "+48 600 700 801,uk,again", f"{C},UK,form 17")
    result = cli(
        "survey-campaign", "start", country, "--campaign", "spring-1", "--list", _csv(tmp_path, *rows), "--state", state
    )
    assert "campaign spring-1 (survey needs) started: 3 to call, 1 duplicate(s) kept once, " in result.stdout
    assert "0 on the opt-out list skipped" in result.stdout
    _no_number(result.stdout, result.stderr)

    contacts = _items(state, "SurveyCampaignContacts")
    by_pseudonym = {c["pseudonym"]["S"]: c for c in contacts}
    assert set(by_pseudonym) == {_pseudonym(state, n) for n in (A, B, C)} and len(contacts) == 3
    first = by_pseudonym[_pseudonym(state, A)]
    assert (first["phone"]["S"], first["language"]["S"], first["consent_ref"]["S"]) == (
        A,
        "uk",
        "hotline call 2026-03-01",
    )
    assert by_pseudonym[_pseudonym(state, C)]["language"]["S"] == "uk"
    now = time.time()
    for item in contacts:
        assert item["campaign_id"]["S"] == "spring-1" and re.fullmatch(r"[0-9a-f]{32}", item["contact_key"]["S"])
        assert item["state"]["S"] == "pending" and item["queue"]["S"] == "spring-1#pending"
        assert item["attempts"]["N"] == "0" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["due_at"]["S"])
        assert abs(int(item["expires_at"]["N"]) - (now + RETENTION_DAYS * 86400)) < 120
    assert len({c["contact_key"]["S"] for c in contacts}) == 3
    (campaign,) = _items(state, "SurveyCampaigns")
    assert campaign["campaign_id"]["S"] == "spring-1" and campaign["status"]["S"] == "active"
    assert campaign["survey_id"]["S"] == "needs" and campaign["contacts"]["N"] == "3"
    assert campaign["list_expires_at"]["N"] == contacts[0]["expires_at"]["N"]


def test_a_bad_list_writes_nothing(tmp_path, country):
    state = tmp_path / "state"
    bad = _csv(tmp_path, f"{A},uk,ok", "600700802,uk,ok", f"{C},de,")
    result = _start(country, "spring-1", bad, "--state", state, code=2)
    assert "2 bad row(s), nothing written:\n  line 3: phone is not an E.164 number" in result.stderr
    assert "  line 4: language 'de' is not a language of pl (uk, ru); consent is empty" in result.stderr
    assert not state.exists()
    _no_number(result.stdout, result.stderr.replace(str(bad), ""))


def test_start_refuses_a_second_campaign_of_the_same_id_a_bad_id_and_a_country_without_outbound_survey(
    tmp_path, country
):
    state = tmp_path / "state"
    people = _csv(tmp_path, f"{A},uk,ok")
    _start(country, "spring-1", people, "--state", state)
    before = {p.name: p.read_bytes() for p in state.iterdir()}
    again = _start(country, "spring-1", _csv(tmp_path, f"{B},uk,ok"), "--state", state, code=1)
    assert "campaign spring-1 exists in state folder" in again.stderr and "choose a new --campaign id" in again.stderr
    assert {p.name: p.read_bytes() for p in state.iterdir()} == before
    for bad_id in ("ab", "Spring", "#runner", "a" * 41):
        result = cli(
            "survey-campaign", "start", country, "--campaign", bad_id, "--list", people, "--state", state, code=2
        )
        assert "use 3 to 40 of a-z, 0-9 and '-'" in result.stderr
    without = _survey_country(tmp_path, outbound=False)
    result = _start(without, "x-1", people, "--state", state, code=2)
    assert result.stderr.strip().count("\n") == 0
    assert "pl has no outbound survey; fix: add a survey with kind: outbound" in result.stderr
    result = _start(country, "x-1", people, code=2)
    assert "give exactly one of --state DIR or --stack NAME" in result.stderr


def test_opt_out_is_skipped_at_start_and_takes_the_person_off_pending_lists_only(tmp_path, country):
    state = tmp_path / "state"
    out = cli("survey-campaign", "opt-out", country, "--caller", A, "--state", state)
    assert "+48******801 added to the survey opt-out list; taken off 0 pending list(s)" in out.stdout
    _no_number(out.stdout)
    started = _start(country, "c-1", _csv(tmp_path, f"{A},uk,ok", f"{B},uk,ok", f"{C},ru,ok"), "--state", state)
    assert "2 to call, 0 duplicate(s) kept once, 1 on the opt-out list skipped" in started.stdout
    _start(country, "c-2", _csv(tmp_path, f"{B},uk,ok", name="2.csv"), "--state", state)
    assert _pseudonym(state, A) not in json.dumps(_items(state, "SurveyCampaignContacts"))
    # C's call is being placed right now: the runner owns that entry (it checks the opt-out list itself)
    # and B's c-2 entry waits for another attempt after a call where nothing was pressed (no_input)
    contacts = _items(state, "SurveyCampaignContacts")
    for item in contacts:
        if item["pseudonym"]["S"] == _pseudonym(state, C):
            item["state"] = {"S": "dialing"}
        if (item["campaign_id"]["S"], item["pseudonym"]["S"]) == ("c-2", _pseudonym(state, B)):
            item["state"] = {"S": "no_input"}
    _write_items(state, "SurveyCampaignContacts", contacts)

    out = cli("survey-campaign", "opt-out", country, "--caller", B, "--state", state)
    assert "+48******802 added to the survey opt-out list; taken off 2 pending list(s)" in out.stdout
    out = cli("survey-campaign", "opt-out", country, "--caller", "+48 600 700 803", "--state", state)
    assert "taken off 0 pending list(s)" in out.stdout
    again = cli("survey-campaign", "opt-out", country, "--caller", B, "--state", state)
    assert "+48******802 was already on the survey opt-out list; taken off 0 pending list(s)" in again.stdout

    entries = {(i["campaign_id"]["S"], i["pseudonym"]["S"]): i for i in _items(state, "SurveyCampaignContacts")}
    for campaign in ("c-1", "c-2"):
        b = entries[(campaign, _pseudonym(state, B))]
        assert b["state"]["S"] == "opted_out" and not {"phone", "queue", "due_at"} & set(b)
    c = entries[("c-1", _pseudonym(state, C))]
    assert c["state"]["S"] == "dialing" and c["phone"]["S"] == C
    opt_outs = {i["pseudonym"]["S"]: i["source"]["S"] for i in _items(state, "SurveyOptOuts")}
    assert opt_outs == {_pseudonym(state, n): "operator" for n in (A, B, C)}
    bad = cli("survey-campaign", "opt-out", country, "--caller", "12", "--state", state, code=2)
    assert "--caller is not an E.164 phone number" in bad.stderr


def test_status_counts_every_state_and_says_when_the_list_expires(tmp_path, country):
    state = tmp_path / "state"
    numbers = [f"+4860070090{i}" for i in range(len(STATES) + 2)]
    _start(country, "c-1", _csv(tmp_path, *(f"{n},uk,ok" for n in numbers)), "--state", state)
    contacts = sorted(_items(state, "SurveyCampaignContacts"), key=lambda i: i["contact_key"]["S"])
    wanted = [*STATES, "completed", "expired"]  # two completed; one past its TTL (not counted)
    for item, new in zip(contacts, wanted, strict=True):
        item["state"] = {"S": "pending" if new == "expired" else new}
        if new == "expired":
            item["expires_at"] = {"N": str(int(time.time()) - 60)}
    _write_items(state, "SurveyCampaignContacts", contacts)

    report = json.loads(
        cli("survey-campaign", "status", country, "--campaign", "c-1", "--state", state, "--format", "json").stdout
    )
    assert report["counts"] == {s: (2 if s == "completed" else 1) for s in STATES}
    assert list(report["counts"]) == list(STATES)
    assert (report["status"], report["survey_id"], report["contacts_loaded"]) == ("active", "needs", 10)
    (campaign,) = _items(state, "SurveyCampaigns")
    expected = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(campaign["list_expires_at"]["N"])))
    assert report["list_expires_at"] == expected and report["list_expired"] is False
    text = cli("survey-campaign", "status", country, "--campaign", "c-1", "--state", state).stdout
    assert f"campaign c-1 (survey needs): active, 10 loaded; the list expires {expected}" in text
    assert "  completed  2\n" in text and "  opted_out  1\n" in text and "  pending    1\n" in text
    assert cli("survey-campaign", "status", country, "--campaign", "c-9", "--state", state, code=1).stderr.endswith(
        "no campaign c-9 in state folder " + str(state) + "\n"
    )
    assert (
        "Invalid value for '--format'"
        in cli(
            "survey-campaign", "status", country, "--campaign", "c-1", "--state", state, "--format", "csv", code=2
        ).stderr
    )


def _status(state: Path) -> str:
    return _items(state, "SurveyCampaigns")[0]["status"]["S"]


def test_pause_and_resume(tmp_path, country):
    state = tmp_path / "state"
    _start(country, "c-1", _csv(tmp_path, f"{A},uk,ok"), "--state", state)
    assert (
        "campaign c-1 paused: no new calls"
        in cli("survey-campaign", "pause", country, "--campaign", "c-1", "--state", state).stdout
    )
    assert _status(state) == "paused"
    assert "already paused" in cli("survey-campaign", "pause", country, "--campaign", "c-1", "--state", state).stdout
    assert "active again" in cli("survey-campaign", "resume", country, "--campaign", "c-1", "--state", state).stdout
    assert _status(state) == "active"
    (campaign,) = _items(state, "SurveyCampaigns")
    campaign["status"] = {"S": "done"}
    _write_items(state, "SurveyCampaigns", [campaign])
    for verb in ("pause", "resume"):
        refused = cli("survey-campaign", verb, country, "--campaign", "c-1", "--state", state, code=1)
        assert "campaign c-1 is done" in refused.stderr
    assert _status(state) == "done"
    assert (
        "no campaign c-2"
        in cli("survey-campaign", "pause", country, "--campaign", "c-2", "--state", state, code=1).stderr
    )


def test_erase_removes_the_persons_list_entries_in_every_campaign_and_keeps_the_opt_out(tmp_path, country):
    state = tmp_path / "state"
    _start(country, "c-1", _csv(tmp_path, f"{A},uk,ok", f"{B},uk,ok"), "--state", state)
    _start(country, "c-2", _csv(tmp_path, f"{A},ru,ok", f"{C},uk,ok", name="2.csv"), "--state", state)
    cli("survey-campaign", "opt-out", country, "--caller", A, "--state", state)
    a = _pseudonym(state, A)
    # A's last survey call of c-2 (its Connect ContactId on the entry) left answers; C's answers stay
    contacts = _items(state, "SurveyCampaignContacts")
    for item in contacts:
        if item["campaign_id"]["S"] == "c-2":
            item["contact_id"] = {"S": "call-a" if item["pseudonym"]["S"] == a else "call-c"}
        if item["campaign_id"]["S"] == "c-2" and item["pseudonym"]["S"] == a:  # two attempts: both calls
            item["contact_ids"] = {"L": [{"S": "call-a0"}, {"S": "call-a"}]}
    _write_items(state, "SurveyCampaignContacts", contacts)
    answers = [
        {"response_key": {"S": sha256_hex(f"survey:{call}")}, "item_key": {"S": "needs#debt"}, "answer": {"S": "yes"}}
        for call in ("call-a0", "call-a", "call-c")
    ]
    _write_items(state, "SurveyResponses", answers)

    out = cli("erase", "--caller", A, "--state", state).stdout
    assert "2 survey answer(s)" in out
    assert "2 survey campaign list entr(ies) (the survey opt-out entry is kept)" in out
    assert [i["response_key"]["S"] for i in _items(state, "SurveyResponses")] == [sha256_hex("survey:call-c")]
    left = _items(state, "SurveyCampaignContacts")
    assert a not in json.dumps(left) and A not in json.dumps(left)
    assert sorted(i["pseudonym"]["S"] for i in left) == sorted(_pseudonym(state, n) for n in (B, C))
    assert [i["pseudonym"]["S"] for i in _items(state, "SurveyOptOuts")] == [a]
    assert "no data of this caller" in cli("erase", "--pseudonym", a, "--state", state).stdout


# ---------------------------------------------------------------------------- deployed stack (offline)


@pytest.fixture
def stack(monkeypatch):
    """The sandbox's moto tables (physical names as the stack's) behind a stubbed CloudFormation; every
    DynamoDB request the CLI makes is recorded as (operation, table)."""
    from functions.dal.models import MODELS_BY_LOGICAL_NAME
    from helpline.audit import stack as stack_module
    from helpline.sandbox import local_backend
    from tests.integration.support import partners
    from tests.integration.test_audit_stack import FakeSession

    class Recording(FakeSession):
        requests: list[tuple[str, str]] = []

        def client(self, service: str):
            client = super().client(service)
            if service == "dynamodb":
                client.meta.events.register(
                    "provide-client-params.dynamodb",
                    lambda model, params, **_: self.requests.append((model.name, params.get("TableName", ""))),
                )
            return client

    with local_backend(partners(), country="pl") as backend:
        resources = {f"{name}Table": model.Meta.table_name for name, model in MODELS_BY_LOGICAL_NAME.items()}
        resources["PseudonymKey"] = backend.env["PSEUDONYM_KEY_ID"]
        session = Recording(resources, {"InstanceId": "instance-1"})
        monkeypatch.setattr(stack_module, "session_for", lambda region: session)
        backend.session = session
        yield backend


def _stack(*args: str, code: int = 0):
    from tests.integration.test_audit_stack import REGION, STACK

    return cli(*args, "--stack", STACK, "--region", REGION, code=code)


def _scan(backend, logical: str) -> list[dict]:
    from functions.dal.models import MODELS_BY_LOGICAL_NAME
    from functions.logic.archive import plain_item

    ddb = backend._client("dynamodb")
    return [plain_item(i) for i in ddb.scan(TableName=MODELS_BY_LOGICAL_NAME[logical].Meta.table_name)["Items"]]


def _stack_pseudonym(backend, number: str) -> str:
    import boto3

    from functions.logic.pseudonym import KmsMacKey
    from helpline.audit.sources import pseudonym_for

    key = KmsMacKey(boto3.client("kms", region_name="eu-central-1"), backend.env["PSEUDONYM_KEY_ID"])
    return pseudonym_for(number, key)


def test_a_campaign_on_a_deployed_stack(stack, tmp_path, country):
    out = _stack(
        "survey-campaign",
        "start",
        country,
        "--campaign",
        "c-1",
        "--list",
        _csv(tmp_path, f"{A},uk,ok", f"{B},ru,ok", "+48 600 700 802,ru,again"),
    )
    assert "stack helpline-pl: campaign c-1 (survey needs) started: 2 to call, 1 duplicate(s)" in out.stdout
    _no_number(out.stdout, out.stderr)
    contacts = _scan(stack, "SurveyCampaignContacts")
    assert sorted(c["phone"] for c in contacts) == [A, B] and {c["state"] for c in contacts} == {"pending"}
    assert {c["pseudonym"] for c in contacts} == {_stack_pseudonym(stack, A), _stack_pseudonym(stack, B)}
    (campaign,) = _scan(stack, "SurveyCampaigns")
    assert (campaign["campaign_id"], campaign["status"], campaign["contacts"]) == ("c-1", "active", 2)

    _stack("survey-campaign", "pause", country, "--campaign", "c-1")
    assert _scan(stack, "SurveyCampaigns")[0]["status"] == "paused"
    _stack("survey-campaign", "resume", country, "--campaign", "c-1")
    assert _scan(stack, "SurveyCampaigns")[0]["status"] == "active"

    assert "taken off 1 pending list(s)" in _stack("survey-campaign", "opt-out", country, "--caller", B).stdout
    started = _stack(
        "survey-campaign",
        "start",
        country,
        "--campaign",
        "c-2",
        "--list",
        _csv(tmp_path, f"{A},uk,ok", f"{B},uk,ok", f"{C},uk,ok", name="2.csv"),
    )
    assert "2 to call, 0 duplicate(s) kept once, 1 on the opt-out list skipped" in started.stdout
    report = json.loads(_stack("survey-campaign", "status", country, "--campaign", "c-1", "--format", "json").stdout)
    assert report["counts"] == {s: {"pending": 1, "opted_out": 1}.get(s, 0) for s in STATES}
    (b_entry,) = [c for c in _scan(stack, "SurveyCampaignContacts") if c["pseudonym"] == _stack_pseudonym(stack, B)]
    assert b_entry["state"] == "opted_out" and not {"phone", "queue", "due_at"} & set(b_entry)

    a_entries = [c for c in _scan(stack, "SurveyCampaignContacts") if c["pseudonym"] == _stack_pseudonym(stack, A)]
    stack._client("dynamodb").update_item(
        TableName=stack.env["SURVEY_CONTACTS_TABLE"],
        Key={"campaign_id": {"S": a_entries[0]["campaign_id"]}, "contact_key": {"S": a_entries[0]["contact_key"]}},
        UpdateExpression="SET contact_id = :c",
        ExpressionAttributeValues={":c": {"S": "survey-call-a"}},
    )
    stack.session.redacted = ["survey-call-a"]  # Connect is asked to redact the number of that call
    stack.session.requests.clear()
    out = _stack("erase", "--caller", A).stdout
    assert "2 survey campaign list entr(ies)" in out
    assert "caller number redacted in 1 Amazon Connect contact record(s)" in out
    left = _scan(stack, "SurveyCampaignContacts")
    assert sorted(c["pseudonym"] for c in left) == sorted(_stack_pseudonym(stack, n) for n in (B, C))
    assert [o["pseudonym"] for o in _scan(stack, "SurveyOptOuts")] == [_stack_pseudonym(stack, B)]
    contacts_table = stack.env["SURVEY_CONTACTS_TABLE"]
    assert ("Query", contacts_table) in stack.session.requests
    assert ("Scan", contacts_table) not in stack.session.requests  # one Query per campaign, no table scan
    out = _stack("erase", "--caller", B).stdout
    assert "1 survey campaign list entr(ies)" in out
    assert [o["pseudonym"] for o in _scan(stack, "SurveyOptOuts")] == [_stack_pseudonym(stack, B)]


def test_a_start_that_loses_the_race_for_its_campaign_id_takes_its_list_back(stack, tmp_path, country):
    from helpline.audit.stack import StackSource
    from helpline.config import load_country
    from helpline.surveys import campaign as module
    from tests.integration.test_audit_stack import STACK

    _stack("survey-campaign", "start", country, "--campaign", "c-1", "--list", _csv(tmp_path, f"{A},uk,ok"))
    store = module.StackCampaigns(StackSource(STACK, None))
    store.campaign = lambda campaign_id: None  # another start wrote c-1 between the check and the write
    people, _ = module.read_list(_csv(tmp_path, f"{B},uk,ok", f"{C},uk,ok", name="2.csv"), ("uk",), "pl")
    with pytest.raises(module.CampaignError, match="created by someone else meanwhile; nothing written"):
        module.start(store, module.outbound_settings(load_country(country)), "c-1", people)
    assert [c["phone"] for c in _scan(stack, "SurveyCampaignContacts")] == [A]
    assert _scan(stack, "SurveyCampaigns")[0]["contacts"] == 1


def test_an_opt_out_leaves_an_entry_the_runner_started_dialling_meanwhile_to_the_runner(stack, tmp_path, country):
    from helpline.audit.stack import StackSource
    from helpline.surveys.campaign import StackCampaigns
    from tests.integration.test_audit_stack import STACK

    _stack("survey-campaign", "start", country, "--campaign", "c-1", "--list", _csv(tmp_path, f"{A},uk,ok"))
    (entry,) = _scan(stack, "SurveyCampaignContacts")
    store = StackCampaigns(StackSource(STACK, None))
    stack._client("dynamodb").update_item(
        TableName=stack.env["SURVEY_CONTACTS_TABLE"],
        Key={"campaign_id": {"S": "c-1"}, "contact_key": {"S": entry["contact_key"]}},
        UpdateExpression="SET #s = :d",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":d": {"S": "dialing"}},
    )
    assert store.mark_opted_out(entry) is False  # read as pending, dialling by the time of the write
    (after,) = _scan(stack, "SurveyCampaignContacts")
    assert after["state"] == "dialing" and after["phone"] == A
