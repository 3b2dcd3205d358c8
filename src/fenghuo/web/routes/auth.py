"""Sign in, sign out, and the language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from fenghuo.accounts import credentials
from fenghuo.accounts import flows as accounts_flows
from fenghuo.accounts.enums import CredentialKind
from fenghuo.accounts.schemas import ProfileUpdate
from fenghuo.api.deps import PlatformDep, SessionDep, requires
from fenghuo.authority import Actor, check
from fenghuo.web.forms import FormDep, run_flow, secret, text
from fenghuo.web.i18n import normalise
from fenghuo.web.routes import RendererDep, console_router
from fenghuo.web.session import (
    VisitorDep,
    clear_session_cookie,
    safe_next,
    set_language_cookie,
    set_session_cookie,
)

router = console_router()
LoginAllowed = Annotated[Actor, Depends(requires("accounts.session.login"))]
PortalAllowed = Annotated[Actor, Depends(requires("public.portal.view"))]


@router.get("/")
def home(visitor: VisitorDep, _actor: PortalAllowed) -> Response:
    """The dashboard when signed in, else the sign-in page."""
    return RedirectResponse("/dashboard" if visitor.signed_in else "/login", status_code=303)


@router.get("/login")
def login_form(
    request: Request,
    visitor: VisitorDep,
    renderer: RendererDep,
    _actor: LoginAllowed,
    next: str = "/dashboard",  # noqa: A002 - the conventional name of the parameter
) -> Response:
    """The sign-in form (a signed-in visitor goes straight on)."""
    target = safe_next(next)
    if visitor.signed_in:
        return RedirectResponse(target, status_code=303)
    return renderer.render(request, "auth/login.html", {"next": target, "error": None})


@router.post("/login")
def login(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    _actor: LoginAllowed,
) -> Response:
    """Check the password; on success set the session cookie, else say why (translated).

    A failure is committed with the request (the failure counter, perhaps a lock), which
    is why ``login`` returns an outcome instead of raising.
    """
    target = safe_next(text(form, "next"))
    username = text(form, "username")
    outcome = credentials.login(
        session=session,
        policy=platform.policy,
        settings=platform.settings,
        username=username,
        password=secret(form, "password"),
        kind=CredentialKind.session,
    )
    if not outcome.ok or outcome.secret is None:
        context = {"next": target, "error": outcome.rule, "username": username}
        return renderer.render(request, "auth/login.html", context, status_code=401)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, platform.settings, outcome.secret)
    if outcome.actor is not None and outcome.actor.language:
        set_language_cookie(response, platform.settings, outcome.actor.language)
    return response


@router.post("/logout")
def logout(
    platform: PlatformDep,
    session: SessionDep,
    visitor: VisitorDep,
    actor: Annotated[Actor, Depends(requires("accounts.session.logout"))],
) -> Response:
    """End the console session and forget its cookie."""
    if visitor.credential_id is not None:
        credentials.logout(session=session, actor=actor, credential_id=visitor.credential_id)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response, platform.settings)
    return response


@router.post("/language")
def switch_language(
    platform: PlatformDep,
    session: SessionDep,
    visitor: VisitorDep,
    form: FormDep,
    _actor: PortalAllowed,
) -> Response:
    """Choose zh or en: a cookie for everyone, and the user's own setting when signed in."""
    language = normalise(text(form, "language")) or visitor.language
    fallback = "/dashboard" if visitor.signed_in else "/public"
    response = RedirectResponse(safe_next(text(form, "next"), fallback), status_code=303)
    set_language_cookie(response, platform.settings, language)
    actor = visitor.actor
    may_update = visitor.signed_in and check(actor, "accounts.profile.update").allowed
    if may_update and actor.language != language:
        run_flow(
            session,
            lambda: accounts_flows.update_profile(
                session=session, actor=actor, profile_in=ProfileUpdate(language=language)
            ),
        )
    return response
