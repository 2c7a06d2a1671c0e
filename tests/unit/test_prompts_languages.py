"""Placeholders for every language the project claims, Burmese included, and a crash inside the
speech engine costs one prompt (one line naming it), never the rest of the run."""

from __future__ import annotations

import re
import struct
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import load_country
from helpline.config.reference import LANGUAGES
from helpline.prompts import check_prompts, required_prompts, write_placeholders
from helpline.prompts.audio import read_wav, ulaw_decode, ulaw_wav
from helpline.prompts.espeak import MAX_CLAUSE, phone_wav, speakable, voice_for
from helpline.prompts.placeholders import synthesise
from tests.unit.written_countries import ARABIC, BURMESE, myanmar

runner = CliRunner()

# One sentence a caller could hear, per language the country files may use (helpline.config.reference).
SAMPLES = {
    "uk": "Якщо ви в небезпеці, телефонуйте за номером 112. До побачення.",
    "ru": "Если вы в опасности, звоните по номеру 112. До свидания.",
    "en": "If you are in danger, call 112. Goodbye.",
    "ro": "Dacă sunteți în pericol, sunați la 112. La revedere.",
    "pl": "Jeśli jesteś w niebezpieczeństwie, zadzwoń pod numer 112. Do widzenia.",
    "hu": "Ha veszélyben van, hívja a 112-es számot. Viszonthallásra.",
    "ar": ARABIC["goodbye"].format(emergency_number="17"),
    "es": "Si está en peligro, llame al 112. Adiós.",
    "fr": "Si vous êtes en danger, appelez le 17. Au revoir.",
    "de": "Wenn Sie in Gefahr sind, rufen Sie 112 an. Auf Wiederhören.",
    "my": BURMESE["emergency_closed"].format(emergency_number="199"),
    "sk": "Ak ste v nebezpečenstve, volajte 112. Dovidenia.",
    "cs": "Pokud jste v nebezpečí, volejte 112. Na shledanou.",
    "tr": "Tehlikedeyseniz 112'yi arayın. Hoşça kalın.",
    "zh": "如果您有危险，请拨打110。再见。",
}


def is_phone_speech(data: bytes) -> bool:
    """8 kHz mono U-Law (read from the header bytes), at least half a second, not silence."""
    tag, channels, rate, _byte_rate, _align, bits = struct.unpack_from("<HHIIHH", data, 20)
    info = read_wav(data)
    samples = ulaw_decode(info.audio)
    loud = max(abs(s) for s in samples) > 0.3 * 32768
    return (tag, channels, rate, bits) == (7, 1, 8000, 8) and info.seconds > 0.5 and loud


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_espeak_ng_speaks_every_language_a_country_may_use(lang):
    data = phone_wav(SAMPLES[lang], voice_for(lang))
    assert is_phone_speech(data) and read_wav(data).tags["ICMT"] == SAMPLES[lang]


def test_the_recording_guide_names_every_language_placeholders_speak():
    # docs/recording-prompts.md tells a user which languages need human recordings first (none)
    guide = (Path(__file__).resolve().parents[2] / "docs" / "recording-prompts.md").read_text(encoding="utf-8")
    listed = re.search(r"espeak-ng speaks every language a country file may use \(([a-z, \n]+);", guide)
    assert listed, "the Languages paragraph of docs/recording-prompts.md moved"
    assert sorted(c.strip() for c in listed[1].split(",")) == sorted(LANGUAGES)
    assert "no language needs human recordings before a test deploy" in " ".join(guide.split())


def test_burmese_is_read_clause_by_clause_in_short_clauses():
    # espeak-ng 1.52 aborts on a long Burmese clause and does not stop at the Burmese full stop (U+104B)
    text = BURMESE["feedback"]
    said = speakable(text, "my")
    assert "\u104b" not in said and "\u104a" not in said
    clauses = [c.strip() for part in said.split(". ") for c in part.split(", ")]
    assert all(0 < len(c.rstrip(".")) <= MAX_CLAUSE["my"] for c in clauses), clauses
    assert "".join(said.replace(",", "").replace(".", "").split()) == "".join(
        text.replace("\u104b", "").replace("\u104a", "").split()
    )  # nothing dropped, only clause ends added
    unspaced = "".join(BURMESE["privacy_notice"].split()).replace("\u104b", "")
    assert all(len(c) <= MAX_CLAUSE["my"] for c in speakable(unspaced, "my").split(", "))
    assert speakable(SAMPLES["uk"], "uk") == SAMPLES["uk"]  # other voices get the text as written


def test_burmese_placeholders_are_written_in_connects_format(tmp_path):
    cfg = load_country(myanmar(tmp_path))
    specs = required_prompts(cfg)
    assert {s.lang for s in specs} == {"my"}
    stand_in = ulaw_wav([0, 1000, -1000] * 800)
    # the texts espeak-ng used to abort on ("*** buffer overflow detected ***"), plus a short one
    wanted = {"feedback", "emergency_closed", "callback_offer", "no_input"}
    for spec in specs:
        if spec.prompt_id not in wanted:
            spec.path.parent.mkdir(parents=True, exist_ok=True)
            spec.path.write_bytes(stand_in)
    written = write_placeholders(cfg)
    assert [p.stem for p in written] == sorted(wanted)
    for path in written:
        assert is_phone_speech(path.read_bytes())
    report = check_prompts(cfg)
    assert report.ok and sorted(report.placeholders) == written and not report.warnings


ABORTING_CHILD = textwrap.dedent(
    """
    import os, sys
    from helpline.prompts.espeak import phone_wav_here
    text = sys.stdin.buffer.read().decode("utf-8")
    if os.environ["ABORT_ON"] in text:
        sys.stderr.write("*** buffer overflow detected ***: terminated\\n")
        sys.stderr.flush()
        os.abort()  # what espeak-ng does: SIGABRT inside the C library
    sys.stdout.buffer.write(phone_wav_here(text, sys.argv[1]))
    """
)


@pytest.fixture
def aborting_engine(tmp_path, monkeypatch):
    """The speech engine, run as usual, except that it aborts (SIGABRT) on texts holding ABORT_ON."""
    script = tmp_path / "engine.py"
    script.write_text(ABORTING_CHILD, encoding="utf-8")
    monkeypatch.setattr("helpline.prompts.espeak.CHILD", [sys.executable, str(script)])
    return lambda marker: monkeypatch.setenv("ABORT_ON", marker)


def test_an_engine_crash_is_one_line_naming_the_prompt_and_the_others_are_written(tmp_path, aborting_engine):
    path = myanmar(tmp_path)
    cfg = load_country(path)
    specs = {s.prompt_id: s for s in required_prompts(cfg)}
    for spec in specs.values():
        if spec.prompt_id not in ("no_input", "transfer", "invalid_input"):
            spec.path.parent.mkdir(parents=True, exist_ok=True)
            spec.path.write_bytes(ulaw_wav([0, 1000, -1000] * 800))
    aborting_engine(specs["transfer"].text)
    r = runner.invoke(app, ["prompts", str(path), "--placeholders"])
    assert r.exit_code == 1, r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr
    assert lines[0].startswith("mm: my/transfer: no placeholder: espeak-ng crashed (SIGABRT: ")
    assert "buffer overflow detected" in lines[0] and specs["transfer"].text[:20] in lines[0]
    assert "needs human recordings first: my (1)" in r.stdout
    report = check_prompts(cfg)
    assert report.missing == [specs["transfer"].path]
    assert sorted(report.placeholders) == sorted([specs["no_input"].path, specs["invalid_input"].path])


def test_synthesise_lists_each_failed_prompt_and_reports_progress(tmp_path, aborting_engine):
    cfg = load_country(myanmar(tmp_path))
    specs = {s.prompt_id: s for s in required_prompts(cfg)}
    for spec in specs.values():
        if spec.prompt_id not in ("no_input", "transfer"):
            spec.path.parent.mkdir(parents=True, exist_ok=True)
            spec.path.write_bytes(ulaw_wav([0, 1000, -1000] * 800))
    aborting_engine(specs["no_input"].text)
    seen: list[tuple[str, int]] = []
    run = synthesise(cfg, progress=lambda spec, total: seen.append((spec.prompt_id, total)))
    assert sorted(seen) == [("no_input", 2), ("transfer", 2)]
    assert run.written == [specs["transfer"].path] and [s.prompt_id for s, _ in run.failed] == ["no_input"]
    assert Path(run.written[0]).is_file() and not specs["no_input"].path.exists()
