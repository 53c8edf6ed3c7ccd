"""Canonical layout for a .cmf script, keeping every comment (``cmfc fmt``).

Two spaces per level, one space between words, one blank line between top-level
blocks, at most one blank line inside a block, comments kept where they were
(above a statement, or trailing it at least two spaces after, aligned as written). Values keep their spelling,
so formatting never changes meaning; formatting is idempotent.
"""

from __future__ import annotations

import re

from cmfc.syntax.parser import parse
from cmfc.syntax.tree import Statement

_COLOR_AT = re.compile(r"#[0-9A-Fa-f]{6}(?![0-9A-Za-z_])")


def split_comment(line: str) -> tuple[str, str | None]:
    """A source line's code and its comment (``# …``), read the way the lexer reads it."""
    in_string = False
    i = 0
    while i < len(line):
        ch = line[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "#":
            match = _COLOR_AT.match(line, i)
            if match:
                i = match.end()
                continue
            return line[:i], line[i:].rstrip()
        i += 1
    return line, None


def format_source(text: str, path: str) -> str:
    """The canonical layout of ``text`` (raises CmfError on a syntax error)."""
    document = parse(text, path)
    # Lines as the lexer counts them: only "\n" ends a line (str.splitlines also breaks at \f, NEL, U+2028…).
    source_lines = [line.removesuffix("\r") for line in text.lstrip("\ufeff").split("\n")]
    if source_lines and source_lines[-1] == "":
        source_lines.pop()
    comments: dict[int, str] = {}
    code_lines: set[int] = set()
    for number, line in enumerate(source_lines, start=1):
        code, comment = split_comment(line)
        if comment is not None:
            comments[number] = comment
        if code.strip():
            code_lines.add(number)
    out: list[str] = []
    previous_line = 0
    flat = list(_flatten(document.statements, 0))
    for index, (statement, depth) in enumerate(flat):
        between = range(previous_line + 1, statement.line)
        leading = [comments[n] for n in between if n in comments and n not in code_lines]
        had_blank = any(not source_lines[n - 1].strip() for n in between)
        if out and (depth == 0 and index > 0 or had_blank):
            out.append("")
        indent = "  " * depth
        out.extend(indent + comment for comment in leading)
        words = [statement.keyword] + [_canonical_arg(arg) for arg in statement.args]
        line = indent + " ".join(words)
        if statement.line in comments:
            line += _comment_gap(source_lines[statement.line - 1], comments[statement.line]) + comments[statement.line]
        out.append(line)
        previous_line = statement.line
    trailing = [comments[n] for n in range(previous_line + 1, len(source_lines) + 1)
                if n in comments and n not in code_lines]
    if trailing:
        out.append("")
        out.extend(trailing)
    if not flat and not trailing:
        return ""
    return "\n".join(out) + "\n"


def _comment_gap(source_line: str, comment: str) -> str:
    """Keep a trailing comment's spacing when it has at least two spaces (people align them), else two."""
    code = source_line[: len(source_line.rstrip()) - len(comment)]
    gap = len(code) - len(code.rstrip())
    return " " * max(2, gap)


def _canonical_arg(arg) -> str:
    return arg.raw.upper() if arg.kind == "color" else arg.raw


def _flatten(statements: list[Statement], depth: int):
    for statement in statements:
        yield statement, depth
        yield from _flatten(statement.children, depth + 1)
