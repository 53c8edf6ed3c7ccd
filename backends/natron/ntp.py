"""Write a graph as a Natron project file (.ntp): a Boost.Serialization XML archive.

Structure as Natron 2.3 saves it (see tests/fixtures/natron/ and docs/natron.md):
``boost_serialization`` > ``Background_project`` + ``Project`` (nodes, project knobs,
additional formats). Boost's rule is kept: the first element of each serialized class
carries ``class_id``/``tracking_level``/``version``, ids counted in document order;
later elements of that class carry none. ``Background_project`` is 1, so Natron does
not read a ``ProjectGui`` (node positions) and we write none. Built with lxml, so every
value is escaped; empty elements are written ``<X></X>`` like Boost does.
"""

from __future__ import annotations

import re

from lxml import etree

from .graph import Graph, Knob, Node, derivatives
from .knobs import BUILTIN_FORMAT_COUNT, PROJECT_KNOBS, KnobSpec

HEADER = ('<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>\n'
          "<!DOCTYPE boost_serialization>\n")
# Boost archive version 10 (as the Natron 2.0 samples): older than any Natron's Boost, so every one reads it.
ARCHIVE_VERSION = "10"
NATRON_VERSION = ("2", "3", "16", "RB-2.3", "763ba5d6d945b4b606487dd4783260949584fed0")

# Class versions, Natron 2.3 (Engine/*Serialization.h); tracking is 0 for all of them.
VERSIONS = {
    "project": 6, "nodes": 1, "node": 15, "inputs": 0, "input": 0, "components": 0, "knob": 14,
    "value": 7, "strings": 0, "curve": 0, "keys": 0, "key": 0, "formats": 0, "format": 3, "rect": 0,
}
STRING_TYPES = ("String", "InputFile", "OutputFile")

# Formats Natron knows by name (square pixels only); other sizes go to AdditionalFormats.
BUILTIN_FORMATS = {(640, 480): "PC_Video", (1280, 720): "HD_720", (1920, 1080): "HD", (3840, 2160): "UHD_4K",
                   (2048, 1080): "2K_DCP", (4096, 2160): "4K_DCP", (256, 256): "square_256",
                   (512, 512): "square_512", (1024, 1024): "square_1K", (2048, 2048): "square_2K"}
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def format_name(width: int, height: int) -> str:
    """The project format's name: Natron's own for a standard size, else ``cmfc_<w>x<h>``."""
    return BUILTIN_FORMATS.get((width, height), f"cmfc_{width}x{height}")


def xml_text(value: str) -> str:
    """Text XML 1.0 can hold: control characters other than tab/newline/CR are dropped."""
    return _XML_UNSAFE.sub("", value)


def number(value: float) -> str:
    """Doubles as Natron writes them (``%.17e``), with no negative zero."""
    return format(float(value) + 0.0, ".17e")


class _Archive:
    """Allocates Boost class ids in document order."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def element(self, parent, tag: str, kind: str | None = None, text=None):
        element = etree.SubElement(parent, tag)
        if kind is not None and kind not in self.seen:
            self.seen[kind] = len(self.seen)
            element.set("class_id", str(self.seen[kind]))
            element.set("tracking_level", "0")
            element.set("version", str(VERSIONS[kind]))
        if text is not None:
            element.text = xml_text(str(text))
        return element

    def leaf(self, parent, tag: str, text) -> None:
        self.element(parent, tag, text=text)


def write_ntp(graph: Graph, width: int, height: int, fps: int, last_frame: int) -> bytes:
    """The .ntp bytes of ``graph`` with the project's format, fps and frame range 1..last_frame."""
    archive = _Archive()
    root = etree.Element("boost_serialization", signature="serialization::archive", version=ARCHIVE_VERSION)
    archive.leaf(root, "Background_project", 1)
    project = archive.element(root, "Project", "project")
    major, minor, rev, branch, commit = NATRON_VERSION
    for tag, text in (("VersionMajor", major), ("VersionMinor", minor), ("VersionRev", rev),
                      ("GitBranch", branch), ("GitCommit", commit), ("OS", "Linux"), ("Bits", 64)):
        archive.leaf(project, tag, text)
    nodes = archive.element(project, "NodesCollection", "nodes")
    archive.leaf(nodes, "NodesCount", len(graph.nodes))
    for node in graph.nodes:
        _write_node(archive, nodes, node)

    name = format_name(width, height)
    builtin = name in BUILTIN_FORMATS.values()
    options = PROJECT_KNOBS["outputFormat"].options
    format_index = options.index(name) if builtin else BUILTIN_FORMAT_COUNT
    project_knobs = [
        _project_knob("outputFormat", [format_index], choice=name),
        _project_knob("frameRange", [1, last_frame]),
        _project_knob("frameRate", [float(fps)]),
    ]
    archive.leaf(project, "ProjectKnobsCount", len(project_knobs))
    for knob, choice in project_knobs:
        _write_knob(archive, project, knob, choice)

    formats = archive.element(project, "AdditionalFormats", "formats")
    archive.leaf(formats, "count", 0 if builtin else 1)
    archive.leaf(formats, "item_version", VERSIONS["format"])
    if not builtin:
        item = archive.element(formats, "item", "format")
        rect = archive.element(item, "RectI", "rect")
        for tag, text in (("Left", 0), ("Bottom", 0), ("Right", width), ("Top", height)):
            archive.leaf(rect, tag, text)
        archive.leaf(item, "Pixel_aspect_ratio", number(1.0))
        archive.leaf(item, "Name", name)
    archive.leaf(project, "Timeline_current_time", 1)
    archive.leaf(project, "CreationDate", 0)  # ms since epoch; 0 keeps the file identical on every run

    # Boost places the archive's children at column 0, not indented under the root.
    parts = [HEADER, f'<boost_serialization signature="serialization::archive" version="{ARCHIVE_VERSION}">\n']
    for child in root:
        child.tail = None
        etree.indent(child, space="\t")
        parts.append(etree.tostring(child, encoding="unicode") + "\n")
    parts.append("</boost_serialization>\n")
    return "".join(parts).encode("utf-8")


def _project_knob(name: str, values: list, choice: str | None = None) -> tuple[Knob, str | None]:
    spec: KnobSpec = PROJECT_KNOBS[name]
    return Knob(name, spec, values, [None] * spec.dimension), choice


def _write_node(archive: _Archive, parent, node: Node) -> None:
    item = archive.element(parent, "item", "node")
    plugin = node.plugin
    for tag, text in (("Plugin_label", node.name), ("Plugin_script_name", node.name), ("Plugin_id", plugin.id),
                      ("PythonModule", ""), ("PythonModuleVersion", 0), ("Plugin_major_version", plugin.major),
                      ("Plugin_minor_version", plugin.minor), ("KnobsCount", len(node.knobs))):
        archive.leaf(item, tag, text)
    for knob in node.knobs.values():
        _write_knob(archive, item, knob, knob.choice)
    inputs = archive.element(item, "Inputs_map", "inputs")
    archive.leaf(inputs, "count", len(node.inputs))
    archive.leaf(inputs, "item_version", 0)
    for input_name in sorted(node.inputs):  # a std::map: sorted by key
        pair = archive.element(inputs, "item", "input")
        archive.leaf(pair, "first", input_name)
        archive.leaf(pair, "second", node.inputs[input_name].name)
    for tag, text in (("KnobsAge", 1), ("MasterNode", ""), ("HasRotoContext", 0), ("HasTrackerContext", 0),
                      ("MultiInstanceParent", ""), ("UserPagesCount", 0), ("PagesCount", 0), ("Children", 0)):
        archive.leaf(item, tag, text)
    components = archive.element(item, "UserComponents", "components")
    archive.leaf(components, "count", 0)
    archive.leaf(components, "item_version", 2)
    archive.leaf(item, "CacheID", node.name)


def _value_text(kind: str, value) -> str:
    if kind in ("Double", "Color"):
        return number(value)
    if kind in ("Int", "Bool", "Choice"):
        return str(int(value))
    return str(value)


def _write_knob(archive: _Archive, parent, knob: Knob, choice: str | None) -> None:
    spec = knob.spec
    item = archive.element(parent, "item", "knob")
    for tag, text in (("Name", knob.name), ("Type", spec.type), ("Dimension", spec.dimension),
                      ("Secret", int(spec.secret)), ("MasterIsAlias", 0)):
        archive.leaf(item, tag, text)
    for dimension in range(spec.dimension):
        value = archive.element(item, "item", "value")
        curve = knob.curves[dimension]
        archive.leaf(value, "Enabled", 1)
        archive.leaf(value, "HasAnimation", int(curve is not None))
        if curve is not None:
            curve_element = archive.element(value, "Curve", "curve")
            keys = archive.element(curve_element, "KeyFrameSet", "keys")
            archive.leaf(keys, "count", len(curve))
            archive.leaf(keys, "item_version", 0)
            for key, (left, right) in zip(curve, derivatives(curve)):
                key_element = archive.element(keys, "item", "key")
                for tag, text in (("Time", number(key.frame)), ("Value", number(key.value)),
                                  ("InterpolationMethod", key.interp), ("LeftDerivative", number(left)),
                                  ("RightDerivative", number(right))):
                    archive.leaf(key_element, tag, text)
        archive.leaf(value, "Value", _value_text(spec.type, knob.values[dimension]))
        archive.leaf(value, "Default", _value_text(spec.type, spec.default[dimension]))
        for tag, text in (("HasMaster", 0), ("Expression", ""), ("ExprHasRet", 0)):
            archive.leaf(value, tag, text)
    if spec.type in STRING_TYPES:
        strings = archive.element(item, "StringsAnimation", "strings")
        archive.leaf(strings, "count", 0)
        archive.leaf(strings, "item_version", 0)
    if choice is not None:
        archive.leaf(item, "ChoiceLabel", choice)
    archive.leaf(item, "UserKnob", 0)
