"""The Natron plug-ins cmfc uses: ids, versions, input names and the knobs we set.

Script names, types, defaults and choice options are from Natron's plug-in reference
(RB-2.5 ``Documentation/source/plugins/<id>.rst``) and the real projects in
``tests/fixtures/natron/`` (knobs Natron saves but does not document, like
``decodingPluginID``). Versions are those a Natron 2.3 install saves (the samples);
Natron falls back to the newest installed major version when one differs.
A knob type must match the live knob's or Natron silently skips it on load.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class KnobSpec:
    """One knob: its .ntp ``<Type>``, default per dimension, choice option ids (index order) and visibility."""

    type: str
    default: tuple
    options: tuple[str, ...] = ()
    secret: bool = False

    @property
    def dimension(self) -> int:
        return len(self.default)


@dataclass(frozen=True)
class PluginSpec:
    """A plug-in: id, OFX version, input names by index, knobs by script name."""

    id: str
    major: int
    minor: int
    inputs: tuple[str, ...]
    knobs: dict[str, KnobSpec] = field(default_factory=dict)


def _d(*values: float) -> KnobSpec:
    return KnobSpec("Double", tuple(float(v) for v in values))


def _i(*values: int) -> KnobSpec:
    return KnobSpec("Int", tuple(values))


def _b(value: bool) -> KnobSpec:
    return KnobSpec("Bool", (int(value),))


def _c(*values: float) -> KnobSpec:
    return KnobSpec("Color", tuple(float(v) for v in values))


def _s(default: str = "", secret: bool = False) -> KnobSpec:
    return KnobSpec("String", (default,), secret=secret)


def _choice(options: str, default: str) -> KnobSpec:
    ids = tuple(options.split())
    return KnobSpec("Choice", (ids.index(default),), ids)


FRAME_EDGE = "hold loop bounce black error"
MERGE_OPERATIONS = ("atop average color color-burn color-dodge conjoint-over copy difference disjoint-over divide "
                    "exclusion freeze from geometric grain-extract grain-merge hard-light hue hypot in luminosity "
                    "mask matte max min minus multiply out over overlay pinlight plus reflect saturation screen "
                    "soft-light stencil under xor")
FFMPEG_CONTAINERS = "default avi flv matroska mov mp4 mpeg mpegts ogv 3g2 3gp"
FFMPEG_CODECS = ("prores_ksap4h prores_ksapch prores_ksapcn prores_ksapcs prores_ksapco avrp ayuv cfhd cinepak dnxhd "
                 "dpx exr ffv1 ffvhuff flv h263p hap huffyuv jpeg2000 jpegls ljpeg mjpeg mpeg2video mpeg4 msmpeg4v2 "
                 "msmpeg4 png qtrle svq1 targa tiff v308 v408 v410 vc2 libaom-av1 libopenjpeg librav1e libtheora "
                 "libvpx libvpx-vp9 libx264 libx264rgb libx265 libxvid libopenh264")
FORMATS = ("PC_Video NTSC PAL NTSC_16:9 PAL_16:9 HD_720 HD UHD_4K 1K_Super_35(full-ap) 1K_Cinemascope "
           "2K_Super_35(full-ap) 2K_Cinemascope 2K_DCP 4K_Super_35(full-ap) 4K_Cinemascope 4K_DCP "
           "square_256 square_512 square_1K square_2K")
BUILTIN_FORMAT_COUNT = len(FORMATS.split())

READ = PluginSpec("fr.inria.built-in.Read", 1, 0, ("Sync",), {
    "decodingPluginID": _s(secret=True),
    "filename": KnobSpec("InputFile", ("",)),
    "firstFrame": _i(0),
    "lastFrame": _i(0),
    "before": _choice(FRAME_EDGE, "hold"),
    "after": _choice(FRAME_EDGE, "hold"),
    "frameMode": _choice("startingTime timeOffset", "startingTime"),
    "startingTime": _i(0),
})

WRITE = PluginSpec("fr.inria.built-in.Write", 1, 0, ("Source",), {
    "encodingPluginID": _s(secret=True),
    "filename": KnobSpec("OutputFile", ("",)),
    "formatType": _choice("input project fixed", "project"),
    "frameRange": _choice("union project manual", "project"),
    "firstFrame": _i(0),
    "lastFrame": _i(0),
    "format": _choice(FFMPEG_CONTAINERS, "default"),
    "codec": _choice(FFMPEG_CODECS, "prores_ksap4h"),
    "codecShortName": _s(secret=True),
    "fps": _d(24),
})

REFORMAT = PluginSpec("net.sf.openfx.Reformat", 1, 1, ("Source",), {
    "reformatType": _choice("format box scale project", "project"),
    "boxSize": _i(200, 200),
    "boxFixed": _b(False),
    "resize": _choice("none width height fit fill distort", "width"),
    "reformatCentered": _b(True),
})

RETIME = PluginSpec("net.sf.openfx.Retime", 1, 0, ("Source",), {
    "speed": _d(1),
})

TRANSFORM = PluginSpec("net.sf.openfx.TransformPlugin", 1, 0, ("Source",), {
    "translate": _d(0, 0),
    "rotate": _d(0),
    "scale": _d(1, 1),
    "center": _d(0.5, 0.5),
    "motionBlur": _d(0),
    "shutter": _d(0.5),
    "black_outside": _b(True),
})

MERGE = PluginSpec("net.sf.openfx.MergePlugin", 1, 0, ("B", "A", "Mask", "A2"), {
    "operation": _choice(MERGE_OPERATIONS, "over"),
    "mix": _d(1),
})

DISSOLVE = PluginSpec("net.sf.openfx.DissolvePlugin", 1, 0, ("0", "1", "Mask", "2"), {
    "which": _d(0),
})

TEXT = PluginSpec("net.fxarena.openfx.Text", 6, 14, ("Source",), {
    "text": _s("Enter text"),
    "markup": _b(False),
    "custom": KnobSpec("InputFile", ("",)),
    "font": _s("Arial"),
    "size": _i(64),
    "color": _c(1, 1, 1, 1),
    "center": _d(0.5, 0.5),
    "scale": _d(1, 1),
    "align": _choice("Left Right Center", "Left"),
    "valign": _choice("Top Center Bottom", "Top"),
    "wrap": _choice("None Word Char Word-Char", "None"),
    "strokeSize": _d(0),
    "strokeColor": _c(1, 0, 0, 1),
})

GRADE = PluginSpec("net.sf.openfx.GradePlugin", 2, 0, ("Source", "Mask"), {
    "blackPoint": _c(0, 0, 0, 0),
    "whitePoint": _c(1, 1, 1, 1),
    "black": _c(0, 0, 0, 0),
    "white": _c(1, 1, 1, 1),
    "multiply": _c(1, 1, 1, 1),
    "offset": _c(0, 0, 0, 0),
    "gamma": _c(1, 1, 1, 1),
    "clampBlack": _b(True),
    "maskInvert": _b(False),
    "mix": _d(1),
})

COLOR_CORRECT = PluginSpec("net.sf.openfx.ColorCorrectPlugin", 2, 0, ("Source", "Mask"), {
    **{f"{zone}{what}": _c(*((0, 0, 0, 0) if what == "Offset" else (1, 1, 1, 1)))
       for zone in ("Master", "Shadows", "Midtones", "Highlights")
       for what in ("Saturation", "Contrast", "Gamma", "Gain", "Offset")},
    "mix": _d(1),
})

BLUR = PluginSpec("net.sf.cimg.CImgBlur", 3, 0, ("Source", "Mask"), {
    "size": _d(0, 0),
    "mix": _d(1),
})

GRAIN = PluginSpec("net.sf.openfx.SeGrain", 1, 0, ("Source", "Mask"), {
    "grainSeed": _d(134),
    "grainSizeAll": _d(1),
    "grainIntensityRed": _d(0.42),
    "grainIntensityGreen": _d(0.46),
    "grainIntensityBlue": _d(0.85),
    "mix": _d(1),
})

SOLID = PluginSpec("net.sf.openfx.Solid", 1, 0, ("Source",), {
    "color": _c(0, 0, 0),
})

RECTANGLE = PluginSpec("net.sf.openfx.Rectangle", 2, 1, ("Source", "Mask"), {
    "bottomLeft": _d(0, 0),
    "size": _d(1, 1),
    "softness": _d(0),
    "color0": _c(0, 0, 0, 0),
    "color1": _c(1, 1, 1, 1),
})

_SHADER_PARAM_TYPES = "none bool int float vec2 vec3 vec4"
SHADERTOY = PluginSpec("net.sf.openfx.Shadertoy", 1, 0, ("iChannel0", "iChannel1", "iChannel2", "iChannel3"), {
    "imageShaderSource": _s(),
    "paramCount": _i(0),
    **{name: spec for n in range(4) for name, spec in (
        (f"paramType{n}", _choice(_SHADER_PARAM_TYPES, "none")),
        (f"paramName{n}", _s()),
        (f"paramLabel{n}", _s()),
        (f"paramValueFloat{n}", _d(0)),
        (f"paramValueInt{n}", _i(0)),
    )},
})

FRAME_HOLD = PluginSpec("net.sf.openfx.FrameHold", 1, 0, ("Source",), {
    "firstFrame": _i(0),
})

DOT = PluginSpec("fr.inria.built-in.Dot", 1, 0, ("",), {})
VIEWER = PluginSpec("fr.inria.built-in.Viewer", 1, 0, ("1",), {})

PLUGINS: dict[str, PluginSpec] = {spec.id: spec for spec in (
    READ, WRITE, REFORMAT, RETIME, TRANSFORM, MERGE, DISSOLVE, TEXT, GRADE, COLOR_CORRECT, BLUR, GRAIN,
    SOLID, RECTANGLE, SHADERTOY, FRAME_HOLD, DOT, VIEWER)}

# Project settings knobs (Project element), as a 2.3 project saves them.
PROJECT_KNOBS: dict[str, KnobSpec] = {
    "outputFormat": KnobSpec("Choice", (6,), tuple(FORMATS.split())),
    "frameRange": _i(1, 250),
    "frameRate": _d(24),
}
