"""Country files: the shipped ones load; every validation rule gives one clear line."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpline.config import COUNTRIES_DIR, ConfigError, load_all, load_country
from helpline.config.messages import REQUIRED_MESSAGES, TEMPLATE_MESSAGES

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_countries_load_with_their_languages_and_time_zones():
    by_code = {c.code: c for c in load_all()}
    assert {"hu", "pl", "ro"} <= set(by_code)  # the shipped ones; a new country file is welcome
    assert by_code["pl"].language_codes == ["uk", "ru"] and by_code["pl"].hours.time_zone == "Europe/Warsaw"
    assert by_code["hu"].language_codes == ["uk", "ru"] and by_code["hu"].hours.time_zone == "Europe/Budapest"
    assert by_code["ro"].language_codes == ["ro", "uk", "en"] and by_code["ro"].hours.time_zone == "Europe/Bucharest"
    for code in ("hu", "pl", "ro"):
        assert by_code[code].region == "eu-central-1"  # EU callers' data stays in the EU
    for cfg in by_code.values():
        for lang in cfg.language_codes:
            spoken = cfg.spoken(lang)
            assert set(REQUIRED_MESSAGES) - TEMPLATE_MESSAGES <= set(spoken)
            assert all(text.strip() and "{" not in text for text in spoken.values())
        # The whisper names every caller language in the operators' language, and only there.
        op = cfg.spoken(cfg.operator_language)
        assert {f"whisper_language_{code}" for code in cfg.language_codes} <= set(op)
        others = [lang for lang in cfg.language_codes if lang != cfg.operator_language]
        assert all("whisper_language_" + cfg.language_codes[0] not in cfg.spoken(lang) for lang in others)


def test_romania_is_open_monday_to_friday_nine_to_five_local_time():
    ro = load_country("ro").hours
    monday = dt.datetime(2026, 3, 2, 9, 0)  # local time (naive = country's time zone)
    assert ro.is_open(monday)
    assert not ro.is_open(monday.replace(hour=8, minute=59))
    assert not ro.is_open(monday.replace(hour=17))
    assert not ro.is_open(dt.datetime(2026, 3, 7, 12, 0))  # Saturday
    # 07:30 UTC is 09:30 in Bucharest in March (UTC+2)
    assert ro.is_open(dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC))
    assert not ro.is_open(dt.datetime(2026, 12, 25, 10, 0))  # Christmas closure


def test_ukrainian_text_is_ukrainian_and_romanian_is_romanian():
    ro = load_country("ro")
    assert "натисніть" in ro.message("uk", "main_menu")
    assert "apăsați" in ro.message("ro", "main_menu")
    assert "112" in ro.message("uk", "emergency_notice")
    assert "9" in ro.message("en", "emergency_notice")


def test_stage_overrides_merge_over_the_country_file():
    assert load_country("pl", stage="dev").retention_days.cases == 30
    assert load_country("pl").retention_days.cases == 730


# ---------------------------------------------------------------- broken files


@pytest.fixture
def countries(tmp_path: Path) -> Path:
    """A private copy of countries/ to break."""
    folder = tmp_path / "countries"
    shutil.copytree(COUNTRIES_DIR, folder)
    return folder


def _edit(folder: Path, code: str, change) -> None:
    path = folder / f"{code}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _error(folder: Path, code: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_country(code, countries_dir=folder)
    text = str(info.value)
    assert "\n" not in text, "errors are one line"
    assert f"{code}.yaml" in text and "fix:" in text
    return text


def test_unknown_field(countries):
    _edit(countries, "pl", lambda d: d["hours"].update(timezone="Europe/Warsaw"))
    text = _error(countries, "pl")
    assert "hours.timezone: unknown field" in text and "time_zone" in text


def test_unknown_language_code(countries):
    _edit(countries, "pl", lambda d: d["languages"].append({"code": "xx", "digit": "3", "voice": "Joanna"}))
    assert "languages[2].code: unknown language code 'xx'" in _error(countries, "pl")


def test_language_without_polly_voice_and_without_recordings(countries):
    _edit(countries, "hu", lambda d: d["languages"][0].pop("recorded"))
    text = _error(countries, "hu")
    assert "languages[0]: Ukrainian (uk) has no Amazon Polly voice and no recorded prompts" in text
    assert "recorded: true" in text


def test_hungarian_has_no_polly_voice_either(countries):
    def add_hungarian(d):
        d["languages"].append({"code": "hu", "digit": "3", "voice": "Zsofia"})

    _edit(countries, "hu", add_hungarian)
    assert "languages[2].voice: 'Zsofia' is not an Amazon Polly voice for Hungarian" in _error(countries, "hu")


def test_wrong_voice_for_language(countries):
    _edit(countries, "pl", lambda d: d["languages"][1].update(voice="Joanna"))
    text = _error(countries, "pl")
    assert "'Joanna' is not an Amazon Polly voice for Russian" in text and "Tatyana" in text


def test_missing_translation_of_a_message(countries):
    # One text missing: the error names that field and what the text is for.
    _edit(countries, "pl", lambda d: d.setdefault("messages", {}).update(ru={"goodbye": " "}))
    error = _error(countries, "pl")
    assert "messages.ru.goodbye: missing Russian translation" in error and REQUIRED_MESSAGES["goodbye"] in error


def test_missing_translation_of_a_topic(countries):
    _edit(countries, "ro", lambda d: d["topics"][2]["info"].pop("uk"))
    assert "topics[2].info.uk: missing Ukrainian translation" in _error(countries, "ro")


def test_missing_translation_of_the_opening_hours(countries):
    _edit(countries, "ro", lambda d: d["hours"]["spoken"].pop("en"))
    assert "hours.spoken.en: missing English translation" in _error(countries, "ro")


def test_duplicate_menu_digit(countries):
    _edit(countries, "ro", lambda d: d["languages"][2].update(digit="1"))
    assert "languages[2].digit: menu digit 1 is already used by 'ro'" in _error(countries, "ro")


def test_duplicate_topic_digit(countries):
    _edit(countries, "pl", lambda d: d["topics"][1].update(digit="1"))
    assert "topics[1].digit: menu digit 1 is already used by topic 'health'" in _error(countries, "pl")


def test_eu_country_in_a_non_eu_region(countries):
    _edit(countries, "pl", lambda d: d.update(region="eu-west-2"))
    text = _error(countries, "pl")
    assert "region: 'eu-west-2' is outside the EU but PL is an EU member state" in text
    assert "eu-central-1" in text


def test_region_without_amazon_connect(countries):
    _edit(countries, "ro", lambda d: d.update(region="eu-west-1"))
    assert "region: Amazon Connect is not offered in 'eu-west-1'" in _error(countries, "ro")


@pytest.mark.parametrize(
    ("weekly", "expected"),
    [
        ({"mon-fri": "9-17"}, "is not a time range"),
        ({"mon-fri": "09:00-25:00"}, "impossible time"),
        ({"mon-fri": "17:00-09:00"}, "ends before it starts"),
        ({"monday-fri": "09:00-17:00"}, "is not a day range"),
        ({"mon-fri": ["09:00-13:00", "12:00-17:00"]}, "overlapping"),
    ],
)
def test_hours_that_do_not_parse(countries, weekly, expected):
    _edit(countries, "ro", lambda d: d["hours"].update(weekly=weekly))
    text = _error(countries, "ro")
    assert "hours.weekly" in text and expected in text


def test_unknown_time_zone(countries):
    _edit(countries, "ro", lambda d: d["hours"].update(time_zone="Europe/Constanta"))
    assert "hours.time_zone" in _error(countries, "ro")


def test_partner_with_unknown_needs_code(countries):
    _edit(countries, "pl", lambda d: d["partners"][0]["services"].append("XYZ"))
    assert "partners[0].services[4]: 'XYZ' is not a UNHCR specific-needs code" in _error(countries, "pl")


def test_yaml_syntax_error_names_the_line(countries):
    (countries / "ro.yaml").write_text("code: ro\nname: [Romania\n", encoding="utf-8")
    assert "YAML syntax error" in _error(countries, "ro")


def test_app_reports_a_broken_file_in_one_line_without_traceback(countries):
    _edit(countries, "pl", lambda d: d.update(region="us-east-1"))
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"HELPLINE_COUNTRIES_DIR": str(countries), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "pl.yaml: region: 'us-east-1' is outside the EU" in lines[0]


# ---------------------------------------------------------------- callers and deploy rules


def test_topic_digit_may_not_be_the_emergency_digit(countries):
    _edit(countries, "pl", lambda d: d["topics"][0].update(digit="9"))
    text = _error(countries, "pl")
    assert "topics[0].digit: digit 9 is the emergency digit" in text


@pytest.mark.parametrize("seconds", [10, 20])
def test_hold_message_interval_is_above_20_seconds(countries, seconds):
    _edit(countries, "pl", lambda d: d.setdefault("ivr", {}).update(queue_message_seconds=seconds))
    assert "ivr.queue_message_seconds" in _error(countries, "pl")


def test_hold_message_interval_fits_under_the_hold_music(countries):
    _edit(countries, "pl", lambda d: d.setdefault("ivr", {}).update(queue_message_seconds=241))
    assert "ivr.queue_message_seconds" in _error(countries, "pl")


def test_an_operators_language_callers_do_not_use_needs_a_polly_voice(countries):
    # Hungarian: no Amazon Polly voice, and pl's callers do not use it, so nothing could speak the whisper
    _edit(countries, "pl", lambda d: d.update(operators={"language": "hu"}))
    error = _error(countries, "pl")
    assert "operators.language: Hungarian has no" in error and "Polly" in error
    assert "fix: choose an operators' language with a Polly voice or one of uk, ru" in error


def test_operators_language_names_every_caller_language(countries):
    def drop_name(d):
        d["operators"] = {"language": "ru"}
        d["messages"] = {"ru": {"language_name_uk": " "}}

    _edit(countries, "pl", drop_name)
    assert "messages.ru.language_name_uk: missing the name of Ukrainian in Russian" in _error(countries, "pl")


@pytest.mark.parametrize(
    ("alias", "problem"),
    [("x" * 46, "at most 45"), ("d-helpline", "starts with 'd-'"), ("helpline_pl", "should match pattern")],
)
def test_instance_alias_follows_connect_rules(countries, alias, problem):
    _edit(
        countries,
        "pl",
        lambda d: d["instance"].update(alias=alias) if "instance" in d else d.update(instance={"alias": alias}),
    )
    assert problem in _error(countries, "pl")


def test_bring_your_own_instance_in_another_region_is_refused(countries):
    arn = "arn:aws:connect:eu-west-2:123456789012:instance/00000000-0000-4000-8000-000000000000"
    _edit(countries, "pl", lambda d: d.update(instance={"arn": arn}))
    assert "instance.arn: is in eu-west-2 but the country deploys to eu-central-1" in _error(countries, "pl")


def test_phone_number_needs_an_arn_or_what_to_claim(countries):
    _edit(countries, "pl", lambda d: d.update(phone_number={"prefix": "+48800"}))
    assert "phone_number: needs either arn" in _error(countries, "pl")


def test_bring_your_own_number_needs_no_type(countries):
    arn = "arn:aws:connect:eu-central-1:123456789012:phone-number/00000000-0000-4000-8000-000000000000"
    _edit(countries, "pl", lambda d: d.update(phone_number={"arn": arn}))
    assert load_country("pl", countries_dir=countries).phone_number.arn == arn


def test_language_digit_may_not_be_the_emergency_digit(countries):
    _edit(countries, "pl", lambda d: d["languages"][1].update(digit="9"))
    assert "languages[1].digit: digit 9 is the emergency digit" in _error(countries, "pl")


# ---------------------------------------------------------------- dates, weeks, languages


def test_an_impossible_unquoted_date_is_one_line_with_its_line_number(countries):
    path = countries / "ro.yaml"
    text = path.read_text(encoding="utf-8").replace("date: 2026-12-01", "date: 2026-12-32", 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "2026-12-32" in row)
    error = _error(countries, "ro")
    assert f"ro.yaml: line {line}: '2026-12-32' is not a real date" in error
    assert "YYYY-MM-DD" in error


def test_a_closure_that_ends_before_it_starts_is_refused(countries):
    _edit(countries, "ro", lambda d: d["hours"]["closures"][1].update(until=dt.date(2026, 12, 20)))
    error = _error(countries, "ro")
    assert "hours.closures[1]" in error and "'until' (2026-12-20) is before 'date' (2026-12-25)" in error


def test_a_week_that_starts_on_sunday_is_written_as_lived(countries):
    _edit(countries, "ro", lambda d: d["hours"].update(weekly={"sun-thu": "08:00-16:00"}))
    hours = load_country("ro", countries_dir=countries).hours
    assert [s.day for s in hours.slots] == ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "SUNDAY"]
    sunday, friday = dt.datetime(2026, 3, 1, 9, 0), dt.datetime(2026, 3, 6, 9, 0)
    assert hours.is_open(sunday) and not hours.is_open(friday)


@pytest.mark.parametrize(
    ("weekly", "expected"), [({"fri-fri": "08:00-16:00"}, "same day"), ({"mon,mon-wed": "08:00-16:00"}, "monday twice")]
)
def test_day_ranges_that_say_a_day_twice_are_refused(countries, weekly, expected):
    _edit(countries, "ro", lambda d: d["hours"].update(weekly=weekly))
    assert expected in _error(countries, "ro")


def test_a_yearly_closure_closes_every_year_and_becomes_dated_overrides():
    hours = load_country("pl").hours
    for year in (2026, 2027, 2031):
        assert not hours.is_open(dt.datetime(year, 12, 25, 12, 0))
    assert hours.is_open(dt.datetime(2027, 12, 23, 12, 0))  # a Thursday, the day before
    spans = hours.closure_spans(dt.date(2028, 6, 1))
    christmas = [s for s in spans if s[0].startswith("Christmas")]
    assert [(s[1], s[2]) for s in christmas] == [(dt.date(y, 12, 24), dt.date(y, 12, 26)) for y in (2028, 2029, 2030)]
    assert {s[0] for s in christmas} == {f"Christmas Eve and Christmas {y}" for y in (2028, 2029, 2030)}


def test_more_closures_than_connect_holds_are_refused(countries):
    many = [
        {"name": f"Day {i}", "date": dt.date(2027, 2, 1) + dt.timedelta(days=i), "every_year": True} for i in range(17)
    ]
    _edit(countries, "ro", lambda d: d["hours"].update(closures=many))
    error = _error(countries, "ro")
    assert "hours.closures" in error and "51 Amazon Connect overrides" in error and "at most 50" in error


def test_time_zones_come_from_the_pinned_database_not_the_machine(countries, monkeypatch):
    monkeypatch.setenv("PYTHONTZPATH", "/nonexistent")
    import zoneinfo

    zoneinfo.reset_tzpath(to=[])  # no system database at all: the pinned package still answers
    try:
        assert load_country("ro", countries_dir=countries).hours.zone.utcoffset(
            dt.datetime(2026, 7, 1)
        ) == dt.timedelta(hours=3)
        _edit(countries, "ro", lambda d: d["hours"].update(time_zone="Europe/Atlantis"))
        assert "'Europe/Atlantis' is not an IANA time zone" in _error(countries, "ro")
    finally:
        zoneinfo.reset_tzpath()


def test_a_new_language_gets_all_its_missing_texts_in_one_error(countries):
    _edit(countries, "pl", lambda d: d["languages"].append({"code": "sk", "digit": "3", "recorded": True}))
    error = _error(countries, "pl")
    cfg_topics = yaml.safe_load((countries / "pl.yaml").read_text(encoding="utf-8"))["topics"]
    expected = len(REQUIRED_MESSAGES) + 1 + 2 * len(cfg_topics)
    assert f"{expected} Slovak texts are missing: " in error
    for field in ("messages.sk.language_option", "hours.spoken.sk", f"topics[{len(cfg_topics) - 1}].info.sk"):
        assert field in error


@pytest.mark.parametrize(
    ("regions", "expected"),
    [
        ([], "no regions: the operators' guide asks"),
        (["North Side"], "'North Side' is not a region name"),
        (["a", "a"], "a region is listed twice"),
    ],  # fmt: skip
)
def test_the_guide_needs_named_regions(countries, regions, expected):
    def change(d):
        d["regions"] = regions
        for p in d.get("partners", []):
            p["regions"] = ["*"]

    _edit(countries, "pl", change)
    assert expected in _error(countries, "pl")


def _outbound(data) -> dict:
    return next(s for s in data["surveys"] if s["kind"] == "outbound")


def test_poland_has_one_outbound_needs_survey_with_its_campaign():
    pl = load_country("pl")
    survey = pl.outbound_survey
    assert survey is not None and survey.id == "needs" and pl.post_call_survey.id == "after_call"
    assert survey.campaign.calling_hours.day_names == ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"]
    assert (survey.campaign.calling_hours.start, survey.campaign.calling_hours.end) == ("10:00", "19:00")
    assert survey.campaign.model_dump(by_alias=True)["calling_hours"] == {"from": "10:00", "to": "19:00",
                                                                          "days": "mon-fri"}  # fmt: skip
    for lang in pl.language_codes:
        spoken = pl.spoken(lang)
        assert {"survey_needs_consent", "survey_needs_declined", "survey_needs_thanks"} <= set(spoken)
        assert "112" in spoken["survey_needs_declined"] and "112" in spoken["survey_needs_thanks"]
        assert all(k in spoken["survey_needs_consent"] for k in ("1", "2", "9", "0"))
    assert "survey_after_call_declined" not in pl.spoken("uk")  # a post-call survey has no declined text
    for lang in pl.language_codes:  # the neutral opener: 1 goes on, nothing named (checked by the rules)
        spoken = pl.spoken(lang)
        assert "1" in spoken["survey_needs_opener"] and spoken["survey_needs_opener_goodbye"]
        assert "112" not in spoken["survey_needs_opener"] + spoken["survey_needs_opener_goodbye"]
    assert "survey_after_call_opener" not in pl.spoken("uk")
    assert load_country("ro").outbound_survey is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda s: s.pop("campaign"), "surveys[1]: outbound survey 'needs' has no campaign; fix: add campaign"),
        (lambda s: s.pop("declined"), "outbound survey 'needs' has no declined text"),
        (lambda s: s["declined"].pop("ru"), "1 survey texts are missing: surveys[1].declined.ru"),
        (
            lambda s: s["declined"].update(uk="Добре. До побачення."),
            "surveys[1].declined.uk: the survey's last words do not name the emergency number",
        ),
        (
            lambda s: s["campaign"]["calling_hours"].update({"from": "19:00", "to": "10:00"}),
            "surveys[1].campaign.calling_hours: calling hours from 19:00 to 10:00 end before they start",
        ),
        (
            lambda s: s["campaign"]["calling_hours"].update({"from": "10:00", "to": "10:00"}),
            "calling hours from 10:00 to 10:00 end before they start",
        ),
        (lambda s: s["campaign"]["calling_hours"].update(days="mon-fry"), "surveys[1].campaign.calling_hours.days"),
        (lambda s: s["campaign"]["calling_hours"].update({"from": "9:00"}), "'9:00' is not a time of day"),
        (lambda s: s["campaign"].update(calls_per_second=10), "surveys[1].campaign.calls_per_second"),
        (lambda s: s["campaign"].update(burst=6), "surveys[1].campaign.burst"),
        (lambda s: s["campaign"].update(attempts=0), "surveys[1].campaign.attempts"),
        (lambda s: s["campaign"].update(list_retention_days=91), "surveys[1].campaign.list_retention_days"),
        (lambda s: s["campaign"].update(callers_per_second=1), "surveys[1].campaign.callers_per_second: unknown"),
        (lambda s: s["questions"][0].update(id="declined"), "question id 'declined' is reserved"),
        (lambda s: s["questions"][0].update(id="opener"), "question id 'opener' is reserved"),
        (lambda s: s.pop("opener"), "outbound survey 'needs' has no opener text; fix: add opener"),
        (lambda s: s.pop("opener_goodbye"), "outbound survey 'needs' has no opener_goodbye text"),
        (lambda s: s["opener"].pop("ru"), "1 survey texts are missing: surveys[1].opener.ru"),
        # the opener and its goodbye name nothing (a voicemail or someone else may hear them)
        (
            lambda s: s["opener"].update(uk="Вам телефонує гаряча лінія. Натисніть 1."),
            "surveys[1].opener.uk: the text said before the person is identified names 'гаряч'",
        ),
        (
            lambda s: s["opener"].update(ru="Здравствуйте, это опрос для беженцев. Нажмите 1."),
            "surveys[1].opener.ru: the text said before the person is identified names 'беженц'",
        ),
        (lambda s: s["opener"].update(ru="В опасности звоните {emergency_number}."), "names '{emergency_number}'"),
        (lambda s: s["opener_goodbye"].update(uk="До побачення. 112."), "surveys[1].opener_goodbye.uk: the text"),
        (lambda s: s["opener"].update(ru="Hello from Poland, press 1."), "names 'Poland'"),
        (lambda s: s["opener"].update(ru="Your needs matter, press 1."), "names 'needs'"),
    ],
)
def test_outbound_survey_rules_are_one_line_each(countries, change, expected):
    _edit(countries, "pl", lambda d: change(_outbound(d)))
    assert expected in _error(countries, "pl")


def test_a_campaign_or_declined_text_on_a_post_call_survey_is_refused(countries):
    campaign = {"calls_per_second": 1}
    _edit(countries, "pl", lambda d: d["surveys"][0].update(campaign=campaign))
    assert "post_call survey 'after_call' has a campaign; fix: remove campaign" in _error(countries, "pl")
    _edit(countries, "pl", lambda d: (d["surveys"][0].pop("campaign"), d["surveys"][0].update(declined={"uk": "x"})))
    assert "post_call survey 'after_call' has a declined text; fix: remove declined" in _error(countries, "pl")
    _edit(countries, "pl", lambda d: (d["surveys"][0].pop("declined"), d["surveys"][0].update(opener={"uk": "x"})))
    assert "post_call survey 'after_call' has an opener text; fix: remove opener" in _error(countries, "pl")


def test_two_surveys_of_the_same_kind_are_refused(countries):
    def twice(d):
        again = dict(_outbound(d), id="needs_again")
        d["surveys"].append(again)

    _edit(countries, "pl", twice)
    assert "surveys[2].kind: 2 outbound surveys (needs, needs_again); fix: keep one outbound survey" in _error(
        countries, "pl"
    )


def test_the_campaign_defaults_hold_when_only_an_empty_campaign_is_given(countries):
    def change(d):
        _outbound(d).update(campaign={})
        d["hours"]["weekly"]["sat"] = "09:00-19:00"  # the default calling hours (mon-sat 10-19) fit

    _edit(countries, "pl", change)
    campaign = load_country("pl", countries_dir=countries).outbound_survey.campaign
    assert (campaign.calls_per_second, campaign.burst, campaign.max_concurrent, campaign.attempts) == (1.0, 2, 5, 3)
    assert (campaign.retry_after_minutes, campaign.list_retention_days) == (240, 14)
    assert campaign.calling_hours.day_names[-1] == "SATURDAY"


# ------------------------------------------------- calling hours inside the helpline's hours
# 9 on a survey call ("speak with the helpline now") must reach an open helpline.

_CALLS_ON_A_CLOSED_HELPLINE = "so 9 (speak with the helpline now) would reach a closed helpline"


@pytest.mark.parametrize(
    ("calling", "weekly", "expected"),
    [
        # pl's defaults: mon-sat 10:00-19:00, but pl closes at 15:00 on Saturdays
        ({}, None, "survey calls would be placed on saturday 10:00-19:00 but the helpline is open only "
                   "09:00-15:00 that day (hours.weekly)"),
        ({}, None, "fix: keep the calling hours inside the opening hours of every calling day: call within "
                   "09:00-15:00 (from/to) or take sat out of days (e.g. days: mon-fri)"),
        ({"days": "mon-sun"}, None, "placed on saturday 10:00-19:00"),
        ({"days": "sun"}, None, "placed on sunday 10:00-19:00 but the helpline is closed on sundays (hours.weekly)"),
        ({"days": "sun"}, None, "fix: keep the calling hours inside the opening hours of every calling day: "
                                "take sun out of days (e.g. days: mon-fri)"),
        ({"from": "07:30", "days": "mon-fri"}, None, "placed on monday 07:30-19:00 but the helpline is open only "
                                                     "08:00-20:00 that day"),
        ({"to": "20:30", "days": "mon-fri"}, None, "placed on monday 10:00-20:30"),
        ({"days": "mon-fri"}, {"mon-fri": ["08:00-12:00", "13:00-20:00"], "sat": "09:00-15:00"},
         "open only 08:00-12:00, 13:00-20:00 that day (hours.weekly), " + _CALLS_ON_A_CLOSED_HELPLINE),
    ],
)  # fmt: skip
def test_survey_calls_are_placed_only_while_the_helpline_is_open(countries, calling, weekly, expected):
    def change(d):
        _outbound(d)["campaign"]["calling_hours"] = calling
        if weekly is not None:
            d["hours"]["weekly"] = weekly

    _edit(countries, "pl", change)
    error = _error(countries, "pl")
    assert "pl.yaml: surveys[1].campaign.calling_hours: " in error and _CALLS_ON_A_CLOSED_HELPLINE in error
    assert expected in error


@pytest.mark.parametrize(
    ("calling", "weekly"),
    [
        ({"from": "08:00", "to": "20:00", "days": "mon-fri"}, None),  # exactly the opening hours
        ({"from": "10:00", "to": "15:00", "days": "mon-sat"}, None),  # inside Saturday's shorter day too
        ({"days": "mon-fri"}, {"mon-fri": ["08:00-12:00", "12:00-20:00"]}),  # touching ranges are one
        ({"days": "sat-sun"}, {"mon-fri": "08:00-20:00", "sat-sun": "00:00-24:00"}),
    ],
)  # fmt: skip
def test_calling_hours_inside_the_opening_hours_are_accepted(countries, calling, weekly):
    def change(d):
        _outbound(d)["campaign"]["calling_hours"] = calling
        if weekly is not None:
            d["hours"]["weekly"] = weekly

    _edit(countries, "pl", change)
    campaign = load_country("pl", countries_dir=countries).outbound_survey.campaign
    assert campaign.calling_hours.day_names


def test_shipped_calling_hours_fit_the_opening_hours():
    """pl calls mon-fri 10:00-19:00 and is open mon-fri 08:00-20:00: 9 reaches the helpline."""
    pl = load_country("pl")
    hours = pl.outbound_survey.campaign.calling_hours
    start, end = (tuple(int(x) for x in t.split(":")) for t in (hours.start, hours.end))
    for day in hours.day_names:
        slots = [(sl.start, sl.end) for sl in pl.hours.slots if sl.day == day]
        assert any(s <= start and e >= end for s, e in slots), day


def test_survey_consent_says_confidential_never_anonymous():
    """Answers are linkable to the number through Connect's contact records (kept 24 months):
    informed consent must not promise anonymity."""
    pl = load_country("pl")
    word = {"uk": "конфіденційн", "ru": "конфиденциальн"}
    for survey in pl.surveys:
        texts = [survey.consent, survey.thanks, survey.declined, *(q.text for q in survey.questions)]
        for lang in pl.language_codes:
            for text in (t.get(lang, "") for t in texts):
                assert "анонім" not in text.lower() and "аноним" not in text.lower(), text
            assert word[lang] in survey.consent[lang], survey.consent[lang]
    household = {q.id: q for q in pl.outbound_survey.questions}["household"].text
    assert household["uk"].startswith("Скільки людей, включно з вами, живе у вашому домогосподарстві?")
    assert household["ru"].startswith("Сколько человек, включая вас, живёт в вашем домохозяйстве?")
    for lang, keys in {"uk": ("решітку", "0", "зірочка"), "ru": ("решётку", "0", "звёздочка")}.items():
        assert all(k in household[lang] for k in keys)


def test_a_new_text_missing_in_every_language_is_named_for_all_of_them_in_one_error(countries):
    """After an upgrade a new required text is missing in each language at once: one run names every one."""
    cfg_langs = [lang["code"] for lang in yaml.safe_load((countries / "pl.yaml").read_text("utf-8"))["languages"]]
    shared = countries / "messages.yaml"
    texts = yaml.safe_load(shared.read_text(encoding="utf-8"))
    for lang in cfg_langs:
        texts[lang].pop("closed_holiday")
    shared.write_text(yaml.safe_dump(texts, allow_unicode=True, sort_keys=False), encoding="utf-8")
    error = _error(countries, "pl")
    assert f"{len(cfg_langs)} " in error and "texts are missing" in error
    for lang in cfg_langs:
        assert f"messages.{lang}.closed_holiday" in error
