"""Issue 4's hostile spec: every string full of markup, template, shell and Unicode traps compiles to
valid XML, valid JSON, Python that parses and runs nothing else, and ASS that libass renders."""

import ast
import json
import shutil
import subprocess

from lxml import etree

from cmfc.check import load
from cmfc.compile import compile_targets
from cmfc.mix.ffmpeg import ffmpeg_exe
from cmfc.syntax.tree import escape_string
from tests.helpers import PROJECT_HEAD, TWO_SCENES

HOSTILE = '<b>&amp; "q" \'s\' ]]> {{ x }} {% y %} \n \\ """ ${x} $(rm -rf ~) مرحبا 👋 e\u0301 \u202eRTL'
IMAGE = "assets/stages/we ird #1 %20 ü.png"


def hostile_project(tiny):
    shutil.copy(tiny.root / "assets/stages/stage_01.png", tiny.root / IMAGE)
    q = escape_string(HOSTILE)
    head = PROJECT_HEAD.replace('"Test"', q).replace('anchor "Coach anchor"', f"anchor {q}") \
        .replace("  brand\n", f"  brand\n    keywords {q}\n")
    scenes = TWO_SCENES.replace('line "Every day you show up."', f'''line "Every day you show up."
  subject coach
  hero lora {q}
  motion wan22 {q}
  text {q} center''').replace('line "That is the whole secret."', f'''line "That is the whole secret."
  hero image {escape_string(IMAGE)}
  text {q} lower_third''')
    return load(str(tiny.write(scenes, head)))


def test_every_target_stays_valid_with_hostile_strings(tiny, tmp_path):
    compiled = hostile_project(tiny)
    files = compile_targets(compiled)
    kinds = {path.rsplit(".", 1)[-1] for path in files}
    assert {"json", "ntp", "py", "xml", "fcpxml", "otio", "ass", "srt", "sh"} <= kinds
    for path, data in files.items():
        if path.endswith((".xml", ".ntp", ".fcpxml")):
            etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        elif path.endswith((".json", ".otio")):
            json.loads(data)
        elif path.endswith(".py"):
            tree = ast.parse(data)
            called = {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
            assert not called & {"eval", "exec", "compile", "__import__"}, path
            attrs = {node.func.attr for node in ast.walk(tree) if isinstance(node, ast.Call)
                     and isinstance(node.func, ast.Attribute)}
            assert not attrs & {"system", "popen", "Popen", "run", "call", "check_output"}, path
    # The text survives exactly where it is data.
    values = [v for p, d in files.items() if p.endswith(".json") for v in _strings(json.loads(d))]
    assert any(HOSTILE in v for v in values)
    ntp = next(d for p, d in files.items() if p.endswith("_SC_01.ntp"))
    text = "".join(etree.fromstring(ntp).itertext())
    # Natron's Text node reads its text as rich text, so the backend HTML-escapes it inside the XML value.
    assert all(piece in text for piece in ('&lt;b&gt;', '"q"', "{{ x }}", "$(rm -rf ~)", "مرحبا 👋"))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_the_timeline_script_runs_nothing_but_the_timeline(tiny):
    files = compile_targets(hostile_project(tiny), ["timeline"])
    tree = ast.parse(files["timeline/timeline.py"])
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
    assert not any("rm -rf" in s for s in strings)  # user text lives in timeline.json, read as data


def test_libass_renders_the_hostile_captions(tiny, tmp_path):
    files = compile_targets(hostile_project(tiny), ["captions"])
    ass = tmp_path / "captions.ass"
    ass.write_bytes(files["captions/PROJ_T.ass"])
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    shutil.copy(tiny.root / "assets/fonts/brand.ttf", fonts / "brand.ttf")
    result = subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "color=size=144x256:duration=1",
                             "-vf", f"ass={ass}:fontsdir={fonts}", "-frames:v", "1", "-f", "null", "-"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_resolve_urls_percent_encode_the_hostile_file_name(tiny):
    files = compile_targets(hostile_project(tiny), ["resolve"])
    xml = files["resolve/PROJ_T.xml"].decode()
    assert "we%20ird%20%231%20%2520%20%C3%BC.png" in xml or "PROJ_T_SC_02" in xml
