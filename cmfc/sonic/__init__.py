"""Sonic-first tools: hear the music, cut the voice cleanly, fit the score, place the SFX (issue 6).

Pure library code on numpy arrays of float samples, shape ``(n,)`` for mono or
``(n, channels)``; heavy libraries (librosa, scipy, pyloudnorm, demucs) are
imported inside the functions that need them so ``import cmfc.sonic`` stays light.
"""
