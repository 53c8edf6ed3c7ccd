"""ComfyUI payloads compiled from specs: valid for the recorded server, anchored, gated, seeded per take."""

import json
from pathlib import Path

from cmfc.backends import EmitContext
from cmfc.backends.comfyui import validate
from cmfc.backends.comfyui.emit import derive_seed, emit, wan_length
from tests.helpers import TWO_SCENES

OBJECT_INFO = json.loads((Path(__file__).parent.parent / "fixtures" / "comfyui" / "object_info.json").read_text())

SCENES = TWO_SCENES.replace('line "Every day you show up."', '''line "Every day you show up."
  subject coach
  hero lora "mid-scream on a rooftop"
  light noir
  motion wan22 "He exhales. Slow push-in."
  takes 2''').replace('line "That is the whole secret."', '''line "That is the whole secret."
  subject mom
  hero zimage "in a messy kitchen"
  motion onetoall "assets/driving/walk.mp4"''')


def compile_payloads(tiny, scenes=SCENES):
    import shutil

    driving = tiny.root / "assets" / "driving" / "walk.mp4"
    driving.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 40)
    compiled = tiny.compile(scenes)
    ctx = EmitContext(words=tuple(compiled.words), frameworks=compiled.frameworks, root=tiny.root)
    del shutil
    return {name: json.loads(data) for name, data in emit(compiled.project, ctx).items()}


def titled(payload, title):
    return [node for node in payload.values() if node["_meta"]["title"].split(" ")[0] == title]


def test_every_payload_passes_the_servers_validation(tiny):
    payloads = compile_payloads(tiny)
    assert sorted(payloads) == [  # SC_01's LoRA hero is lit in its prompt: no HERO_LIT relight
        "comfyui/PROJ_T_SC_01_HERO_v01.json", "comfyui/PROJ_T_SC_01_HERO_v02.json",
        "comfyui/PROJ_T_SC_01_ICON_RAW_v01.json", "comfyui/PROJ_T_SC_01_ICON_RAW_v02.json",
        "comfyui/PROJ_T_SC_02_HERO_LIT_v01.json", "comfyui/PROJ_T_SC_02_HERO_v01.json",
        "comfyui/PROJ_T_SC_02_PERF_RAW_v01.json"]
    for name, payload in payloads.items():
        assert validate(payload, OBJECT_INFO) == [], name


def test_prompts_carry_the_subjects_anchor_block_verbatim(tiny):
    payloads = compile_payloads(tiny)
    hero = titled(payloads["comfyui/PROJ_T_SC_01_HERO_v01.json"], "cmfc.prompt")[0]["inputs"]["value"]
    assert hero.startswith("Coach anchor") and "mid-scream on a rooftop" in hero
    motion = titled(payloads["comfyui/PROJ_T_SC_01_ICON_RAW_v01.json"], "cmfc.prompt")[0]["inputs"]["value"]
    assert "Coach anchor" in motion and "Slow push-in" in motion
    assert "Mom anchor" in titled(payloads["comfyui/PROJ_T_SC_02_HERO_v01.json"], "cmfc.prompt")[0]["inputs"]["value"]


def test_lora_only_for_the_subject_who_owns_it(tiny):
    payloads = compile_payloads(tiny)
    coach = payloads["comfyui/PROJ_T_SC_01_HERO_v01.json"]
    assert titled(coach, "cmfc.lora")[0]["inputs"]["lora_name"] == "coach.safetensors"
    mom = payloads["comfyui/PROJ_T_SC_02_HERO_v01.json"]
    assert titled(mom, "cmfc.lora") == []
    assert all(node["class_type"] != "LoraLoaderModelOnly" for node in mom.values())


def test_takes_get_distinct_seeds_derived_from_the_project_seed(tiny):
    payloads = compile_payloads(tiny)
    seeds = [titled(payloads[f"comfyui/PROJ_T_SC_01_HERO_v0{t}.json"], "cmfc.seed")[0]["inputs"]["value"] for t in (1, 2)]
    assert seeds == [derive_seed(7, "SC_01", "hero", 1), derive_seed(7, "SC_01", "hero", 2)]
    assert seeds[0] != seeds[1]


def test_output_prefixes_follow_the_naming_convention(tiny):
    payloads = compile_payloads(tiny)
    prefix = titled(payloads["comfyui/PROJ_T_SC_02_PERF_RAW_v01.json"], "cmfc.output")[0]["inputs"]["filename_prefix"]
    assert prefix == "PROJ_T_SC_02_PERF_RAW_v01"


def test_a_lora_hero_is_lit_in_its_prompt_not_relit(tiny):
    # manual 3.1 path B: the LoRA keeps identity; lighting goes into the SDXL prompt, in English
    payloads = compile_payloads(tiny)
    assert not [name for name in payloads if "_SC_01_HERO_LIT" in name]
    prompt = titled(payloads["comfyui/PROJ_T_SC_01_HERO_v01.json"], "cmfc.prompt")[0]["inputs"]["value"]
    assert prompt.endswith("mid-scream on a rooftop. Lighting: Hard single key from high to one side, deep black "
                           "shadows, almost no fill.")
    assert "参考色调" not in prompt
    motion = payloads["comfyui/PROJ_T_SC_01_ICON_RAW_v01.json"]
    assert titled(motion, "cmfc.hero_image")[0]["inputs"]["image"] == "PROJ_T_SC_01_HERO_v01.png"


def test_a_zimage_hero_with_a_light_is_relit_with_the_presets_reference(tiny):
    scenes = SCENES.replace('hero zimage "in a messy kitchen"', 'hero zimage "in a messy kitchen"\n  light noir')
    payloads = compile_payloads(tiny, scenes)
    payload = payloads["comfyui/PROJ_T_SC_02_HERO_LIT_v01.json"]
    assert titled(payload, "cmfc.hero_image")[0]["inputs"]["image"] == "PROJ_T_SC_02_HERO.png"
    assert titled(payload, "cmfc.reference_image")[0]["inputs"]["image"].startswith("noir")
    assert "Lighting:" not in json.dumps(payloads["comfyui/PROJ_T_SC_02_HERO_v01.json"])
    motion = payloads["comfyui/PROJ_T_SC_02_PERF_RAW_v01.json"]
    assert titled(motion, "cmfc.hero_image")[0]["inputs"]["image"] == "PROJ_T_SC_02_HERO_LIT.png"


def test_wan_length_covers_the_slot_as_4n_plus_1():
    assert wan_length(24, 24) == 17 and wan_length(101, 24) == 69
    assert all((wan_length(f, 24) - 1) % 4 == 0 and wan_length(f, 24) * 24 >= f * 16 for f in range(1, 300))


def test_hostile_prompt_text_stays_exact(tiny):
    hostile = 'a "quote" \\\\ {{ x }} {% y %} ${x} $(rm) ]]> <b>&amp; مرحبا 👋 e\u0301'
    payloads = compile_payloads(tiny, SCENES.replace("mid-scream on a rooftop", hostile.replace('"', '\\"')))
    value = titled(payloads["comfyui/PROJ_T_SC_01_HERO_v01.json"], "cmfc.prompt")[0]["inputs"]["value"]
    assert hostile.replace("\\\\", "\\") + ". Lighting: " in value


def test_light_none_turns_the_templates_default_relight_off(tiny):
    # HOOK-1's template lights its scene with red_alert: an image hero is relit by default.
    scenes = TWO_SCENES.replace('line "Every day you show up."', '''line "Every day you show up."
  hero image "assets/stages/stage_01.png"''')
    assert "comfyui/PROJ_T_SC_01_HERO_LIT_v01.json" in compile_payloads(tiny, scenes)
    dark = scenes.replace('hero image "assets/stages/stage_01.png"', 'hero image "assets/stages/stage_01.png"\n'
                          '  light none')
    assert not [name for name in compile_payloads(tiny, dark) if "_SC_01_" in name]
    assert "did you mean none?" in tiny.errors(scenes.replace('stage_01.png"', 'stage_01.png"\n  light nne'))
    assert "or none for no relighting" in tiny.errors(scenes.replace('stage_01.png"', 'stage_01.png"\n  light zzzzzz'))


def test_a_projects_own_workflows_may_omit_points_but_not_the_output_or_the_chain(tiny):
    import shutil

    import pytest

    from cmfc.backends.comfyui.workflow import find_titled
    from cmfc.diagnostics import CmfError
    from tests.helpers import FIXTURES

    scenes = TWO_SCENES.replace('line "That is the whole secret."', '''line "That is the whole secret."
  hero zimage "an orange card"
  light noir
  motion wan22 "Hold still."''')
    shutil.copytree(FIXTURES / "comfyui_live", tiny.root / "comfyui")  # no LoRA, prompt, reference image
    payloads = compile_payloads(tiny, scenes)
    lit = payloads["comfyui/PROJ_T_SC_02_HERO_LIT_v01.json"]
    assert {n["class_type"] for n in lit.values()} == {"PrimitiveInt", "LoadImage", "ImageInvert", "SaveImage"}
    node = {point: lit[ids[0]] for point in ("cmfc.hero_image", "cmfc.output") if (ids := find_titled(lit, point))}
    assert node["cmfc.hero_image"]["inputs"]["image"] == "PROJ_T_SC_02_HERO.png"
    assert node["cmfc.output"]["inputs"]["filename_prefix"] == "PROJ_T_SC_02_HERO_LIT"
    hero = payloads["comfyui/PROJ_T_SC_02_HERO_v01.json"]
    assert hero[find_titled(hero, "cmfc.width")[0]]["inputs"]["value"] == 720  # the generation width
    relight = json.loads((tiny.root / "comfyui" / "relight_qwen.json").read_text())
    relight["2"]["_meta"]["title"] = "source image"  # the chain's input point is gone: a clear error
    (tiny.root / "comfyui" / "relight_qwen.json").write_text(json.dumps(relight))
    with pytest.raises(CmfError) as error:
        compile_payloads(tiny, scenes)
    assert "no node titled 'cmfc.hero_image'" in str(error.value)
