"""One's own account: name, e-mail, language, password, and API tokens."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from fenghuo.accounts import credentials
from fenghuo.accounts import flows as accounts_flows
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.models import Credential
from fenghuo.accounts.schemas import ProfileUpdate, TokenCreate
from fenghuo.api.deps import PlatformDep, SessionDep, requires
from fenghuo.authority import Actor
from fenghuo.errors import Invalid
from fenghuo.web.forms import (
    FORM_ERRORS,
    FormDep,
    FormErrors,
    optional,
    run_flow,
    secret,
    text,
    values,
)
from fenghuo.web.routes import RendererDep, console_router
from fenghuo.web.session import set_language_cookie

router = console_router()
ViewAllowed = Annotated[Actor, Depends(requires("accounts.profile.view"))]
UpdateAllowed = Annotated[Actor, Depends(requires("accounts.profile.update"))]
TokensAllowed = Annotated[Actor, Depends(requires("accounts.tokens.manage"))]

PROFILE_FIELDS = ("display_name", "email", "language")
PASSWORD_FIELDS = ("current_password", "new_password", "confirm_password")
TOKEN_FIELDS = ("name", "expires_in_days", "scopes")
EXPIRY_CHOICES = ("30", "90", "365", "")


@router.get("/profile")
def show_profile(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
    updated: str = "",
) -> Response:
    """One's own account and the forms to change it."""
    notice = updated if updated in {"profile", "password"} else ""
    return _render(request, session, renderer, actor, None, FormErrors(), notice=notice)


def _render(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: Actor,
    filled: dict[str, Any] | None,
    errors: FormErrors,
    *,
    form: str = "",
    notice: str = "",
) -> Response:
    user = accounts_service.get_user_or_raise(session=session, user_id=actor.user_id or "")
    current = {"display_name": user.display_name, "email": user.email or ""}
    current["language"] = user.language or ""
    context = {
        "user": user,
        "values": filled or current,
        "errors": errors,
        "failed_form": form,
        "notice": notice,
    }
    return renderer.render(request, "profile/index.html", context, status_code=errors.status)


@router.post("/profile")
def update_profile(
    request: Request,
    platform: PlatformDep,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: UpdateAllowed,
) -> Response:
    """Change one's display name, e-mail or language."""
    try:
        profile_in = ProfileUpdate.model_validate(
            {
                "display_name": text(form, "display_name"),
                "email": optional(form, "email"),
                "language": optional(form, "language"),
            }
        )
        run_flow(
            session,
            lambda: accounts_flows.update_profile(
                session=session, actor=actor, profile_in=profile_in
            ),
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=PROFILE_FIELDS)
        filled = values(form, *PROFILE_FIELDS)
        return _render(request, session, renderer, actor, filled, errors, form="profile")
    response = RedirectResponse("/profile?updated=profile", status_code=303)
    if profile_in.language:
        set_language_cookie(response, platform.settings, profile_in.language)
    return response


@router.post("/profile/password")
def change_password(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: UpdateAllowed,
) -> Response:
    """Change one's password; the current one is asked for, the new one twice."""
    try:
        if secret(form, "new_password") != secret(form, "confirm_password"):
            raise Invalid(
                "the two new passwords differ", field="confirm_password", rule="password-confirm"
            )
        profile_in = ProfileUpdate(
            current_password=secret(form, "current_password"),
            new_password=secret(form, "new_password"),
        )
        run_flow(
            session,
            lambda: accounts_flows.update_profile(
                session=session, actor=actor, profile_in=profile_in
            ),
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=(*PASSWORD_FIELDS, "password"))
        if "password" in errors.fields:  # the policy names the new password "password"
            errors.fields["new_password"] = errors.fields.pop("password")
        return _render(request, session, renderer, actor, None, errors, form="password")
    return RedirectResponse("/profile?updated=password", status_code=303)


@router.get("/profile/tokens")
def list_tokens(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: TokensAllowed,
    revoked: str = "",
) -> Response:
    """One's API tokens and the form to create another."""
    return _render_tokens(request, session, renderer, actor, notice="revoked" if revoked else "")


def _render_tokens(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: Actor,
    *,
    filled: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    issued: tuple[Credential, str] | None = None,
    notice: str = "",
) -> Response:
    errors = errors or FormErrors()
    context = {
        "tokens": credentials.list_api_tokens(session=session, actor=actor),
        "values": filled or {"name": "", "expires_in_days": "90", "scopes": ""},
        "errors": errors,
        "expiry_choices": EXPIRY_CHOICES,
        "issued": issued,
        "notice": notice,
    }
    status = 201 if issued else errors.status
    return renderer.render(request, "profile/tokens.html", context, status_code=status)


@router.post("/profile/tokens")
def create_token(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: TokensAllowed,
) -> Response:
    """Create an API token and show its secret, once."""
    scopes = text(form, "scopes").replace(",", " ").split()
    expires = text(form, "expires_in_days")
    try:
        token_in = TokenCreate.model_validate(
            {
                "name": text(form, "name"),
                "scopes": scopes or None,
                "expires_in_days": expires or None,
            }
        )
        issued = run_flow(
            session,
            lambda: credentials.create_api_token(session=session, actor=actor, token_in=token_in),
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=TOKEN_FIELDS)
        filled = values(form, *TOKEN_FIELDS)
        return _render_tokens(request, session, renderer, actor, filled=filled, errors=errors)
    return _render_tokens(request, session, renderer, actor, issued=issued)


@router.post("/profile/tokens/{token_id}/revoke")
def revoke_token(
    session: SessionDep,
    actor: TokensAllowed,
    token_id: str,
) -> Response:
    """Revoke an API token at once."""
    credentials.revoke_api_token(session=session, actor=actor, token_id=token_id)
    return RedirectResponse("/profile/tokens?revoked=1", status_code=303)
