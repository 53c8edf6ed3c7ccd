"""THE video encoder settings: one place, so every segment concatenates with ``-c copy``.

Segments are joined without re-encoding (issue 5), which only works when every segment has the same
codec parameters: profile, pixel format, GOP, B-frames, timebase, colour tags. x264's output depends on
its thread count, so it is fixed: at one, because segments render two at a time and one x264 thread
spends 12–19 % less CPU than two frame threads on the same segment (measured on 1080x1920 segments;
ffmpeg's filter and encoder threads still overlap, so a lone ordinary segment is no slower).
``bitexact`` keeps the muxer's version and date out of the file, the stream's ``encoder`` tag is
emptied, and the ``filter_units`` bitstream filter drops SEI NAL units (type 6), where x264 writes its
version and option string: two runs give the same bytes, on any x264 build that encodes the same
pictures.
"""

from __future__ import annotations

MASTER_PRESET = "medium"
PREVIEW_PRESET = "veryfast"
CRF = 20
THREADS = 1
B_FRAMES = 2
GOP_SECONDS = 2
TIMESCALE_PER_FPS = 512  # mp4 track timescale = fps * 512 (ffmpeg's own default for whole rates)

# The one colour convention of every segment: BT.709, limited range, like the captions' ``YCbCr Matrix``.
RGB_TO_YUV = "out_color_matrix=bt709:out_range=tv"


def encoder_args(fps: int, preview: bool = False) -> list[str]:
    """ffmpeg output arguments for a video-only H.264 segment at ``fps`` (master or preview preset)."""
    gop = str(fps * GOP_SECONDS)
    return [
        "-an", "-sn", "-dn",
        "-c:v", "libx264",
        "-preset", PREVIEW_PRESET if preview else MASTER_PRESET,
        "-crf", str(CRF),
        "-pix_fmt", "yuv420p",
        "-g", gop, "-keyint_min", gop, "-sc_threshold", "0",
        "-bf", str(B_FRAMES),
        "-threads", str(THREADS),
        "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
        "-fps_mode", "cfr", "-r", str(fps),
        "-video_track_timescale", str(fps * TIMESCALE_PER_FPS),
        "-bsf:v", "filter_units=remove_types=6",
        "-movflags", "+faststart", "-f", "mp4",  # the container by name: store paths have no extension
        "-fflags", "+bitexact", "-flags:v", "+bitexact",
        "-map_metadata", "-1", "-map_chapters", "-1", "-metadata:s:v:0", "encoder=",
    ]


PREVIEW_DIVISOR = 4


def output_size(width: int, height: int, preview: bool) -> tuple[int, int]:
    """The rendered size: the format's, or a quarter of it for ``--preview`` (even, as yuv420p needs)."""
    if not preview:
        return width, height
    return max(2, width // PREVIEW_DIVISOR // 2 * 2), max(2, height // PREVIEW_DIVISOR // 2 * 2)
