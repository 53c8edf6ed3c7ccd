"""Generation actions: every take of every scene's ComfyUI chain (hero → relight → motion), run remotely.

``generate:<scene>:<stage>:vNN`` runs one compiled payload on the executor pool. A stage's output is
an input of the next stage of the same take (the executor uploads it under the name the payload's
``cmfc.hero_image`` node reads), so each take is a chain; takes are independent. The key of a stage is
its payload (the compiled JSON), the digests of the files it uploads, the executor kind and the
generator identity the servers reported (node classes and model files), never a URL or a token.

Outputs land in ``03_OUTPUT/<ID>/03_mining/<payload name>.png|mp4`` (the manual's names) with origin
``generated``; the picked take's last stage feeds the scene's render instead of the storyboard card.
A file the user put there under that name by hand (not one a build wrote) is used as ``provided``
and nothing is generated for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from cmfc.build import Action, ActionInput, FileInput, Output
from cmfc.check import Compiled
from cmfc.naming import picked_take, stage_dir

GENERATE_KIND = "generate.comfyui"
STAGE_COST = {"hero": 30.0, "relight": 30.0, "motion": 120.0}  # rough GPU seconds, for the work order only


@dataclass(frozen=True)
class TakeSource:
    """What a scene's render reads instead of its card: the picked take's last stage."""

    input: object          # ActionInput (generated) or FileInput (provided by hand)
    path: str              # project-relative path of the file
    source: str            # "image" | "clip" (SegmentRequest source kinds)
    origin: str            # "generated" | "provided"


def generation_actions(compiled: Compiled, generator: dict | None,
                       built_paths: frozenset[str] = frozenset(),
                       ingest: bool = True) -> tuple[list[Action], dict[str, TakeSource]]:
    """The generate actions (none without a generator) and, per scene, the take its render uses.

    ``generator`` maps each stage (hero, relight, motion) to the identity of the executor that runs it
    (secret-free; a stage missing from it has none: its chains are not planned, the card stays). ``built_paths`` are the outputs the last
    build wrote (from its manifest), so a file there is ours, not a hand-made ``provided`` one.
    ``ingest=False`` plans every take's stages whatever is on disk (for doctor and takes).
    """
    from cmfc.backends import EmitContext
    from cmfc.backends.comfyui.emit import scene_payloads

    project = compiled.project
    root = compiled.location.root
    ctx = EmitContext(words=tuple(compiled.words), frameworks=compiled.frameworks, root=root)
    mining = stage_dir(project.id, "mining")
    actions: list[Action] = []
    takes: dict[str, TakeSource] = {}
    for scene in project.scenes:
        chains: dict[int, list] = {}
        payloads = list(scene_payloads(project, scene, ctx))
        if not payloads:
            continue
        for stage, name, payload in payloads:
            take = _take_of(name)
            chains.setdefault(take, []).append((stage, name, payload))
        picked = min(picked_take(scene), max(chains))
        for take, chain in sorted(chains.items()):
            stage, name, _ = chain[-1]
            last_path = _take_path(mining, stage, name)
            if ingest and take == picked and (root / last_path).is_file() and last_path not in built_paths:
                # the user's own file under the conventional name: provided, nothing generated for this take
                takes[scene.id] = TakeSource(FileInput(last_path), last_path, _source(stage), "provided")
                continue
            stages = ["motion" if st.startswith("motion") else st for st, _, _ in chain]
            if generator is None or any(st not in generator for st in stages):
                continue
            previous: Action | None = None
            for stage, name, payload in chain:
                short = "motion" if stage.startswith("motion") else stage
                path = _take_path(mining, stage, name)
                inputs, uploads = _inputs(scene, payload, previous, root)
                action = Action(
                    id=f"generate:{scene.id}:{short}:v{take:02d}", kind=GENERATE_KIND,
                    params={"scene": scene.id, "stage": short, "take": f"v{take:02d}", "payload": payload,
                            "expect": "video" if short == "motion" else "image", "uploads": uploads,
                            "generator": generator[short], "seed": _seed(payload)},
                    inputs=inputs,
                    outputs=(Output("take", path, origin="generated"), Output("record")),
                    executor="comfyui", scene=scene.id, cost=STAGE_COST[short],
                )
                actions.append(action)
                previous = action
            if take == picked:
                takes[scene.id] = TakeSource(ActionInput(previous.id, "take"), previous.outputs[0].path,
                                             _source(chain[-1][0]), "generated")
    return actions, takes


def _take_path(mining, stage: str, name: str) -> str:
    return str(PurePosixPath(mining, f"{name}.{'mp4' if stage.startswith('motion') else 'png'}"))


def _source(stage: str) -> str:
    return "clip" if stage.startswith("motion") else "image"


def _take_of(name: str) -> int:
    return int(name.rsplit("_v", 1)[1])


def _inputs(scene, payload: dict, previous: Action | None, root) -> tuple[dict, dict]:
    """The action's inputs and ``uploads``: payload file name -> input name the executor uploads."""
    from cmfc.backends.comfyui.workflow import INJECTION_POINTS, find_titled

    inputs: dict = {}
    uploads: dict = {}

    def point(title: str) -> str | None:
        for node_id in find_titled(payload, title):
            value = payload[node_id]["inputs"].get(INJECTION_POINTS[title].input_name)
            if isinstance(value, str):
                return value
        return None

    hero = point("cmfc.hero_image")
    if hero is not None:
        if previous is not None:
            inputs["upload_hero"] = ActionInput(previous.id, "take")
            uploads[hero] = "upload_hero"
        elif scene.hero is not None and scene.hero.path and PurePosixPath(scene.hero.path).name == hero:
            inputs["upload_hero"] = FileInput(scene.hero.path)
            uploads[hero] = "upload_hero"
    driving = point("cmfc.driving_video")
    if driving is not None and scene.motion is not None and scene.motion.driving:
        inputs["upload_driving"] = FileInput(scene.motion.driving)
        uploads[driving] = "upload_driving"
    reference = point("cmfc.reference_image")
    if reference is not None and (root / "comfyui" / reference).is_file():
        inputs["upload_reference"] = FileInput(f"comfyui/{reference}")
        uploads[reference] = "upload_reference"
    return inputs, uploads


def _seed(payload: dict) -> int | None:
    from cmfc.backends.comfyui.workflow import find_titled

    for node_id in find_titled(payload, "cmfc.seed"):
        value = payload[node_id]["inputs"].get("value")
        if isinstance(value, int):
            return value
    return None
