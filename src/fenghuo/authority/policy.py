"""Authority rules as data: roles, visibility by organisation kind, and grants.

The packaged ``rules.yaml`` is the default; a deployment may point
``FENGHUO_AUTHORITY_RULES_PATH`` at its own file. A rules file that names an unknown
role, action or scope is refused with the line and the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from fenghuo import yaml_lines
from fenghuo.authority.actions import Action

TargetRelation = Literal["any", "visible", "own_org", "self"]
ScopeKind = Literal["all", "sector", "region", "self"]
TARGET_RELATIONS: frozenset[str] = frozenset({"any", "visible", "own_org", "self"})
SCOPE_KINDS: frozenset[str] = frozenset({"all", "sector", "region", "self"})


@dataclass(frozen=True)
class Decision:
    """The answer to "may X do Y on Z", with the rule and the article behind it."""

    allowed: bool
    rule: str
    reason: str
    article: str | None = None

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class Grant:
    """A rule: these roles may take these actions on targets in this relation."""

    rule: str
    roles: frozenset[str]
    actions: tuple[str, ...]
    target: TargetRelation
    article: str | None
    description: str

    def covers(self, action: str) -> bool:
        """Whether the grant names ``action`` (patterns like ``accounts.*`` allowed)."""
        return any(fnmatchcase(action, pattern) for pattern in self.actions)


@dataclass(frozen=True)
class KindVisibility:
    """What an organisation of one kind sees beyond its own subtree."""

    scope: ScopeKind
    article: str | None


@dataclass(frozen=True)
class VisibilityScope:
    """An actor's visibility, for filtering lists in SQL."""

    kind: ScopeKind
    org_id: str | None
    org_path: str | None
    sector: str | None = None
    region_prefix: str | None = None


@dataclass(frozen=True)
class Policy:
    """The loaded rules plus the registry of actions they speak of."""

    roles: Mapping[str, Mapping[str, str]]
    visibility: Mapping[str, KindVisibility]
    grants: tuple[Grant, ...]
    actions: Mapping[str, Action]
    region_prefix_length: int
    source: str

    def action(self, name: str) -> Action:
        """The registered action called ``name``; an unknown name is a programming error."""
        try:
            return self.actions[name]
        except KeyError:
            raise KeyError(f"authority action {name!r} is not registered") from None

    def grants_for(self, roles: Iterable[str], action: str) -> list[Grant]:
        """The grants that give any of ``roles`` the ``action``."""
        role_set = set(roles)
        return [g for g in self.grants if g.roles & role_set and g.covers(action)]


def load_policy(actions: Iterable[Action], path: Path | None = None) -> Policy:
    """Load rules from ``path`` (or the packaged default) and check them against ``actions``."""
    if path is None:
        text = resources.files("fenghuo.authority").joinpath("rules.yaml").read_text("utf-8")
        name = "authority rules (packaged)"
    else:
        text = path.read_text(encoding="utf-8")
        name = str(path)
    return parse_policy(yaml_lines.load(text, name=name), {a.name: a for a in actions})


def parse_policy(doc: yaml_lines.YamlDocument, actions: Mapping[str, Action]) -> Policy:
    """Build a ``Policy`` from a parsed rules document, refusing any inconsistency."""
    data = doc.data
    if not isinstance(data, dict):
        raise doc.invalid((), "the rules file must be a mapping", rule="rules-shape")
    roles = _parse_roles(doc, data.get("roles"))
    visibility = _parse_visibility(doc, data.get("visibility"))
    grants = tuple(
        _parse_grant(doc, index, raw, roles, actions)
        for index, raw in enumerate(_require_list(doc, data, "grants"))
    )
    prefix = data.get("region_prefix_length", 2)
    if not isinstance(prefix, int) or not 1 <= prefix <= 6:
        raise doc.invalid(
            ("region_prefix_length",), "must be a whole number from 1 to 6", rule="range"
        )
    return Policy(roles, visibility, grants, dict(actions), prefix, doc.name)


def _require_list(doc: yaml_lines.YamlDocument, data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list):
        raise doc.invalid((key,), "must be a list", rule="rules-shape")
    return value


def _parse_roles(doc: yaml_lines.YamlDocument, raw: Any) -> dict[str, dict[str, str]]:
    if not isinstance(raw, dict) or not raw:
        raise doc.invalid(
            ("roles",), "must map each role to its zh and en names", rule="rules-shape"
        )
    roles: dict[str, dict[str, str]] = {}
    for name, labels in raw.items():
        if not isinstance(labels, dict) or not {"zh", "en"} <= labels.keys():
            raise doc.invalid(("roles", name), "needs both zh and en names", rule="bilingual")
        roles[str(name)] = {"zh": str(labels["zh"]), "en": str(labels["en"])}
    return roles


def _parse_visibility(doc: yaml_lines.YamlDocument, raw: Any) -> dict[str, KindVisibility]:
    if not isinstance(raw, dict):
        raise doc.invalid(
            ("visibility",), "must map organisation kinds to scopes", rule="rules-shape"
        )
    result: dict[str, KindVisibility] = {}
    for kind, entry in raw.items():
        scope = entry.get("scope") if isinstance(entry, dict) else None
        if scope not in SCOPE_KINDS:
            allowed = ", ".join(sorted(SCOPE_KINDS))
            raise doc.invalid(
                ("visibility", kind, "scope"), f"must be one of {allowed}", rule="scope-kind"
            )
        result[str(kind)] = KindVisibility(scope=scope, article=entry.get("article"))
    return result


def _parse_grant(
    doc: yaml_lines.YamlDocument,
    index: int,
    raw: Any,
    roles: Mapping[str, Any],
    actions: Mapping[str, Action],
) -> Grant:
    path: yaml_lines.PathKey = ("grants", index)
    if not isinstance(raw, dict) or not isinstance(raw.get("rule"), str):
        raise doc.invalid(path, "a grant needs a rule name", rule="rules-shape")
    grant_roles = raw.get("roles")
    if not isinstance(grant_roles, list) or not grant_roles:
        raise doc.invalid((*path, "roles"), "must list at least one role", rule="rules-shape")
    for role_index, role in enumerate(grant_roles):
        if role not in roles and role != "system":
            raise doc.invalid(
                (*path, "roles", role_index), f"{role!r} is not a known role", rule="known-role"
            )
    patterns = raw.get("actions")
    if not isinstance(patterns, list) or not patterns:
        raise doc.invalid((*path, "actions"), "must list at least one action", rule="rules-shape")
    for action_index, pattern in enumerate(patterns):
        if not any(fnmatchcase(name, str(pattern)) for name in actions):
            raise doc.invalid(
                (*path, "actions", action_index),
                f"{pattern!r} matches no registered action",
                rule="known-action",
            )
    target = raw.get("target", "visible")
    if target not in TARGET_RELATIONS:
        allowed = ", ".join(sorted(TARGET_RELATIONS))
        raise doc.invalid((*path, "target"), f"must be one of {allowed}", rule="target-relation")
    return Grant(
        rule=raw["rule"],
        roles=frozenset(grant_roles),
        actions=tuple(str(p) for p in patterns),
        target=target,
        article=raw.get("article"),
        description=str(raw.get("description", "")),
    )
