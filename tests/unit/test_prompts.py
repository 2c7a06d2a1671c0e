"""Recorded prompts: the list follows the flows, files are checked against Amazon Connect's
limits, placeholders are synthesised (8 kHz mono U-Law) and marked by hash, synthesis refuses
missing recordings, hold music is generated."""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import struct
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helpline.cli import app
from helpline.config import COUNTRIES_DIR, load_country
from helpline.flows.render import RenderedFlow, render_local
from helpline.prompts import (
    MANIFEST,
    check_prompts,
    deploy_check,
    generated_prompts,
    prune_placeholders,
    required_prompts,
    shared_audio,
    write_placeholders,
)
from helpline.prompts.audio import read_wav, resample, ulaw_decode, ulaw_encode, ulaw_wav
from helpline.prompts.espeak import phone_wav
from helpline.prompts.shared import HOLD_MUSIC_SECONDS, SharedAudioError, hold_music

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


# ---- helpers ---------------------------------------------------------------------------------
def tone(freq: float, seconds: float, rate: int = 8000, amp: float = 8000) -> list[int]:
    return [round(amp * math.sin(2 * math.pi * freq * n / rate)) for n in range(int(seconds * rate))]


def power_at(samples: list[float], freq: float, rate: int) -> float:
    """Goertzel: power of one frequency."""
    coeff = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s1, s2 = x + coeff * s1 - s2, s1
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def rms(samples: list[int]) -> float:
    return math.sqrt(sum(s * s for s in samples) / len(samples)) / 32768


def fmt_chunk(data: bytes) -> tuple[int, int, int, int]:
    """(format tag, channels, sample rate, bits) read straight from the bytes, not via our parser."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE" and data[12:16] == b"fmt "
    tag, channels, rate, _byte_rate, _align, bits = struct.unpack_from("<HHIIHH", data, 20)
    return tag, channels, rate, bits


def pcm_wav(path: Path, samples: list[int], rate: int = 8000, channels: int = 1) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{len(samples)}h", *samples))


@pytest.fixture
def countries(tmp_path: Path) -> Path:
    """A copy of the country files (no prompts) in a temporary folder."""
    for p in COUNTRIES_DIR.glob("*.yaml"):
        shutil.copy(p, tmp_path / p.name)
    return tmp_path


def recorded(cfg) -> list:
    """Give every required prompt a valid 'human' recording (a short 8 kHz U-Law tone)."""
    specs = required_prompts(cfg)
    data = ulaw_wav(tone(440, 0.3))
    for spec in specs:
        spec.path.parent.mkdir(parents=True, exist_ok=True)
        spec.path.write_bytes(data)
    return specs


def status_of(report, path: Path):
    return next(p for p in report.prompts if p.spec.path == path)


# ---- which files -----------------------------------------------------------------------------
def test_required_prompts_are_every_prompt_the_rendered_flows_play_in_recorded_languages():
    cfg = load_country("ro")  # ro and en speak through Amazon Polly, uk is recorded
    flows, _ = render_local(cfg)
    played = {v for f in flows.values() for v in _prompt_ids(f.content)}  # from the JSON itself
    specs = required_prompts(cfg)
    assert specs == sorted(specs) and len({s.name for s in specs}) == len(specs)
    assert {f"prompt/{s.name}" for s in specs} == {p for p in played if not p.startswith("prompt/shared/")}
    assert {s.lang for s in specs} == {"uk"}  # nothing for the Polly languages
    assert {"welcome", "privacy_notice", "main_menu", "topic_health_info"} <= {s.prompt_id for s in specs}
    spoken = cfg.spoken("uk")
    for s in specs:
        assert s.text == spoken[s.prompt_id] and "{" not in s.text
        assert s.path == cfg.prompts_dir / "uk" / f"{s.prompt_id}.wav" == cfg.recording_path("uk", s.prompt_id)


def _prompt_ids(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["PromptId"]] if isinstance(node.get("PromptId"), str) else []
        return found + [x for v in node.values() for x in _prompt_ids(v)]
    if isinstance(node, list):
        return [x for v in node for x in _prompt_ids(v)]
    return []


def test_required_prompts_follow_the_flows_when_the_templates_change(monkeypatch):
    cfg = load_country("pl")
    flow = RenderedFlow("x", "CONTACT_FLOW", "", {}, references=[("prompt", "uk/goodbye"), ("queue", "uk")])
    flow.references += [("prompt", "shared/hold_music"), ("prompt", "uk/welcome"), ("prompt", "uk/goodbye")]
    monkeypatch.setattr("helpline.flows.render.render_local", lambda c: ({"x": flow}, None))
    assert [s.prompt_id for s in required_prompts(cfg)] == ["goodbye", "welcome"]
    assert generated_prompts(cfg) == ["hold_music"]  # shared/<id> is generated, not recorded


def test_a_language_with_a_polly_voice_needs_no_recording(countries):
    text = (countries / "pl.yaml").read_text(encoding="utf-8")
    (countries / "pl.yaml").write_text(
        text.replace('{code: ru, digit: "2", voice: Tatyana}', '{code: ru, digit: "2", recorded: true}')
    )
    both = load_country("pl", countries_dir=countries)
    langs = {s.lang for s in required_prompts(both)}
    assert langs == {"uk", "ru"}
    assert {s.lang for s in required_prompts(load_country("pl"))} == {"uk"}


# ---- checks ----------------------------------------------------------------------------------
def test_complete_country_is_ok_and_each_kind_of_problem_is_reported(countries):
    cfg = load_country("pl", countries_dir=countries)
    assert not check_prompts(cfg).ok and len(check_prompts(cfg).missing) == len(required_prompts(cfg))
    specs = recorded(cfg)
    report = check_prompts(cfg)
    assert report.ok and not report.missing and not report.invalid and not report.extra and not report.warnings
    assert {p.status for p in report.prompts} == {"ok"}

    gone, garbage, mp3, short = specs[0].path, specs[1].path, specs[2].path, specs[3].path
    gone.unlink()
    garbage.write_bytes(b"this is not audio at all")
    mp3.write_bytes(b"ID3\x03\x00" + bytes(200))
    short.write_bytes(ulaw_wav(tone(440, 1))[:-2000])  # data chunk cut off
    (cfg.prompts_dir / "uk" / "old_welcome.wav").write_bytes(ulaw_wav(tone(440, 0.1)))
    report = check_prompts(cfg)
    assert not report.ok and report.missing == [gone]
    reasons = dict(report.invalid)
    assert set(reasons) == {garbage, mp3, short}
    assert "not a WAV file" in reasons[garbage] and "MP3" in reasons[mp3] and "truncated" in reasons[short]
    assert report.extra == [cfg.prompts_dir / "uk" / "old_welcome.wav"]


def test_amazon_connect_limits_are_invalid_recommended_format_is_a_warning(countries):
    cfg = load_country("hu", countries_dir=countries)
    specs = recorded(cfg)
    too_long, too_big, cd_quality, silent, header_only = (s.path for s in specs[:5])
    too_long.write_bytes(ulaw_wav([100] * (300 * 8000)))  # exactly five minutes: not "less than"
    with too_big.open("wb") as f:  # 50 MB (sparse): rejected before it is read
        f.truncate(50_000_000)
    pcm_wav(cd_quality, tone(440, 0.5, rate=44100) * 2, rate=44100, channels=2)
    pcm_wav(silent, [0] * 8000)
    header_only.write_bytes(b"RIFF\x04\x00\x00\x00WAVE")
    report = check_prompts(cfg)
    reasons = dict(report.invalid)
    assert "under 5 minutes" in reasons[too_long] and "under 50 MB" in reasons[too_big]
    assert "no valid 'fmt ' chunk" in reasons[header_only]
    assert cd_quality not in reasons and silent not in reasons
    assert status_of(report, cd_quality).warnings == ("44.1 kHz stereo 16-bit PCM, not 8 kHz mono U-Law",)
    assert status_of(report, silent).warnings == (
        "8 kHz mono 16-bit PCM, not 8 kHz mono U-Law",
        "silent (peak below -60 dBFS)",
    )
    assert status_of(report, cd_quality).status == "ok"
    # just under the limit is fine
    too_long.write_bytes(ulaw_wav([100] * (299 * 8000)))
    assert too_long not in dict(check_prompts(cfg).invalid)


def test_placeholder_is_recognised_by_hash_and_a_file_dropped_in_its_place_is_a_recording(countries):
    cfg = load_country("ro", countries_dir=countries)
    specs = recorded(cfg)
    stand_in = specs[0].path
    stand_in.write_bytes(ulaw_wav(tone(330, 0.5)))
    manifest = {f"uk/{stand_in.name}": hashlib.sha256(stand_in.read_bytes()).hexdigest()}
    (cfg.prompts_dir / MANIFEST).write_text(json.dumps(manifest))
    report = check_prompts(cfg)
    assert report.placeholders == [stand_in] and report.ok and MANIFEST not in {p.name for p in report.extra}
    stand_in.write_bytes(ulaw_wav(tone(330, 0.6)))  # the human recording, manifest untouched
    report = check_prompts(cfg)
    assert report.placeholders == [] and status_of(report, stand_in).status == "ok"


def test_a_corrupt_manifest_blocks_instead_of_passing_stand_ins_off_as_recordings(countries):
    cfg = load_country("ro", countries_dir=countries)
    recorded(cfg)
    (cfg.prompts_dir / MANIFEST).write_text("{not json")
    report = check_prompts(cfg)
    assert not report.ok and report.invalid[0][0] == cfg.prompts_dir / MANIFEST
    assert "not valid JSON" in report.invalid[0][1]


# ---- placeholders ----------------------------------------------------------------------------
def test_write_placeholders_fills_only_the_gaps_marks_them_and_is_repeatable(countries):
    cfg = load_country("ro", countries_dir=countries)
    specs = recorded(cfg)
    human = specs[0].path.read_bytes()
    gaps = [specs[1], specs[2]]
    for s in gaps:
        s.path.unlink()
    written = write_placeholders(cfg)
    assert written == sorted(s.path for s in gaps)
    manifest = json.loads((cfg.prompts_dir / MANIFEST).read_text())
    assert manifest == {f"uk/{s.path.name}": hashlib.sha256(s.path.read_bytes()).hexdigest() for s in gaps}
    report = check_prompts(cfg)
    assert report.ok and sorted(report.placeholders) == sorted(s.path for s in gaps) and not report.warnings
    assert specs[0].path.read_bytes() == human  # a recording is never overwritten
    before = {s.path: s.path.read_bytes() for s in gaps}
    assert write_placeholders(cfg) == []  # same text, same bytes: nothing to do
    assert {s.path: s.path.read_bytes() for s in gaps} == before
    specs[3].path.write_bytes(before[gaps[0].path])  # a stand-in copied by hand under another name
    copied = status_of(check_prompts(cfg), specs[3].path)
    assert copied.status == "ok" and any(f"not listed in {MANIFEST}" in w for w in copied.warnings)


def test_a_placeholder_follows_its_text_and_unused_ones_are_pruned(countries):
    cfg = load_country("ro", countries_dir=countries)
    specs = recorded(cfg)
    goodbye = next(s for s in specs if s.prompt_id == "goodbye")
    goodbye.path.unlink()
    write_placeholders(cfg)
    old = goodbye.path.read_bytes()
    text = (countries / "ro.yaml").read_text(encoding="utf-8")
    (countries / "ro.yaml").write_text(text + '\nmessages:\n  uk:\n    goodbye: "До побачення."\n', encoding="utf-8")
    cfg = load_country("ro", countries_dir=countries)
    assert any("older text" in w for _, w in check_prompts(cfg).warnings)
    assert write_placeholders(cfg) == [goodbye.path] and goodbye.path.read_bytes() != old
    assert read_wav(goodbye.path.read_bytes()).tags["ICMT"] == "До побачення."
    # no flow plays it any more: the placeholder goes, a human file of the same kind stays
    unused, human_extra = cfg.prompts_dir / "uk" / "unused.wav", cfg.prompts_dir / "uk" / "mine.wav"
    unused.write_bytes(goodbye.path.read_bytes())
    human_extra.write_bytes(ulaw_wav(tone(500, 0.2)))
    manifest = json.loads((cfg.prompts_dir / MANIFEST).read_text())
    manifest["uk/unused.wav"] = hashlib.sha256(unused.read_bytes()).hexdigest()
    (cfg.prompts_dir / MANIFEST).write_text(json.dumps(manifest))
    assert prune_placeholders(cfg) == [unused]
    assert not unused.exists() and human_extra.exists()
    assert "uk/unused.wav" not in json.loads((cfg.prompts_dir / MANIFEST).read_text())


def test_placeholder_audio_is_8khz_mono_ulaw_speech_and_deterministic():
    text = "Дякуємо за дзвінок. До побачення."
    data = phone_wav(text, "uk")
    assert fmt_chunk(data) == (7, 1, 8000, 8)
    info = read_wav(data)
    samples = ulaw_decode(info.audio)
    assert 1.0 < info.seconds < 6.0
    assert max(abs(s) for s in samples) > 0.3 * 32768 and rms(samples) > 0.02  # not silence
    assert len(data) < 8000 * 6 + 1000  # one byte per sample
    assert phone_wav(text, "uk") == data  # same text, same bytes
    assert phone_wav("Інший текст.", "uk") != data


# ---- audio primitives ------------------------------------------------------------------------
def test_ulaw_matches_g711_and_round_trips():
    assert ulaw_encode([0, 32767, -32768, -1]) == bytes([0xFF, 0x80, 0x00, 0x7F])
    values = [-30000, -5000, -700, -40, 0, 40, 700, 5000, 30000]
    for x, y in zip(values, ulaw_decode(ulaw_encode(values)), strict=True):
        assert abs(x - y) <= max(8, abs(x) * 0.04)


def test_resampling_keeps_the_voice_band_and_removes_what_would_alias():
    rate = 22050
    low = resample([math.sin(2 * math.pi * 1000 * n / rate) for n in range(rate)], rate)
    high = resample([math.sin(2 * math.pi * 5000 * n / rate) for n in range(rate)], rate)
    assert len(low) == 8000
    assert power_at(low, 1000, 8000) > 1000 * power_at(low, 2000, 8000)
    assert 0.9 < max(low[100:-100]) < 1.1  # passband gain ~1
    # 5 kHz is above 4 kHz: naive decimation would fold it to 3 kHz
    assert max(abs(x) for x in high[100:-100]) < 0.01


# ---- shared audio ----------------------------------------------------------------------------
def test_hold_music_is_quiet_gentle_tones_that_fade_and_loop(tmp_path):
    path = shared_audio("hold_music", audio_dir=tmp_path)
    assert path == tmp_path / "hold_music.wav"
    data = path.read_bytes()
    assert fmt_chunk(data) == (7, 1, 8000, 8)
    info = read_wav(data)
    samples = ulaw_decode(info.audio)
    # Long enough to fill the longest interval between two hold messages (240 s), shorter than
    # Connect's 5-minute prompt limit; a 25 s piece that loops cleanly, repeated.
    assert info.seconds == HOLD_MUSIC_SECONDS and 240 < HOLD_MUSIC_SECONDS < 300
    piece = 25 * 8000
    assert samples[:piece] == samples[piece : 2 * piece]
    assert 0.01 < rms(samples) < 0.1 and max(abs(s) for s in samples) < 0.25 * 32768  # quiet, not silent
    assert max(abs(s) for s in samples[:80] + samples[piece - 80 : piece] + samples[-80:]) < 100  # fades
    first_chord = samples[8000 : 4 * 8000]
    assert power_at(first_chord, 523.25, 8000) > 100 * power_at(first_chord, 3000, 8000)  # tones, not noise
    assert hold_music() == hold_music()  # deterministic
    assert shared_audio("hold_music", audio_dir=tmp_path) == path and path.read_bytes() == data
    assert shared_audio("hold_music").parent == ROOT / "build" / "audio"


def test_unknown_shared_audio_is_a_clear_error(tmp_path):
    with pytest.raises(SharedAudioError, match="unknown shared audio 'jingle'; known: hold_music"):
        shared_audio("jingle", audio_dir=tmp_path)


# ---- CLI -------------------------------------------------------------------------------------
def test_cli_lists_each_file_with_its_text_and_status_and_exits_1_when_incomplete(countries):
    cfg = load_country("ro", countries_dir=countries)
    specs = recorded(cfg)
    specs[0].path.unlink()
    specs[1].path.write_bytes(b"nope")
    r = runner.invoke(app, ["prompts", str(countries / "ro.yaml")])
    assert r.exit_code == 1, r.output
    line = next(row for row in r.stdout.splitlines() if specs[0].path.name in row)
    assert "missing" in line
    line = next(row for row in r.stdout.splitlines() if specs[1].path.name in row)
    assert "invalid: not a" in line
    assert cfg.spoken("uk")["goodbye"].split()[0] in r.stdout  # the text to record
    last = r.stdout.strip().splitlines()[-1]
    assert (
        last.startswith(f"ro: {len(specs)} prompt file(s) in uk: {len(specs) - 2} recorded")
        and "1 missing, 1 invalid" in last
    )

    r = runner.invoke(app, ["prompts", str(countries / "ro.yaml"), "--format", "json"])
    data = json.loads(r.stdout)
    assert r.exit_code == 1 and data["ok"] is False and data["generated"] == ["shared/hold_music"]
    by_id = {p["id"]: p for p in data["prompts"]}
    assert by_id[specs[0].prompt_id]["status"] == "missing" and by_id[specs[1].prompt_id]["status"] == "invalid"
    assert by_id["welcome"]["text"] == cfg.spoken("uk")["welcome"]


def test_cli_placeholders_fill_the_gaps_then_exit_0(countries):
    cfg = load_country("ro", countries_dir=countries)
    specs = recorded(cfg)
    specs[0].path.unlink()
    r = runner.invoke(app, ["prompts", str(countries / "ro.yaml"), "--placeholders"])
    assert r.exit_code == 0, r.output
    assert "wrote 1 placeholder(s)" in r.stdout and "1 placeholder(s), 0 missing, 0 invalid" in r.stdout
    assert check_prompts(cfg).placeholders == [specs[0].path]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["prompts", "zz"], "zz.yaml: file not found"),
        (["prompts", "pl", "--placeholder"], "unexpected argument(s): --placeholder"),
    ],
)
def test_cli_bad_country_or_option_is_one_line_exit_2(args, says):
    r = runner.invoke(app, args)
    assert r.exit_code == 2 and r.stderr.strip().count("\n") == 0 and says in r.stderr and "Traceback" not in r.stderr


# ---- synthesis gate --------------------------------------------------------------------------
def test_deploy_check_stops_on_missing_and_warns_on_placeholders(countries):
    cfg = load_country("ro", countries_dir=countries)
    specs = recorded(cfg)
    assert deploy_check([check_prompts(cfg)]) == (None, None)
    stand_in = {f"uk/{specs[0].path.name}": hashlib.sha256(specs[0].path.read_bytes()).hexdigest()}
    (cfg.prompts_dir / MANIFEST).write_text(json.dumps(stand_in))
    error, warning = deploy_check([check_prompts(cfg)])
    assert error is None and warning.startswith("warning: synthetic placeholders stand in for recorded prompts")
    assert f"(ro 1 of {len(specs)})" in warning and "\n" not in warning
    specs[3].path.unlink()
    error, warning = deploy_check([check_prompts(cfg)])
    assert warning is None and error.startswith("ro: 1 recorded prompt file(s) missing or invalid, first ")
    assert str(specs[3].path.name) in error and "helpline prompts ro --placeholders" in error


def test_app_refuses_to_synthesize_with_a_missing_recording_in_one_line(tmp_path):
    countries = tmp_path / "countries"
    shutil.copytree(COUNTRIES_DIR, countries)
    victim = sorted((countries / "pl" / "prompts" / "uk").glob("*.wav"))[0]
    victim.unlink()
    result = subprocess.run(
        [sys.executable, str(ROOT / "app.py")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"HELPLINE_COUNTRIES_DIR": str(countries), "PATH": "/usr/bin:/bin"},
        check=False,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("error: pl: 1 recorded prompt file(s) missing or invalid, first ")
    assert victim.name in lines[0] and "(missing)" in lines[0] and "helpline prompts pl --placeholders" in lines[0]


def test_shipped_countries_have_every_recorded_prompt():
    for code in ("pl", "hu", "ro"):
        report = check_prompts(load_country(code))
        assert report.ok, (code, report.missing[:3], report.invalid[:3])
        assert not report.extra, (code, report.extra[:3])
