"""The Natron target: .ntp structure against real Natron projects, the Python form, render.sh."""

from __future__ import annotations

import ast
import re
import shlex
from pathlib import Path

import pytest
from lxml import etree

from backends import EmitContext
from cmfc.backends.natron import emit
from cmfc.check import load
from cmfc.frameworks import load_frameworks
from cmfc.naming import asset_name

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "natron"
ALPHA = Path(__file__).resolve().parent.parent.parent / "specs" / "alpha" / "alpha.cmf"
BOOST_ATTRIBUTES = ("class_id", "tracking_level", "version")
HOSTILE = "<b>&amp; \"q\" 'a' ]]> {{ x }} {% y %} \\n $(cmd) ${x} \"\"\" \u05e9\u05dc\u05d5\u05dd \U0001f525 e\u0301"

EVERY_EFFECT = """
scene SC_01 HOOK-1
  line "Every day you show up."
  text "EVERY DAY / YOU SHOW UP" lower_third
  fx shake amplitude 12 at 0.2s..1.0s
  fx zoom_punch at 0.5s
  fx drift direction up
  fx rotate_wobble
  fx speed_ramp curve ease_in
  fx handheld
  fx glitch intensity 0.7 at 1.1s
  fx crt at 0.1s..0.9s
  fx grain amount 0.15
  fx glow
  fx blur radius 3 at 1.2s..1.4s
  fx flash color #FF0000 at 0.3s
  fx grade_noir
  fx grade_warm
  fx grade_teal_orange
  fx vignette
  fx light_leak at 0.4s

scene SC_02 SETUP-1
  line "That is the whole secret."
  fx hard_cut
  fx crossfade
  fx whip_pan direction right
  fx zoom_through
  fx glitch_cut
  fx dip_to_black
"""


def _context(compiled) -> EmitContext:
    return EmitContext(words=tuple(compiled.words), frameworks=load_frameworks(), root=compiled.location.root)


@pytest.fixture(scope="module")
def alpha():
    compiled = load(str(ALPHA))
    return compiled.project, emit(compiled.project, _context(compiled))


@pytest.fixture
def every_effect(tiny):
    compiled = tiny.compile(EVERY_EFFECT)
    return compiled.project, emit(compiled.project, _context(compiled))


def _reference_knobs() -> dict[str, set[str]]:
    """Knob script names per plug-in id: PLUGIN_PARAMS.md plus the knobs real projects save."""
    known: dict[str, set[str]] = {}
    current = None
    for line in (FIXTURES / "PLUGIN_PARAMS.md").read_text(encoding="utf-8").splitlines():
        header = re.match(r"## (\S+) — ", line)
        if header:
            current = known.setdefault(header.group(1), set())
        elif current is not None and line.startswith("- `"):
            current.add(line[3:line.index("`", 3)])
    for sample in FIXTURES.glob("*.ntp"):
        for node in etree.parse(str(sample)).iter("item"):
            plugin = node.findtext("Plugin_id")
            if plugin:
                known.setdefault(plugin, set()).update(k.findtext("Name") for k in node.findall("item"))
    # The built-in Read/Write carry their decoder's/encoder's knobs (FORMAT.md, "Read/Write in 2.1+ files").
    known["fr.inria.built-in.Read"] |= known["fr.inria.openfx.ReadFFmpeg"]
    known["fr.inria.built-in.Write"] |= known["fr.inria.openfx.WriteFFmpeg"]
    return known


def _nodes(tree) -> dict[str, etree._Element]:
    return {n.findtext("Plugin_script_name"): n for n in tree.find("Project/NodesCollection").findall("item")}


def _knob(node, name):
    return next(k for k in node.findall("item") if k.findtext("Name") == name)


def _values(knob) -> list[str]:
    return [v.findtext("Value") for v in knob.findall("item")]


def _check_boost_rule(root) -> None:
    """Each serialized class is tagged once, at its first element; ids count up in document order."""
    tagged = [e for e in root.iter() if e.get("class_id") is not None]
    assert [int(e.get("class_id")) for e in tagged] == list(range(len(tagged)))
    for element in tagged:
        assert all(element.get(a) is not None for a in BOOST_ATTRIBUTES)
    for element in root.iterdescendants():
        if element.get("class_id") is None:
            assert not any(element.get(a) for a in BOOST_ATTRIBUTES), element.tag


def test_structure_matches_natron_samples(alpha, every_effect):
    sample = etree.parse(str(FIXTURES / "mp4_mp4v_test.ntp")).getroot()
    for _, files in (alpha, every_effect):
        for name, data in files.items():
            if not name.endswith(".ntp"):
                continue
            assert data.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes" ?>\n'
                                   b"<!DOCTYPE boost_serialization>\n")
            root = etree.fromstring(data)
            assert root.tag == sample.tag and root.get("signature") == sample.get("signature")
            assert [c.tag for c in root][:2] == ["Background_project", "Project"]
            assert root.findtext("Background_project") == "1" and root.find("ProjectGui") is None
            _check_boost_rule(root)
            _check_boost_rule(sample)
            node_children = [c.tag for c in sample.find("Project/NodesCollection/item")]
            for node in _nodes(root).values():
                tags = [c.tag for c in node if c.tag != "item"]
                assert tags == [t for t in node_children if t not in ("item", "name")]


def test_plugins_and_knobs_are_real(alpha, every_effect):
    known = _reference_knobs()
    format_notes = (FIXTURES / "FORMAT.md").read_text(encoding="utf-8")
    used = set()
    for _, files in (alpha, every_effect):
        for name, data in files.items():
            if not name.endswith(".ntp"):
                continue
            for node in _nodes(etree.fromstring(data)).values():
                plugin = node.findtext("Plugin_id")
                used.add(plugin)
                assert plugin in known or plugin in format_notes, plugin
                for knob in node.findall("item"):
                    assert knob.findtext("Name") in known[plugin], (plugin, knob.findtext("Name"))
                    assert len(knob.findall("item")) == int(knob.findtext("Dimension"))
                    if knob.findtext("Type") == "Choice":
                        assert knob.findtext("ChoiceLabel")
    assert {"net.sf.openfx.TransformPlugin", "net.sf.openfx.MergePlugin", "net.fxarena.openfx.Text",
            "net.sf.openfx.GradePlugin", "net.sf.cimg.CImgBlur", "net.sf.openfx.Shadertoy"} <= used


def test_alpha_sc01_composite(alpha):
    project, files = alpha
    tree = etree.fromstring(files["natron/PROJ_Alpha_SC_01.ntp"])
    nodes = _nodes(tree)
    read, write = nodes["Read1"], nodes["Writer1"]
    assert _values(_knob(read, "filename")) == [f"03_OUTPUT/PROJ_Alpha/03_mining/{asset_name('PROJ_Alpha', 'SC_01', 'ICON', 'RAW', 2, 'mp4')}"]
    assert _values(_knob(write, "filename")) == [f"03_OUTPUT/PROJ_Alpha/04_fabrication/{asset_name('PROJ_Alpha', 'SC_01', 'ICON', 'FX', 2, 'mov')}"]
    assert _knob(read, "after").findtext("ChoiceLabel") == "bounce"  # fit pingpong
    assert _knob(write, "format").findtext("ChoiceLabel") == "mov"
    length = project.scenes[0].slot.length
    frame_range = next(k for k in tree.find("Project").findall("item") if k.findtext("Name") == "frameRange")
    assert _values(frame_range) == ["1", str(length)]
    assert tree.findtext("Project/AdditionalFormats/item/RectI/Right") == "1080"
    assert tree.findtext("Project/AdditionalFormats/item/RectI/Top") == "1920"
    # glitch at 3.9 s: its amount switches on at frame 1 + 94 and off 0.3 s later (clamped to the scene).
    glitch = nodes["Shadertoy1"]
    assert "glitch" in _values(_knob(glitch, "imageShaderSource"))[0]
    amount = _knob(glitch, "paramValueFloat2")
    times = [float(t.text) for t in amount.iter("Time")]
    assert times[:2] == [1.0, 95.0]
    assert "crt" in _values(_knob(nodes["Shadertoy2"], "imageShaderSource"))[0]
    text = nodes["Text1"]
    assert _values(_knob(text, "text")) == ['FAILURE IS\n<span foreground="#FFD400">A TRAP</span>']
    assert [float(v) for v in _values(_knob(text, "color"))] == [1.0, 1.0, 1.0, 1.0]
    # behind_head → upper third, at the resolved centre (28 % from the top, as the local render draws it); y-up
    assert float(_values(_knob(text, "center"))[1]) == pytest.approx(1920 * (1 - 0.28), abs=0.01)
    merge = nodes["Merge1"]
    linked = {i.findtext("first"): i.findtext("second") for i in merge.find("Inputs_map").findall("item")}
    assert linked == {"A": "Text1", "B": "Shadertoy2"}
    assert {i.findtext("second") for i in write.find("Inputs_map").findall("item")} == {"Merge1"}


def test_every_effect_has_a_fragment(every_effect):
    project, files = every_effect
    tree = etree.fromstring(files["natron/PROJ_T_SC_01.ntp"])
    plugins = [n.findtext("Plugin_id") for n in _nodes(tree).values()]
    assert plugins.count("net.sf.openfx.TransformPlugin") == 5  # shake, zoom_punch, drift, wobble, handheld
    for plugin in ("net.sf.openfx.Retime", "net.sf.openfx.SeGrain", "net.sf.openfx.ColorCorrectPlugin",
                   "net.sf.openfx.Rectangle", "net.sf.openfx.Solid"):
        assert plugin in plugins
    second = etree.fromstring(files["natron/PROJ_T_SC_02.ntp"])
    plugins = [n.findtext("Plugin_id") for n in _nodes(second).values()]
    assert "fr.inria.built-in.Dot" in plugins and "net.sf.openfx.DissolvePlugin" in plugins
    # Transitions read the previous scene's rendered clip, holding its last frame.
    reads = [_values(_knob(n, "filename"))[0] for n in _nodes(second).values()
             if n.findtext("Plugin_id") == "fr.inria.built-in.Read"]
    assert any(r.endswith("PROJ_T_SC_01_EROLL_FX_v01.mov") or "SC_01" in r for r in reads)
    hold = next(n for n in _nodes(second).values() if n.findtext("Plugin_id") == "net.sf.openfx.FrameHold")
    assert _values(_knob(hold, "firstFrame")) == [str(project.scenes[0].slot.length)]


def test_keyframes_carry_natron_derivatives(every_effect):
    _, files = every_effect
    tree = etree.fromstring(files["natron/PROJ_T_SC_01.ntp"])
    for key_set in tree.iter("KeyFrameSet"):
        keys = key_set.findall("item")
        assert int(key_set.findtext("count")) == len(keys)
        times = [float(k.findtext("Time")) for k in keys]
        assert times == sorted(set(times))
        for key in keys:
            assert key.findtext("InterpolationMethod") in ("0", "1", "5")
            if key.findtext("InterpolationMethod") == "5":  # horizontal: flat tangents on both sides
                assert float(key.findtext("LeftDerivative")) == float(key.findtext("RightDerivative")) == 0.0


def test_hostile_text_survives(tiny):
    escaped = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    compiled = tiny.compile(f'\nscene SC_01 HOOK-1\n  line "Every day you show up."\n  text "{escaped}" center\n')
    assert compiled.project.scenes[0].text.content == HOSTILE
    files = emit(compiled.project, _context(compiled))
    tree = etree.fromstring(files["natron/PROJ_T_SC_01.ntp"])
    markup = _values(_knob(_nodes(tree)["Text1"], "text"))[0]
    # Pango markup of the text: the user's characters, escaped once for Pango, intact.
    unescaped = markup.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    assert unescaped == HOSTILE
    source = files["natron/PROJ_T_SC_01.py"].decode("ascii")
    module = ast.parse(source)
    strings = [n.value for n in ast.walk(module) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert markup in strings
    # Outside string literals the script holds only names cmfc chose.
    names = {n.id for n in ast.walk(module) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(module) if isinstance(n, ast.Attribute)}
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) for name in names)
    assert not any("cmd" in name or "x" == name for name in names)
    calls = {n.func.attr if isinstance(n.func, ast.Attribute) else n.func.id
             for n in ast.walk(module) if isinstance(n, ast.Call)}
    assert calls <= {"createNode", "setScriptName", "setLabel", "getParam", "setValue", "set", "setValueAtTime",
                     "setInterpolationAtTime", "connectInput", "addFormat", "getProjectParam", "getNumOptions",
                     "getOption", "startswith", "range", "join", "getcwd", "get", "globals", "path"}


def test_python_form_is_the_same_composite(alpha):
    _, files = alpha
    module = ast.parse(files["natron/PROJ_Alpha_SC_01.py"])
    tree = etree.fromstring(files["natron/PROJ_Alpha_SC_01.ntp"])
    created = {}
    for node in ast.walk(module):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) \
                and getattr(node.value.func, "attr", "") == "createNode":
            created[node.targets[0].id] = node.value.args[0].value
    assert created == {name: n.findtext("Plugin_id") for name, n in _nodes(tree).items()}
    source = files["natron/PROJ_Alpha_SC_01.py"].decode()
    assert "/work" not in source and "path(u'03_OUTPUT/PROJ_Alpha/03_mining/" in source


def test_render_script(alpha):
    project, files = alpha
    script = files["natron/render.sh"].decode()
    lines = script.splitlines()
    assert lines[0] == "#!/bin/sh" and "set -e" in lines
    commands = [shlex.split(line) for line in lines if line.startswith("NatronRenderer")]
    assert len(commands) == len(project.scenes)
    for command, scene in zip(commands, project.scenes):
        writer = command.index("-w")
        assert command[writer + 1:writer + 3] == ["Writer1", f"1-{scene.slot.length}"]
        assert command[-1] == f"$HERE/PROJ_Alpha_{scene.id}.ntp"
    assert sum(line.startswith("# NatronRenderer") and line.endswith(".py") for line in lines) == len(project.scenes)
    ast.parse(files["natron/cmfc_paths.py"])


def test_byte_identical_and_portable(alpha, tmp_path):
    _, first = alpha
    compiled = load(str(ALPHA))
    assert emit(compiled.project, _context(compiled)) == first
    for name, data in first.items():
        assert str(Path.cwd()).encode() not in data and b"/work/" not in data, name


def test_derivatives_match_the_sample_natron_saved():
    from cmfc.backends.natron.graph import LINEAR, Key, derivatives

    sample = etree.parse(str(FIXTURES / "mp4_mp4v_test.ntp"))
    keys = sample.find(".//KeyFrameSet").findall("item")
    saved = [(float(k.findtext("LeftDerivative")), float(k.findtext("RightDerivative"))) for k in keys]
    ours = derivatives(tuple(Key(int(float(k.findtext("Time"))), float(k.findtext("Value")), LINEAR) for k in keys))
    assert ours == saved  # two keys: Natron's smooth and linear tangents agree


def test_python_form_sets_the_same_knobs(every_effect):
    _, files = every_effect
    module = ast.parse(files["natron/PROJ_T_SC_01.py"])
    set_in_py = set()
    for call in ast.walk(module):
        if isinstance(call, ast.Call) and getattr(call.func, "attr", "") == "getParam" \
                and isinstance(call.func.value, ast.Name) and call.func.value.id != "app":
            set_in_py.add((call.func.value.id, call.args[0].value))
    tree = etree.fromstring(files["natron/PROJ_T_SC_01.ntp"])
    in_ntp = {(name, k.findtext("Name")) for name, node in _nodes(tree).items() for k in node.findall("item")
              if k.findtext("Secret") == "0"}
    assert set_in_py == in_ntp


def test_identical_in_another_directory(tiny, tmp_path):
    import shutil

    first = emit(tiny.compile(EVERY_EFFECT).project, _context(load(str(tiny.spec_path))))
    moved = tmp_path / "elsewhere" / "project copy"
    shutil.copytree(tiny.root, moved)
    compiled = load(str(moved / "t.cmf"))
    assert emit(compiled.project, _context(compiled)) == first


def test_control_characters_cannot_break_the_xml():
    from cmfc.backends.natron.ntp import xml_text

    assert xml_text("a\x01b\x1fc\td\ne") == "abc\td\ne"


@pytest.fixture(autouse=True)
def _natron_renders_speed_ramp(monkeypatch):
    """These tests compile for Natron, which has speed_ramp (Retime); only the local renderer lacks it."""
    import cmfc.render.effects as local

    monkeypatch.setattr(local, "LOCAL_EFFECTS", local.LOCAL_EFFECTS | {"speed_ramp"})
