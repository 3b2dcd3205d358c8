"""Organisations: the visible tree, a detail page, and the create and edit forms."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from fenghuo.accounts import flows as accounts_flows
from fenghuo.accounts import policy as accounts_policy
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.models import Organisation
from fenghuo.accounts.schemas import OrganisationCreate, OrganisationUpdate
from fenghuo.api.deps import SessionDep, requires
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, Target, check, require, visibility
from fenghuo.web.forms import (
    FORM_ERRORS,
    FormDep,
    FormErrors,
    checked,
    optional,
    run_flow,
    text,
    values,
)
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
ViewAllowed = Annotated[Actor, Depends(requires("accounts.orgs.view"))]
CreateAllowed = Annotated[Actor, Depends(requires("accounts.orgs.create"))]
UpdateAllowed = Annotated[Actor, Depends(requires("accounts.orgs.update"))]

CREATE_FIELDS = (
    "parent_id",
    "kind",
    "name_zh",
    "name_en",
    "sector_code",
    "region_code",
    "people_served",
    "contact_email",
)
UPDATE_FIELDS = (
    "name_zh",
    "name_en",
    "sector_code",
    "region_code",
    "people_served",
    "contact_email",
)


@router.get("/organisations")
def list_organisations(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
    kind: str = "",
    q: str = "",
    cii: str = "",
) -> Response:
    """The organisations the actor can see, as a tree (or a flat list when filtered)."""
    kind = kind if kind in OrgKind.__members__ else ""
    orgs = accounts_service.list_orgs(
        session=session,
        scope=visibility(actor, "accounts.orgs.view"),
        kind=kind or None,
        text=q.strip() or None,
    )
    if cii:
        orgs = [org for org in orgs if org.is_cii]
    rows = _as_tree(orgs, flat=bool(kind or q or cii))
    context = {"rows": rows, "kind": kind, "q": q, "cii": cii}
    template = (
        "organisations/_rows.html"
        if request.headers.get("hx-target") == "org-rows"
        else "organisations/list.html"
    )
    return renderer.render(request, template, {**context, "kinds": list(OrgKind)})


KIND_ORDER = {kind.value: index for index, kind in enumerate(OrgKind)}


def _sort_key(org: Organisation) -> tuple[int, str, str, str]:
    return (KIND_ORDER.get(org.kind, 99), org.sector_code or "", org.region_code or "", org.name_en)


def _as_tree(orgs: list[Organisation], *, flat: bool) -> list[tuple[Organisation, int]]:
    """The organisations with their depth, each below its parent, siblings by kind and place.

    An organisation whose parent is not listed (outside the visibility, or filtered out)
    starts a tree of its own; a filtered list is flat.
    """
    if flat:
        return [(org, 0) for org in sorted(orgs, key=_sort_key)]
    listed = {org.id for org in orgs}
    children: dict[str | None, list[Organisation]] = {}
    for org in orgs:
        parent = org.parent_id if org.parent_id in listed else None
        children.setdefault(parent, []).append(org)
    ordered: list[tuple[Organisation, int]] = []

    def walk(parent: str | None, depth: int) -> None:
        for org in sorted(children.get(parent, []), key=_sort_key):
            ordered.append((org, depth))
            walk(org.id, depth + 1)

    walk(None, 0)
    return ordered


@router.get("/organisations/new")
def new_organisation(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: CreateAllowed,
    parent: str = "",
) -> Response:
    """The form to create an organisation."""
    return _render_create(request, session, renderer, actor, {"parent_id": parent}, FormErrors())


@router.post("/organisations")
def create_organisation(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: CreateAllowed,
) -> Response:
    """Create the organisation, or show the form again with what was wrong."""
    try:
        org_in = OrganisationCreate.model_validate(
            {
                "parent_id": optional(form, "parent_id"),
                "kind": text(form, "kind"),
                "name_zh": text(form, "name_zh"),
                "name_en": text(form, "name_en"),
                "sector_code": optional(form, "sector_code"),
                "region_code": optional(form, "region_code"),
                "is_cii": checked(form, "is_cii"),
                "people_served": optional(form, "people_served"),
                "contact_email": optional(form, "contact_email"),
            }
        )
        org = run_flow(
            session,
            lambda: accounts_flows.create_organisation(session=session, actor=actor, org_in=org_in),
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=(*CREATE_FIELDS, "is_cii"))
        filled = {**values(form, *CREATE_FIELDS), "is_cii": checked(form, "is_cii")}
        return _render_create(request, session, renderer, actor, filled, errors)
    return RedirectResponse(f"/organisations/{org.id}?created=1", status_code=303)


def _render_create(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: Actor,
    filled: dict[str, Any],
    errors: FormErrors,
) -> Response:
    visible = accounts_service.list_orgs(
        session=session, scope=visibility(actor, "accounts.orgs.create")
    )
    parents = [
        org
        for org, _depth in _as_tree(visible, flat=False)
        if check(actor, "accounts.orgs.create", Target(org=accounts_service.org_ref(org))).allowed
    ]
    context = {
        **_choices(),
        "mode": "create",
        "org": None,
        "parents": parents,
        "values": dict.fromkeys(CREATE_FIELDS, "") | {"is_cii": False} | filled,
        "errors": errors,
    }
    return renderer.render(request, "organisations/form.html", context, status_code=errors.status)


def _choices() -> dict[str, Any]:
    provinces = sorted(accounts_policy.regions())
    return {
        "kinds": list(OrgKind),
        "sectors": list(accounts_policy.sectors()),
        "provinces": provinces,
    }


def _visible_org(session: SessionDep, actor: Actor, org_id: str) -> Organisation:
    org = accounts_service.get_or_raise(session=session, org_id=org_id)
    require(actor, "accounts.orgs.view", Target(org=accounts_service.org_ref(org)))
    return org


@router.get("/organisations/{org_id}")
def show_organisation(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
    org_id: str,
    created: str = "",
    updated: str = "",
) -> Response:
    """One organisation: its facts, the organisations below it, its people, its audit trail."""
    org = _visible_org(session, actor, org_id)
    ref = accounts_service.org_ref(org)
    scope = visibility(actor, "accounts.orgs.view")
    parent = accounts_service.get(session=session, org_id=org.parent_id) if org.parent_id else None
    children = sorted(
        accounts_service.list_orgs(session=session, scope=scope, parent_id=org.id), key=_sort_key
    )
    users = (
        accounts_service.list_users(session=session, scope=scope, org_id=org.id)
        if check(actor, "accounts.users.view", Target(org=ref)).allowed
        else None
    )
    records = (
        audit_service.list_(
            session=session, audit_filter=audit_service.AuditFilter(org_ids=[org.id]), limit=10
        )
        if check(actor, "audit.view", Target(org=ref)).allowed
        else None
    )
    context = {
        "org": org,
        "parent": parent if parent and _may_view(actor, parent) else None,
        "children": children,
        "users": users,
        "records": records,
        "may_update": check(actor, "accounts.orgs.update", Target(org=ref)).allowed,
        "may_create": check(actor, "accounts.orgs.create", Target(org=ref)).allowed,
        "may_add_user": check(actor, "accounts.users.create", Target(org=ref)).allowed,
        "notice": "created" if created else ("updated" if updated else ""),
    }
    return renderer.render(request, "organisations/detail.html", context)


def _may_view(actor: Actor, org: Organisation) -> bool:
    target = Target(org=accounts_service.org_ref(org))
    return check(actor, "accounts.orgs.view", target).allowed


@router.get("/organisations/{org_id}/edit")
def edit_organisation(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: UpdateAllowed,
    org_id: str,
) -> Response:
    """The form to change an organisation."""
    org = _visible_org(session, actor, org_id)
    require(actor, "accounts.orgs.update", Target(org=accounts_service.org_ref(org)))
    filled = {name: getattr(org, name) or "" for name in UPDATE_FIELDS}
    filled |= {"is_cii": org.is_cii, "is_active": org.is_active}
    return _render_edit(request, renderer, org, filled, FormErrors())


@router.post("/organisations/{org_id}")
def update_organisation(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: UpdateAllowed,
    org_id: str,
) -> Response:
    """Change the organisation, or show the form again with what was wrong."""
    org = _visible_org(session, actor, org_id)
    try:
        org_in = _update_of(form, org)
        run_flow(
            session,
            lambda: accounts_flows.update_organisation(
                session=session, actor=actor, org_id=org.id, org_in=org_in
            ),
        )
    except FORM_ERRORS as exc:
        session.refresh(org)
        errors = FormErrors.from_exception(exc, known=(*UPDATE_FIELDS, "is_cii", "is_active"))
        filled: dict[str, Any] = {**values(form, *UPDATE_FIELDS)}
        filled |= {"is_cii": checked(form, "is_cii"), "is_active": checked(form, "is_active")}
        return _render_edit(request, renderer, org, filled, errors)
    return RedirectResponse(f"/organisations/{org.id}?updated=1", status_code=303)


def _update_of(form: FormData, org: Organisation) -> OrganisationUpdate:
    """Only what the form changes: unchanged fields are left out of the update."""
    posted: dict[str, Any] = {
        "name_zh": text(form, "name_zh"),
        "name_en": text(form, "name_en"),
        "sector_code": optional(form, "sector_code"),
        "region_code": optional(form, "region_code"),
        "people_served": _number_or_text(optional(form, "people_served")),
        "contact_email": optional(form, "contact_email"),
        "is_cii": checked(form, "is_cii"),
        "is_active": checked(form, "is_active"),
    }
    changed = {name: value for name, value in posted.items() if value != getattr(org, name)}
    return OrganisationUpdate.model_validate(changed)


def _number_or_text(value: str | None) -> int | str | None:
    """A count as the form sent it: an int when it is one (so an unchanged value compares
    equal to the stored one), else the text, for the validation to name."""
    return int(value) if value is not None and value.isdigit() else value


def _render_edit(
    request: Request,
    renderer: RendererDep,
    org: Organisation,
    filled: dict[str, Any],
    errors: FormErrors,
) -> Response:
    context = {
        **_choices(),
        "mode": "edit",
        "org": org,
        "parents": [],
        "values": filled,
        "errors": errors,
    }
    return renderer.render(request, "organisations/form.html", context, status_code=errors.status)
