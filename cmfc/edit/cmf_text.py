"""Apply edits to a .cmf script as text: only the lines that change are touched.

A replaced statement keeps its indentation and its trailing comment; an added one is indented like its
neighbours and placed after the last statement that comes before it in the canonical order (``line``,
``subject``, ``hero``, ``light``, ``motion``, ``text``, ``fx``, … ``pick``); a removed one takes only its
own line (comment lines above it stay). Line endings (``\\n`` or ``\\r\\n``) follow the file.
"""

from __future__ import annotations

import re

from cmfc.diagnostics import suggest
from cmfc.edit.ops import SCENE_MULTI, Edit, EditError, Text, Word
from cmfc.lower.from_cmf import SCENE_STATEMENTS
from cmfc.syntax.formatter import split_comment
from cmfc.syntax.parser import parse
from cmfc.syntax.tree import Statement

_LINES = re.compile(r"[^\n]*\n|[^\n]+\Z")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, cut only at ``\\n`` (as the lexer counts lines)."""
    return _LINES.findall(text)


def apply_cmf_edits(text: str, path: str, edits: list[Edit]) -> str:
    """``text`` with every edit applied in order (raises CmfError on a syntax error, EditError on a bad edit)."""
    for edit in edits:
        text = _apply(text, path, edit)
    return text


def find_scene(statements: list[Statement], scene_id: str) -> Statement:
    scenes = [s for s in statements if s.keyword == "scene" and s.args]
    for scene in scenes:
        if scene.args[0].value == scene_id:
            return scene
    ids = [s.args[0].value for s in scenes]
    hint = suggest(scene_id, tuple(ids))
    raise EditError(f"there is no scene {scene_id}; scenes: {', '.join(ids) or 'none'}"
                    + (f" ({hint})" if hint else ""))


def _matches(statement: Statement, edit: Edit) -> bool:
    if edit.keyword == "*":
        if statement.keyword not in SCENE_MULTI:
            return False
    elif statement.keyword != edit.keyword:
        return False
    if len(edit.args) > len(statement.args):
        return False
    for wanted, arg in zip(edit.args, statement.args):
        kind = "string" if isinstance(wanted, Text) else "word"
        value = wanted.value if isinstance(wanted, Text) else wanted.text
        if arg.kind != kind and not (kind == "word" and arg.kind == "color") or arg.value != value:
            return False
    return True


def _apply(text: str, path: str, edit: Edit) -> str:
    document = parse(text, path)
    scene = find_scene(document.statements, edit.scene)
    lines = split_lines(text)
    children = scene.children
    if edit.op == "remove":
        doomed = [child for child in children if _matches(child, edit)]
        if not doomed:
            have = [" ".join([c.keyword] + [a.raw for a in c.args[:1]]) for c in children
                    if edit.keyword == "*" and c.keyword in SCENE_MULTI or c.keyword == edit.keyword]
            raise EditError(f"scene {edit.scene} has no {(edit.statement_source() if edit.keyword != '*' else ' '.join(a.source() for a in edit.args))}"
                            + (f"; it has: {', '.join(have)}" if have else ""))
        for child in sorted(doomed, key=lambda c: c.line, reverse=True):
            first, last = child.line, _last_line(child)
            del lines[first - 1:last]
        return "".join(lines)
    existing = [child for child in children if child.keyword == edit.keyword]
    if existing and edit.keyword not in SCENE_MULTI:
        if edit.op == "add":
            raise EditError(f"scene {edit.scene} already has {edit.keyword} (line {existing[0].line}); set it instead")
        target = existing[0]
        lines[target.line - 1] = _replaced(lines[target.line - 1], edit.statement_source())
        for extra in sorted(existing[1:], key=lambda c: c.line, reverse=True):
            del lines[extra.line - 1:_last_line(extra)]
        return "".join(lines)
    return "".join(_inserted(lines, scene, edit))


def _last_line(statement: Statement) -> int:
    return max([statement.line] + [_last_line(c) for c in statement.children])


def _ending(line: str) -> str:
    return "\r\n" if line.endswith("\r\n") else "\n" if line.endswith("\n") else ""


def _replaced(line: str, source: str) -> str:
    """``line`` with its code replaced by ``source``: indentation, trailing comment and line ending kept."""
    ending = _ending(line)
    body = line[: len(line) - len(ending)]
    code, comment = split_comment(body)
    indent = body[: len(body) - len(body.lstrip(" \t"))]
    if comment is None:
        return indent + source + ending
    gap = code[len(code.rstrip()):] or "  "
    return indent + source + gap + comment + ending


def _inserted(lines: list[str], scene: Statement, edit: Edit) -> list[str]:
    order = SCENE_STATEMENTS.index(edit.keyword)
    children = scene.children
    before = [c for c in children if SCENE_STATEMENTS.index(c.keyword) <= order] if all(
        c.keyword in SCENE_STATEMENTS for c in children) else children
    anchor_line = _last_line(before[-1]) if before else scene.line
    if children:
        sample = lines[children[0].line - 1]
        indent = sample[: len(sample) - len(sample.lstrip(" \t"))]
    else:
        header = lines[scene.line - 1]
        indent = header[: len(header) - len(header.lstrip(" \t"))] + "  "
    anchor = lines[anchor_line - 1]
    ending = _ending(anchor) or next((_ending(line) for line in lines if _ending(line)), "\n")
    if not _ending(anchor):
        lines[anchor_line - 1] = anchor + ending
    lines.insert(anchor_line, indent + edit.statement_source() + ending)
    return lines


__all__ = ["apply_cmf_edits", "find_scene", "split_lines", "Word", "Text"]
