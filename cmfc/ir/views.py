"""IR views: what each target reads, and nothing more, so an action's key changes only when its inputs do.

A view is a whole ``Project`` whose unused parts are reset to neutral values, so the
action can run the ordinary backend on it and the key covers exactly what it used. No
backend reads the music's facts: every view drops them (compile:ir takes them from the
``sonic:music_analysis`` action), so a view is the same whether check analysed the music or not.
"""

from __future__ import annotations

from cmfc.ir.models import Brand, Project, Scene


def scene_view(project: Project, scene: Scene, *, brand: bool, seed: bool) -> Project:
    """The project reduced to one scene, its subject, and (if asked) the brand and the seed."""
    characters = tuple(c for c in project.characters if c.id == scene.subject)
    return project.model_copy(update={
        "title": "",
        "scenes": (scene,),
        "characters": characters,
        "brand": project.brand if brand else Brand(),
        "font_family": project.font_family if brand else Project.model_fields["font_family"].default,
        "seed": project.seed if seed else 0,
        "music": None,
        "music_facts": None,
        "sfx_library": None,
        "sfx_starts": (),
        "auto_sfx": (),
    })


def timeline_view(project: Project, *, brand: bool) -> Project:
    """The project without what only generation uses (prompts, anchors, seeds): what timelines and captions read."""
    scenes = tuple(scene.model_copy(update={"hero": _hero_without_prompt(scene), "motion": _motion_without_prompt(scene)})
                   for scene in project.scenes)
    characters = tuple(c.model_copy(update={"anchor": None}) for c in project.characters)
    return project.model_copy(update={"scenes": scenes, "characters": characters, "seed": 0, "music_facts": None,
                                      "brand": project.brand if brand else Brand(),
                                      "font_family": project.font_family if brand else Project.model_fields["font_family"].default})


def _hero_without_prompt(scene: Scene):
    if scene.hero is None or scene.hero.prompt is None:
        return scene.hero
    return scene.hero.model_copy(update={"prompt": ""})


def _motion_without_prompt(scene: Scene):
    if scene.motion is None or scene.motion.prompt is None:
        return scene.motion
    return scene.motion.model_copy(update={"prompt": ""})


def skeleton_view(project: Project) -> Project:
    """Scene ids, templates, slots and takes only: what scripts that list the scenes read (render.sh)."""
    scenes = tuple(scene.model_copy(update={"line": None, "text": None, "fx": (), "afx": (), "sfx": (), "light": None,
                                            "subject": None, "hero": _hero_without_prompt(scene),
                                            "motion": _motion_without_prompt(scene), "words": None,
                                            "effects": (), "text_y": None})
                   for scene in project.scenes)
    return project.model_copy(update={"scenes": scenes, "characters": (), "seed": 0, "brand": Brand(), "title": "",
                                      "music": None, "music_facts": None, "sfx_library": None, "sfx_starts": (),
                                      "auto_sfx": (), "font_family": Project.model_fields["font_family"].default})
