"""`cmfc doctor SPEC` and `cmfc takes SPEC [SC_xx]`: the ComfyUI servers and the generated takes."""

from __future__ import annotations

from pathlib import Path

import click

from cmfc.cli import report_errors

ALL_STAGES = {"hero": {}, "relight": {}, "motion": {}}  # plan every stage, whoever runs it


def _jobs(compiled):
    """One GenerationJob per stage of every take, as the build would run it (uploads named, not read)."""
    from cmfc.executors.base import GenerationJob
    from cmfc.plan.generate_actions import generation_actions

    actions, _ = generation_actions(compiled, ALL_STAGES, ingest=False)
    jobs = []
    for action in actions:
        p = action.params
        jobs.append(GenerationJob(scene=p["scene"], stage=p["stage"], take=p["take"], payload=p["payload"],
                                  uploads={name: Path(name) for name in p["uploads"]},
                                  expect=p["expect"], label=f"{p['scene']} {p['stage']} {p['take']}"))
    return jobs


@click.command("doctor")
@click.argument("spec")
@click.option("--comfyui", "comfyui", multiple=True, metavar="URL",
              help="A ComfyUI server to check (repeatable; replaces cmfc.toml [executors] comfyui).")
@report_errors
def doctor_command(spec: str, comfyui: tuple[str, ...]) -> None:
    """Check each ComfyUI server can run the spec's generations; exit 1 if anything is missing.

    Per server: reachable, ComfyUI version (/system_stats), every node class the compiled payloads
    use (/object_info), every model file they name, and the queue. Says what is missing and where
    to put it.

    Example: cmfc doctor specs/alpha --comfyui http://gpu1:8188
    """
    from cmfc.check import load
    from cmfc.executors.cloud import cloud_findings, load_cloud_config, stage_routes
    from cmfc.executors.config import load_config, make_pool

    compiled = load(spec, defer_music=True)
    root = compiled.location.root
    pool = make_pool(root, load_config(root, comfyui))
    routes = stage_routes(root, load_cloud_config(root))
    jobs = _jobs(compiled)
    if pool is None and not routes:
        click.echo("no ComfyUI server configured: add [executors] comfyui = [\"http://host:8188\"] to cmfc.toml "
                   "or pass --comfyui URL")
        raise SystemExit(1)
    servers = len(pool.executors) if pool is not None else 0
    click.echo(f"{len(jobs)} generation stage(s) to check on {servers} ComfyUI server(s)"
               + (f" and the cloud executors for {', '.join(sorted(routes))}" if routes else ""))
    findings = []
    if pool is not None:
        mine = [job for job in jobs if job.stage not in routes]
        for executor in pool.executors:
            findings += executor.doctor(mine)
    findings += cloud_findings(root, jobs)
    bad = 0
    for finding in findings:
        mark = "ok " if finding.ok else "MISSING" if finding.what.startswith(("node", "model")) else "FAIL"
        click.echo(f"{mark:7} {finding.server}  {finding.what}" + (f": {finding.detail}" if finding.detail else ""))
        bad += not finding.ok
    if bad:
        click.echo(f"{bad} problem(s): the build would fail on those stages")
        raise SystemExit(1)
    click.echo("every server can run every stage")


@click.command("takes")
@click.argument("spec")
@click.argument("scene", required=False)
@click.option("--sheet", type=click.Path(dir_okay=False), default=None,
              help="Where to write the contact sheet PNG (default: 03_OUTPUT/<ID>/03_mining/<ID>_TAKES.png).")
@report_errors
def takes_command(spec: str, scene: str | None, sheet: str | None) -> None:
    """List each scene's takes (generated, provided, failed, missing) and write a contact sheet PNG.

    Example: cmfc takes specs/alpha SC_03
    """
    from cmfc.build.manifest import read_manifest
    from cmfc.check import load
    from cmfc.fsutil import atomic_write_bytes
    from cmfc.naming import picked_take, stage_dir
    from cmfc.plan.generate_actions import generation_actions

    compiled = load(spec, defer_music=True)
    project = compiled.project
    root = compiled.location.root
    doc = read_manifest(root / "03_OUTPUT" / project.id / "manifest.json") or {"outputs": []}
    recorded = {e["path"]: e for e in doc["outputs"]}
    actions, _ = generation_actions(compiled, ALL_STAGES, ingest=False)
    last: dict[tuple[str, str], str] = {}
    for action in actions:  # the last stage of each take is the take
        last[(action.scene, action.params["take"])] = action.outputs[0].path
    scenes = [s for s in project.scenes if scene is None or s.id == scene]
    if scene is not None and not scenes:
        raise click.UsageError(f"no scene {scene} in {spec}")
    tiles = []
    for s in scenes:
        names = sorted(take for (sid, take) in last if sid == s.id)
        if not names:
            continue
        pick = f"v{picked_take(s):02d}"
        for take in names:
            path = last[(s.id, take)]
            entry = recorded.get(path)
            if entry is not None and entry.get("placeholder"):
                state = "failed"
            elif entry is not None:
                state = entry.get("origin", "generated")
            elif (root / path).is_file():
                state = "provided"
            else:
                state = "missing"
            mark = "*" if take == pick else " "
            click.echo(f"{mark} {s.id} {take}  {state:9}  {path}")
            tiles.append((f"{s.id} {take}{' (picked)' if take == pick else ''}", root / path, state))
    if not tiles:
        click.echo("no scene needs a generator")
        return
    target = Path(sheet) if sheet else root / stage_dir(project.id, "mining") / f"{project.id}_TAKES.png"
    atomic_write_bytes(target, contact_sheet(tiles))
    click.echo(f"contact sheet: {target}")


def contact_sheet(tiles: list[tuple[str, Path, str]], width: int = 180) -> bytes:
    """A PNG grid of the takes (the first frame of a clip), labelled with scene, take and state."""
    import io

    from PIL import Image, ImageDraw

    height = width * 16 // 9
    columns = min(4, len(tiles))
    rows = -(-len(tiles) // columns)
    sheet = Image.new("RGB", (columns * width, rows * (height + 20)), (24, 24, 24))
    draw = ImageDraw.Draw(sheet)
    for index, (label, path, state) in enumerate(tiles):
        x, y = index % columns * width, index // columns * (height + 20)
        picture = _first_frame(path) if state in ("generated", "provided") else None
        if picture is not None:
            picture.thumbnail((width, height))
            sheet.paste(picture, (x + (width - picture.width) // 2, y + (height - picture.height) // 2))
        else:
            draw.rectangle([x + 4, y + 4, x + width - 5, y + height - 5], outline=(120, 120, 120))
            draw.text((x + 10, y + height // 2), state, fill=(200, 80, 80))
        draw.text((x + 4, y + height + 4), label, fill=(230, 230, 230))
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    return out.getvalue()


def _first_frame(path: Path):
    from PIL import Image

    if not path.is_file():
        return None
    if path.suffix.lower() == ".png":
        with Image.open(path) as image:
            return image.convert("RGB")
    import subprocess

    import imageio_ffmpeg

    result = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(path), "-frames:v", "1",
                             "-f", "image2pipe", "-vcodec", "png", "-"], capture_output=True, timeout=60)
    if result.returncode != 0 or not result.stdout:
        return None
    import io

    return Image.open(io.BytesIO(result.stdout)).convert("RGB")


generation_commands = [doctor_command, takes_command]
