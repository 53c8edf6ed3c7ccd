"""Hypothesis strategies for the IR: random valid ProjectSpecs, and ones a tiny test project accepts.

``project_specs()`` covers every construct the script form can express, with hostile
strings (quotes, backslashes, newlines, tabs, RTL, emoji, combining marks) wherever the
language takes a string. ``tiny_project_specs()`` only uses names the built-in
frameworks define and files ``TinyProject`` creates, so ``cmfc check`` accepts them.
"""

from __future__ import annotations

import functools
import string

from hypothesis import strategies as st

from cmfc.ir.models import (
    FIT_MODES, PANS, PLACEMENTS, Brand, Character, EffectUse, Fit, Format, Hero, Lora, Motion, Music, ProjectSpec,
    SceneSpec, SfxCue, SfxTrigger, Slot, Snap, Text, Voice,
)
from cmfc.ir.values import Color, Level, Loudness, Time

# Strings people actually paste into scripts, and the ones that break naive escaping.
SPECIAL_PIECES = ['"', "\\", '\\"', "\n", "\t", "\r\n", "  ", "#", "# not a comment", "#FFD400", "..", "at",
                  "שָׁלוֹם", "مرحبا", "😀", "👩‍👧", "e\u0301", "\u200f", "…", "—", "'"]

# Characters that known bugs trip over (see test_roundtrip_properties.py): YAML folds a raw NEL,
# and ``cmfc fmt`` splits lines where str.splitlines does, so these inside a string move comments.
YAML_LINE_BREAK_BUG = ""  # fixed: kept so callers still read
# The messy-script generator below cuts lines with str.splitlines and str.split, which treat these as
# line breaks or spaces; they are covered by the targeted fmt tests instead.
FORMATTER_LINE_BREAK_BUG = "\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"
# Legal raw in JSON strings, refused raw by the YAML reader that reads JSON blueprints.
JSON_RAW_CONTROL_BUG = ""


@functools.cache
def texts(min_size: int = 0, max_size: int = 24, exclude: str = "", bmp_only: bool = False) -> st.SearchStrategy[str]:
    """Any NUL-free, surrogate-free text, biased towards quoting and Unicode trouble."""
    banned = "\x00" + exclude
    chars = st.characters(exclude_categories=("Cs",), exclude_characters=banned,
                          max_codepoint=0xFFFF if bmp_only else None)
    pieces = [p for p in SPECIAL_PIECES
              if not any(c in p for c in banned) and (not bmp_only or max(map(ord, p)) <= 0xFFFF)]
    mixed = st.lists(st.one_of(st.sampled_from(pieces), st.text(chars, max_size=4)), max_size=6).map("".join)
    return st.one_of(st.text(chars, min_size=min_size, max_size=max_size), mixed).filter(
        lambda s: min_size <= len(s))


@functools.cache
def names() -> st.SearchStrategy[str]:
    """A name as the language spells it: ``^[A-Za-z][A-Za-z0-9_-]*$``."""
    return st.from_regex(r"\A[A-Za-z][A-Za-z0-9_\-]{0,11}\Z")


@functools.cache
def param_names() -> st.SearchStrategy[str]:
    """An effect parameter name (``at`` introduces the effect's time, so it cannot be a parameter)."""
    return names().filter(lambda name: name != "at")


@functools.cache
def times() -> st.SearchStrategy[Time]:
    """A time in every spelling: seconds, milliseconds, m:ss.ff, h:mm:ss, frames."""
    decimals = st.integers(0, 4).flatmap(lambda places: st.integers(0, 10 ** (places + 4)).map(
        lambda n: f"{n // 10 ** places}.{n % 10 ** places:0{places}d}" if places else str(n)))
    clock = st.tuples(st.integers(0, 3), st.integers(0, 59), st.integers(0, 59), st.integers(0, 99)).map(
        lambda t: f"{t[0]}:{t[1]:02d}:{t[2]:02d}.{t[3]:02d}" if t[0] else f"{t[1]}:{t[2]:02d}.{t[3]:02d}")
    spelled = st.one_of(decimals.map(lambda d: d + "s"), decimals.map(lambda d: d + "ms"), clock,
                        st.integers(0, 100_000).map(lambda n: f"{n}f"))
    return spelled.map(Time.parse)


@functools.cache
def levels() -> st.SearchStrategy[Level]:
    return st.tuples(st.sampled_from(["", "-", "+"]), st.integers(0, 60), st.sampled_from(["", ".5", ".25", ".0"])) \
        .map(lambda t: Level.parse(f"{t[0]}{t[1]}{t[2]}dB"))


@functools.cache
def loudnesses() -> st.SearchStrategy[Loudness]:
    return st.tuples(st.sampled_from(["", "-"]), st.integers(0, 40), st.sampled_from(["", ".5", ".0"])) \
        .map(lambda t: Loudness.parse(f"{t[0]}{t[1]}{t[2]}LUFS"))


@functools.cache
def colors() -> st.SearchStrategy[Color]:
    return st.text(string.hexdigits, min_size=6, max_size=6).map(lambda h: Color.parse("#" + h))


def finite_floats(low: float | None = None, high: float | None = None, **kwargs) -> st.SearchStrategy[float]:
    return st.floats(low, high, allow_nan=False, allow_infinity=False, **kwargs)


@functools.cache
def snaps() -> st.SearchStrategy[Snap]:
    return st.builds(Snap, mode=st.sampled_from(["beats", "onsets", "off"]),
                     tolerance=st.one_of(st.just(Time.parse("120ms")), times()))


@functools.cache
def param_values(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A parameter value: a number, a time, a colour, or any text (quoted when it is not one word).

    ``#`` plus six characters is written bare by emit_cmf and reads back as a colour or a comment
    (a known bug, tested on its own), so other texts of that shape are left out here.
    """
    numbers = finite_floats(-1e6, 1e6).map(repr)
    return st.one_of(numbers, times().map(str), colors().map(str), st.sampled_from(["true", "left", "ease_in"]),
                     text.filter(lambda v: not (len(v) == 7 and v.startswith("#"))))


@functools.cache
def effect_uses(effect_names: st.SearchStrategy[str], text: st.SearchStrategy[str]) -> st.SearchStrategy[EffectUse]:
    """An fx/afx use with parameters and, optionally, ``at TIME`` or ``at START..END``."""
    timing = st.one_of(st.just((None, None)), st.tuples(times(), st.none()), st.tuples(times(), times()))
    return st.builds(lambda name, params, when: EffectUse(name=name, params=params, at=when[0], until=when[1]),
                     effect_names, st.dictionaries(param_names(), param_values(text), max_size=3), timing)


@functools.cache
def heroes(text: st.SearchStrategy[str]) -> st.SearchStrategy[Hero]:
    paths = text.filter(bool)
    return st.one_of(st.builds(Hero, kind=st.sampled_from(["image", "clip"]), path=paths),
                     st.builds(Hero, kind=st.sampled_from(["lora", "zimage"]), prompt=text))


@functools.cache
def motions(text: st.SearchStrategy[str]) -> st.SearchStrategy[Motion]:
    zoom = st.tuples(finite_floats(), finite_floats())
    return st.one_of(
        st.builds(Motion, kind=st.just("wan22"), prompt=text),
        st.builds(Motion, kind=st.just("onetoall"), driving=text.filter(bool)),
        st.builds(Motion, kind=st.just("kenburns"), zoom=st.none() | zoom, pan=st.none() | st.sampled_from(PANS)),
        st.just(Motion(kind="none")),
    )


@functools.cache
def fits() -> st.SearchStrategy[Fit]:
    return st.one_of(st.builds(Fit, mode=st.sampled_from([m for m in FIT_MODES if m != "speed"])),
                     st.builds(Fit, mode=st.just("speed"), speed=finite_floats(0.05, 8.0, exclude_min=True)))


@functools.cache
def sfx_cues(sfx_names: st.SearchStrategy[str], text: st.SearchStrategy[str]) -> st.SearchStrategy[SfxCue]:
    gain = st.none() | levels()
    return st.one_of(st.builds(SfxCue, name=sfx_names, on=text, gain=gain),
                     st.builds(SfxCue, name=sfx_names, at=times(), gain=gain))


@functools.cache
def scene_specs(text: st.SearchStrategy[str]) -> st.SearchStrategy[SceneSpec]:
    """A scene using any subset of the scene statements."""
    maybe = lambda strategy: st.none() | strategy  # noqa: E731 - reads like the optional statement it is
    return st.builds(
        SceneSpec, id=names(), template=names(), at=maybe(st.builds(Slot, start=times(), end=times())),
        line=maybe(text), subject=maybe(names()), hero=maybe(heroes(text)), light=maybe(names()),
        motion=maybe(motions(text)),
        text=maybe(st.builds(Text, content=text, placement=st.none() | st.sampled_from(PLACEMENTS))),
        fx=st.lists(effect_uses(names(), text), max_size=3).map(tuple),
        afx=st.lists(effect_uses(names(), text), max_size=2).map(tuple),
        sfx=st.lists(sfx_cues(names(), text), max_size=3).map(tuple),
        fit=maybe(fits()), takes=st.integers(1, 99), pick=maybe(st.integers(0, 99).map(lambda n: f"v{n:02d}")),
        snap=maybe(snaps()),
    )


@functools.cache
def project_specs(exclude: str = "", bmp_only: bool = False, max_scenes: int = 4) -> st.SearchStrategy[ProjectSpec]:
    """A random valid ProjectSpec that the script form can express (strings never contain ``exclude``)."""
    text = texts(exclude=exclude, bmp_only=bmp_only)
    path = texts(min_size=1, exclude=exclude, bmp_only=bmp_only)
    maybe = lambda strategy: st.none() | strategy  # noqa: E731
    library = st.fixed_dictionaries({
        "sfx_library": path, "sfx_auto": st.booleans(),
        "sfx_triggers": st.lists(st.builds(SfxTrigger, word=text, sfx=names()), max_size=3).map(tuple)})
    # The script writes auto and triggers under sfx_library, so they exist only with a library.
    library = st.just({}) | library
    fields = st.fixed_dictionaries({
        "id": names(), "title": text,
        "format": st.builds(Format, width=st.integers(16, 8192), height=st.integers(16, 8192), fps=st.integers(1, 240)),
        "seed": st.integers(0, 2**63 - 1),
        "brand": st.builds(Brand, base=colors(), highlight=colors(), font=maybe(path),
                           keywords=st.lists(text, max_size=3).map(tuple)),
        "voice": st.builds(Voice, path=path, words=maybe(path), loudness=loudnesses()),
        "music": maybe(st.builds(Music, path=path, arc=maybe(names()), duck=levels(), snap=maybe(snaps()))),
        "characters": st.lists(st.builds(Character, id=names(), anchor=maybe(text), lora=maybe(
            st.builds(Lora, path=path, strength=finite_floats(0.0, 2.0)))), max_size=3).map(tuple),
        "scenes": st.lists(scene_specs(text), max_size=max_scenes).map(tuple),
    })
    return st.builds(lambda main, sfx: ProjectSpec(**main, **sfx), fields, library)


# ------------------------------------------------------------------ specs a TinyProject accepts

TINY_WORDS = "Every day you show up. That is the whole secret.".split()
TINY_VOICE_FRAMES = 120  # 5 s at 24 fps


def _catalogue_params(effect, draw) -> dict[str, str]:
    """A few of an effect's parameters with values its catalogue accepts (the default, or the bounds)."""
    chosen = draw(st.lists(st.sampled_from(sorted(effect.params)), unique=True, max_size=2)) if effect.params else []
    params = {}
    for name in chosen:
        param = effect.params[name]
        candidates = [param.default] + [bound for bound in (getattr(param, "min", None), getattr(param, "max", None))
                                        if bound is not None and param.type in ("float", "int")]
        candidates += list(param.choices or ())
        value = draw(st.sampled_from(candidates))
        if param.type == "time" and isinstance(value, (int, float)):
            value = f"{value}s"
        params[name] = "true" if value is True else "false" if value is False else str(value)
    return params


@st.composite
def tiny_project_specs(draw, frameworks, head: ProjectSpec, effects: tuple[str, ...],
                       audio_effects: tuple[str, ...]) -> ProjectSpec:
    """``head`` (a TinyProject's settings) with 1–5 scenes that tile its voice, by line or by explicit slot.

    ``effects`` and ``audio_effects`` are the catalogue names the checker accepts in a scene.
    """
    count = draw(st.integers(1, 5))
    word_cuts = draw(st.lists(st.integers(1, len(TINY_WORDS) - 1), min_size=count - 1, max_size=count - 1,
                              unique=True))
    word_bounds = [0, *sorted(word_cuts), len(TINY_WORDS)]
    frame_cuts = draw(st.lists(st.integers(1, TINY_VOICE_FRAMES - 1), min_size=count - 1, max_size=count - 1,
                               unique=True))
    frame_bounds = [0, *sorted(frame_cuts), TINY_VOICE_FRAMES]
    explicit = draw(st.booleans())
    scenes = []
    for index in range(count):
        line = " ".join(TINY_WORDS[word_bounds[index]:word_bounds[index + 1]])
        slot = None
        if explicit:
            start, end = frame_bounds[index], frame_bounds[index + 1]
            slot = draw(st.sampled_from([Slot(start=Time(frames=start), end=Time(frames=end)),
                                         Slot(start=Time.parse(f"{start / 24:.6f}s"),
                                              end=Time.parse(f"{end / 24:.6f}s"))]))
        keep_line = not explicit or draw(st.booleans())
        scenes.append(_tiny_scene(draw, frameworks, head, (effects, audio_effects), f"SC_{index + 1:02d}",
                                  line if keep_line else None, slot))
    return head.model_copy(update={"scenes": tuple(scenes)})


def _tiny_scene(draw, frameworks, head: ProjectSpec, usable: tuple, scene_id: str, line: str | None,
                slot: Slot | None) -> SceneSpec:
    """One scene with names from the frameworks, the head's characters and the tiny project's files."""
    characters = {c.id: c for c in head.characters}
    subject = draw(st.none() | st.sampled_from(sorted(characters)))
    hero_kinds = ["image", "zimage"] + (["lora"] if subject and characters[subject].lora else [])
    hero_kind = draw(st.none() | st.sampled_from(hero_kinds))
    hero = None if hero_kind is None else (
        Hero(kind="image", path="assets/stages/stage_01.png") if hero_kind == "image"
        else Hero(kind=hero_kind, prompt=draw(texts(max_size=12))))
    fx = [EffectUse(name=name, params=_catalogue_params(frameworks.effects[name], draw),
                    at=draw(st.none() | st.sampled_from([Time.parse("0.5s"), Time.parse("3f")])))
          for name in draw(st.lists(st.sampled_from(usable[0]), max_size=2))]
    afx = [EffectUse(name=name, params=_catalogue_params(frameworks.audio_effects[name], draw))
           for name in draw(st.lists(st.sampled_from(usable[1]), max_size=1))]
    # A cue on a word needs the scene's line; without one it goes at a time.
    sfx = [SfxCue(name="impact_01", gain=draw(st.none() | levels()),
                  **({"on": draw(st.sampled_from(line.split())).strip(".")} if line else {"at": Time.parse("0.25s")}))
           for _ in range(draw(st.integers(0, 1)))]
    motion = st.builds(Motion, kind=st.just("kenburns"), zoom=st.none() | st.just((1.0, 1.15)),
                       pan=st.none() | st.sampled_from(PANS)) \
        | st.just(Motion(kind="none")) | st.builds(Motion, kind=st.just("wan22"), prompt=texts(max_size=12))
    takes = draw(st.integers(1, 4))
    return SceneSpec(
        id=scene_id, template=draw(st.sampled_from(sorted(frameworks.templates))), at=slot, line=line,
        subject=subject, hero=hero, light=draw(st.none() | st.sampled_from(sorted(frameworks.lighting))),
        motion=draw(st.none() | motion),
        text=draw(st.none() | st.builds(Text, content=texts(max_size=12),
                                        placement=st.none() | st.sampled_from(PLACEMENTS))),
        fx=tuple(fx), afx=tuple(afx), sfx=tuple(sfx), fit=draw(st.none() | fits()), takes=takes,
        pick=draw(st.none() | st.integers(1, takes).map(lambda n: f"v{n:02d}")),
        snap=draw(st.none() | st.builds(Snap, mode=st.sampled_from(["beats", "onsets", "off"]))),
    )
