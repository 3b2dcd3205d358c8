"""Incidents (Arts. 55, 57): the board with its clocks, the first-report form, the incident
page and every step of the response, each a form posted to its own address.

Each step runs its flow in a savepoint; what went wrong is shown on the incident page
beside the form that was posted (``errors[form name]``), and nothing of it is kept.
Times typed in the forms are Beijing time, as every time in the console is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.api.deps import SessionDep, SettingsDep, requires
from fenghuo.authority import Actor, Target, check, visibility
from fenghuo.errors import NotFound
from fenghuo.incidents import actions, closure, evidence, flows, handling, pdf, timeline, views
from fenghuo.incidents.enums import EntryKind, IncidentState, OperatorType, ReferralAuthority
from fenghuo.incidents.schemas import (
    FinalReportIn,
    IncidentCreate,
    IncidentUpdate,
    LevelOverride,
    ReferralIn,
    TaskCompletion,
    TimelineIn,
)
from fenghuo.incidents.service import get_or_raise, target_of
from fenghuo.plans import service as plans_service
from fenghuo.settings import Settings
from fenghuo.warnings import actions as warning_actions
from fenghuo.warnings import service as warnings_service
from fenghuo.web import labels
from fenghuo.web.forms import FORM_ERRORS, FormDep, FormErrors, checked, run_flow, text, values
from fenghuo.web.routes import RendererDep, console_router

router = console_router()
ViewAllowed = Annotated[Actor, Depends(requires(actions.VIEW))]
ReportAllowed = Annotated[Actor, Depends(requires(actions.REPORT))]
PAGE_SIZE = 50
LEVELS = ("I", "II", "III", "IV")
# Impact inputs offered on the forms (REFERENCE §2.4 names; the plan's matrix reads them).
IMPACT_FIELDS = (
    "outage_whole_min",
    "outage_mainfn_min",
    "people_affected",
    "pi_records_citizens",
    "econ_loss_cny",
)
REPORT_FIELDS = (
    "title",
    "org_id",
    "operator_type",
    "reporting_unit",
    "facility",
    "discovered_at",
    "occurred_at",
    "place",
    "category",
    *IMPACT_FIELDS,
    "data_involved",
    "measures_taken",
    "ransomware",
    "ransom_amount",
    "ransom_method",
    "ransom_date",
)
LATER_FIELDS = (
    "trend",
    "cause",
    "attribution",
    "planned_measures",
    "support_requested",
    "scene_preservation",
    "harm_evaluation",
    "note",
)
FINAL_FIELDS = ("cause", "measures", "harm", "accountability", "rectification", "lessons")


def _impact(form: FormData) -> dict[str, str]:
    return {name: text(form, name) for name in IMPACT_FIELDS if text(form, name)}


def _field_name(name: str | None) -> str | None:
    """``impact.pi_records_citizens`` and ``ransom.amount`` are shown beside their inputs."""
    if not name:
        return name
    if name.startswith("impact."):
        return name.split(".")[1]
    if name.startswith("ransom."):
        return "ransom_" + name.split(".")[1]
    return name


def _errors(exc: Exception, known: tuple[str, ...]) -> FormErrors:
    if isinstance(exc, ValidationError):
        errors = FormErrors(status=422)
        for error in exc.errors():
            loc = [str(part) for part in error.get("loc") or ()]
            name = _field_name(".".join(loc[:2])) if loc else None
            errors.add(name, error["type"], error["msg"], known=known)
        return errors
    errors = FormErrors.from_exception(exc, known=known)
    for name, rule in list(errors.fields.items()):
        mapped = _field_name(name)
        if mapped and mapped != name and mapped in known:
            errors.fields.setdefault(mapped, rule)
    return errors


# ----------------------------------------------------------------------------- the board


@router.get("/incidents")
def board(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
    level: str = "",
    state: str = "",
    overdue: str = "",
    page: int = 1,
) -> Response:
    """Incidents by level, state and deadline, with their clocks."""
    level = level if level in LEVELS else ""
    state = state if state in IncidentState.__members__ else ""
    page = max(page, 1)
    rows, total = views.board(
        session=session,
        actor=actor,
        level=level or None,
        state=state or None,
        overdue=True if overdue == "1" else None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    context = {
        "rows": rows,
        # Named in the reader's language (the row carries the English name).
        "owners": {
            row.org_id: accounts_service.get(session=session, org_id=row.org_id) for row in rows
        },
        "total": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
        "level": level,
        "state": state,
        "overdue": overdue == "1",
        "levels": LEVELS,
        "states": list(IncidentState),
        "now": labels.now(),
    }
    return renderer.render(request, "incidents/board.html", context)


# ----------------------------------------------------------------------------- first report


def _reportable_orgs(session: Session, actor: Actor) -> list[Any]:
    """The operators the actor may report an incident of."""
    orgs = accounts_service.list_orgs(
        session=session,
        scope=visibility(actor, actions.REPORT),
        kind=OrgKind.network_operator.value,
    )
    return [
        org
        for org in orgs
        if check(actor, actions.REPORT, Target(org=accounts_service.org_ref(org))).allowed
    ]


def _report_form(
    request: Request,
    session: Session,
    renderer: RendererDep,
    actor: Actor,
    shown: dict[str, Any],
    errors: FormErrors,
) -> Response:
    plan = plans_service.active_plan(session)
    context = {
        "values": shown,
        "errors": errors,
        "orgs": _reportable_orgs(session, actor),
        "operator_types": [t.value for t in OperatorType],
        "categories": plan.document.categories.items,
        "impact_fields": IMPACT_FIELDS,
        "plan": plan,
    }
    status = errors.status if errors else 200
    return renderer.render(request, "incidents/new.html", context, status_code=status)


@router.get("/incidents/new")
def new_incident(
    request: Request, session: SessionDep, renderer: RendererDep, actor: ReportAllowed
) -> Response:
    """The first-report form (groups 1 and 2 of the 2025 measures)."""
    return _report_form(request, session, renderer, actor, {}, FormErrors())


@router.post("/incidents")
def report(
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: ReportAllowed,
) -> Response:
    """File the first report; the incident is classified and the plan activated at once."""
    shown = values(form, *REPORT_FIELDS)
    shown["ransomware"] = "1" if checked(form, "ransomware") else ""
    data: dict[str, Any] = {
        "title": text(form, "title"),
        "org_id": text(form, "org_id") or None,
        "operator_type": text(form, "operator_type") or None,
        "reporting_unit": text(form, "reporting_unit"),
        "facility": text(form, "facility"),
        "discovered_at": labels.typed_local(text(form, "discovered_at")),
        "occurred_at": labels.typed_local(text(form, "occurred_at")),
        "place": text(form, "place"),
        "category": text(form, "category"),
        "impact": _impact(form),
        "data_involved": text(form, "data_involved"),
        "measures_taken": text(form, "measures_taken"),
        "ransomware": checked(form, "ransomware"),
    }
    if checked(form, "ransomware"):
        data["ransom"] = {
            "amount": text(form, "ransom_amount"),
            "method": text(form, "ransom_method"),
            "date": text(form, "ransom_date") or None,
        }
    try:
        incident_in = IncidentCreate.model_validate(data)
        created = run_flow(
            session,
            lambda: flows.report_incident(session=session, actor=actor, incident_in=incident_in),
        )
    except (*FORM_ERRORS,) as exc:
        errors = _errors(exc, REPORT_FIELDS)
        if not errors:
            errors.status = 422
        return _report_form(request, session, renderer, actor, shown, errors)
    return RedirectResponse(f"/incidents/{created.id}", status_code=303)


# ----------------------------------------------------------------------------- the incident


def _page(
    request: Request,
    session: Session,
    renderer: RendererDep,
    actor: Actor,
    incident_id: str,
    *,
    errors: dict[str, FormErrors] | None = None,
    shown: dict[str, dict[str, Any]] | None = None,
) -> Response:
    incident = views.detail(session=session, actor=actor, incident_id=incident_id)
    row = get_or_raise(session=session, incident_id=incident_id)
    target = target_of(row)
    plan = plans_service.active_plan(session, incident.plan_name)
    may = {
        name: check(actor, action, target).allowed
        for name, action in {
            "update": actions.UPDATE,
            "override": actions.OVERRIDE,
            "manage": actions.MANAGE,
            "timeline": actions.ADD_TIMELINE,
            "evidence": actions.ADD_EVIDENCE,
            "see_evidence": actions.VIEW_EVIDENCE,
            "refer": actions.REFER,
        }.items()
    }
    completable = {
        task.id
        for task in incident.tasks
        if task.state == "open" and _may_complete(session, actor, task, incident.org_id)
    }
    errors = errors or {}
    status = max((e.status for e in errors.values() if e), default=200)
    context = {
        "incident": incident,
        "may": may,
        "completable": completable,
        "all_errors": errors,
        "no_errors": FormErrors(),
        "shown": shown or {},
        "levels": LEVELS,
        "entry_kinds": [k.value for k in EntryKind],
        "authorities": [a.value for a in ReferralAuthority],
        "roles": plan.document.roles,
        "impact_fields": IMPACT_FIELDS,
        "categories": {c.key: c for c in plan.document.categories.items},
        "owner": row.organisation,
        "now": labels.now(),
        "warnings": (
            warnings_service.for_incident(session=session, actor=actor, incident_id=row.id)
            if check(actor, warning_actions.VIEW).allowed
            else []
        ),
        "may_warn": check(actor, warning_actions.DRAFT).allowed,
    }
    return renderer.render(request, "incidents/detail.html", context, status_code=status)


@router.get("/incidents/{incident_id}")
def incident_page(
    incident_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    actor: ViewAllowed,
) -> Response:
    """The report, classification with its reasons, clocks, tasks, timeline, evidence."""
    return _page(request, session, renderer, actor, incident_id)


def _may_complete(session: Session, actor: Actor, task: views.TaskRead, org_id: str) -> bool:
    """Whether to offer the completion form (the flow decides again when it is posted)."""
    owner = accounts_service.get(session=session, org_id=task.owner_org_id or org_id)
    if owner is None:
        return False
    if not check(actor, actions.COMPLETE_TASK, Target(org=accounts_service.org_ref(owner))).allowed:
        return False
    # A directive is reported done by the operator it was sent to (Art. 55).
    return not task.directive or (actor.org is not None and actor.org.path.startswith(owner.path))


def _step(
    request: Request,
    session: Session,
    renderer: RendererDep,
    actor: Actor,
    incident_id: str,
    *,
    name: str,
    known: tuple[str, ...],
    shown: dict[str, Any],
    call: Callable[[], object],
    anchor: str = "",
) -> Response:
    """Run one step of the response; back to the page, or the page with the step's errors."""
    try:
        run_flow(session, call)
    except (*FORM_ERRORS,) as exc:
        errors = _errors(exc, known)
        return _page(
            request,
            session,
            renderer,
            actor,
            incident_id,
            errors={name: errors},
            shown={name: shown},
        )
    return RedirectResponse(f"/incidents/{incident_id}#{anchor or name}", status_code=303)


@dataclass(frozen=True)
class Step:
    """A step of the response posted from the incident page: its form, fields and flow."""

    form: str
    known: tuple[str, ...]
    run: Callable[[Session, Actor, str, FormData, Settings], object]
    anchor: str = ""


def _update(
    session: Session, actor: Actor, incident_id: str, form: FormData, _: Settings
) -> object:
    data: dict[str, Any] = {name: text(form, name) for name in LATER_FIELDS if text(form, name)}
    if _impact(form):
        data["impact"] = _impact(form)
    update_in = IncidentUpdate.model_validate(data)
    return flows.update_report(
        session=session, actor=actor, incident_id=incident_id, update_in=update_in
    )


def _override(
    session: Session, actor: Actor, incident_id: str, form: FormData, _: Settings
) -> object:
    override_in = LevelOverride.model_validate(
        {"level": text(form, "level"), "reason": text(form, "reason")}
    )
    return flows.override_level(
        session=session, actor=actor, incident_id=incident_id, override_in=override_in
    )


def _timeline(
    session: Session, actor: Actor, incident_id: str, form: FormData, _: Settings
) -> object:
    entry_in = TimelineIn.model_validate(
        {
            "kind": text(form, "kind"),
            "text": text(form, "text"),
            "at": labels.typed_local(text(form, "at")),
        }
    )
    return timeline.add_timeline_entry(
        session=session, actor=actor, incident_id=incident_id, entry_in=entry_in
    )


def _referral(
    session: Session, actor: Actor, incident_id: str, form: FormData, _: Settings
) -> object:
    referral_in = ReferralIn.model_validate(
        {name: text(form, name) for name in ("authority", "recipient", "grounds")}
    )
    return closure.record_referral(
        session=session, actor=actor, incident_id=incident_id, referral_in=referral_in
    )


def _recovery(
    session: Session, actor: Actor, incident_id: str, form: FormData, _: Settings
) -> object:
    return handling.start_recovery(
        session=session, actor=actor, incident_id=incident_id, note=text(form, "note")
    )


def _final(session: Session, actor: Actor, incident_id: str, form: FormData, _: Settings) -> object:
    report_in = FinalReportIn.model_validate({name: text(form, name) for name in FINAL_FIELDS})
    return closure.submit_final_report(
        session=session, actor=actor, incident_id=incident_id, report_in=report_in
    )


def _close(session: Session, actor: Actor, incident_id: str, form: FormData, _: Settings) -> object:
    return closure.close(
        session=session, actor=actor, incident_id=incident_id, note=text(form, "note")
    )


# Each address under /incidents/{id}/ and the step it runs; every flow authorises itself.
STEPS: dict[str, Step] = {
    "update": Step("update", (*IMPACT_FIELDS, *LATER_FIELDS), _update),
    "override": Step("override", ("level", "reason"), _override, anchor="classification"),
    "timeline": Step("timeline", ("kind", "text", "at"), _timeline),
    "referral": Step("referral", ("authority", "recipient", "grounds"), _referral),
    "recovery": Step("state", ("note",), _recovery),
    "final-report": Step("final", FINAL_FIELDS, _final),
    "close": Step("state", ("note",), _close),
}


@router.post("/incidents/{incident_id}/tasks/{task_id}/complete")
def complete_task(
    incident_id: str,
    task_id: str,
    request: Request,
    session: SessionDep,
    renderer: RendererDep,
    form: FormDep,
    actor: ViewAllowed,
) -> Response:
    """The owner (for a directive: the operator) reports the task done."""
    return _step(
        request,
        session,
        renderer,
        actor,
        incident_id,
        name=f"task-{task_id}",
        known=("note",),
        shown=values(form, "note"),
        anchor="tasks",
        call=lambda: handling.complete_task(
            session=session,
            actor=actor,
            task_id=task_id,
            completion=TaskCompletion.model_validate({"note": text(form, "note")}),
        ),
    )


@router.post("/incidents/{incident_id}/evidence")
async def add_evidence(
    incident_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    renderer: RendererDep,
    form: FormDep,
    actor: ViewAllowed,
) -> Response:
    """Upload an evidence file (size-limited, type-checked, never executable)."""
    upload = form.get("file")
    content = b""
    filename = ""
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(settings.evidence_max_bytes + 1)
        filename = upload.filename
    if not filename:
        errors = FormErrors(status=422)
        errors.fields["file"] = "missing"
        return _page(request, session, renderer, actor, incident_id, errors={"evidence": errors})
    return _step(
        request,
        session,
        renderer,
        actor,
        incident_id,
        name="evidence",
        known=("file", "filename", "content", "description"),
        shown=values(form, "description"),
        call=lambda: evidence.add_evidence(
            session=session,
            actor=actor,
            settings=settings,
            incident_id=incident_id,
            filename=filename,
            content=content,
            description=text(form, "description"),
        ),
    )


@router.get("/incidents/{incident_id}/evidence/{evidence_id}")
def download_evidence(
    incident_id: str,
    evidence_id: str,
    session: SessionDep,
    settings: SettingsDep,
    actor: Annotated[Actor, Depends(requires(actions.VIEW_EVIDENCE))],
) -> Response:
    """An evidence file, to those entitled; always as an attachment, never rendered."""
    row, content = evidence.read_evidence(
        session=session, actor=actor, settings=settings, evidence_id=evidence_id
    )
    if row.incident_id != incident_id:
        raise NotFound(f"incident {incident_id} has no evidence {evidence_id}")
    return Response(
        content,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{row.sha256[:16]}.bin"'},
    )


@router.post("/incidents/{incident_id}/{step}")
def run_step(
    incident_id: str,
    step: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    renderer: RendererDep,
    form: FormDep,
    actor: ViewAllowed,
) -> Response:
    """Update, override, timeline, referral, recovery, final report or close (see STEPS)."""
    chosen = STEPS.get(step)
    if chosen is None:
        raise NotFound(f"no step {step!r} of an incident")
    return _step(
        request,
        session,
        renderer,
        actor,
        incident_id,
        name=chosen.form,
        known=chosen.known,
        shown={name: text(form, name) for name in chosen.known},
        call=lambda: chosen.run(session, actor, incident_id, form, settings),
        anchor=chosen.anchor,
    )


@router.get("/incidents/{incident_id}/report.pdf")
def report_pdf(incident_id: str, session: SessionDep, actor: ViewAllowed) -> Response:
    """The final summary report (or the report so far) as PDF, with the timeline chart."""
    content = pdf.render_final_report_pdf(session=session, actor=actor, incident_id=incident_id)
    incident = get_or_raise(session=session, incident_id=incident_id)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{incident.reference}.pdf"'},
    )
