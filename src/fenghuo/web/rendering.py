"""Jinja2 templates: one environment, rendered in the visitor's language.

Templates call ``_("English text")`` for every string they show; ``_`` translates into
the language of the render under way. Responses carry a strict Content-Security-Policy
(everything from this origin, no inline script), because the console runs on closed
government networks where nothing may be fetched from elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from fenghuo import __version__
from fenghuo.authority import Actor, Target, check
from fenghuo.platform import Platform
from fenghuo.web import labels, navigation
from fenghuo.web.i18n import HTML_LANG, LANGUAGES, gettext, speaking
from fenghuo.web.reasons import explain
from fenghuo.web.session import Visitor, set_csrf_cookie
from fenghuo.web.summaries import audit_summary

TEMPLATES_DIR = Path(__file__).parent / "templates"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def make_environment() -> Environment:
    """The template environment, with the translation and naming helpers as globals."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        _=gettext,
        kind_name=labels.kind_name,
        action_name=labels.action_name,
        audit_summary=audit_summary,
        target_name=labels.target_name,
        article=labels.article,
        kind_plural=labels.kind_plural,
        sector_name=labels.sector_name,
        level_name=labels.level_name,
        operator_type_name=labels.operator_type_name,
        entry_kind_name=labels.entry_kind_name,
        referral_authority_name=labels.referral_authority_name,
        incident_state_name=labels.incident_state_name,
        clock_kind_name=labels.clock_kind_name,
        clock_state_name=labels.clock_state_name,
        report_kind_name=labels.report_kind_name,
        countdown=labels.countdown,
        warning_colour_name=labels.warning_colour_name,
        warning_state_name=labels.warning_state_name,
        audience_name=labels.audience_name,
        public_state_name=labels.public_state_name,
        notification_kind_name=labels.notification_kind_name,
        impact_label=labels.impact_label,
        later_label=labels.later_label,
        final_label=labels.final_label,
        region_name=labels.region_name,
        org_name=labels.org_name,
        local_time=labels.local_time,
        local_seconds=labels.local_seconds,
        explain=explain,
        version=__version__,
        languages=LANGUAGES,
    )
    return env


class Renderer:
    """Renders pages and fragments for one app."""

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.env = make_environment()

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status_code: int = 200,
        visitor: Visitor | None = None,
    ) -> HTMLResponse:
        """Render ``template`` for the visitor behind ``request``."""
        visitor = visitor or request.state.visitor
        html = self.render_text(request, template, context or {}, visitor=visitor)
        response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
        response.headers["Content-Language"] = HTML_LANG[visitor.language]
        if visitor.new_csrf_cookie:
            set_csrf_cookie(response, self.platform.settings, visitor.csrf_token)
        return response

    def render_text(
        self, request: Request, template: str, context: dict[str, Any], *, visitor: Visitor
    ) -> str:
        """The HTML of ``template`` for ``visitor``."""
        actor = visitor.actor
        page = {
            "visitor": visitor,
            "actor": actor,
            "lang": visitor.language,
            "html_lang": HTML_LANG[visitor.language],
            "csrf_token": visitor.csrf_token,
            "path": request.url.path,
            "here": _here(request),
            "nav": navigation.for_actor(actor, request.url.path) if visitor.signed_in else (),
            "can": _can(actor),
            "role_name": lambda role: labels.role_name(actor.policy, role),
            "static": _static,
            "is_htmx": request.headers.get("hx-request") == "true",
        }
        with speaking(visitor.language):
            return self.env.get_template(template).render({**page, **context})


def _can(actor: Actor) -> Any:
    def can(action: str, target: Target | None = None) -> bool:
        return check(actor, action, target).allowed

    return can


def _static(path: str) -> str:
    return f"/static/{path}?v={__version__}"


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")
