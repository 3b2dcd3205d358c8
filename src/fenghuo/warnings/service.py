"""Persistence of warnings: identifiers, get, list, versions and CAP messages.

Flushes, never commits. ``get`` and ``list_`` apply who may see a warning (``can_view``):
the issuing organisation's subtree, authorities whose visibility takes in the issuer, and,
once published, everyone in its scope (and everyone at all for a public warning).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from fenghuo.accounts import policy as accounts_policy
from fenghuo.accounts import service as accounts_service
from fenghuo.authority import Actor, ActorKind, OrgRef, Target, require
from fenghuo.authority.service import can_see
from fenghuo.errors import Invalid, NotFound
from fenghuo.warnings import policy
from fenghuo.warnings.actions import VIEW
from fenghuo.warnings.enums import Audience
from fenghuo.warnings.models import CapMessage, EarlyWarning, WarningSequence, WarningVersion
from fenghuo.warnings.schemas import CONTENT_FIELDS

OPERATOR = "network_operator"


def allocate_identifier(session: Session, year: int) -> str:
    """The next ``FH-W-YYYY-NNNNNN`` of ``year``, race-free (row lock / write lock)."""
    dialect = session.get_bind().dialect.name
    create: Any
    if dialect == "postgresql":
        create = postgresql.insert(WarningSequence).on_conflict_do_nothing(index_elements=["year"])
    elif dialect == "sqlite":
        create = sqlite.insert(WarningSequence).on_conflict_do_nothing(index_elements=["year"])
    else:  # pragma: no cover - Fenghuo runs on the two dialects above
        create = insert(WarningSequence)
    session.execute(create.values(year=year, last=0))
    number = session.execute(
        update(WarningSequence)
        .where(WarningSequence.year == year)
        .values(last=WarningSequence.last + 1)
        .returning(WarningSequence.last)
    ).scalar_one()
    return policy.identifier(year, int(number))


def get_or_raise(*, session: Session, warning_id: str) -> EarlyWarning:
    """The warning with ``warning_id`` (or identifier); ``NotFound`` otherwise."""
    warning = session.get(EarlyWarning, warning_id)
    if warning is None:
        query = select(EarlyWarning).where(EarlyWarning.identifier == warning_id)
        warning = session.scalar(query)
    if warning is None:
        raise NotFound(f"no warning {warning_id}")
    return warning


def issuer_ref(warning: EarlyWarning) -> OrgRef:
    """The issuing organisation, as authority sees it."""
    return accounts_service.org_ref(warning.organisation)


def target_of(warning: EarlyWarning) -> Target:
    """The authority target of a warning: its issuing organisation."""
    return Target(org=issuer_ref(warning), description=f"warning {warning.identifier}")


def scope_of(warning: EarlyWarning) -> policy.Scope:
    """The sectors and regions a warning covers."""
    return policy.Scope(tuple(warning.sectors), tuple(warning.regions))


def can_view(actor: Actor, warning: EarlyWarning) -> bool:
    """Whether ``actor`` may see ``warning`` (see the module docstring)."""
    if actor.kind is ActorKind.system:
        return True
    viewer = actor.org
    if viewer is None:
        return False
    issuer = issuer_ref(warning)
    if issuer.path.startswith(viewer.path):
        return True
    if viewer.kind != OPERATOR and can_see(actor.policy, viewer, issuer):
        return True
    if warning.published_at is None:
        return False
    if warning.audience == Audience.public and not warning.exercise:
        return True
    return policy.concerns(
        viewer, scope_of(warning), region_prefix=actor.policy.region_prefix_length
    )


def get(*, session: Session, actor: Actor, warning_id: str) -> EarlyWarning:
    """One warning the actor may see; ``NotFound`` when it may not (existence is not told)."""
    require(actor, VIEW)
    warning = get_or_raise(session=session, warning_id=warning_id)
    if not can_view(actor, warning):
        raise NotFound(f"no warning {warning_id}")
    return warning


def list_(
    *,
    session: Session,
    actor: Actor,
    state: str | None = None,
    colour: str | None = None,
    audience: str | None = None,
    exercise: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[EarlyWarning], int]:
    """Warnings the actor may see (filtered), newest first, and how many in all."""
    require(actor, VIEW)
    query = select(EarlyWarning)
    if state:
        query = query.where(EarlyWarning.state == state)
    if colour:
        query = query.where(EarlyWarning.colour == colour)
    if audience:
        query = query.where(EarlyWarning.audience == audience)
    if exercise is not None:
        query = query.where(EarlyWarning.exercise == exercise)
    rows = session.scalars(query.order_by(EarlyWarning.created_at.desc(), EarlyWarning.id))
    visible = [w for w in rows.unique() if can_view(actor, w)]
    return visible[offset : offset + limit], len(visible)


def _drafted_from(
    session: Session, actor: Actor, origin: ColumnElement[bool]
) -> list[EarlyWarning]:
    require(actor, VIEW)
    query = select(EarlyWarning).where(origin)
    rows = session.scalars(query.order_by(EarlyWarning.created_at, EarlyWarning.id)).unique()
    return [w for w in rows if can_view(actor, w)]


def for_incident(*, session: Session, actor: Actor, incident_id: str) -> list[EarlyWarning]:
    """The warnings drafted from an incident that the actor may see, oldest first."""
    return _drafted_from(session, actor, EarlyWarning.incident_id == incident_id)


def for_recommendation(
    *, session: Session, actor: Actor, recommendation_id: str
) -> list[EarlyWarning]:
    """The warnings drafted from a risk recommendation that the actor may see, oldest first."""
    return _drafted_from(session, actor, EarlyWarning.recommendation_id == recommendation_id)


def versions(session: Session, warning: EarlyWarning) -> list[WarningVersion]:
    """The versions, oldest first."""
    query = select(WarningVersion).where(WarningVersion.warning_id == warning.id)
    return list(session.scalars(query.order_by(WarningVersion.number)))


def cap_messages(session: Session, warning: EarlyWarning) -> list[CapMessage]:
    """The CAP messages emitted, oldest first."""
    query = select(CapMessage).where(CapMessage.warning_id == warning.id)
    return list(session.scalars(query.order_by(CapMessage.seq)))


def cap_message_or_raise(session: Session, message_id: str) -> CapMessage:
    """One CAP message by id or CAP identifier."""
    message = session.get(CapMessage, message_id)
    if message is None:
        query = select(CapMessage).where(CapMessage.identifier == message_id)
        message = session.scalar(query)
    if message is None:
        raise NotFound(f"no CAP message {message_id}")
    return message


def content_of(warning: EarlyWarning) -> dict[str, Any]:
    """The content fields of a warning, JSON-ready (what a version records)."""
    values: dict[str, Any] = {}
    for name in CONTENT_FIELDS:
        value = getattr(warning, name)
        values[name] = value.isoformat() if hasattr(value, "isoformat") else value
    values["sectors"] = list(warning.sectors)
    values["regions"] = list(warning.regions)
    return values


def add_version(
    session: Session, warning: EarlyWarning, *, change: str, reason: str, by: str
) -> WarningVersion:
    """Record the warning's current content as its next version."""
    number = (
        session.scalar(
            select(func.max(WarningVersion.number)).where(WarningVersion.warning_id == warning.id)
        )
        or 0
    ) + 1
    version = WarningVersion(
        warning_id=warning.id,
        number=number,
        change=change,
        reason=reason,
        colour=warning.colour,
        content=content_of(warning),
        made_by=by,
    )
    warning.version = number
    session.add(version)
    session.flush()
    return version


def next_cap_seq(session: Session, warning: EarlyWarning) -> int:
    """The sequence number of the warning's next CAP message."""
    query = select(func.max(CapMessage.seq)).where(CapMessage.warning_id == warning.id)
    return int(session.scalar(query) or 0) + 1


def check_codes(sectors: Sequence[str], regions: Sequence[str]) -> None:
    """Sectors must be known sector codes; regions GB/T 2260 codes of known provinces."""
    known_sectors = accounts_policy.sectors()
    for index, sector in enumerate(sectors):
        if sector not in known_sectors:
            raise Invalid(
                f"{sector!r} is not a known sector", field=f"sectors.{index}", rule="sector"
            )
    provinces = accounts_policy.regions()
    for index, region in enumerate(regions):
        if len(region) != 6 or not region.isdigit() or region[:2] + "0000" not in provinces:
            raise Invalid(
                f"{region!r} is not a GB/T 2260 code of a known province",
                field=f"regions.{index}",
                rule="region",
            )
