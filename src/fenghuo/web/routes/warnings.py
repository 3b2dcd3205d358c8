"""Early warnings in the console (Arts. 51, 54): the list with its approval queue, the
editor with a preview of the public page and of the signed CAP document, and each step of
the life cycle (submit, return, approve, publish, adjust, lift, cancel) as its own form.

Who may take which step for which colour and scope is decided by the flows from the active
plan's issuers; a refusal is shown on the page with its rule and article.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from fenghuo.accounts import policy as accounts_policy
from fenghuo.accounts import service as accounts_service
from fenghuo.api.deps import SessionDep, SettingsDep, requires
from fenghuo.authority import Actor, check
from fenghuo.errors import NotFound
from fenghuo.plans import service as plans_service
from fenghuo.settings import Settings
from fenghuo.warnings import actions, drafting, flows, reach, service, views
from fenghuo.warnings.schemas import WarningCreate, WarningUpdate
from fenghuo.web import labels
from fenghuo.web.forms import FORM_ERRORS, FormDep, FormErrors, checked, choices, run_flow, text
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
ViewAllowed = Annotated[Actor, Depends(requires(actions.VIEW))]
DraftAllowed = Annotated[Actor, Depends(requires(actions.DRAFT))]
PAGE_SIZE = 50
COLOURS = ("red", "orange", "yellow", "blue")
STATES = ("draft", "submitted", "approved", "published", "lifted", "cancelled")
CONTENT = (
    "colour",
    "category",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "measures_zh",
    "measures_en",
    "effective_at",
    "expires_at",
    "audience",
    "tlp",
)
FIELDS = (*CONTENT, "sectors", "regions", "exercise", "reason")


def _content(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {name: text(form, name) for name in CONTENT}
    data["effective_at"] = labels.typed_local(data["effective_at"])
    data["expires_at"] = labels.typed_local(data["expires_at"])
    data["tlp"] = data["tlp"] or None
    data["sectors"] = choices(form, "sectors")
    data["regions"] = [r.strip() for r in text(form, "regions").replace(",", " ").split() if r]
    data["exercise"] = checked(form, "exercise")
    return data


def _shown(form: FormData) -> dict[str, Any]:
    shown: dict[str, Any] = {name: text(form, name) for name in (*CONTENT, "regions", "reason")}
    shown["sectors"] = choices(form, "sectors")
    shown["exercise"] = "1" if checked(form, "exercise") else ""
    return shown


def _form_context(session: Session) -> dict[str, Any]:
    plan = plans_service.active_plan(session)
    return {
        "colours": COLOURS,
        "categories": plan.document.categories.items,
        "sectors": list(accounts_policy.sectors().items()),
    }


@router.get("/warnings")
def list_warnings(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
    state: str = "",
    colour: str = "",
    page: int = 1,
) -> Response:
    """Warnings the actor may see; the ones waiting for approval first."""
    state = state if state in STATES else ""
    colour = colour if colour in COLOURS else ""
    page = max(page, 1)
    found, total = service.list_(
        session=session,
        actor=actor,
        state=state or None,
        colour=colour or None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    queue, _ = service.list_(session=session, actor=actor, state="submitted", limit=PAGE_SIZE)
    approved, _ = service.list_(session=session, actor=actor, state="approved", limit=PAGE_SIZE)
    context = {
        "warnings": found,
        "queue": [*queue, *approved],
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "state": state,
        "colour": colour,
        "states": STATES,
        "colours": COLOURS,
    }
    return renderer.render(request, "warnings/list.html", context)


def _editor(
    request: Request,
    session: Session,
    renderer: RendererDep,
    *,
    shown: dict[str, Any],
    errors: FormErrors,
    action: str,
) -> Response:
    context = {**_form_context(session), "values": shown, "errors": errors, "action": action}
    status = errors.status if errors else 200
    return renderer.render(request, "warnings/form.html", context, status_code=status)


@router.get("/warnings/new")
def new_warning(
    request: Request, session: SessionDep, renderer: RendererDep, _actor: DraftAllowed
) -> Response:
    """The editor for a new draft."""
    shown: dict[str, Any] = {"colour": "yellow", "audience": "departments", "sectors": []}
    return _editor(request, session, renderer, shown=shown, errors=FormErrors(), action="/warnings")


@router.post("/warnings")
def draft(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: DraftAllowed,
) -> Response:
    """Save a new draft; back to the editor with what was wrong."""
    try:
        warning_in = WarningCreate.model_validate(_content(form))
        made = run_flow(
            session,
            lambda: flows.draft_warning(session=session, actor=actor, warning_in=warning_in),
        )
    except (ValidationError, *FORM_ERRORS) as exc:
        errors = FormErrors.from_exception(exc, known=FIELDS)
        return _editor(
            request, session, renderer, shown=_shown(form), errors=errors, action="/warnings"
        )
    return RedirectResponse(f"/warnings/{made.id}", status_code=303)


@router.post("/warnings/from-incident/{incident_id}")
def draft_from_incident(incident_id: str, session: SessionDep, actor: DraftAllowed) -> Response:
    """A draft prefilled from an incident (its level gives the colour)."""
    made = drafting.draft_from_incident(session=session, actor=actor, incident_id=incident_id)
    return RedirectResponse(f"/warnings/{made.id}/edit", status_code=303)


def _content_of(warning: Any) -> dict[str, Any]:
    shown: dict[str, Any] = {name: getattr(warning, name) or "" for name in CONTENT}
    for name in ("effective_at", "expires_at"):
        moment = getattr(warning, name)
        shown[name] = (
            moment.astimezone(labels.DISPLAY_TZ).strftime("%Y-%m-%dT%H:%M") if moment else ""
        )
    shown["sectors"] = list(warning.sectors)
    shown["regions"] = " ".join(warning.regions)
    shown["exercise"] = "1" if warning.exercise else ""
    return shown


@router.get("/warnings/{warning_id}/edit")
def edit_warning(
    warning_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
) -> Response:
    """The editor on a draft, or on a published warning (saved as an adjustment)."""
    found = service.get(session=session, actor=actor, warning_id=warning_id)
    return _editor(
        request,
        session,
        renderer,
        shown=_content_of(found),
        errors=FormErrors(),
        action=f"/warnings/{found.id}/edit",
    )


@router.post("/warnings/{warning_id}/edit")
def save_warning(
    warning_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    renderer: RendererDep,
    form: FormDep,
    actor: ViewAllowed,
) -> Response:
    """A draft is changed in place; a published warning gets a new version (adjusted)."""
    found = service.get(session=session, actor=actor, warning_id=warning_id)
    try:
        changes = WarningUpdate.model_validate({**_content(form), "reason": text(form, "reason")})
        if found.state == "draft":
            call: Callable[[], object] = lambda: flows.update_draft(  # noqa: E731
                session=session, actor=actor, warning_id=found.id, changes=changes
            )
        else:
            call = lambda: flows.adjust_warning(  # noqa: E731
                session=session,
                actor=actor,
                settings=settings,
                warning_id=found.id,
                changes=changes,
            )
        run_flow(session, call)
    except (ValidationError, *FORM_ERRORS) as exc:
        errors = FormErrors.from_exception(exc, known=FIELDS)
        return _editor(
            request,
            session,
            renderer,
            shown=_shown(form),
            errors=errors,
            action=f"/warnings/{found.id}/edit",
        )
    return RedirectResponse(f"/warnings/{found.id}", status_code=303)


def _page(
    request: Request,
    session: Session,
    settings: Settings,
    renderer: RendererDep,
    actor: Actor,
    warning_id: str,
    errors: FormErrors | None = None,
) -> Response:
    detail = views.detail(session=session, actor=actor, warning_id=warning_id)
    found = service.get(session=session, actor=actor, warning_id=warning_id)
    preview = None
    if found.state in ("draft", "submitted", "approved"):
        preview = views.preview_cap(
            session=session, actor=actor, settings=settings, warning_id=found.id
        ).decode("utf-8")
    may = {
        step: check(actor, action).allowed
        for step, action in {
            "submit": actions.SUBMIT,
            "approve": actions.APPROVE,
            "publish": actions.PUBLISH,
            "adjust": actions.ADJUST,
            "lift": actions.LIFT,
            "cancel": actions.CANCEL,
            "edit": actions.DRAFT,
        }.items()
    }
    reached = reach.status(session, actor, found) if found.notification_ids else None
    # Recipients are named in the reader's language (the status carries the English name).
    named = (
        {
            r.org_id: accounts_service.get(session=session, org_id=r.org_id)
            for r in [*reached.acknowledged, *reached.pending]
        }
        if reached
        else {}
    )
    context = {
        "detail": detail,
        "w": found,
        "preview": preview,
        "reach": reached,
        "orgs": named,
        "may": may,
        "errors": errors or FormErrors(),
    }
    status = errors.status if errors else 200
    return renderer.render(request, "warnings/detail.html", context, status_code=status)


@router.get("/warnings/{warning_id}")
def warning_page(
    warning_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    renderer: RendererDep,
    actor: ViewAllowed,
) -> Response:
    """The warning: its content, versions, CAP messages (or the draft's preview), reach."""
    return _page(request, session, settings, renderer, actor, warning_id)


@router.post("/warnings/{warning_id}/{step}")
def step(
    warning_id: str,
    step: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    renderer: RendererDep,
    form: FormDep,
    actor: ViewAllowed,
) -> Response:
    """One step of the life cycle; the flow authorises it by colour and scope."""
    reason = text(form, "reason")
    steps: dict[str, Callable[[], object]] = {
        "submit": lambda: flows.submit_warning(session=session, actor=actor, warning_id=warning_id),
        "return": lambda: flows.return_warning(
            session=session, actor=actor, warning_id=warning_id, reason=reason
        ),
        "approve": lambda: flows.approve_warning(
            session=session, actor=actor, warning_id=warning_id
        ),
        "publish": lambda: flows.publish_warning(
            session=session, actor=actor, settings=settings, warning_id=warning_id
        ),
        "lift": lambda: flows.lift_warning(
            session=session, actor=actor, settings=settings, warning_id=warning_id, reason=reason
        ),
        "cancel": lambda: flows.cancel_warning(
            session=session, actor=actor, settings=settings, warning_id=warning_id, reason=reason
        ),
    }
    call = steps.get(step)
    if call is None:
        raise NotFound(f"no step {step!r} of a warning")
    try:
        run_flow(session, call)
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=("reason",))
        return _page(request, session, settings, renderer, actor, warning_id, errors)
    return RedirectResponse(f"/warnings/{warning_id}", status_code=303)
