"""A deliberately plain Sigma matcher, one event and one rule at a time, for property tests.

It reads the rule as YAML data (not through pySigma) and follows the specification directly:
case-insensitive wildcard matching unless ``cased``, lists are OR (AND with ``all``), maps are
AND, keywords are substrings of any one value.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

Event = dict[str, Any]


def text(value: Any) -> str | None:
    """The event value as the text Sigma compares."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def wildcard(pattern: str, value: str, cased: bool, *, whole: bool = True) -> bool:
    """Sigma wildcards: * any run, ? one character, backslash escapes the next wildcard."""
    rx, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "*?\\":
            rx += re.escape(pattern[i + 1])
            i += 2
            continue
        rx += ".*" if c == "*" else "." if c == "?" else re.escape(c)
        i += 1
    flags = re.DOTALL | (0 if cased else re.IGNORECASE)
    found = re.fullmatch(rx, value, flags) if whole else re.search(rx, value, flags)
    return found is not None


COMPARE = {"lt": operator.lt, "lte": operator.le, "gt": operator.gt, "gte": operator.ge}


def _compare(actual: str, op: Callable[[float, float], bool], expected: float) -> bool:
    try:
        return op(float(actual), expected)
    except ValueError:
        return False


def value_matches(field_value: Any, modifiers: list[str], expected: Any) -> bool:
    """One event value against one rule value under the modifiers."""
    actual = text(field_value)
    if "exists" in modifiers:
        return (actual is not None) == bool(expected)
    if expected is None:
        return actual is None or actual == ""
    if actual is None:
        return False
    compare = [COMPARE[m] for m in modifiers if m in COMPARE]
    if compare:
        return _compare(actual, compare[0], float(expected))
    if "re" in modifiers:
        flags = re.IGNORECASE if "i" in modifiers else 0
        return re.search(str(expected), actual, flags) is not None
    pattern = str(expected).lower() if isinstance(expected, bool) else str(expected)
    if "contains" in modifiers:
        pattern = f"*{pattern}*"
    elif "startswith" in modifiers:
        pattern = f"{pattern}*"
    elif "endswith" in modifiers:
        pattern = f"*{pattern}"
    return wildcard(pattern, actual, "cased" in modifiers)


def item_matches(event: Event, key: str, values: Any) -> bool:
    """A ``field|mod|mod: value-or-list`` entry of a selection map."""
    name, *modifiers = key.split("|")
    options = values if isinstance(values, list) else [values]
    hits = (value_matches(event.get(name), modifiers, v) for v in options)
    return all(hits) if "all" in modifiers else any(hits)


def keyword_matches(event: Event, keyword: str) -> bool:
    """A field-less keyword: a substring (wildcards allowed) of any one value."""
    values = [t for t in map(text, event.values()) if t is not None]
    return any(wildcard(f"*{keyword}*", v, cased=False) for v in values)


def selection_matches(event: Event, selection: Any) -> bool:
    """A named selection: a map (AND), a list of maps (OR) or a list of keywords (OR)."""
    if isinstance(selection, dict):
        return all(item_matches(event, k, v) for k, v in selection.items())
    return any(
        selection_matches(event, s) if isinstance(s, dict) else keyword_matches(event, str(s))
        for s in selection
    )
