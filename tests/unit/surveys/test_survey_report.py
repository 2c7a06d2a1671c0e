"""`helpline survey-report`: counts, percentages, completion per question and language; CSV; charts."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import COUNTRIES_DIR, ConfigError, load_country
from helpline.surveys import answers_from_stack
from helpline.surveys.report import summarize

PL = load_country("pl")


def _answer(response: str, question: str, answer: str, language: str | None = "uk") -> dict:
    item = {
        "response_key": {"S": response},
        "item_key": {"S": f"after_call#{question}"},
        "survey_id": {"S": "after_call"},
        "question_id": {"S": question},
        "answer": {"S": answer},
        "answered_at": {"S": "2026-11-25T10:00:00.000000+0000"},
    }
    if language:
        item["language"] = {"S": language}
    return item


# Three started surveys: r1 (uk) answers everything, r2 (uk) declines one and stops, r3 (ru) answers one.
ITEMS = [
    _answer("r1", "helped", "yes"), _answer("r1", "satisfied", "1"), _answer("r1", "household", "4"),
    _answer("r2", "helped", "no"), _answer("r2", "satisfied", "prefer_not"),
    _answer("r3", "helped", "yes", "ru"),
    _answer("r3", "satisfied", "7", "ru"),  # not one of the 4 choices: reported, not counted
]  # fmt: skip


def _plain(items):
    from helpline.surveys.answers import _plain as plain

    return [plain(i) for i in items]


def _stat(stats, question, language="all"):
    return next(s for s in stats if s.question == question and s.language == language)


def test_percentages_count_answers_and_completion_counts_who_reached_the_question():
    stats, warnings = summarize(PL, _plain(ITEMS))
    helped = _stat(stats, "helped")
    assert (helped.started, helped.answered, dict(helped.counts)) == (3, 3, {"yes": 2, "no": 1})
    assert round(helped.percent("yes"), 1) == 66.7 and helped.completion == 1.0
    satisfied = _stat(stats, "satisfied")
    assert dict(satisfied.counts) == {"Very satisfied": 1} and dict(satisfied.declined) == {"prefer_not": 1}
    assert satisfied.percent("Very satisfied") == 100.0 and round(satisfied.completion, 3) == 0.667
    household = _stat(stats, "household")
    assert dict(household.counts) == {"4": 1} and round(household.completion, 3) == 0.333
    assert warnings == ["1 answers not in the country file's surveys: after_call/satisfied=7"]


def test_each_language_is_reported_on_its_own():
    stats, _ = summarize(PL, _plain(ITEMS))
    assert (_stat(stats, "helped", "uk").started, _stat(stats, "helped", "ru").started) == (2, 1)
    assert dict(_stat(stats, "helped", "ru").counts) == {"yes": 1}
    assert dict(_stat(stats, "helped", "uk").counts) == {"yes": 1, "no": 1}


def _state(tmp_path: Path, items) -> Path:
    folder = tmp_path / "state"
    folder.mkdir()
    (folder / "SurveyResponses.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    return folder


def test_cli_writes_the_csv_and_one_chart_per_question_and_flags_small_samples(tmp_path):
    out = tmp_path / "report"
    result = CliRunner().invoke(
        app, ["survey-report", "pl", "--state", str(_state(tmp_path, ITEMS)), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "pl-surveys.csv").open(encoding="utf-8")))
    yes = next(r for r in rows if r["question"] == "helped" and r["language"] == "all" and r["answer"] == "yes")
    assert (yes["count"], yes["percent_of_answered"], yes["started"], yes["small_sample"]) == ("2", "66.7", "3", "yes")
    declined = next(
        r for r in rows if r["question"] == "satisfied" and r["language"] == "all" and r["answer"] == "prefer_not"
    )
    assert (declined["count"], declined["percent_of_answered"], declined["completion_percent"]) == ("1", "", "66.7")
    charts = sorted(p.name for p in out.glob("*.png"))
    assert charts == ["after_call-helped.png", "after_call-household.png", "after_call-satisfied.png"]
    assert all((out / c).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for c in charts)
    assert "after_call/satisfied=7" in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["pl"], "give exactly one of --state DIR or --stack NAME"),
        (["pl", "--state", "nowhere", "--stack", "x"], "give exactly one"),
        (["pl", "--state", "nowhere"], "nowhere is not a folder"),
        (["pl", "--state", ".", "--survey", "intake"], "pl has no survey 'intake' (surveys: after_call, needs)"),
        (["zz", "--state", "."], "zz.yaml: file not found"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args, expected):
    result = CliRunner().invoke(app, ["survey-report", *args])
    assert result.exit_code == 2 and expected in result.output and "Traceback" not in result.output


def test_a_broken_state_file_names_its_line(tmp_path):
    folder = _state(tmp_path, ITEMS)
    with (folder / "SurveyResponses.jsonl").open("a", encoding="utf-8") as fh:
        fh.write('{"response_key": {"S": "r9"}}\n')
    result = CliRunner().invoke(app, ["survey-report", "pl", "--state", str(folder), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "SurveyResponses.jsonl:8" in result.output and "item_key" in result.output


class _Session:
    def __init__(self, clients):
        self.clients = clients

    def client(self, name):
        return self.clients[name]


def test_a_deployed_stack_is_read_from_its_survey_table_with_pagination():
    import boto3

    cfn = boto3.client("cloudformation", region_name="eu-central-1")
    ddb = boto3.client("dynamodb", region_name="eu-central-1")
    with Stubber(cfn) as cfn_stub, Stubber(ddb) as ddb_stub:
        cfn_stub.add_response(
            "describe_stack_resource",
            {
                "StackResourceDetail": {
                    "LogicalResourceId": "SurveyResponsesTable",
                    "PhysicalResourceId": "t-123",
                    "ResourceType": "AWS::DynamoDB::Table",
                    "LastUpdatedTimestamp": "2026-11-25",
                    "ResourceStatus": "CREATE_COMPLETE",
                }
            },  # fmt: skip
            {"StackName": "Helpline-PL-prod", "LogicalResourceId": "SurveyResponsesTable"},
        )
        ddb_stub.add_response("scan", {"Items": ITEMS[:4], "LastEvaluatedKey": ITEMS[3]}, {"TableName": "t-123"})
        ddb_stub.add_response("scan", {"Items": ITEMS[4:]}, {"TableName": "t-123", "ExclusiveStartKey": ITEMS[3]})
        answers = answers_from_stack("Helpline-PL-prod", _Session({"cloudformation": cfn, "dynamodb": ddb}))
    assert [a["answer"] for a in answers] == ["yes", "1", "4", "no", "prefer_not", "yes", "7"]


# ---------------------------------------------------------------- survey definitions in the country file


@pytest.fixture
def countries(tmp_path: Path) -> Path:
    folder = tmp_path / "countries"
    shutil.copytree(COUNTRIES_DIR, folder)
    return folder


def _broken(folder: Path, change) -> str:
    import yaml

    path = folder / "pl.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["surveys"][0])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_country("pl", countries_dir=folder)
    return str(info.value)


def test_a_survey_text_missing_in_a_language_is_named(countries):
    error = _broken(countries, lambda s: (s["questions"][1]["text"].pop("ru"), s["thanks"].pop("ru")))
    assert "2 survey texts are missing: surveys[0].thanks.ru, surveys[0].questions[1].text.ru" in error


def test_a_survey_must_end_by_naming_the_emergency_number(countries):
    error = _broken(countries, lambda s: s["thanks"].update(uk="Дякуємо. До побачення."))
    assert "surveys[0].thanks.uk: the survey's last words do not name the emergency number" in error


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s["questions"][1].update(choices=["Only one"]), "offers 1 answers; fix: list 2 to 9 choices"),
        (lambda s: s["questions"][0].update(choices=["a", "b"]), "is yes_no but lists choices"),
        (lambda s: s["questions"][2].update(id="helped"), "question 'helped' is listed twice"),
        (lambda s: s["questions"][0].update(kind="scale"), "surveys[0].questions[0].kind"),
    ],
)
def test_question_shapes_are_checked(countries, change, expected):
    assert expected in _broken(countries, change)


# ---------------------------------------------------------------- the command's output and exit codes


def _rows(text: str) -> list[list[str]]:
    """The table's rows as cells (the table is printed whole when standard output is not a terminal)."""
    return [[c.strip() for c in line.split("│")[1:-1]] for line in text.splitlines() if line.startswith("│")]


def test_json_holds_the_counts_the_table_shows_and_the_files_written(tmp_path):
    state = _state(tmp_path, ITEMS)
    args = ["survey-report", "pl", "--state", str(state), "--out", str(tmp_path / "o")]
    text = CliRunner().invoke(app, args)
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert text.exit_code == 0 and result.exit_code == 0, (text.output, result.output)
    report = json.loads(result.stdout)
    table = _rows(text.stdout)
    assert len(table) == len(report["questions"]) == 9  # 3 questions x (all, ru, uk)
    for row, q in zip(table, report["questions"], strict=True):
        shares = ", ".join(f"{a['answer']} {a['percent_of_answered']:.0f}%" for a in q["answers"])
        small = " (small sample)" if q["small_sample"] else ""
        expected = [q["survey"], q["label"], q["language"], f"{q['answered']}{small}",
                    f"{q['completion_percent']:.0f}%", shares]  # fmt: skip
        assert row == expected
    helped = report["questions"][0]
    assert helped["answers"] == [
        {"answer": "yes", "count": 2, "percent_of_answered": 66.7},
        {"answer": "no", "count": 1, "percent_of_answered": 33.3},
    ]
    assert report["questions"][1]["declined"] == {"prefer_not": 1}
    assert report["warnings"] == ["1 answers not in the country file's surveys: after_call/satisfied=7"]
    out = tmp_path / "o"
    assert report["files"] == [str(out / "pl-surveys.csv")] + [
        str(out / f"after_call-{q}.png") for q in ("helped", "satisfied", "household")
    ]
    assert all(Path(f).is_file() for f in report["files"])
    assert f"wrote {out / 'pl-surveys.csv'} and 3 charts" in text.stdout


def test_the_report_is_written_under_build_by_default(tmp_path, monkeypatch):
    state = _state(tmp_path, ITEMS)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["survey-report", "pl", "--state", str(state), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["files"][0] == str(Path("build") / "survey-report" / "pl-surveys.csv")
    assert (tmp_path / "build" / "survey-report" / "pl-surveys.csv").is_file()
    assert not (tmp_path / "survey-report").exists()


def test_a_stack_that_cannot_be_read_or_does_not_exist_is_one_line_and_exit_2(monkeypatch):
    from botocore.exceptions import ClientError, NoCredentialsError

    from helpline.surveys import report_cli  # where the command looks the reader up

    def no_credentials(stack, session):
        raise NoCredentialsError()

    monkeypatch.setattr(report_cli, "answers_from_stack", no_credentials)
    result = CliRunner().invoke(app, ["survey-report", "pl", "--stack", "Helpline-PL-prod", "--format", "json"])
    assert result.exit_code == 2 and result.stdout == "" and "Traceback" not in result.output
    assert "cannot read the stack's survey table: Unable to locate credentials" in result.stderr

    regions = []

    def no_stack(stack, session):
        regions.append(session.region_name)  # --region is the AWS Region the stack is looked for in
        error = {"Error": {"Code": "ValidationError", "Message": f"Stack '{stack}' does not exist"}}
        raise ClientError(error, "DescribeStackResource")

    monkeypatch.setattr(report_cli, "answers_from_stack", no_stack)
    result = CliRunner().invoke(app, ["survey-report", "pl", "--stack", "Helpline-XX-prod", "--region", "eu-west-2"])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "survey-report: --stack Helpline-XX-prod: Stack 'Helpline-XX-prod' does not exist" in result.stderr
    assert regions == ["eu-west-2"]


def test_an_out_folder_that_cannot_be_written_is_one_line_and_exit_2(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder\n")
    args = ["survey-report", "pl", "--state", str(_state(tmp_path, ITEMS)), "--out", str(blocked)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.splitlines()[-1].startswith(f"survey-report: cannot write to {blocked}: ")
