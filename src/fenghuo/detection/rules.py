"""Loading Sigma rule files with pySigma; every rule compiles or is reported with a reason."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sigma.collection import SigmaCollection
from sigma.modifiers import SigmaWideModifier, modifier_mapping
from sigma.rule import SigmaRule

RULE_SUFFIXES = (".yml", ".yaml")
# The Sigma specification names utf16le as an alias of wide; pySigma 2.0 lacks the alias.
modifier_mapping.setdefault("utf16le", SigmaWideModifier)


@dataclass(frozen=True)
class CompileIssue:
    """A rule (or file) that was not compiled, and why."""

    rule_path: str
    rule_id: str | None
    reason: str


@dataclass(frozen=True)
class RuleInfo:
    """What a match must carry: DRL 1.1 requires the author to be shown with matches."""

    id: str
    title: str
    author: str
    level: str
    path: str
    tags: tuple[str, ...] = ()


def walk(paths: Iterable[Path], suffixes: tuple[str, ...]) -> Iterator[Path]:
    """Files given directly, and files under folders (recursively, sorted), with a suffix."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.suffix in suffixes and p.is_file())
        else:
            yield path


def info_of(rule: SigmaRule, path: Path) -> RuleInfo:
    """The display fields of a parsed rule."""
    return RuleInfo(
        id=str(rule.id) if rule.id else "",
        title=rule.title,
        author=rule.author or "",
        level=str(rule.level.name).lower() if rule.level else "",
        path=str(path),
        tags=tuple(str(tag) for tag in rule.tags),
    )


def load_file(path: Path) -> tuple[list[SigmaRule], list[CompileIssue]]:
    """Parse one file; errors stay inside this file's issues."""
    return load_text(path.read_bytes(), str(path))


def load_text(data: bytes | str, origin: str) -> tuple[list[SigmaRule], list[CompileIssue]]:
    """Parse one rule document (``origin`` names it in issues: a path, or a stored rule)."""
    path = origin
    try:
        collection = SigmaCollection.from_yaml(data, collect_errors=True)
    except Exception as exc:  # YAML and pySigma errors of every kind end up here
        return [], [CompileIssue(str(path), None, f"parse: {exc}")]
    rules: list[SigmaRule] = []
    issues: list[CompileIssue] = []
    for item in collection.rules:
        rid = str(getattr(item, "id", None) or "") or None
        if not isinstance(item, SigmaRule):
            issues.append(CompileIssue(str(path), rid, f"{type(item).__name__} not supported yet"))
        elif item.errors:
            issues.append(CompileIssue(str(path), rid, f"parse: {item.errors[0]}"))
        else:
            rules.append(item)
    # The collection repeats its rules' errors; keep only those no rule already reported.
    seen = {i.reason for i in issues}
    issues += [
        CompileIssue(str(path), None, f"parse: {e}")
        for e in collection.errors
        if f"parse: {e}" not in seen
    ]
    return rules, issues
