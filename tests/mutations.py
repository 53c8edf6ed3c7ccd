"""Seeded mutations of specs and blueprints, for the robustness test: the edits people make by hand.

Lines deleted, duplicated, swapped or re-indented; stray quotes, ``#``, ``..``, tabs and
``\\r``; strings cut in half; files truncated; values and paths swapped for wrong ones; random
bytes. Every function takes a ``random.Random`` so a run (and a failure) replays exactly.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

from cmfc.lower.from_cmf import ALL_STATEMENTS, SCENE_STATEMENTS
from cmfc.scaffold import SPEC_TEMPLATE
from tests.helpers import PROJECT_HEAD, TWO_SCENES

SPECS = Path(__file__).parent.parent / "specs"
SCRIPTS = {
    "alpha.cmf": (SPECS / "alpha" / "alpha.cmf").read_text(encoding="utf-8"),
    "resilience.cmf": (SPECS / "resilience" / "resilience.cmf").read_text(encoding="utf-8"),
    "tiny.cmf": PROJECT_HEAD + TWO_SCENES,
    "new.cmf": SPEC_TEMPLATE.format(project_id="PROJ_New", title="New"),
}

# A scene that uses most statements, so mutants of it reach every check of a tiny project.
RICH_SCENES = TWO_SCENES + """
scene SC_03 CONFLICT-1 at 0:04.50..5s
  subject coach
  hero lora "coach, mid-sentence, rooftop at night"
  light noir
  motion kenburns zoom 1.0..1.15 pan left
  text "SHOW / UP" behind_head
  fx glitch intensity 0.7 at 0.1s
  fx flash color #FFFFFF at 0.1s..0.3s
  afx EFFECT-A-03 at 0s..0.2s
  sfx impact_01 at 0.1s gain -3dB
  fit speed 0.8
  takes 3
  pick v02
  snap beats tolerance 120ms
"""

INSERTIONS = ['"', "#", "..", "\t", "\r", "\r\n", "\\", " ", "\n", "  ", "\n  ", ":", "-", "@", "`", "{", "}", "[",
              "]", "&", "*", "!", "|", ">", "'", "é", "😀", "\u05d0", "\u0301", "\u2028", "\x85", "\ufeff", "\x0c",
              "\u00a0", "#FFD400", "at", "0", "-12dB", "4.2s", "\ufffd"]
TOKENS = ["4.2s", "500ms", "0:04.20", "1:02:03.5", "12f", "0:99.99", "1:60:00", "4.2s..9.0s", "9s..4s", "..", "...",
          "1.0..1.15", "#FFD400", "#ffd400", "#GGGGGG", "-12dB", "+3dB", "-14LUFS", "1080x1920", "24fps", "0fps",
          "99999999999999999999999", "1" + "0" * 400, "1e309", "NaN", "-0", "0", "v00", "v01", "v99", "HOOK-4",
          "HOOK-9", "coach",
          "nobody", "the_rally", "noir", "glitch", "EFFECT-A-03", "EFFECT-A-99", "impact_01", "on", "at", "gain",
          "zoom", "pan", "tolerance", "strength", "beats", "speed", "loop", '""', '"x"', '"\\"', '"a\\"b"',
          '"unterminated', '"audio/voice.wav"', '"../outside.wav"', '"/etc/hostname"', '"."', '"assets/sfx"']
# Words the scene statements expect, so random argument lists are sometimes right.
SCENE_WORDS = ("image", "clip", "lora", "zimage", "wan22", "onetoall", "kenburns", "none", "top", "center",
               "behind_head", "left", "up", "loop", "pingpong", "trim", "speed", "0.8", "3", "onsets", "off",
               '"Every day you show up."', '"up"', "intensity", "0.7", "EFFECT-A-01", "grain", "amount")
# Soups keep their strings closed, so they get past the lexer and into the statement readers.
SOUP_TOKENS = [t for t in TOKENS if t not in ('"unterminated', '"\\"')]
PATHS = ["audio/voice.wav", "audio/voice.words.json", "audio/bed.wav", "assets/stages/stage_01.png", "assets/sfx",
         "assets/sfx/hits/impact_01.wav", "assets", ".", "", "../outside.wav", "/etc/hostname", "t.cmf", "cmfc.toml",
         "frameworks/README.md", "models/coach.safetensors", "audio/missing.wav", "link_out.wav", "fake.wav",
         "fake.png", "audio/voice.srt", "audio/broken.srt", "audio/broken.json", "audio/empty.vtt", "audio//voice.wav",
         "audio/./voice.wav", "audio/../audio/voice.wav", "AUDIO/VOICE.WAV", "audio\\voice.wav", "C:/voice.wav"]
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


# ------------------------------------------------------------------ scripts

def _lines(text: str) -> list[str]:
    return text.split("\n")


def delete_line(rng, text):
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return "\n".join(lines)


def duplicate_line(rng, text):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return "\n".join(lines)


def swap_lines(rng, text):
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "\n".join(lines)


def reindent(rng, text):
    lines = _lines(text)
    i = rng.randrange(len(lines))
    lines[i] = rng.choice(["", " ", "  ", "   ", "    ", "      ", "\t", "  \t", "        "]) + lines[i].lstrip(" \t")
    return "\n".join(lines)


def insert_text(rng, text):
    at = rng.randrange(len(text) + 1)
    piece = rng.choice(INSERTIONS) if rng.random() < 0.8 else chr(rng.choice([rng.randrange(1, 0x80),
                                                                             rng.randrange(0x80, 0x3000),
                                                                             rng.randrange(0x1F300, 0x1F700)]))
    return text[:at] + piece + text[at:]


def delete_chars(rng, text):
    at = rng.randrange(len(text) + 1)
    return text[:at] + text[at + rng.randint(1, 8):]


def truncate(rng, text):
    return text[: rng.randrange(len(text) + 1)]


def cut_string(rng, text):
    strings = list(_STRING.finditer(text))
    if not strings:
        return truncate(rng, text)
    match = rng.choice(strings)
    middle = (match.start() + match.end()) // 2
    return text[:middle] + text[match.end():]


def replace_token(rng, text):
    words = list(re.finditer(r'"(?:[^"\\\n]|\\.)*"|[^\s"]+', text))
    if not words:
        return text + rng.choice(TOKENS)
    match = rng.choice(words)
    return text[:match.start()] + rng.choice(TOKENS + list(ALL_STATEMENTS)) + text[match.end():]


def replace_path(rng, text):
    strings = list(_STRING.finditer(text))
    if not strings:
        return text
    match = rng.choice(strings)
    return text[:match.start()] + json.dumps(rng.choice(PATHS)) + text[match.end():]


def splice(rng, text):
    other = _lines(rng.choice(list(SCRIPTS.values())))
    lines = _lines(text)
    start = rng.randrange(len(other))
    lines[rng.randrange(len(lines) + 1):0] = other[start:start + rng.randint(1, 4)]
    return "\n".join(lines)


def line_endings(rng, text):
    return text.replace("\n", rng.choice(["\r\n", "\r", "\n\n", "\n \n"]))


def add_bom(rng, text):
    return "\ufeff" + text


MUTATIONS = [delete_line, duplicate_line, swap_lines, reindent, insert_text, insert_text, delete_chars, truncate,
             cut_string, replace_token, replace_token, replace_path, splice, line_endings, add_bom]
WEIGHTS = [3, 2, 2, 3, 4, 4, 3, 1, 2, 4, 4, 1, 1, 1, 1]


# Edits that usually keep the syntax, so the mutant reaches the semantic checks.
SEMANTIC_MUTATIONS = [replace_token, replace_path, delete_line, duplicate_line, swap_lines, insert_text, cut_string]
SEMANTIC_WEIGHTS = [8, 4, 3, 2, 1, 1, 1]


def mutate(rng: random.Random, text: str, steps: int | None = None, semantic: bool = False) -> str:
    """``text`` after 1–4 random edits of the kinds people make."""
    kinds, weights = (SEMANTIC_MUTATIONS, SEMANTIC_WEIGHTS) if semantic else (MUTATIONS, WEIGHTS)
    for mutation in rng.choices(kinds, weights, k=steps or rng.randint(1, 4)):
        text = mutation(rng, text)
    return text


def token_soup(rng: random.Random) -> str:
    """Random lines of statement words and values, at random depths: syntax is often fine, meaning rarely."""
    lines = ["cmf 1"] if rng.random() < 0.7 else []
    depth = 0
    for _ in range(rng.randint(1, 30)):
        depth = max(0, min(3, depth + rng.choice([-1, 0, 0, 1])))
        words = [rng.choice(ALL_STATEMENTS + ("scene", "scene", "fx", "sfx", "bogus"))]
        words += rng.choices(SOUP_TOKENS + list(ALL_STATEMENTS), k=rng.randint(0, 5))
        lines.append("  " * depth + " ".join(words))
    return "\n".join(lines) + "\n"


def scene_soup(rng: random.Random) -> str:
    """A valid project head, then scenes whose statements take random values: exercises every statement's reader."""
    lines = []
    for index in range(rng.randint(1, 4)):
        head = f"scene SC_{index} {rng.choice(['HOOK-1', 'SETUP-2', 'NOPE'])}"
        lines.append(head + (f" at {rng.choice(SOUP_TOKENS)}" if rng.random() < 0.4 else ""))
        for keyword in rng.choices(SCENE_STATEMENTS, k=rng.randint(1, 8)):
            lines.append(f"  {keyword} " + " ".join(rng.choices(SOUP_TOKENS + list(SCENE_WORDS), k=rng.randint(0, 5))))
    return PROJECT_HEAD + "\n" + "\n".join(lines) + "\n"


def random_text(rng: random.Random) -> str:
    """Random bytes read as UTF-8 (errors replaced), NUL-free."""
    return rng.randbytes(rng.randint(0, 400)).decode("utf-8", errors="replace").replace("\x00", "")


# ------------------------------------------------------------------ blueprints

YAML_INSERTIONS = [":", ": ", "- ", "-", "[", "]", "{", "}", ",", "&a ", "*a", "!!python/object:os.system ",
                   "!!binary ", "<<: ", "? ", "|", ">", "'", '"', "#", "\t", "%YAML 1.2\n", "---\n", "...\n",
                   "null", "~", "true", "1e400", ".nan", "-.inf", "0x1F", "0o17", "2024-01-01", "[]", "{}"]


def mutate_blueprint(rng: random.Random, text: str) -> str:
    """YAML/JSON text after 1–3 edits: YAML syntax characters, or the script edits above."""
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.4:
            at = rng.randrange(len(text) + 1)
            text = text[:at] + rng.choice(YAML_INSERTIONS) + text[at:]
        else:
            text = mutate(rng, text, steps=1)
    return text


def mutate_data(rng: random.Random, data):
    """A structural edit of blueprint data: a value deleted or replaced by one of the wrong type."""
    if isinstance(data, dict) and data and rng.random() < 0.8:
        key = rng.choice(sorted(data))
        if rng.random() < 0.25:
            del data[key]
        else:
            data[key] = mutate_data(rng, data[key])
        return data
    if isinstance(data, list) and data and rng.random() < 0.8:
        i = rng.randrange(len(data))
        data[i] = mutate_data(rng, data[i])
        return data
    return rng.choice([None, True, 0, -1, 1.5, 1e308, float("inf"), float("nan"), "", "x", "4.2s", "-12dB",
                       "#FFD400", [], {}, [1, 2], {"a": 1}, 2**70, "HOOK-4", "../x"])


def dump_yaml(data) -> str:
    """Plain data as block YAML (for structurally mutated blueprints)."""
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
