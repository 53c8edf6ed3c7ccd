"""`cmfc doctor` and `cmfc takes` as a user runs them."""

from __future__ import annotations

from click.testing import CliRunner

from cmfc.cli import cli

from .test_generation_build import HEAD, SCENES, run_build, start_standin


def test_doctor_names_what_is_missing_and_where_it_goes(tiny, tmp_path):
    from PIL import Image

    from cmfc.check import load

    Image.radial_gradient("L").convert("RGB").save(tmp_path / "ref.jpg")
    compiled = load(str(tiny.write(SCENES, HEAD)))
    with start_standin(tmp_path / "comfy", compiled) as server:
        ok = CliRunner().invoke(cli, ["doctor", str(tiny.root / "t.cmf"), "--comfyui", server.url])
        assert ok.exit_code == 0, ok.output
        assert "ComfyUI 0.12.1-standin" in ok.output and "every server can run every stage" in ok.output
        lora = "coach.safetensors"
        server.missing_models = {lora}
        kitchen = compiled.frameworks.lighting[compiled.project.scenes[1].light].reference_image
        (server.root / "input" / kitchen).unlink()
        bad = CliRunner().invoke(cli, ["doctor", str(tiny.root / "t.cmf"), "--comfyui", server.url])
    assert bad.exit_code == 1
    lines = [line for line in bad.output.splitlines() if line.startswith("MISSING")]
    assert any(lora in line and "ComfyUI/models/loras/" in line for line in lines), bad.output
    assert any(kitchen in line and "SC_02 relight" in line for line in lines), bad.output
    down = CliRunner().invoke(cli, ["doctor", str(tiny.root / "t.cmf"), "--comfyui", "http://127.0.0.1:9"])
    assert down.exit_code == 1 and "FAIL" in down.output and "reachable" in down.output


def test_takes_lists_states_and_writes_a_contact_sheet(tiny, tmp_path):
    from PIL import Image

    from cmfc.check import load

    Image.radial_gradient("L").convert("RGB").save(tmp_path / "ref.jpg")
    compiled = load(str(tiny.write(SCENES, HEAD)))
    before = CliRunner().invoke(cli, ["takes", str(tiny.root / "t.cmf")])
    assert before.exit_code == 0 and before.output.count("missing") == 3
    with start_standin(tmp_path / "comfy", compiled) as server:
        assert run_build(tiny, [server.url])[1].exit_code == 0
    after = CliRunner().invoke(cli, ["takes", str(tiny.root / "t.cmf"), "SC_01"])
    assert after.exit_code == 0, after.output
    assert "* SC_01 v01  generated" in after.output and "  SC_01 v02  generated" in after.output
    sheet = tiny.root / "03_OUTPUT/PROJ_T/03_mining/PROJ_T_TAKES.png"
    with Image.open(sheet) as image:
        assert image.size == (360, 340) and len(set(image.convert("L").getdata())) > 10
