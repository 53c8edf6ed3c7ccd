"""Test helpers: compile a snippet in a tiny project and get the IR or the rendered errors."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from cmfc.check import Compiled, load
from cmfc.diagnostics import CmfError, read_source_lines, render
from cmfc.scaffold import scaffold

PROJECT_HEAD = """cmf 1

project PROJ_T "Test"
  format 1080x1920 24fps
  seed 7
  brand
    font "assets/fonts/brand.ttf"
  voice "audio/voice.wav"
    words "audio/voice.words.json"
  music "audio/bed.wav"
    arc the_rally
  sfx_library "assets/sfx"

character coach
  lora "models/coach.safetensors" strength 0.8
  anchor "Coach anchor"

character mom
  anchor "Mom anchor"
"""

TWO_SCENES = """
scene SC_01 HOOK-1
  line "Every day you show up."

scene SC_02 SETUP-1
  line "That is the whole secret."
"""

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class TinyProject:
    root: Path

    @classmethod
    def create(cls, root: Path) -> "TinyProject":
        scaffold(str(root), "PROJ_T")
        for spec in root.glob("*.cmf"):
            spec.unlink()
        (root / "cmfc.toml").write_text('[project]\nspec = "t.cmf"\n')
        # The OFL Anton font the examples ship (see specs/alpha/LICENSES.md).
        shutil.copy(FIXTURES.parent.parent / "specs" / "alpha" / "assets" / "fonts" / "Anton-Regular.ttf",
                    root / "assets" / "fonts" / "brand.ttf")
        lora = b'{"__metadata__":{"note":"test"}}'
        (root / "models" / "coach.safetensors").write_bytes(len(lora).to_bytes(8, "little") + lora)
        return cls(root)

    @property
    def spec_path(self) -> Path:
        return self.root / "t.cmf"

    def write(self, scenes: str = TWO_SCENES, head: str = PROJECT_HEAD) -> Path:
        self.spec_path.write_text(head + scenes, encoding="utf-8")
        return self.spec_path

    def compile(self, scenes: str = TWO_SCENES, head: str = PROJECT_HEAD) -> Compiled:
        return load(str(self.write(scenes, head)))

    def errors(self, scenes: str = TWO_SCENES, head: str = PROJECT_HEAD) -> str:
        """The rendered diagnostics (paths relative to the project), or '' when the spec compiles."""
        import os

        self.write(scenes, head)
        here = Path.cwd()
        os.chdir(self.root)  # messages then name the spec as a user in the project folder sees it
        try:
            load("t.cmf")
        except CmfError as error:
            sources = read_source_lines(d.span.path for d in error.diagnostics)
            return "\n".join(render(d, sources) for d in error.diagnostics)
        finally:
            os.chdir(here)
        return ""


def copy_example(name: str, destination: Path) -> Path:
    """A copy of specs/<name> as bundled (so tests may modify it): not what ``make demo`` built there."""
    source = Path(__file__).parent.parent / "specs" / name
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns(".cmfc", "03_OUTPUT"))
    return destination


def run_cli_in(cwd, *args):
    """``cmfc ARGS`` run from the folder ``cwd``, as a user in a shell there would."""
    import os

    from click.testing import CliRunner

    from cmfc.cli import cli

    here = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(here)


def scaffold_short(tmp_path: Path) -> Path:
    """A fresh ``cmfc new my-short`` project under ``tmp_path``."""
    scaffold(str(tmp_path / "my-short"), "PROJ_MyShort")
    return tmp_path / "my-short"
