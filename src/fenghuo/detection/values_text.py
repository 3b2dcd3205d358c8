"""The all-values text of events, as ``events.all_values`` makes it, with less Python per value.

Field-less keyword rules read every value of an event joined by a separator. Building that
text was a quarter of the engine's time on the OTRF corpus: a Python expression per value
(about 50 a Windows event) and a call of ``as_text`` for each value that is not a string
(about 9: ``EventID``, ``Task``, ``tags``, ...). Events of one stream have the same *shape*
(the types of their values, in order), so the values to convert and how are worked out once
per shape; the event then costs one ``list``, one ``tuple(map(type, ...))``, one dictionary
probe, a conversion per non-string value and one ``join``. The text is the same, character
for character (``tests/detection/test_values_text.py`` compares it with ``all_values``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fenghuo.detection.events import as_text

Convert = Callable[[Any], str]
# Shapes remembered at most; a stream of events with ever new shapes only clears the memo.
SHAPES_MAX = 4_096


def _generic(value: Any) -> str:
    """What ``all_values`` does with a value that is not exactly a ``str``."""
    return as_text(value) or ""


def _none(_value: Any) -> str:
    return ""


_BOOL = {True: "true", False: "false"}
# Exact types only (a subclass takes the generic path): as_text(int | float) is str(value),
# as_text(bool) "true"/"false", as_text(None) None, which all_values makes "".
_CONVERT: dict[type, Convert] = {
    int: str,
    float: str,
    bool: _BOOL.__getitem__,
    type(None): _none,
}


class ValuesText:
    """Joins each event's values with ``sep``, exactly as ``events.all_values(event, sep)``."""

    def __init__(self, sep: str) -> None:
        self.sep = sep
        self._fixes: dict[tuple[type, ...], tuple[tuple[int, Convert], ...]] = {}

    def of(self, event: Mapping[str, Any]) -> str:
        """The event's values joined by the separator."""
        values = list(event.values())
        shape = tuple(map(type, values))
        fixes = self._fixes.get(shape)
        if fixes is None:
            fixes = self._learn(shape)
        for i, convert in fixes:
            values[i] = convert(values[i])
        return self.sep.join(values)

    def _learn(self, shape: tuple[type, ...]) -> tuple[tuple[int, Convert], ...]:
        if len(self._fixes) >= SHAPES_MAX:
            self._fixes.clear()
        fixes = tuple((i, _CONVERT.get(t, _generic)) for i, t in enumerate(shape) if t is not str)
        self._fixes[shape] = fixes
        return fixes
