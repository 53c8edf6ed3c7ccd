"""Spec edits as data: set, add or remove one statement of one scene.

An edit speaks the script's language (``pick v02``, ``fx grain``, ``text "…" upper_third``) whatever
form the spec is in; ``cmfc.edit.cmf_text`` applies it to a script, ``cmfc.edit.blueprint_text`` to a
YAML/JSON blueprint. Arguments are typed (a bare word or a quoted string), so a value is escaped once,
here, and never spliced into source text as written by a user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from cmfc.diagnostics import suggest
from cmfc.ir.models import MOTION_KINDS
from cmfc.lower.from_cmf import SCENE_SINGLE, SCENE_STATEMENTS
from cmfc.syntax.tree import escape_string

# Statements a scene may hold several of; the others appear at most once.
SCENE_MULTI = tuple(k for k in SCENE_STATEMENTS if k not in SCENE_SINGLE)
_WORD = re.compile(r'[^\s"#]+\Z')


class EditError(Exception):
    """An edit that cannot be expressed or has no target (exit 2 on the command line): say what is valid."""


@dataclass(frozen=True)
class Word:
    """A bare word argument (a name, a number, a time)."""

    text: str

    def __post_init__(self):
        if not _WORD.match(self.text) or self.text.startswith("#"):
            raise EditError(f"{self.text!r} is not a single word (no spaces, quotes or #); "
                            "quote it if it is text")

    def source(self) -> str:
        return self.text


@dataclass(frozen=True)
class Text:
    """A quoted string argument; its value is escaped when written."""

    value: str

    def source(self) -> str:
        return escape_string(self.value)


Arg = Word | Text


@dataclass(frozen=True)
class Edit:
    """One change to one scene.

    ``set``: the scene's single ``keyword`` statement becomes ``keyword args`` (added when missing).
    ``add``: a new ``keyword args`` statement (``fx``/``afx``/``sfx``; a single one only when missing).
    ``remove``: the scene's ``keyword`` statements whose first arguments are ``args`` (all of them when
    ``args`` is empty); ``keyword`` ``*`` removes an fx, afx or sfx of that name, whichever the scene has.
    """

    scene: str
    op: Literal["set", "add", "remove"]
    keyword: str
    args: tuple[Arg, ...] = field(default=())

    def __post_init__(self):
        if self.op not in ("set", "add", "remove"):
            raise EditError(f"unknown edit {self.op}; edits: set, add, remove")
        if self.keyword == "*" and self.op == "remove":
            return
        if self.keyword not in SCENE_STATEMENTS:
            raise EditError(f"{self.keyword} is not a scene statement; scene statements: "
                            + ", ".join(SCENE_STATEMENTS) + _hint(self.keyword, SCENE_STATEMENTS))
        if self.op == "set" and self.keyword in SCENE_MULTI:
            raise EditError(f"a scene may hold several {self.keyword} statements, so there is none to set; "
                            f"add or remove one ({self.keyword} NAME …)")
        if self.op != "remove" and not self.args:
            raise EditError(f"{self.keyword} needs a value")

    def statement_source(self) -> str:
        """The statement as a script line (without indentation)."""
        return " ".join([self.keyword] + [arg.source() for arg in self.args])

    def describe(self) -> str:
        what = self.statement_source() if self.keyword != "*" else " ".join(a.source() for a in self.args)
        return {"set": f"{self.scene}: {what}", "add": f"{self.scene}: + {what}",
                "remove": f"{self.scene}: no {what}"}[self.op]


def _hint(value: str, choices) -> str:
    hint = suggest(value, tuple(choices))
    return f" ({hint})" if hint else ""


# Which argument positions of a statement are quoted strings (the rest are words), for values typed on a
# command line where the shell has already taken the quotes away.
def typed_args(keyword: str, values: list[str]) -> tuple[Arg, ...]:
    """``values`` as the arguments of ``keyword``: strings where the statement takes a string."""
    if keyword not in SCENE_STATEMENTS:
        raise EditError(f"{keyword} is not a scene field; scene fields: " + ", ".join(SCENE_STATEMENTS)
                        + _hint(keyword, SCENE_STATEMENTS))
    strings: set[int] = set()
    if keyword == "line":
        strings = set(range(len(values)))
    elif keyword == "text":
        strings = {0}
    elif keyword == "hero":
        strings = {1}
    elif keyword == "motion" and values and values[0] in ("wan22", "onetoall"):
        strings = {1}
    elif keyword == "sfx" and len(values) > 1 and values[1] == "on":
        strings = {2}
    elif keyword == "motion" and values and values[0] not in MOTION_KINDS:
        pass  # the check names the valid kinds
    return tuple(Text(v) if i in strings else Word(v) for i, v in enumerate(values))


_NOTE_SINGLE = {"pick", "takes", "text", "fit", "light", "line", "subject", "hero", "motion", "snap"}


def parse_note(scene: str, note: str) -> list[Edit]:
    """A Director's note in the script's own words, as edits: ``pick v02``, ``takes 4``, ``text "…"``,
    ``fit loop``, ``no grain`` (removes the scene's fx/afx/sfx of that name), ``no light``, ``+ fx grain``."""
    from cmfc.diagnostics import CmfError
    from cmfc.syntax.parser import parse

    note = note.strip()
    if not note:
        raise EditError("the note is empty")
    adding = note.startswith("+")
    try:
        document = parse(note.lstrip("+ ").strip() + "\n", "<note>")
    except CmfError as error:
        raise EditError(f"cannot read the note: {error.diagnostics[0].message}") from None
    if len(document.statements) != 1 or document.statements[0].children:
        raise EditError("one note is one statement, like: pick v02, takes 4, text \"…\", fit loop, no grain")
    statement = document.statements[0]
    args = tuple(Text(a.value) if a.kind == "string" else Word(a.value) for a in statement.args)
    if statement.keyword == "no" and not adding:
        if not args:
            raise EditError("no what? e.g. no grain, no light")
        first = args[0]
        if isinstance(first, Word) and first.text in SCENE_STATEMENTS:
            return [Edit(scene, "remove", first.text, args[1:])]
        return [Edit(scene, "remove", "*", args)]
    if statement.keyword in SCENE_MULTI or adding:
        return [Edit(scene, "add", statement.keyword, args)]
    if statement.keyword in _NOTE_SINGLE:
        return [Edit(scene, "set", statement.keyword, args)]
    raise EditError(f"cannot read the note {note!r}: start it with a scene statement ("
                    + ", ".join(SCENE_STATEMENTS) + ") or no" + _hint(statement.keyword, SCENE_STATEMENTS))
