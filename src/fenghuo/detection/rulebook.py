"""The rulebook: Sigma rules managed in Fenghuo, versioned, enabled or not; the engine follows it.

A rule file is imported as text. Each rule in it is keyed by its Sigma ``id`` (or
``title:<title>`` without one): a key not seen before makes a rule at version 1, a text that
differs from the current version makes the next version, the same text changes nothing.
Every rule is compiled at import; one that does not compile is kept with the reason and is
never used. Versions are never changed. Every change moves the rulebook's revision counter,
is audited and announced as ``detection.rules.changed``; workers compare the counter before
each batch and rebuild their engine when it moved. An empty rulebook means the packaged
starter rules.

Who manages it (Art. 51): the rulebook is one national set run over every organisation's
events, so administrators and analysts of the national coordinator, and of the professional
institutions (CERTs) that analyse for it, manage it; everyone else on the staff of an
authority reads it.
"""

from __future__ import annotations

import difflib
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true, update
from sqlalchemy.orm import Session

from fenghuo.accounts.enums import OrgKind
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, ActorKind, Decision, require
from fenghuo.bus.outbox import emit
from fenghuo.detection import rules as sigma_rules
from fenghuo.detection.engine import Engine
from fenghuo.detection.routing import Routing, load_routing

# Reading files lives in rulebook_files; callers may take its public names from here.
from fenghuo.detection.rulebook_files import Parsed, parse_file, rule_key
from fenghuo.detection.rulebook_files import RuleFile as RuleFile
from fenghuo.detection.rulebook_files import files_from_paths as files_from_paths
from fenghuo.detection.rulebook_files import files_from_zip as files_from_zip
from fenghuo.detection.rulebook_files import starter_rules as starter_rules
from fenghuo.detection.rulebook_models import DetectionRule, DetectionRuleVersion, RulebookRevision
from fenghuo.detection.rules import AnyRule
from fenghuo.errors import Invalid, NotFound, Refused

VIEW = "detection.rules.view"
MANAGE = "detection.rules.manage"
CHANGED = "detection.rules.changed"
MANAGER_KINDS = frozenset({OrgKind.national_coordinator, OrgKind.professional_institution})
MANAGER_RULE = "rulebook-managed-nationally"
LEVELS = ("informational", "low", "medium", "high", "critical")
STATUSES = ("stable", "test", "experimental", "deprecated", "unsupported")
# New rules with these statuses are imported disabled: SigmaHQ marks rules it retired so.
_RETIRED = frozenset({"deprecated", "unsupported"})
_REVISION_ROW = 1
_AUDITED_KEYS = 1000


@dataclass
class ImportReport:
    """What an import did, by rule key; ``skipped`` names files taken for no rule, and why."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_compiled: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    revision: int | None = None

    @property
    def changed(self) -> bool:
        """Whether any rule was created or got a new version."""
        return bool(self.created or self.updated)


# --- Authority, revision --------------------------------------------------------------------


def require_manage(actor: Actor) -> Decision:
    """May ``actor`` change the rulebook? Refused naming the rule otherwise."""
    decision = require(actor, MANAGE)
    if actor.kind is ActorKind.user and (actor.org is None or actor.org.kind not in MANAGER_KINDS):
        org = actor.org.name if actor.org else "no organisation"
        raise Refused(
            f"the rulebook is managed by the national coordinator and CERTs, not {org}",
            rule=MANAGER_RULE,
            article="Art. 51",
        )
    return decision


def revision(session: Session) -> int:
    """The rulebook's revision counter (moves on every change)."""
    return int(
        session.scalar(
            select(RulebookRevision.revision).where(RulebookRevision.id == _REVISION_ROW)
        )
        or 0
    )


def _bump(session: Session) -> int:
    moved = session.execute(
        update(RulebookRevision)
        .where(RulebookRevision.id == _REVISION_ROW)
        .values(revision=RulebookRevision.revision + 1)
        .returning(RulebookRevision.revision)
    ).scalar()
    if moved is None:  # a schema built without the migration's row
        session.add(RulebookRevision(id=_REVISION_ROW, revision=1))
        session.flush()
        return 1
    return int(moved)


# --- Import ---------------------------------------------------------------------------------


def import_files(
    *, session: Session, actor: Actor, files: Sequence[RuleFile], routing: Routing | None = None
) -> ImportReport:
    """Import rule files into the rulebook (caller commits); audited and announced if changed."""
    decision = require_manage(actor)
    probe = Engine(routing or load_routing())
    report = ImportReport()
    seen: dict[str, str] = {}
    # Texts already current: their rules are neither compiled nor stored again.
    stored: dict[str, set[str]] = defaultdict(set)
    for key, sha in session.execute(
        _current_versions(DetectionRule.key, DetectionRuleVersion.sha256)
    ):
        stored[sha].add(key)
    for rule_file in files:
        try:
            text = rule_file.data.decode("utf-8")
        except UnicodeDecodeError as exc:
            report.skipped[rule_file.name] = f"not UTF-8: byte {exc.start} is invalid"
            continue
        unchanged = stored.get(_sha256(text), set())
        parsed = parse_file(text, rule_file.name, probe, unchanged=unchanged)
        if not parsed:
            report.skipped[rule_file.name] = "no rule in the file"
        for item in parsed:
            if item.key in seen:
                report.skipped[rule_file.name] = f"rule {item.key} is also in {seen[item.key]}"
                continue
            seen[item.key] = rule_file.name
            _store(session, actor, item, text, rule_file.name, report)
    if report.changed:
        report.revision = _bump(session)
        _audit_import(session, actor, decision, report)
        emit(
            session,
            CHANGED,
            {
                "revision": report.revision,
                "change": "import",
                "created": report.created[:_AUDITED_KEYS],
                "updated": report.updated[:_AUDITED_KEYS],
            },
        )
    return report


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _current_versions(*columns: Any) -> Select[Any]:
    """``columns`` of each rule joined with its current version."""
    return select(*columns).join(
        DetectionRuleVersion,
        (DetectionRuleVersion.rule_id == DetectionRule.id)
        & (DetectionRuleVersion.number == DetectionRule.version),
    )


def _store(
    session: Session, actor: Actor, item: Parsed, text: str, origin: str, report: ImportReport
) -> None:
    digest = _sha256(text)
    rule = session.scalars(select(DetectionRule).where(DetectionRule.key == item.key)).one_or_none()
    if rule is not None:
        current = _version(session, rule, rule.version)
        if current.sha256 == digest:
            report.unchanged.append(item.key)
            return
        rule.version += 1
        report.updated.append(item.key)
    else:
        status = item.meta["status"]
        rule = DetectionRule(key=item.key, version=1, enabled=status not in _RETIRED)
        session.add(rule)
        report.created.append(item.key)
    _apply(rule, item)
    session.flush()
    session.add(
        DetectionRuleVersion(
            rule_id=rule.id,
            number=rule.version,
            text=text,
            sha256=digest,
            origin=origin[:500],
            imported_by=actor.label[:200],
            imported_by_user_id=actor.user_id,
        )
    )
    if not item.compiles:
        report.not_compiled[item.key] = item.reason or "not compiled"


def _apply(rule: DetectionRule, item: Parsed) -> None:
    for name, value in item.meta.items():
        setattr(rule, name, value)
    rule.tags_text = "|" + "|".join(item.meta["tags"]) + "|"
    rule.compiles = item.compiles
    rule.reason = item.reason


def _audit_import(session: Session, actor: Actor, decision: Decision, report: ImportReport) -> None:
    # The versions table holds each rule's text and importer; the audit record holds the facts.
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE,
        target_type="detection_rulebook",
        target_id=str(report.revision),
        decision=decision,
        details={
            "change": "import",
            "revision": report.revision,
            "created": report.created[:_AUDITED_KEYS],
            "updated": report.updated[:_AUDITED_KEYS],
            "unchanged": len(report.unchanged),
            "not_compiled": len(report.not_compiled),
            "skipped": len(report.skipped),
        },
        summary=f"rulebook import: {len(report.created)} new, {len(report.updated)} changed, "
        f"{len(report.unchanged)} unchanged, {len(report.not_compiled)} not compiling",
    )


def install_starter_rules(*, session: Session, actor: Actor) -> ImportReport:
    """Import the packaged starter rules (idempotent: a second call changes nothing)."""
    return import_files(session=session, actor=actor, files=files_from_paths([starter_rules()]))


# --- Enable, disable ------------------------------------------------------------------------


def set_enabled(
    *, session: Session, actor: Actor, rule_id: str, enabled: bool, reason: str
) -> DetectionRule:
    """Enable or disable a rule, with the reason why (caller commits); audited and announced."""
    decision = require_manage(actor)
    reason = reason.strip()
    if not 3 <= len(reason) <= 500:
        raise Invalid("say why, in 3 to 500 characters", field="reason", rule="required")
    rule = get_or_raise(session=session, rule_id=rule_id)
    if rule.enabled == enabled:
        return rule
    rule.enabled = enabled
    session.flush()
    number = _bump(session)
    verb = "enable" if enabled else "disable"
    audit_service.record(
        session=session,
        actor=actor,
        action=MANAGE,
        target_type="detection_rule",
        target_id=rule.id,
        decision=decision,
        before={"enabled": not enabled},
        after={"enabled": enabled},
        details={"change": verb, "key": rule.key, "reason": reason, "revision": number},
        summary=f"{verb}d rule {rule.title} ({rule.key}): {reason}",
    )
    emit(session, CHANGED, {"revision": number, "change": verb, "rules": [rule.key]})
    return rule


# --- Reading: list, counts, detail, diff ----------------------------------------------------


@dataclass(frozen=True)
class RuleFilter:
    """What a list of rules is narrowed to (all optional); ``text`` searches titles."""

    level: str | None = None
    tag: str | None = None
    status: str | None = None
    enabled: bool | None = None
    compiles: bool | None = None
    text: str | None = None


@dataclass(frozen=True)
class RuleCounts:
    """How the whole rulebook splits, for the filters' labels."""

    total: int
    enabled: int
    not_compiling: int
    by_level: dict[str, int]
    by_status: dict[str, int]


@dataclass(frozen=True)
class RulePage:
    """A page of rules, how many match the filter, and the rulebook's counts."""

    items: list[DetectionRule]
    total: int
    counts: RuleCounts


@dataclass(frozen=True)
class RuleDetail:
    """A rule with its versions, newest first."""

    rule: DetectionRule
    versions: list[DetectionRuleVersion]


def _like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(f: RuleFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [true()]
    if f.level:
        clauses.append(DetectionRule.level == f.level)
    if f.status:
        clauses.append(DetectionRule.status == f.status)
    if f.tag:
        clauses.append(DetectionRule.tags_text.like(f"%|{_like(f.tag)}|%", escape="\\"))
    if f.enabled is not None:
        clauses.append(DetectionRule.enabled.is_(f.enabled))
    if f.compiles is not None:
        clauses.append(DetectionRule.compiles.is_(f.compiles))
    if f.text:
        pattern = f"%{_like(f.text.lower())}%"
        clauses.append(func.lower(DetectionRule.title).like(pattern, escape="\\"))
    return clauses


def counts(*, session: Session) -> RuleCounts:
    """The rulebook by level and status, how many are enabled and how many do not compile."""
    rows = session.execute(
        select(
            DetectionRule.level,
            DetectionRule.status,
            DetectionRule.enabled,
            DetectionRule.compiles,
            func.count(),
        ).group_by(
            DetectionRule.level, DetectionRule.status, DetectionRule.enabled, DetectionRule.compiles
        )
    ).all()
    levels: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    total = enabled = broken = 0
    for level, status, is_enabled, compiles, n in rows:
        levels[level] += n
        statuses[status] += n
        total += n
        enabled += n if is_enabled else 0
        broken += 0 if compiles else n
    return RuleCounts(total, enabled, broken, dict(levels), dict(statuses))


def list_rules(
    *, session: Session, actor: Actor, rule_filter: RuleFilter, limit: int = 50, offset: int = 0
) -> RulePage:
    """Rules matching the filter, by title, with the total and the rulebook's counts."""
    require(actor, VIEW)
    where = _where(rule_filter)
    query = select(DetectionRule).where(*where).order_by(DetectionRule.title, DetectionRule.key)
    items = list(session.scalars(query.limit(limit).offset(offset)))
    total = int(session.scalar(select(func.count(DetectionRule.id)).where(*where)) or 0)
    return RulePage(items, total, counts(session=session))


def get_or_raise(*, session: Session, rule_id: str) -> DetectionRule:
    """The rule with this id, or else this key; ``NotFound`` otherwise."""
    rule = (
        session.get(DetectionRule, rule_id)
        or session.scalars(select(DetectionRule).where(DetectionRule.key == rule_id)).one_or_none()
    )
    if rule is None:
        raise NotFound(f"no rule {rule_id}")
    return rule


def _version(session: Session, rule: DetectionRule, number: int) -> DetectionRuleVersion:
    version = session.scalars(
        select(DetectionRuleVersion).where(
            DetectionRuleVersion.rule_id == rule.id, DetectionRuleVersion.number == number
        )
    ).one_or_none()
    if version is None:
        raise NotFound(f"rule {rule.key} has no version {number}")
    return version


def get_rule(*, session: Session, actor: Actor, rule_id: str) -> RuleDetail:
    """A rule (by id or key) with its versions, newest first."""
    require(actor, VIEW)
    rule = get_or_raise(session=session, rule_id=rule_id)
    versions = session.scalars(
        select(DetectionRuleVersion)
        .where(DetectionRuleVersion.rule_id == rule.id)
        .order_by(DetectionRuleVersion.number.desc())
    )
    return RuleDetail(rule, list(versions))


def diff_versions(*, session: Session, actor: Actor, rule_id: str, old: int, new: int) -> list[str]:
    """The unified diff (lines) from version ``old`` to version ``new`` of a rule."""
    require(actor, VIEW)
    rule = get_or_raise(session=session, rule_id=rule_id)
    before, after = _version(session, rule, old), _version(session, rule, new)
    return list(
        difflib.unified_diff(
            before.text.splitlines(),
            after.text.splitlines(),
            fromfile=f"{rule.key} v{old}",
            tofile=f"{rule.key} v{new}",
            lineterm="",
        )
    )


# --- The engine from the rulebook -----------------------------------------------------------


def build_engine(session: Session, *, extra: Iterable[Path] = (), starter: bool = True) -> Engine:
    """The enabled, compiling rules of the rulebook (the starter set if it is empty) + ``extra``."""
    has_rules = session.scalar(select(func.count(DetectionRule.id))) or 0
    if not has_rules:
        return Engine.from_paths([*([starter_rules()] if starter else []), *extra])
    engine = Engine.from_paths(list(extra))
    current = session.execute(
        _current_versions(DetectionRule.key, DetectionRuleVersion.origin, DetectionRuleVersion.text)
        .where(DetectionRule.enabled.is_(True), DetectionRule.compiles.is_(True))
        .order_by(DetectionRule.key)
    ).all()
    parsed: dict[str, list[AnyRule]] = {}
    for key, origin, text in current:
        if text not in parsed:  # a file of several rules is stored once per rule
            parsed[text] = sigma_rules.load_document(text, f"rulebook:{origin}").all()
        for rule in parsed[text]:
            if rule_key(rule) == key:
                # Rules of one file share its path, as correlations expect (``Engine.hidden``).
                engine.add(rule, Path(f"rulebook:{origin}"))
    engine.resolve()  # correlations find their rules; unresolved ones become issues
    return engine
