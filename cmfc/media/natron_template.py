"""A project's Natron master comp (``natron/MASTER_COMP.ntp``): read its labelled nodes, check it.

The manual keeps one hand-made master comp and injects each scene into it. A project may supply
``natron/MASTER_COMP.ntp`` saved by Natron; its nodes carry agreed labels (the node's label in
Natron's node graph, ``Plugin_label`` in the file):

==================  ==========  ===============================================  =========
label               node        what the compiler sets per scene                 required
==================  ==========  ===============================================  =========
``cmfc_plate``      Read        ``filename``: the scene's picked raw clip          always
``cmfc_writer``     Write       ``filename``: the scene's FX clip; ``firstFrame``/ always
                                ``lastFrame`` when saved
``cmfc_text``       Text        ``text``: the kinetic text (Pango markup)          scenes with text
``cmfc_hero``       Read        ``filename``: the scene's hero still               no
``cmfc_caption``    Text        ``text``: the scene's spoken line                  no
``cmfc_grade``      Grade       ``mix``: the strength of the scene's grade effect   no
==================  ==========  ===============================================  =========

Natron saves only knobs that differ from their defaults, so a knob the compiler must set has to
be saved in the template (any value): ``check`` says which one is missing and how to fix it.

This module only *reads* the template (byte offsets of every knob value, with expat) so both
``check`` and the Natron target use one reading; the target replaces those spans and keeps every
other byte of the template as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from cmfc.diagnostics import Diagnostics, Span

TEMPLATE_PATH = "natron/MASTER_COMP.ntp"

PLATE, WRITER, TEXT, HERO, CAPTION, GRADE = (
    "cmfc_plate", "cmfc_writer", "cmfc_text", "cmfc_hero", "cmfc_caption", "cmfc_grade")
LABELS = (PLATE, HERO, TEXT, CAPTION, GRADE, WRITER)
# label -> the knobs the compiler must be able to set on it
NEEDED_KNOBS = {PLATE: ("filename",), WRITER: ("filename",), TEXT: ("text",), HERO: ("filename",),
                CAPTION: ("text",), GRADE: ()}
# label -> words for messages
WHAT = {PLATE: "the plate Read", WRITER: "the Write node", TEXT: "the kinetic-text node",
        HERO: "the hero Read", CAPTION: "the caption node", GRADE: "the grade"}


@dataclass
class TemplateKnob:
    """A saved knob: its type and, per dimension, the byte span of its ``<Value>`` text."""

    name: str
    type: str = ""
    values: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class TemplateNode:
    label: str = ""
    script_name: str = ""
    plugin_id: str = ""
    knobs: dict[str, TemplateKnob] = field(default_factory=dict)


@dataclass
class Template:
    """The template's bytes, its top-level nodes in file order and its saved project knobs."""

    data: bytes
    nodes: list[TemplateNode]
    project_knobs: dict[str, TemplateKnob]

    def by_label(self, label: str) -> TemplateNode | None:
        for node in self.nodes:
            if node.label == label:
                return node
        return None

    def labels(self) -> list[str]:
        return [node.label for node in self.nodes]


class TemplateError(ValueError):
    """The file is not a Natron project we can read."""


def read_template(data: bytes) -> Template:
    """Parse a ``.ntp`` (Boost XML archive) into its top-level nodes and knob value spans."""
    parser = expat.ParserCreate("UTF-8")
    stack: list[str] = []
    nodes: list[TemplateNode] = []
    project_knobs: dict[str, TemplateKnob] = {}
    state: dict = {"node": None, "knob": None, "text_start": None, "chars": []}

    def where() -> str:
        return "/".join(stack)

    def start(tag, _attrs):
        stack.append(tag)
        path = where()
        index = parser.CurrentByteIndex
        if path == "boost_serialization/Project/NodesCollection/item":
            state["node"] = TemplateNode()
            nodes.append(state["node"])
        elif path in ("boost_serialization/Project/NodesCollection/item/item", "boost_serialization/Project/item"):
            state["knob"] = TemplateKnob("")
        state["chars"] = []
        close = data.index(b">", index)
        state["text_start"] = close + 1 if data[close - 1:close] != b"/" else None

    def chars(text):
        state["chars"].append(text)

    def end(tag):
        path = where()
        text = "".join(state["chars"])
        node, knob = state["node"], state["knob"]
        if path.startswith("boost_serialization/Project/NodesCollection/item/") and path.count("/") == 4 and node:
            if tag == "Plugin_label":
                node.label = text
            elif tag == "Plugin_script_name":
                node.script_name = text
            elif tag == "Plugin_id":
                node.plugin_id = text
        knob_path = ("boost_serialization/Project/NodesCollection/item/item/",
                     "boost_serialization/Project/item/")
        for prefix in knob_path:
            if path.startswith(prefix) and knob is not None:
                rest = path[len(prefix):]
                if rest == "Name":
                    knob.name = text
                elif rest == "Type":
                    knob.type = text
                elif rest == "item/Value" and state["text_start"] is not None:
                    knob.values.append((state["text_start"], parser.CurrentByteIndex))
        if path == "boost_serialization/Project/NodesCollection/item/item" and knob is not None and node:
            node.knobs.setdefault(knob.name, knob)
            state["knob"] = None
        elif path == "boost_serialization/Project/item" and knob is not None:
            project_knobs.setdefault(knob.name, knob)
            state["knob"] = None
        elif path == "boost_serialization/Project/NodesCollection/item":
            state["node"] = None
        state["chars"] = []
        stack.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise TemplateError(f"not a readable Natron project (XML error: {error})") from None
    if not nodes:
        raise TemplateError("not a Natron project: no nodes under Project/NodesCollection")
    return Template(data, nodes, project_knobs)


def load_template(root: Path) -> Template | None:
    """The project's master comp, or None when it has none. Raises TemplateError for a bad file."""
    file = root / TEMPLATE_PATH
    if not file.is_file():
        return None
    return read_template(file.read_bytes())


def template_problems(template: Template, wants_text: bool) -> list[tuple[str, str]]:
    """(message, hint) for every label or knob the compiler needs and the template lacks."""
    problems: list[tuple[str, str]] = []
    have = template.labels()
    listed = ", ".join(have) if have else "(none)"
    required = [PLATE, WRITER] + ([TEXT] if wants_text else [])
    for label in LABELS:
        node = template.by_label(label)
        if node is None:
            if label in required:
                why = " (a scene has text)" if label == TEXT else ""
                problems.append((f"{TEMPLATE_PATH} has no node labelled {label} ({WHAT[label]}){why}; "
                                 f"its nodes are labelled: {listed}",
                                 f"in Natron, set the label of {WHAT[label]} to {label} and save"))
            continue
        for knob in NEEDED_KNOBS[label]:
            saved = node.knobs.get(knob)
            if saved is None or not saved.values:
                problems.append((f"{TEMPLATE_PATH}: node {label} ({node.script_name}) has no saved {knob!r} "
                                 f"(Natron saves only knobs changed from their default)",
                                 f"in Natron, give {label}'s {knob} any value and save the template"))
    return problems


def check_template(root: Path, wants_text: bool, diag: Diagnostics) -> None:
    """Report a master comp that is unreadable or lacks a label or knob the compiler injects into."""
    span = Span(TEMPLATE_PATH)
    try:
        template = load_template(root)
    except TemplateError as error:
        diag.error(span, f"{TEMPLATE_PATH}: {error}", hint="save it again from Natron (File > Save Project)")
        return
    except OSError as error:
        diag.error(span, f"{TEMPLATE_PATH}: cannot read it ({error.strerror})")
        return
    if template is None:
        return
    for message, hint in template_problems(template, wants_text):
        diag.error(span, message, hint=hint)
