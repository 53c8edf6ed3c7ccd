"""ComfyUI payloads from the IR: hero (3.1), relight (3.2), motion A/B (4.1/4.2), one file per take.

Every prompt carries the subject's anchor block verbatim (the Visual Anchor protocol);
the coach's LoRA is loaded only when the scene's subject owns it (the subject-aware
gate, §2.5); seeds derive from the project seed, the scene, the stage and the take.
A project may replace a stage template with its own workflow at
``<root>/comfyui/<template name>`` titled with the same ``cmfc.*`` points.
"""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from pathlib import Path, PurePosixPath

from cmfc.ir.models import Project, Scene
from cmfc.naming import asset_name, hero_name

from .workflow import (STAGE_TEMPLATES, bypass, canonical_json, find_titled, inject, injection_points, load_template,
                       load_workflow)

NEGATIVE_PROMPT = "studio lighting, airbrushing, morphing, cartoon, extra fingers, text, watermark"
GENERATION_WIDTH = 720  # Wan 2.x and Z-Image sizes: the project's aspect at this width, multiples of 16
WAN_FPS = 16
STAGE = "03_mining"


def units(project: Project, frameworks) -> list:
    """One action per scene that generates anything, reading that scene (and the seed, not the brand)."""
    from cmfc.backends import Unit
    from cmfc.ir.views import scene_view

    found = []
    for scene in project.scenes:
        view = scene_view(project, scene, brand=False, seed=True)
        files = payload_names(view, scene, frameworks)
        if files:
            found.append(Unit(f"comfyui:{scene.id}", view, tuple(sorted(files)), scene.id, reads=("comfyui_overrides",)))
    return found


def emit(project: Project, ctx) -> dict[str, bytes]:
    """``comfyui/<name>.json`` for every generation a scene needs, per take."""
    files: dict[str, bytes] = {}
    for scene in project.scenes:
        for stage, payload_name, payload in scene_payloads(project, scene, ctx):
            files[f"comfyui/{payload_name}.json"] = canonical_json(payload)
    return files


def payload_names(project: Project, scene: Scene, frameworks) -> list[str]:
    """The file names ``emit`` writes for ``scene`` (cheap: decides stages without building payloads)."""
    return [f"comfyui/{name}.json" for _, name, _ in _stages(project, scene, frameworks)]


def _stages(project: Project, scene: Scene, frameworks):
    """(stage, payload name, take) for each generation the scene needs, from its resolved ``stages``."""
    for take in range(1, scene.takes + 1):
        for stage in scene.stages:
            if stage == "hero":
                yield "hero", f"{project.id}_{scene.id}_HERO_v{take:02d}", take
            elif stage == "relight":
                yield "relight", f"{project.id}_{scene.id}_HERO_LIT_v{take:02d}", take
            else:
                yield stage, Path(asset_name(project.id, scene.id, scene.role, "RAW", take, "mp4")).stem, take


def derive_seed(project_seed: int, scene_id: str, stage: str, take: int) -> int:
    """A stable seed per (project seed, scene, stage, take), below 2**53 so JSON keeps it exact."""
    digest = hashlib.sha256(f"{project_seed}/{scene_id}/{stage}/{take}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % (2**53)


def generation_size(project: Project) -> tuple[int, int]:
    """The project's aspect ratio at GENERATION_WIDTH, rounded to multiples of 16."""
    width = min(GENERATION_WIDTH, project.format.width)
    height = round(project.format.height * width / project.format.width / 16) * 16
    return width - width % 16, max(16, height)


def wan_length(frames: int, fps: int) -> int:
    """Frames Wan must generate to cover ``frames`` at the project fps, as 4n+1 at WAN_FPS."""
    needed = -(-frames * WAN_FPS // fps)
    return max(5, -(-(needed - 1) // 4) * 4 + 1)


def _anchored(project: Project, scene: Scene, text: str) -> str:
    character = project.character(scene.subject) if scene.subject else None
    if character is not None and character.anchor:
        return f"{character.anchor}. {text}"
    return text


def _lit(prompt: str, lighting: str | None) -> str:
    """A LoRA hero's prompt with its lighting phrase (path B lights in the prompt, not by relighting)."""
    if not lighting:
        return prompt
    return f"{prompt.rstrip().rstrip('.')}. {lighting}" if prompt.strip() else lighting


def scene_payloads(project: Project, scene: Scene, ctx):
    """(stage, payload name, payload) for each generation the scene needs."""
    frameworks = ctx.frameworks
    width, height = generation_size(project)
    character = project.character(scene.subject) if scene.subject else None
    generated_hero = "hero" in scene.stages
    preset = frameworks.lighting.get(scene.light) if scene.light else None
    relit = "relight" in scene.stages
    for stage, name, take in _stages(project, scene, frameworks):
        numbered = take if scene.takes > 1 else None
        hero_file = hero_name(project.id, scene.id, take=numbered)
        if stage == "hero":
            workflow = _template(ctx, "hero")
            lora = character.lora if (scene.hero.kind == "lora" and character is not None) else None
            values = {
                "cmfc.prompt": _lit(_anchored(project, scene, scene.hero.prompt or ""), scene.hero_lighting),
                "cmfc.negative": NEGATIVE_PROMPT,
                "cmfc.seed": derive_seed(project.seed, scene.id, "hero", take),
                "cmfc.width": width, "cmfc.height": height,
                "cmfc.output": Path(hero_file).stem,
            }
            if lora is not None:
                values["cmfc.lora"] = PurePosixPath(lora.path).name
                values["cmfc.lora_strength"] = float(lora.strength)
                payload = inject(workflow, values, STAGE_TEMPLATES["hero"])
            else:
                if find_titled(workflow, "cmfc.lora"):  # a project's own workflow may have no LoRA node
                    workflow = bypass(workflow, "cmfc.lora", _object_info())
                payload = _inject_available(workflow, values, "hero", own=_is_own(ctx, "hero"))
        elif stage == "relight":
            source = hero_file if generated_hero else PurePosixPath(scene.hero.path).name
            values = {
                "cmfc.prompt": preset.english,
                "cmfc.seed": derive_seed(project.seed, scene.id, "relight", take),
                "cmfc.hero_image": source,
                "cmfc.reference_image": preset.reference_image,
                "cmfc.lora": preset.lora,
                "cmfc.lora_strength": float(preset.lora_strength),
                "cmfc.output": Path(hero_name(project.id, scene.id, lit=True, take=numbered)).stem,
            }
            payload = _inject_available(_template(ctx, "relight"), values, "relight", own=_is_own(ctx, "relight"))
        else:
            if relit:
                start_image = hero_name(project.id, scene.id, lit=True, take=numbered)
            elif generated_hero or not (scene.hero and scene.hero.path):
                start_image = hero_file
            else:
                start_image = PurePosixPath(scene.hero.path).name
            values = {
                "cmfc.seed": derive_seed(project.seed, scene.id, stage, take),
                "cmfc.width": width, "cmfc.height": height,
                "cmfc.length": wan_length(scene.slot.length, project.format.fps),
                "cmfc.fps": float(WAN_FPS),
                "cmfc.hero_image": start_image,
                "cmfc.negative": NEGATIVE_PROMPT,
                "cmfc.output": name,
            }
            if stage == "motion_wan22":
                values["cmfc.prompt"] = _anchored(project, scene, scene.motion.prompt or "")
            else:
                values["cmfc.driving_video"] = PurePosixPath(scene.motion.driving).name
                values["cmfc.prompt"] = _anchored(project, scene, scene.hero.prompt if scene.hero and scene.hero.prompt
                                                  else "")
            payload = _inject_available(_template(ctx, stage), values, stage, own=_is_own(ctx, stage))
        yield stage, name, payload


# The points every workflow must offer, ours or a project's own: the output's name and the chain's input.
REQUIRED_POINTS = {"cmfc.output", "cmfc.hero_image", "cmfc.driving_video"}


def _inject_available(workflow: dict, values: dict, stage: str, own: bool = False) -> dict:
    """Inject the values the workflow has points for (a user's workflow may omit optional ones like negative).

    A project's own workflow (``own``) may omit any point but those in REQUIRED_POINTS: e.g. a relight
    without a LoRA or reference image, a hero with no prompt at all.
    """
    points = set(injection_points(workflow))
    optional = set(values) - REQUIRED_POINTS if own else {"cmfc.negative", "cmfc.fps", "cmfc.lora_strength"}
    chosen = {k: v for k, v in values.items() if k in points or k not in optional}
    return inject(workflow, chosen, STAGE_TEMPLATES[stage])


def _is_own(ctx, stage: str) -> bool:
    """Whether the project replaces this stage's template with its own ``comfyui/<template name>``."""
    return (Path(ctx.root) / "comfyui" / STAGE_TEMPLATES[stage]).is_file()


def _template(ctx, stage: str) -> dict:
    name = STAGE_TEMPLATES[stage]
    override = Path(ctx.root) / "comfyui" / name
    if override.is_file():
        return load_workflow(override, f"comfyui/{name}", _object_info())
    return load_template(name)


@functools.lru_cache(maxsize=1)
def _object_info() -> dict:
    """The recorded node definitions shipped with the templates (for bypass and UI conversion)."""
    import json

    text = resources.files("cmfc.templates").joinpath("comfyui", "object_info.json").read_text(encoding="utf-8")
    return json.loads(text)

