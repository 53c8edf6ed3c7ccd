"""Inject one scene into the project's master comp (``natron/MASTER_COMP.ntp``), by node label.

The template is read once (``cmfc.media.natron_template``: the byte span of every saved knob
value); each scene's values replace exactly those spans and every other byte of the template is
kept as Natron saved it, the way ComfyUI values are injected by node title. Values are written
as Natron writes them: strings XML-escaped like Boost does, doubles ``%.17e``, ints as integers.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from cmfc.media.natron_template import CAPTION, GRADE, HERO, PLATE, TEXT, WRITER, Template, TemplateKnob
from cmfc.ir.models import Project, Scene
from cmfc.naming import hero_name, picked_take, stage_dir

from .ntp import number, xml_text
from .scene import SceneFiles, text_markup

GRADE_EFFECTS = ("grade_noir", "grade_warm", "grade_teal_orange")
_BOOST_ENTITIES = {'"': "&quot;", "'": "&apos;"}


def scene_values(project: Project, scene: Scene, files: SceneFiles, length: int) -> dict[tuple[str, str], list]:
    """(label, knob) -> the value per dimension this scene gives it; ``("", knob)`` = a project knob."""
    take = picked_take(scene)
    hero = stage_dir(project.id, "mining") / hero_name(project.id, scene.id, lit=scene.light is not None,
                                                        take=take if take > 1 else None)
    text = ""
    if scene.text is not None and scene.text.content.strip():
        text = text_markup(scene.text.content, project.brand.highlight.hex, project.brand.keywords)
    values: dict[tuple[str, str], list] = {
        (PLATE, "filename"): [files.raw],
        (WRITER, "filename"): [files.fx],
        (WRITER, "firstFrame"): [1],
        (WRITER, "lastFrame"): [length],
        ("", "frameRange"): [1, length],
        (TEXT, "text"): [text],
        (HERO, "filename"): [str(hero)],
        (CAPTION, "text"): [scene.line or ""],
    }
    grades = [use for use in scene.effects if use.name in GRADE_EFFECTS]  # typed in resolution
    if grades:
        values[(GRADE, "mix")] = [float(grades[-1].values.get("strength", 1.0))]
    return values


def inject(template: Template, values: dict[tuple[str, str], list]) -> bytes:
    """The template's bytes with each saved knob value in ``values`` replaced; nothing else changes."""
    edits: list[tuple[int, int, bytes]] = []
    for (label, name), wanted in sorted(values.items()):
        if label:
            node = template.by_label(label)
            knob = node.knobs.get(name) if node is not None else None
        else:
            knob = template.project_knobs.get(name)
        if knob is None:
            continue  # check reported the knobs that must be there; optional ones stay as saved
        for (start, end), value in zip(knob.values, wanted):
            edits.append((start, end, _encode(knob, value)))
    data = template.data
    out, at = [], 0
    for start, end, text in sorted(edits):
        out += [data[at:start], text]
        at = end
    out.append(data[at:])
    return b"".join(out)


def writer_name(template: Template) -> str:
    """The script name NatronRenderer's ``-w`` takes for the template's Write node."""
    node = template.by_label(WRITER)
    return node.script_name if node is not None else "Writer1"


def _encode(knob: TemplateKnob, value) -> bytes:
    if knob.type in ("Double", "Color"):
        text = number(value)
    elif knob.type in ("Int", "Bool", "Choice"):
        text = str(int(value))
    else:
        text = escape(xml_text(str(value)), _BOOST_ENTITIES)
    return text.encode("utf-8")
