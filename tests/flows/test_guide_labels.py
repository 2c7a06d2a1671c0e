"""Screen labels of the operators' guide: one file per operators' language, the same keys in each,
every label used, and a missing one is one clear error."""

from __future__ import annotations

import shutil

import pytest

from helpline import guide
from helpline.config import load_country
from helpline.flows.render import RenderError, render_local
from tests.flows.support import COUNTRIES


@pytest.fixture
def labels_dir(tmp_path, monkeypatch):
    shutil.copy(guide.LABELS_DIR / "en.yaml", tmp_path / "en.yaml")
    monkeypatch.setattr(guide, "LABELS_DIR", tmp_path)
    guide._read.cache_clear()
    yield tmp_path
    guide._read.cache_clear()


def test_every_label_file_has_the_keys_of_the_reference():
    reference = guide.labels("en")
    assert {"en", "pl", "hu", "ro", "uk"} <= set(guide.label_languages())
    for lang in guide.label_languages():
        assert set(guide.labels(lang)) == set(reference), lang


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
