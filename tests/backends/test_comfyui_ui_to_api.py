"""UI-format (litegraph) workflows convert to the API prompt ComfyUI's frontend would queue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cmfc.backends.comfyui import load_object_info, load_workflow, ui_to_api, validate
from cmfc.diagnostics import CmfError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "comfyui"


@pytest.fixture(scope="module")
def object_info():
    return load_object_info(FIXTURES / "object_info.json")


def comparable(prompt: dict) -> dict:
    """What the server uses: class, inputs and title (the frontend's ``is_changed`` cache key aside)."""
    return {nid: {k: node[k] for k in ("class_type", "inputs", "_meta")} for nid, node in prompt.items()}


@pytest.mark.parametrize("base", ["z_image_turbo_t2i", "wan22_14b_i2v"])
def test_reference_ui_workflow_converts_to_its_recorded_api_form(base, object_info):
    converted = load_workflow(FIXTURES / f"{base}_ui.json", f"{base}_ui.json", object_info)
    recorded = json.loads((FIXTURES / f"{base}_api.json").read_text(encoding="utf-8"))
    assert comparable(converted) == comparable(recorded)
    assert validate(converted, object_info) == []


def test_bypassed_node_is_skipped_and_its_consumer_rewired(object_info):
    # z_image's ModelSamplingAuraFlow (node 11) is bypassed in the UI; the sampler reads the UNET.
    converted = load_workflow(FIXTURES / "z_image_turbo_t2i_ui.json", "z", object_info)
    assert "11" not in converted and converted["3"]["inputs"]["model"] == ["16", 0]


def test_hidden_control_widget_after_seed_is_skipped(object_info):
    converted = load_workflow(FIXTURES / "wan22_14b_i2v_ui.json", "wan", object_info)
    # widgets_values: ['enable', 99822389587980, 'randomize', 20, 3.5, ...]
    assert converted["57"]["inputs"]["noise_seed"] == 99822389587980
    assert converted["57"]["inputs"]["steps"] == 20
    assert "control_after_generate" not in converted["57"]["inputs"]
    assert converted["52"]["inputs"] == {"image": "fennec_girl_flowers.png"}  # no 'upload' button value


def node(node_id, kind, widgets=(), inputs=(), outputs=(), mode=0, title=None):
    entry = {"id": node_id, "type": kind, "mode": mode, "widgets_values": list(widgets),
             "inputs": [{"name": n, "type": t, "link": link} for n, t, link in inputs],
             "outputs": [{"name": t, "type": t, "links": links} for t, links in outputs]}
    if title:
        entry["title"] = title
    return entry


def test_reroute_and_primitive_node_resolve_like_the_frontend(object_info):
    graph = {
        "nodes": [
            node(1, "UNETLoader", ["model.safetensors", "default"], outputs=[("MODEL", [1])]),
            node(2, "Note", ["a note"]),
            node(3, "Reroute", inputs=[("", "*", 1)], outputs=[("MODEL", [2])]),
            node(4, "PrimitiveNode", [1234, "fixed"], outputs=[("INT", [3])], title="cmfc.seed"),
            node(5, "ModelSamplingAuraFlow", [3.0], inputs=[("model", "MODEL", 2)], title="cmfc.shift"),
            node(6, "KSampler", [0, "randomize", 9, 1.0, "euler", "simple", 1.0],
                 inputs=[("model", "MODEL", 4), ("seed", "INT", 3)]),
        ],
        "links": [[1, 1, 0, 3, 0, "MODEL"], [2, 3, 0, 5, 0, "MODEL"], [3, 4, 0, 6, 1, "INT"],
                  [4, 5, 0, 6, 0, "MODEL"]],
    }
    prompt = ui_to_api(graph, object_info)
    assert sorted(prompt) == ["1", "5", "6"]  # Note, Reroute and PrimitiveNode are frontend-only
    assert prompt["5"]["inputs"]["model"] == ["1", 0]
    assert prompt["6"]["inputs"]["seed"] == 1234  # the primitive's value, not a link
    assert prompt["6"]["inputs"]["steps"] == 9 and prompt["6"]["inputs"]["model"] == ["5", 0]
    assert prompt["5"]["_meta"] == {"title": "cmfc.shift"}
    assert prompt["1"]["_meta"] == {"title": "Load Diffusion Model"}  # the class's display name


def test_muted_node_is_left_out_with_the_links_to_it(object_info):
    graph = {
        "nodes": [
            node(1, "UNETLoader", ["model.safetensors", "default"], outputs=[("MODEL", [1])], mode=2),
            node(5, "ModelSamplingAuraFlow", [3.0], inputs=[("model", "MODEL", 1)]),
        ],
        "links": [[1, 1, 0, 5, 0, "MODEL"]],
    }
    assert ui_to_api(graph, object_info) == {
        "5": {"class_type": "ModelSamplingAuraFlow", "inputs": {"shift": 3.0}, "_meta": {"title": "ModelSamplingAuraFlow"}}}


def test_videohelpersuite_dict_widgets_are_read_by_name(object_info):
    widgets = {"video": "drive.mp4", "force_rate": 0, "custom_width": 0, "custom_height": 0, "frame_load_cap": 81,
               "skip_first_frames": 0, "select_every_nth": 1, "format": "Wan", "videopreview": {"hidden": False}}
    graph = {"nodes": [dict(node(1, "VHS_LoadVideo"), widgets_values=widgets)], "links": []}
    inputs = ui_to_api(graph, object_info)["1"]["inputs"]
    assert inputs["frame_load_cap"] == 81 and inputs["format"] == "Wan" and "videopreview" not in inputs


def test_unknown_class_and_subgraphs_are_clear_errors(object_info):
    graph = {"nodes": [node(1, "SuperSampler")], "links": []}
    with pytest.raises(CmfError, match="node 1: node class 'SuperSampler' is not on the server"):
        ui_to_api(graph, object_info, "mine.json")
    with pytest.raises(CmfError, match="uses subgraphs"):
        ui_to_api({"nodes": [], "links": [], "definitions": {"subgraphs": [{"id": "x"}]}}, object_info)
