"""FCP 7 XML (``xmeml`` v5), the interchange Resolve and Premiere both import.

Follows ../shared/resolve/NOTES.md §2: a ``<format>`` under ``media/video``; a ``<rate>`` on the sequence,
every clip item and file; each ``<file id>`` defined in full on first use and referenced empty afterwards;
clip item ids unique across tracks; sequence markers with ``in``/``out``; music levels as an "Audio Levels"
filter with keyframes (linear gain, 1.0 = 0 dB).
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from cmfc.backends.resolve.edit import Clip, Edit, Media, xml_safe

E = etree.Element
TEXT_EFFECT = "Text"  # FCP 7's built-in Text generator; Resolve maps it to a Text title
HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n'


def _sub(parent, tag: str, text: str | int | None = None, **attrib) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrib.items()})
    if text is not None:
        element.text = xml_safe(str(text))
    return element


def _rate(parent, fps: int) -> None:
    rate = _sub(parent, "rate")
    _sub(rate, "timebase", fps)
    _sub(rate, "ntsc", "FALSE")


def _timecode(parent, fps: int) -> None:
    timecode = _sub(parent, "timecode")
    _rate(timecode, fps)
    _sub(timecode, "string", "00:00:00:00")
    _sub(timecode, "frame", 0)
    _sub(timecode, "displayformat", "NDF")


def gain_linear(db: Decimal) -> str:
    """A decibel level as FCP 7's linear level (1 = unity), to 6 decimals, trailing zeros dropped."""
    value = Decimal(10) ** (db / Decimal(20))
    text = format(value.quantize(Decimal("0.000001")), "f").rstrip("0").rstrip(".")
    return text or "0"


class _Writer:
    def __init__(self, edit: Edit):
        self.edit = edit
        self.defined: set[str] = set()
        self.ids: dict[str, str] = {m.key: f"file-{n}" for n, m in enumerate(edit.media(), 1)}
        self.clip_number = 0

    def document(self) -> bytes:
        edit = self.edit
        root = E("xmeml", version="5")
        sequence = _sub(root, "sequence", id="sequence-1")
        _sub(sequence, "uuid", _uuid(edit.name))
        _sub(sequence, "name", edit.name)
        _sub(sequence, "duration", edit.duration)
        _rate(sequence, edit.fps)
        _timecode(sequence, edit.fps)
        media = _sub(sequence, "media")
        video = _sub(media, "video")
        characteristics = _sub(_sub(video, "format"), "samplecharacteristics")
        _rate(characteristics, edit.fps)
        _sub(characteristics, "width", edit.width)
        _sub(characteristics, "height", edit.height)
        _sub(characteristics, "anamorphic", "FALSE")
        _sub(characteristics, "pixelaspectratio", "square")
        _sub(characteristics, "fielddominance", "none")
        v1 = _sub(video, "track")
        for clip in edit.video:
            self.clipitem(v1, clip, "video")
        v2 = _sub(video, "track")
        for title in edit.titles:
            self.generator(v2, title)
        audio = _sub(media, "audio")
        _sub(audio, "numOutputChannels", 2)
        audio_chars = _sub(_sub(audio, "format"), "samplecharacteristics")
        _sub(audio_chars, "depth", 16)
        _sub(audio_chars, "samplerate", 48000)
        for track_clips in edit.audio:
            track = _sub(audio, "track")
            for clip in track_clips:
                self.clipitem(track, clip, "audio")
        for marker in edit.markers:
            element = _sub(sequence, "marker")
            _sub(element, "name", marker.name)
            _sub(element, "comment", marker.comment)
            _sub(element, "in", marker.frame)
            _sub(element, "out", -1)
        body = HEADER + etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
        return body

    def clipitem(self, track, clip: Clip, kind: str) -> None:
        fps = self.edit.fps
        self.clip_number += 1
        item = _sub(track, "clipitem", id=f"clipitem-{self.clip_number}")
        _sub(item, "masterclipid", f"masterclip-{self.ids[clip.media.key].split('-')[1]}")
        _sub(item, "name", clip.name)
        _sub(item, "enabled", "TRUE")
        _sub(item, "duration", clip.media.frames)
        _rate(item, fps)
        _sub(item, "start", clip.rec_in)
        _sub(item, "end", clip.rec_out)
        _sub(item, "in", clip.src_in)
        _sub(item, "out", clip.src_out)
        self.file(item, clip.media)
        if kind == "audio":
            source = _sub(item, "sourcetrack")
            _sub(source, "mediatype", "audio")
            _sub(source, "trackindex", 1)
        if clip.gain:
            self.levels(item, [(frame - clip.rec_in + clip.src_in, db) for frame, db in clip.gain])
        elif clip.gain_db:
            self.levels(item, [], constant=clip.gain_db)

    def file(self, parent, media: Media) -> None:
        file_id = self.ids[media.key]
        if file_id in self.defined:
            _sub(parent, "file", id=file_id)
            return
        self.defined.add(file_id)
        fps = self.edit.fps
        element = _sub(parent, "file", id=file_id)
        _sub(element, "name", media.name)
        _sub(element, "pathurl", media.url)
        _rate(element, fps)
        _sub(element, "duration", media.frames)
        _timecode(element, fps)
        described = _sub(element, "media")
        if media.video:
            characteristics = _sub(_sub(described, "video"), "samplecharacteristics")
            _rate(characteristics, fps)
            _sub(characteristics, "width", self.edit.width)
            _sub(characteristics, "height", self.edit.height)
            _sub(characteristics, "anamorphic", "FALSE")
            _sub(characteristics, "pixelaspectratio", "square")
            _sub(characteristics, "fielddominance", "none")
        else:
            audio = _sub(described, "audio")
            characteristics = _sub(audio, "samplecharacteristics")
            _sub(characteristics, "depth", 16)
            _sub(characteristics, "samplerate", 48000)
            _sub(audio, "channelcount", media.channels or 2)

    def levels(self, item, keys: list[tuple[int, Decimal]], constant: Decimal = Decimal(0)) -> None:
        effect = _sub(_sub(item, "filter"), "effect")
        _sub(effect, "name", "Audio Levels")
        _sub(effect, "effectid", "audiolevels")
        _sub(effect, "effectcategory", "audiolevels")
        _sub(effect, "effecttype", "audiolevels")
        _sub(effect, "mediatype", "audio")
        parameter = _sub(effect, "parameter", authoringApp="PremierePro")
        _sub(parameter, "parameterid", "level")
        _sub(parameter, "name", "Level")
        _sub(parameter, "valuemin", 0)
        _sub(parameter, "valuemax", 3.98109)
        _sub(parameter, "value", gain_linear(keys[0][1] if keys else constant))
        for frame, db in keys:
            keyframe = _sub(parameter, "keyframe")
            _sub(keyframe, "when", frame)
            _sub(keyframe, "value", gain_linear(db))

    def generator(self, track, title) -> None:
        self.clip_number += 1
        fps = self.edit.fps
        item = _sub(track, "generatoritem", id=f"clipitem-{self.clip_number}")
        _sub(item, "name", title.name)
        # burned into the fabricated clip already (Natron composite): here to edit, off by default
        _sub(item, "enabled", "FALSE")
        _sub(item, "duration", title.length)
        _rate(item, fps)
        _sub(item, "start", title.rec_in)
        _sub(item, "end", title.rec_in + title.length)
        _sub(item, "in", 0)
        _sub(item, "out", title.length)
        effect = _sub(item, "effect")
        _sub(effect, "name", TEXT_EFFECT)
        _sub(effect, "effectid", TEXT_EFFECT)
        _sub(effect, "effectcategory", "Text")
        _sub(effect, "effecttype", "generator")
        _sub(effect, "mediatype", "video")
        for parameter_id, name, value in (("str", "Text", title.text), ("origin", "Origin", _origin(title.y))):
            parameter = _sub(effect, "parameter")
            _sub(parameter, "parameterid", parameter_id)
            _sub(parameter, "name", name)
            _sub(parameter, "value", value)


def _origin(y: float) -> str:
    """The resolved text centre as FCP 7's Text origin (-0.5 top .. 0.5 bottom, x then y)."""
    return f"0 {round(y - 0.5, 6):g}"


def _uuid(name: str) -> str:
    """A stable UUID for the sequence (derived from the project id, so the bytes never change)."""
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"cmfc:resolve:{name}")).upper()


def write(edit: Edit) -> bytes:
    """The edit as an xmeml v5 document (UTF-8)."""
    return _Writer(edit).document()
