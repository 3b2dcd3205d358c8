"""Stored plans: the active version of a plan, versions, and the packaged default.

``active_plan`` is what other domains call (incidents classify by it and record the
version they ran under). On first use the packaged national plan is installed as
version 1 by ``ensure_default_plan`` (the system acts; audited when it installs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation
from fenghuo.authority import Actor
from fenghuo.errors import Invalid, NotFound
from fenghuo.plans import loader
from fenghuo.plans.models import Plan, PlanVersion
from fenghuo.plans.schema import PlanDocument

NATIONAL = loader.NATIONAL


@dataclass(frozen=True)
class PlanVersionView:
    """One stored version of a plan, with its parsed document."""

    id: str
    plan_id: str
    name: str
    version: int
    document: PlanDocument
    yaml_text: str
    created_by: str
    created_at: datetime
    is_active: bool
    owner_org_id: str | None

    @classmethod
    def of(cls, row: PlanVersion) -> PlanVersionView:
        return cls(
            id=row.id,
            plan_id=row.plan_id,
            name=row.plan.name,
            version=row.version,
            document=_document(row.id, row.document),
            yaml_text=row.yaml_text,
            created_by=row.created_by,
            created_at=row.created_at,
            is_active=row.is_active,
            owner_org_id=row.plan.owner_org_id,
        )

    def summary(self) -> dict[str, object]:
        """The version's facts without its document (for lists)."""
        return {
            "id": self.id,
            "name": self.name,
            "version": self.version,
            "created_by": self.created_by,
            "created_at": self.created_at.isoformat(),
            "is_active": self.is_active,
        }


_DOCUMENTS: dict[str, PlanDocument] = {}
_CACHED_DOCUMENTS = 64


def _document(version_id: str, data: dict[str, object]) -> PlanDocument:
    """A version's parsed document; versions never change, so each is parsed once."""
    found = _DOCUMENTS.get(version_id)
    if found is None:
        if len(_DOCUMENTS) >= _CACHED_DOCUMENTS:
            _DOCUMENTS.pop(next(iter(_DOCUMENTS)))
        found = _DOCUMENTS[version_id] = loader.from_json(data)
    return found


def active_plan(session: Session, name: str | None = None) -> PlanVersionView:
    """The active version of plan ``name`` (None: the national plan, installed if missing)."""
    name = name or NATIONAL
    row = _active_row(session, name)
    if row is None and name == NATIONAL:
        ensure_default_plan(session)
        row = _active_row(session, name)
    if row is None:
        raise NotFound(f"no plan named {name!r}")
    return PlanVersionView.of(row)


def _active_row(session: Session, name: str) -> PlanVersion | None:
    return session.scalar(
        select(PlanVersion)
        .join(PlanVersion.plan)
        .where(Plan.name == name, PlanVersion.is_active.is_(True))
    )


def get_plan(*, session: Session, name: str) -> Plan | None:
    """The plan called ``name``, if any."""
    return session.scalar(select(Plan).where(Plan.name == name))


def get_plan_or_raise(*, session: Session, name: str) -> Plan:
    """The plan called ``name``; NotFound otherwise."""
    plan = get_plan(session=session, name=name)
    if plan is None:
        raise NotFound(f"no plan named {name!r}")
    return plan


def list_plans(*, session: Session) -> list[Plan]:
    """Every plan, by name."""
    return list(session.scalars(select(Plan).order_by(Plan.name)).unique())


def versions(*, session: Session, plan: Plan) -> list[PlanVersion]:
    """The plan's versions, newest first."""
    return list(
        session.scalars(
            select(PlanVersion)
            .where(PlanVersion.plan_id == plan.id)
            .order_by(PlanVersion.version.desc())
        ).unique()
    )


def get_version_or_raise(*, session: Session, plan: Plan, version: int) -> PlanVersion:
    """Version ``version`` of ``plan``; NotFound otherwise."""
    row = session.scalar(
        select(PlanVersion).where(PlanVersion.plan_id == plan.id, PlanVersion.version == version)
    )
    if row is None:
        raise NotFound(f"plan {plan.name!r} has no version {version}")
    return row


def owner_org(session: Session, document: PlanDocument) -> Organisation | None:
    """The organisation that owns a plan: the coordinator, or its sector's department."""
    query = select(Organisation).where(Organisation.is_active.is_(True))
    if document.owner.kind == "national_coordinator":
        query = query.where(Organisation.kind == OrgKind.national_coordinator.value)
    else:
        query = query.where(
            Organisation.kind == OrgKind.sector_department.value,
            Organisation.sector_code == document.owner.sector,
        )
    return session.scalars(query.order_by(Organisation.path).limit(1)).first()


def require_owner(session: Session, document: PlanDocument) -> Organisation:
    """The owner organisation; a sector with no department is ``Invalid`` on ``owner``."""
    org = owner_org(session, document)
    if org is None:
        who = document.owner.sector or document.owner.kind
        raise Invalid(
            f"no organisation owns plans for {who!r}", field="owner", rule="plan-owner-org"
        )
    return org


def ensure_default_plan(session: Session, *, actor: Actor | None = None) -> PlanVersionView:
    """Install the packaged national plan as version 1 unless a national plan exists."""
    from fenghuo.plans import flows  # flows builds on this module

    existing = _active_row(session, NATIONAL)
    if existing is not None:
        return PlanVersionView.of(existing)
    return flows.install_packaged(session=session, actor=actor or _system_actor())


def _system_actor() -> Actor:
    from fenghuo.authority import load_policy
    from fenghuo.catalog import all_actions

    return Actor.system(load_policy(all_actions()), label="system:plans")
