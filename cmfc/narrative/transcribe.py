"""`cmfc transcribe`: a recording to a word-timed transcript with WhisperX or faster-whisper.

Both are optional (``pip install 'cmfc[transcribe]'`` brings WhisperX, alignment included) and
imported only here, when a recording is transcribed. Their output is normalised through the same
reader as a file given with ``--from``: WhisperX's form, every word timed.
"""

from __future__ import annotations

import importlib.util
import json
import tempfile
from pathlib import Path

from cmfc.narrative.transcript import Transcript, read_transcript

INSTALL_MESSAGE = ("no speech recogniser is installed: pip install 'cmfc[transcribe]' (WhisperX, with word "
                   "alignment) or pip install faster-whisper; or give a transcript you already have with "
                   "--from FILE (.json from WhisperX or faster-whisper, .srt, .vtt)")


class TranscriberMissing(Exception):
    """Neither backend is importable; the message says what to install."""


def available_backend() -> str | None:
    """``whisperx`` or ``faster-whisper``, whichever is installed first, or None."""
    if importlib.util.find_spec("whisperx") is not None:
        return "whisperx"
    if importlib.util.find_spec("faster_whisper") is not None:
        return "faster-whisper"
    return None


def transcribe(audio: Path, model_size: str = "large-v3", language: str | None = None) -> Transcript:
    """Run the installed recogniser on ``audio``; TranscriberMissing when there is none."""
    backend = available_backend()
    if backend is None:
        raise TranscriberMissing(INSTALL_MESSAGE)
    data = _whisperx(audio, model_size, language) if backend == "whisperx" else _faster_whisper(audio, model_size, language)
    return transcript_from_data(data)


def transcript_from_data(data) -> Transcript:
    """A recogniser's JSON-shaped output (dict or list of segments) through the tolerant reader."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "transcript.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return read_transcript(path, "transcript")


def _whisperx(audio: Path, model_size: str, language: str | None) -> dict:
    import whisperx

    device = "cuda" if _cuda() else "cpu"
    samples = whisperx.load_audio(str(audio))
    model = whisperx.load_model(model_size, device, compute_type="float16" if device == "cuda" else "int8",
                                language=language)
    result = model.transcribe(samples, batch_size=16)
    aligner, metadata = whisperx.load_align_model(language_code=result["language"], device=device)
    aligned = whisperx.align(result["segments"], aligner, metadata, samples, device, return_char_alignments=False)
    return {"segments": aligned["segments"], "language": result["language"]}


def faster_whisper_segments(segments, info=None) -> dict:
    """faster-whisper's Segment objects (``word_timestamps=True``) as JSON-shaped data."""
    out = []
    for segment in segments:
        out.append({"start": segment.start, "end": segment.end, "text": segment.text,
                    "words": [{"word": w.word, "start": w.start, "end": w.end, "probability": w.probability}
                              for w in (segment.words or [])]})
    return {"segments": out, "language": getattr(info, "language", None)}


def _faster_whisper(audio: Path, model_size: str, language: str | None) -> dict:
    from faster_whisper import WhisperModel

    device = "cuda" if _cuda() else "cpu"
    model = WhisperModel(model_size, device=device, compute_type="float16" if device == "cuda" else "int8")
    segments, info = model.transcribe(str(audio), word_timestamps=True, language=language)
    return faster_whisper_segments(segments, info)


def _cuda() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except ImportError:
        return False
