"""The offline validator makes ComfyUI's validate_prompt checks (file names aside)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from cmfc.backends.comfyui import file_inputs, load_object_info, load_workflow, validate

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "comfyui"
REFERENCE_API = sorted(p.name for p in FIXTURES.glob("*_api.json"))


@pytest.fixture(scope="module")
def object_info():
    return load_object_info(FIXTURES / "object_info.json")


def reference(name: str) -> dict:
    return load_workflow(FIXTURES / name, name)


@pytest.mark.parametrize("name", REFERENCE_API)
def test_every_reference_workflow_passes(name, object_info):
    # VALIDATION.md: the real server accepted all six once the files existed.
    assert validate(reference(name), object_info) == []


def test_model_and_upload_names_are_listed_not_checked(object_info):
    found = file_inputs(reference("z_image_turbo_t2i_api.json"), object_info)
    assert [(f.class_type, f.input_name, f.value, f.kind) for f in found] == [
        ("UNETLoader", "unet_name", "z_image_turbo_bf16.safetensors", "model"),
        ("VAELoader", "vae_name", "ae.safetensors", "model"),
        ("CLIPLoader", "clip_name", "qwen_3_4b.safetensors", "model"),
    ]
    kinds = {(f.class_type, f.kind) for f in file_inputs(reference("wan21_onetoall_animation_api.json"), object_info)}
    assert ("VHS_LoadVideo", "input") in kinds and ("LoadImage", "input") in kinds
    assert ("WanVideoModelLoader", "model") in kinds and ("OnnxDetectionModelLoader", "model") in kinds


def mutated(change) -> dict:
    payload = copy.deepcopy(reference("z_image_turbo_t2i_api.json"))
    change(payload)
    return payload


@pytest.mark.parametrize("change, expected", [
    (lambda p: p["3"]["inputs"].pop("cfg"),
     "node 3 (KSampler): required input 'cfg' is missing [required_input_missing]"),
    (lambda p: p["3"]["inputs"].update(steps=0),
     "node 3 (KSampler): input 'steps' value 0 is smaller than min of 1 [value_smaller_than_min]"),
    (lambda p: p["3"]["inputs"].update(denoise=1.5),
     "node 3 (KSampler): input 'denoise' value 1.5 is bigger than max of 1.0 [value_bigger_than_max]"),
    (lambda p: p["3"]["inputs"].update(steps="nine"),
     "node 3 (KSampler): input 'steps' value 'nine' cannot be converted to INT [invalid_input_type]"),
    (lambda p: p["6"]["inputs"].update(clip=["999", 0]),
     "node 6 (CLIPTextEncode): input 'clip' links to node '999', which does not exist "
     "[exception_during_inner_validation]"),
    (lambda p: p["6"]["inputs"].update(clip=["16", 0]),
     "node 6 (CLIPTextEncode): input 'clip' expects CLIP but node 16 (UNETLoader) output 0 is MODEL "
     "[return_type_mismatch]"),
    (lambda p: p["6"]["inputs"].update(clip=["18", 3]),
     "node 6 (CLIPTextEncode): input 'clip' links to output 3 of node 18 (CLIPLoader), which has 1 output(s) "
     "[exception_during_inner_validation]"),
    (lambda p: p["6"]["inputs"].update(clip=["18", 0, 1]),
     "node 6 (CLIPTextEncode): input 'clip' is a bad link ['18', 0, 1], expected [node_id, slot] [bad_linked_input]"),
])
def test_broken_payload_names_node_input_and_reason(change, expected, object_info):
    assert validate(mutated(change), object_info) == [expected]


def test_bad_combo_value_names_the_list_and_a_near_miss(object_info):
    problems = validate(mutated(lambda p: p["3"]["inputs"].update(sampler_name="eulr")), object_info)
    assert problems == ["node 3 (KSampler): input 'sampler_name' value 'eulr' not in (list of length 44); "
                        "did you mean euler? [value_not_in_list]"]


def test_short_combo_lists_are_spelled_out(object_info):
    problems = validate(mutated(lambda p: p["18"]["inputs"].update(device="gpu")), object_info)
    assert problems == ["node 18 (CLIPLoader): input 'device' value 'gpu' not in ['default', 'cpu']; did you mean cpu? [value_not_in_list]"]


def test_unknown_class_is_reported_with_a_suggestion(object_info):
    problems = validate(mutated(lambda p: p["8"].update(class_type="VAEDecod")), object_info)
    assert problems == ["node 8: unknown node class 'VAEDecod' (not on the recorded server); did you mean VAEDecode? "
                        "[invalid_prompt]"]


def test_payload_without_output_node_fails(object_info):
    problems = validate(mutated(lambda p: p.pop("9")), object_info)
    assert problems == ["payload has no output node (SaveImage, SaveVideo, VHS_VideoCombine, ...) [prompt_no_outputs]"]


def test_like_the_server_it_ignores_unknown_inputs_and_unreachable_nodes(object_info):
    def change(p):
        p["3"]["inputs"]["not_an_input"] = "whatever"
        p["50"] = {"class_type": "EmptySD3LatentImage", "inputs": {"width": 1}, "_meta": {"title": "dangling"}}
    assert validate(mutated(change), object_info) == []


def test_errors_in_every_branch_are_collected(object_info):
    def change(p):
        p["3"]["inputs"]["steps"] = 0
        p["13"]["inputs"]["width"] = 8
        p["99"] = {"class_type": "PreviewImage", "inputs": {"images": ["8", 5]}}
    problems = validate(mutated(change), object_info)
    assert [p.split(" [")[-1] for p in problems] == [
        "value_smaller_than_min]", "value_smaller_than_min]", "exception_during_inner_validation]"]
    assert problems[0].startswith("node 3 ") and problems[1].startswith("node 13 ") and problems[2].startswith("node 99 ")


def test_combo_output_links_into_a_matching_combo_input(object_info):
    # WanVideoScheduler's output 3 is the scheduler list itself; the reference links it into the sampler.
    payload = reference("wan21_onetoall_animation_api.json")
    assert payload["27"]["inputs"]["scheduler"] == ["231", 3]
    payload["27"]["inputs"]["scheduler"] = ["231", 0]
    assert validate(payload, object_info) == [
        "node 27 (WanVideoSampler): input 'scheduler' expects a COMBO but node 231 (WanVideoScheduler) output 0 "
        "is SIGMAS [return_type_mismatch]"]


def test_recorded_definitions_are_verbatim_from_the_server(object_info):
    # The reduced file is cut from the full recording; spot-check facts VALIDATION.md states.
    assert object_info["PoseDetectionOneToAllAnimation"]["output_name"][1] == "ref_pose_image"
    assert "vace_model" not in object_info["WanVideoModelLoader"]["input"].get("optional", {})
    assert json.loads((FIXTURES / "object_info.json").read_text(encoding="utf-8")) == object_info
