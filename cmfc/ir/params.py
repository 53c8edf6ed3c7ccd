"""Effect parameters as text: typed for checking, and written back as the IR's canonical text.

Lowering (template defaults), check and the planner's audio effects all read a parameter through these
two functions, so a value has one canonical text however it was written.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from cmfc.ir.values import Time, ValueError_, format_decimal


def coerce_param(kind: str, text: str):
    """A parameter's text as the type its catalogue entry declares (unparseable text stays text)."""
    try:
        if kind == "float":
            return float(Decimal(text))
        if kind == "int":
            value = Decimal(text)
            return int(value) if value == value.to_integral_value() else float(value)
        if kind == "bool":
            return {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}.get(text, text)
        if kind == "time":
            return str(Time.parse(text))
    except (InvalidOperation, ValueError_, ValueError):
        return text
    return text


def canonical_param(kind: str, value) -> str:
    """A typed parameter value as canonical IR text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_decimal(Decimal(str(value)))
    if kind == "time":
        return str(Time.parse(str(value)))
    if kind == "color":
        return str(value).upper()
    return str(value)
