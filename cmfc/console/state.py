"""What the console shows, read fresh from the spec and the build's files on every page run.

The console keeps nothing of its own: takes are the files in ``03_OUTPUT/<ID>/03_mining/`` named by the
manual's convention (``<ID>_<SCENE>_…_vNN.png|mp4``), their state comes from there and from the last
build report the console's RE-STITCH wrote (``.cmfc/console-report.json``), and "building" is the
project's build lock being held.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cmfc.naming import OUTPUT_ROOT, asset_name, final_name, scene_role, stage_dir

REPORT_FILE = ".cmfc/console-report.json"
EJECT_DIR = "assets/eject"
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".webp")
CLIP_EXTS = (".mp4", ".mov", ".webm")


@dataclass(frozen=True)
class Take:
    version: int
    path: Path | None  # the take's last stage (a clip if there is one, else the image); None: not generated
    kind: str  # "image" | "clip" | "card"
    state: str  # "generated" | "missing" | "failed"
    why: str = ""

    @property
    def label(self) -> str:
        return f"v{self.version:02d}"


def scene_takes(compiled, scene, report: dict | None = None) -> list[Take]:
    """``v01..vNN`` of ``scene`` (``takes N``, or more if more files are there), each with its file and state."""
    project = compiled.project
    folder = compiled.location.root / stage_dir(project.id, "mining")
    pattern = re.compile(re.escape(f"{project.id}_{scene.id}_") + r".*_v(\d{2})\.(png|mp4)\Z")
    found: dict[int, list[Path]] = {}
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            match = pattern.match(entry.name)
            if match and entry.is_file():
                found.setdefault(int(match.group(1)), []).append(entry)
    failed = _failed_takes(report, scene.id)
    takes = []
    for version in range(1, max([scene.takes, *found]) + 1):
        files = found.get(version, [])
        clips = [f for f in files if f.suffix == ".mp4"]
        lit = [f for f in files if "_LIT" in f.name]
        chosen = (clips or lit or files or [None])[-1]
        label = f"v{version:02d}"
        if chosen is not None:
            takes.append(Take(version, chosen, "clip" if chosen.suffix == ".mp4" else "image", "generated"))
        elif label in failed:
            takes.append(Take(version, None, "card", "failed", failed[label]))
        else:
            takes.append(Take(version, None, "card", "missing"))
    return takes


def _failed_takes(report: dict | None, scene_id: str) -> dict[str, str]:
    failed = {}
    for result in (report or {}).get("actions", []):
        parts = str(result.get("id", "")).split(":")
        if result.get("status") == "failed" and len(parts) == 4 and parts[0] == "generate" and parts[1] == scene_id:
            failed[parts[3]] = result.get("error") or result.get("why") or "failed"
    return failed


def read_report(root: Path) -> dict | None:
    """The last report RE-STITCH wrote, or None (none yet, or unreadable)."""
    try:
        data = json.loads((root / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def building(root: Path) -> bool:
    """True while a build holds the project's lock."""
    import fcntl

    lock = root / ".cmfc" / "lock"
    if not lock.exists():
        return False
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def latest_cut(compiled) -> Path | None:
    """The newest of the preview and the final MP4, if either was built."""
    folder = compiled.location.root / stage_dir(compiled.project.id, "assembly")
    cuts = [folder / final_name(compiled.project.id, preview) for preview in (True, False)]
    cuts = [c for c in cuts if c.is_file()]
    return max(cuts, key=lambda c: c.stat().st_mtime_ns) if cuts else None


def eject_path(compiled, scene, filename: str) -> str:
    """Project-relative path for the Director's own image/clip for ``scene``: the manual's name, next free version."""
    ext = Path(filename).suffix.lower()
    if ext not in IMAGE_EXTS + CLIP_EXTS:
        raise ValueError(f"{filename}: not an image or a clip (expected one of "
                         f"{', '.join(IMAGE_EXTS + CLIP_EXTS)})")
    # The role the build will give the scene once its hero is this file (cmfc.naming.scene_role).
    template = compiled.frameworks.templates.get(scene.template) if compiled.frameworks else None
    role = scene_role(compiled.project, scene.model_copy(update={"hero": None}),
                      str(template.role) if template is not None else "EROLL")
    if ext in CLIP_EXTS and role != "PERF":
        role = "DROLL"
    folder = compiled.location.root / EJECT_DIR
    version = 1
    while True:
        name = asset_name(compiled.project.id, scene.id, role, "RAW", version, ext.lstrip("."))
        if not (folder / name).exists():
            return f"{EJECT_DIR}/{name}"
        version += 1


def readable_image(data: bytes) -> bool:
    """True when ``data`` decodes as an image (an upload is checked before it is stored)."""
    import io

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return False
    return True


__all__ = ["OUTPUT_ROOT", "REPORT_FILE", "Take", "building", "eject_path", "latest_cut", "read_report",
           "readable_image", "scene_takes"]
