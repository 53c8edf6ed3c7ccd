"""The built-in frameworks load, hold what the manual names, and bad framework files get positioned errors."""

import shutil
import textwrap
from pathlib import Path

import pytest

from cmfc.diagnostics import CmfError, read_source_lines, render
from cmfc.frameworks import builtin_dir, load_frameworks
from cmfc.frameworks import load as load_module
from cmfc.frameworks.models import FAMILIES, TRIGGER_PHRASE

VISUAL_EFFECTS = {
    "motion": ["shake", "zoom_punch", "drift", "rotate_wobble", "speed_ramp", "handheld"],
    "color": ["glitch", "crt", "grain", "glow", "blur", "flash", "grade_noir", "grade_warm",
              "grade_teal_orange", "vignette", "light_leak"],
    "transition": ["hard_cut", "crossfade", "whip_pan", "zoom_through", "glitch_cut", "dip_to_black"],
}
ARCS = ["the_rally", "ticking_clock", "slow_burn", "the_drop", "heartbeat", "descent_and_rise", "the_confession",
        "victory_lap", "tension_release", "the_awakening", "pressure_cooker", "quiet_storm"]


@pytest.fixture(scope="module")
def builtin():
    return load_frameworks()


def rendered_errors(folder: Path) -> str:
    with pytest.raises(CmfError) as caught:
        load_frameworks(folder)
    diagnostics = caught.value.diagnostics
    sources = read_source_lines(d.span.path for d in diagnostics)
    return "\n".join(render(d, sources) for d in diagnostics) + "\n"


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_builtins_hold_every_family_arc_and_effect(builtin):
    assert {t.family for t in builtin.templates.values()} == set(FAMILIES)
    for family, count in [("HOOK", 4), ("SETUP", 3), ("CONFLICT", 3), ("TURN", 2), ("EPIPHANY", 2),
                          ("PAYOFF", 2), ("CTA", 2)]:
        assert {f"{family}-{n}" for n in range(1, count + 1)} <= set(builtin.templates)
    assert sorted(builtin.arcs) == sorted(ARCS)
    by_category = {c: [e.name for e in builtin.effects.values() if e.category == c] for c in VISUAL_EFFECTS}
    assert {c: sorted(names) for c, names in by_category.items()} == {c: sorted(n) for c, n in VISUAL_EFFECTS.items()}
    ids = sorted(e.id for e in builtin.effects.values())
    assert ids == [f"EFFECT-V-{n:02d}" for n in range(1, 24)]


def test_every_arc_curve_is_a_valid_distinct_shape(builtin):
    curves = set()
    for arc in builtin.arcs.values():
        positions = [p for p, _ in arc.energy]
        assert positions[0] == 0 and positions[-1] == 1
        assert all(a < b for a, b in zip(positions, positions[1:]))
        assert all(0 <= level <= 1 for _, level in arc.energy)
        assert arc.duck_db < 0 and arc.impacts.bass_dip_db < 0
        # the climax lands where the curve is near its top
        assert arc.level_at(arc.payoff_at) >= max(level for _, level in arc.energy) - 0.05, arc.name
        curves.add(arc.energy)
    assert len(curves) == 12
    assert builtin.arcs["ticking_clock"].bpm[0] >= 110 and builtin.arcs["ticking_clock"].bpm[1] <= 130
    rally = builtin.arcs["the_rally"]
    assert rally.level_at(0.4) < rally.level_at(0) < rally.level_at(0.8) == 1.0


def test_lighting_presets_carry_the_manual_trigger_phrase(builtin):
    expected = {"noir", "neon_rim_glow", "golden_hour_wrap", "blade_through_shadows", "cold_morning",
                "candle_warmth", "overcast_soft", "red_alert"}
    assert expected <= set(builtin.lighting)
    blade = builtin.lighting["blade_through_shadows"]
    assert blade.reference_image == "blade_through_shadows_ref.jpg"
    assert blade.relight_prompt.startswith(TRIGGER_PHRASE + " [Blade")
    for preset in builtin.lighting.values():
        assert preset.trigger_phrase == TRIGGER_PHRASE
        assert 0.75 <= preset.lora_strength <= 0.85


def test_effect_params_have_the_documented_defaults(builtin):
    glitch = builtin.effects["glitch"]
    assert glitch.defaults() == {"intensity": 0.5, "duration": "0.3s", "blocks": 12}
    assert builtin.effects["zoom_punch"].params["scale"].default == 1.12
    assert builtin.effects["flash"].params["color"].default == "#FFFFFF"
    assert [p.message for p in glitch.check_params({"intensity": 1.5, "duration": "fast"})] == [
        'glitch duration: expected a time like 0.3s or 500ms, got "fast"',
        "glitch intensity: must be at most 1, got 1.5",
    ]


def test_loading_is_cached_and_the_digest_is_stable(builtin):
    assert load_frameworks() is builtin
    assert len(builtin.source_digest) == 64


def test_template_defaults_parse(builtin):
    hook = builtin.templates["HOOK-4"]
    assert (hook.role, hook.defaults.light, hook.defaults.text_placement) == ("ICON", "blade_through_shadows",
                                                                              "behind_head")
    setup = builtin.templates["SETUP-1"].defaults.motion
    assert (setup.kind, setup.zoom, setup.pan) == ("kenburns", (1.0, 1.15), "right")
    fit = builtin.templates["CONFLICT-1"].defaults.fit
    assert (fit.mode, fit.speed) == ("speed", 0.8)


def test_a_project_adds_a_template_with_its_own_light(tmp_path, builtin):
    project = tmp_path / "frameworks"
    write(project, "lighting.yaml", """\
        presets:
          - name: studio_white
            description: Flat white studio light.
            reference_image: studio_white_ref.png
            trigger_phrase: 参考色调，移除图1原有的光照并参考图2的光照和色调对图1重新照明
            english: "[Studio White]"
            lora: SeedVR2_lighting.safetensors
            lora_strength: 0.8
            mood: clean
        """)
    write(project, "scene_templates.yaml", """\
        templates:
          - id: HOOK-5
            family: hook
            description: Our own hook.
            role: CROLL
            defaults: {light: studio_white, fx: [{name: glitch, params: {intensity: 0.9}, at: 1s}]}
          - id: HOOK-4
            family: hook
            description: Our HOOK-4 replaces the built-in one.
            role: PERF
        """)
    merged = load_frameworks(project)
    assert merged.templates["HOOK-5"].defaults.fx[0].params == {"intensity": 0.9}
    assert merged.templates["HOOK-4"].role == "PERF"
    assert "HOOK-1" in merged.templates and "studio_white" in merged.lighting
    assert merged.source_digest != builtin.source_digest
    assert load_frameworks(project).source_digest == merged.source_digest
    assert load_frameworks(tmp_path / "missing") is builtin


BROKEN_ARCS = """\
arcs:
  - name: my_arc
    description: A test arc.
    bmp: [100, 120]
    energy: [[0, 0.2], [0.5, high], [1, 0.4]]
    payoff_at: 1.5
    impacts: {on: [payof], bass_dip_db: -3}
"""

BROKEN_ARCS_GOLDEN = """\
frameworks/sonic_arcs.yaml:2:5: error: arcs, item 1: missing field "bpm"
    2 |   - name: my_arc
      |     ^^^^^^^^^^^^
frameworks/sonic_arcs.yaml:4:5: error: unknown field "bmp"
    4 |     bmp: [100, 120]
      |     ^^^
  hint: did you mean bpm?
frameworks/sonic_arcs.yaml:5:30: error: energy, item 2 (value 2): expected a number, got "high"
    5 |     energy: [[0, 0.2], [0.5, high], [1, 0.4]]
      |                              ^^^^
frameworks/sonic_arcs.yaml:6:16: error: payoff_at: must be at most 1.0, got 1.5
    6 |     payoff_at: 1.5
      |                ^^^
frameworks/sonic_arcs.yaml:7:20: error: on, item 1: expected one of hook, setup, conflict, turn, epiphany, \
payoff, cta, downbeats, got "payof"
    7 |     impacts: {on: [payof], bass_dip_db: -3}
      |                    ^^^^^
  hint: did you mean payoff?
"""


def test_a_broken_arc_file_gets_positioned_plain_errors(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(Path("frameworks"), "sonic_arcs.yaml", BROKEN_ARCS)
    assert rendered_errors(Path("frameworks")) == BROKEN_ARCS_GOLDEN


BROKEN_TEMPLATE_GOLDEN = """\
frameworks/scene_templates.yaml:6:23: error: HOOK-9: unknown lighting preset noire
    6 |     defaults: {light: noire, fx: [{name: glich}, {name: glitch, params: {duraton: 1s}}]}
      |                       ^^^^^
  hint: did you mean noir?
frameworks/scene_templates.yaml:6:42: error: HOOK-9: unknown effect glich
    6 |     defaults: {light: noire, fx: [{name: glich}, {name: glitch, params: {duraton: 1s}}]}
      |                                          ^^^^^
  hint: did you mean glitch?
frameworks/scene_templates.yaml:6:74: error: HOOK-9: glitch has no parameter "duraton" (it has: blocks, \
duration, intensity)
    6 |     defaults: {light: noire, fx: [{name: glich}, {name: glitch, params: {duraton: 1s}}]}
      |                                                                          ^^^^^^^
  hint: did you mean duration?
"""


def test_a_template_naming_unknown_lights_and_effects_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(Path("frameworks"), "scene_templates.yaml", """\
        templates:
          - id: HOOK-9
            family: hook
            description: Broken.
            role: ICON
            defaults: {light: noire, fx: [{name: glich}, {name: glitch, params: {duraton: 1s}}]}
        """)
    assert rendered_errors(Path("frameworks")) == BROKEN_TEMPLATE_GOLDEN


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("lightning.yaml", "presets: []\n", "unknown framework file lightning.yaml"),
        ("scene_templates.yaml", "templates:\n  - id: HOOK4\n    family: hook\n    description: x\n    role: ICON\n",
         'id: "HOOK4" must be HOOK-<number> for family hook, like HOOK-1'),
        ("effects.yaml", "effects:\n  - {id: EFFECT-A-01, name: x, category: voice, description: x, timing: span}\n",
         "effects.yaml holds EFFECT-V-NN effects, not EFFECT-A-01"),
        ("effects.yaml",
         "effects:\n  - {id: EFFECT-V-30, name: pop, category: color, description: x, timing: instant}\n",
         "effects, item 1: pop is instant, so it needs a duration parameter of type time"),
        ("sonic_arcs.yaml", "arcs:\n  - {name: x, description: x, bpm: [90, 100], energy: [[0, 0], [0.5, 1]],"
         " payoff_at: 0.5, impacts: {on: [payoff]}}\n",
         "energy: the curve must start at position 0 and end at position 1"),
        ("sonic_arcs.yaml", "arcs: [\n", "could not read YAML: did not find expected node content"),
    ],
)
def test_framework_mistakes_are_named(tmp_path, name, text, expected):
    write(tmp_path, name, text)
    with pytest.raises(CmfError) as caught:
        load_frameworks(tmp_path)
    assert [d.message for d in caught.value.diagnostics] == [expected]


def test_missing_audio_effects_file_is_an_empty_table(tmp_path, monkeypatch):
    copy = tmp_path / "builtin"
    shutil.copytree(builtin_dir(), copy, ignore=shutil.ignore_patterns("audio_effects.yaml", "__*"))
    monkeypatch.setattr(load_module, "builtin_dir", lambda: copy)
    load_module._builtin_tables.cache_clear()
    load_module._builtin_frameworks.cache_clear()
    try:
        assert load_frameworks().audio_effects == {}
    finally:
        load_module._builtin_tables.cache_clear()
        load_module._builtin_frameworks.cache_clear()


GLITCH_OVERRIDE = """\
effects:
  - id: EFFECT-V-07
    name: glitch
    category: color
    timing: instant
    description: A longer, harder glitch for this project.
    params:
      intensity: {type: float, default: 0.9, min: 0, max: 1, description: How broken the picture gets.}
      duration: {type: time, default: "0.5s", min: 0.04, max: 5, description: How long the glitch lasts.}
      blocks: {type: int, default: 12, min: 1, max: 64, description: Number of displaced blocks per frame.}
"""


def test_a_project_effect_default_reaches_the_local_render_as_well_as_natron(tiny):
    """frameworks/effects.yaml changes glitch's defaults: the render segment's params and key change with
    Natron's keys (the renderer reads the resolved effect, not a catalogue of its own)."""
    from cmfc.build.keys import action_key
    from cmfc.check import load
    from cmfc.compile import compile_targets
    from cmfc.plan import PlanOptions, plan_project

    scenes = "\nscene SC_01 HOOK-1 at 0s..2.5s\n  fx glitch at 0.5s\n\nscene SC_02 SETUP-1 at 2.5s..5s\n"
    spec = str(tiny.write(scenes))

    def build(compiled):
        render = next(a for a in plan_project(compiled, PlanOptions(targets=())) if a.id == "render:SC_01")
        glitch, = render.params["request"]["effects"]
        natron = compile_targets(compiled, ["natron"])["natron/PROJ_T_SC_01.ntp"]
        return glitch, action_key(render, "v", {}), natron

    before = build(load(spec, defer_music=True))
    write(tiny.root / "frameworks", "effects.yaml", GLITCH_OVERRIDE)
    after = build(load(spec, defer_music=True))
    assert (before[0]["params"]["intensity"], before[0]["end"] - before[0]["start"]) == (0.5, 7)
    assert (after[0]["params"]["intensity"], after[0]["end"] - after[0]["start"]) == (0.9, 12)
    assert after[1] != before[1]
    assert after[2] != before[2]
