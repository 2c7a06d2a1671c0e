"""docs/examples/td.yaml: Chad (Arabic, right to left, then French), written with `helpline new-country` and the
docs alone in a timed trial. It stays what a new user gets: valid with no warning, its flows lint clean, callers
in both languages reach a person by day and a safe end at night, and the review page reads right to left."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from helpline.config import COUNTRIES_DIR, load_country
from helpline.config.gate import check_country
from helpline.flows.lint import lint_country
from helpline.flows.simulate import Simulator
from helpline.review import write_review

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "td.yaml"
DAY, NIGHT = "2026-12-08T10:30", "2026-12-08T23:00"  # a Tuesday


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("example") / "countries"
    out.mkdir()
    for shared in ("defaults.yaml", "messages.yaml"):
        shutil.copy(COUNTRIES_DIR / shared, out / shared)
    shutil.copy(EXAMPLE, out / "td.yaml")
    return out


def test_the_example_passes_the_gate_without_a_warning(folder):
    report = check_country("td", countries_dir=folder)
    assert report.errors == [] and report.warnings == []


def test_its_flows_lint_clean(folder):
    assert lint_country(load_country("td", countries_dir=folder)) == []


@pytest.mark.parametrize("lang", ["ar", "fr"])
def test_callers_reach_a_person_by_day_and_a_safe_end_at_night(folder, lang):
    cfg = load_country("td", countries_dir=folder)
    day = Simulator(cfg).call(lang=lang, presses=["-", "0"], at=DAY, caller="+23566123456")
    assert day.answered and day.safe
    night = Simulator(cfg).call(lang=lang, presses=["9"], at=NIGHT, caller="+23566123456")
    assert night.safe and not night.answered
    assert night.said(cfg.message(lang, "emergency_closed").format(emergency_number="17")) or night.callback


def test_the_review_page_reads_arabic_right_to_left(folder, tmp_path):
    cfg = load_country("td", countries_dir=folder)
    page = write_review(cfg, tmp_path, pictures=False).read_text(encoding="utf-8")
    assert 'lang="ar" dir="rtl"' in page and 'lang="fr" dir="ltr"' in page
