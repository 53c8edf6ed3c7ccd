"""Cheap facts about media files: what they really are (by magic bytes) and audio lengths."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

KINDS_BY_EXTENSION = {
    ".wav": "wav", ".flac": "flac", ".mp3": "mp3", ".ogg": "ogg",
    ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".webp": "webp",
    ".mp4": "mp4", ".mov": "mp4", ".m4a": "mp4", ".mkv": "mkv", ".webm": "mkv",
    ".ttf": "font", ".otf": "font",
    ".safetensors": "safetensors",
    ".json": "json", ".srt": "text", ".vtt": "text",
}


def sniff(path: Path) -> str | None:
    """The file's real kind from its first bytes, or None when unrecognised."""
    with open(path, "rb") as handle:
        head = handle.read(64)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "wav"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[:4] == b"fLaC":
        return "flac"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "mp3"
    if head[:4] == b"OggS":
        return "ogg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:3] == b"\xff\xd8\xff":
        return "jpeg"
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "mkv"
    if head[:4] in (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf"):
        return "font"
    if len(head) >= 9 and _looks_like_safetensors(path, head):
        return "safetensors"
    return None


def _looks_like_safetensors(path: Path, head: bytes) -> bool:
    (header_len,) = struct.unpack("<Q", head[:8])
    return 2 <= header_len <= 100_000_000 and head[8:9] == b"{" and header_len + 8 <= path.stat().st_size


def expected_kind(path: Path) -> str | None:
    """The kind a file's extension promises, or None for extensions we don't check."""
    return KINDS_BY_EXTENSION.get(path.suffix.lower())


def matches_extension(path: Path) -> bool:
    """True when the bytes are what the extension says (text kinds are checked elsewhere)."""
    expected = expected_kind(path)
    if expected in (None, "json", "text"):
        return True
    actual = sniff(path)
    if expected == "mp4" and actual == "mkv":
        return False
    return actual == expected


def audio_samples(path: Path, rate: int = 48_000) -> int:
    """Length of an audio file in samples at ``rate`` (exact when the file is at that rate)."""
    from fractions import Fraction

    from cmfc.ir.values import round_to_units

    try:
        with wave.open(str(path), "rb") as handle:
            frames, file_rate = handle.getnframes(), handle.getframerate()
    except (wave.Error, EOFError):
        frames, file_rate = flac_length(path) or (0, 0)
        if not file_rate:  # soundfile pulls in numpy: a third of a no-op build's start-up
            import soundfile

            info = soundfile.info(str(path))
            frames, file_rate = info.frames, info.samplerate
    if file_rate == rate:
        return frames
    return round_to_units(Fraction(frames, file_rate), rate)


def flac_length(path: Path) -> tuple[int, int] | None:
    """(samples, sample rate) from a FLAC file's STREAMINFO block; None if it is not FLAC or does not say."""
    with open(path, "rb") as handle:
        head = handle.read(4 + 4 + 34)
    if len(head) < 42 or head[:4] != b"fLaC" or head[4] & 0x7F != 0:  # STREAMINFO must come first
        return None
    info = int.from_bytes(head[18:26], "big")  # 20 bits rate, 3 channels, 5 bits per sample, 36 samples
    rate, samples = info >> 44, info & ((1 << 36) - 1)
    return (samples, rate) if rate and samples else None
