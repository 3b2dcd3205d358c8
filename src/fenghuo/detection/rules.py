"""Loading Sigma rule files with pySigma; every rule compiles or is reported with a reason."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sigma.collection import SigmaCollection
from sigma.correlations import SigmaCorrelationRule
from sigma.modifiers import SigmaWideModifier, modifier_mapping
from sigma.rule import SigmaRule

RULE_SUFFIXES = (".yml", ".yaml")
# The operators of a correlation condition; the specification writes a range as two of them
# (``gt: 100`` and ``lte: 200``), which pySigma 2.0 rejects, so the full map is kept aside.
CONDITION_OPERATORS = ("gt", "gte", "lt", "lte", "eq", "neq")
CONDITION_KEY = "fenghuo_condition"
AnyRule = SigmaRule | SigmaCorrelationRule
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


def info_of(rule: AnyRule, path: Path) -> RuleInfo:
    """The display fields of a parsed rule."""
    return RuleInfo(
        id=str(rule.id) if rule.id else "",
        title=rule.title,
        author=rule.author or "",
        level=str(rule.level.name).lower() if rule.level else "",
        path=str(path),
        tags=tuple(str(tag) for tag in rule.tags),
    )


@dataclass(frozen=True)
class Loaded:
    """What one rule document holds: plain rules, correlation rules, and what failed."""

    rules: list[SigmaRule]
    correlations: list[SigmaCorrelationRule]
    issues: list[CompileIssue]

    def all(self) -> list[AnyRule]:
        """Plain and correlation rules, each accepted by ``Engine.add``."""
        return [*self.rules, *self.correlations]


def load_file(path: Path) -> tuple[list[SigmaRule], list[CompileIssue]]:
    """Parse one file; errors stay inside this file's issues."""
    return load_text(path.read_bytes(), str(path))


def load_text(data: bytes | str, origin: str) -> tuple[list[SigmaRule], list[CompileIssue]]:
    """The plain rules of one document and its issues (a correlation rule is one of them:
    ``load_document`` returns it, for ``Engine.add``/``Engine.add_correlation``)."""
    loaded = load_document(data, origin)
    issues = list(loaded.issues)
    for rule in loaded.correlations:
        rid = str(rule.id) if rule.id else None
        reason = "correlation rule: load it with load_document and add it with Engine.add"
        issues.append(CompileIssue(origin, rid, reason))
    return loaded.rules, issues


def _split_ranges(documents: list[Any]) -> list[dict[str, Any] | None]:
    """Each correlation document's full condition map; pySigma is handed its first operator."""
    conditions: list[dict[str, Any] | None] = []
    for document in documents:
        if not isinstance(document, dict) or "correlation" not in document or "action" in document:
            continue
        section = document["correlation"]
        condition = section.get("condition") if isinstance(section, dict) else None
        if not isinstance(condition, dict):
            conditions.append(None)
            continue
        conditions.append(dict(condition))
        operators = [key for key in condition if key in CONDITION_OPERATORS]
        if len(operators) > 1:
            section["condition"] = {k: v for k, v in condition.items() if k not in operators[1:]}
    return conditions


def load_document(data: bytes | str, origin: str) -> Loaded:
    """Parse one rule document (``origin`` names it in issues: a path, or a stored rule).

    Correlation rules come back beside plain rules; their ``rules:`` references are resolved
    by the engine (by name or id, across every file it loaded), not here.
    """
    path = origin
    try:
        documents = list(yaml.safe_load_all(data))
        conditions = _split_ranges(documents)
        collection = SigmaCollection.from_dicts(
            documents, collect_errors=True, resolve_references=False
        )
    except Exception as exc:  # YAML and pySigma errors of every kind end up here
        return Loaded([], [], [CompileIssue(str(path), None, f"parse: {exc}")])
    correlations = iter(conditions)
    rules: list[SigmaRule] = []
    found: list[SigmaCorrelationRule] = []
    issues: list[CompileIssue] = []
    for item in collection.rules:
        rid = str(getattr(item, "id", None) or "") or None
        if isinstance(item, SigmaCorrelationRule):
            condition = next(correlations, None)
            if condition is not None:
                item.custom_attributes[CONDITION_KEY] = condition
        if not isinstance(item, SigmaRule | SigmaCorrelationRule):
            issues.append(CompileIssue(str(path), rid, f"{type(item).__name__} not supported yet"))
        elif item.errors:
            issues.append(CompileIssue(str(path), rid, f"parse: {item.errors[0]}"))
        elif isinstance(item, SigmaCorrelationRule):
            found.append(item)
        else:
            rules.append(item)
    # The collection repeats its rules' errors; keep only those no rule already reported.
    seen = {i.reason for i in issues}
    issues += [
        CompileIssue(str(path), None, f"parse: {e}")
        for e in collection.errors
        if f"parse: {e}" not in seen
    ]
    return Loaded(rules, found, issues)
