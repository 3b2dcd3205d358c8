"""Audit summaries are told in the reader's language from the facts each record keeps."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from fenghuo.accounts import flows
from fenghuo.accounts.schemas import OrganisationUpdate, UserCreate
from fenghuo.audit.models import AuditRecord
from fenghuo.authority import Actor
from fenghuo.web.i18n import speaking
from fenghuo.web.summaries import audit_summary
from tests.factories.accounts import make_world


def _last(session: Session) -> AuditRecord:
    record = session.query(AuditRecord).order_by(AuditRecord.seq.desc()).first()
    assert record is not None
    return record


def test_user_creation_reads_in_chinese_and_english(session: Session, system_actor: Actor) -> None:
    world = make_world(session)
    flows.create_user(
        session=session,
        actor=system_actor,
        user_in=UserCreate(
            username="gd.duty2",
            display_name="Duty",
            org_id=world.guangdong.id,
            roles=["duty_officer", "analyst"],
            password="a long enough password",
        ),
    )
    record = _last(session)
    with speaking("zh"):
        assert audit_summary(record) == "在Guangdong创建用户 gd.duty2（分析员、值班员）"
    with speaking("en"):
        assert audit_summary(record) == "Created user gd.duty2 (Analyst, Duty officer) in Guangdong"


def test_changed_fields_are_named_in_the_readers_language(
    session: Session, system_actor: Actor
) -> None:
    world = make_world(session)
    flows.update_organisation(
        session=session,
        actor=system_actor,
        org_id=world.cert.id,
        org_in=OrganisationUpdate(name_zh="国家应急中心", contact_email="duty@cert.example.cn"),
    )
    record = _last(session)
    with speaking("zh"):
        assert audit_summary(record) == "修改了国家应急中心的联系邮箱、中文名称"


def test_a_record_without_facts_keeps_its_recorded_summary(
    session: Session, system_actor: Actor
) -> None:
    record = AuditRecord(
        action="accounts.orgs.create", summary="created before facts were kept", details={}
    )
    with speaking("zh"):
        assert audit_summary(record) == "created before facts were kept"
    record.action = "some.future.action"
    assert audit_summary(record) == "created before facts were kept"


def test_ingest_batches_read_in_chinese() -> None:
    record = AuditRecord(
        action="monitoring.events.ingest",
        summary="2 events accepted, 1 rejected (upload)",
        details={"batch_id": "b", "files": [], "accepted": 2, "rejected": 1},
    )
    with speaking("zh"):
        assert audit_summary(record) == "接收事件 2 条，拒收 1 条"


def test_submissions_indicators_and_detection_batches_read_in_chinese() -> None:
    facts = {"title": "扫描活动", "tlp": "AMBER", "org_zh": "国家能源局", "org_en": "NEA"}
    submitted = AuditRecord(action="monitoring.submissions.create", summary="x", details=facts)
    imported = AuditRecord(
        action="monitoring.indicators.manage",
        summary="x",
        details={"set": "apt-feed", "added": 3, "updated": 1, "skipped": [], "origin": "f"},
    )
    detected = AuditRecord(
        action="detection.batches.process",
        summary="x",
        details={"batch_id": "b", "events": 40, "detections": 2, "levels": {}, "rules": 9},
    )
    with speaking("zh"):
        assert audit_summary(submitted) == "国家能源局报送监测信息：扫描活动（TLP:AMBER）"
        assert audit_summary(imported) == "向指标集 apt-feed 导入新指标 3 条、更新 1 条"
        assert audit_summary(detected) == "一个接入批次的 40 条事件中检测出 2 条结果"
    with speaking("en"):
        assert (
            audit_summary(submitted) == "NEA submitted monitoring information: 扫描活动 (TLP:AMBER)"
        )


@pytest.mark.parametrize(
    ("action", "details", "zh"),
    [
        ("plans.plans.manage", {"plan": "national", "version": 2, "title": "x"},
         "保存预案 national 第 2 版"),
        ("notification.notifications.send",
         {"kind": "directive", "title": "立即处置", "recipients": 3},
         "向 3 个单位发送指令“立即处置”"),
        ("incidents.level.override",
         {"computed_level": "II", "previous_level": "II", "final_level": "I", "reason": "提级"},
         "将级别调整为 I（计算级别：II）：提级"),
        ("incidents.tasks.complete",
         {"incident_id": "i", "directive": True, "late": True, "notification_id": None},
         "报告指令已完成（逾期）"),
        ("incidents.response.manage", {"from": "responding", "to": "recovering", "note": ""},
         "事件状态由响应中变为恢复中"),
        ("incidents.response.manage",
         {"activated_level": "II", "plan": "national@1", "tasks": ["a", "b", "c"], "directives": 1},
         "预案 national@1 按 II 级启动：任务 3 项，指令 1 项"),
    ],
)  # fmt: skip
def test_plans_incidents_and_notifications_read_in_chinese(
    action: str, details: dict[str, object], zh: str
) -> None:
    record = AuditRecord(action=action, summary="as recorded", details=details)
    with speaking("zh"):
        assert audit_summary(record) == zh


def test_warning_steps_rules_and_hunts_read_in_chinese() -> None:
    facts = {"identifier": "FH-W-2026-000001", "colour": "orange", "title_zh": "勒索软件预警"}
    published = AuditRecord(action="warnings.warnings.publish", summary="x", details=facts)
    disabled = AuditRecord(
        action="detection.rules.manage",
        summary="x",
        details={"change": "disable", "key": "k1", "reason": "误报", "revision": 3},
    )
    hunted = AuditRecord(
        action="monitoring.events.hunt",
        summary="x",
        details={"sql": "SELECT 1", "rows": 1, "truncated": False},
    )
    with speaking("zh"):
        assert (
            audit_summary(published)
            == "发布预警 FH-W-2026-000001（橙色预警（严重））：勒索软件预警"
        )
        assert audit_summary(disabled) == "停用规则 k1：误报"
        assert audit_summary(hunted) == "执行威胁狩猎查询（1 行）：SELECT 1"
