"""The rulebook in the console: filter the rules, open one with its versions and their
differences, enable or disable it with a reason, and import a zip or rule files."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from fenghuo.api.deps import SessionDep, SettingsDep, requires
from fenghuo.authority import Actor, check
from fenghuo.detection import rulebook
from fenghuo.detection.rulebook_files import RuleFile, files_from_zip
from fenghuo.errors import Invalid
from fenghuo.web.forms import FORM_ERRORS, FormDep, FormErrors, run_flow, text
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
ViewAllowed = Annotated[Actor, Depends(requires(rulebook.VIEW))]
ManageAllowed = Annotated[Actor, Depends(requires(rulebook.MANAGE))]
PAGE_SIZE = 50
LEVELS = ("critical", "high", "medium", "low", "informational")
STATUSES = ("stable", "test", "experimental", "deprecated", "unsupported")


def _yes_no(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


def _list(
    request: Request,
    session: Session,
    renderer: RendererDep,
    actor: Actor,
    *,
    errors: FormErrors | None = None,
    report: rulebook.ImportReport | None = None,
) -> Response:
    params = request.query_params
    chosen = {
        name: params.get(name, "")
        for name in ("level", "status", "tag", "enabled", "compiles", "q")
    }
    page_text = params.get("page", "1")
    page = int(page_text) if page_text.isdigit() and int(page_text) > 0 else 1
    rule_filter = rulebook.RuleFilter(
        level=chosen["level"] if chosen["level"] in LEVELS else None,
        status=chosen["status"] if chosen["status"] in STATUSES else None,
        tag=chosen["tag"][:100] or None,
        enabled=_yes_no(chosen["enabled"]),
        compiles=_yes_no(chosen["compiles"]),
        text=chosen["q"][:200] or None,
    )
    found = rulebook.list_rules(
        session=session,
        actor=actor,
        rule_filter=rule_filter,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    query = {name: value for name, value in chosen.items() if value}
    context: dict[str, Any] = {
        "found": found,
        "chosen": chosen,
        "levels": LEVELS,
        "statuses": STATUSES,
        "page": page,
        "pages": max(1, -(-found.total // PAGE_SIZE)),
        "page_link": lambda n: "/rules?" + urlencode({**query, "page": n}),
        "may_manage": check(actor, rulebook.MANAGE).allowed,
        "errors": errors or FormErrors(),
        "report": report,
    }
    status = errors.status if errors else 200
    return renderer.render(request, "rules/list.html", context, status_code=status)


@router.get("/rules")
def list_rules(
    request: Request, session: SessionDep, renderer: RendererDep, actor: ViewAllowed
) -> Response:
    """The rulebook, filtered by level, status, tag, state and title."""
    return _list(request, session, renderer, actor)


@router.post("/rules/import")
async def import_rules(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    renderer: RendererDep,
    form: FormDep,
    actor: ManageAllowed,
) -> Response:
    """Import a zip of rules or rule files: unchanged text keeps its version, changed gets one."""
    uploads = [item for item in form.getlist("files") if isinstance(item, UploadFile)]
    limit = settings.rules_import_max_bytes
    try:
        files: list[RuleFile] = []
        for upload in uploads:
            if not upload.filename:
                continue
            data = await upload.read(limit + 1)
            if len(data) > limit:
                raise Invalid(
                    f"{upload.filename} is over {limit} bytes", field="files", rule="zip-size"
                )
            if upload.filename.lower().endswith(".zip"):
                files += files_from_zip(
                    data,
                    name=upload.filename,
                    max_bytes=limit,
                    max_files=settings.rules_import_max_files,
                )
            else:
                files.append(RuleFile(name=upload.filename, data=data))
        if not files:
            raise Invalid("choose a zip or rule files", field="files", rule="missing")
        report = run_flow(
            session, lambda: rulebook.import_files(session=session, actor=actor, files=files)
        )
    except FORM_ERRORS as exc:
        errors = FormErrors.from_exception(exc, known=("files",))
        return _list(request, session, renderer, actor, errors=errors)
    return _list(request, session, renderer, actor, report=report)


@router.get("/rules/{rule_id}")
def show_rule(
    rule_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
    old: int | None = None,
    new: int | None = None,
) -> Response:
    """A rule, its versions (newest first) and, when asked, the difference between two."""
    detail = rulebook.get_rule(session=session, actor=actor, rule_id=rule_id)
    diff: list[str] | None = None
    if old is not None and new is not None:
        diff = rulebook.diff_versions(
            session=session, actor=actor, rule_id=rule_id, old=old, new=new
        )
    context = {
        "detail": detail,
        "diff": diff,
        "may_manage": check(actor, rulebook.MANAGE).allowed,
        "errors": FormErrors(),
    }
    return renderer.render(request, "rules/detail.html", context)


@router.post("/rules/{rule_id}/toggle")
def toggle_rule(
    rule_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: ManageAllowed,
) -> Response:
    """Enable or disable the rule, with the reason; the workers follow at their next batch."""
    enabled = text(form, "enabled") == "1"
    try:
        run_flow(
            session,
            lambda: rulebook.set_enabled(
                session=session,
                actor=actor,
                rule_id=rule_id,
                enabled=enabled,
                reason=text(form, "reason"),
            ),
        )
    except FORM_ERRORS as exc:
        detail = rulebook.get_rule(session=session, actor=actor, rule_id=rule_id)
        errors = FormErrors.from_exception(exc, known=("reason",))
        context = {"detail": detail, "diff": None, "may_manage": True, "errors": errors}
        return renderer.render(request, "rules/detail.html", context, status_code=errors.status)
    return RedirectResponse(f"/rules/{rule_id}", status_code=303)
