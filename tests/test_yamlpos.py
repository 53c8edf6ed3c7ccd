"""YAML with positions: values, keys, errors and plain-words validation messages."""

from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from cmfc.diagnostics import CmfError, Span
from cmfc.yamlpos import KEY, load_with_positions, span_for, validation_diagnostics

DOC = """\
project:
  id: PROJ_Alpha
  music:
    arc: the_rally
    cues: [0:04.20, 1:02, 2024-01-01]
"""


def load(text: str):
    return load_with_positions(text, "spec.yaml")


def errors(text: str) -> list[tuple[int, int, str]]:
    with pytest.raises(CmfError) as caught:
        load(text)
    return [(d.span.line, d.span.col, d.message) for d in caught.value.diagnostics]


def test_positions_of_nested_values_and_keys():
    data, positions = load(DOC)
    assert data["project"]["music"]["arc"] == "the_rally"
    assert positions[("project", "music", "arc")] == Span("spec.yaml", 4, 10, 9)
    assert positions[("project", "music", "arc", KEY)] == Span("spec.yaml", 4, 5, 3)
    assert positions[("project", "music", "cues", 1)] == Span("spec.yaml", 5, 21, 4)
    assert positions[()].line == 1


def test_times_dates_and_yes_no_words_stay_text():
    data, _ = load(DOC + "flags: [on, no, yes, off, true, null, 0x10, 1e3, 007]\non: 1\n")
    assert data["project"]["music"]["cues"] == ["0:04.20", "1:02", "2024-01-01"]
    assert data["flags"] == ["on", "no", "yes", "off", True, None, 16, 1000.0, 7]
    assert data["on"] == 1


def test_json_is_yaml():
    data, positions = load('{"bpm": 120, "arc": "slow_burn"}')
    assert data == {"bpm": 120, "arc": "slow_burn"}
    assert positions[("arc",)].col == 21


def test_span_for_points_at_the_deepest_known_parent():
    _, positions = load(DOC)
    assert span_for(positions, ("project", "music", "voice", "words"), "spec.yaml") == positions[("project", "music")]
    assert span_for({}, ("x",), "spec.yaml") == Span("spec.yaml", 1, 1)


def test_duplicate_keys_are_errors_at_the_second_key():
    assert errors("a: 1\nb:\n  c: 1\n  c: 2\n") == [(4, 3, 'duplicate key "c" (first written on line 3)')]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a: [1, 2\nb: 3\n", (2, 2, "could not read YAML: did not find expected ',' or ']'")),
        ("a: b: c\n", (1, 5, "could not read YAML: mapping values are not allowed in this context")),
        ("a:\n\tb: 1\n", (2, 1, "could not read YAML: found character that cannot start any token")),
        ("x: !custom 3\n", (1, 4, "unsupported YAML tag !custom")),
        ("a: &loop [*loop]\n", (1, 4, "an alias refers to a value that contains it (recursive alias)")),
        ("a: <<\n<<: {b: 1}\n", (2, 1, "merge keys (<<) are not supported; write the fields out")),
    ],
)
def test_unreadable_yaml_is_one_positioned_error(text, expected):
    assert errors(text)[0] == expected


def test_empty_document_is_none():
    assert load("")[0] is None


class Music(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    bpm: float
    arc: Literal["the_rally", "slow_burn"]
    levels: list[int] = []


class Project(BaseModel):
    model_config = ConfigDict(extra="forbid")
    music: Music


def messages(text: str) -> list[tuple[int, int, str, str | None]]:
    data, positions = load(text)
    with pytest.raises(ValidationError) as caught:
        Project.model_validate(data)
    found = validation_diagnostics(caught.value, positions, "spec.yaml", model=Project)
    return [(d.span.line, d.span.col, d.message, d.hint) for d in found]


def test_validation_messages_read_like_plain_words():
    text = "music:\n  bpm: fast\n  bmp: 120\n  arc: the_raly\n  levels: [1, 2.5]\n"
    assert messages(text) == [
        (2, 3, 'music: missing field "name"', None),
        (2, 8, 'bpm: expected a number, got "fast"', None),
        (4, 8, 'arc: expected one of the_rally, slow_burn, got "the_raly"', "did you mean the_rally?"),
        (5, 15, "levels, item 2: expected a whole number, got 2.5", None),
        (3, 3, 'unknown field "bmp"', "did you mean bpm?"),
    ]


def test_validation_prefix_places_a_sub_document():
    data, positions = load("spec:\n  music:\n    name: x\n    bpm: [1]\n    arc: slow_burn\n")
    with pytest.raises(ValidationError) as caught:
        Project.model_validate(data["spec"])
    (diagnostic,) = validation_diagnostics(caught.value, positions, "spec.yaml", prefix=("spec",))
    assert (diagnostic.span.line, diagnostic.message) == (4, "bpm: expected a number, got a list")
