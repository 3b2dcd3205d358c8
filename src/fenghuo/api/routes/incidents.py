"""Incidents (Arts. 55, 57; 2025 reporting measures): report, classify, respond, close."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, File, Form, Query, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from fenghuo.api.deps import ActorDep, SessionDep, SettingsDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import IdPath, Page, PagingDep
from fenghuo.errors import NotFound
from fenghuo.incidents import (
    actions,
    clocks,
    closure,
    evidence,
    flows,
    handling,
    pdf,
    timeline,
    views,
)
from fenghuo.incidents import service as incident_service
from fenghuo.incidents.schemas import (
    AffectedIn,
    CancelIn,
    FinalReportIn,
    IncidentCreate,
    IncidentUpdate,
    LevelCode,
    LevelOverride,
    ReferralIn,
    TaskCompletion,
    Text,
    TimelineIn,
)
from fenghuo.incidents.views import (
    ClockRead,
    EvidenceRead,
    IncidentDetail,
    IncidentSummary,
    ReferralRead,
    ReportForm,
    ReportRead,
    TaskRead,
    TimelineRead,
)

router = APIRouter(prefix="/api/v1/incidents", tags=["incidents"], responses=PROBLEM_RESPONSES)
StateFilter = Annotated[
    str | None,
    Query(
        pattern=r"^(reported|classified|responding|recovering|closed|cancelled)$",
        description="Only incidents in this state.",
    ),
]


class IncidentPage(Page[IncidentSummary]):
    """A page of the incident board, most recently discovered first."""


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Text = Field(default="", description="Why, in a few words.")


def _detail(session: SessionDep, actor: ActorDep, incident_id: str) -> IncidentDetail:
    return views.detail(session=session, actor=actor, incident_id=incident_id)


@router.get("", summary="The incident board", dependencies=[Depends(requires(actions.VIEW))])
def list_incidents(
    actor: ActorDep,
    session: SessionDep,
    paging: PagingDep,
    level: Annotated[LevelCode | None, Query(description="Only this final level.")] = None,
    state: StateFilter = None,
    overdue: Annotated[
        bool | None, Query(description="Only incidents with (true) or without an overdue clock.")
    ] = None,
) -> IncidentPage:
    """Incidents the actor may see, with their deadline clocks."""
    rows, total = views.board(
        session=session,
        actor=actor,
        level=level,
        state=state,
        overdue=overdue,
        limit=paging.limit,
        offset=paging.offset,
    )
    return IncidentPage.of(rows, total, paging)


@router.post(
    "",
    status_code=201,
    summary="File a first report (or open an incident from detections or a warning)",
    dependencies=[Depends(requires(actions.REPORT))],
)
def create_incident(
    incident_in: Annotated[IncidentCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
    response: Response,
) -> IncidentDetail:
    """Record the report, classify it by the plan and activate the plan's response."""
    incident = flows.report_incident(session=session, actor=actor, incident_in=incident_in)
    response.headers["Location"] = f"{router.prefix}/{incident.id}"
    return _detail(session, actor, incident.id)


@router.get(
    "/tasks",
    summary="Open tasks and directives of my organisation",
    dependencies=[Depends(requires(actions.VIEW))],
)
def my_tasks(actor: ActorDep, session: SessionDep) -> list[TaskRead]:
    """The directives sent to, and tasks owned by, the actor's organisation, by due time."""
    return [TaskRead.model_validate(t) for t in handling.tasks_of_org(session=session, actor=actor)]


@router.get(
    "/form",
    summary="What the first-report form offers under the active plan",
    dependencies=[Depends(requires(actions.REPORT))],
)
def report_form(
    actor: ActorDep,
    session: SessionDep,
    plan: Annotated[
        str | None, Query(pattern=r"^[a-z][a-z0-9_-]{1,62}$", description="A plan's name.")
    ] = None,
) -> ReportForm:
    """Categories, operator types, impact fields (with the tiers the matrix knows), levels."""
    return views.report_form(session=session, actor=actor, plan=plan)


@router.get(
    "/{incident_id}", summary="One incident", dependencies=[Depends(requires(actions.VIEW))]
)
def read_incident(incident_id: IdPath, actor: ActorDep, session: SessionDep) -> IncidentDetail:
    """The incident page: report, classification reasons, clocks, tasks, timeline, evidence."""
    return _detail(session, actor, incident_id)


@router.get(
    "/{incident_id}/deadlines",
    summary="The incident's deadline clocks",
    dependencies=[Depends(requires(actions.VIEW))],
)
def read_deadlines(incident_id: IdPath, actor: ActorDep, session: SessionDep) -> list[ClockRead]:
    """Every reporting deadline with when it was met, or how long is left."""
    incident = incident_service.get(session=session, actor=actor, incident_id=incident_id)
    return [ClockRead.model_validate(c.as_dict()) for c in clocks.deadlines_of(session, incident)]


@router.post(
    "/{incident_id}/updates",
    status_code=201,
    summary="Make an update report",
    dependencies=[Depends(requires(actions.UPDATE))],
)
def update_incident(
    incident_id: IdPath,
    update_in: Annotated[IncidentUpdate, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> ReportRead:
    """Change the fields given; the incident is classified again (and re-activated)."""
    made = flows.update_report(
        session=session, actor=actor, incident_id=incident_id, update_in=update_in
    )
    return ReportRead.model_validate(made)


@router.post(
    "/{incident_id}/level",
    summary="Override the computed level, with the reason",
    dependencies=[Depends(requires(actions.OVERRIDE))],
)
def override_level(
    incident_id: IdPath,
    override_in: Annotated[LevelOverride, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> IncidentDetail:
    """Set the final level; the computed level is kept; a change re-runs activation."""
    incident = flows.override_level(
        session=session, actor=actor, incident_id=incident_id, override_in=override_in
    )
    return _detail(session, actor, incident.id)


@router.post(
    "/{incident_id}/tasks/{task_id}/complete",
    summary="Report a task or directive done",
    dependencies=[Depends(requires(actions.COMPLETE_TASK))],
)
def complete_task(
    incident_id: IdPath,
    task_id: IdPath,
    completion: Annotated[TaskCompletion, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> TaskRead:
    """A directive by the operator it was sent to; other tasks by their owner."""
    if handling.get_task(session, task_id).incident_id != _incident_id(session, incident_id):
        raise NotFound(f"incident {incident_id} has no task {task_id}")
    done = handling.complete_task(
        session=session, actor=actor, task_id=task_id, completion=completion
    )
    return TaskRead.model_validate(done)


@router.post(
    "/{incident_id}/timeline",
    status_code=201,
    summary="Add an event, action or decision",
    dependencies=[Depends(requires(actions.ADD_TIMELINE))],
)
def add_timeline_entry(
    incident_id: IdPath,
    entry_in: Annotated[TimelineIn, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> TimelineRead:
    """Record it on the incident's timeline."""
    entry = timeline.add_timeline_entry(
        session=session, actor=actor, incident_id=incident_id, entry_in=entry_in
    )
    return TimelineRead.model_validate(entry)


@router.post(
    "/{incident_id}/evidence",
    status_code=201,
    summary="Upload an evidence file (multipart)",
    dependencies=[Depends(requires(actions.ADD_EVIDENCE))],
)
def upload_evidence(
    incident_id: IdPath,
    file: Annotated[UploadFile, File(description="The file (never an executable).")],
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    description: Annotated[str, Form(max_length=2000)] = "",
) -> EvidenceRead:
    """Stored by SHA-256 once its size and content type pass; refused otherwise."""
    content = file.file.read(settings.evidence_max_bytes + 1)
    evidence.check_size(settings, len(content))
    row = evidence.add_evidence(
        session=session,
        actor=actor,
        settings=settings,
        incident_id=incident_id,
        filename=file.filename or "",
        content=content,
        description=description,
    )
    return EvidenceRead.model_validate(row)


@router.get(
    "/{incident_id}/evidence/{evidence_id}",
    summary="Download an evidence file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
    dependencies=[Depends(requires(actions.VIEW_EVIDENCE))],
)
def download_evidence(
    incident_id: IdPath,
    evidence_id: IdPath,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """The file as uploaded, as an attachment (never rendered inline)."""
    row, content = evidence.read_evidence(
        session=session, actor=actor, settings=settings, evidence_id=evidence_id
    )
    if row.incident_id != _incident_id(session, incident_id):
        raise NotFound(f"incident {incident_id} has no evidence {evidence_id}")
    return Response(
        content,
        media_type=row.media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(row.filename, safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Digest": f"sha-256={row.sha256}",
        },
    )


@router.post(
    "/{incident_id}/referrals",
    status_code=201,
    summary="Refer to the emergency-management or work-safety authority (Art. 57)",
    dependencies=[Depends(requires(actions.REFER))],
)
def create_referral(
    incident_id: IdPath,
    referral_in: Annotated[ReferralIn, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> ReferralRead:
    """Record the referral and generate its document."""
    referral = closure.record_referral(
        session=session, actor=actor, incident_id=incident_id, referral_in=referral_in
    )
    return ReferralRead.model_validate(referral)


@router.post(
    "/{incident_id}/affected",
    summary="Add affected operators and assets",
    dependencies=[Depends(requires(actions.MANAGE))],
)
def add_affected(
    incident_id: IdPath,
    affected_in: Annotated[AffectedIn, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> IncidentDetail:
    """New operators receive the active level's directives."""
    handling.add_affected(
        session=session, actor=actor, incident_id=incident_id, affected_in=affected_in
    )
    return _detail(session, actor, incident_id)


@router.post(
    "/{incident_id}/recovery",
    summary="End the response: recovery starts (the final report's clock starts)",
    dependencies=[Depends(requires(actions.MANAGE))],
)
def start_recovery(
    incident_id: IdPath, note_in: Annotated[NoteIn, Body()], actor: ActorDep, session: SessionDep
) -> IncidentDetail:
    """responding → recovering."""
    handling.start_recovery(
        session=session, actor=actor, incident_id=incident_id, note=note_in.note
    )
    return _detail(session, actor, incident_id)


@router.post(
    "/{incident_id}/final-report",
    status_code=201,
    summary="Submit the final summary report (Art. 8)",
    dependencies=[Depends(requires(actions.UPDATE))],
)
def submit_final_report(
    incident_id: IdPath,
    report_in: Annotated[FinalReportIn, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> ReportRead:
    """Cause, measures, harm, accountability, rectification, lessons."""
    made = closure.submit_final_report(
        session=session, actor=actor, incident_id=incident_id, report_in=report_in
    )
    return ReportRead.model_validate(made)


@router.post(
    "/{incident_id}/close",
    summary="Close a recovered incident that has its final report",
    dependencies=[Depends(requires(actions.MANAGE))],
)
def close_incident(
    incident_id: IdPath, note_in: Annotated[NoteIn, Body()], actor: ActorDep, session: SessionDep
) -> IncidentDetail:
    """recovering → closed."""
    closure.close(session=session, actor=actor, incident_id=incident_id, note=note_in.note)
    return _detail(session, actor, incident_id)


@router.post(
    "/{incident_id}/cancel",
    summary="Cancel a false report, or merge into another incident",
    dependencies=[Depends(requires(actions.MANAGE))],
)
def cancel_incident(
    incident_id: IdPath,
    cancel_in: Annotated[CancelIn, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> IncidentDetail:
    """Before recovery only."""
    handling.cancel(session=session, actor=actor, incident_id=incident_id, cancel_in=cancel_in)
    return _detail(session, actor, incident_id)


@router.get(
    "/{incident_id}/report.pdf",
    summary="The final summary report as PDF, with the timeline chart",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
    dependencies=[Depends(requires(actions.VIEW))],
)
def report_pdf(incident_id: IdPath, actor: ActorDep, session: SessionDep) -> Response:
    """Rendered on request from the stored report and timeline."""
    data = pdf.render_final_report_pdf(session=session, actor=actor, incident_id=incident_id)
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{incident_id}-report.pdf"'},
    )


def _incident_id(session: SessionDep, incident_id: str) -> str:
    """The id of the incident named by id or reference number."""
    return incident_service.get_or_raise(session=session, incident_id=incident_id).id
