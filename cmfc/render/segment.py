"""Render one scene segment: a video-only MP4 of exactly the slot's frames, ready to concat with ``-c copy``.

:class:`SegmentRequest` holds everything a segment depends on and nothing else, as plain values with
project-relative paths, so the build graph can hash :meth:`SegmentRequest.params` as the action key.
:func:`render_segment` turns it into one ffmpeg run: source → motion/fit → kinetic text → effects →
captions (libass) → the shared encoder settings of :mod:`cmfc.render.encode`.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from cmfc import children
from cmfc.diagnostics import CmfError, Diagnostic, Span
from cmfc.mix.ffmpeg import atomic_output, ffmpeg_exe, ffmpeg_failure, run_ffmpeg
from cmfc.render.card import Card, draw_card
from cmfc.render.encode import encoder_args, output_size
from cmfc.render.motion import KenBurns, kenburns_filters, still_filters
from cmfc.render.source import Fit, clip_graph, count_clip_frames
from cmfc.render.text import draw_text_block, text_overlay_graph

SOURCE_KINDS = ("image", "clip", "card")
Progress = Callable[[float], None]


@dataclass(frozen=True)
class Text:
    """Kinetic text: ``" / "`` breaks lines; ``y`` its centre as a fraction of the height from the top (Scene.text_y)."""

    content: str
    y: float = 0.5


@dataclass(frozen=True)
class Effect:
    """A catalogue effect over segment frames [start, end) with every parameter typed (EffectWindow.values)."""

    name: str
    params: dict[str, str] = field(default_factory=dict)
    start: int = 0
    end: int = 0
    order: int | None = None  # its place among the scene's effects, when a window is given only some of them


@dataclass(frozen=True)
class Style:
    """The brand's look: font file (project-relative) and the base/highlight colours as ``#RRGGBB``."""

    font: str | None = None
    base: str = "#FFFFFF"
    highlight: str = "#FFD400"


@dataclass(frozen=True)
class SegmentRequest:
    """Everything one segment's pixels depend on; paths are relative to the project root."""

    scene_id: str
    width: int
    height: int
    fps: int
    frames: int
    source: str  # "image" | "clip" | "card"
    path: str | None = None  # the image or clip, for those sources
    card: Card | None = None  # what the storyboard card says, for the card source
    motion: KenBurns | None = None  # None: the still or clip as is
    fit: Fit = Fit()
    text: Text | None = None
    effects: tuple[Effect, ...] = ()
    style: Style = Style()
    captions: str | None = None  # an ASS document, times relative to the segment start
    previous: str | None = None  # PNG of the previous scene's last frame, for transitions (last_frame())
    preview: bool = False
    window: tuple[int, int] | None = None  # render only frames [a, b) of the segment (None: all of them)

    @property
    def frame_range(self) -> tuple[int, int]:
        """The frames this request renders: its window, or the whole segment."""
        return self.window if self.window is not None else (0, self.frames)

    def params(self) -> dict[str, Any]:
        """Plain JSON-able values (sorted-key friendly, no absolute paths): the action's inputs."""
        return {
            "scene_id": self.scene_id, "width": self.width, "height": self.height, "fps": self.fps,
            "frames": self.frames, "source": self.source, "path": self.path,
            "card": None if self.card is None else vars(self.card).copy(),
            "motion": None if self.motion is None else {"zoom": list(self.motion.zoom), "pan": self.motion.pan},
            "fit": {"mode": self.fit.mode, "speed": self.fit.speed},
            "text": None if self.text is None else vars(self.text).copy(),
            "effects": [{"name": e.name, "params": dict(sorted(e.params.items())), "start": e.start, "end": e.end,
                         **({"order": e.order} if e.order is not None else {})} for e in self.effects],
            "style": vars(self.style).copy(),
            "captions": self.captions, "previous": self.previous, "preview": self.preview,
            # only when set, so whole-segment keys stay what they were
            **({"window": list(self.window)} if self.window is not None else {}),
        }

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> SegmentRequest:
        """The request back from :meth:`params` output."""
        motion = params.get("motion")
        return cls(
            scene_id=params["scene_id"], width=params["width"], height=params["height"], fps=params["fps"],
            frames=params["frames"], source=params["source"], path=params.get("path"),
            card=None if params.get("card") is None else Card(**params["card"]),
            motion=None if motion is None else KenBurns(tuple(motion["zoom"]), motion["pan"]),
            fit=Fit(**params.get("fit", {})),
            text=None if params.get("text") is None else Text(**params["text"]),
            effects=tuple(Effect(**effect) for effect in params.get("effects", ())),
            style=Style(**params.get("style", {})),
            captions=params.get("captions"), previous=params.get("previous"),
            preview=params.get("preview", False),
            window=tuple(params["window"]) if params.get("window") is not None else None,
        )


@dataclass(frozen=True)
class SegmentFacts:
    """What was rendered: frame count and pixel size."""

    frames: int
    width: int
    height: int


def render_segment(request: SegmentRequest, root: Path, out_path: Path,
                   progress: Progress | None = None) -> SegmentFacts:
    """Render ``request`` to ``out_path`` (video-only H.264, exactly ``request.frames`` frames)."""
    if request.source not in SOURCE_KINDS:
        raise ValueError(f"unknown segment source {request.source!r}")
    if request.frames < 1:
        raise CmfError([Diagnostic(Span(request.scene_id), f"scene {request.scene_id} has an empty slot")])
    first, end = request.frame_range
    if not 0 <= first < end <= request.frames:
        raise ValueError(f"window {request.window} outside the segment's {request.frames} frames")
    width, height = output_size(request.width, request.height, request.preview)
    font = _existing(root, request.style.font, "brand font") if request.style.font else None
    with tempfile.TemporaryDirectory(prefix="cmfc-segment-") as scratch_name:
        scratch = Path(scratch_name)
        inputs, chains = _source_graph(request, root, scratch, font, width, height)
        current = "[src]"
        if request.text is not None and request.text.content.strip():
            text_png = scratch / "text.png"
            draw_text_block(request.text.content, width, font, request.style.base,
                            request.style.highlight).save(text_png, format="PNG")
            inputs += ["-i", str(text_png)]
            chains += text_overlay_graph(f"[{len(inputs) // 2 - 1}:v]", current, "[texted]",
                                         request.text.y, width, height, request.fps)
            current = "[texted]"
        if request.effects:
            inputs, chains, current = _effects_graph(request, root, inputs, chains, current, width, height)
        tail: list[str] = []
        if request.captions:
            captions = scratch / "captions.ass"
            captions.write_text(request.captions, encoding="utf-8")
            fonts_dir = f":fontsdir={filter_value(str(font.parent))}" if font is not None else ""
            tail.append(f"ass=filename={filter_value(str(captions))}{fonts_dir}")
        # The whole graph runs from frame 0 even for a window, so every frame is the one a whole render makes
        # (effects count frames; noise continues its sequence).
        tail += ["format=yuv420p", f"trim=start_frame={first}:end_frame={end}", f"setpts=N/{request.fps}/TB"]
        chains.append(f"{current}{','.join(tail)}[out]")
        args = [*inputs, "-filter_complex", ";".join(chains), "-map", "[out]",
                "-frames:v", str(end - first), *encoder_args(request.fps, request.preview)]
        with atomic_output(out_path) as partial:
            _run(args + [str(partial)], f"rendering scene {request.scene_id}", out_path, end - first, progress)
    return SegmentFacts(end - first, width, height)


def _source_graph(request: SegmentRequest, root: Path, scratch: Path, font: Path | None,
                  width: int, height: int) -> tuple[list[str], list[str]]:
    """Input arguments and filter chains ending in ``[src]``: the picture before text and effects."""
    fps, frames = request.fps, request.frames
    if request.source == "clip":
        clip = _existing(root, request.path, "hero clip")
        clip_frames = count_clip_frames(clip, fps, request.path)
        return ["-i", str(clip)], clip_graph(request.fit, clip_frames, width, height, fps, frames, "[0:v]", "[src]")
    if request.source == "card":
        still = scratch / "card.png"
        still.write_bytes(draw_card(request.scene_id, request.card or Card(), width, height, fps, font))
    else:
        still = _existing(root, request.path, "hero image")
        _check_image(still, request.path)
    if request.motion is not None:
        motion = kenburns_filters(request.motion, width, height, fps, frames, request.frame_range[0])
    else:
        motion = still_filters(width, height, fps)
    return ["-i", str(still)], [f"[0:v]{','.join(motion)}[src]"]


def _effects_graph(request: SegmentRequest, root: Path, inputs: list[str], chains: list[str], current: str,
                   width: int, height: int) -> tuple[list[str], list[str], str]:
    """Append the catalogue effects (cmfc.render.effects) after ``current``; returns the new output label."""
    try:
        from cmfc.render.effects import chain, effect_filters
    except ImportError as error:  # the effects module is written alongside; say so rather than crash
        names = ", ".join(effect.name for effect in request.effects)
        raise CmfError([Diagnostic(Span(request.scene_id), f"effects not available locally ({names}): {error}")]) from None
    fps = request.fps
    try:
        fragments = effect_filters(list(request.effects), fps, width, height, request.frames,
                                   prev=request.previous is not None, first=request.frame_range[0])
    except ValueError as error:
        raise CmfError([Diagnostic(Span(request.scene_id), f"scene {request.scene_id}: {error}")]) from None
    if not fragments:
        return inputs, chains, current
    # The effects expect yuv420p with frame n at pts n/fps.
    chains = [*chains, f"{current}format=yuv420p,setpts=N/{fps}/TB[fxin]"]
    previous_label = None
    if request.previous is not None:
        tail = _existing(root, request.previous, "previous scene's last frame")
        inputs = [*inputs, "-i", str(tail)]
        # finite, so a graph that only sinks it (no transition reads it) still ends
        chains.append(f"[{len(inputs) // 2 - 1}:v]{','.join(still_filters(width, height, fps))},"
                      f"trim=end_frame={request.frames},format=yuv420p[prev]")
        previous_label = "prev"
    graph, out = chain("fxin", fragments, previous_label)
    return inputs, [*chains, graph], f"[{out}]"


def filter_value(text: str) -> str:
    """``text`` escaped as a filter option value inside a filtergraph (both of ffmpeg's quoting levels)."""
    for special in "\\':":
        text = text.replace(special, "\\" + special)
    for special in "\\'[],;":
        text = text.replace(special, "\\" + special)
    return text


def _existing(root: Path, relative: str | None, what: str) -> Path:
    """``root / relative`` when it is a file; otherwise a CmfError naming it."""
    if not relative:
        raise CmfError([Diagnostic(Span("<segment>"), f"the {what} has no path")])
    path = root / relative
    if not path.is_file():
        raise CmfError([Diagnostic(Span(relative), f"{what} not found: {relative}")])
    return path


def _check_image(path: Path, shown_as: str | None) -> None:
    """A readable picture, or a CmfError naming the file (ffmpeg's own message is cryptic)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            image.verify()
    except (OSError, UnidentifiedImageError, SyntaxError) as error:
        raise CmfError([Diagnostic(Span(shown_as or str(path)), f"cannot read the hero image: {error}")]) from None


def _run(args: list[str], what: str, subject: Path, frames: int, progress: Progress | None) -> None:
    """ffmpeg with ``args``; when ``progress`` is given, report the encoded fraction as it goes."""
    if progress is None:
        run_ffmpeg(args, what, subject)
        return
    command = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-nostats", "-progress", "pipe:1", *args]
    with tempfile.TemporaryFile() as errors:
        with children.started(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors) as process:
            assert process.stdout is not None
            for line in process.stdout:
                if line.startswith(b"frame="):
                    progress(min(int(line[6:].strip() or 0) / frames, 1.0))
            returncode = process.wait()
        if returncode != 0:
            errors.seek(0)
            raise ffmpeg_failure(what, subject, errors.read())
    progress(1.0)


def last_frame(mp4: Path, frames: int, fps: int) -> bytes:
    """The final frame of a ``frames``-frame segment as PNG bytes (the incoming side of a transition).

    The seek lands half a frame before the last one, so exactly one frame is converted: PNG-encoding
    every frame of the final second (``-sseof -1``) cost 5 s on a grainy 1080x1920 segment.
    """
    with tempfile.TemporaryDirectory(prefix="cmfc-frame-") as scratch:
        png = Path(scratch) / "last.png"
        seek = max(0.0, (frames - 1.5) / fps)
        run_ffmpeg(["-ss", f"{seek:.6f}", "-i", str(mp4), "-map", "0:v:0", "-frames:v", "1", "-update", "1",
                    "-pix_fmt", "rgb24", "-fflags", "+bitexact", "-flags:v", "+bitexact", str(png)],
                   "reading the last frame", mp4)
        return png.read_bytes()
