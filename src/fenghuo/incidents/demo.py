"""Demo incidents: several states and levels, real clocks, one overdue report.

Everything goes through the real flows as the demo's own people (operator staff report,
the national duty officer and leader run the response), so the board, the audit trail and
the notifications look as they would in use. Past incidents are written as of their own
time (the clock is set back while they are filed), which is how the overdue final report
of the Guangzhou Metro ransomware incident comes about. Nothing is done if any incident
exists, or if the demo's people are missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import credentials
from fenghuo.accounts import service as accounts_service
from fenghuo.authority import Actor
from fenghuo.incidents import closure, flows, handling, service
from fenghuo.incidents.models import Incident
from fenghuo.incidents.schemas import FinalReportIn, IncidentCreate, TaskCompletion

PEOPLE = ("op.szpower", "op.zjbank", "op.scpower", "op.gzmetro", "op.cmb", "op.aliyun",
          "duty", "leader")  # fmt: skip


def seed_incidents(
    session: Session, actor: Actor, *, now: datetime | None = None
) -> list[Incident]:
    """File the demo incidents (skipped if any incident exists); the incidents filed."""
    if session.scalar(select(func.count()).select_from(Incident)):
        return []
    people: dict[str, Actor] = {}
    for username in PEOPLE:
        user = accounts_service.get_user_by_username(session=session, username=username)
        if user is None:
            return []
        people[username] = credentials.actor_for(user, actor.policy)
    at = now or clock.now()
    return [
        _closed_iii(session, people, at - timedelta(days=60)),
        _recovering_overdue(session, people, at - timedelta(days=36)),
        _responding_i(session, people, at - timedelta(hours=3)),
        _late_iii(session, people, at - timedelta(hours=6)),
        _responding_ii(session, people, at - timedelta(minutes=40)),
        _unclassified(session, people, at - timedelta(minutes=20)),
    ]


@contextmanager
def _as_of(moment: datetime) -> Iterator[Any]:
    with clock.frozen(moment) as move_to:
        yield move_to


def _file(session: Session, actor: Actor, discovered: datetime, **fields: Any) -> Incident:
    return flows.report_incident(
        session=session,
        actor=actor,
        incident_in=IncidentCreate.model_validate({"discovered_at": discovered, **fields}),
    )


def _responding_ii(session: Session, people: dict[str, Actor], discovered: datetime) -> Incident:
    with _as_of(discovered + timedelta(minutes=15)):
        return _file(
            session, people["op.szpower"], discovered,
            title="客户信息系统数据泄露 / Customer information system data leak",
            reporting_unit="南方电网深圳供电局", facility="客户服务信息系统（营销系统）",
            occurred_at=discovered - timedelta(hours=5), place="广东省深圳市",
            category="data_security", impact={"pi_records_citizens": 12_000_000},
            data_involved="姓名、身份证号、住址、用电户号",
            measures_taken="已封禁异常账号，阻断外传链路，保全日志。",
        )  # fmt: skip


def _late_iii(session: Session, people: dict[str, Actor], discovered: datetime) -> Incident:
    # Reported 5 hours after discovery: an "other" operator has 4 hours, so it is late.
    with _as_of(discovered + timedelta(hours=5)):
        return _file(
            session, people["op.zjbank"], discovered,
            title="网银转账欺诈 / Online banking transfer fraud",
            reporting_unit="浙江农商联合银行", facility="网上银行系统",
            place="浙江省杭州市", category="network_attack",
            impact={"econ_loss_cny": 6_500_000},
            measures_taken="已冻结涉案账户，升级交易风控规则。",
        )  # fmt: skip


def _responding_i(session: Session, people: dict[str, Actor], discovered: datetime) -> Incident:
    with _as_of(discovered + timedelta(minutes=10)) as move_to:
        incident = _file(
            session, people["op.scpower"], discovered,
            title="调度系统中断 / Dispatch system outage",
            reporting_unit="国网四川省电力公司", facility="电力调度自动化系统",
            place="四川省成都市", category="network_attack",
            impact={"outage_whole_min": 420},
            measures_taken="切换至备用调度中心，隔离受感染主机。",
        )  # fmt: skip
        move_to(discovered + timedelta(hours=1))
        for task in service.tasks(session, incident, open_only=True):
            if task.directive:
                handling.complete_task(
                    session=session, actor=people["op.scpower"], task_id=task.id,
                    completion=TaskCompletion(note="本单位预案已启动，现场与证据已保全。"),
                )  # fmt: skip
    return incident


def _recovering_overdue(
    session: Session, people: dict[str, Actor], discovered: datetime
) -> Incident:
    with _as_of(discovered + timedelta(minutes=30)) as move_to:
        incident = _file(
            session, people["op.gzmetro"], discovered,
            title="勒索软件攻击票务系统 / Ransomware on the ticketing system",
            reporting_unit="广州地铁集团", facility="自动售检票系统（AFC）",
            place="广东省广州市", category="malware",
            impact={"outage_mainfn_min": 45}, ransomware=True,
            ransom={"amount": "20 BTC", "method": "比特币 / Bitcoin",
                    "date": date(discovered.year, discovered.month, discovered.day)},
            measures_taken="断开AFC与生产网连接，启用人工售票。",
        )  # fmt: skip
        move_to(discovered + timedelta(days=3))
        handling.start_recovery(
            session=session, actor=people["duty"], incident_id=incident.id,
            note="系统已恢复，进入恢复阶段 / systems restored",
        )  # fmt: skip
    # No final summary report since: 30 days after handling ended, it is overdue.
    return incident


def _closed_iii(session: Session, people: dict[str, Actor], discovered: datetime) -> Incident:
    with _as_of(discovered + timedelta(minutes=50)) as move_to:
        incident = _file(
            session, people["op.cmb"], discovered,
            title="手机银行撞库 / Credential stuffing against mobile banking",
            reporting_unit="招商银行", facility="手机银行App后端",
            place="广东省深圳市", category="network_attack",
            impact={"pi_records_citizens": 1_500_000},
            measures_taken="强制重置受影响账户密码，启用设备绑定。",
        )  # fmt: skip
        move_to(discovered + timedelta(days=2))
        handling.start_recovery(session=session, actor=people["duty"], incident_id=incident.id)
        move_to(discovered + timedelta(days=20))
        closure.submit_final_report(
            session=session, actor=people["op.cmb"], incident_id=incident.id,
            report_in=FinalReportIn(
                cause="外部撞库，部分用户复用密码 / credential stuffing with reused passwords",
                measures="密码重置、设备绑定、登录限速 / resets, device binding, rate limits",
                harm="150万用户信息被访问 / 1.5 M customers' data accessed",
                accountability="已对风控团队负责人问责 / risk-control lead held to account",
                rectification="上线异常登录检测 / anomalous-login detection deployed",
                lessons="撞库防护需常态化 / keep credential-stuffing defences always on",
            ),
        )  # fmt: skip
        closure.close(session=session, actor=people["leader"], incident_id=incident.id)
    return incident


def _unclassified(session: Session, people: dict[str, Actor], discovered: datetime) -> Incident:
    # Below every criterion of the matrix: it awaits a person's judgement (general, IV).
    with _as_of(discovered + timedelta(minutes=10)):
        return _file(
            session, people["op.aliyun"], discovered,
            title="对象存储桶配置不当 / Misconfigured storage bucket",
            reporting_unit="阿里云计算有限公司", facility="对象存储服务（某租户）",
            place="浙江省杭州市", category="data_security",
            impact={"pi_records_citizens": 4_800},
            measures_taken="已关闭公开访问。",
        )  # fmt: skip
