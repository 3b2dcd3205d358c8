"""Load YAML and remember the line each value came from, so errors can name it.

Operators edit rules and plans as YAML; "line 42: roles[3] is not a known role" is the
error they need, not a stack trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from fenghuo.errors import Invalid

PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDocument:
    """A parsed YAML document and the line (1-based) of each path in it."""

    data: Any
    lines: dict[PathKey, int]
    name: str

    def line_of(self, path: PathKey) -> int | None:
        """The line of ``path``, or of its nearest ancestor that has one."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), None)

    def invalid(self, path: PathKey, message: str, *, rule: str) -> Invalid:
        """An ``Invalid`` error naming the field path and the line."""
        field = format_path(path)
        line = self.line_of(path)
        where = f"{self.name}, line {line}" if line else self.name
        return Invalid(f"{where}: {field}: {message}", field=field, rule=rule)


def format_path(path: PathKey) -> str:
    """``("grants", 3, "roles")`` -> ``grants[3].roles``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(document)"


def load(text: str, *, name: str) -> YamlDocument:
    """Parse ``text``; a syntax error becomes ``Invalid`` with its line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise Invalid(
            f"{name}{line}: not valid YAML: {problem}", field="(document)", rule="yaml-syntax"
        ) from exc
    lines: dict[PathKey, int] = {}
    if node is not None:
        _collect(node, (), lines)
    return YamlDocument(data=data, lines=lines, name=name)


def _collect(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[(*path, key)] = key_node.start_mark.line + 1
            _collect(value_node, (*path, key), lines)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect(item, (*path, index), lines)
