"""What the console reads from the project: takes by the naming convention, eject names, uploads."""

from __future__ import annotations

import io
import json

from PIL import Image

from cmfc.console.state import eject_path, readable_image, scene_takes

SCENES = """
scene SC_01 HOOK-1
  line "Every day you show up."
  hero zimage "a runner at dawn"
  takes 3

scene SC_02 SETUP-1
  line "That is the whole secret."
"""


def test_takes_come_from_the_mining_folder_with_their_states(tiny):
    compiled = tiny.compile(SCENES)
    mining = tiny.root / "03_OUTPUT/PROJ_T/03_mining"
    mining.mkdir(parents=True)
    for name in ("PROJ_T_SC_01_HERO_v01.png", "PROJ_T_SC_01_HERO_LIT_v01.png", "PROJ_T_SC_01_ICON_RAW_v01.mp4",
                 "PROJ_T_SC_01_HERO_v04.png", "PROJ_T_SC_02_HERO_v02.png", "PROJ_T_SC_01_HERO_v02.png.tmp"):
        (mining / name).write_bytes(b"x")
    report = {"actions": [{"id": "generate:SC_01:hero:v02", "status": "failed", "error": "CUDA out of memory"}]}
    takes = scene_takes(compiled, compiled.project.scenes[0], report)
    assert [(t.label, t.state, t.path.name if t.path else t.why) for t in takes] == [
        ("v01", "generated", "PROJ_T_SC_01_ICON_RAW_v01.mp4"),  # the clip, the chain's last stage
        ("v02", "failed", "CUDA out of memory"),
        ("v03", "missing", ""),
        ("v04", "generated", "PROJ_T_SC_01_HERO_v04.png"),  # more files than takes: shown too
    ]


def test_an_eject_takes_the_next_free_conventional_name(tiny):
    compiled = tiny.compile(SCENES)
    scene = compiled.project.scenes[0]
    assert eject_path(compiled, scene, "Mine.PNG") == "assets/eject/PROJ_T_SC_01_ICON_RAW_v01.png"
    (tiny.root / "assets/eject").mkdir(parents=True)
    (tiny.root / "assets/eject/PROJ_T_SC_01_ICON_RAW_v01.png").write_bytes(b"x")
    assert eject_path(compiled, scene, "mine.png") == "assets/eject/PROJ_T_SC_01_ICON_RAW_v02.png"
    assert eject_path(compiled, scene, "take.mp4") == "assets/eject/PROJ_T_SC_01_DROLL_RAW_v01.mp4"


def test_an_upload_that_is_not_an_image_is_not_readable():
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    assert readable_image(buffer.getvalue())
    assert not readable_image(b"<html>not a picture</html>")
    assert not readable_image(buffer.getvalue()[:20])
