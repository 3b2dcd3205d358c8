"""Drafts prefilled from elsewhere: from an incident (Art. 55: public-facing alerts).

The incident's final (or computed) level gives the colour (I → red … IV → blue; blue when
it has none), its category the category, its operator's sector and region the scope, and its
facts the texts, which the author then edits before submitting. The audience starts as
departments only (TLP:AMBER): making a warning public is a decision, not a default.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fenghuo.authority import Actor
from fenghuo.incidents import service as incident_service
from fenghuo.warnings import flows
from fenghuo.warnings.enums import Audience, Colour
from fenghuo.warnings.models import EarlyWarning
from fenghuo.warnings.policy import COLOUR_LEVEL
from fenghuo.warnings.schemas import WarningCreate

LEVEL_COLOUR = {level: colour for colour, level in COLOUR_LEVEL.items()}


def _text(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip()) or "—"


def draft_from_incident(
    *, session: Session, actor: Actor, incident_id: str, colour: Colour | None = None
) -> EarlyWarning:
    """A draft warning prefilled from an incident the actor may see."""
    incident = incident_service.get(session=session, actor=actor, incident_id=incident_id)
    level = incident.final_level or incident.computed_level
    operator = incident.organisation
    chosen = colour or LEVEL_COLOUR.get(level or "", Colour.blue)
    warning_in = WarningCreate(
        colour=chosen,
        category=incident.category,
        title_zh=f"关于{incident.title}的网络安全预警"[:300],
        title_en=f"Cybersecurity warning: {incident.title}"[:300],
        description_zh=_text(
            f"事件 {incident.reference}：{incident.title}。", incident.trend, incident.cause
        ),
        description_en=_text(
            f"Incident {incident.reference}: {incident.title}.", incident.trend, incident.cause
        ),
        measures_zh=_text(incident.planned_measures, incident.measures_taken),
        measures_en=_text(incident.planned_measures, incident.measures_taken),
        sectors=[operator.sector_code] if operator.sector_code else [],
        regions=[operator.region_code] if operator.region_code else [],
        audience=Audience.departments,
        incident_id=incident.id,
    )
    return flows.draft_warning(session=session, actor=actor, warning_in=warning_in)
