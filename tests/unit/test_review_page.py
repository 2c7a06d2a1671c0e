"""The review page a programme manager signs: every text in its language and direction, as
callers hear it, partner contacts, the needs-by-region gaps, the journey in plain words first,
one self-contained file. Checked as HTML everywhere, and as a person sees it in headless Chromium
where Chromium is installed (the structural checks run either way)."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import load_country
from helpline.review import DEFAULT_OUT, coverage, write_review
from tests.unit.written_countries import ARABIC, chad

TODAY = dt.date(2026, 11, 25)
ROOT = Path(__file__).resolve().parents[2]


class Page(HTMLParser):
    """Elements with their attributes and text, and the ancestors' attributes of each text."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.texts: list[tuple[str, list[tuple[str, dict[str, str]]]]] = []  # (text, open elements)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        element = (tag, {k: v or "" for k, v in attrs})
        self.tags.append(element)
        if tag not in ("meta", "link", "br", "img", "input", "hr", "path", "polygon", "ellipse", "polyline"):
            self.stack.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if data.strip():
            self.texts.append((data.strip(), list(self.stack)))

    def language_of(self, text: str) -> tuple[str, str]:
        """(lang, dir) of the nearest element around ``text`` that sets them."""
        _, stack = next((t, s) for t, s in self.texts if t == text)
        lang = next((a["lang"] for _, a in reversed(stack) if "lang" in a), "")
        direction = next((a["dir"] for _, a in reversed(stack) if "dir" in a), "")
        return lang, direction


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


def test_every_text_carries_its_language_and_arabic_reads_right_to_left(tmp_path):
    cfg = load_country(chad(tmp_path))
    html = write_review(cfg, tmp_path / "out", today=TODAY, pictures=False).read_text(encoding="utf-8")
    page = parse(html)
    for lang, expected_dir in (("ar", "rtl"), ("fr", "ltr")):
        for prompt_id, text in cfg.spoken(lang).items():
            if prompt_id.startswith("whisper_language_"):
                continue
            assert page.language_of(text) == (lang, expected_dir), (lang, prompt_id)
        assert page.language_of(cfg.hours.spoken[lang]) == (lang, expected_dir)
    assert page.language_of("العربية") == ("ar", "rtl")  # the language's own name


def test_texts_are_shown_as_callers_hear_them_never_with_raw_placeholders(tmp_path):
    for cfg in (load_country(chad(tmp_path)), load_country("pl")):
        html = write_review(cfg, tmp_path / "out", today=TODAY, pictures=False).read_text(encoding="utf-8")
        assert not re.findall(r"\{[a-z_]+\}", html), cfg.code
        assert ARABIC["goodbye"].format(emergency_number="17") in html or cfg.code == "pl"
        assert f"names the emergency number ({cfg.emergency.number})" in html


def test_partners_show_their_contacts_and_the_coverage_table_flags_each_gap(tmp_path):
    cfg = load_country(chad(tmp_path))
    html = write_review(cfg, tmp_path / "out", today=TODAY, pictures=False).read_text(encoding="utf-8")
    assert "+235 22 51 00 00" in html and "referrals@health.partners.example.org" in html
    cells = {}
    page = parse(html)
    for tag, attrs in page.tags:
        if tag == "td" and "data-need" in attrs:
            cells.setdefault(attrs["data-need"], []).append(attrs.get("class"))
    # SV: the N'Djamena protection partner only; SM: the health partner, everywhere
    assert cells["SV"] == ["ok", "gap", "gap"] and cells["SM"] == ["ok", "ok", "ok"]
    assert cells["ER"] == ["gap", "gap", "gap"]
    gaps = coverage(cfg)["gaps"]
    assert ("ouaddai", "SV") in gaps and ("ndjamena", "SV") not in gaps and ("lac", "SM") not in gaps
    assert "SV (sexual and gender-based violence) in ouaddai, lac" in html
    # a partner with a sub-code serves its need (LP-ND counts for LP)
    legal = {"id": "td-legal", "name": "Legal aid", "services": ["LP-ND"], "regions": ["*"], "languages": ["ar"],
             "channel": {"type": "email", "address": "legal@example.org"}, "capacity": 5}  # fmt: skip
    cfg = load_country(chad(tmp_path / "2", partners=[legal]))
    assert not [g for g in coverage(cfg)["gaps"] if g[1] == "LP"]


def test_the_journey_comes_first_in_plain_words(tmp_path):
    cfg = load_country(chad(tmp_path))
    html = write_review(cfg, tmp_path / "out", today=TODAY, pictures=False).read_text(encoding="utf-8")
    headings = re.findall(r"<h2 id=\"([a-z]+)\"", html)
    assert headings[0] == "journey"
    journey = html.split('<ol class="journey">')[1].split("</ol>")[0]
    for words in ("1 for Arabic, 2 for French", "continues in Arabic", "key 9", "emergency number 17",
                  "mon-fri 08:00-16:00", "Africa/Ndjamena", "called back", "report someone at risk"):  # fmt: skip
        assert words in journey, words


def test_the_page_is_one_file_with_the_flow_pictures_inline(tmp_path):
    out = tmp_path / "out"
    html = write_review(load_country("ro"), out, today=TODAY).read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == ["ro.html"]  # no side folder
    assert "<img" not in html and 'src="' not in html and "<link" not in html
    if shutil.which("dot") is None:
        assert "Flow pictures left out" in html
        return
    figures = html.split('<div class="flow"')[1:]
    assert figures and all("<svg" in f.split("</figure>")[0] for f in figures)
    assert "<?xml" not in html and "<!DOCTYPE svg" not in html
    assert "max-width: 100%" not in html  # drawn at their own size, scrolled, not shrunk


def test_the_page_is_written_to_an_ignored_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["review", "hu", "--no-pictures"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / DEFAULT_OUT / "hu.html").is_file()
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(DEFAULT_OUT / "hu.html")], cwd=ROOT, check=False
    ).returncode
    assert ignored == 0, f"{DEFAULT_OUT} is not ignored by git"


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
DIRECTION_PROBE = """
<script>
document.addEventListener("DOMContentLoaded", () => {
  const out = [];
  for (const el of document.querySelectorAll("[lang]")) {
    if (el === document.documentElement) continue;
    out.push(el.getAttribute("lang") + ":" + getComputedStyle(el).direction + ":" + getComputedStyle(el).textAlign);
  }
  const pre = document.createElement("pre");
  pre.id = "probe";
  pre.textContent = out.join("\\n");
  document.body.appendChild(pre);
});
</script>
"""


def test_chromium_renders_arabic_right_to_left_where_it_is_installed(tmp_path, capsys):
    """Structure always; the visual check (computed direction, screenshot) where Chromium exists."""
    page = write_review(load_country(chad(tmp_path)), tmp_path / "out", today=TODAY, pictures=False)
    html = page.read_text(encoding="utf-8")
    arabic_cells = [a for t, a in parse(html).tags if a.get("lang") == "ar"]
    assert arabic_cells and all(a.get("dir") == "rtl" for a in arabic_cells)
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        with capsys.disabled():
            print("\nvisual check did not run: chromium is not installed (apt-get install chromium)")
        return
    probe = tmp_path / "probe.html"
    probe.write_text(html.replace("</body>", DIRECTION_PROBE + "</body>"), encoding="utf-8")
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(
        [browser, *flags, "--dump-dom", probe.as_uri()], capture_output=True, text=True, timeout=120, check=True
    ).stdout
    probed = dom.split('<pre id="probe">')[1].split("</pre>")[0].splitlines()
    arabic = [line for line in probed if line.startswith("ar:")]
    french = [line for line in probed if line.startswith("fr:")]
    assert arabic and all(line.split(":")[1] == "rtl" for line in arabic), arabic[:3]
    assert all(line.split(":")[2] in ("right", "start") for line in arabic)
    assert french and all(line.split(":")[1] == "ltr" for line in french)
    shot = tmp_path / "page.png"
    subprocess.run(
        [browser, *flags, "--window-size=1300,2000", f"--screenshot={shot}", page.as_uri()],
        capture_output=True, timeout=120, check=True,
    )  # fmt: skip
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000


def test_json_names_the_page_and_its_warnings_as_the_text_does(tmp_path):
    folder = chad(tmp_path)  # Chad's partners leave gaps (SV outside N'Djamena, ER everywhere)
    args = ["review", str(folder), "--out", str(tmp_path / "out"), "--no-pictures"]
    text = CliRunner().invoke(app, args)
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert text.exit_code == 0 and result.exit_code == 0, (text.output, result.output)
    report = json.loads(result.stdout)
    page = tmp_path / "out" / "td.html"
    assert report["file"] == str(page) and page.is_file() and report["country"] == "td"
    assert text.stdout.strip() == f"wrote {page} (0 flow pictures)" and report["pictures"] == 0
    gaps = coverage(load_country(folder))["gaps"]
    assert [(g["region"], g["need"]) for g in report["gaps"]] == gaps
    assert any(w.startswith(f"{len(gaps)} need(s) by region with no partner: ") for w in report["warnings"])
    assert "SV (sexual and gender-based violence) in ouaddai, lac" in " ".join(report["warnings"])
    synthesized = (Path("cdk.out") / f"{load_country(folder).stack_name}.template.json").is_file()
    assert ("no cost section" in " ".join(report["warnings"])) is not synthesized  # said exactly when it is left out
    assert [f"warning: {w}" for w in report["warnings"]] == text.stderr.splitlines()


def test_json_output_defaults_to_the_ignored_build_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["review", "hu", "--no-pictures", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["file"] == str(Path("build") / "review" / "hu.html")


def test_bad_input_is_one_line_and_exit_2(tmp_path):
    unknown = CliRunner().invoke(app, ["review", "zz", "--format", "json"])
    assert unknown.exit_code == 2 and unknown.stdout == "" and unknown.stderr.count("\n") == 1
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder\n")
    result = CliRunner().invoke(app, ["review", "hu", "--out", str(blocked), "--no-pictures"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith(f"review: cannot write to {blocked}: ") and result.stderr.count("\n") == 1


def test_each_flow_picture_is_reported_as_drawn_for_the_progress_bar(tmp_path):
    seen: list[tuple[str, int]] = []
    page = write_review(load_country("ro"), tmp_path, today=TODAY, drawn=lambda name, total: seen.append((name, total)))
    captions = [part.split("</figcaption>")[0] for part in page.read_text(encoding="utf-8").split("<figcaption>")[1:]]
    if shutil.which("dot") is None:  # nothing drawn, nothing reported
        assert seen == [] and captions == []
        return
    assert [name for name, _ in seen] == captions and {total for _, total in seen} == {len(captions)}
    assert len(captions) > 3
