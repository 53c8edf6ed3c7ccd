"""OpenTimelineIO (``.otio``, JSON), which Resolve 18.5+ imports natively.

Tracks V1 (scene clips, gaps between), V2 (kinetic text as disabled ``Text`` generator clips), A1 voice,
A2 music, A3 SFX. OTIO has no volume automation, so the music's ducking rides in the clip's metadata
(``cmfc.gain``: ``[[record frame, dB], …]``, linear between points) and an SFX's level in ``cmfc.gain_db``;
the xmeml and FCPXML carry them as real keyframes. Scene markers sit on the timeline's stack.
"""

from __future__ import annotations

from cmfc.backends.resolve.edit import Clip, Edit
from cmfc.ir.values import format_decimal

TRACK_NAMES = ("A1 Voice", "A2 Music", "A3 SFX")


def _gap_fill(track, at: int, until: int, fps: int, otio) -> None:
    if until > at:
        track.append(otio.schema.Gap(source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(0, fps), otio.opentime.RationalTime(until - at, fps))))


def _clip(clip: Clip, fps: int, otio):
    rt = otio.opentime.RationalTime
    reference = otio.schema.ExternalReference(
        target_url=clip.media.url,
        available_range=otio.opentime.TimeRange(rt(0, fps), rt(clip.media.frames, fps)))
    metadata = {}
    if clip.gain:
        metadata["gain"] = [[frame, format_decimal(db)] for frame, db in clip.gain]
    if clip.gain_db:
        metadata["gain_db"] = format_decimal(clip.gain_db)
    return otio.schema.Clip(name=clip.name, media_reference=reference,
                            source_range=otio.opentime.TimeRange(rt(clip.src_in, fps), rt(clip.length, fps)),
                            metadata={"cmfc": metadata} if metadata else {})


def write(edit: Edit) -> bytes:
    """The edit as OTIO JSON (UTF-8, stable key order)."""
    import opentimelineio as otio

    fps = edit.fps
    rt = otio.opentime.RationalTime
    timeline = otio.schema.Timeline(name=edit.name, global_start_time=rt(0, fps))
    timeline.metadata["cmfc"] = {"width": edit.width, "height": edit.height, "fps": fps}
    v1 = otio.schema.Track(name="V1 Scenes", kind=otio.schema.TrackKind.Video)
    at = 0
    for clip in sorted(edit.video, key=lambda c: c.rec_in):
        _gap_fill(v1, at, clip.rec_in, fps, otio)
        v1.append(_clip(clip, fps, otio))
        at = clip.rec_out
    v2 = otio.schema.Track(name="V2 Text", kind=otio.schema.TrackKind.Video)
    at = 0
    for title in edit.titles:
        _gap_fill(v2, at, title.rec_in, fps, otio)
        reference = otio.schema.GeneratorReference(
            generator_kind="Text", parameters={"text": title.text, "placement": title.placement, "y": title.y},
            available_range=otio.opentime.TimeRange(rt(0, fps), rt(title.length, fps)))
        # burned into the fabricated clip already (Natron composite): here to edit, off by default
        text_clip = otio.schema.Clip(name=title.name, media_reference=reference,
                                     source_range=otio.opentime.TimeRange(rt(0, fps), rt(title.length, fps)))
        text_clip.enabled = False
        v2.append(text_clip)
        at = title.rec_in + title.length
    timeline.tracks.extend([v1, v2])
    for name, clips in zip(TRACK_NAMES, edit.audio):
        track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
        at = 0
        for clip in clips:
            _gap_fill(track, at, clip.rec_in, fps, otio)
            track.append(_clip(clip, fps, otio))
            at = clip.rec_out
        timeline.tracks.append(track)
    for marker in edit.markers:
        timeline.tracks.markers.append(otio.schema.Marker(
            name=marker.name, comment=marker.comment,
            marked_range=otio.opentime.TimeRange(rt(marker.frame, fps), rt(0, fps))))
    return (otio.adapters.write_to_string(timeline, "otio_json", indent=2) + "\n").encode("utf-8")
