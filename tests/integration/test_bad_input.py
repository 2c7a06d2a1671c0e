"""Bad input, everywhere the same (issue 20 point 7), through the real CLI: numbers written in
another digit system, spreadsheet formulas in exports, list rows that do not fit their header,
and files or folders that used to end in a traceback."""

from __future__ import annotations

import json

from tests.integration.test_survey_campaign import _csv, _items, _pseudonym, _start, _survey_country, cli

A = "+48600700801"
A_FULLWIDTH = "\uff0b\uff14\uff18\uff16\uff10\uff10\uff17\uff10\uff10\uff18\uff10\uff11"
A_ARABIC = "+\u0664\u0668\u0666\u0660\u0660\u0667\u0660\u0660\u0668\u0660\u0661"
A_MIXED = "+48\u0666\u0660\u0660\u0667\u0660\u0660\u0668\u0660\u0661"  # Latin and Arabic-Indic digits


def test_an_opted_out_person_is_not_loaded_again_under_another_digit_system(tmp_path):
    country, state = _survey_country(tmp_path), tmp_path / "state"
    cli("survey-campaign", "opt-out", country, "--caller", A_ARABIC, "--state", state)
    (opt_out,) = _items(state, "SurveyOptOuts")
    assert opt_out["pseudonym"]["S"] == _pseudonym(state, A)  # the same pseudonym as the ASCII number
    people = _csv(tmp_path, f"{A_FULLWIDTH},uk,ok", f"{A_ARABIC},uk,ok", "+48600700802,uk,ok")
    started = _start(country, "c-1", people, "--state", state)
    assert "1 to call, 1 duplicate(s) kept once, 1 on the opt-out list skipped" in started.stdout
    loaded = _items(state, "SurveyCampaignContacts")
    assert [i["phone"]["S"] for i in loaded] == ["+48600700802"]
    assert _pseudonym(state, A) not in json.dumps(loaded)


def test_a_number_of_two_digit_systems_is_refused_by_the_list_and_by_opt_out(tmp_path):
    country, state = _survey_country(tmp_path), tmp_path / "state"
    refused = _start(country, "c-1", _csv(tmp_path, f"{A_MIXED},uk,ok"), "--state", state, code=2)
    assert "line 2: phone is not an E.164 number" in refused.stderr
    bad = cli("survey-campaign", "opt-out", country, "--caller", A_MIXED, "--state", state, code=2)
    assert "--caller is not an E.164 phone number" in bad.stderr
