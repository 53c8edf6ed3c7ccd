"""FCPXML 1.8, the version Resolve 18.5+ imports (1.8–1.10 accepted; 1.8 keeps ``asset src`` as an attribute,
which the OpenTimelineIO reader also understands — 1.9+ moves it into ``media-rep``).

Every time is a whole number of frames written as a rational ``N/FPSs`` (``0s`` for zero), so nothing is
off a frame boundary. The spine holds the scene clips (gaps where no scene plays); everything else is
anchored to the spine item it starts in: the kinetic text titles (lane 1, disabled), the voice (lane -1), the
music with its volume keyframes (lane -2), the SFX (lane -3). A marker on each scene clip carries id and line.
"""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from cmfc.backends.resolve.edit import Clip, Edit, Title, xml_safe
from cmfc.ir.values import format_decimal

VERSION = "1.8"
BASIC_TITLE_UID = ".../Titles.localized/Bumper:Opener.localized/Basic Title.localized/Basic Title.moti"
LANES = {0: -1, 1: -2, 2: -3}  # audio track index -> lane under the spine


def rational(frames: int, fps: int) -> str:
    """``frames`` at ``fps`` as an FCPXML time: ``0s``, ``2s`` or ``7/24s``."""
    if frames == 0:
        return "0s"
    if frames % fps == 0:
        return f"{frames // fps}s"
    return f"{frames}/{fps}s"


def _db(value: Decimal) -> str:
    return f"{format_decimal(value)}dB"
HEADER = b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n'


def _sub(parent, tag: str, **attrib) -> etree._Element:
    return etree.SubElement(parent, tag, {k: xml_safe(str(v)) for k, v in attrib.items()})


# Apple's predefined formats are landscape (FFVideoFormat1080p30 in the samples); a vertical or custom size
# has no predefined name, so the format carries none and is defined by its size and frame duration alone
# (``name`` is optional in the FCPXML 1.8 DTD).
APPLE_FORMATS = frozenset({(1280, 720), (1920, 1080), (3840, 2160)})


class _Writer:
    def __init__(self, edit: Edit):
        self.edit = edit
        self.fps = edit.fps
        media = edit.media()
        self.asset_ids = {m.key: f"r{n}" for n, m in enumerate(media, 2)}
        self.title_effect = f"r{len(media) + 2}"

    def t(self, frames: int) -> str:
        return rational(frames, self.fps)

    def document(self) -> bytes:
        edit = self.edit
        root = etree.Element("fcpxml", version=VERSION)
        resources = _sub(root, "resources")
        named = {"name": f"FFVideoFormat{edit.height}p{edit.fps}"} if (edit.width, edit.height) in APPLE_FORMATS else {}
        _sub(resources, "format", id="r1", **named,
             frameDuration=rational(1, edit.fps), width=edit.width, height=edit.height,
             colorSpace="1-1-1 (Rec. 709)")
        for media in edit.media():
            attrib = {"id": self.asset_ids[media.key], "name": media.name, "src": media.url, "start": "0s",
                      "duration": self.t(media.frames)}
            if media.video:
                attrib.update(hasVideo="1", format="r1", hasAudio="0")
            else:
                attrib.update(hasAudio="1", audioSources="1", audioChannels=str(media.channels or 2),
                              audioRate="48000")
            _sub(resources, "asset", **attrib)
        if edit.titles:
            _sub(resources, "effect", id=self.title_effect, name="Basic Title", uid=BASIC_TITLE_UID)
        library = _sub(root, "library")
        event = _sub(library, "event", name=edit.name)
        project = _sub(event, "project", name=edit.name)
        sequence = _sub(project, "sequence", format="r1", duration=self.t(edit.duration), tcStart="0s",
                        tcFormat="NDF", audioLayout="stereo", audioRate="48k")
        spine = _sub(sequence, "spine")
        self.items = self.spine_items(spine)
        anchored: dict[int, list] = {id(element): [] for _, _, element in self.items}
        for title in edit.titles:
            anchored[id(self.parent_of(title.rec_in)[2])].append((1, title.rec_in, title))
        for index, track in enumerate(edit.audio):
            for clip in track:
                anchored[id(self.parent_of(clip.rec_in)[2])].append((LANES[index], clip.rec_in, clip))
        for start, _, element in self.items:
            for lane, _, item in sorted(anchored[id(element)], key=lambda entry: (-entry[0], entry[1])):
                if isinstance(item, Title):
                    self.title(element, start, lane, item)
                else:
                    self.audio_clip(element, start, lane, item)
            for marker in self.markers_at(start, element):
                element.append(marker)
        return HEADER + etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)

    def spine_items(self, spine) -> list[tuple[int, int, etree._Element]]:
        """Scene clips and the gaps between them: (record start, record end, element), covering the timeline."""
        items, at = [], 0
        self.source_in: dict[int, int] = {}
        end = max([self.edit.duration] + [clip.rec_out for clip in self.edit.video])
        for clip in sorted(self.edit.video, key=lambda c: c.rec_in):
            if clip.rec_in > at:
                items.append((at, clip.rec_in, _sub(spine, "gap", name="Gap", offset=self.t(at), start="0s",
                                                    duration=self.t(clip.rec_in - at))))
            element = _sub(spine, "asset-clip", ref=self.asset_ids[clip.media.key], offset=self.t(clip.rec_in),
                           name=clip.name, start=self.t(clip.src_in), duration=self.t(clip.length), tcFormat="NDF")
            self.source_in[id(element)] = clip.src_in
            items.append((clip.rec_in, clip.rec_out, element))
            at = clip.rec_out
        if end > at or not items:
            items.append((at, max(end, at + 1), _sub(spine, "gap", name="Gap", offset=self.t(at), start="0s",
                                                       duration=self.t(max(end, at + 1) - at))))
        return items

    def parent_of(self, frame: int):
        for item in self.items:
            if item[0] <= frame < item[1]:
                return item
        return self.items[-1]

    def local(self, parent_start: int, parent: etree._Element, frame: int) -> str:
        """A record frame in the parent's time base (its source start plus the distance from its record start)."""
        return self.t(self.source_in.get(id(parent), 0) + frame - parent_start)

    def title(self, parent, parent_start: int, lane: int, title: Title) -> None:
        edit = self.edit
        element = _sub(parent, "title", ref=self.title_effect, lane=lane, offset=self.local(parent_start, parent,
                       title.rec_in), name=title.name, start="0s", duration=self.t(title.length), enabled="0")
        style_id = f"ts-{title.name.split()[0]}"
        text = _sub(element, "text")
        _sub(text, "text-style", ref=style_id).text = xml_safe(title.text)
        definition = _sub(element, "text-style-def", id=style_id)
        _sub(definition, "text-style", fontSize=str(round(edit.height * 0.06)), fontColor="1 1 1 1",
             alignment="center")

    def audio_clip(self, parent, parent_start: int, lane: int, clip: Clip) -> None:
        element = _sub(parent, "asset-clip", ref=self.asset_ids[clip.media.key], lane=lane,
                       offset=self.local(parent_start, parent, clip.rec_in), name=clip.name,
                       start=self.t(clip.src_in), duration=self.t(clip.length), tcFormat="NDF")
        if clip.gain:
            volume = _sub(element, "adjust-volume")
            param = _sub(volume, "param", name="amount")
            animation = _sub(param, "keyframeAnimation")
            for frame, db in clip.gain:
                _sub(animation, "keyframe", time=self.t(clip.src_in + frame - clip.rec_in), value=_db(db))
        elif clip.gain_db:
            _sub(element, "adjust-volume", amount=_db(clip.gain_db))

    def markers_at(self, start: int, element) -> list:
        if element.tag != "asset-clip":
            return []
        markers = []
        for marker in self.edit.markers:
            if marker.frame == start:
                local = self.source_in.get(id(element), 0) + marker.frame - start
                markers.append(etree.Element("marker", start=self.t(local), duration=rational(1, self.fps),
                                             value=marker.name, note=marker.comment))
        return markers


def write(edit: Edit) -> bytes:
    """The edit as an FCPXML 1.8 document (UTF-8)."""
    return _Writer(edit).document()
