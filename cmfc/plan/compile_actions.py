"""Compile actions: each runs one backend on an IR view and writes the files it declared."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from cmfc.build import register
from cmfc.naming import OUTPUT_ROOT

IR_STAGE = "01_narrative"  # where ir.json lands; each target module says its own (STAGE)
COMPILE_VERSION = "1"


def with_music_facts(project_data: dict, analysis_path: Path):
    """The IR with ``music_facts`` from the analysis action's JSON, as check would have resolved it."""
    import json

    from cmfc.check.sonic import music_facts
    from cmfc.ir.models import Project

    analysis = json.loads(Path(analysis_path).read_text(encoding="utf-8"))
    return Project.model_validate({**project_data, "music_facts": music_facts(analysis).model_dump()})


def output_path(project_id: str, target: str, relative: str) -> str:
    """``03_OUTPUT/<id>/<stage>/<relative>`` for a compiled file."""
    from cmfc.backends import target_module

    stage = IR_STAGE if target == "ir" else target_module(target).STAGE
    return str(PurePosixPath(OUTPUT_ROOT, project_id, stage, relative))


def output_name(relative: str) -> str:
    """An engine output name for a compiled file's relative path."""
    return relative.replace("/", "__")


@register("compile.target", version=COMPILE_VERSION)
def run_compile(ctx) -> None:
    """Run a backend on the params' IR view and write exactly the declared files."""
    from cmfc.backends import EmitContext, emitter
    from cmfc.frameworks.load import load_frameworks
    from cmfc.ir.canonical import dumps
    from cmfc.ir.models import Project
    from cmfc.media.words import read_words

    params = ctx.params
    project = Project.model_validate(params["project"])
    root = Path(ctx.project_root)
    extra = root / "frameworks"
    frameworks = load_frameworks(extra if extra.is_dir() else None)
    words = ()
    if "words" in ctx.action.inputs:
        words = tuple(read_words(ctx.input_path("words"), project.voice.words or "words"))
    target = params["target"]
    if target == "ir":
        if "music_analysis" in ctx.action.inputs:
            project = with_music_facts(params["project"], ctx.input_path("music_analysis"))
        files = {"ir.json": dumps(project).encode("utf-8")}
    else:
        files = emitter(target)(project, EmitContext(words=words, frameworks=frameworks, root=root))
    # A view may make a backend emit more than this action owns (a scene view still yields render.sh):
    # the action writes exactly the files the planner declared for it.
    missing = sorted(set(params["files"]) - set(files))
    if missing:
        raise RuntimeError(f"{target} did not produce {missing}, which the planner declared")
    for relative in params["files"]:
        ctx.output_path(output_name(relative)).write_bytes(files[relative])
