"""Assembly (stage 6/8): the scene segments joined without re-encoding, then muxed with the mix."""

from __future__ import annotations

from cmfc.build import Action, ActionInput, Output, register
from cmfc.naming import final_name, stage_dir

ASSEMBLY_VERSION = "1"


@register("assemble.concat", version=ASSEMBLY_VERSION)
def run_concat(ctx) -> None:
    """Join the segments in timeline order (identical encoder settings, so ``-c copy``)."""
    from cmfc.mix import concat_segments

    target = ctx.output_path("video")
    joined = target.with_name(target.name + ".mp4")  # ffmpeg picks the container by extension
    concat_segments([ctx.input_path(name) for name in ctx.params["order"]], joined)
    joined.replace(target)


@register("assemble.mux", version=ASSEMBLY_VERSION)
def run_mux(ctx) -> None:
    """The final MP4: the joined video copied, the encoded mix copied; refuses a wrong frame count."""
    from cmfc.mix import mux

    video, audio = ctx.input_path("video"), ctx.input_path("audio")
    scratch = ctx.output_path("final").parent
    # Store entries have no extension; ffmpeg needs one to read the audio stream as AAC-in-MP4.
    audio_link = scratch / "mux_audio.m4a"
    video_link = scratch / "mux_video.mp4"
    for link, source in ((audio_link, audio), (video_link, video)):
        link.unlink(missing_ok=True)
        link.symlink_to(source)
    mux(video_link, audio_link, ctx.output_path("final"), ctx.params["fps"], ctx.params["frames"])


def assembly_actions(project, segment_ids: list[str], preview: bool) -> list[Action]:
    """concat (segments in scene order) → mux (with the encoded mix) → 05_assembly/<ID>_FINAL.mp4."""
    suffix = ":preview" if preview else ""
    order = [f"scene_{i:04d}" for i in range(len(segment_ids))]
    concat = Action(
        id=f"assemble:concat{suffix}", kind="assemble.concat", params={"order": order},
        inputs={name: ActionInput(segment, "segment") for name, segment in zip(order, segment_ids)},
        outputs=(Output("video"),),
    )
    final = f"{stage_dir(project.id, 'assembly')}/{final_name(project.id, preview=preview)}"
    mux = Action(
        id=f"assemble:mux{suffix}", kind="assemble.mux",
        params={"fps": project.format.fps, "frames": project.duration_frames},
        inputs={"video": ActionInput(concat.id, "video"), "audio": ActionInput(f"sonic:encode{suffix}", "audio")},
        outputs=(Output("final", final, origin="assembled"),),
    )
    return [concat, mux]
