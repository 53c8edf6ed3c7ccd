"""`cmfc new`: a working project with a spec, cmfc.toml, the folder layout and tiny generated media.

The media are placeholders a user replaces: a "voice" of tone bursts with matching word
timings, a short beat, an impact SFX and a stage card. They are generated, deterministic
and small, so the new project passes `cmfc check` at once.
"""

from __future__ import annotations

import io
import json
import math
import re
import struct
import wave
from dataclasses import dataclass
from pathlib import Path

from cmfc.fsutil import atomic_write_bytes, atomic_write_text
from cmfc.project import UsageError, display_path

RATE = 48_000
WORDS = ["Every", "day", "you", "show", "up.", "That", "is", "the", "whole", "secret."]

SPEC_TEMPLATE = """cmf 1

# A new cmfc project. Replace the placeholder media in audio/ and assets/ with your own,
# then run: cmfc check .   (see docs/language.md for every statement)
project {project_id} "{title}"
  format 1080x1920 24fps
  seed 1
  brand
    base #FFFFFF
    highlight #FFD400
  voice "audio/voice.wav"
    words "audio/voice.words.json"
    loudness -14LUFS
  music "audio/bed.wav"
    arc the_rally
    duck -12dB
  sfx_library "assets/sfx"

character host
  anchor "The host, 30s, short dark hair, denim jacket over a white t-shirt"

scene SC_01 HOOK-1
  line "Every day you show up."
  subject host
  hero zimage "looking straight into the camera, city street at dawn"
  text "SHOW UP" center
  sfx impact_01 on "up"

scene SC_02 SETUP-1
  line "That is the whole secret."
  hero image "assets/stages/stage_01.png"
  motion kenburns zoom 1.0..1.1 pan right
"""


@dataclass(frozen=True)
class Created:
    spec: Path

    @property
    def display(self) -> str:
        return display_path(self.spec)


def scaffold(directory: str, project_id: str | None = None) -> Created:
    """Create the project in ``directory`` (which must be missing or empty)."""
    root = Path(directory)
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise UsageError(f"{directory}: already exists and is not an empty folder")
    name = root.resolve().name or "project"
    project_id = project_id or "PROJ_" + ("".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part)
                                          or "New")
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_\-]*", project_id):
        raise UsageError(f"--id {project_id}: a project id is letters, digits, _ and -, starting with a letter")
    title = re.sub(r"[\"\\]", "", name.replace("-", " ").replace("_", " ")).strip().title() or "New Project"
    spec_path = root / f"{re.sub(r'[^A-Za-z0-9_-]+', '_', name).strip('_').lower() or 'project'}.cmf"
    atomic_write_text(spec_path, SPEC_TEMPLATE.format(project_id=project_id, title=title))
    atomic_write_text(root / "cmfc.toml", f'[project]\nspec = "{spec_path.name}"\n')
    atomic_write_text(root / ".gitignore", ".cmfc/\n03_OUTPUT/\n.env\n")
    voice, words = _voice()
    atomic_write_bytes(root / "audio" / "voice.wav", voice)
    atomic_write_text(root / "audio" / "voice.words.json", json.dumps(words, indent=2) + "\n")
    atomic_write_bytes(root / "audio" / "bed.wav", _beat(seconds=4.0, bpm=112))
    atomic_write_bytes(root / "assets" / "sfx" / "hits" / "impact_01.wav", _impact())
    atomic_write_bytes(root / "assets" / "stages" / "stage_01.png", _stage_card())
    for folder in ("assets/fonts", "assets/clips", "assets/driving", "models", "frameworks"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    atomic_write_text(root / "frameworks" / "README.md",
                      "Project frameworks: YAML files here add to or override the built-in templates, arcs, "
                      "lighting presets and effects by name.\n")
    return Created(spec=spec_path)


def _wav(samples: list[float], channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as handle:
        handle.setnchannels(channels)
        handle.setsampwidth(2)
        handle.setframerate(RATE)
        handle.writeframes(b"".join(struct.pack("<h", int(max(-1.0, min(1.0, s)) * 32767)) for s in samples))
    return buffer.getvalue()


def _voice() -> tuple[bytes, dict]:
    """Tone bursts in the voice band standing in for words, with WhisperX-style timings."""
    samples: list[float] = [0.0] * int(0.3 * RATE)
    words = []
    for index, word in enumerate(WORDS):
        start = len(samples) / RATE
        length = int((0.18 + 0.03 * len(word)) * RATE)
        pitch = 180 + 20 * (index % 4)
        for n in range(length):
            envelope = math.sin(math.pi * n / length)
            t = n / RATE
            samples.append(0.3 * envelope * (math.sin(2 * math.pi * pitch * t) + 0.5 * math.sin(2 * math.pi * 3 * pitch * t)))
        end = len(samples) / RATE
        words.append({"word": word, "start": round(start, 3), "end": round(end, 3), "score": 1.0})
        gap = 0.45 if word.endswith(".") else 0.08
        samples.extend([0.0] * int(gap * RATE))
    samples.extend([0.0] * (int(math.ceil(len(samples) / RATE)) * RATE - len(samples)))
    first, second = words[:5], words[5:]
    segments = [{"start": seg[0]["start"], "end": seg[-1]["end"], "text": " ".join(w["word"] for w in seg), "words": seg}
                for seg in (first, second)]
    return _wav(samples), {"segments": segments, "language": "en"}


def _beat(seconds: float, bpm: int) -> bytes:
    total = int(seconds * RATE)
    beat = int(60 / bpm * RATE)
    out = [0.0] * total
    for start in range(0, total, beat):
        for n in range(min(int(0.12 * RATE), total - start)):
            t = n / RATE
            out[start + n] += 0.5 * math.exp(-t * 30) * math.sin(2 * math.pi * (50 + 60 * math.exp(-t * 40)) * t)
    return _wav(out)


def _impact() -> bytes:
    length = int(0.6 * RATE)
    state = 12345
    out = []
    for n in range(length):
        state = (1103515245 * state + 12345) % 2**31
        noise = (state / 2**30 - 1.0) * math.exp(-n / RATE * 60)
        t = n / RATE
        out.append(0.6 * math.exp(-t * 6) * math.sin(2 * math.pi * 45 * t) + 0.3 * noise)
    return _wav(out)


STAGE_LABEL = "STAGE 01 - replace me"  # ASCII: Pillow's default font has no em dash (it drew a box)


def _stage_card() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (270, 480), (24, 28, 40))
    draw = ImageDraw.Draw(image)
    for y in range(480):
        shade = int(40 + 60 * y / 480)
        draw.line([(0, y), (270, y)], fill=(shade, shade // 2 + 20, 90 - shade // 3))
    draw.rectangle([40, 300, 230, 420], fill=(60, 50, 45))
    draw.text((20, 20), STAGE_LABEL, fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()
