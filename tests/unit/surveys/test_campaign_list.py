"""The survey campaign's call list (``helpline survey-campaign start --list``): every bad row named
with its line number in one error, nothing written; numbers normalised; the country's settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpline.surveys.campaign import CampaignError, ListError, mask, outbound_settings, read_list

LANGS = ("uk", "ru")


def _list(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "list.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def _error(path: Path) -> str:
    with pytest.raises(ListError) as info:
        read_list(path, LANGS, "pl")
    return str(info.value)


def test_every_bad_row_is_named_with_its_line_in_one_error(tmp_path):
    path = _list(
        tmp_path,
        "phone,language,consent\n"
        "+48600700800,uk,hotline call 2026-03-01\n"  # good
        "600700801,uk,hotline call 2026-03-01\n"  # no country code
        "+48600700802,de,registration desk Warsaw\n"
        "+48600700803,ru,\n"
        "\n"  # blank lines are skipped, line numbers stay physical
        "not a number,,   \n"
        "+48600700805\n"  # missing cells
        "+48600700806,ru,form 17\n",  # good
    )
    assert _error(path) == (
        f"{path}: 5 bad row(s), nothing written:\n"
        "  line 3: phone is not an E.164 number (+, country code, number)\n"
        "  line 4: language 'de' is not a language of pl (uk, ru)\n"
        "  line 5: consent is empty (say where and when the person agreed to be called)\n"
        "  line 7: phone is not an E.164 number (+, country code, number); language empty is not a language of pl "
        "(uk, ru); consent is empty (say where and when the person agreed to be called)\n"
        "  line 8: 1 cell, the header has 3; fix: put a cell that holds a comma in double quotes"
    )


def test_the_error_never_repeats_a_number(tmp_path):
    path = _list(tmp_path, "phone,language,consent\n+48 612 345 678,xx,ok\n48612345679,uk,ok\n")
    text = _error(path).replace(str(path), "")
    assert "line 2: language 'xx'" in text and "line 3: phone is not" in text
    assert "345" not in text and "612" not in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (b"", "the list is empty; fix: a header line phone,language,consent and one line per person"),
        (b"\n  \n", "the list is empty; fix: a header line phone,language,consent and one line per person"),
        (
            b"phone,language,consent\n\n",
            "the list has a header but nobody on it; fix: a header line phone,language,consent and one line per person",
        ),
        (
            b"\nphone,lang,consent\n+48600700800,uk,x\n",
            "2: missing column(s) language; fix: a header line phone,language,consent and one line per person",
        ),
        (b"number,language\n", "1: missing column(s) phone, consent; fix: a header line"),
        (b"phone,language,consent\n\xff\xfe,uk,x\n", "the list is not UTF-8 text; fix: save it as CSV UTF-8"),
    ],
)
def test_a_list_without_the_columns_or_without_people_is_refused(tmp_path, text, expected):
    path = _list(tmp_path, text)
    message = _error(path)
    assert message.startswith(str(path)) and expected in message, message


def test_a_missing_file_is_one_line(tmp_path):
    assert "cannot read the list" in _error(tmp_path / "nope.csv")


def test_numbers_are_normalised_languages_lowered_and_extra_columns_ignored(tmp_path):
    path = _list(
        tmp_path,
        "\ufeffPhone, Language ,consent,name\n"  # a BOM (Excel's CSV UTF-8) and a column we never store
        "+48 600-700-800,UK,hotline 2026-03-01,Olena\n"
        '0048600700801,ru,"desk, Warsaw",Ivan\n',
    )
    people, notes = read_list(path, LANGS, "pl")
    assert [(p.line, p.phone, p.language, p.consent) for p in people] == [
        (2, "+48600700800", "uk", "hotline 2026-03-01"),
        (3, "+48600700801", "ru", "desk, Warsaw"),
    ]
    assert notes == ["column(s) name ignored (not stored)"]


def test_mask_keeps_only_the_ends():
    assert mask("+48600700123") == "+48******123"
    assert mask("+3612") == "*****"


def _pl(list_retention_days: int | None):
    """pl's country file with its outbound survey's list kept N days, or without the survey (None)."""
    from helpline.config import load_country

    pl = load_country("pl")
    surveys = [
        s.model_copy(update={"campaign": s.campaign.model_copy(update={"list_retention_days": list_retention_days})})
        if s.kind == "outbound"
        else s
        for s in pl.surveys
        if s.kind != "outbound" or list_retention_days is not None
    ]
    return pl.model_copy(update={"surveys": surveys})


def test_the_outbound_survey_and_its_list_retention_come_from_the_country_file():
    settings = outbound_settings(_pl(9))
    assert (settings.survey_id, settings.languages, settings.list_retention_days) == ("needs", ("uk", "ru"), 9)
    with pytest.raises(CampaignError) as info:
        outbound_settings(_pl(None))
    assert str(info.value).startswith("pl has no outbound survey; fix: add a survey with kind: outbound")


def test_runner_settings_carry_the_campaign_the_zone_and_every_closed_day():
    import datetime as dt
    import json

    from helpline.config import load_country

    pl = load_country("pl")
    today = dt.date(2026, 11, 25)
    settings = json.loads(pl.campaign_runner_settings(today))
    campaign = pl.outbound_survey.campaign
    assert settings["survey_id"] == pl.outbound_survey.id and settings["timezone"] == pl.hours.time_zone
    assert settings["calling_hours"] == {
        "from": campaign.calling_hours.start,
        "to": campaign.calling_hours.end,
        "days": campaign.calling_hours.days,
    }
    expected = set()
    for _name, first, last in pl.hours.closure_spans(today):
        expected |= {str(first + dt.timedelta(days=n)) for n in range((last - first).days + 1)}
    assert expected and set(settings["closed_dates"]) == expected
    assert {"2026-12-24", "2026-12-25", "2026-12-26"} <= expected  # a three-day closure, each day
    assert load_country("ro").campaign_runner_settings(today) == ""  # no outbound survey
