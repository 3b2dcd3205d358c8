"""Emergency plans (Art. 53): the plans one may read, a version shown as tables, and the
editor: the YAML of the active version, changed and saved as the next version. A plan with
an error is refused with its line and the rule, and nothing is stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import PlainTextResponse, RedirectResponse

from fenghuo.api.deps import SessionDep, requires
from fenghuo.authority import Actor
from fenghuo.plans import flows
from fenghuo.plans import service as plans_service
from fenghuo.plans.actions import MANAGE, VIEW
from fenghuo.web.forms import FORM_ERRORS, FormDep, FormErrors, run_flow, secret
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
ViewAllowed = Annotated[Actor, Depends(requires(VIEW))]
ManageAllowed = Annotated[Actor, Depends(requires(MANAGE))]


@router.get("/plans")
def list_plans(
    request: Request, session: SessionDep, renderer: RendererDep, actor: ViewAllowed
) -> Response:
    """The plans the actor may read (operators: the national plan and their sector's)."""
    plans = flows.visible_plans(session=session, actor=actor)
    return renderer.render(request, "plans/list.html", {"plans": plans})


@router.get("/plans/{name}")
def show_plan(
    name: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
    version: int | None = None,
) -> Response:
    """A version of the plan (the active one by default) and the list of its versions."""
    shown = flows.get_version(session=session, actor=actor, name=name, version=version)
    plan = plans_service.get_plan_or_raise(session=session, name=name)
    context = {
        "plan": plan,
        "shown": shown,
        "doc": shown.document,
        "versions": plans_service.versions(session=session, plan=plan),
    }
    return renderer.render(request, "plans/detail.html", context)


@router.get("/plans/{name}/export")
def export_plan(
    name: str, session: SessionDep, actor: ViewAllowed, version: int | None = None
) -> Response:
    """The YAML of a version, exactly as it was imported."""
    shown = flows.get_version(session=session, actor=actor, name=name, version=version)
    return PlainTextResponse(
        shown.yaml_text,
        media_type="application/yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}-v{shown.version}.yaml"'},
    )


def _editor(
    request: Request,
    renderer: RendererDep,
    name: str,
    text: str,
    errors: FormErrors,
    problem: dict[str, Any] | None = None,
) -> Response:
    context = {"name": name, "text": text, "errors": errors, "problem": problem}
    status = errors.status if errors else 200
    return renderer.render(request, "plans/edit.html", context, status_code=status)


@router.get("/plans/{name}/edit")
def edit_plan(
    name: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ManageAllowed,
) -> Response:
    """The editor, holding the YAML of the active version."""
    shown = flows.get_version(session=session, actor=actor, name=name)
    return _editor(request, renderer, name, shown.yaml_text, FormErrors())


@router.post("/plans/{name}/edit")
def save_plan(
    name: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: ManageAllowed,
) -> Response:
    """Validate the YAML and store it as the next version; or show where it is wrong."""
    text = secret(form, "yaml").replace("\r\n", "\n")
    try:
        saved = run_flow(
            session,
            lambda: flows.import_plan(
                session=session, actor=actor, yaml_text=text, source_name=f"{name}.yaml"
            ),
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=("yaml",))
        reason = getattr(exc, "message", None) or str(exc)
        return _editor(
            request,
            renderer,
            name,
            text,
            errors,
            {"reason": reason, "rule": getattr(exc, "rule", "")},
        )
    return RedirectResponse(f"/plans/{saved.name}?version={saved.version}", status_code=303)
