"""The plan an incident runs under, through the plans service (incidents → plans).

An incident records the plan name, version and version id it was opened under; a newer
version of the plan never changes a running incident, so its document is always read by
the recorded version id.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from fenghuo.incidents.models import Incident
from fenghuo.plans import service as plans_service
from fenghuo.plans.schema import PlanDocument


def active(session: Session, name: str | None) -> plans_service.PlanVersionView:
    """The active version of plan ``name`` (the national plan when None)."""
    return plans_service.active_plan(session, name=name)


def document_of(session: Session, incident: Incident) -> PlanDocument:
    """The document of the plan version the incident runs under.

    Plan versions never change once stored, so parsed documents are kept by version id
    (the board reads one per incident row).
    """
    cached = _documents.get(incident.plan_version_id)
    if cached is not None:
        return cached
    plan = plans_service.get_plan_or_raise(session=session, name=incident.plan_name)
    row = plans_service.get_version_or_raise(
        session=session, plan=plan, version=incident.plan_version
    )
    document = plans_service.PlanVersionView.of(row).document
    if row.id == incident.plan_version_id:
        if len(_documents) >= _CACHED:
            _documents.pop(next(iter(_documents)))
        _documents[row.id] = document
    return document


_CACHED = 32
_documents: dict[str, PlanDocument] = {}
