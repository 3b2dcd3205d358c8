"""Users: the people the actor may see, a detail page with the edit form, and creation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from fenghuo import clock
from fenghuo.accounts import flows as accounts_flows
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Organisation, User
from fenghuo.accounts.schemas import UserCreate, UserUpdate
from fenghuo.api.deps import SessionDep, requires
from fenghuo.authority import Actor, Target, check, require, visibility
from fenghuo.web.forms import (
    FORM_ERRORS,
    FormDep,
    FormErrors,
    checked,
    choices,
    optional,
    run_flow,
    secret,
    text,
    values,
)
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
ViewAllowed = Annotated[Actor, Depends(requires("accounts.users.view"))]
CreateAllowed = Annotated[Actor, Depends(requires("accounts.users.create"))]
UpdateAllowed = Annotated[Actor, Depends(requires("accounts.users.update"))]

CREATE_FIELDS = ("org_id", "username", "display_name", "email", "language")
UPDATE_FIELDS = ("display_name", "email")


def _target(user: User) -> Target:
    return Target(org=accounts_service.org_ref(user.organisation))


@router.get("/users")
def list_users(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
    q: str = "",
    org: str = "",
) -> Response:
    """The people of the organisations whose people the actor may see."""
    found = accounts_service.list_users(
        session=session,
        scope=visibility(actor, "accounts.users.view"),
        org_id=org or None,
        text=q.strip() or None,
    )
    users = [user for user in found if check(actor, "accounts.users.view", _target(user)).allowed]
    template = (
        "users/_rows.html" if request.headers.get("hx-target") == "user-rows" else "users/list.html"
    )
    context = {"users": users, "q": q, "org": org}
    return renderer.render(request, template, context)


def _orgs_for(session: SessionDep, actor: Actor, action: str) -> list[Organisation]:
    return [
        org
        for org in accounts_service.list_orgs(session=session, scope=visibility(actor, action))
        if check(actor, action, Target(org=accounts_service.org_ref(org))).allowed
    ]


@router.get("/users/new")
def new_user(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: CreateAllowed,
    org: str = "",
) -> Response:
    """The form to create an account."""
    filled = {"org_id": org, "roles": []}
    return _render_create(request, session, renderer, actor, filled, FormErrors())


@router.post("/users")
def create_user(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: CreateAllowed,
) -> Response:
    """Create the account, or show the form again with what was wrong."""
    try:
        user_in = UserCreate.model_validate(
            {
                "org_id": text(form, "org_id"),
                "username": text(form, "username"),
                "display_name": text(form, "display_name"),
                "email": optional(form, "email"),
                "language": optional(form, "language"),
                "roles": choices(form, "roles"),
                "password": secret(form, "password"),
            }
        )
        user = run_flow(
            session,
            lambda: accounts_flows.create_user(session=session, actor=actor, user_in=user_in),
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=(*CREATE_FIELDS, "roles", "password"))
        filled = {**values(form, *CREATE_FIELDS), "roles": choices(form, "roles")}
        return _render_create(request, session, renderer, actor, filled, errors)
    return RedirectResponse(f"/users/{user.id}?created=1", status_code=303)


def _render_create(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: Actor,
    filled: dict[str, Any],
    errors: FormErrors,
) -> Response:
    context = {
        "orgs": _orgs_for(session, actor, "accounts.users.create"),
        "roles": list(actor.policy.roles),
        "values": dict.fromkeys(CREATE_FIELDS, "") | filled,
        "errors": errors,
    }
    return renderer.render(request, "users/new.html", context, status_code=errors.status)


@router.get("/users/{user_id}")
def show_user(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
    user_id: str,
    created: str = "",
    updated: str = "",
) -> Response:
    """One account, with the form to change it for those allowed."""
    user = accounts_service.get_user_or_raise(session=session, user_id=user_id)
    require(actor, "accounts.users.view", _target(user))
    notice = "created" if created else ("updated" if updated else "")
    return _render_detail(request, renderer, actor, user, _filled_from(user), FormErrors(), notice)


def _filled_from(user: User) -> dict[str, Any]:
    return {
        "display_name": user.display_name,
        "email": user.email or "",
        "roles": user.roles,
        "is_active": user.is_active,
    }


@router.post("/users/{user_id}")
def update_user(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: UpdateAllowed,
    user_id: str,
) -> Response:
    """Change the account, or show the form again with what was wrong."""
    user = accounts_service.get_user_or_raise(session=session, user_id=user_id)
    require(actor, "accounts.users.view", _target(user))
    try:
        user_in = _update_of(form, user)
        run_flow(
            session,
            lambda: accounts_flows.update_user(
                session=session, actor=actor, user_id=user.id, user_in=user_in
            ),
        )
    except FORM_ERRORS as exc:
        session.refresh(user)
        errors = FormErrors.from_exception(
            exc, known=(*UPDATE_FIELDS, "roles", "is_active", "password")
        )
        filled = {
            **values(form, *UPDATE_FIELDS),
            "roles": choices(form, "roles"),
            "is_active": checked(form, "is_active"),
        }
        return _render_detail(request, renderer, actor, user, filled, errors, "")
    return RedirectResponse(f"/users/{user.id}?updated=1", status_code=303)


def _update_of(form: FormData, user: User) -> UserUpdate:
    """Only what the form changes; an empty password field leaves the password alone."""
    posted: dict[str, Any] = {
        "display_name": text(form, "display_name"),
        "email": optional(form, "email"),
        "roles": sorted(choices(form, "roles")),
        "is_active": checked(form, "is_active"),
    }
    changed = {name: value for name, value in posted.items() if value != getattr(user, name)}
    if checked(form, "unlock"):
        changed["unlock"] = True
    if secret(form, "password"):
        changed["password"] = secret(form, "password")
    return UserUpdate.model_validate(changed)


def _render_detail(
    request: Request,
    renderer: RendererDep,
    actor: Actor,
    user: User,
    filled: dict[str, Any],
    errors: FormErrors,
    notice: str,
) -> Response:
    context = {
        "user": user,
        "roles": list(actor.policy.roles),
        "values": filled,
        "errors": errors,
        "notice": notice,
        "may_update": check(actor, "accounts.users.update", _target(user)).allowed,
        "is_locked": user.locked_until is not None
        and clock.as_utc(user.locked_until) > clock.now(),
    }
    return renderer.render(request, "users/detail.html", context, status_code=errors.status)
