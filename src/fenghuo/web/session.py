"""Who is visiting: the console session cookie, the language, and CSRF protection.

A signed-in visitor carries ``fenghuo_session`` (HttpOnly, SameSite=Lax, Secure when
``secure_cookies``), whose secret ``credentials.authenticate`` resolves into the actor.
The resolved actor is put on ``request.state.actor`` so that ``requires(...)`` from
``fenghuo.api.deps`` authorises console routes exactly as it does API routes.

Every form that changes something sends a CSRF token, in the ``csrf_token`` field or
(HTMX) the ``X-CSRF-Token`` header. Signed in, it must equal the session's own token;
signed out (the sign-in and language forms), it must equal the signed
``fenghuo_csrf`` cookie (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request, Response
from sqlalchemy.orm import Session

from fenghuo.accounts import credentials
from fenghuo.accounts.enums import CredentialKind
from fenghuo.api.deps import PlatformDep, SessionDep
from fenghuo.authority import Actor, ActorKind
from fenghuo.errors import Refused, Unauthenticated
from fenghuo.platform import Platform
from fenghuo.settings import Settings
from fenghuo.web.i18n import choose_language

SESSION_COOKIE = "fenghuo_session"
LANGUAGE_COOKIE = "fenghuo_lang"
CSRF_COOKIE = "fenghuo_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
LANGUAGE_COOKIE_DAYS = 365


@dataclass
class Visitor:
    """The actor behind the request, the language to answer in, and the CSRF token to use."""

    actor: Actor
    language: str
    csrf_token: str
    credential_id: str | None = None
    display_name: str = ""
    org_name: str = ""
    new_csrf_cookie: bool = False

    @property
    def signed_in(self) -> bool:
        """Whether a user is signed in."""
        return self.actor.kind is ActorKind.user


def load_visitor(request: Request, platform: PlatformDep, session: SessionDep) -> Visitor:
    """Resolve the session cookie (if any) into the visitor; remember it on the request."""
    visitor = _resolve(request, platform, session)
    request.state.actor = visitor.actor
    request.state.visitor = visitor
    return visitor


VisitorDep = Annotated[Visitor, Depends(load_visitor)]


def _resolve(request: Request, platform: Platform, session: Session) -> Visitor:
    settings = platform.settings
    secret = request.cookies.get(SESSION_COOKIE)
    found = (
        credentials.authenticate(
            session=session,
            policy=platform.policy,
            secret=secret,
            kinds=frozenset({CredentialKind.session}),
        )
        if secret
        else None
    )
    cookie_language = request.cookies.get(LANGUAGE_COOKIE)
    if found is not None:
        actor, credential = found
        language = choose_language(
            user_language=actor.language, cookie=cookie_language, default=settings.default_language
        )
        return Visitor(
            actor=actor,
            language=language,
            csrf_token=credential.csrf_token or "",
            credential_id=credential.id,
            display_name=credential.user.display_name,
            org_name=credential.user.organisation.name(language),
        )
    token = request.cookies.get(CSRF_COOKIE, "")
    fresh = not is_signed_token(settings, token)
    return Visitor(
        actor=Actor.anonymous(platform.policy),
        language=choose_language(
            user_language=None, cookie=cookie_language, default=settings.default_language
        ),
        csrf_token=new_signed_token(settings) if fresh else token,
        new_csrf_cookie=fresh,
    )


def fallback_visitor(request: Request, platform: Platform) -> Visitor:
    """The visitor for a request that failed before ``load_visitor`` ran (no database)."""
    visitor: Visitor | None = getattr(request.state, "visitor", None)
    if visitor is not None:
        return visitor
    settings = platform.settings
    return Visitor(
        actor=Actor.anonymous(platform.policy),
        language=choose_language(
            user_language=None,
            cookie=request.cookies.get(LANGUAGE_COOKIE),
            default=settings.default_language,
        ),
        csrf_token="",
    )


async def check_csrf(request: Request, visitor: VisitorDep, platform: PlatformDep) -> None:
    """Refuse a state-changing request that does not carry this visitor's CSRF token."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if visitor.signed_in:
        expected = visitor.csrf_token
    else:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        expected = cookie if is_signed_token(platform.settings, cookie) else ""
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        if not visitor.signed_in and request.cookies.get(SESSION_COOKIE):
            # The session ended (expired, signed out elsewhere) while the form was open.
            raise Unauthenticated("the console session has ended; sign in again")
        raise Refused(
            "the form carries no valid CSRF token; reload the page and try again",
            rule="csrf-token",
        )


def _signature(settings: Settings, nonce: str) -> str:
    key = settings.resolved_secret_key().encode("utf-8")
    return hmac.new(key, f"csrf:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def new_signed_token(settings: Settings) -> str:
    """A fresh double-submit token: a nonce and its signature by the deployment's key."""
    nonce = secrets.token_urlsafe(24)
    return f"{nonce}.{_signature(settings, nonce)}"


def is_signed_token(settings: Settings, token: str) -> bool:
    """Whether ``token`` is a double-submit token this deployment signed."""
    nonce, _, signature = token.partition(".")
    if not nonce or not signature:
        return False
    return hmac.compare_digest(signature, _signature(settings, nonce))


def set_session_cookie(response: Response, settings: Settings, secret: str) -> None:
    """Hand the browser its session secret (HttpOnly, SameSite=Lax, Secure per settings)."""
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_hours * 3600,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Forget the session in the browser."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )


def set_csrf_cookie(response: Response, settings: Settings, token: str) -> None:
    """The double-submit cookie of signed-out forms."""
    response.set_cookie(
        CSRF_COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
    )


def set_language_cookie(response: Response, settings: Settings, language: str) -> None:
    """Remember the chosen language in the browser."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
        path="/",
        samesite="lax",
        secure=settings.secure_cookies,
    )


def safe_next(target: str | None, default: str = "/dashboard") -> str:
    """A local path to go to after a form; anything else (another site) becomes ``default``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
