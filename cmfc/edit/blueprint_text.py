"""Apply the same edits to a YAML or JSON blueprint, touching only the lines that change.

The value a statement stands for is read by lowering it as a script line (so ``fit speed 0.8`` means in a
blueprint exactly what it means in a script), then written in the blueprint's own form: in YAML a scalar
is replaced in place (a trailing comment stays), a mapping or list value is replaced line for line, a new
key goes after the scene's last key at its indentation, a list item is appended or cut with its lines.
JSON has no comments; it is rewritten with the file's own indentation, so only the changed lines differ.
"""

from __future__ import annotations

import json
import re

import yaml

from cmfc.diagnostics import CmfError, Diagnostics
from cmfc.edit.cmf_text import split_lines
from cmfc.edit.ops import SCENE_MULTI, Edit, EditError, Text
from cmfc.ir.models import SceneSpec
from cmfc.lower.to_yaml import _Dumper
from cmfc.yamlpos import _Loader


def statement_value(edit: Edit):
    """The blueprint value of ``edit``'s statement (a mapping key's value, or one list item)."""
    from cmfc.lower.from_cmf import lower_document
    from cmfc.syntax.parser import parse

    source = f"scene SC_00 X\n  {edit.statement_source()}\n"
    try:
        document = parse(source, "<edit>")
    except CmfError as error:
        raise EditError(error.diagnostics[0].message) from None
    diagnostics = Diagnostics()
    data, _ = lower_document(document, diagnostics)
    problems = [d for d in diagnostics.items if d.span.line == 2]
    if problems:
        raise EditError(f"{edit.statement_source()}: {problems[0].message}"
                        + (f" ({problems[0].hint})" if problems[0].hint else ""))
    scene = data["scenes"][0]
    try:
        canonical = SceneSpec.model_validate(scene).model_dump(mode="json", exclude_defaults=True)
    except Exception as error:  # pydantic's ValidationError: a value the model refuses
        raise EditError(f"{edit.statement_source()}: {str(error).splitlines()[-1].strip()}") from None
    value = canonical.get(edit.keyword, scene.get(edit.keyword))
    if edit.keyword in SCENE_MULTI:
        return value[0]
    return value


def _item_matches(item, edit: Edit) -> bool:
    if not edit.args:
        return True
    first = edit.args[0]
    name = first.value if isinstance(first, Text) else first.text
    return isinstance(item, dict) and item.get("name") == name and len(edit.args) == 1


# -- JSON: data-level edit, rewritten in the file's own layout ---------------------------------------------
def apply_json_edits(text: str, path: str, edits: list[Edit]) -> str:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise EditError(f"{path}: not valid JSON ({error.msg} at line {error.lineno})") from None
    for edit in edits:
        _edit_data(data, edit)
    lines = split_lines(text)
    indent = next((len(line) - len(line.lstrip(" ")) for line in lines[1:] if line.strip()), 2) or None
    ensure_ascii = all(ord(ch) < 128 for ch in text)
    out = json.dumps(data, indent=indent, ensure_ascii=ensure_ascii)
    if "\r\n" in text:
        out = out.replace("\n", "\r\n")
    return out + ("\r\n" if text.endswith("\r\n") else "\n" if text.endswith("\n") else "")


def _scene_data(data, scene_id: str) -> dict:
    scenes = data.get("scenes") if isinstance(data, dict) else None
    for scene in scenes or []:
        if isinstance(scene, dict) and scene.get("id") == scene_id:
            return scene
    ids = [s.get("id") for s in scenes or [] if isinstance(s, dict)]
    raise EditError(f"there is no scene {scene_id}; scenes: {', '.join(map(str, ids)) or 'none'}")


def _edit_data(data, edit: Edit) -> None:
    scene = _scene_data(data, edit.scene)
    keys = SCENE_MULTI if edit.keyword == "*" else (edit.keyword,)
    if edit.op == "remove":
        found = False
        for key in keys:
            if key not in scene:
                continue
            if key in SCENE_MULTI:
                kept = [item for item in scene[key] if not _item_matches(item, edit)]
                found |= len(kept) != len(scene[key])
                if kept:
                    scene[key] = kept
                else:
                    del scene[key]
            else:
                found = True
                del scene[key]
        if not found:
            raise EditError(f"scene {edit.scene} has no {' '.join([edit.keyword] + [a.source() for a in edit.args])}")
        return
    value = statement_value(edit)
    if edit.keyword in SCENE_MULTI:
        scene.setdefault(edit.keyword, []).append(value)
    elif edit.op == "add" and edit.keyword in scene:
        raise EditError(f"scene {edit.scene} already has {edit.keyword}; set it instead")
    else:
        scene[edit.keyword] = value


# -- YAML: textual edits at the positions the composer reports ---------------------------------------------
def apply_yaml_edits(text: str, path: str, edits: list[Edit]) -> str:
    for edit in edits:
        text = _apply_yaml(text, path, edit)
    return text


def _compose(text: str, path: str):
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise EditError(f"{path}: cannot read the YAML: {error}") from None


def _get(mapping, key: str):
    for key_node, value_node in mapping.value:
        if key_node.value == key:
            return key_node, value_node
    return None


def _scene_node(root, scene_id: str):
    if not isinstance(root, yaml.MappingNode):
        raise EditError("the blueprint is not a mapping")
    found = _get(root, "scenes")
    if found is None or not isinstance(found[1], yaml.SequenceNode):
        raise EditError("the blueprint has no scenes list")
    ids = []
    for item in found[1].value:
        if isinstance(item, yaml.MappingNode):
            id_pair = _get(item, "id")
            if id_pair is not None:
                ids.append(id_pair[1].value)
                if id_pair[1].value == scene_id:
                    return item
    raise EditError(f"there is no scene {scene_id}; scenes: {', '.join(ids) or 'none'}")


def _dump(value) -> list[str]:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                     width=100).splitlines()


def _end_line(node) -> int:
    """The 0-based last line a node's text is on (its last leaf's; a block scalar ends at the next line)."""
    if isinstance(node, yaml.MappingNode) and not node.flow_style and node.value:
        return _end_line(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        return _end_line(node.value[-1])
    mark = node.end_mark
    return mark.line - 1 if mark.column == 0 and mark.line > node.start_mark.line else mark.line


def _apply_yaml(text: str, path: str, edit: Edit) -> str:
    root = _compose(text, path)
    scene = _scene_node(root, edit.scene)
    if scene.flow_style:
        raise EditError(f"scene {edit.scene} is written in flow style ({{…}}); write it as a block to edit it")
    lines = split_lines(text)
    ending = next((("\r\n" if line.endswith("\r\n") else "\n") for line in lines if line.endswith("\n")), "\n")
    keys = SCENE_MULTI if edit.keyword == "*" else (edit.keyword,)
    key_col = scene.value[0][0].start_mark.column
    if edit.op == "remove":
        cuts: list[tuple[int, int]] = []
        for key in keys:
            pair = _get(scene, key)
            if pair is None:
                continue
            key_node, value_node = pair
            if key in SCENE_MULTI and isinstance(value_node, yaml.SequenceNode) and edit.args:
                items = [(node, _plain(node)) for node in value_node.value]
                doomed = [node for node, item in items if _item_matches(item, edit)]
                if doomed and len(doomed) < len(items):
                    cuts.extend((node.start_mark.line, _end_line(node)) for node in doomed)
                    continue
                if not doomed:
                    continue
            cuts.append((key_node.start_mark.line, _end_line(value_node)))
        if not cuts:
            raise EditError(f"scene {edit.scene} has no {' '.join([edit.keyword] + [a.source() for a in edit.args])}")
        for first, last in sorted(cuts, reverse=True):
            if lines[first].lstrip().startswith("- ") and first == scene.start_mark.line:
                raise EditError("cannot remove the scene's first key; reorder the scene so id comes first")
            del lines[first:last + 1]
        return "".join(lines)
    value = statement_value(edit)
    pair = _get(scene, edit.keyword)
    if pair is not None and edit.keyword in SCENE_MULTI:
        key_node, value_node = pair
        if value_node.flow_style or not isinstance(value_node, yaml.SequenceNode) or not value_node.value:
            return _replace_pair(lines, key_node, value_node, {edit.keyword: _plain(value_node) + [value]}, ending)
        last = value_node.value[-1]
        dash_col = last.start_mark.column - 2
        item_lines = _dump([value])
        new = [" " * dash_col + line + ending for line in item_lines]
        at = _end_line(last) + 1
        _ensure_ending(lines, at - 1, ending)
        lines[at:at] = new
        return "".join(lines)
    if pair is not None:
        if edit.op == "add":
            raise EditError(f"scene {edit.scene} already has {edit.keyword}; set it instead")
        key_node, value_node = pair
        dumped = _dump({edit.keyword: value})
        if isinstance(value_node, yaml.ScalarNode) and not isinstance(value, (dict, list)) and len(dumped) == 1 \
                and value_node.start_mark.line == value_node.end_mark.line:
            start, end = _offset(lines, value_node.start_mark), _offset(lines, value_node.end_mark)
            return text[:start] + dumped[0][len(edit.keyword) + 2:] + text[end:]
        return _replace_pair(lines, key_node, value_node, {edit.keyword: value}, ending)
    last_key, last_value = scene.value[-1]
    at = _end_line(last_value) + 1
    new = [" " * key_col + line + ending for line in _dump({edit.keyword: [value] if edit.keyword in SCENE_MULTI
                                                                else value})]
    _ensure_ending(lines, at - 1, ending)
    lines[at:at] = new
    return "".join(lines)


def _offset(lines: list[str], mark) -> int:
    """A mark's offset in characters, from its line and column (the C parser's index counts differently)."""
    return sum(len(line) for line in lines[:mark.line]) + mark.column


def _ensure_ending(lines: list[str], index: int, ending: str) -> None:
    if 0 <= index < len(lines) and not lines[index].endswith("\n"):
        lines[index] += ending


def _replace_pair(lines, key_node, value_node, data: dict, ending: str) -> str:
    first, last = key_node.start_mark.line, _end_line(value_node)
    col = key_node.start_mark.column
    prefix = lines[first][:col]
    dumped = _dump(data)
    new = [prefix + dumped[0] + ending] + [" " * col + line + ending for line in dumped[1:]]
    keep_ending = lines[last].endswith("\n")
    if not keep_ending:
        new[-1] = new[-1].rstrip("\r\n")
    lines[first:last + 1] = new
    return "".join(lines)


def _plain(node):
    """A composed node as plain data (for matching list items by name)."""
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        return {k.value: _plain(v) for k, v in node.value}
    return None


_JSON_SUFFIX = re.compile(r"\.json\Z", re.IGNORECASE)


def apply_blueprint_edits(text: str, path: str, edits: list[Edit]) -> str:
    if _JSON_SUFFIX.search(path):
        return apply_json_edits(text, path, edits)
    return apply_yaml_edits(text, path, edits)
