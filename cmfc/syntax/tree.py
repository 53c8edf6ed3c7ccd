"""The syntax tree of a .cmf file: statements with their words, strings and positions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from cmfc.diagnostics import Span

ArgKind = Literal["word", "string", "color"]


@dataclass(frozen=True)
class Arg:
    """One argument as written: a bare word, a quoted string (already unescaped) or a colour."""

    kind: ArgKind
    value: str
    span: Span
    raw: str

    @property
    def is_word(self) -> bool:
        return self.kind == "word"


@dataclass
class Statement:
    """A line: a keyword, its arguments, and the indented statements under it."""

    keyword: str
    span: Span  # of the keyword
    args: list[Arg] = field(default_factory=list)
    children: list["Statement"] = field(default_factory=list)

    @property
    def line(self) -> int:
        return self.span.line

    def end_span(self) -> Span:
        """A span just after the last argument, for 'expected … here' errors."""
        last = self.args[-1].span if self.args else self.span
        return Span(last.path, last.line, last.col + last.width, 1)


@dataclass
class Document:
    """A parsed .cmf file."""

    path: str
    text: str
    statements: list[Statement]


def unescape_string(raw: str) -> str:
    """The value of a quoted string token: strip quotes, resolve ``\\"`` and ``\\\\`` (and ``\\n``, ``\\t``)."""
    body = raw[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def escape_string(value: str) -> str:
    """A quoted .cmf string literal for ``value`` (the inverse of unescape_string)."""
    body = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{body}"'
