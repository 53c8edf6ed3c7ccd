"""Lower a parsed .cmf Document to blueprint-shaped data plus a map of source positions.

The result has exactly the shape of ``ProjectSpec`` (the YAML blueprint form), so a
script and a blueprint go through the same validation (``cmfc.lower.spec``) and every
error points into the file the user wrote.
"""

from __future__ import annotations

from typing import Any, Callable

from cmfc.diagnostics import Diagnostics, Span, suggest
from cmfc.ir.models import FIT_MODES, HERO_KINDS, MOTION_KINDS, PANS, PLACEMENTS
from cmfc.ir.values import Color, Level, Loudness, Time, ValueError_, parse_format, parse_number, parse_range
from cmfc.syntax.tree import Arg, Document, Statement

Positions = dict[tuple, Span]

TOP_LEVEL = ("cmf", "project", "character", "scene")
PROJECT_STATEMENTS = ("format", "seed", "brand", "voice", "music", "sfx_library")
BRAND_STATEMENTS = ("base", "highlight", "font", "keywords")
VOICE_STATEMENTS = ("words", "loudness")
MUSIC_STATEMENTS = ("arc", "duck", "snap")
SFX_LIBRARY_STATEMENTS = ("auto", "trigger")
CHARACTER_STATEMENTS = ("lora", "anchor")
SCENE_STATEMENTS = ("line", "subject", "hero", "light", "motion", "text", "fx", "afx", "sfx", "fit", "takes", "pick",
                    "snap")
SCENE_SINGLE = ("line", "subject", "hero", "light", "motion", "text", "fit", "takes", "pick", "snap")
# The statements that take an indented block; any other statement's indented lines are an error.
BLOCK_STATEMENTS = ("project", "character", "scene", "brand", "voice", "music", "sfx_library")
ALL_STATEMENTS = TOP_LEVEL + PROJECT_STATEMENTS + BRAND_STATEMENTS + VOICE_STATEMENTS + MUSIC_STATEMENTS \
    + SFX_LIBRARY_STATEMENTS + CHARACTER_STATEMENTS + SCENE_STATEMENTS


class _Skip(Exception):
    """A statement was reported as wrong; skip the rest of it."""


class Args:
    """A cursor over a statement's arguments that reports what was expected, where."""

    def __init__(self, statement: Statement, diagnostics: Diagnostics, usage: str):
        self.statement = statement
        self.items = list(statement.args)
        self.index = 0
        self.diagnostics = diagnostics
        self.usage = usage

    def _fail(self, span: Span, message: str) -> None:
        self.diagnostics.error(span, message, hint=f"write it as: {self.usage}")
        raise _Skip

    def peek(self) -> Arg | None:
        return self.items[self.index] if self.index < len(self.items) else None

    def take(self, what: str) -> Arg:
        arg = self.peek()
        if arg is None:
            self._fail(self.statement.end_span(), f"{self.statement.keyword}: expected {what} here")
        self.index += 1
        return arg

    def string(self, what: str) -> tuple[str, Span]:
        arg = self.take(what)
        if arg.kind != "string":
            quoted = what if "double quotes" in what else f"{what} in double quotes"
            self._fail(arg.span, f"{self.statement.keyword}: expected {quoted}, got {arg.raw}")
        return arg.value, arg.span

    def word(self, what: str) -> tuple[str, Span]:
        arg = self.take(what)
        if arg.kind != "word":
            self._fail(arg.span, f"{self.statement.keyword}: expected {what}, got {arg.raw}")
        return arg.value, arg.span

    def choice(self, what: str, choices: tuple[str, ...]) -> tuple[str, Span]:
        value, span = self.word(what)
        if value not in choices:
            self.diagnostics.error(span, f"{self.statement.keyword}: {value} is not {what}; expected one of "
                                   + ", ".join(choices), hint=suggest(value, choices))
            raise _Skip
        return value, span

    def value(self, what: str, parse: Callable[[str], Any]) -> tuple[Any, Span]:
        arg = self.take(what)
        try:
            return parse(arg.value), arg.span
        except ValueError_ as error:
            self._fail(arg.span, f"{self.statement.keyword}: {error}, got {arg.raw}")

    def keyword(self, name: str) -> bool:
        arg = self.peek()
        if arg is not None and arg.kind == "word" and arg.value == name:
            self.index += 1
            return True
        return False

    def done(self) -> None:
        arg = self.peek()
        if arg is not None:
            self._fail(arg.span, f"{self.statement.keyword}: unexpected {arg.raw}")


def lower_document(document: Document, diagnostics: Diagnostics) -> tuple[dict, Positions]:
    """Turn a Document into ProjectSpec-shaped data and the source position of every value."""
    lowering = _Lowering(document, diagnostics)
    lowering.run()
    return lowering.data, lowering.positions


class _Lowering:
    def __init__(self, document: Document, diagnostics: Diagnostics):
        self.document = document
        self.diag = diagnostics
        self.data: dict[str, Any] = {"characters": [], "scenes": []}
        self.positions: Positions = {(): Span(document.path, 1, 1)}

    def at(self, key: tuple, span: Span) -> None:
        self.positions[key] = span

    # -- structure -------------------------------------------------------------------------
    def run(self) -> None:
        statements = self.document.statements
        if not statements or statements[0].keyword != "cmf":
            span = statements[0].span if statements else Span(self.document.path, 1, 1)
            self.diag.error(span, "a .cmf script starts with its language version: cmf 1")
        seen_project = None
        for statement in statements:
            handler = {"cmf": self.cmf, "project": self.project, "character": self.character,
                       "scene": self.scene}.get(statement.keyword)
            if handler is None:
                self.unknown(statement, TOP_LEVEL, "at the top level")
                continue
            if statement.keyword == "project":
                if seen_project is not None:
                    self.diag.error(statement.span, "a script has one project block; this is a second one",
                                    hint=f"the first is on line {seen_project.line}")
                    continue
                seen_project = statement.span
            if statement.keyword in ("cmf",) and statement.children:
                self.diag.error(statement.children[0].span, "cmf takes no indented block")
            self.guard(handler, statement)
        if seen_project is None and statements:
            self.diag.error(Span(self.document.path, 1, 1), "the script has no project block",
                            hint='add: project PROJ_Name "Title" with its voice')
        # Lists get the position of their first element, so errors about an item never fall back to 1:1.
        for field in ("scenes", "characters", "sfx_triggers"):
            if (field, 0) in self.positions:
                self.positions.setdefault((field,), self.positions[(field, 0)])

    def guard(self, handler: Callable[[Statement], None], statement: Statement) -> None:
        try:
            handler(statement)
        except _Skip:
            pass

    def unknown(self, statement: Statement, allowed: tuple[str, ...], where: str) -> None:
        keyword = statement.keyword
        if keyword in ALL_STATEMENTS:
            owner = _owner_of(keyword)
            self.diag.error(statement.span, f"{keyword} does not belong {where}",
                            hint=f"{keyword} goes inside {owner}; check its indentation")
        else:
            self.diag.error(statement.span, f"unknown statement {keyword} {where}; expected one of "
                            + ", ".join(allowed), hint=suggest(keyword, allowed))

    def children(self, statement: Statement, handlers: dict[str, Callable[[Statement], None]], where: str,
                 single: tuple[str, ...] = ()) -> None:
        seen: dict[str, Span] = {}
        for child in statement.children:
            handler = handlers.get(child.keyword)
            if handler is None:
                self.unknown(child, tuple(handlers), where)
                continue
            if child.keyword in single and child.keyword in seen:
                self.diag.error(child.span, f"{child.keyword} is given twice {where}",
                                hint=f"the first is on line {seen[child.keyword].line}; keep one")
                continue
            seen[child.keyword] = child.span
            self.guard(handler, child)
            if child.children and child.keyword not in BLOCK_STATEMENTS:
                self.indented_under(child, handlers, where)

    def indented_under(self, statement: Statement, siblings, where: str) -> None:
        """``statement`` takes no block but has indented lines: each is an error, never silently dropped."""
        kind = where.removeprefix("in ").removeprefix("the ").removeprefix("a ").removesuffix(" block")
        for child in statement.children:
            if child.keyword in siblings:
                self.diag.error(child.span, f"unexpected indent: {child.keyword} is a {kind} statement; "
                                "indent it like the others",
                                hint=f"it sits under {statement.keyword} (line {statement.line}), which takes no indented block")
            else:
                self.diag.error(child.span, f"unexpected indent: {statement.keyword} takes no indented block",
                                hint=f"line {child.line} is indented under {statement.keyword} on line "
                                f"{statement.line}; remove the extra indentation")

    def no_block(self, statement: Statement) -> None:
        if statement.children:
            self.diag.error(statement.children[0].span, f"{statement.keyword} takes no indented block")

    # -- top level -------------------------------------------------------------------------
    def cmf(self, statement: Statement) -> None:
        args = Args(statement, self.diag, "cmf 1")
        version, span = args.value("the language version", _int)
        args.done()
        self.data["cmf"] = version
        self.at(("cmf",), span)

    def project(self, statement: Statement) -> None:
        args = Args(statement, self.diag, 'project PROJ_Name "Title"')
        project_id, span = args.word("a project id like PROJ_Alpha")
        self.data["id"] = project_id
        self.at(("id",), span)
        if args.peek() is not None:
            title, title_span = args.string("the title")
            self.data["title"] = title
            self.at(("title",), title_span)
        args.done()
        self.at(("voice",), statement.span)
        self.children(statement, {
            "format": self.format, "seed": self.seed, "brand": self.brand, "voice": self.voice,
            "music": self.music, "sfx_library": self.sfx_library,
        }, "in the project block", single=PROJECT_STATEMENTS)

    def format(self, statement: Statement) -> None:
        args = Args(statement, self.diag, "format 1080x1920 24fps")
        size, size_span = args.word("a frame size like 1080x1920")
        rate, rate_span = args.word("a frame rate like 24fps")
        args.done()
        try:
            width, height, fps = parse_format(size, rate)
        except ValueError_ as error:
            bad = size_span if "size" in str(error) else rate_span
            self.diag.error(bad, f"format: {error}")
            return
        self.data["format"] = {"width": width, "height": height, "fps": fps}
        for key in ("width", "height"):
            self.at(("format", key), size_span)
        self.at(("format", "fps"), rate_span)
        self.at(("format",), statement.span)

    def seed(self, statement: Statement) -> None:
        args = Args(statement, self.diag, "seed 42")
        value, span = args.value("a whole number", _int)
        args.done()
        self.data["seed"] = value
        self.at(("seed",), span)

    def brand(self, statement: Statement) -> None:
        Args(statement, self.diag, "brand").done()
        self.data["brand"] = brand = {}
        self.at(("brand",), statement.span)

        def colour(key: str) -> Callable[[Statement], None]:
            def handle(child: Statement) -> None:
                args = Args(child, self.diag, f"{key} #FFD400")
                arg = args.take("a colour like #FFD400")
                if arg.kind != "color":
                    self.diag.error(arg.span, f"{key}: expected a colour like #FFD400, got {arg.raw}")
                    return
                args.done()
                brand[key] = str(Color.parse(arg.value))
                self.at(("brand", key), arg.span)
            return handle

        def font(child: Statement) -> None:
            args = Args(child, self.diag, 'font "assets/fonts/Brand.ttf"')
            brand["font"], span = args.string("the font file's path")
            args.done()
            self.at(("brand", "font"), span)

        def keywords(child: Statement) -> None:
            args = Args(child, self.diag, 'keywords "money" "win"')
            words = []
            while args.peek() is not None:
                word, span = args.string("a keyword")
                self.at(("brand", "keywords", len(words)), span)
                words.append(word)
            brand["keywords"] = words

        self.children(statement, {"base": colour("base"), "highlight": colour("highlight"), "font": font,
                                  "keywords": keywords}, "in the brand block", single=BRAND_STATEMENTS)

    def voice(self, statement: Statement) -> None:
        args = Args(statement, self.diag, 'voice "audio/voice.wav"')
        path, span = args.string("the voice-over file's path")
        args.done()
        self.data["voice"] = voice = {"path": path}
        self.at(("voice", "path"), span)
        self.at(("voice",), statement.span)

        def words(child: Statement) -> None:
            child_args = Args(child, self.diag, 'words "audio/voice.words.json"')
            voice["words"], words_span = child_args.string("the word timings file's path")
            child_args.done()
            self.at(("voice", "words"), words_span)

        def loudness(child: Statement) -> None:
            child_args = Args(child, self.diag, "loudness -14LUFS")
            value, value_span = child_args.value("a loudness like -14LUFS", Loudness.parse)
            child_args.done()
            voice["loudness"] = str(value)
            self.at(("voice", "loudness"), value_span)

        self.children(statement, {"words": words, "loudness": loudness}, "in the voice block",
                      single=VOICE_STATEMENTS)

    def music(self, statement: Statement) -> None:
        args = Args(statement, self.diag, 'music "audio/bed.wav"')
        path, span = args.string("the music file's path")
        args.done()
        self.data["music"] = music = {"path": path}
        self.at(("music", "path"), span)
        self.at(("music",), statement.span)

        def arc(child: Statement) -> None:
            child_args = Args(child, self.diag, "arc the_rally")
            music["arc"], arc_span = child_args.word("a sonic arc name")
            child_args.done()
            self.at(("music", "arc"), arc_span)

        def duck(child: Statement) -> None:
            child_args = Args(child, self.diag, "duck -12dB")
            value, value_span = child_args.value("a level like -12dB", Level.parse)
            child_args.done()
            music["duck"] = str(value)
            self.at(("music", "duck"), value_span)

        def snap(child: Statement) -> None:
            music["snap"] = self.snap(child, ("music", "snap"))

        self.children(statement, {"arc": arc, "duck": duck, "snap": snap}, "in the music block",
                      single=MUSIC_STATEMENTS)

    def snap(self, statement: Statement, key: tuple) -> dict:
        """``snap beats|onsets|off [tolerance 120ms]`` → Snap data."""
        args = Args(statement, self.diag, "snap beats tolerance 120ms  |  snap onsets  |  snap off")
        mode, span = args.choice("what to snap cuts to", ("beats", "onsets", "off"))
        snap: dict = {"mode": mode}
        self.at(key, span)
        self.at(key + ("mode",), span)
        if args.keyword("tolerance"):
            snap["tolerance"], tolerance_span = args.value("a tolerance like 120ms", parse_time)
            self.at(key + ("tolerance",), tolerance_span)
        args.done()
        return snap

    def sfx_library(self, statement: Statement) -> None:
        args = Args(statement, self.diag, 'sfx_library "assets/sfx"')
        self.data["sfx_library"], span = args.string("the SFX folder's path")
        args.done()
        self.at(("sfx_library",), span)

        def auto(child: Statement) -> None:
            Args(child, self.diag, "auto").done()
            self.data["sfx_auto"] = True
            self.at(("sfx_auto",), child.span)

        def trigger(child: Statement) -> None:
            child_args = Args(child, self.diag, 'trigger "deadline" clock_tick_01')
            word, word_span = child_args.string("the trigger word, in double quotes")
            sfx, sfx_span = child_args.word("the SFX name")
            child_args.done()
            triggers = self.data.setdefault("sfx_triggers", [])
            key = ("sfx_triggers", len(triggers))
            self.at(key, word_span)
            self.at(key + ("word",), word_span)
            self.at(key + ("sfx",), sfx_span)
            triggers.append({"word": word, "sfx": sfx})

        self.children(statement, {"auto": auto, "trigger": trigger}, "in the sfx_library block",
                      single=("auto",))

    def character(self, statement: Statement) -> None:
        args = Args(statement, self.diag, "character coach")
        character_id, span = args.word("a character id like coach")
        args.done()
        index = len(self.data["characters"])
        self.data["characters"].append(character := {"id": character_id})
        key = ("characters", index)
        self.at(key, span)
        self.at(key + ("id",), span)

        def lora(child: Statement) -> None:
            child_args = Args(child, self.diag, 'lora "models/coach.safetensors" strength 0.8')
            path, path_span = child_args.string("the LoRA file's path")
            character["lora"] = {"path": path}
            self.at(key + ("lora",), path_span)
            self.at(key + ("lora", "path"), path_span)
            if child_args.keyword("strength"):
                strength, strength_span = child_args.value("a strength like 0.8", parse_number)
                character["lora"]["strength"] = float(strength)
                self.at(key + ("lora", "strength"), strength_span)
            child_args.done()

        def anchor(child: Statement) -> None:
            child_args = Args(child, self.diag, 'anchor "Marcus, 42, navy overcoat"')
            character["anchor"], anchor_span = child_args.string("the visual anchor block")
            child_args.done()
            self.at(key + ("anchor",), anchor_span)

        self.children(statement, {"lora": lora, "anchor": anchor}, "in a character block",
                      single=CHARACTER_STATEMENTS)

    def scene(self, statement: Statement) -> None:
        from cmfc.lower.scene_statements import lower_scene  # the scene vocabulary lives in its own module

        lower_scene(self, statement)


def _owner_of(keyword: str) -> str:
    for owner, names in (("the project block", PROJECT_STATEMENTS), ("the brand block", BRAND_STATEMENTS),
                         ("the voice block", VOICE_STATEMENTS), ("the music block", MUSIC_STATEMENTS),
                         ("the sfx_library block", SFX_LIBRARY_STATEMENTS),
                         ("a character block", CHARACTER_STATEMENTS), ("a scene block", SCENE_STATEMENTS)):
        if keyword in names:
            return owner
    return "the top level"


def _int(text: str) -> int:
    if not text.isdigit():
        raise ValueError_("expected a whole number like 42")
    return int(text)


def parse_time(text: str) -> str:
    """A time's canonical text (validated)."""
    return str(Time.parse(text))


def parse_time_range(text: str) -> tuple[str, str]:
    """``A..B`` → canonical texts of A and B."""
    return parse_range(text, parse_time)


__all__ = ["Args", "lower_document", "parse_time", "parse_time_range", "FIT_MODES", "HERO_KINDS", "MOTION_KINDS",
           "PANS", "PLACEMENTS"]
