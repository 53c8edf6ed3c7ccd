"""Read and write audio as float arrays at 48 kHz (the IR's audio clock).

Samples are ``float32``, shape ``(n,)`` for mono or ``(n, channels)``. Reading
goes through soundfile (WAV, FLAC, OGG, and MP3 where libsndfile has it) with
the ffmpeg binary from imageio-ffmpeg as the fallback decoder; a file that
neither can read is a ``CmfError`` naming the file, never a traceback.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING

from cmfc import children
from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.fsutil import atomic_write_bytes

if TYPE_CHECKING:  # numpy loads with the first audio read: the SFX index and planning need only the names here
    import numpy as np

SAMPLE_RATE = 48_000
AUDIO_EXTENSIONS = (".wav", ".flac", ".mp3", ".ogg")


def audio_error(path: str | os.PathLike, message: str, hint: str | None = None) -> CmfError:
    """A ``CmfError`` about an audio file, positioned on the file itself."""
    return CmfError([Diagnostic(Span(str(path)), message, "error", hint)])


def load_audio(path: str | os.PathLike, sr: int | None = SAMPLE_RATE, mono: bool = False) -> tuple[np.ndarray, int]:
    """Decode ``path`` to float32 samples at ``sr`` (resampled if needed; None keeps the file's rate)."""
    import numpy as np

    path = Path(path)
    if not path.is_file():
        raise audio_error(path, f"cannot read audio file {path}: no such file")
    try:
        samples, file_sr = _read_soundfile(path)
    except Exception:  # libsndfile refuses some codecs (older builds: MP3); ffmpeg decodes nearly anything
        samples, file_sr = _read_ffmpeg(path)
    if samples.size == 0:
        raise audio_error(path, f"audio file {path} holds no samples")
    if mono:
        samples = to_mono(samples)
    if sr is not None and file_sr != sr:
        samples = resample(samples, file_sr, sr)
    return samples.astype(np.float32, copy=False), sr or file_sr


def save_audio(path: str | os.PathLike, samples: np.ndarray, sr: int = SAMPLE_RATE, subtype: str = "PCM_24") -> None:
    """Write samples as a WAV file, atomically (same samples give the same bytes)."""
    import numpy as np

    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, np.asarray(samples, dtype=np.float32), sr, subtype=subtype, format="WAV")
    atomic_write_bytes(path, buffer.getvalue())


def to_mono(samples: np.ndarray) -> np.ndarray:
    """Average the channels of ``(n, channels)`` samples; mono input is returned as is."""
    import numpy as np

    samples = np.asarray(samples)
    return samples if samples.ndim == 1 else samples.mean(axis=1)


def resample(samples: np.ndarray, from_sr: int, to_sr: int) -> np.ndarray:
    """Polyphase resampling along time (deterministic, no FFT-length surprises)."""
    import numpy as np

    from math import gcd

    from scipy.signal import resample_poly

    if from_sr == to_sr:
        return samples
    g = gcd(int(from_sr), int(to_sr))
    return resample_poly(samples, to_sr // g, from_sr // g, axis=0).astype(np.float32)


def ffmpeg_filter(samples: np.ndarray, sr: int, audio_filter: str) -> np.ndarray:
    """``samples`` (float32, mono or ``(n, channels)``) through an ffmpeg audio filter chain, in memory."""
    import numpy as np

    import imageio_ffmpeg

    samples = np.ascontiguousarray(samples, dtype="<f4")
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    raw = ["-f", "f32le", "-ar", str(sr), "-ac", str(channels)]
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-v", "error", *raw, "-i", "pipe:0",
               "-af", audio_filter, *raw, "pipe:1"]
    result = children.run(command, input=samples.tobytes())
    if result.returncode != 0:
        raise RuntimeError(f"ffmpeg -af {audio_filter} failed: {result.stderr.decode('utf-8', 'replace')[-500:]}")
    out = np.frombuffer(result.stdout, dtype="<f4")
    return out.copy() if channels == 1 else out[: out.size - out.size % channels].reshape(-1, channels).copy()


def duration_samples(seconds: float, sr: int = SAMPLE_RATE) -> int:
    """Seconds to a whole number of samples (round half to even, as the IR does)."""
    return int(round(seconds * sr))


def _read_soundfile(path: Path) -> tuple[np.ndarray, int]:
    import soundfile

    samples, file_sr = soundfile.read(str(path), dtype="float32", always_2d=False)
    return samples, int(file_sr)


def _read_ffmpeg(path: Path) -> tuple[np.ndarray, int]:
    import numpy as np

    import imageio_ffmpeg

    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path), "-vn",
               "-f", "f32le", "-acodec", "pcm_f32le", "-ar", str(SAMPLE_RATE), "-"]
    try:
        result = children.run(command)
    except OSError as error:
        raise audio_error(path, f"cannot read audio file {path}: {error}") from None
    if result.returncode != 0 or not result.stdout:
        detail = "not an audio file ffmpeg can decode"
        raise audio_error(path, f"cannot read audio file {path}: {detail}",
                          hint="expected a WAV, FLAC, MP3 or OGG file")
    channels = _ffmpeg_channels(result.stderr) or 1
    samples = np.frombuffer(result.stdout, dtype="<f4")
    samples = samples[: samples.size - samples.size % channels].reshape(-1, channels)
    return (samples[:, 0] if channels == 1 else samples).copy(), SAMPLE_RATE


def _ffmpeg_channels(stderr: bytes) -> int | None:
    """Channel count of the decoded stream, from the last ``Audio:`` line ffmpeg logs (the output's)."""
    layouts = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "5.0": 5, "5.1": 6, "6.1": 7, "7.1": 8}
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if "Audio:" in line]
    if not lines:
        return None
    for field in lines[-1].split(","):
        field = field.strip()
        if field.split("(")[0] in layouts:
            return layouts[field.split("(")[0]]
        if field.endswith("channels") and field.split()[0].isdigit():
            return int(field.split()[0])
    return None
