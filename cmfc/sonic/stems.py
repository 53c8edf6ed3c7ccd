"""Optional stem separation with demucs (manual §2.2: drums, bass, vocals, other).

demucs pulls a CUDA-sized torch, so it is an optional extra: nothing else in
cmfc needs it, the arrangement works on the full mix, and asking for stems
without it installed is a clear error telling how to get it.
"""

from __future__ import annotations

import numpy as np

from cmfc.diagnostics import CmfError, Diagnostic, Span

DEFAULT_MODEL = "htdemucs"


def demucs_available() -> bool:
    """True when demucs (and torch) can be imported."""
    try:
        import demucs.apply  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def separate_stems(samples: np.ndarray, sr: int, model_name: str = DEFAULT_MODEL, device: str | None = None,
                   source: str = "music") -> dict[str, np.ndarray]:
    """Split a mix into stems (``drums``, ``bass``, ``vocals``, ``other`` for htdemucs), each ``(n, 2)`` at ``sr``.

    Deterministic: a fixed torch seed and no random shifts. ``source`` names the input in error messages.
    """
    try:
        import torch
        from demucs.apply import apply_model
        from demucs.pretrained import get_model
    except ImportError:
        raise CmfError([Diagnostic(Span(source), "stem separation needs demucs, which is not installed",
                                   hint="pip install demucs (it brings torch), or fit the full mix without stems")]) from None

    from cmfc.sonic.audio_io import resample

    torch.manual_seed(0)
    model = get_model(model_name)
    model.eval()
    stereo = _as_stereo(np.asarray(samples, dtype=np.float32))
    audio = resample(stereo, sr, model.samplerate) if sr != model.samplerate else stereo
    wav = torch.from_numpy(np.ascontiguousarray(audio.T))
    reference = wav.mean(0)
    mean, std = reference.mean(), reference.std() + 1e-8
    with torch.no_grad():
        separated = apply_model(model, ((wav - mean) / std)[None], device=device or "cpu", shifts=0, split=True,
                                overlap=0.25, progress=False)[0]
    separated = separated * std + mean
    stems = {}
    for name, stem in zip(model.sources, separated):
        array = stem.cpu().numpy().T.astype(np.float32)
        stems[name] = resample(array, model.samplerate, sr)[: len(stereo)] if sr != model.samplerate else array
    return stems


def _as_stereo(samples: np.ndarray) -> np.ndarray:
    if samples.ndim == 1:
        return np.stack([samples, samples], axis=1)
    if samples.shape[1] == 1:
        return np.repeat(samples, 2, axis=1)
    return samples[:, :2]
