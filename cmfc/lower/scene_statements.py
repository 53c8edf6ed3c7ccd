"""The scene block's vocabulary: ``line``, ``hero``, ``motion``, ``fx``, ``sfx`` and the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmfc.ir.models import FIT_MODES, HERO_KINDS, MOTION_KINDS, PANS, PLACEMENTS
from cmfc.ir.values import Level, ValueError_, parse_number, parse_range
from cmfc.lower.from_cmf import SCENE_SINGLE, Args, _int, parse_time, parse_time_range
from cmfc.syntax.tree import Statement

if TYPE_CHECKING:
    from cmfc.lower.from_cmf import _Lowering

USAGE = {
    "line": 'line "words exactly as spoken in the voice-over"',
    "subject": "subject coach",
    "hero": 'hero image "assets/stages/kitchen.png"  |  hero clip "clip.mp4"  |  hero lora "prompt"  |  hero zimage "prompt"',
    "light": "light blade_through_shadows  |  light none",
    "motion": 'motion wan22 "prompt"  |  motion onetoall "driving.mp4"  |  motion kenburns zoom 1.0..1.15 pan left  |  motion none',
    "text": 'text "FAILURE IS / A TRAP" behind_head',
    "fx": "fx glitch intensity 0.7 at 3.9s",
    "afx": "afx EFFECT-A-03 at 1s..2s",
    "sfx": 'sfx impact_boom_04 on "success"  |  sfx whoosh_01 at 1.5s',
    "fit": "fit loop  |  fit pingpong  |  fit trim  |  fit speed 0.8",
    "takes": "takes 3",
    "pick": "pick v02",
    "snap": "snap beats tolerance 120ms  |  snap onsets  |  snap off",
}


def lower_scene(lowering: "_Lowering", statement: Statement) -> None:
    """Lower ``scene ID TEMPLATE [at A..B]`` and its block into the scenes list."""
    args = Args(statement, lowering.diag, "scene SC_01 HOOK-4  (or: scene SC_02 SETUP-1 at 4.2s..9.0s)")
    scene_id, id_span = args.word("a scene id like SC_01")
    index = len(lowering.data["scenes"])
    key = ("scenes", index)
    scene: dict = {"id": scene_id}
    lowering.data["scenes"].append(scene)
    lowering.at(key, id_span)
    lowering.at(key + ("id",), id_span)
    scene["template"], template_span = args.word("a scene template like HOOK-4")
    lowering.at(key + ("template",), template_span)
    if args.keyword("at"):
        (start, end), range_span = args.value("a slot like 4.2s..9.0s", parse_time_range)
        scene["at"] = {"start": start, "end": end}
        for part in ("at", ("at", "start"), ("at", "end")):
            lowering.at(key + ((part,) if isinstance(part, str) else part), range_span)
    args.done()
    handlers = {name: _bind(handler, lowering, scene, key) for name, handler in _HANDLERS.items()}
    lowering.children(statement, handlers, "in a scene block", single=SCENE_SINGLE)


def _bind(handler, lowering, scene, key):
    return lambda child: handler(lowering, scene, key, child, Args(child, lowering.diag, USAGE[child.keyword]))


def _line(lowering, scene, key, statement, args):
    scene["line"], span = args.string("the line, in double quotes")
    args.done()
    lowering.at(key + ("line",), span)


def _subject(lowering, scene, key, statement, args):
    scene["subject"], span = args.word("a character id")
    args.done()
    lowering.at(key + ("subject",), span)


def _hero(lowering, scene, key, statement, args):
    kind, kind_span = args.choice("a hero source", HERO_KINDS)
    if kind in ("image", "clip"):
        path, span = args.string(f"the {kind}'s path")
        scene["hero"] = {"kind": kind, "path": path}
        lowering.at(key + ("hero", "path"), span)
    else:
        prompt, span = args.string("the prompt")
        scene["hero"] = {"kind": kind, "prompt": prompt}
        lowering.at(key + ("hero", "prompt"), span)
    args.done()
    lowering.at(key + ("hero",), kind_span)
    lowering.at(key + ("hero", "kind"), kind_span)


def _light(lowering, scene, key, statement, args):
    scene["light"], span = args.word("a lighting preset name")
    args.done()
    lowering.at(key + ("light",), span)


def _motion(lowering, scene, key, statement, args):
    kind, kind_span = args.choice("a motion kind", MOTION_KINDS)
    motion: dict = {"kind": kind}
    lowering.at(key + ("motion",), kind_span)
    lowering.at(key + ("motion", "kind"), kind_span)
    if kind == "wan22":
        motion["prompt"], span = args.string("the kinetic prompt")
        lowering.at(key + ("motion", "prompt"), span)
    elif kind == "onetoall":
        motion["driving"], span = args.string("the driving video's path")
        lowering.at(key + ("motion", "driving"), span)
    elif kind == "kenburns":
        while args.peek() is not None:
            option, option_span = args.choice("a Ken Burns option", ("zoom", "pan"))
            if option == "zoom":
                (start, end), span = args.value("a zoom range like 1.0..1.15",
                                                lambda text: parse_range(text, parse_number, "1.0..1.15"))
                motion["zoom"] = [float(start), float(end)]
            else:
                motion["pan"], span = args.choice("a pan direction", PANS)
            lowering.at(key + ("motion", option), span)
    args.done()
    scene["motion"] = motion


def _text(lowering, scene, key, statement, args):
    content, span = args.string("the text, in double quotes")
    scene["text"] = {"content": content}
    lowering.at(key + ("text",), span)
    lowering.at(key + ("text", "content"), span)
    if args.peek() is not None:
        scene["text"]["placement"], placement_span = args.choice("a text placement", PLACEMENTS)
        lowering.at(key + ("text", "placement"), placement_span)
    args.done()


def _effect(field: str):
    def handle(lowering, scene, key, statement, args):
        name, name_span = args.word("an effect name" if field == "fx" else "an audio effect id like EFFECT-A-03")
        uses = scene.setdefault(field, [])
        use_key = key + (field, len(uses))
        use: dict = {"name": name, "params": {}}
        lowering.at(use_key, name_span)
        lowering.at(use_key + ("name",), name_span)
        while args.peek() is not None:
            if args.keyword("at"):
                arg = args.take("a time like 3.9s, or a range like 1s..2s")
                try:
                    if ".." in arg.value:
                        use["at"], use["until"] = parse_time_range(arg.value)
                    else:
                        use["at"] = parse_time(arg.value)
                except ValueError_ as error:
                    args._fail(arg.span, f"{statement.keyword}: {error}, got {arg.raw}")
                lowering.at(use_key + ("at",), arg.span)
                lowering.at(use_key + ("until",), arg.span)
                continue
            param, param_span = args.word("a parameter name, or at TIME")
            value_arg = args.take(f"a value for {param}")
            if param in use["params"]:
                lowering.diag.error(param_span, f"{statement.keyword}: {param} is given twice")
            use["params"][param] = value_arg.value
            lowering.at(use_key + ("params", param), value_arg.span)
            lowering.at(use_key + ("params", param, "<key>"), param_span)
        uses.append(use)
    return handle


def _sfx(lowering, scene, key, statement, args):
    name, name_span = args.word("an SFX name (a file name in the sfx library, without extension)")
    cues = scene.setdefault("sfx", [])
    cue_key = key + ("sfx", len(cues))
    cue: dict = {"name": name}
    lowering.at(cue_key, name_span)
    lowering.at(cue_key + ("name",), name_span)
    where, where_span = args.choice("where the cue goes: on \"word\" or at TIME", ("on", "at"))
    if where == "on":
        cue["on"], span = args.string("the word, in double quotes")
        lowering.at(cue_key + ("on",), span)
    else:
        cue["at"], span = args.value("a time like 1.5s", parse_time)
        lowering.at(cue_key + ("at",), span)
    if args.keyword("gain"):
        gain, gain_span = args.value("a level like -3dB", Level.parse)
        cue["gain"] = str(gain)
        lowering.at(cue_key + ("gain",), gain_span)
    args.done()
    cues.append(cue)


def _fit(lowering, scene, key, statement, args):
    mode, span = args.choice("a fit policy", FIT_MODES)
    scene["fit"] = {"mode": mode}
    lowering.at(key + ("fit",), span)
    lowering.at(key + ("fit", "mode"), span)
    if mode == "speed":
        speed, speed_span = args.value("a speed factor like 0.8", parse_number)
        scene["fit"]["speed"] = float(speed)
        lowering.at(key + ("fit", "speed"), speed_span)
    args.done()


def _takes(lowering, scene, key, statement, args):
    scene["takes"], span = args.value("a number of takes like 3", _int)
    args.done()
    lowering.at(key + ("takes",), span)


def _pick(lowering, scene, key, statement, args):
    scene["pick"], span = args.word("a take like v02")
    args.done()
    lowering.at(key + ("pick",), span)


def _snap(lowering, scene, key, statement, args):
    scene["snap"] = lowering.snap(statement, key + ("snap",))


_HANDLERS = {
    "line": _line, "subject": _subject, "hero": _hero, "light": _light, "motion": _motion, "text": _text,
    "fx": _effect("fx"), "afx": _effect("afx"), "sfx": _sfx, "fit": _fit, "takes": _takes, "pick": _pick,
    "snap": _snap,
}
