"""Early warnings (Arts. 51, 54, 55): draft, approve, publish, adjust, lift, cancel; CAP."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Response
from pydantic import BaseModel, ConfigDict

from fenghuo.api.deps import ActorDep, SessionDep, SettingsDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import IdPath, Page, PagingDep
from fenghuo.warnings import actions, drafting, flows, reach, service, views
from fenghuo.warnings.enums import Audience, Colour, WarningState
from fenghuo.warnings.schemas import (
    TransitionIn,
    WarningCreate,
    WarningDetail,
    WarningReach,
    WarningRead,
    WarningUpdate,
)

router = APIRouter(prefix="/api/v1/warnings", tags=["warnings"], responses=PROBLEM_RESPONSES)
CAP_MEDIA = "application/cap+xml"
CAP_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {CAP_MEDIA: {}}, "description": "A signed CAP 1.2 document."}
}


class WarningPage(Page[WarningRead]):
    """A page of warnings, newest first."""


class FromIncident(BaseModel):
    model_config = ConfigDict(extra="forbid")

    colour: Colour | None = None


def _detail(session: SessionDep, actor: ActorDep, warning_id: str) -> WarningDetail:
    return views.detail(session=session, actor=actor, warning_id=warning_id)


@router.get("", summary="Warnings I may see", dependencies=[Depends(requires(actions.VIEW))])
def list_warnings(
    actor: ActorDep,
    session: SessionDep,
    paging: PagingDep,
    state: Annotated[WarningState | None, Query(description="Only this state.")] = None,
    level: Annotated[Colour | None, Query(description="Only this colour.")] = None,
    audience: Annotated[Audience | None, Query(description="Only this audience.")] = None,
    exercise: Annotated[bool | None, Query(description="Only exercises, or none.")] = None,
) -> WarningPage:
    """Drafts of my side, warnings issued within my visibility, published ones in my scope."""
    rows, total = service.list_(
        session=session,
        actor=actor,
        state=state.value if state else None,
        colour=level.value if level else None,
        audience=audience.value if audience else None,
        exercise=exercise,
        limit=paging.limit,
        offset=paging.offset,
    )
    return WarningPage.of([WarningRead.model_validate(w) for w in rows], total, paging)


@router.post(
    "",
    status_code=201,
    summary="Draft a warning for my organisation",
    dependencies=[Depends(requires(actions.DRAFT))],
)
def create_warning(
    warning_in: Annotated[WarningCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
    response: Response,
) -> WarningDetail:
    """Version 1 of a draft; the plan decides whether my organisation may issue its colour."""
    warning = flows.draft_warning(session=session, actor=actor, warning_in=warning_in)
    response.headers["Location"] = f"{router.prefix}/{warning.id}"
    return _detail(session, actor, warning.id)


@router.post(
    "/from-incident/{incident_id}",
    status_code=201,
    summary="Draft a warning prefilled from an incident",
    dependencies=[Depends(requires(actions.DRAFT))],
)
def create_from_incident(
    incident_id: IdPath,
    actor: ActorDep,
    session: SessionDep,
    response: Response,
    body: Annotated[FromIncident | None, Body()] = None,
) -> WarningDetail:
    """Colour from the incident's level, scope from its operator, texts from its report."""
    warning = drafting.draft_from_incident(
        session=session,
        actor=actor,
        incident_id=incident_id,
        colour=body.colour if body else None,
    )
    response.headers["Location"] = f"{router.prefix}/{warning.id}"
    return _detail(session, actor, warning.id)


@router.get(
    "/{warning_id}",
    summary="One warning, its versions and CAP messages",
    dependencies=[Depends(requires(actions.VIEW))],
)
def get_warning(warning_id: IdPath, actor: ActorDep, session: SessionDep) -> WarningDetail:
    """The warning as it stands, every version, and every CAP message it emitted."""
    return _detail(session, actor, warning_id)


@router.patch(
    "/{warning_id}",
    summary="Edit a draft (a new version)",
    dependencies=[Depends(requires(actions.DRAFT))],
)
def edit_warning(
    warning_id: IdPath,
    changes: Annotated[WarningUpdate, Body()],
    actor: ActorDep,
    session: SessionDep,
) -> WarningDetail:
    """Only a draft is edited; a published warning is adjusted."""
    flows.update_draft(session=session, actor=actor, warning_id=warning_id, changes=changes)
    return _detail(session, actor, warning_id)


@router.post(
    "/{warning_id}/submit",
    summary="Submit a draft for approval",
    dependencies=[Depends(requires(actions.SUBMIT))],
)
def submit(warning_id: IdPath, actor: ActorDep, session: SessionDep) -> WarningDetail:
    """draft → submitted."""
    flows.submit_warning(session=session, actor=actor, warning_id=warning_id)
    return _detail(session, actor, warning_id)


@router.post(
    "/{warning_id}/return",
    summary="Send a submitted warning back to its authors",
    dependencies=[Depends(requires(actions.APPROVE))],
)
def send_back(
    warning_id: IdPath, body: Annotated[TransitionIn, Body()], actor: ActorDep, session: SessionDep
) -> WarningDetail:
    """submitted → draft, with the reason."""
    flows.return_warning(session=session, actor=actor, warning_id=warning_id, reason=body.reason)
    return _detail(session, actor, warning_id)


@router.post(
    "/{warning_id}/approve",
    summary="Approve a submitted warning",
    dependencies=[Depends(requires(actions.APPROVE))],
)
def approve(warning_id: IdPath, actor: ActorDep, session: SessionDep) -> WarningDetail:
    """submitted → approved."""
    flows.approve_warning(session=session, actor=actor, warning_id=warning_id)
    return _detail(session, actor, warning_id)


@router.post(
    "/{warning_id}/publish",
    summary="Publish an approved warning (signed CAP Alert, notifications)",
    dependencies=[Depends(requires(actions.PUBLISH))],
)
def publish(
    warning_id: IdPath, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> WarningDetail:
    """approved → published."""
    flows.publish_warning(session=session, actor=actor, settings=settings, warning_id=warning_id)
    return _detail(session, actor, warning_id)


@router.post(
    "/{warning_id}/adjust",
    summary="Adjust a published warning (new version, CAP Update)",
    dependencies=[Depends(requires(actions.ADJUST))],
)
def adjust(
    warning_id: IdPath,
    changes: Annotated[WarningUpdate, Body()],
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> WarningDetail:
    """Level up or down, texts, scope, expiry; ``reason`` is required."""
    flows.adjust_warning(
        session=session, actor=actor, settings=settings, warning_id=warning_id, changes=changes
    )
    return _detail(session, actor, warning_id)


@router.post(
    "/{warning_id}/lift",
    summary="Lift a published warning (CAP Update, AllClear)",
    dependencies=[Depends(requires(actions.LIFT))],
)
def lift(
    warning_id: IdPath,
    body: Annotated[TransitionIn, Body()],
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> WarningDetail:
    """published or adjusted → lifted, with the reason."""
    flows.lift_warning(
        session=session, actor=actor, settings=settings, warning_id=warning_id, reason=body.reason
    )
    return _detail(session, actor, warning_id)


@router.post(
    "/{warning_id}/cancel",
    summary="Cancel a warning issued in error (CAP Cancel once published)",
    dependencies=[Depends(requires(actions.CANCEL))],
)
def cancel(
    warning_id: IdPath,
    body: Annotated[TransitionIn, Body()],
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> WarningDetail:
    """Any state not final → cancelled, with the reason."""
    flows.cancel_warning(
        session=session, actor=actor, settings=settings, warning_id=warning_id, reason=body.reason
    )
    return _detail(session, actor, warning_id)


@router.get(
    "/{warning_id}/acknowledgements",
    summary="Who has and has not acknowledged the warning",
    dependencies=[Depends(requires(actions.VIEW))],
)
def acknowledgements(warning_id: IdPath, actor: ActorDep, session: SessionDep) -> WarningReach:
    """The latest notification's recipients, acknowledged or pending (sender's view)."""
    warning = service.get(session=session, actor=actor, warning_id=warning_id)
    return reach.status(session, actor, warning)


@router.get(
    "/{warning_id}/cap-preview",
    summary="The signed CAP document of the warning as it stands (status Draft)",
    dependencies=[Depends(requires(actions.VIEW))],
    response_class=Response,
    responses=CAP_RESPONSE,
)
def cap_preview(
    warning_id: IdPath, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> Response:
    """What the CAP message would say now; never stored, ``status=Draft``."""
    document = views.preview_cap(
        session=session, actor=actor, settings=settings, warning_id=warning_id
    )
    return Response(document, media_type=CAP_MEDIA)


@router.get(
    "/{warning_id}/cap/{message_id}",
    summary="A CAP message the warning emitted, as issued",
    dependencies=[Depends(requires(actions.VIEW))],
    response_class=Response,
    responses=CAP_RESPONSE,
)
def cap_message(
    warning_id: IdPath, message_id: IdPath, actor: ActorDep, session: SessionDep
) -> Response:
    """The signed XML byte for byte."""
    message = views.cap_message(
        session=session, actor=actor, warning_id=warning_id, message_id=message_id
    )
    return Response(views.render_cap(message), media_type=CAP_MEDIA)
