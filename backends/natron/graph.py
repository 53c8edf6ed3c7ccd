"""A Natron node graph in memory: nodes, knob values, keyframes and input links.

One graph per scene is built once and written twice, as a ``.ntp`` (``ntp.py``) and
as a Natron Python script (``pyproject.py``), so both forms are the same composite.
Knob names, types and dimensions are checked against ``knobs.PLUGINS`` as they are set.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .knobs import KnobSpec, PluginSpec

# Natron's KeyframeTypeEnum (Global/Enums.h); we use only the ones whose derivatives
# do not depend on their neighbours' derivatives, so the .ntp can state them exactly.
CONSTANT, LINEAR, HORIZONTAL = 0, 1, 5
INTERPOLATION_NAMES = {CONSTANT: "eKeyframeTypeConstant", LINEAR: "eKeyframeTypeLinear",
                       HORIZONTAL: "eKeyframeTypeHorizontal"}


@dataclass(frozen=True)
class Key:
    """A keyframe: frame, value and how the curve leaves it."""

    frame: int
    value: float
    interp: int = LINEAR


@dataclass
class Knob:
    """A knob set on a node: a value per dimension, optionally animated per dimension."""

    name: str
    spec: KnobSpec
    values: list
    curves: list  # per dimension: tuple[Key, ...] or None

    @property
    def choice(self) -> str | None:
        """The option id of a Choice knob (what Natron restores it by)."""
        return self.spec.options[self.values[0]] if self.spec.type == "Choice" else None


@dataclass
class Node:
    """A node: script name, plug-in, knobs in the order they were set, and input links by input name."""

    name: str
    plugin: PluginSpec
    knobs: dict[str, Knob] = field(default_factory=dict)
    inputs: dict[str, "Node"] = field(default_factory=dict)

    def _knob(self, name: str) -> Knob:
        if name not in self.knobs:
            spec = self.plugin.knobs[name]  # KeyError = a typo in cmfc, caught by the tests
            self.knobs[name] = Knob(name, spec, list(spec.default), [None] * spec.dimension)
        return self.knobs[name]

    def set(self, name: str, *values) -> "Node":
        """Set every dimension of a knob (``set("scale", 1.1, 1.1)``)."""
        knob = self._knob(name)
        if len(values) != knob.spec.dimension:
            raise ValueError(f"{self.plugin.id}.{name} has {knob.spec.dimension} dimensions, got {len(values)}")
        knob.values = [_typed(knob.spec.type, v) for v in values]
        return self

    def choose(self, name: str, option: str) -> "Node":
        """Set a Choice knob by its option id."""
        knob = self._knob(name)
        knob.values = [knob.spec.options.index(option)]
        return self

    def animate(self, name: str, dimension: int, keys: list[Key]) -> "Node":
        """Keyframe one dimension; the static value becomes the first key's value."""
        knob = self._knob(name)
        keys = _merge_duplicates(keys)
        knob.curves[dimension] = tuple(keys)
        knob.values[dimension] = _typed(knob.spec.type, keys[0].value)
        return self

    def connect(self, input_name: str, upstream: "Node") -> "Node":
        """Link ``upstream``'s output to this node's input named ``input_name`` (Merge: B, A, Mask)."""
        if input_name not in self.plugin.inputs:
            raise ValueError(f"{self.plugin.id} has no input {input_name!r}")
        self.inputs[input_name] = upstream
        return self


def _typed(kind: str, value):
    if kind in ("Double", "Color"):
        return float(value)
    if kind in ("Int", "Bool", "Choice"):
        return int(value)
    return str(value)


def _merge_duplicates(keys: list[Key]) -> list[Key]:
    """Keys sorted by frame; a later key at the same frame wins (effects clamped to the scene edge)."""
    by_frame: dict[int, Key] = {}
    for key in keys:
        by_frame[key.frame] = key
    return [by_frame[frame] for frame in sorted(by_frame)]


class Graph:
    """The nodes of one composite, named like Natron names them (Read1, Transform1, Transform2 …)."""

    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self._counts: dict[str, int] = {}

    def add(self, plugin: PluginSpec, prefix: str) -> Node:
        """A new node of ``plugin`` named ``<prefix><n>``."""
        self._counts[prefix] = self._counts.get(prefix, 0) + 1
        node = Node(f"{prefix}{self._counts[prefix]}", plugin)
        self.nodes.append(node)
        return node


def derivatives(keys: tuple[Key, ...]) -> list[tuple[float, float]]:
    """Left and right derivative of each key, as Natron's ``Interpolation::autoComputeDerivatives`` sets them."""
    result = []
    for i, key in enumerate(keys):
        prev = keys[i - 1] if i > 0 else None
        nxt = keys[i + 1] if i + 1 < len(keys) else None
        interp = key.interp
        if interp != HORIZONTAL and (prev is None or nxt is None):
            interp = LINEAR
        if interp != LINEAR or (prev is None and nxt is None):
            result.append((0.0, 0.0))
            continue
        # Neighbours are Constant/Horizontal (derivative 0) or Linear, so no iteration is needed.
        if nxt is None:
            right = 0.0
        elif nxt.interp == LINEAR:
            right = (nxt.value - key.value) / (nxt.frame - key.frame)
        else:
            right = 1.5 * (nxt.value - key.value) / (nxt.frame - key.frame)
        if prev is None:
            left = 0.0
        elif prev.interp == LINEAR:
            left = (key.value - prev.value) / (key.frame - prev.frame)
        else:
            left = 1.5 * (key.value - prev.value) / (key.frame - prev.frame)
        result.append((left, right))
    return result
