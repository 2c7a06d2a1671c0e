"""Screen labels of the operators' guide: one file per operators' language, the same keys in each,
every label used, and a missing one is one clear error."""

from __future__ import annotations

import re
import shutil

import pytest

from helpline import guide
from helpline.config import COUNTRIES_DIR, load_country
from helpline.flows.render import RenderError, render_local
from helpline.guide import label_files  # where the label files are read (LABELS_DIR, the cache)
from tests.flows.support import COUNTRIES
from tests.unit.config.test_country_files import _edit


@pytest.fixture
def labels_dir(tmp_path, monkeypatch):
    shutil.copy(guide.LABELS_DIR / "en.yaml", tmp_path / "en.yaml")
    monkeypatch.setattr(label_files, "LABELS_DIR", tmp_path)
    label_files._read.cache_clear()
    yield tmp_path
    label_files._read.cache_clear()


def test_every_label_file_has_the_keys_of_the_reference():
    reference = guide.labels("en")
    assert {"en", "pl", "hu", "ro", "uk"} <= set(guide.label_languages())
    for lang in guide.label_languages():
        assert set(guide.labels(lang)) == set(reference), lang


UN_WORKING_LANGUAGES = ("ar", "en", "es", "fr", "ru", "zh")


def _differences(lang: str) -> list[tuple[str, str]]:
    """(lang, key) of every label whose placeholders differ from en.yaml's, or left in English."""
    reference, words = guide.labels("en"), guide.labels(lang)
    assert list(words) == list(reference), lang  # the same keys, in the same order
    out = []
    for key, text in words.items():
        if (
            re.findall(r"\{[^}]*\}", text) != re.findall(r"\{[^}]*\}", reference[key])
            or lang != "en"
            and len(reference[key]) > 12
            and text == reference[key]
        ):
            out.append((lang, key))
    return out


def test_the_six_un_working_languages_are_shipped_with_en_keys_and_placeholders():
    assert set(UN_WORKING_LANGUAGES) <= set(guide.label_languages())
    for lang in guide.label_languages():
        assert _differences(lang) == [], lang


def test_a_changed_placeholder_or_an_english_label_is_caught(labels_dir):
    text = (labels_dir / "en.yaml").read_text(encoding="utf-8").replace('next: "Next"', 'next: "Next {step}"')
    (labels_dir / "en.yaml").write_text(text, encoding="utf-8")
    french = text.replace("Next {step}", "Suivant {etape}")
    (labels_dir / "fr.yaml").write_text(french, encoding="utf-8")
    label_files._read.cache_clear()
    assert ("fr", "next") in _differences("fr") and ("fr", "context_sub") in _differences("fr")


@pytest.mark.parametrize("code", COUNTRIES)
def test_every_label_is_on_some_screen_in_the_operators_language(code):
    cfg = load_country(code)
    text = render_local(cfg)[0]["agent_guide"].json()
    words = guide.labels(cfg.operator_language)
    unused = [k for k, v in words.items() if v not in text]
    assert not unused, unused
    assert "{{label:" not in text


def test_a_missing_label_is_one_clear_error(labels_dir):
    text = (labels_dir / "en.yaml").read_text(encoding="utf-8")
    (labels_dir / "xx.yaml").write_text(text.replace('consent_hint: "', 'consent_hnt: "'), encoding="utf-8")
    with pytest.raises(guide.GuideLabelError, match=r"^xx.yaml: missing label 'consent_hint' \(1 missing"):
        guide.labels("xx")


def test_an_unknown_or_empty_label_is_an_error(labels_dir):
    text = (labels_dir / "en.yaml").read_text(encoding="utf-8")
    (labels_dir / "xy.yaml").write_text(text + 'extra: "x"\n', encoding="utf-8")
    with pytest.raises(guide.GuideLabelError, match="unknown label 'extra'"):
        guide.labels("xy")
    (labels_dir / "xz.yaml").write_text(text.replace('next: "Next"', 'next: " "'), encoding="utf-8")
    with pytest.raises(guide.GuideLabelError, match="label 'next' is empty"):
        guide.labels("xz")


def test_an_operators_language_without_labels_stops_rendering(labels_dir):
    cfg = load_country("ro")  # operators work in Romanian; only en.yaml is in the folder now
    with pytest.raises(RenderError, match=r"agent_guide.json: no guide labels for the operators' language 'ro'"):
        render_local(cfg)


def test_the_country_files_labels_are_merged_over_the_shipped_set(tmp_path):
    countries = shutil.copytree(COUNTRIES_DIR, tmp_path / "countries")
    _edit(countries, "ro", lambda d: d.setdefault("operators", {}).update(labels={"next": "Mai departe"}))
    cfg = load_country("ro", countries_dir=countries)
    text = render_local(cfg)[0]["agent_guide"].json()
    assert "Mai departe" in text and guide.labels("ro")["next"] not in text
    assert guide.labels("ro")["continue"] in text  # the rest from helpline/guide/labels/ro.yaml
