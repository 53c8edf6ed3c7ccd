"""One scene's composite as a node graph: Read → fit → effects → kinetic Text → Merge → Write.

File paths are project-relative (``03_OUTPUT/…``, the brand font), never absolute:
render.sh runs NatronRenderer from the project root and resolves them there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from cmfc.ir.models import Project, Scene

from . import knobs as K
from .catalogue import FRAGMENTS
from .effects import FxContext, Window
from .graph import HORIZONTAL, LINEAR, Graph, Key, Node

FIT_AFTER = {"loop": "loop", "pingpong": "bounce", "trim": "hold", "speed": "hold"}
TEXT_SIZE = 0.1  # font size as a fraction of the frame width
TEXT_POP_SECONDS = 0.25


@dataclass(frozen=True)
class SceneFiles:
    """The project-relative paths a scene's composite reads and writes."""

    raw: str
    fx: str


def scene_files(scene: Scene) -> SceneFiles:
    """The scene's raw clip (03_mining) and its composited output (04_fabrication), as resolved."""
    return SceneFiles(scene.outputs.raw, scene.outputs.composite)


@dataclass
class SceneInputs:
    """Everything outside the scene that its composite needs."""

    files: SceneFiles
    previous: tuple[SceneFiles, int] | None  # the previous scene's files and length, for transitions
    font_family: str
    raw_frames: int | None  # the raw clip's length when known


def build_scene(project: Project, scene: Scene, inputs: SceneInputs) -> Graph:
    """The composite of ``scene`` over frames 1..slot length."""
    fmt = project.format
    length = max(1, scene.slot.length)
    graph = Graph()
    viewer = graph.add(K.VIEWER, "Viewer")
    picture = _read_plate(graph, scene, inputs, length, fmt.width, fmt.height)

    previous: list[Node] = []

    def previous_picture() -> Node:
        if not previous:
            previous.append(_previous_picture(graph, inputs))
        return previous[0]

    ctx = FxContext(graph, fmt.width, fmt.height, fmt.fps, length, f"{project.seed}/{scene.id}", previous_picture)
    uses = [e for e in scene.effects if e.timing != "transition"]
    uses += [e for e in scene.effects if e.timing == "transition"]  # on top: the whole picture cuts
    for use in uses:
        if use.end <= use.start and use.name != "hard_cut":  # no frame to change (hard_cut marks the cut)
            continue
        picture = FRAGMENTS[use.name](ctx, picture, dict(use.values), Window.of(use.start, use.end))

    if scene.text_y is not None:
        text = _kinetic_text(graph, project, scene, inputs.font_family)
        picture = graph.add(K.MERGE, "Merge").connect("B", picture).connect("A", text).choose("operation", "over")
        pop = max(2, round(TEXT_POP_SECONDS * fmt.fps))
        picture.animate("mix", 0, [Key(1, 0.0, LINEAR), Key(1 + pop // 2, 1.0, LINEAR)])

    write = graph.add(K.WRITE, "Writer").connect("Source", picture)
    write.set("filename", inputs.files.fx)
    write.set("encodingPluginID", "fr.inria.openfx.WriteFFmpeg")
    write.choose("format", "mov").choose("codec", "prores_ksapch").set("codecShortName", "prores_ksapch")
    write.set("fps", float(fmt.fps))
    write.choose("frameRange", "manual").set("firstFrame", 1).set("lastFrame", length)
    viewer.connect("1", picture)
    return graph


def _read_plate(graph: Graph, scene: Scene, inputs: SceneInputs, length: int, width: int, height: int) -> Node:
    read = graph.add(K.READ, "Read")
    read.set("filename", inputs.files.raw)
    read.set("decodingPluginID", "fr.inria.openfx.ReadFFmpeg")
    if inputs.raw_frames:  # otherwise Natron reads the clip's own range when the file is set
        read.set("firstFrame", 1).set("lastFrame", inputs.raw_frames)
    read.choose("frameMode", "startingTime").set("startingTime", 1)
    fit = scene.fit.mode if scene.fit is not None else "trim"
    read.choose("before", "hold").choose("after", FIT_AFTER[fit])
    picture: Node = read
    if fit == "speed" and scene.fit.speed:
        picture = graph.add(K.RETIME, "Retime").connect("Source", picture).set("speed", scene.fit.speed)
    # Generated clips come at generation size (e.g. 720 wide): fill the project frame, centred.
    reformat = graph.add(K.REFORMAT, "Reformat").connect("Source", picture)
    reformat.choose("reformatType", "box").set("boxSize", width, height).set("boxFixed", True)
    return reformat.choose("resize", "fill").set("reformatCentered", True)


def _previous_picture(graph: Graph, inputs: SceneInputs) -> Node:
    """The previous scene's last frame, held (its rendered FX clip), or black for the first scene."""
    if inputs.previous is None:
        return graph.add(K.SOLID, "Solid").set("color", 0.0, 0.0, 0.0)
    files, length = inputs.previous
    read = graph.add(K.READ, "Read")
    read.set("filename", files.fx).set("decodingPluginID", "fr.inria.openfx.ReadFFmpeg")
    read.choose("frameMode", "startingTime").set("startingTime", 1)
    read.choose("before", "hold").choose("after", "hold")
    return graph.add(K.FRAME_HOLD, "FrameHold").connect("Source", read).set("firstFrame", length)


def text_lines(content: str) -> list[str]:
    """The text's lines: `` / `` breaks a line, as in ``"FAILURE IS / A TRAP"``."""
    return [line.strip() for line in content.split(" / ")]


def text_markup(content: str, highlight: str, keywords: tuple[str, ...]) -> str:
    """Pango markup of the text: the last line of several, and any brand keyword, in the highlight colour."""
    wanted = {k.casefold() for k in keywords}
    lines = text_lines(content)
    marked = []
    for n, line in enumerate(lines):
        if len(lines) > 1 and n == len(lines) - 1:
            marked.append(f'<span foreground="{highlight}">{escape(line)}</span>')
            continue
        words = []
        for word in line.split(" "):
            bare = re.sub(r"\W+", "", word).casefold()
            words.append(f'<span foreground="{highlight}">{escape(word)}</span>' if bare and bare in wanted
                         else escape(word))
        marked.append(" ".join(words))
    return "\n".join(marked)


def _kinetic_text(graph: Graph, project: Project, scene: Scene, font_family: str) -> Node:
    fmt, brand = project.format, project.brand
    text = graph.add(K.TEXT, "Text")
    text.set("text", text_markup(scene.text.content, brand.highlight.hex, brand.keywords)).set("markup", True)
    if brand.font:
        text.set("custom", brand.font)
    text.set("font", font_family)
    text.set("size", round(TEXT_SIZE * fmt.width))
    text.set("color", *(round(c / 255.0, 6) for c in brand.base.rgb), 1.0)
    text.choose("align", "Center").choose("valign", "Center").choose("wrap", "Word")
    # the resolved centre is measured from the top; Natron is y-up
    text.set("center", fmt.width / 2.0, round(fmt.height * (1.0 - scene.text_y), 3))
    pop = max(2, round(TEXT_POP_SECONDS * fmt.fps))
    for dimension in (0, 1):  # kinetic: the words pop in from 80 % and settle
        text.animate("scale", dimension, [Key(1, 0.8, LINEAR), Key(1 + pop, 1.0, HORIZONTAL)])
    return text
