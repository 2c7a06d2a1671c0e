"""`helpline review`: one page shows non-engineers everything a deploy gives callers."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from markupsafe import escape  # as the page's Jinja template escapes (&#39;, not html.escape's &#x27;)
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import COUNTRIES_DIR, country_files, load_country
from helpline.review import write_review

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize("code", [p.stem for p in country_files()])
def test_the_page_holds_every_prompt_in_every_language_and_every_partner(tmp_path, code):
    cfg = load_country(code)
    page = write_review(cfg, tmp_path, today=TODAY, pictures=False).read_text(encoding="utf-8")
    for lang in cfg.language_codes:
        for prompt_id, text in cfg.spoken(lang).items():
            if not prompt_id.startswith("whisper_language_"):
                assert escape(text) in page, (lang, prompt_id)
        assert escape(cfg.hours.spoken[lang]) in page
    for partner in cfg.partners:
        assert escape(partner.name) in page and ", ".join(partner.services) in page
    for closure in cfg.hours.closures:
        assert escape(closure.name) in page
    assert f"<strong>{cfg.emergency.number}</strong>" in page and f"<strong>{cfg.emergency.digit}</strong>" in page
    for what, days in cfg.retention_days.model_dump().items():
        assert f"<td>{what}</td><td>{days}</td>" in page
    assert "Flow pictures not requested." in page


def test_the_next_closed_days_include_yearly_holidays_in_the_coming_year(tmp_path):
    page = write_review(load_country("pl"), tmp_path, today=dt.date(2027, 6, 1), pictures=False).read_text()
    assert "Christmas Eve and Christmas 2027 (2027-12-24 to 2027-12-26)" in page
    assert "2026-12-24 to 2026-12-26)" not in page.split("Next closed days")[1].split("</p>")[0]


def test_flow_pictures_are_drawn_inline_where_graphviz_is_installed(tmp_path):
    page = write_review(load_country("ro"), tmp_path, today=TODAY).read_text(encoding="utf-8")
    if shutil.which("dot") is None:  # a machine without Graphviz: the page says why there are no pictures
        assert "Flow pictures left out" in page and "<svg" not in page
        return
    captions = [part.split("</figcaption>")[0] for part in page.split("<figcaption>")[1:]]
    assert "inbound_uk" in captions and page.count("<svg") == len(captions)
    assert [p.name for p in tmp_path.iterdir()] == ["ro.html"]


def test_without_graphviz_the_page_says_so_and_is_otherwise_complete(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    page = write_review(load_country("ro"), tmp_path, today=TODAY).read_text(encoding="utf-8")
    assert "Flow pictures left out: graphviz &#39;dot&#39; is not installed" in page and "<svg" not in page
    assert "Every prompt" in page


def test_text_from_the_country_file_cannot_inject_markup(tmp_path):
    folder = tmp_path / "countries"
    shutil.copytree(COUNTRIES_DIR, folder)
    path = folder / "ro.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("name: Romania", "name: Romania <script>x()</script>"))
    page = write_review(load_country(path), tmp_path / "out", today=TODAY, pictures=False).read_text()
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_cli_writes_the_page_and_refuses_an_unknown_country_in_one_line(tmp_path):
    result = CliRunner().invoke(app, ["review", "hu", "--out", str(tmp_path), "--no-pictures"])
    assert result.exit_code == 0 and (tmp_path / "hu.html").is_file()
    result = CliRunner().invoke(app, ["review", "zz", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "zz.yaml: file not found" in result.output
