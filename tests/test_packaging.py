"""The package ships everything it needs: every Python package listed, grammar and templates as data."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).parent.parent
MAPPED = {"backends": "cmfc.backends", "grammar": "cmfc.grammar", "templates": "cmfc.templates",
          "specs/frameworks": "cmfc.frameworks_data", "specs/prompts": "cmfc.prompts_data"}


def test_every_package_folder_is_listed_in_pyproject():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for init in (ROOT / "cmfc").rglob("__init__.py"):
        found.add(".".join(init.parent.relative_to(ROOT).parts))
    for folder, package in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            rest = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *rest)))
    assert found - listed == set(), "add these to pyproject's packages"
    assert listed - found == set(), "these listed packages have no folder with __init__.py"


def test_grammar_and_templates_are_package_data():
    from importlib import resources

    assert resources.files("cmfc.grammar").joinpath("cmf.lark").is_file()
    assert resources.files("cmfc.templates").joinpath("comfyui", "hero_zimage.json").is_file()
    assert resources.files("cmfc.frameworks_data").joinpath("effects.yaml").is_file()
    assert resources.files("cmfc.prompts_data").joinpath("script_composer.md").is_file()


def test_import_cmfc_stays_light():
    import subprocess
    import sys

    code = ("import sys, cmfc, cmfc.cli; heavy = [m for m in ('librosa', 'moviepy', 'numpy', 'scipy', 'PIL', "
            "'opentimelineio', 'anthropic', 'streamlit', 'lxml') if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
