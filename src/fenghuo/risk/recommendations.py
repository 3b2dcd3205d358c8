"""Recommendations: a cell whose assessment crosses the plan's thresholds gets a suggested
warning for the competent authority, once per scope per window, and again within the
window when the colour rises (blue in the morning, orange by noon: the orange one is new).

The competent authority follows the plan's ``warning_issuers`` for the colour: where only
the national coordinator may issue it (red), the coordinator; otherwise the provincial
department of the province and the sector department of the sector (those kinds the plan
lets issue it), falling back to the coordinator when neither exists. Their duty officers
get a ``notice`` in their inbox (``fenghuo.notification.flows.send``).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.accounts import policy as accounts_policy
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor
from fenghuo.notification import flows as notification_flows
from fenghuo.plans.schema import PlanDocument
from fenghuo.risk.models import RiskRecommendation
from fenghuo.risk.parameters import Parameters
from fenghuo.risk.schemas import Assessment

COLOUR_ZH = {"red": "红色", "orange": "橙色", "yellow": "黄色", "blue": "蓝色"}
COLOUR_RANK = {"blue": 1, "yellow": 2, "orange": 3, "red": 4}
# A warning driven by detections alone: the plan category for unexplained activity.
DETECTION_CATEGORY = "anomalous_behaviour"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def window_start(now: datetime, hours: int) -> datetime:
    """The start of the recommendation window holding ``now`` (windows from the epoch)."""
    size = timedelta(hours=hours)
    return EPOCH + ((now - EPOCH) // size) * size


def _first(session: Session, *conditions: Any) -> Organisation | None:
    query = select(Organisation).where(Organisation.is_active, *conditions)
    return session.scalars(query.order_by(Organisation.path).limit(1)).first()


def competent_authorities(
    session: Session, document: PlanDocument, colour: str, sector: str, province: str
) -> list[str]:
    """Ids of the organisations that may issue ``colour`` for the cell (plan's issuers)."""
    kinds = set(document.warning_issuers[colour].org_kinds)  # type: ignore[index]
    found: list[Organisation | None] = []
    if kinds - {OrgKind.national_coordinator.value}:
        if OrgKind.provincial_department.value in kinds:
            found.append(_first(session, Organisation.kind == "provincial_department",
                                Organisation.region_code.startswith(province[:2])))  # fmt: skip
        if OrgKind.sector_department.value in kinds:
            found.append(_first(session, Organisation.kind == "sector_department",
                                Organisation.sector_code == sector))  # fmt: skip
    ids = [org.id for org in found if org is not None]
    if not ids:
        coordinator = _first(session, Organisation.kind == "national_coordinator")
        ids = [coordinator.id] if coordinator else []
    return ids


def _category(assessment: Assessment, categories: dict[str, str]) -> str:
    found = Counter(c for c in assessment.evidence.get("incident_categories", []) if c)
    if found:
        return str(found.most_common(1)[0][0])
    return DETECTION_CATEGORY if DETECTION_CATEGORY in categories else next(iter(categories))


def subject(sector: str, region: str) -> tuple[str, str]:
    """What a recommendation is about, in Chinese and English, with the scope's names."""
    names = accounts_policy.sectors().get(sector) or {"zh": sector, "en": sector}
    region_zh = accounts_policy.region_name(region, "zh")
    region_en = accounts_policy.region_name(region, "en")
    return (
        f"{region_zh}{names['zh']}行业网络安全风险升高",
        f"cybersecurity risk elevated in {names['en']}, {region_en}",
    )


def _texts(assessment: Assessment, colour: str) -> tuple[str, str, str, str]:
    subject_zh, subject_en = subject(assessment.sector or "", assessment.region or "")
    title_zh = f"{COLOUR_ZH[colour]}预警建议：{subject_zh}"
    title_en = f"Recommended {colour} warning: {subject_en}"
    top = sorted(assessment.factors, key=lambda f: -f.contribution)[:4]
    why = "; ".join(f"{f.name} {f.value:g} (+{f.contribution:.1f})" for f in top)
    body_en = (
        f"{title_en}.\nRisk score {assessment.score:.1f}/100 (threshold "
        f"{assessment.threshold_key}). Degree of harm: {assessment.degree.level or 'not graded'}."
        f"\nFactors: {why}.\nSurge: {'yes' if assessment.surge_flagged else 'no'}."
    )
    body_zh = (
        f"{title_zh}。\n风险分值 {assessment.score:.1f}/100（阈值 {assessment.threshold_key}）。"
        f"危害程度：{assessment.degree.level or '未分级'}。\n因素：{why}。"
    )
    return title_zh, title_en, body_zh, body_en


def raise_for(
    session: Session,
    *,
    assessment: Assessment,
    assessment_id: str,
    params: Parameters,
    document: PlanDocument,
    now: datetime,
    notifier: Actor,
) -> RiskRecommendation | None:
    """A recommendation for a cell over a threshold, unless one of this colour or a more
    severe one exists for this window."""
    colour = assessment.colour
    if assessment.scope_kind != "cell" or colour is None or not assessment.sector:
        return None
    sector, region = assessment.sector, assessment.region or ""
    start = window_start(now, params.recommendation_window_hours)
    earlier = session.scalars(
        select(RiskRecommendation.colour).where(
            RiskRecommendation.sector == sector,
            RiskRecommendation.region == region,
            RiskRecommendation.window_start == start,
        )
    )
    if any(COLOUR_RANK[c] >= COLOUR_RANK[colour] for c in earlier):
        return None
    title_zh, title_en, body_zh, body_en = _texts(assessment, colour)
    categories = {c.key: c.en for c in document.categories.items}
    recommendation = RiskRecommendation(
        sector=sector, region=region, window_start=start, colour=colour,
        threshold_key=assessment.threshold_key or "", score=assessment.score,
        assessment_id=assessment_id, title_zh=title_zh, title_en=title_en,
        measures_zh=params.measures[colour]["zh"], measures_en=params.measures[colour]["en"],
        category=_category(assessment, categories),
        evidence={
            "factors": [f.model_dump() for f in assessment.factors],
            "possibility": assessment.possibility,
            "degree": assessment.degree.model_dump(),
            "surge": assessment.surge,
            **assessment.evidence,
        },
        authority_org_ids=competent_authorities(session, document, colour, sector, region),
        created_at=now,
    )  # fmt: skip
    session.add(recommendation)
    session.flush()
    if recommendation.authority_org_ids:
        notification = notification_flows.send(
            session, notifier, kind="notice", title=title_en[:200],
            body=f"{body_zh}\n\n{body_en}", recipient_org_ids=recommendation.authority_org_ids,
            ref_type="risk_recommendation", ref_id=recommendation.id, tlp="amber",
            details={"recommendation_id": recommendation.id, "colour": colour,
                     "sector": sector, "region": region, "score": assessment.score},
        )  # fmt: skip
        recommendation.notification_id = notification.id
        session.flush()
    return recommendation
