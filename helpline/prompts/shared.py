"""Generated audio that is the same in every language (flows refer to it as ``shared/<id>``).

Nobody records these: :func:`shared_audio` writes them, deterministically, under
``build/audio/<id>.wav`` (8 kHz mono U-Law), where the stack picks them up as assets.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path

from helpline.prompts.audio import PHONE_RATE, to_int16, ulaw_wav

ROOT = Path(__file__).resolve().parents[2]
AUDIO_DIR = ROOT / "build" / "audio"
SHARED = "shared"  # the language part of a shared prompt name: "shared/<id>"

# Hold music: a slow I-vi-IV-V progression in C major, a soft pad under a bell-like arpeggio,
# all inside the telephone band (300-3400 Hz). Frequencies in Hz (equal temperament).
_CHORDS = (
    (523.25, 659.25, 783.99),  # C5 E5 G5
    (440.00, 523.25, 659.25),  # A4 C5 E5
    (349.23, 440.00, 523.25),  # F4 A4 C5
    (392.00, 493.88, 587.33),  # G4 B4 D5
)
_CHORD_SECONDS = 5.0
_ARPEGGIO = (0, 1, 2, 1, 0, 2, 1, 2)  # chord-tone index of each arpeggio note, one octave up
HOLD_MUSIC_PEAK = 0.2  # of full scale: quiet under the (0.5-peak) spoken prompts


class SharedAudioError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


@lru_cache(maxsize=8)
def _envelope(kind: str, length: float) -> tuple[float, ...]:
    """Gain per sample: "pad" rises and falls over a second; "bell" strikes and decays."""
    out = []
    for n in range(int(length * PHONE_RATE)):
        t = n / PHONE_RATE
        if kind == "pad":
            out.append(math.sin(0.5 * math.pi * min(t, length - t, 1.0)) ** 2)
        else:
            out.append(min(1.0, t / 0.015) * min(1.0, (length - t) / 0.05) * math.exp(-t / 0.35))
    return tuple(out)


def _add_tone(buf: list[float], start: float, length: float, freq: float, amp: float, kind: str) -> None:
    """Mix a soft tone (fundamental plus a quiet octave) into ``buf`` from ``start`` seconds."""
    first = int(start * PHONE_RATE)
    step = 2 * math.pi * freq / PHONE_RATE
    sin = math.sin
    for k, gain in enumerate(_envelope(kind, length)):
        n = first + k
        if 0 <= n < len(buf):
            x = step * k
            buf[n] += amp * gain * (sin(x) + 0.15 * sin(2 * x))


def hold_music(seconds: float = 20.0) -> list[int]:
    """About ``seconds`` of gentle, quiet music (16-bit samples at 8 kHz) that loops cleanly."""
    buf = [0.0] * int(seconds * PHONE_RATE)
    step = seconds / len(_CHORDS)
    note_len = step / len(_ARPEGGIO)
    for i, chord in enumerate(_CHORDS):
        start = i * step
        for freq in chord:  # pad: overlaps the next chord by a second, cross-faded
            _add_tone(buf, start - 0.5, step + 1.0, freq, 0.05, "pad")
        for j, tone in enumerate(_ARPEGGIO):
            _add_tone(buf, start + j * note_len, 1.2, 2 * chord[tone], 0.08, "bell")
    fade = int(0.5 * PHONE_RATE)  # silence at both ends: the loop restarts without a click
    for n in range(fade):
        gain = math.sin(0.5 * math.pi * n / fade) ** 2
        buf[n] *= gain
        buf[-1 - n] *= gain
    return to_int16(buf, peak=HOLD_MUSIC_PEAK)


# The hold music fills the whole interval between two waiting messages (the loop prompt plays
# [message, music] until the interrupt period, at most 240 s, ends), and stays under Connect's
# 5-minute prompt limit (adminguide/prompts.html): one 25 s piece, played ten times.
HOLD_MUSIC_SECONDS = 250


def long_hold_music() -> list[int]:
    piece = hold_music(25.0)
    return piece * (HOLD_MUSIC_SECONDS // 25)


GENERATORS: dict[str, Callable[[], list[int]]] = {"hold_music": long_hold_music}


@cache
def shared_wav(prompt_id: str) -> bytes:
    """The WAV bytes of a shared prompt; :class:`SharedAudioError` for an unknown id."""
    if prompt_id not in GENERATORS:
        raise SharedAudioError(f"unknown shared audio '{prompt_id}'; known: {', '.join(sorted(GENERATORS))}")
    return ulaw_wav(GENERATORS[prompt_id]())


def shared_audio(prompt_id: str, audio_dir: Path = AUDIO_DIR) -> Path:
    """Path of the generated ``<audio_dir>/<prompt_id>.wav`` (written if absent or different)."""
    data = shared_wav(prompt_id)
    path = audio_dir / f"{prompt_id}.wav"
    if path.is_file() and path.read_bytes() == data:
        return path
    write_atomic(path, data)  # parallel synths may race: each replaces the file whole
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file and rename, so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it 0600; these are ordinary project files
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
