"""Guide labels with the country's content (operators.labels over the shipped set) and an
operators' language that callers do not use (issue 21, point 2)."""

from __future__ import annotations

import shutil

import pytest

from helpline import guide
from helpline.config import COUNTRIES_DIR, ConfigError, load_country
from helpline.config.gate import check_country
from helpline.flows.render import render_local
from helpline.guide import label_files  # where the label files are read (LABELS_DIR, the cache)
from tests.unit.config.test_country_files import _edit

ARABIC_WHISPER = {
    "whisper_language": "لغة المتصل: {caller_language}.",
    "whisper_priority": "مكالمة ذات أولوية.",
    "whisper_returning": "متصل سابق لديه حالة مفتوحة.",
    "language_name_uk": "الأوكرانية",
    "language_name_ru": "الروسية",
}


@pytest.fixture
def countries(tmp_path):
    """A private copy of countries/ to change."""
    return shutil.copytree(COUNTRIES_DIR, tmp_path / "countries")


def _arabic_operators(data, messages=ARABIC_WHISPER):
    data["operators"] = {"language": "ar"}  # Poland's callers speak uk and ru
    data.setdefault("messages", {})["ar"] = dict(messages)


def test_an_operators_language_callers_do_not_use_is_accepted(countries):
    _edit(countries, "pl", _arabic_operators)
    report = check_country("pl", countries_dir=countries)
    assert report.errors == []
    cfg = report.cfg
    assert cfg.language_codes == ["uk", "ru"] and cfg.operator_language == "ar"
    assert cfg.language("ar").voice == "Zeina"  # the whisper's voice: Arabic's first Polly voice
    said = cfg.spoken("ar")
    assert said["whisper_language_uk"] == "لغة المتصل: الأوكرانية." and "whisper_priority" in said
    assert "welcome" not in said  # callers hear nothing in Arabic
    flows = render_local(cfg)[0]
    whisper, guide_flow = flows["agent_whisper"].json(), flows["agent_guide"].json()
    assert "Zeina" in whisper and "الروسية" in whisper
    assert guide.labels("ar")["calltype_heading"] in guide_flow  # the shipped Arabic labels


def test_its_whisper_texts_are_required_and_named(countries):
    _edit(
        countries,
        "pl",
        lambda d: _arabic_operators(d, {k: v for k, v in ARABIC_WHISPER.items() if k != "whisper_priority"}),
    )
    with pytest.raises(ConfigError, match=r"messages\.ar\.whisper_priority: missing Arabic text for the operators"):
        load_country("pl", countries_dir=countries)
    _edit(countries, "pl", lambda d: d["messages"]["ar"].update(whisper_priority="x", welcome="مرحبا"))
    with pytest.raises(ConfigError, match=r"messages\.ar\.welcome: not needed in Arabic"):
        load_country("pl", countries_dir=countries)


def test_messages_for_a_language_neither_callers_nor_operators_use_are_still_refused(countries):
    _edit(countries, "pl", lambda d: d.setdefault("messages", {}).update(ar=dict(ARABIC_WHISPER)))
    with pytest.raises(ConfigError, match=r"messages\.ar: messages for a language the country does not offer"):
        load_country("pl", countries_dir=countries)


@pytest.fixture
def no_cached_labels():
    label_files._read.cache_clear()
    yield
    label_files._read.cache_clear()


def test_an_operators_language_without_a_label_set_needs_its_labels_in_the_file(
    countries, monkeypatch, no_cached_labels
):
    _edit(countries, "pl", _arabic_operators)
    english = guide.labels("en")
    only_en = countries.parent / "labels"
    only_en.mkdir()
    shutil.copy(guide.LABELS_DIR / "en.yaml", only_en / "en.yaml")
    monkeypatch.setattr(label_files, "LABELS_DIR", only_en)  # as for a language the project ships no set for
    label_files._read.cache_clear()
    report = check_country("pl", countries_dir=countries)
    [line] = [e for e in report.errors if "operators.labels" in e]
    assert "\n" not in line and len(line) < 400
    assert "operators.labels: 99 guide labels missing in Arabic (the project ships no guide labels in 'ar')" in line
    assert "next, continue, back, save, finish, answer_yes, ..." in line
    assert "fix: add them under operators.labels" in line

    _edit(countries, "pl", lambda d: d["operators"].update(labels={k: f"ع {v}" for k, v in english.items()}))
    assert check_country("pl", countries_dir=countries).errors == []
    _edit(countries, "pl", lambda d: d["operators"]["labels"].pop("consent_hint"))
    [line] = check_country("pl", countries_dir=countries).errors
    assert (
        "1 guide labels missing in Arabic" in line
        and "Arabic (the project ships no guide labels in 'ar'): consent_hint; fix:" in line
    )


def test_an_unknown_or_untranslated_label_is_refused(countries):
    _edit(countries, "ro", lambda d: d.setdefault("operators", {}).update(labels={"nxt": "Înainte"}))
    [line] = check_country("ro", countries_dir=countries).errors
    assert "operators.labels.nxt: unknown guide label" in line and "en.yaml" in line
    _edit(countries, "ro", lambda d: d["operators"].update(labels={"next": "[untranslated] (Romanian) Next"}))
    [line] = check_country("ro", countries_dir=countries).errors
    assert "1 texts are still marked [untranslated], the first: operators.labels.next" in line
