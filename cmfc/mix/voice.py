"""The voice chain (manual §2.1, stage 2): denoise, presence EQ, gentle compression, 48 kHz mono float.

One ffmpeg filter chain, so it runs at hundreds of times real time: a rumble high-pass,
``afftdn`` spectral denoise (a fixed noise floor, no random state), a small cut in the
mud band and a presence lift, then a 2.5:1 compressor with a soft knee. The chain adds
no latency (the denoiser's delay is trimmed; a test checks it): the voice stays the
master clock to the sample.
"""

from __future__ import annotations

import os
from pathlib import Path

from cmfc.ir.values import SAMPLE_RATE
from cmfc.mix.ffmpeg import BITEXACT, atomic_output, run_ffmpeg

AFFTDN_DELAY = 1200  # samples at 48 kHz
VOICE_CHAIN = ",".join([
    f"aresample={SAMPLE_RATE}",
    "aformat=sample_fmts=fltp:channel_layouts=mono",
    "highpass=f=80:poles=2",
    # afftdn delays its output by half its 50 ms window and does not compensate: pad the tail, trim the head
    f"apad=pad_len={AFFTDN_DELAY}",
    "afftdn=nr=12:nf=-50",  # at most 12 dB of reduction: beyond that speech turns watery
    f"atrim=start_sample={AFFTDN_DELAY}",
    "equalizer=f=250:t=q:w=1.0:g=-2",
    "equalizer=f=3000:t=q:w=0.8:g=3",
    "acompressor=threshold=-20dB:ratio=2.5:attack=10:release=150:knee=4:makeup=1",
])


# The same chain when DeepFilterNet has already denoised (no afftdn, so no delay to compensate).
AFTER_DEEPFILTERNET = ",".join(part for part in VOICE_CHAIN.split(",")
                               if not part.startswith(("apad=", "afftdn=", "atrim=")))
INSTALL_DEEPFILTERNET = "pip install 'cmfc[denoise]'"


def deepfilternet_available() -> bool:
    """True when DeepFilterNet (``df``, with torch) can be imported; cheap: nothing is loaded."""
    import importlib.util

    return importlib.util.find_spec("df") is not None and importlib.util.find_spec("torch") is not None


def clean_voice(voice_path: str | os.PathLike, out_path: str | os.PathLike, denoiser: str = "afftdn") -> Path:
    """Run the voice chain on ``voice_path``; write a 48 kHz mono float WAV of the same length to ``out_path``.

    ``denoiser``: ``afftdn`` (ffmpeg) or ``deepfilternet`` (the manual's §2.1 denoiser, an optional extra).
    """
    if denoiser == "deepfilternet":
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            denoised = Path(folder) / "denoised.wav"
            deepfilternet_denoise(voice_path, denoised)
            with atomic_output(out_path) as tmp:
                run_ffmpeg(["-i", denoised, "-map", "0:a:0", "-af", AFTER_DEEPFILTERNET, "-c:a", "pcm_f32le",
                            *BITEXACT, "-f", "wav", tmp], "cleaning the voice-over", voice_path)
        return Path(out_path)
    with atomic_output(out_path) as tmp:
        run_ffmpeg(["-i", voice_path, "-map", "0:a:0", "-af", VOICE_CHAIN, "-c:a", "pcm_f32le", *BITEXACT,
                    "-f", "wav", tmp], "cleaning the voice-over", voice_path)
    return Path(out_path)


def deepfilternet_denoise(voice_path: str | os.PathLike, out_path: str | os.PathLike) -> None:
    """DeepFilterNet's default model on the voice (48 kHz, its delay compensated), written as a WAV."""
    import torch
    from df.enhance import enhance, init_df, load_audio, save_audio

    torch.manual_seed(0)
    model, state, _ = init_df()
    audio, _ = load_audio(str(voice_path), sr=state.sr())
    with torch.no_grad():
        enhanced = enhance(model, state, audio)
    save_audio(str(out_path), enhanced, state.sr())
