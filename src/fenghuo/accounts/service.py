"""Persistence of organisations and users: get, list, create, update. Flushes, never commits."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import Session

from fenghuo.accounts.models import Organisation, User, UserRole
from fenghuo.authority import OrgRef, VisibilityScope
from fenghuo.errors import NotFound
from fenghuo.store import new_id

# Filters apply to a select of rows or of counts alike.
AnySelect = TypeVar("AnySelect", bound=Select[*tuple[Any, ...]])


def org_ref(org: Organisation) -> OrgRef:
    """The facts authority needs about ``org``."""
    return OrgRef(
        id=org.id,
        kind=org.kind,
        path=org.path,
        sector=org.sector_code,
        region=org.region_code,
        name=org.name_en,
    )


def visible_orgs_clause(scope: VisibilityScope) -> ColumnElement[bool]:
    """SQL for "organisations within this visibility" (mirrors ``authority.can_see``)."""
    if scope.kind == "all":
        return true()
    own_subtree = Organisation.path.startswith(scope.org_path or "\x00")
    if scope.kind == "sector" and scope.sector:
        return or_(own_subtree, Organisation.sector_code == scope.sector)
    if scope.kind == "region" and scope.region_prefix:
        return or_(own_subtree, Organisation.region_code.startswith(scope.region_prefix))
    return own_subtree


def get(*, session: Session, org_id: str) -> Organisation | None:
    """The organisation with ``org_id``, if any."""
    return session.get(Organisation, org_id)


def get_or_raise(*, session: Session, org_id: str) -> Organisation:
    """The organisation with ``org_id``; ``NotFound`` otherwise."""
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"no organisation {org_id}")
    return org


def list_orgs(
    *,
    session: Session,
    scope: VisibilityScope,
    kind: str | None = None,
    text: str | None = None,
    parent_id: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[Organisation]:
    """Organisations within ``scope``, in tree order."""
    query = _filter_orgs(select(Organisation), scope, kind, text, parent_id)
    return list(session.scalars(query.order_by(Organisation.path).limit(limit).offset(offset)))


def _filter_orgs(
    query: AnySelect,
    scope: VisibilityScope,
    kind: str | None,
    text: str | None,
    parent_id: str | None,
) -> AnySelect:
    query = query.where(visible_orgs_clause(scope))
    if kind:
        query = query.where(Organisation.kind == kind)
    if parent_id:
        query = query.where(Organisation.parent_id == parent_id)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(func.lower(Organisation.name_en).like(pattern), Organisation.name_zh.like(pattern))
        )
    return query


def visible_org_ids(*, session: Session, scope: VisibilityScope) -> list[str] | None:
    """Ids of organisations within ``scope``; None means all of them."""
    if scope.kind == "all":
        return None
    return list(session.scalars(select(Organisation.id).where(visible_orgs_clause(scope))))


def count_orgs(
    *,
    session: Session,
    scope: VisibilityScope,
    kind: str | None = None,
    text: str | None = None,
    parent_id: str | None = None,
) -> dict[str, int]:
    """How many visible organisations (matching the ``list_orgs`` filters) there are per kind."""
    query = _filter_orgs(
        select(Organisation.kind, func.count()), scope, kind, text, parent_id
    ).group_by(Organisation.kind)
    return {kind: int(n) for kind, n in session.execute(query)}


def count_cii(*, session: Session, scope: VisibilityScope) -> int:
    """How many visible operators run critical information infrastructure."""
    query = (
        select(func.count())
        .select_from(Organisation)
        .where(visible_orgs_clause(scope), Organisation.is_cii)
    )
    return int(session.scalar(query) or 0)


def create_org(
    *, session: Session, parent: Organisation | None, fields: dict[str, Any]
) -> Organisation:
    """Insert an organisation below ``parent``; its path is derived from the parent's."""
    org = Organisation(**fields)
    org.id = fields.get("id") or new_id()
    org.parent_id = parent.id if parent else None
    org.path = f"{parent.path if parent else '/'}{org.id}/"
    session.add(org)
    session.flush()
    return org


def get_user(*, session: Session, user_id: str) -> User | None:
    """The user with ``user_id``, if any."""
    return session.get(User, user_id)


def get_user_or_raise(*, session: Session, user_id: str) -> User:
    """The user with ``user_id``; ``NotFound`` otherwise."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def get_user_by_username(*, session: Session, username: str) -> User | None:
    """The user called ``username`` (case-insensitive), if any."""
    return session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def list_users(
    *,
    session: Session,
    scope: VisibilityScope,
    org_id: str | None = None,
    text: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[User]:
    """Users of organisations within ``scope``."""
    query = _filter_users(select(User), scope, org_id, text)
    return list(session.scalars(query.order_by(User.username).limit(limit).offset(offset)).unique())


def _filter_users(
    query: AnySelect, scope: VisibilityScope, org_id: str | None, text: str | None
) -> AnySelect:
    query = query.join(User.organisation).where(visible_orgs_clause(scope))
    if org_id:
        query = query.where(User.org_id == org_id)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(User.username).like(pattern), func.lower(User.display_name).like(pattern)
            )
        )
    return query


def count_users(
    *,
    session: Session,
    scope: VisibilityScope,
    org_id: str | None = None,
    text: str | None = None,
) -> int:
    """How many users visible organisations have (matching the ``list_users`` filters)."""
    query = _filter_users(select(func.count(User.id)).select_from(User), scope, org_id, text)
    return int(session.scalar(query) or 0)


def set_roles(*, session: Session, user: User, roles: list[str]) -> None:
    """Replace the user's roles."""
    user.role_rows = [UserRole(role=role) for role in roles]
    session.flush()
