"""Stage templates: injection by node title, the LoRA gate, canonical bytes, hostile text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmfc.backends.comfyui import (
    INJECTION_POINTS,
    STAGE_TEMPLATES,
    bypass,
    canonical_json,
    find_titled,
    inject,
    injection_points,
    load_object_info,
    load_template,
    load_workflow,
    validate,
)
from cmfc.diagnostics import CmfError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "comfyui"

SAMPLE_VALUES = {
    "cmfc.prompt": "Marcus, 42, close-cropped beard, navy overcoat. Action: mid-scream on a rooftop.",
    "cmfc.negative": "Studio lighting, airbrushing, morphing, cartoon.",
    "cmfc.seed": 3141592653,
    "cmfc.width": 720,
    "cmfc.height": 1280,
    "cmfc.length": 77,
    "cmfc.fps": 24,
    "cmfc.lora": "coach.safetensors",
    "cmfc.lora_strength": 0.8,
    "cmfc.hero_image": "PROJ_Alpha/PROJ_Alpha_SC_01_HERO.png",
    "cmfc.reference_image": "refs/blade_through_shadows.png",
    "cmfc.driving_video": "refs/dance_move_04.mp4",
    "cmfc.output": "PROJ_Alpha/PROJ_Alpha_SC_01_ICON_RAW_v01",
}

EXPECTED_POINTS = {
    "hero_zimage.json": {"cmfc.prompt", "cmfc.negative", "cmfc.seed", "cmfc.width", "cmfc.height",
                         "cmfc.lora", "cmfc.lora_strength", "cmfc.output"},
    "relight_qwen.json": {"cmfc.prompt", "cmfc.negative", "cmfc.seed", "cmfc.lora", "cmfc.lora_strength",
                          "cmfc.hero_image", "cmfc.reference_image", "cmfc.output"},
    "motion_wan22.json": {"cmfc.prompt", "cmfc.negative", "cmfc.seed", "cmfc.width", "cmfc.height",
                          "cmfc.length", "cmfc.fps", "cmfc.hero_image", "cmfc.output"},
    "motion_onetoall.json": {"cmfc.prompt", "cmfc.negative", "cmfc.seed", "cmfc.width", "cmfc.height",
                             "cmfc.length", "cmfc.fps", "cmfc.hero_image", "cmfc.driving_video", "cmfc.output"},
}

HOSTILE = [
    'say "hi"', "two\nlines", "{{ anchor }} {% if x %}", "\\ back\\slash", "emoji 🎬🔥 and a ZWJ 👩‍👩‍👧",
    "עברית RTL \u202e mixed", "combining e\u0301", "]]> <tag> & ' $(cmd) ${x} \"\"\"",
]


@pytest.fixture(scope="module")
def object_info():
    return load_object_info(FIXTURES / "object_info.json")


def values_for(template_name: str) -> dict:
    return {point: SAMPLE_VALUES[point] for point in EXPECTED_POINTS[template_name]}


@pytest.mark.parametrize("template_name", sorted(EXPECTED_POINTS))
def test_template_offers_its_points_and_validates_when_injected(template_name, object_info):
    template = load_template(template_name)
    assert set(injection_points(template)) == EXPECTED_POINTS[template_name]
    assert validate(template, object_info) == []
    payload = inject(template, values_for(template_name), template_name)
    assert validate(payload, object_info) == []
    for point, value in values_for(template_name).items():
        (node_id,) = find_titled(payload, point)
        assert payload[node_id]["inputs"][INJECTION_POINTS[point].input_name] == value


def test_every_stage_has_a_template():
    assert set(STAGE_TEMPLATES.values()) == set(EXPECTED_POINTS)


def test_templates_use_the_engines_real_node_classes():
    classes = {name: {n["class_type"] for n in load_template(name).values()} for name in EXPECTED_POINTS}
    assert {"UNETLoader", "CLIPLoader", "EmptySD3LatentImage", "KSampler", "LoraLoaderModelOnly",
            "SaveImage"} <= classes["hero_zimage.json"]
    assert load_template("hero_zimage.json")["18"]["inputs"]["type"] == "lumina2"
    assert {"TextEncodeQwenImageEditPlus", "LoraLoaderModelOnly", "LoadImage"} <= classes["relight_qwen.json"]
    assert {"WanImageToVideo", "KSamplerAdvanced", "SaveVideo"} <= classes["motion_wan22.json"]
    assert {"WanVideoAddOneToAllReferenceEmbeds", "WanVideoAddOneToAllPoseEmbeds", "VHS_LoadVideo",
            "VHS_VideoCombine"} <= classes["motion_onetoall.json"]


def test_relight_prompt_carries_the_trigger_phrase_then_the_description():
    payload = inject(load_template("relight_qwen.json"), {"cmfc.prompt": "Neon rim glow"}, "relight_qwen.json")
    positive = payload["111"]["inputs"]
    concat = payload[positive["prompt"][0]]
    assert concat["inputs"]["string_a"] == "参考色调，移除图1原有的光照并参考图2的光照和色调对图1重新照明"
    assert payload[concat["inputs"]["string_b"][0]]["inputs"]["value"] == "Neon rim glow"
    hero, reference = find_titled(payload, "cmfc.hero_image"), find_titled(payload, "cmfc.reference_image")
    assert positive["image2"] == [reference[0], 0]
    assert payload[positive["image1"][0]]["inputs"]["image"] == [hero[0], 0]


def test_lora_gate_removes_the_loader_and_rewires_the_sampler(object_info):
    with_lora = inject(load_template("hero_zimage.json"), values_for("hero_zimage.json"), "hero_zimage.json")
    without = bypass(with_lora, "cmfc.lora", object_info)
    assert "LoraLoaderModelOnly" not in {n["class_type"] for n in without.values()}
    assert without["3"]["inputs"]["model"] == ["16", 0]  # the sampler now reads the UNET directly
    assert "cmfc.lora_strength" not in injection_points(without)  # its primitive fed only the LoRA
    assert validate(without, object_info) == []


def test_bypass_without_definitions_uses_the_only_linked_model_input():
    template = load_template("hero_zimage.json")
    template["21"]["inputs"]["value"] = 0.5
    template["20"]["inputs"]["strength_model"] = 0.5  # now the loader has one link: its model
    assert bypass(template, "cmfc.lora")["3"]["inputs"]["model"] == ["16", 0]


def test_bypass_of_a_missing_title_is_an_error():
    with pytest.raises(CmfError, match="cannot bypass 'cmfc.lora': the workflow has no node with that title"):
        bypass(load_template("motion_wan22.json"), "cmfc.lora")


def test_missing_injection_point_names_template_and_point():
    with pytest.raises(CmfError) as caught:
        inject(load_template("motion_wan22.json"), {"cmfc.driving_video": "a.mp4", "cmfc.lora": "x"},
               "motion_wan22.json")
    assert [d.message for d in caught.value.diagnostics] == [
        "template motion_wan22.json has no node titled 'cmfc.driving_video'",
        "template motion_wan22.json has no node titled 'cmfc.lora'",
    ]
    assert caught.value.diagnostics[0].span.path == "motion_wan22.json"


def test_user_workflow_titled_like_ours_is_injected_by_title_not_id():
    user = {"7": {"class_type": "PrimitiveInt", "inputs": {"value": 1}, "_meta": {"title": "cmfc.seed (my sampler)"}}}
    assert inject(user, {"cmfc.seed": 9}, "mine.json")["7"]["inputs"]["value"] == 9


@pytest.mark.parametrize("values, message", [
    ({"cmfc.sed": 1}, "unknown injection point 'cmfc.sed'"),
    ({"cmfc.seed": "42"}, "node 22 (PrimitiveInt) titled 'cmfc.seed': expected a number, got str"),
    ({"cmfc.seed": 4.5}, "node 22 (PrimitiveInt) titled 'cmfc.seed': expected a whole number, got 4.5"),
    ({"cmfc.seed": True}, "node 22 (PrimitiveInt) titled 'cmfc.seed': expected a number, got bool"),
    ({"cmfc.prompt": 5}, "node 23 (PrimitiveStringMultiline) titled 'cmfc.prompt': expected text, got int"),
    ({"cmfc.lora_strength": float("nan")}, "expected a finite number, got nan"),
])
def test_wrong_values_are_clear_errors(values, message):
    with pytest.raises(CmfError, match=message.replace("(", r"\(").replace(")", r"\)")):
        inject(load_template("hero_zimage.json"), values, "hero_zimage.json")


def test_duplicate_and_linked_points_are_errors():
    twice = load_template("hero_zimage.json")
    twice["25"]["_meta"]["title"] = "cmfc.seed"
    with pytest.raises(CmfError, match=r"has 2 nodes titled 'cmfc.seed' \(ids 22, 25\)"):
        inject(twice, {"cmfc.seed": 1}, "hero_zimage.json")
    linked = load_template("hero_zimage.json")
    linked["3"]["_meta"]["title"] = "cmfc.output"
    linked["9"]["_meta"]["title"] = "Save Image"
    with pytest.raises(CmfError, match="node 3 \\(KSampler\\) titled 'cmfc.output' has no input 'filename_prefix'"):
        inject(linked, {"cmfc.output": "x"}, "hero_zimage.json")


def test_inject_returns_a_new_dict_and_leaves_the_template_alone():
    template = load_template("hero_zimage.json")
    before = canonical_json(template)
    inject(template, {"cmfc.seed": 7}, "hero_zimage.json")
    assert canonical_json(template) == before


def test_same_values_give_byte_identical_payloads():
    first = canonical_json(inject(load_template("motion_onetoall.json"), values_for("motion_onetoall.json"), "t"))
    second = canonical_json(inject(load_template("motion_onetoall.json"), values_for("motion_onetoall.json"), "t"))
    assert first == second
    assert first.endswith(b"}\n") and b"\n  \"" in first
    # 24 and 24.0 are one value: the fps point always carries a float.
    assert json.loads(first)["304"]["inputs"]["value"] == 24.0


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_round_trips_exactly(text, object_info):
    payload = inject(load_template("motion_wan22.json"), {"cmfc.prompt": text, "cmfc.output": text},
                     "motion_wan22.json")
    raw = canonical_json(payload)
    back = json.loads(raw.decode("utf-8"))
    assert back[find_titled(back, "cmfc.prompt")[0]]["inputs"]["value"] == text
    assert back[find_titled(back, "cmfc.output")[0]]["inputs"]["filename_prefix"] == text
    assert validate(back, object_info) == []
    assert load_workflow(raw.decode("utf-8"), "round-trip") == back


def test_load_workflow_errors_are_diagnostics(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "1": {"class_type": "KSampler",}\n}', encoding="utf-8")
    with pytest.raises(CmfError) as caught:
        load_workflow(broken, "broken.json")
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.span.path, diagnostic.span.line) == ("broken.json", 2)
    assert diagnostic.message.startswith("workflow is not valid JSON")
    with pytest.raises(CmfError, match="lack class_type/inputs"):
        load_workflow('{"1": {"inputs": {}}}', "api.json")
    with pytest.raises(CmfError, match="needs the server's node definitions"):
        load_workflow(FIXTURES / "z_image_turbo_t2i_ui.json", "z_image_turbo_t2i_ui.json")
    with pytest.raises(CmfError, match="no ComfyUI template named 'hero.json'"):
        load_template("hero.json")
