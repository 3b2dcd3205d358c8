"""Demo warnings: one public warning in force and one lifted, through the real flows.

Guangdong's duty officer drafts an orange public warning for the province and its leader
approves and publishes it (signed CAP Alert, notifications to the operators in Guangdong);
the national analyst drafted a yellow nationwide warning ten days ago, which the national
leader published then and lifted three days ago. Nothing is done if any warning exists or
the demo's people are missing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import credentials
from fenghuo.accounts import service as accounts_service
from fenghuo.authority import Actor
from fenghuo.settings import Settings
from fenghuo.warnings import flows
from fenghuo.warnings.models import EarlyWarning
from fenghuo.warnings.schemas import WarningCreate

PEOPLE = ("gd.duty", "gd.leader", "analyst", "leader")

ACTIVE = {
    "colour": "orange",
    "category": "malware",
    "title_zh": "针对广东省关键信息基础设施的勒索软件攻击",
    "title_en": "Ransomware campaign against critical infrastructure in Guangdong",
    "description_zh": "监测发现勒索软件团伙正利用远程桌面弱口令和未修补的VPN网关，"
    "对广东省内能源、交通和金融单位发起攻击，已有单位业务受到影响。",
    "description_en": "A ransomware group is exploiting weak remote-desktop passwords and "
    "unpatched VPN gateways to attack energy, transport and finance operators in Guangdong; "
    "some operators' services have been affected.",
    "measures_zh": "立即修改远程桌面口令并启用多因素认证；修补VPN网关；"
    "离线备份关键数据并验证可恢复；发现异常立即报告。",
    "measures_en": "Change remote-desktop passwords and enable multi-factor authentication "
    "now; patch VPN gateways; keep offline backups of critical data and test restoring them; "
    "report anything unusual at once.",
    "regions": ["440000"],
    "audience": "public",
}
LIFTED = {
    "colour": "yellow",
    "category": "network_attack",
    "title_zh": "VPN网关高危漏洞被在野利用",
    "title_en": "High-risk VPN gateway vulnerability exploited in the wild",
    "description_zh": "某型号VPN网关存在身份认证绕过漏洞，已被在野利用。",
    "description_en": "An authentication bypass in a widely used VPN gateway is being "
    "exploited in the wild.",
    "measures_zh": "升级至厂商发布的修复版本，排查异常登录。",
    "measures_en": "Upgrade to the vendor's fixed release and review unusual sign-ins.",
    "audience": "public",
}


def _people(session: Session, actor: Actor) -> dict[str, Actor] | None:
    found: dict[str, Actor] = {}
    for username in PEOPLE:
        user = accounts_service.get_user_by_username(session=session, username=username)
        if user is None:
            return None
        found[username] = credentials.actor_for(user, actor.policy)
    return found


def _release(
    session: Session, settings: Settings, author: Actor, leader: Actor, fields: dict[str, object]
) -> EarlyWarning:
    draft = flows.draft_warning(
        session=session, actor=author, warning_in=WarningCreate.model_validate(fields)
    )
    flows.submit_warning(session=session, actor=author, warning_id=draft.id)
    flows.approve_warning(session=session, actor=leader, warning_id=draft.id)
    return flows.publish_warning(
        session=session, actor=leader, settings=settings, warning_id=draft.id
    )


def seed_warnings(
    session: Session, actor: Actor, *, settings: Settings, now: datetime | None = None
) -> list[EarlyWarning]:
    """Publish the demo warnings (skipped if any warning exists); the warnings made."""
    if session.scalar(select(func.count()).select_from(EarlyWarning)):
        return []
    people = _people(session, actor)
    if people is None:
        return []
    at = now or clock.now()
    with clock.frozen(at - timedelta(days=10)) as move_to:
        lifted = _release(
            session,
            settings,
            people["analyst"],
            people["leader"],
            {**LIFTED, "expires_at": at + timedelta(days=20)},
        )
        move_to(at - timedelta(days=3))
        flows.lift_warning(
            session=session,
            actor=people["leader"],
            settings=settings,
            warning_id=lifted.id,
            reason="厂商已发布修复版本，在野利用已停止 / fixed release out; exploitation stopped",
        )
    active = _release(
        session,
        settings,
        people["gd.duty"],
        people["gd.leader"],
        {**ACTIVE, "expires_at": at + timedelta(days=7)},
    )
    return [active, lifted]
