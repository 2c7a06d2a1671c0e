"""WAV audio with the standard library only: G.711 U-Law, RIFF chunks, resampling.

Python's :mod:`wave` reads only integer PCM (format tag 1) before Python 3.12 and never
U-Law (tag 7), which is the format Amazon Connect recommends; so the RIFF ``fmt `` and
``data`` chunks are read here with :mod:`struct`, and :mod:`wave` cross-checks PCM files.
``audioop`` is not used: it was removed in Python 3.13.
"""

from __future__ import annotations

import array
import io
import math
import operator
import struct
import sys
import wave
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

PHONE_RATE = 8000
FORMAT_PCM, FORMAT_FLOAT, FORMAT_ALAW, FORMAT_ULAW, FORMAT_EXTENSIBLE = 1, 3, 6, 7, 0xFFFE
ENCODINGS = {FORMAT_PCM: "PCM", FORMAT_FLOAT: "float", FORMAT_ALAW: "A-Law", FORMAT_ULAW: "U-Law"}

# Files that are often saved with a .wav name but are something else.
_MAGIC = {b"ID3": "an MP3 file", b"\xff\xfb": "an MP3 file", b"OggS": "an Ogg file", b"fLaC": "a FLAC file"}


class WavError(ValueError):
    """The bytes are not a readable WAV file; ``str(err)`` is a one-line reason."""


# ---- G.711 U-Law ----------------------------------------------------------------------------
_BIAS, _CLIP = 0x84, 32635


def _ulaw_byte(sample: int) -> int:
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), _CLIP) + _BIAS
    exponent = (magnitude >> 7).bit_length() - 1
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | exponent << 4 | mantissa) & 0xFF


def _ulaw_sample(byte: int) -> int:
    u = ~byte & 0xFF
    magnitude = (((u & 0x0F) << 3) + _BIAS) << ((u >> 4) & 7)
    return _BIAS - magnitude if u & 0x80 else magnitude - _BIAS


_ENCODE = bytes(_ulaw_byte(s - 32768) for s in range(65536))
_DECODE = tuple(_ulaw_sample(b) for b in range(256))


def ulaw_encode(samples: Iterable[int]) -> bytes:
    """16-bit signed samples -> one U-Law byte each (G.711)."""
    return bytes(_ENCODE[max(-32768, min(32767, s)) + 32768] for s in samples)


def ulaw_decode(data: bytes) -> list[int]:
    """U-Law bytes -> 16-bit signed samples."""
    return [_DECODE[b] for b in data]


# ---- reading --------------------------------------------------------------------------------
@dataclass(frozen=True)
class WavInfo:
    format_tag: int
    channels: int
    sample_rate: int
    bits: int
    frames: int
    audio: bytes
    tags: dict[str, str] = field(default_factory=dict, compare=False)  # RIFF LIST/INFO, e.g. ICMT

    @property
    def encoding(self) -> str:
        return ENCODINGS.get(self.format_tag, f"format {self.format_tag:#06x}")

    @property
    def seconds(self) -> float:
        return self.frames / self.sample_rate

    @property
    def is_phone_format(self) -> bool:
        """8 kHz, mono, U-Law: what Amazon Connect recommends."""
        return (self.format_tag, self.sample_rate, self.channels) == (FORMAT_ULAW, PHONE_RATE, 1)

    def describe(self) -> str:
        layout = {1: "mono", 2: "stereo"}.get(self.channels, f"{self.channels} channels")
        return f"{self.sample_rate / 1000:g} kHz {layout} {self.bits}-bit {self.encoding}"

    def peak(self) -> float | None:
        """Largest sample as a fraction of full scale (None: encoding not decoded here)."""
        if self.format_tag == FORMAT_ULAW:
            return max((abs(_DECODE[b]) for b in set(self.audio)), default=0) / 32768
        if self.format_tag == FORMAT_PCM and self.bits == 16:
            samples = array.array("h", self.audio[: len(self.audio) // 2 * 2])
            if sys.byteorder == "big":
                samples.byteswap()
            return max(abs(max(samples, default=0)), abs(min(samples, default=0))) / 32768
        if self.format_tag == FORMAT_PCM and self.bits == 8:
            return max((abs(b - 128) for b in set(self.audio)), default=0) / 128
        return None


def _chunks(data: bytes) -> dict[bytes, bytes]:
    """The first body of each RIFF chunk id; raises WavError when the file is truncated."""
    found: dict[bytes, bytes] = {}
    pos = 12
    while pos + 8 <= len(data):
        cid, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8 : pos + 8 + size]
        if len(body) < size:
            name = cid.decode("latin-1").strip()
            raise WavError(f"truncated: the '{name}' chunk says {size} bytes but the file holds {len(body)}")
        found.setdefault(cid, body)
        pos += 8 + size + (size & 1)
    return found


def read_wav(data: bytes) -> WavInfo:
    """Parse a WAV file's header and audio; any problem is a :class:`WavError` (one line)."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        kind = next((name for magic, name in _MAGIC.items() if data.startswith(magic)), None)
        if not data:
            raise WavError("empty file")
        raise WavError(f"not a WAV file ({kind or 'no RIFF/WAVE header'})")
    chunks = _chunks(data)
    fmt, audio = chunks.get(b"fmt "), chunks.get(b"data")
    if fmt is None or len(fmt) < 16:
        raise WavError("no valid 'fmt ' chunk")
    if audio is None:
        raise WavError("no 'data' chunk")
    tag, channels, rate, _byte_rate, align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == FORMAT_EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]  # first two bytes of the SubFormat GUID
    if not channels or not rate or not align:
        raise WavError("header has zero channels, sample rate or block size")
    if not audio:
        raise WavError("contains no audio (empty 'data' chunk)")
    info = WavInfo(tag, channels, rate, bits, len(audio) // align, audio, _info_tags(chunks.get(b"LIST", b"")))
    if tag == FORMAT_PCM:
        _check_with_wave(data, info)
    return info


def _info_tags(body: bytes) -> dict[str, str]:
    """The text fields of a ``LIST``/``INFO`` chunk (e.g. ``ICMT`` comment, ``ISFT`` software)."""
    tags: dict[str, str] = {}
    if body[:4] != b"INFO":
        return tags
    pos = 4
    while pos + 8 <= len(body):
        tid, size = body[pos : pos + 4], struct.unpack_from("<I", body, pos + 4)[0]
        value = body[pos + 8 : pos + 8 + size].rstrip(b"\0")
        tags[tid.decode("latin-1")] = value.decode("utf-8", "replace")
        pos += 8 + size + (size & 1)
    return tags


def _check_with_wave(data: bytes, info: WavInfo) -> None:
    """The standard library's reader must agree on a PCM file (it reads PCM only)."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            params = (w.getnchannels(), w.getframerate(), w.getnframes())
    except (wave.Error, EOFError, struct.error) as exc:
        raise WavError(f"unreadable PCM WAV: {exc}") from None
    if params != (info.channels, info.sample_rate, info.frames):
        raise WavError(f"inconsistent PCM header (wave module reads {params})")


# ---- writing --------------------------------------------------------------------------------
def _chunk(cid: bytes, body: bytes) -> bytes:
    return cid + struct.pack("<I", len(body)) + body + (b"\0" if len(body) % 2 else b"")


def ulaw_wav(samples: Sequence[int], rate: int = PHONE_RATE, tags: dict[str, str] | None = None) -> bytes:
    """A mono U-Law WAV file (format tag 7, 8 bits per sample) of 16-bit ``samples``.

    ``tags``: RIFF INFO text fields (four-letter ids such as ``ICMT``), stored as UTF-8.
    """
    audio = ulaw_encode(samples)
    fmt = struct.pack("<HHIIHHH", FORMAT_ULAW, 1, rate, rate, 1, 8, 0)
    body = b"WAVE" + _chunk(b"fmt ", fmt) + _chunk(b"fact", struct.pack("<I", len(audio)))
    if tags:
        info = b"".join(_chunk(k.encode("ascii"), v.encode("utf-8") + b"\0") for k, v in sorted(tags.items()))
        body += _chunk(b"LIST", b"INFO" + info)
    body += _chunk(b"data", audio)
    return b"RIFF" + struct.pack("<I", len(body)) + body


# ---- resampling -----------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _kernel(rate_in: int, rate_out: int, half: int, cutoff: float) -> tuple[int, int, tuple[tuple[float, ...], ...]]:
    """Blackman-windowed sinc low-pass, one row of taps per fractional position."""
    g = math.gcd(rate_in, rate_out)
    up, down = rate_out // g, rate_in // g
    fc = cutoff / rate_in
    rows = []
    for r in range(up):
        frac = r / up
        row = []
        for k in range(-half + 1, half + 1):
            d = k - frac
            x = 2 * fc * d
            sinc = math.sin(math.pi * x) / (math.pi * x) if x else 1.0
            w = 0.42 + 0.5 * math.cos(math.pi * d / half) + 0.08 * math.cos(2 * math.pi * d / half)
            row.append(sinc * w)
        total = sum(row)
        rows.append(tuple(v / total for v in row))
    return up, down, tuple(rows)


def resample(samples: Sequence[float], rate_in: int, rate_out: int = PHONE_RATE, half: int = 32) -> list[float]:
    """Band-limited resampling (e.g. 22.05 kHz speech -> 8 kHz) without aliasing.

    The low-pass cut-off sits at 45 % of the lower rate (3.6 kHz for 8 kHz), so tones above
    the new Nyquist frequency are removed instead of folding back as noise.
    """
    if rate_in == rate_out:
        return list(samples)
    up, down, rows = _kernel(rate_in, rate_out, half, 0.45 * min(rate_in, rate_out))
    padded = [0.0] * half + list(samples) + [0.0] * half
    mul = operator.mul
    out = []
    for n in range(len(samples) * up // down):
        i, r = divmod(n * down, up)
        out.append(sum(map(mul, rows[r], padded[i + 1 : i + 1 + 2 * half])))
    return out


def to_int16(samples: Sequence[float], peak: float = 0.5) -> list[int]:
    """Scale so the loudest sample is ``peak`` of full scale; round to 16-bit integers."""
    loudest = max((abs(s) for s in samples), default=0.0)
    gain = peak * 32767 / loudest if loudest else 0.0
    return [max(-32768, min(32767, round(s * gain))) for s in samples]
