"""Apply a scene template's defaults to a scene: what the scene does not say, the template supplies."""

from __future__ import annotations

from cmfc.ir.models import SceneSpec
from cmfc.ir.values import Time


def template_defaults(scene: SceneSpec, template, effects: dict) -> tuple[dict, tuple[str, ...]]:
    """The scene's data with the template's defaults filled in, and the names of the fields filled."""
    data = scene.model_dump()
    inherited: list[str] = []
    defaults = template.defaults
    # Generative motion needs a per-scene prompt or driving video, so only kenburns/none are inherited.
    if scene.motion is None and defaults.motion is not None and defaults.motion.kind in ("kenburns", "none"):
        motion = {"kind": defaults.motion.kind}
        if defaults.motion.kind == "kenburns":
            if defaults.motion.zoom is not None:
                motion["zoom"] = list(defaults.motion.zoom)
            if defaults.motion.pan is not None:
                motion["pan"] = defaults.motion.pan
        data["motion"] = motion
        inherited.append("motion")
    if scene.fit is None and defaults.fit is not None:
        data["fit"] = defaults.fit.model_dump(exclude_none=True)
        inherited.append("fit")
    if scene.light is None and defaults.light is not None:
        data["light"] = defaults.light
        inherited.append("light")
    if scene.text is not None and scene.text.placement is None and defaults.text_placement is not None:
        data["text"]["placement"] = defaults.text_placement
        inherited.append("text.placement")
    if not scene.fx and defaults.fx:
        data["fx"] = [_effect_use(use, effects.get(use.name)) for use in defaults.fx]
        inherited.append("fx")
    return data, tuple(inherited)


def _effect_use(use, effect) -> dict:
    from cmfc.ir.params import canonical_param

    def kind(name: str) -> str:
        param = effect.params.get(name) if effect is not None else None
        return param.type if param is not None else ""

    params = {name: canonical_param(kind(name), value) for name, value in use.params.items()}
    out = {"name": use.name, "params": params}
    if use.at is not None:
        out["at"] = str(Time.parse(use.at))
    return out
