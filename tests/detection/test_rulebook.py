"""The rulebook: imports (folder, zip), versions and diffs, enable/disable, filters, authority."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo.accounts import credentials
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor, Policy
from fenghuo.bus.outbox import OutboxMessage
from fenghuo.detection import rulebook
from fenghuo.detection.rulebook import RuleFile, RuleFilter
from fenghuo.errors import Invalid, NotFound, Refused
from tests.factories.accounts import World, make_user, make_world


def rule_text(
    *,
    rule_id: str | None = "6c1b7c7a-0c7e-4a52-9d3e-1d0f3a4b5c6d",
    title: str = "Calc started",
    level: str = "low",
    status: str = "test",
    image: str = "\\\\calc.exe",
    tags: tuple[str, ...] = ("attack.execution", "attack.t1204"),
    category: str = "process_creation",
) -> str:
    """A small Sigma rule; change one argument to get a different text."""
    lines = [f"title: {title}"]
    if rule_id:
        lines.append(f"id: {rule_id}")
    lines += [f"status: {status}", "author: Tester", "tags:"]
    lines += [f"    - {tag}" for tag in tags]
    lines += [
        "logsource:",
        f"    category: {category}",
        "    product: windows",
        "detection:",
        "    selection:",
        f"        Image|endswith: '{image}'",
        "    condition: selection",
        f"level: {level}",
    ]
    return "\n".join(lines) + "\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _count(session: Session, column: object) -> int:
    return int(session.scalar(select(func.count(column))) or 0)  # type: ignore[arg-type]


def _import(session: Session, actor: Actor, **texts: str) -> rulebook.ImportReport:
    files = [RuleFile(f"{name}.yml", text.encode()) for name, text in texts.items()]
    return rulebook.import_files(session=session, actor=actor, files=files)


def test_starter_rules_install_once_and_all_compile(session: Session, system_actor: Actor) -> None:
    first = rulebook.install_starter_rules(session=session, actor=system_actor)
    assert len(first.created) == 10 and first.not_compiled == {}
    assert rulebook.revision(session) == first.revision
    audits = _count(session, AuditRecord.id)
    outbox = session.scalars(
        select(OutboxMessage).where(OutboxMessage.subject == rulebook.CHANGED)
    ).all()
    assert [m.payload["change"] for m in outbox] == ["import"]

    again = rulebook.install_starter_rules(session=session, actor=system_actor)
    assert (again.created, again.updated, len(again.unchanged)) == ([], [], 10)
    assert again.revision is None
    assert _count(session, AuditRecord.id) == audits  # nothing changed, nothing audited


def test_a_changed_text_is_a_new_version_with_a_diff(session: Session, system_actor: Actor) -> None:
    _import(session, system_actor, calc=rule_text())
    report = _import(session, system_actor, calc=rule_text(level="high"))
    assert len(report.updated) == 1
    detail = rulebook.get_rule(session=session, actor=system_actor, rule_id=report.updated[0])
    assert detail.rule.version == 2 and detail.rule.level == "high"
    assert [v.number for v in detail.versions] == [2, 1]
    assert detail.versions[0].imported_by == "test-system"
    diff = rulebook.diff_versions(
        session=session, actor=system_actor, rule_id=detail.rule.id, old=1, new=2
    )
    assert "-level: low" in diff and "+level: high" in diff
    with pytest.raises(NotFound):
        rulebook.diff_versions(
            session=session, actor=system_actor, rule_id=detail.rule.id, old=1, new=3
        )


def test_a_rule_that_does_not_compile_is_kept_with_its_reason_and_not_used(
    session: Session, system_actor: Actor
) -> None:
    report = _import(
        session,
        system_actor,
        good=rule_text(),
        unrouted=rule_text(rule_id="11111111-2222-4333-8444-555555555555", category="nope_cat"),
        broken="title: [unclosed\n",
    )
    assert len(report.created) == 3
    assert set(report.not_compiled) == {"11111111-2222-4333-8444-555555555555", "file:broken.yml"}
    unrouted = rulebook.get_or_raise(
        session=session, rule_id="11111111-2222-4333-8444-555555555555"
    )
    assert not unrouted.compiles and unrouted.reason
    assert "nope_cat" in unrouted.reason or "route" in unrouted.reason
    broken = rulebook.get_or_raise(session=session, rule_id="file:broken.yml")
    assert broken.reason is not None and broken.reason.startswith("parse:")
    engine = rulebook.build_engine(session)
    assert [rule.title for rule in engine.rules] == ["Calc started"]


def test_a_rule_without_id_is_keyed_by_its_title(session: Session, system_actor: Actor) -> None:
    report = _import(session, system_actor, noid=rule_text(rule_id=None, title="No id here"))
    assert report.created == ["title:No id here"]


def test_the_same_rule_twice_in_one_import_is_taken_once(
    session: Session, system_actor: Actor
) -> None:
    report = _import(session, system_actor, a=rule_text(), b=rule_text(level="high"))
    assert len(report.created) == 1
    assert report.skipped == {"b.yml": f"rule {report.created[0]} is also in a.yml"}


def test_new_deprecated_rules_come_disabled(session: Session, system_actor: Actor) -> None:
    report = _import(session, system_actor, old=rule_text(status="deprecated"))
    assert not rulebook.get_or_raise(session=session, rule_id=report.created[0]).enabled


def test_zip_import_takes_only_rule_files(session: Session, system_actor: Actor) -> None:
    data = _zip(
        {
            "rules/windows/calc.yml": rule_text().encode(),
            "rules/README.md": b"# not a rule",
            "rules/other.yaml": rule_text(rule_id=None, title="Other").encode(),
        }
    )
    files = rulebook.files_from_zip(data, name="pack.zip")
    assert [f.name for f in files] == [
        "pack.zip/rules/windows/calc.yml",
        "pack.zip/rules/other.yaml",
    ]
    report = rulebook.import_files(session=session, actor=system_actor, files=files)
    detail = rulebook.get_rule(session=session, actor=system_actor, rule_id=report.created[0])
    assert detail.versions[0].origin == "pack.zip/rules/windows/calc.yml"


@pytest.mark.parametrize("name", ["../evil.yml", "/etc/evil.yml", "a/../../evil.yml", "C:/x.yml"])
def test_zip_members_outside_the_archive_are_refused(name: str) -> None:
    with pytest.raises(Invalid) as refused:
        rulebook.files_from_zip(_zip({name: rule_text().encode()}))
    assert refused.value.rule == "zip-path"


def test_zip_size_and_count_limits() -> None:
    big = _zip({"a.yml": b"#" * 5000, "b.yml": b"#" * 5000})
    with pytest.raises(Invalid) as too_big:
        rulebook.files_from_zip(big, max_bytes=8000)
    assert too_big.value.rule == "zip-size"
    with pytest.raises(Invalid) as too_many:
        rulebook.files_from_zip(big, max_files=1)
    assert too_many.value.rule == "zip-size"
    with pytest.raises(Invalid) as not_zip:
        rulebook.files_from_zip(b"PK not really")
    assert not_zip.value.rule == "zip"


def test_folders_are_walked_and_zips_in_them_opened(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yml").write_text(rule_text())
    (tmp_path / "pack.zip").write_bytes(_zip({"b.yaml": rule_text(rule_id=None).encode()}))
    (tmp_path / "notes.txt").write_text("no")
    names = sorted(f.name for f in rulebook.files_from_paths([tmp_path]))
    assert names == ["a.yml", "pack.zip/b.yaml"]


def test_disable_needs_a_reason_and_stops_the_rule(session: Session, system_actor: Actor) -> None:
    report = _import(session, system_actor, calc=rule_text())
    key = report.created[0]
    with pytest.raises(Invalid) as no_reason:
        rulebook.set_enabled(
            session=session, actor=system_actor, rule_id=key, enabled=False, reason=" "
        )
    assert (no_reason.value.field, no_reason.value.rule) == ("reason", "required")
    before = rulebook.revision(session)
    rule = rulebook.set_enabled(
        session=session, actor=system_actor, rule_id=key, enabled=False, reason="too noisy"
    )
    assert not rule.enabled and rulebook.revision(session) == before + 1
    record = session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert record is not None
    assert (record.action, record.target_id) == (rulebook.MANAGE, rule.id)
    assert record.details["reason"] == "too noisy"
    # The rulebook is not empty, so the starter rules do not stand in: no rule runs.
    assert rulebook.build_engine(session).rules == []
    # Disabling again changes nothing.
    rulebook.set_enabled(
        session=session, actor=system_actor, rule_id=key, enabled=False, reason="again"
    )
    assert rulebook.revision(session) == before + 1


def test_an_empty_rulebook_means_the_starter_rules(session: Session) -> None:
    assert len(rulebook.build_engine(session).rules) == 10
    assert rulebook.build_engine(session, starter=False).rules == []


def test_filters_and_counts(session: Session, system_actor: Actor) -> None:
    rulebook.install_starter_rules(session=session, actor=system_actor)
    _import(
        session,
        system_actor,
        calc=rule_text(tags=("attack.t1204", "custom.my_tag")),
        bad=rule_text(rule_id=None, title="Broken one", category="nope_cat", level="critical"),
    )

    def titles(**kwargs: object) -> list[str]:
        page = rulebook.list_rules(
            session=session,
            actor=system_actor,
            rule_filter=RuleFilter(**kwargs),  # type: ignore[arg-type]
        )
        return [rule.title for rule in page.items]

    assert titles(tag="custom.my_tag") == ["Calc started"]
    assert titles(tag="custom.my%tag") == []  # LIKE wildcards are taken literally
    assert titles(compiles=False) == ["Broken one"]
    assert titles(text="CALC") == ["Calc started"]
    assert titles(level="low", status="test") == ["Calc started"]
    assert "Calc started" not in titles(level="high")
    page = rulebook.list_rules(
        session=session, actor=system_actor, rule_filter=RuleFilter(), limit=5
    )
    assert (len(page.items), page.total) == (5, 12)
    assert page.counts.total == 12 and page.counts.not_compiling == 1
    assert page.counts.by_level["critical"] >= 1 and sum(page.counts.by_level.values()) == 12


@pytest.fixture
def world(session: Session) -> World:
    return make_world(session)


def _person(session: Session, policy: Policy, world: World, org: str, role: str) -> Actor:
    user = make_user(session, org=getattr(world, org), username=f"{org}-{role}", roles=[role])
    return credentials.actor_for(user, policy)


@pytest.mark.parametrize(
    ("org", "role", "rule"),
    [
        ("national", "analyst", None),
        ("cert", "administrator", None),
        ("energy_dept", "analyst", rulebook.MANAGER_RULE),
        ("energy_op_gd", "administrator", rulebook.MANAGER_RULE),
        ("national", "duty_officer", "no-grant"),
    ],
)
def test_who_may_change_the_rulebook(
    session: Session, policy: Policy, world: World, org: str, role: str, rule: str | None
) -> None:
    actor = _person(session, policy, world, org, role)
    if rule is None:
        assert len(_import(session, actor, calc=rule_text()).created) == 1
        return
    with pytest.raises(Refused) as refused:
        _import(session, actor, calc=rule_text())
    assert refused.value.rule == rule
    if rule == rulebook.MANAGER_RULE:
        assert "national coordinator and CERTs" in refused.value.reason


def test_staff_read_the_rulebook_and_operators_do_not(
    session: Session, policy: Policy, world: World
) -> None:
    reader = _person(session, policy, world, "energy_dept", "duty_officer")
    rulebook.list_rules(session=session, actor=reader, rule_filter=RuleFilter())
    operator = _person(session, policy, world, "energy_op_gd", "operator_staff")
    with pytest.raises(Refused):
        rulebook.list_rules(session=session, actor=operator, rule_filter=RuleFilter())


BRUTE_FORCE = """title: Failed logon
id: 30000000-0000-4000-8000-000000000001
name: failed_logon
status: test
author: Tester
logsource: {product: windows, service: security}
detection:
  s:
    EventID: 4625
  condition: s
level: low
---
title: Many failed logons
id: 30000000-0000-4000-8000-000000000002
status: test
author: Tester
level: high
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 5m
  condition: {gte: 3}
"""


def test_correlation_rules_are_kept_and_run_with_their_rules(
    session: Session, system_actor: Actor
) -> None:
    report = _import(session, system_actor, brute=BRUTE_FORCE)
    assert sorted(report.created) == [
        "30000000-0000-4000-8000-000000000001",
        "30000000-0000-4000-8000-000000000002",
    ]
    assert report.not_compiled == {}
    correlation = rulebook.get_or_raise(
        session=session, rule_id="30000000-0000-4000-8000-000000000002"
    )
    assert (correlation.level, correlation.category) == ("high", "")
    engine = rulebook.build_engine(session)
    assert [c.correlation.refs for c in engine.correlations] == [("failed_logon",)]
    assert engine.issues == []
    rulebook.set_enabled(
        session=session,
        actor=system_actor,
        rule_id="30000000-0000-4000-8000-000000000001",
        enabled=False,
        reason="base rule off",
    )
    without_base = rulebook.build_engine(session)
    assert without_base.correlations == []
    assert "unknown rules: failed_logon" in without_base.issues[0].reason
