"""YAML (and JSON, which is YAML) with a source position for every value.

Frameworks and blueprints are YAML written by people and agents; their mistakes
must point at a line and column. We compose the node graph with PyYAML's safe
composer and build the Python data ourselves, so every value's position is known,
duplicate keys are errors, and scalars follow the YAML 1.2 core schema:

- booleans are only ``true``/``false`` (so a key ``on:`` or a value ``no`` stays text),
- no timestamps and no sexagesimal numbers (``0:04.20`` and ``2024-01-01`` stay text),
- ints are decimal, ``0x..`` or ``0o..``; floats include ``1e5``, ``.inf``, ``.nan``.

A path into the data is a tuple of mapping keys and list indexes, ``()`` for the
root; ``path + ("<key>",)`` is where the mapping key itself was written.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

import yaml

from cmfc.diagnostics import CmfError, Diagnostic, Span, suggest

KEY = "<key>"
# A document that expands to more values than this is an alias bomb, not a spec.
MAX_VALUES = 1_000_000

_TAG = "tag:yaml.org,2002:"
_RESOLVERS = [
    ("null", r"^(?:~|null|Null|NULL|)$", list("~nN") + [""]),
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        list("-+.0123456789"),
    ),
]


# libyaml's parser when present (several times faster); its resolver is still the Python one below.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """SafeLoader's composer with YAML 1.2 core scalar resolution (see module docstring)."""

    yaml_implicit_resolvers: dict = {}


for _name, _pattern, _first in _RESOLVERS:
    _Loader.add_implicit_resolver(_TAG + _name, re.compile(_pattern), _first)
# Recognised only to refuse it clearly (as a key); as a value "<<" is text.
_Loader.add_implicit_resolver(_TAG + "merge", re.compile(r"^<<$"), ["<"])


def load_with_positions(text: str, path: str) -> tuple[Any, dict[tuple, Span]]:
    """Parse YAML (JSON is YAML) safely; return plain Python data and a map from a key path to its Span.

    Raises CmfError with positioned diagnostics for syntax errors, duplicate keys and unsupported tags.
    """
    _refuse_foreign_line_breaks(text, path)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed document"
        raise CmfError([Diagnostic(_mark_span(path, mark, text), f"could not read YAML: {problem}")]) from None
    except yaml.YAMLError as exc:
        # ReaderError (control characters, bad encoding) carries only an offset: in characters from the
        # Python reader, in UTF-8 bytes from the C one.
        offset = getattr(exc, "position", 0) or 0
        if _Base is not yaml.SafeLoader:
            offset = len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
        line, col = _offset_to_line_col(text, offset)
        reason = getattr(exc, "reason", None) or str(exc)
        raise CmfError([Diagnostic(Span(path, line, col), f"could not read YAML: {reason}")]) from None
    builder = _Builder(text, path)
    if root is None:
        return None, {(): Span(path, 1, 1)}
    data = builder.build(root, ())
    if builder.diagnostics:
        raise CmfError(builder.diagnostics)
    return data, builder.positions


_FOREIGN_BREAK = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


def _refuse_foreign_line_breaks(text: str, path: str) -> None:
    """YAML also ends lines at a lone CR, NEL, LS and PS; we count lines by LF (as editors and carets do),
    so such a file gets one clear error instead of positions that point at the wrong lines."""
    match = _FOREIGN_BREAK.search(text)
    if match is None:
        return
    line, col = _offset_to_line_col(text, match.start())
    char = match.group(0)
    name = {"\r": "a carriage return (CR) without a newline", "\x85": "NEL (U+0085)",
            "\u2028": "a line separator (U+2028)", "\u2029": "a paragraph separator (U+2029)"}[char]
    raise CmfError([Diagnostic(Span(path, line, col), f"could not read YAML: {name}, which YAML reads as a line break",
                               hint="save the file with LF or CRLF line endings; inside a double-quoted string "
                                    f"write it as \\u{ord(char):04x}")])


def span_for(positions: dict[tuple, Span], loc: tuple, path: str) -> Span:
    """The Span of the deepest known prefix of ``loc`` (an error about a missing field points at its parent)."""
    loc = tuple(loc)
    for end in range(len(loc), -1, -1):
        span = positions.get(loc[:end])
        if span is not None:
            return span
    return Span(path, 1, 1)


class _Builder:
    """Turns composed nodes into Python values while recording where each came from."""

    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path
        self.positions: dict[tuple, Span] = {}
        self.diagnostics: list[Diagnostic] = []
        self.active: set[int] = set()
        self.count = 0

    def span(self, node: yaml.Node) -> Span:
        start, end = node.start_mark, node.end_mark
        if end.line == start.line:
            width = end.column - start.column
        else:
            line_end = self.text.find("\n", start.index)
            width = (len(self.text) if line_end < 0 else line_end) - start.index
        return Span(self.path, start.line + 1, start.column + 1, max(1, width))

    def error(self, node: yaml.Node, message: str, hint: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(self.span(node), message, hint=hint))

    def build(self, node: yaml.Node, at: tuple) -> Any:
        self.count += 1
        if self.count > MAX_VALUES:
            if self.count == MAX_VALUES + 1:
                self.error(node, f"the document expands to more than {MAX_VALUES} values (too many aliases)")
            return None
        self.positions[at] = self.span(node)
        if id(node) in self.active:
            self.error(node, "an alias refers to a value that contains it (recursive alias)")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        self.active.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return [self.build(item, at + (index,)) for index, item in enumerate(node.value)]
            return self.mapping(node, at)
        finally:
            self.active.discard(id(node))

    def mapping(self, node: yaml.MappingNode, at: tuple) -> dict:
        result: dict = {}
        first_seen: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error(key_node, "a key must be a plain word or text, not a list or mapping")
                continue
            if key_node.tag == _TAG + "merge":
                self.error(key_node, "merge keys (<<) are not supported; write the fields out")
                continue
            key = self.scalar(key_node)
            if key in first_seen:
                self.error(key_node, f"duplicate key {show_value(key)} (first written on line {first_seen[key]})")
                continue
            first_seen[key] = key_node.start_mark.line + 1
            self.positions[at + (key, KEY)] = self.span(key_node)
            result[key] = self.build(value_node, at + (key,))
        return result

    def scalar(self, node: yaml.ScalarNode) -> Any:
        tag, value = node.tag, node.value
        try:
            if tag in (_TAG + "str", _TAG + "merge"):
                return value
            if tag == _TAG + "null":
                return None
            if tag == _TAG + "bool":
                return value.lower() == "true"
            if tag == _TAG + "int":
                return _parse_int(value)
            if tag == _TAG + "float":
                return _parse_float(value)
        except ValueError:
            self.error(node, f"{show_value(value)} is not a valid {tag.removeprefix(_TAG)}")
            return None
        self.error(node, f"unsupported YAML tag {tag}", hint="write plain text, numbers, lists and mappings")
        return None


def _parse_int(text: str) -> int:
    body = text.lstrip("+-")
    sign = -1 if text.startswith("-") else 1
    if body[:2] in ("0x", "0X"):
        return sign * int(body[2:], 16)
    if body[:2] in ("0o", "0O"):
        return sign * int(body[2:], 8)
    return int(text, 10)


def _parse_float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return float("-inf") if lowered.startswith("-") else float("inf")
    if lowered == ".nan":
        return float("nan")
    return float(text)


def _mark_span(path: str, mark: yaml.Mark | None, text: str | None = None) -> Span:
    """A YAML mark as a Span, kept inside the file (the end-of-stream mark sits on a line past the last one)."""
    if mark is None:
        return Span(path, 1, 1)
    line, col = mark.line + 1, mark.column + 1
    if text is not None:
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if lines and line > len(lines):
            line, col = len(lines), len(lines[-1]) + 1
    return Span(path, line, col)


def _offset_to_line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


# ---------------------------------------------------------------- pydantic errors


def validation_diagnostics(
    error, positions: dict[tuple, Span], path: str, prefix: tuple = (), model=None
) -> list[Diagnostic]:
    """Turn a pydantic ValidationError into Diagnostics positioned in the YAML file, in plain words.

    ``prefix`` is where the validated value sits in the file; ``model`` (the validated pydantic class)
    lets an unknown field get a ``did you mean`` hint against the real field names.
    """
    diagnostics = []
    for item in error.errors(include_url=False):
        loc = _data_loc(tuple(item["loc"]), positions, prefix)
        kind = item["type"]
        if kind == "extra_forbidden" and loc:
            field_name = loc[-1]
            span = positions.get(prefix + loc + (KEY,)) or span_for(positions, prefix + loc, path)
            known = _field_names(model, loc[:-1])
            hint = suggest(str(field_name), known) if known else None
            diagnostics.append(Diagnostic(span, f"unknown field {show_value(field_name)}", hint=hint))
            continue
        span = span_for(positions, prefix + loc, path)
        if kind == "missing" and loc:
            where = _label(loc[:-1])
            text = f"missing field {show_value(loc[-1])}"
            diagnostics.append(Diagnostic(span, f"{where}: {text}" if where else text))
            continue
        message, hint = _describe(item)
        where = _label(loc)
        if where and not message.startswith(where):
            message = f"{where}: {message}"
        diagnostics.append(Diagnostic(span, message, hint=hint))
    return diagnostics


def _data_loc(loc: tuple, positions: dict[tuple, Span], prefix: tuple) -> tuple:
    """Drop the union-member and validator tags pydantic puts in ``loc`` that are not keys in the data."""
    kept: tuple = ()
    for index, element in enumerate(loc):
        is_last = index == len(loc) - 1
        if is_last or prefix + kept + (element,) in positions:
            kept += (element,)
    return kept


def _label(loc: tuple) -> str:
    """``bpm``, ``energy, item 3`` or ``energy, item 3 (value 2)``: the last named field and list positions under it."""
    named = [i for i, element in enumerate(loc) if isinstance(element, str)]
    if not named:
        return ", ".join(f"item {element + 1}" for element in loc if isinstance(element, int))
    start = named[-1]
    label = str(loc[start])
    indexes = [element + 1 for element in loc[start + 1 :] if isinstance(element, int)]
    if indexes:
        label += f", item {indexes[0]}" + "".join(f" (value {index})" for index in indexes[1:])
    return label


_KINDS = {
    "int": "a whole number",
    "float": "a number",
    "bool": "true or false",
    "string": "text",
    "list": "a list",
    "tuple": "a list",
    "dict": "a mapping (key: value lines)",
    "model": "a mapping (key: value lines)",
}
_BOUNDS = {
    "greater_than": "more than",
    "greater_than_equal": "at least",
    "less_than": "less than",
    "less_than_equal": "at most",
}


def _describe(item: dict) -> tuple[str, str | None]:
    """A plain-words message (and maybe a hint) for one pydantic error entry."""
    kind, ctx, got = item["type"], item.get("ctx") or {}, item.get("input")
    family = kind.split("_")[0]
    if kind in ("value_error", "assertion_error"):
        return re.sub(r"^(Value|Assertion) error, ", "", item["msg"]), None
    if kind in ("literal_error", "enum"):
        expected = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        hint = suggest(str(got), expected) if isinstance(got, str) and expected else None
        return f"expected one of {', '.join(expected)}, got {show_value(got)}", hint
    if kind in _BOUNDS:
        bound = next(iter(v for k, v in ctx.items() if k in ("gt", "ge", "lt", "le")), "?")
        return f"must be {_BOUNDS[kind]} {bound}, got {show_value(got)}", None
    if kind in ("too_short", "too_long"):
        bound = ctx.get("min_length") if kind == "too_short" else ctx.get("max_length")
        word = "at least" if kind == "too_short" else "at most"
        return f"expected {word} {bound} items, got {ctx.get('actual_length', '?')}", None
    if kind == "int_from_float":
        return f"expected a whole number, got {show_value(got)}", None
    if kind == "model_attributes_type":
        return f"expected a mapping (key: value lines), got {show_value(got)}", None
    if family in _KINDS and kind.endswith(("_type", "_parsing")):
        return f"expected {_KINDS[family]}, got {show_value(got)}", None
    if kind == "string_pattern_mismatch":
        return f"{show_value(got)} does not have the expected form ({ctx.get('pattern')})", None
    message = item["msg"]
    return message[:1].lower() + message[1:], None


def show_value(value: Any) -> str:
    """How a value is quoted in a message: text in double quotes, numbers as written, the rest by kind."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _field_names(model, loc: tuple) -> list[str]:
    """The field names of the pydantic model found by following ``loc`` from ``model`` (or [])."""
    annotation = model
    for element in loc:
        target = _unwrap_model(annotation)
        if target is not None:
            field = target.model_fields.get(element) if isinstance(element, str) else None
            if field is None:
                return []
            annotation = field.annotation
            continue
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        origin = typing.get_origin(annotation)
        if not args or origin is None:
            return []
        annotation = args[-1] if origin in (dict, typing.Mapping) else args[0]
    target = _unwrap_model(annotation)
    return sorted(target.model_fields) if target is not None else []


def _unwrap_model(annotation):
    """The pydantic model class inside ``annotation`` (through Optional/Annotated), or None."""
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Annotated, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _unwrap_model(arg)
            if found is not None:
                return found
    return None
