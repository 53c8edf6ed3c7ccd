"""Properties of spec edits on random formatted specs in a tiny project.

Random edits (set, add, remove; valid or not) on a random spec the checker accepts, written as a
formatted script with comments, and as a YAML blueprint:
- the edit is applied and the result checks, or it is refused and the file is byte-identical;
- in the script only lines of the target statement change (comments, blank lines, other lines kept);
- the edited spec is the old one with exactly that change, and both forms agree on it.
And the over-indentation fuzz case: a scene statement indented deeper than its neighbours is an error at
that line, never silently dropped.
"""

from __future__ import annotations

import collections
import difflib

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from cmfc.diagnostics import CmfError
from cmfc.edit import Edit, EditError, EditRefused, Text, Word, edit_spec
from cmfc.edit.blueprint_text import statement_value
from cmfc.edit.ops import SCENE_MULTI
from cmfc.ir.models import FIT_MODES, PLACEMENTS, SceneSpec
from cmfc.lower.spec import parse_blueprint_file, parse_cmf_file
from cmfc.lower.to_cmf import emit_cmf
from cmfc.lower.to_yaml import emit_yaml
from tests.strategies import texts, tiny_project_specs

PROPERTY = settings(derandomize=True, database=None, deadline=None, max_examples=60,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def tiny_project(tmp_path_factory):
    from tests.helpers import TinyProject

    tiny = TinyProject.create(tmp_path_factory.mktemp("edits") / "proj")
    return tiny, tiny.compile()


def _commented(script: str, draw) -> str:
    """The formatted script with comment lines above scenes and trailing comments on scene statements."""
    out = []
    in_scene = False
    for line in script.split("\n"):
        if line.startswith("scene "):
            in_scene = True
            if draw(st.booleans()):
                out.append("# about " + line.split()[1])
        elif line and not line.startswith(" "):
            in_scene = False
        if in_scene and line.startswith("  ") and draw(st.booleans()):
            line += "  # keep " + line.split()[0]
        out.append(line)
    return "\n".join(out)


KINDS = ("pick", "takes", "text", "fit", "light", "add_fx", "remove_fx", "remove_any", "remove", "line")
outcomes: collections.Counter = collections.Counter()


@st.composite
def edits(draw, spec, frameworks, kind):
    scene_ids = [scene.id for scene in spec.scenes]
    scene = draw(st.sampled_from(scene_ids + ["SC_99"]) if draw(st.integers(0, 9)) == 0
                 else st.sampled_from(scene_ids))
    effects = sorted(frameworks.effects)
    own = sorted({u.name for s in spec.scenes if s.id == scene for u in s.fx + s.afx + s.sfx})
    if own and kind in ("remove_fx", "remove_any") and draw(st.booleans()):
        effects = own
    if kind == "pick":
        return Edit(scene, "set", "pick", (Word(f"v{draw(st.integers(1, 5)):02d}"),))
    if kind == "takes":
        return Edit(scene, "set", "takes", (Word(str(draw(st.integers(1, 5)))),))
    if kind == "text":
        placement = draw(st.none() | st.sampled_from(PLACEMENTS))
        return Edit(scene, "set", "text", (Text(draw(texts(max_size=16))),) + ((Word(placement),) if placement else ()))
    if kind == "line":
        return Edit(scene, "set", "line", (Text(draw(texts(max_size=16))),))
    if kind == "fit":
        mode = draw(st.sampled_from(FIT_MODES + ("bogus",)))
        return Edit(scene, "set", "fit", (Word(mode),) + ((Word(draw(st.sampled_from(["0.8", "1.25", "x"]))),)
                                                          if mode == "speed" else ()))
    if kind == "light":
        return Edit(scene, "set", "light", (Word(draw(st.sampled_from(sorted(frameworks.lighting) + ["nolight"]))),))
    if kind == "add_fx":
        return Edit(scene, "add", "fx", (Word(draw(st.sampled_from(effects + ["sparkle"]))),))
    if kind == "remove_fx":
        return Edit(scene, "remove", "fx", (Word(draw(st.sampled_from(effects))),))
    if kind == "remove_any":
        return Edit(scene, "remove", "*", (Word(draw(st.sampled_from(effects + ["impact_01"]))),))
    return Edit(scene, "remove", draw(st.sampled_from(["light", "text", "fit", "pick", "motion", "sfx"])))


def _expected(before, edit: Edit):
    """The spec ``edit`` should make of ``before`` (where it applies at all)."""
    scenes = list(before.scenes)
    index = next(i for i, s in enumerate(scenes) if s.id == edit.scene)
    scene = scenes[index]
    keys = SCENE_MULTI if edit.keyword == "*" else (edit.keyword,)
    update = {}
    if edit.op == "remove":
        for key in keys:
            if key in SCENE_MULTI:
                name = edit.args[0].text if edit.args else None
                update[key] = tuple(u for u in getattr(scene, key) if name is not None and u.name != name)
            else:
                update[key] = SceneSpec.model_fields[key].default
    else:
        value = statement_value(edit)
        field = SceneSpec.model_validate({"id": "X", "template": "X", edit.keyword:
                                          [value] if edit.keyword in SCENE_MULTI else value})
        new = getattr(field, edit.keyword)
        update[edit.keyword] = getattr(scene, edit.keyword) + new if edit.keyword in SCENE_MULTI else new
    scenes[index] = scene.model_copy(update=update)
    return before.model_copy(update={"scenes": tuple(scenes)})


def _changes(before: str, after: str) -> list[tuple[int, int, list[str], list[str]]]:
    a, b = before.split("\n"), after.split("\n")
    return [(i1, i2, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2
            in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if tag != "equal"]


def _scene_lines(text: str, scene_id: str) -> range:
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"scene {scene_id} "))
    end = next((i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith((" ", "#"))),
               len(lines))
    return range(start, end + 1)


def test_random_edits_change_only_their_lines_or_nothing(tiny_project):
    tiny, first = tiny_project
    head = first.project.spec().model_copy(update={"scenes": ()})
    spec_path = tiny.spec_path
    yaml_path = tiny.root / "t.yaml"

    @settings(PROPERTY, max_examples=12)  # ten edits each, on both forms
    @given(st.data())
    def check(data):
        spec = data.draw(tiny_project_specs(first.frameworks, head, ("grain", "crt", "glitch"), ("EFFECT-A-03",)))
        script = _commented(emit_cmf(spec), data.draw)
        spec_path.write_text(script, encoding="utf-8")
        yaml_path.write_text(emit_yaml(spec), encoding="utf-8")
        for kind in KINDS:
            edit = data.draw(edits(spec, first.frameworks, kind))
            note(f"{script}\n-- edit: {edit}")
            spec_path.write_text(script, encoding="utf-8")
            yaml_path.write_text(emit_yaml(spec), encoding="utf-8")
            _check_edit(spec, script, edit, spec_path, yaml_path)

    outcomes.clear()
    check()
    # The edits must reach every kind of outcome, or the property proves little.
    assert {"applied set", "applied add", "applied remove", "refused EditRefused", "refused EditError"} <= set(outcomes)


def test_over_indented_scene_statement_is_an_error_at_its_line(tiny_project):
    tiny, first = tiny_project
    head = first.project.spec().model_copy(update={"scenes": ()})

    @PROPERTY
    @given(st.data())
    def check(data):
        spec = data.draw(tiny_project_specs(first.frameworks, head, ("grain",), ("EFFECT-A-03",)))
        lines = emit_cmf(spec).split("\n")
        # Scene statements that follow another statement of the same scene.
        candidates = [i for i in range(1, len(lines)) if lines[i].startswith("  ") and not lines[i].startswith("   ")
                      and lines[i - 1].startswith("  ") and any(l.startswith("scene ") for l in lines[:i])
                      and _scene_of(lines, i) is not None]
        if not candidates:
            return
        index = data.draw(st.sampled_from(candidates))
        extra = data.draw(st.integers(1, 3))
        lines[index] = " " * extra + lines[index]
        note("\n".join(lines))
        with pytest.raises(CmfError) as caught:
            parse_cmf_file("\n".join(lines), "t.cmf")
        first_error = caught.value.diagnostics[0]
        assert (first_error.span.line, first_error.span.col) == (index + 1, 3 + extra)
        assert first_error.message.startswith("unexpected indent: ")

    check()


def _scene_of(lines: list[str], index: int):
    for i in range(index, -1, -1):
        if lines[i].startswith("scene "):
            return lines[i]
        if lines[i] and not lines[i].startswith(" "):
            return None
    return None


def _check_edit(spec, script, edit, spec_path, yaml_path):
    """Apply ``edit`` to the script and the blueprint of ``spec``; assert the properties; both forms agree."""
    results = []
    for path in (spec_path, yaml_path):
        before = path.read_bytes()
        try:
            result = edit_spec(str(path), [edit])
        except (EditRefused, EditError) as error:
            outcomes[f"refused {type(error).__name__}"] += 1
            assert path.read_bytes() == before
            results.append(None)
            continue
        outcomes[f"applied {edit.op}"] += 1
        after = path.read_bytes().decode("utf-8")
        assert after == result.after
        results.append(result.compiled.project.spec())
        parse = parse_cmf_file if path.suffix == ".cmf" else parse_blueprint_file
        edited, _ = parse(after, path.name)
        assert edited == _expected(spec, edit)
        if path.suffix == ".cmf":
            keywords = SCENE_MULTI if edit.keyword == "*" else (edit.keyword,)
            inside = _scene_lines(script, edit.scene)
            for i1, i2, removed, added in _changes(script, after):
                assert i1 in inside and (i2 == i1 or i2 - 1 in inside)
                for line in removed + added:
                    assert line.startswith("  ") and line.split()[0] in keywords, line
            # Trailing comments stay on a replaced line; only a removed line takes its own away.
            dropped = sum("  # keep " in line for _, _, removed, added in _changes(script, after) for line in removed)
            assert after.count("  # keep ") == script.count("  # keep ") - (dropped if edit.op == "remove" else 0)
            comments = [line for line in script.split("\n") if line.startswith("#")]
            assert [line for line in after.split("\n") if line.startswith("#")] == comments
    assert (results[0] is None) == (results[1] is None)
    if results[0] is not None:
        assert results[0] == results[1]
