"""Synthetic speech with espeak-ng (PyPI ``espeakng-loader``: the library and its data), via ctypes.

Each text is spoken in a fresh interpreter (``python -m helpline.prompts.espeak <voice>``):
espeak-ng keeps waveform state (phase, flutter, random generator) between utterances, even
across ``espeak_Terminate``, so a second text in the same process comes out slightly
different. One process per text, with a fixed random seed, makes the same text give the
same bytes every time (and a crash inside the C library cannot take the caller down).
"""

from __future__ import annotations

import array
import ctypes
import re
import signal
import subprocess
import sys
import unicodedata
from pathlib import Path

from helpline.prompts.audio import PHONE_RATE, resample, to_int16, ulaw_wav

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER_MARK = "helpline-blueprint placeholder"  # start of the ISFT tag of every placeholder
WORDS_PER_MINUTE = 155  # espeak-ng's default is 175; a little slower is clearer on a phone line
# speak_lib.h
AUDIO_OUTPUT_SYNCHRONOUS, POS_CHARACTER, CHARS_UTF8, INITIALIZE_DONT_EXIT = 2, 1, 1, 0x8000
PARAM_RATE, PARAM_VOLUME = 1, 2
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


# Language code -> espeak-ng voice where they differ (espeak-ng names most voices by ISO 639-1 code).
# Chinese: espeak-ng's Mandarin voice is "cmn" (ISO 639-3, espeak-ng-data/lang/sit/cmn); it has no
# voice named "zh", and Mandarin is what Amazon Polly speaks for zh (Zhiyu, cmn-CN).
VOICES: dict[str, str] = {"zh": "cmn"}


def voice_for(lang: str) -> str:
    return VOICES.get(lang, lang)


# espeak-ng 1.52 (the library espeakng-loader 0.2.4 ships) aborts the whole process, inside the C
# library, on a Burmese clause of about 50 characters or more ("*** buffer overflow detected ***",
# glibc's fortify check, SIGABRT): it does not end a clause at the Burmese full stop and comma
# (U+104B, U+104A), so every Burmese sentence runs into the next. Burmese is spoken clause by clause
# instead: those marks become ". " and ", ", and a clause still longer than MAX_CLAUSE characters is
# cut at spaces (or, in a long run of unspaced text, between syllables) with ", ", which espeak-ng
# takes as a clause end. Only what espeak-ng reads changes; the file's ICMT tag keeps the text.
CLAUSE_MARKS: dict[str, dict[str, str]] = {"my": {"\u104b": ". ", "\u104a": ", "}}
MAX_CLAUSE: dict[str, int] = {"my": 40}  # no abort in 150 random clauses of 40; one in 40 of 60
_CLAUSE_END = re.compile(r"(?<=[.,;:!?])\s+")


def speakable(text: str, voice: str) -> str:
    """The text as espeak-ng is given it: unchanged, except for voices listed in MAX_CLAUSE."""
    limit = MAX_CLAUSE.get(voice)
    if limit is None:
        return text
    for mark, end in CLAUSE_MARKS.get(voice, {}).items():
        text = text.replace(mark, end)
    clauses = [" ".join(clause.split()) for clause in _CLAUSE_END.split(text.strip())]
    return " ".join(", ".join(_pieces(clause, limit)) for clause in clauses if clause)


def _pieces(clause: str, limit: int) -> list[str]:
    """``clause`` cut into pieces of at most ``limit`` characters: at spaces, else between syllables."""
    pieces: list[str] = []
    for part in (run for word in clause.split(" ") for run in _syllable_runs(word, limit)):
        if pieces and len(pieces[-1]) + 1 + len(part) <= limit:
            pieces[-1] += " " + part
        else:
            pieces.append(part)
    return pieces


def _syllable_runs(word: str, limit: int) -> list[str]:
    """A word longer than ``limit`` cut before a letter that starts a syllable (not stacked, not killed)."""
    if len(word) <= limit:
        return [word]
    runs, start = [], 0
    for i in range(1, len(word)):
        starts_syllable = (
            unicodedata.category(word[i]) == "Lo"
            and word[i - 1] != "\u1039"  # stacked under the previous consonant
            and word[i + 1 : i + 2] not in ("\u103a", "\u1039")  # killed (asat) or stacking
        )
        if starts_syllable and i - start >= limit // 2:
            runs.append(word[start:i])
            start = i
    runs.append(word[start:])
    return runs


class SpeechError(RuntimeError):
    """espeak-ng could not speak the text; ``str(err)`` is one line."""


def _load_library() -> ctypes.CDLL:
    import espeakng_loader

    lib = ctypes.CDLL(espeakng_loader.get_library_path())
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [
        ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
        ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
    ]  # fmt: skip
    lib.espeak_Initialize.restype = lib.espeak_SetVoiceByName.restype = lib.espeak_Synth.restype = ctypes.c_int
    return lib


def speak_here(text: str, voice: str) -> tuple[array.array, int]:
    """Speak ``text`` in THIS process: 16-bit mono samples and their rate. Call once per process."""
    import espeakng_loader

    lib = _load_library()
    rate = lib.espeak_Initialize(
        AUDIO_OUTPUT_SYNCHRONOUS, 0, espeakng_loader.get_data_path().encode(), INITIALIZE_DONT_EXIT
    )
    if rate <= 0:
        raise SpeechError("espeak-ng did not initialise (data folder of espeakng-loader missing?)")
    samples = array.array("h")

    def on_audio(wav, count, _events):  # type: ignore[no-untyped-def]
        if wav and count > 0:
            samples.frombytes(ctypes.string_at(wav, count * 2))
        return 0

    callback = _CALLBACK(on_audio)  # kept referenced until synthesis ends
    lib.espeak_SetSynthCallback(callback)
    if lib.espeak_SetVoiceByName(voice.encode()) != 0:
        raise SpeechError(f"espeak-ng has no voice '{voice}'")
    lib.espeak_ng_SetRandSeed(1)
    lib.espeak_SetParameter(PARAM_RATE, WORDS_PER_MINUTE, 0)
    lib.espeak_SetParameter(PARAM_VOLUME, 50, 0)  # no clipping; the level is normalised afterwards
    data = speakable(text, voice).encode("utf-8") + b"\0"
    if lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, CHARS_UTF8, None, None) != 0:
        raise SpeechError(f"espeak-ng could not speak {text[:40]!r}")
    lib.espeak_Synchronize()
    lib.espeak_Terminate()
    if not any(samples):
        raise SpeechError(f"espeak-ng produced no audio for {text[:40]!r}")
    return samples, rate


def signature(voice: str) -> str:
    """What a placeholder says made it (its ``ISFT`` tag); when this changes, placeholders are redone."""
    return f"{PLACEHOLDER_MARK}: espeak-ng voice {voice}, {WORDS_PER_MINUTE} wpm"


def phone_wav_here(text: str, voice: str) -> bytes:
    """``text`` spoken by espeak-ng as an 8 kHz mono U-Law WAV (in this process).

    The file carries the text (``ICMT``) and :func:`signature` (``ISFT``) as RIFF INFO tags.
    """
    samples, rate = speak_here(text, voice)
    tags = {"ICMT": text, "ISFT": signature(voice)}
    return ulaw_wav(to_int16(resample(samples, rate, PHONE_RATE), peak=0.5), tags=tags)


CHILD = [sys.executable, "-m", "helpline.prompts.espeak"]  # + VOICE; the text on stdin, the WAV on stdout


def phone_wav(text: str, voice: str, timeout: float = 120) -> bytes:
    """``text`` spoken by espeak-ng as an 8 kHz mono U-Law WAV, made in a fresh interpreter."""
    try:
        proc = subprocess.run(  # noqa: S603 - our own module, run by this interpreter
            [*CHILD, voice],
            input=text.encode("utf-8"),
            capture_output=True,
            cwd=ROOT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SpeechError(f"espeak-ng took over {timeout:g} s for {text[:40]!r}") from None
    if proc.returncode != 0 or not proc.stdout.startswith(b"RIFF"):
        raise SpeechError(_failure(proc.returncode, proc.stderr))
    return proc.stdout


def _failure(status: int, stderr: bytes) -> str:
    """One line for a child that failed: its own message, or how the C library killed it."""
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    if status < 0:  # killed by a signal: an abort or a crash inside espeak-ng
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        return f"espeak-ng crashed ({name}{': ' + last if last else ''})"
    return last or f"espeak-ng exited with status {status}"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m helpline.prompts.espeak VOICE < text", file=sys.stderr)
        return 2
    try:
        wav = phone_wav_here(sys.stdin.buffer.read().decode("utf-8"), argv[0])
    except SpeechError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    sys.stdout.buffer.write(wav)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
