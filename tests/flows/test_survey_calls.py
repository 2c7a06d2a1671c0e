"""End to end: simulated post-call survey calls (the CustomerRemaining disconnect flow, the real
record_survey_answer handler) into a --state folder, then ``helpline survey-report`` on it."""

from __future__ import annotations

import csv

from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import load_country
from helpline.flows.scenarios import OPEN_AT, WAIT
from helpline.flows.simulate import simulate_call

PL = load_country("pl")

# (language, what the caller keys after the operator hangs up, how the survey flow ends)
CALLS = [
    ("uk", "1 1 1 3#", "disconnect"),  # yes, Very satisfied, 3
    ("uk", "1 2 2 12#", "disconnect"),  # no, Satisfied, 12 (charted as 10+)
    ("ru", "1 1 0 1 *", "disconnect"),  # yes, 0 repeats then Very satisfied, prefer not to say
    ("uk", "1 1", "hung_up"),  # yes, then hangs up at the second question
    ("uk", "2", "disconnect"),  # declines: nothing stored, not counted as started
    ("ru", "1 - - 4 - -", "disconnect"),  # no answer twice (time-outs), Very dissatisfied, no answer
]


def test_simulated_survey_calls_make_the_report(tmp_path, free_sandbox):
    state, out = tmp_path / "state", tmp_path / "report"
    for i, (lang, keys, end) in enumerate(CALLS):
        result = simulate_call(PL, lang=lang, presses=[WAIT, "0"], at=OPEN_AT, caller=f"+4850010030{i}",
                               state_dir=state, survey=keys.split())  # fmt: skip
        assert (result.outcome, result.survey_outcome) == ("queue", end), result.render_transcript()
    run = CliRunner().invoke(
        app, ["survey-report", "pl", "--state", str(state), "--out", str(out), "--min-sample", "3"]
    )
    assert run.exit_code == 0, run.output
    rows = list(csv.DictReader((out / "pl-surveys.csv").open(encoding="utf-8")))
    got = {
        (r["question"], r["language"], r["answer"]): (r["count"], r["started"], r["completion_percent"]) for r in rows
    }
    assert got == {
        ("helped", "all", "yes"): ("3", "5", "100.0"),
        ("helped", "all", "no"): ("1", "5", "100.0"),
        ("helped", "all", "no_answer"): ("1", "5", "100.0"),
        ("satisfied", "all", "Very satisfied"): ("2", "5", "80.0"),
        ("satisfied", "all", "Satisfied"): ("1", "5", "80.0"),
        ("satisfied", "all", "Dissatisfied"): ("0", "5", "80.0"),
        ("satisfied", "all", "Very dissatisfied"): ("1", "5", "80.0"),
        ("household", "all", "3"): ("1", "5", "80.0"),
        ("household", "all", "10+"): ("1", "5", "80.0"),
        ("household", "all", "no_answer"): ("1", "5", "80.0"),
        ("household", "all", "prefer_not"): ("1", "5", "80.0"),
        ("helped", "uk", "yes"): ("2", "3", "100.0"),
        ("helped", "uk", "no"): ("1", "3", "100.0"),
        ("satisfied", "uk", "Very satisfied"): ("1", "3", "66.7"),
        ("satisfied", "uk", "Satisfied"): ("1", "3", "66.7"),
        ("satisfied", "uk", "Dissatisfied"): ("0", "3", "66.7"),
        ("satisfied", "uk", "Very dissatisfied"): ("0", "3", "66.7"),
        ("household", "uk", "3"): ("1", "3", "66.7"),
        ("household", "uk", "10+"): ("1", "3", "66.7"),
        ("helped", "ru", "yes"): ("1", "2", "100.0"),
        ("helped", "ru", "no"): ("0", "2", "100.0"),
        ("helped", "ru", "no_answer"): ("1", "2", "100.0"),
        ("satisfied", "ru", "Very satisfied"): ("1", "2", "100.0"),
        ("satisfied", "ru", "Satisfied"): ("0", "2", "100.0"),
        ("satisfied", "ru", "Dissatisfied"): ("0", "2", "100.0"),
        ("satisfied", "ru", "Very dissatisfied"): ("1", "2", "100.0"),
        ("household", "ru", "no_answer"): ("1", "2", "100.0"),
        ("household", "ru", "prefer_not"): ("1", "2", "100.0"),
    }
    small = {(r["question"], r["language"]) for r in rows if r["small_sample"] == "yes"}
    assert small == {("household", "all"), ("household", "uk"), ("household", "ru"), ("satisfied", "uk"),
                     ("satisfied", "ru"), ("helped", "ru")}  # fewer than 3 real answers  # fmt: skip
    charts = sorted(p.name for p in out.glob("*.png"))
    assert charts == ["after_call-helped.png", "after_call-household.png", "after_call-satisfied.png"]


def test_call_survey_option(free_sandbox):
    """`helpline call ... --survey`: the caller stays on the line; bad input is one line, exit 2."""
    base = ["call", "pl", "--lang", "uk", "--at", OPEN_AT, "--no-tables", "--press", "-", "0"]
    run = CliRunner().invoke(app, [*base, "--survey", "1 1 0 2 3#"])
    assert run.exit_code == 0, run.output
    assert "the operator hangs up; the caller stays on the line" in run.output
    assert "after the operator: the survey flow ended the call" in run.output
    assert PL.spoken("uk")["survey_after_call_thanks"] in run.output
    bad = CliRunner().invoke(app, [*base, "--survey", "1 x"])
    assert bad.exit_code == 2 and "--survey: x is not phone keys" in bad.output and "Traceback" not in bad.output
    ro = CliRunner().invoke(app, ["call", "ro", "--lang", "ro", "--at", OPEN_AT, "--no-tables", "--survey", "1",
                                  "--press", "-", "0"])  # fmt: skip
    assert ro.exit_code == 0 and "no post-call survey in this country" in ro.output
