"""Asset checks: every path in a spec stays inside the project, exists, and is what its extension says."""

from __future__ import annotations

import os
from pathlib import Path

from cmfc.diagnostics import CmfError, Diagnostics, Span
from cmfc.ir.models import ProjectSpec
from cmfc.media.probe import expected_kind, matches_extension, sniff
from cmfc.project import resolve_asset

AUDIO_KINDS = ("wav", "flac", "mp3", "ogg")
IMAGE_KINDS = ("png", "jpeg", "webp")
VIDEO_KINDS = ("mp4", "mkv")
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".aiff", ".aif")


def asset_references(spec: ProjectSpec) -> list[tuple[tuple, str, tuple[str, ...] | None, str]]:
    """(position key, path, accepted kinds or None for any, what it is) for every file a spec names."""
    refs: list = [(("voice", "path"), spec.voice.path, AUDIO_KINDS, "voice-over")]
    if spec.voice.words:
        refs.append((("voice", "words"), spec.voice.words, None, "word timings"))
    if spec.music:
        refs.append((("music", "path"), spec.music.path, AUDIO_KINDS, "music"))
    if spec.brand.font:
        refs.append((("brand", "font"), spec.brand.font, ("font",), "font"))
    for i, character in enumerate(spec.characters):
        if character.lora:
            refs.append((("characters", i, "lora", "path"), character.lora.path, ("safetensors",), "LoRA"))
    for i, scene in enumerate(spec.scenes):
        if scene.hero and scene.hero.path:
            kinds = IMAGE_KINDS if scene.hero.kind == "image" else VIDEO_KINDS
            refs.append((("scenes", i, "hero", "path"), scene.hero.path, kinds, f"hero {scene.hero.kind}"))
        if scene.motion and scene.motion.driving:
            refs.append((("scenes", i, "motion", "driving"), scene.motion.driving, VIDEO_KINDS, "driving video"))
    return refs


def check_assets(spec: ProjectSpec, root: Path, positions: dict, diag: Diagnostics, path: str) -> dict[tuple, Path]:
    """Check every referenced file; return the good ones by position key."""
    good: dict[tuple, Path] = {}
    references = asset_references(spec)
    for key, relative, kinds, what in references:
        span = positions.get(key, Span(path))
        try:
            file = resolve_asset(root, relative, span)
        except CmfError as error:
            diag.extend(error.diagnostics)
            continue
        if not file.exists():
            others = {r[1] for r in references if r[1] != relative}
            diag.error(span, f"{relative}: {what} file not found", hint=_near_files(root, relative, kinds, others))
            continue
        if not file.is_file():
            diag.error(span, f"{relative}: expected a {what} file, found a folder")
            continue
        if not _readable(file):
            diag.error(span, f"{relative}: cannot read this file (permissions?)")
            continue
        actual = sniff(file)
        if not matches_extension(file):
            diag.error(span, f"{relative}: this is not a {expected_kind(file)} file"
                       + (f" (its bytes say {actual})" if actual else " (its bytes are not a media file)"),
                       hint="check the file was exported or downloaded completely")
            continue
        if kinds is not None and actual not in kinds:
            wanted = {"font": "a .ttf or .otf font", "safetensors": "a .safetensors file"}.get(kinds[0], "/".join(kinds))
            diag.error(span, f"{relative}: a {what} must be {wanted}, not {actual or 'this file type'}")
            continue
        if kinds == ("font",) and not _usable_font(file):
            diag.error(span, f"{relative}: this font file is damaged or not a TrueType/OpenType font",
                       hint="export the font again, or point at another .ttf/.otf")
            continue
        good[key] = file
    if spec.sfx_library:
        span = positions.get(("sfx_library",), Span(path))
        try:
            folder = resolve_asset(root, spec.sfx_library, span)
        except CmfError as error:
            diag.extend(error.diagnostics)
        else:
            if not folder.is_dir():
                diag.error(span, f"{spec.sfx_library}: the sfx library folder does not exist")
            else:
                good[("sfx_library",)] = folder
    return good


def _usable_font(file: Path) -> bool:
    """FreeType can open it (the renderer, libass and Natron all need that)."""
    from PIL import ImageFont

    try:
        ImageFont.truetype(str(file), 12)
    except OSError:
        return False
    return True


def _readable(file: Path) -> bool:
    return os.access(file, os.R_OK)


SUFFIXES_OF = {AUDIO_KINDS: ("audio", AUDIO_SUFFIXES), IMAGE_KINDS: ("image", (".png", ".jpg", ".jpeg", ".webp")),
               VIDEO_KINDS: ("video", (".mp4", ".mkv")), ("font",): ("font", (".ttf", ".otf")),
               ("safetensors",): (".safetensors", (".safetensors",))}


def _near_files(root: Path, relative: str, kinds: tuple[str, ...] | None = None,
                used: set[str] = frozenset()) -> str | None:
    """A hint for a missing file: a file of the right kind nearby, named alike, that no other role uses
    (a missing voice-over is not pointed at the music bed the spec already plays)."""
    from cmfc.diagnostics import suggest

    folder = Path(relative).parent
    parent = root / folder
    if not parent.is_dir():
        return f"there is no folder {folder.as_posix()} in the project"
    kind, suffixes = SUFFIXES_OF.get(kinds, ("", None)) if kinds is not None else ("", None)
    names = sorted(p.name for p in parent.iterdir() if p.is_file()
                   and (suffixes is None or p.suffix.lower() in suffixes)
                   and (folder / p.name).as_posix() not in used)
    close = suggest(Path(relative).name, names)
    if close or not names or suffixes is None:
        return close
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    return f"{kind} files in {folder.as_posix()}/ not used for anything else: {shown}"


def sfx_names(folder: Path) -> dict[str, Path]:
    """Every audio file's stem under the SFX library (first by sorted path wins)."""
    names: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for filename in sorted(filenames):
            if filename.lower().endswith(AUDIO_SUFFIXES):
                names.setdefault(Path(filename).stem, Path(dirpath) / filename)
    return names
