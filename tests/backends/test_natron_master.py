"""A project's Natron master comp: each scene injected by node label, every other byte kept."""

from __future__ import annotations

import shutil
from pathlib import Path

from lxml import etree

from backends import EmitContext
from cmfc.backends.natron import emit
from cmfc.backends.natron.master import inject
from cmfc.media.natron_template import read_template
from cmfc.frameworks import load_frameworks

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "natron"
SCENES = """
scene SC_01 HOOK-1
  line "Every day you show up."
  fx grade_warm strength 0.4

scene SC_02 SETUP-1
  line "That is the whole secret."
"""
TEXT_SCENE = """
scene SC_01 HOOK-1
  line "Every day you show up."
  text "EVERY DAY / YOU SHOW UP" lower_third
"""


def _with_template(tiny, name: str) -> Path:
    (tiny.root / "natron").mkdir(exist_ok=True)
    target = tiny.root / "natron" / "MASTER_COMP.ntp"
    shutil.copy(FIXTURES / name, target)
    return target


def _emit(compiled):
    ctx = EmitContext(words=tuple(compiled.words), frameworks=load_frameworks(), root=compiled.location.root)
    return emit(compiled.project, ctx)


def _changed_lines(before: bytes, after: bytes) -> list[tuple[str, str]]:
    a, b = before.decode().splitlines(), after.decode().splitlines()
    assert len(a) == len(b)  # injection never adds or removes a line
    return [(x.strip(), y.strip()) for x, y in zip(a, b) if x != y]


def test_scene_injected_by_label_and_the_rest_kept_byte_for_byte(tiny):
    template = _with_template(tiny, "master_gnu.ntp").read_bytes()
    compiled = tiny.compile(SCENES)
    files = _emit(compiled)
    assert "natron/PROJ_T_SC_01.py" not in files  # the master comp is the composite: no generated .py
    sc01 = files["natron/PROJ_T_SC_01.ntp"]
    length = compiled.project.scenes[0].slot.length
    changed = _changed_lines(template, sc01)
    assert changed == [
        ("<Value>[Project]/gnu.svg</Value>",
         "<Value>03_OUTPUT/PROJ_T/03_mining/PROJ_T_SC_01_ICON_RAW_v01.mp4</Value>"),
        ("<Value>[OCIO]/../../../../../tmp/gnu###.png</Value>",
         "<Value>03_OUTPUT/PROJ_T/04_fabrication/PROJ_T_SC_01_ICON_FX_v01.mov</Value>"),
        ("<Value>0</Value>", "<Value>1</Value>"),           # Writer firstFrame
        ("<Value>0</Value>", f"<Value>{length}</Value>"),  # Writer lastFrame
    ]
    # Still a well-formed Natron archive with the same nodes.
    root = etree.fromstring(sc01)
    assert len(root.find("Project/NodesCollection").findall("item")) == 24
    # The second scene gets its own paths; render.sh renders the template's Write node by its script name.
    assert b"PROJ_T_SC_02_" in files["natron/PROJ_T_SC_02.ntp"]
    script = files["natron/render.sh"].decode()
    assert "-w exportar " in script and "Writer1" not in script and ".py" not in script.replace("cmfc_paths.py", "")


def test_deterministic(tiny):
    _with_template(tiny, "master_gnu.ntp")
    assert _emit(tiny.compile(SCENES)) == _emit(tiny.compile(SCENES))


def test_without_a_template_the_generated_comp_stays(tiny):
    files = _emit(tiny.compile(SCENES))
    assert b"Writer1" in files["natron/PROJ_T_SC_01.ntp"] and "natron/PROJ_T_SC_01.py" in files


def test_missing_label_reported_with_the_labels_it_has(tiny):
    _with_template(tiny, "master_gnu.ntp")
    errors = tiny.errors(TEXT_SCENE)
    assert "natron/MASTER_COMP.ntp has no node labelled cmfc_text (the kinetic-text node) (a scene has text)" in errors
    assert "its nodes are labelled: Viewer1, cmfc_plate, gnu, cielo, todo" in errors
    assert "hint: in Natron, set the label of the kinetic-text node to cmfc_text and save" in errors


def test_label_without_the_knob_to_inject(tiny):
    _with_template(tiny, "master_text.ntp")  # cmfc_plate is a Dot here: it has no filename
    errors = tiny.errors(TEXT_SCENE)
    assert "node cmfc_plate (Dot1) has no saved 'filename'" in errors
    assert "cmfc_text" not in errors.split("hint")[0].replace("node cmfc_plate", "")


def test_unreadable_template_is_a_diagnostic(tiny):
    (tiny.root / "natron").mkdir()
    (tiny.root / "natron" / "MASTER_COMP.ntp").write_bytes(b"<boost_serialization><Project>")
    assert "natron/MASTER_COMP.ntp: not a readable Natron project" in tiny.errors(SCENES)


def test_text_escaped_like_boost_and_only_its_value_changes():
    data = (FIXTURES / "master_text.ntp").read_bytes()
    template = read_template(data)
    hostile = '<b>&amp; "q" \'a\' ]]>'
    out = inject(template, {("cmfc_text", "text"): [hostile], ("cmfc_writer", "lastFrame"): [48]})
    expected = data.replace(b"<Value>Natron\nUnit\nTest</Value>",
                            b"<Value>&lt;b&gt;&amp;amp; &quot;q&quot; &apos;a&apos; ]]&gt;</Value>", 1)
    last = b"<Name>lastFrame</Name>"
    at = expected.index(b"<Value>1</Value>", expected.index(last))
    expected = expected[:at] + b"<Value>48</Value>" + expected[at + len(b"<Value>1</Value>"):]
    assert out == expected
    texts = [n.findtext("item/Value") for n in etree.fromstring(out).iter("item") if n.findtext("Name") == "text"]
    assert texts == [hostile]


def test_build_compiles_with_the_master_comp_and_redoes_it_when_it_changes(tiny):
    from cmfc.build.engine import build
    from cmfc.plan import PlanOptions, plan_project

    template = _with_template(tiny, "master_gnu.ntp")
    compiled = tiny.compile(SCENES)
    options = PlanOptions(targets=("natron",), render=False)
    actions = plan_project(compiled, options)
    first = build(actions, tiny.root, progress=False)
    out = tiny.root / "03_OUTPUT/PROJ_T/04_fabrication/natron/PROJ_T_SC_01.ntp"
    assert b"cmfc_writer" in out.read_bytes() and not out.with_suffix(".py").exists()
    template.write_bytes(template.read_bytes().replace(b"<Plugin_label>gnu</Plugin_label>",
                                                       b"<Plugin_label>sky</Plugin_label>"))
    second = build(plan_project(compiled, options), tiny.root, progress=False)
    assert b"<Plugin_label>sky</Plugin_label>" in out.read_bytes()
    assert first.ok and second.ok and "compile:natron:SC_01" in second.ids("ran")
