"""The librarian (manual §2.3): index the SFX library, resolve names, place SFX on trigger words.

Every audio file under the library folder is an entry named by its file stem;
its tags are its folder names and the words of its name (``impacts/metal/
impact_boom_04.wav`` → ``impacts``, ``metal``, ``impact``, ``boom``). Durations
and integrated loudness (BS.1770, pyloudnorm) are cached in a JSON file keyed by
each file's size and mtime, so re-indexing an unchanged library reads no audio.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Mapping, Sequence

from cmfc.diagnostics import CmfError, Diagnostic, Span, suggest
from cmfc.sealed import read_sealed, write_sealed
from cmfc.sonic.audio_io import AUDIO_EXTENSIONS

CACHE_VERSION = 1

# keyword -> SFX name or tag; a project's own map extends (and overrides) this one
DEFAULT_KEYWORD_MAP: dict[str, str] = {
    "boom": "boom", "bang": "boom", "explode": "boom", "explosion": "boom", "suddenly": "whoosh",
    "crash": "crash", "smash": "crash", "shatter": "crash", "break": "crash", "hit": "hit", "punch": "hit",
    "slam": "slam", "whoosh": "whoosh", "fast": "whoosh", "rise": "riser", "grow": "riser", "build": "riser",
    "drop": "drop", "fall": "drop", "click": "click", "tick": "tick", "clock": "tick", "ding": "ding",
    "money": "cash", "cash": "cash", "heartbeat": "heartbeat", "silence": "reverse",
}


@dataclass(frozen=True)
class SfxEntry:
    """One sound in the library: name (file stem), library-relative path, tags, duration, loudness."""

    name: str
    path: str
    tags: tuple[str, ...]
    duration_s: float
    loudness_lufs: float | None


class UnknownSfx(CmfError):
    """An SFX name that is not in the library; ``hint`` carries the ``did you mean`` suggestion."""

    def __init__(self, name: str, folder: str, hint: str | None):
        self.name, self.hint = name, hint
        super().__init__([Diagnostic(Span(folder), f"no sound effect named {name} in {folder}", "error", hint)])


@dataclass
class SfxIndex:
    """The indexed library: entries by name (the first path wins when two files share a stem)."""

    folder: str
    entries: dict[str, SfxEntry]
    duplicates: dict[str, list[str]]

    def names(self) -> list[str]:
        """Every SFX name, sorted."""
        return sorted(self.entries)

    def resolve(self, name: str) -> SfxEntry:
        """The entry called ``name``; raises ``UnknownSfx`` with a suggestion for a near miss."""
        if name in self.entries:
            return self.entries[name]
        raise UnknownSfx(name, self.folder, suggest(name, self.entries))

    def with_tag(self, tag: str) -> list[SfxEntry]:
        """Entries carrying ``tag``, sorted by name."""
        tag = tag.casefold()
        return [self.entries[n] for n in self.names() if tag in self.entries[n].tags]

    def pick(self, name_or_tag: str) -> SfxEntry | None:
        """An exact name, else the first entry (by name) tagged ``name_or_tag``, else None."""
        if name_or_tag in self.entries:
            return self.entries[name_or_tag]
        tagged = self.with_tag(name_or_tag)
        return tagged[0] if tagged else None


def index_library(folder: str | os.PathLike, cache_path: str | os.PathLike | None = None) -> SfxIndex:
    """Index every .wav/.flac/.mp3/.ogg under ``folder``; audio is read only for files new since the cache."""
    root = Path(folder)
    if not root.is_dir():
        raise CmfError([Diagnostic(Span(str(folder)), f"the SFX library {folder} is not a folder")])
    cache = _read_cache(cache_path)
    fresh: dict[str, dict] = {}
    entries: dict[str, SfxEntry] = {}
    duplicates: dict[str, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file()):
        relative = PurePosixPath(path.relative_to(root).as_posix())
        stat = path.stat()
        key = str(relative)
        cached = cache.get(key)
        if cached and cached.get("size") == stat.st_size and cached.get("mtime_ns") == stat.st_mtime_ns:
            measured = cached
        else:
            duration, loudness = measure(path)
            measured = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "duration_s": duration,
                        "loudness_lufs": loudness}
        fresh[key] = measured
        entry = SfxEntry(relative.stem, key, tags_for(relative), measured["duration_s"], measured["loudness_lufs"])
        if entry.name in entries:
            duplicates.setdefault(entry.name, [entries[entry.name].path]).append(key)
            continue
        entries[entry.name] = entry
    if cache_path is not None and fresh != cache:
        write_sealed(cache_path, "sfx-index", {"version": CACHE_VERSION, "files": fresh})
    return SfxIndex(str(folder), entries, duplicates)


def tags_for(relative: PurePosixPath) -> tuple[str, ...]:
    """Folder names and name words, lower-cased, numbers dropped: ``hits/impact_boom_04`` → hits, impact, boom."""
    words = [part for part in relative.parent.parts] + [relative.stem]
    tags = {token for word in words for token in re.split(r"[^a-z]+", word.casefold()) if len(token) > 1}
    return tuple(sorted(tags))


def measure(path: str | os.PathLike) -> tuple[float, float | None]:
    """Duration (s, rounded to the ms) and integrated loudness (LUFS to 0.01; None for silence)."""
    import numpy as np  # here, not at the top: a no-op build reads the cached index without numpy
    import pyloudnorm

    from cmfc.sonic.audio_io import load_audio

    samples, sr = load_audio(path, sr=None)
    duration = round(len(samples) / sr, 3)
    # BS.1770 gates in 400 ms blocks; shorter one-shots are measured as one block of their own length
    block = min(0.4, len(samples) / sr)
    try:
        loudness = pyloudnorm.Meter(sr, block_size=block).integrated_loudness(samples.astype(np.float64))
    except ValueError:
        return duration, None
    return duration, (round(float(loudness), 2) if np.isfinite(loudness) else None)


@dataclass(frozen=True)
class AutoCue:
    """An SFX placed on a word: the SFX name (or tag), the word's index, the word's start in seconds."""

    sfx: str
    word_index: int
    start_s: float
    keyword: str


def auto_cues(words: Sequence[Any], keyword_map: Mapping[str, str] | None = None,
              index: SfxIndex | None = None) -> list[AutoCue]:
    """Cues on trigger words (``boom``, ``suddenly``, ``crash``…): the defaults extended by ``keyword_map``.

    With an ``index``, map values resolve to a concrete SFX (exact name, else the first with that tag) and
    words whose SFX the library lacks are skipped.
    """
    mapping = {**DEFAULT_KEYWORD_MAP, **{k.casefold(): v for k, v in (keyword_map or {}).items()}}
    cues = []
    for i, word in enumerate(words):
        text = _word_text(word)
        keyword = _match_keyword(text, mapping)
        if keyword is None:
            continue
        sfx = mapping[keyword]
        if index is not None:
            entry = index.pick(sfx)
            if entry is None:
                continue
            sfx = entry.name
        cues.append(AutoCue(sfx, i, float(_field(word, "start")), keyword))
    return cues


def _match_keyword(text: str, mapping: Mapping[str, str]) -> str | None:
    """The keyword ``text`` is, or inflects (crash → crashes, crashed; slam → slammed; rise → rising)."""
    if text in mapping:
        return text
    for keyword in sorted(mapping):
        stem = keyword[:-1] if keyword.endswith("e") else keyword
        forms = {keyword + "s", keyword + "es", keyword + "ed", keyword + "d", stem + "ing", stem + "ed",
                 keyword + keyword[-1] + "ed", keyword + keyword[-1] + "ing", keyword + "ly"}
        if text in forms:
            return keyword
    return None


def _word_text(word: Any) -> str:
    return re.sub(r"[^\w']+", "", str(_field(word, "word")).casefold()).strip("'")


def _field(word: Any, key: str) -> Any:
    if isinstance(word, dict):
        return word[key]
    return getattr(word, key)


def _read_cache(cache_path: str | os.PathLike | None) -> dict[str, dict]:
    """The measured files of the sealed index (a damaged one is reported in one line and re-measured)."""
    if cache_path is None:
        return {}
    data = read_sealed(cache_path, "sfx-index", _check_cache)
    if data is None or data.get("version") != CACHE_VERSION:
        return {}
    return data["files"]


def _check_cache(data: dict) -> None:
    for entry in data["files"].values():
        int(entry["size"]), int(entry["mtime_ns"]), float(entry["duration_s"])
        if entry["loudness_lufs"] is not None:
            float(entry["loudness_lufs"])


__all__ = ["AutoCue", "DEFAULT_KEYWORD_MAP", "SfxEntry", "SfxIndex", "UnknownSfx", "auto_cues", "index_library",
           "measure", "tags_for"]
