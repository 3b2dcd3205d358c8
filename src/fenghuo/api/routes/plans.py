"""Emergency plans (Art. 53): list, read versions, export and import YAML, classify a report."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel, Field

from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.errors import Invalid
from fenghuo.plans import flows
from fenghuo.plans import service as plan_service
from fenghuo.plans.actions import MANAGE, VIEW
from fenghuo.plans.assessment import assess
from fenghuo.plans.service import PlanVersionView

router = APIRouter(prefix="/api/v1/plans", tags=["plans"], responses=PROBLEM_RESPONSES)

MAX_PLAN_BYTES = 1_000_000
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")
NamePath = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_-]{1,62}$", description="The plan's name.")]
VersionPath = Annotated[int, Path(ge=1, le=1_000_000)]


class PlanVersionRead(BaseModel):
    """A version's facts."""

    id: str
    name: str
    version: int
    created_by: str
    created_at: datetime
    is_active: bool

    @classmethod
    def of(cls, view: PlanVersionView) -> PlanVersionRead:
        return cls.model_validate(view.summary())


class PlanVersionDetail(PlanVersionRead):
    """A version with its parsed document (the plan as JSON)."""

    document: dict[str, Any]

    @classmethod
    def of(cls, view: PlanVersionView) -> PlanVersionDetail:
        return cls.model_validate(
            {**view.summary(), "document": view.document.model_dump(mode="json")}
        )


class PlanRead(BaseModel):
    """A plan: its owner and active version."""

    name: str
    title_zh: str
    title_en: str
    owner_kind: str
    owner_sector: str | None
    owner_org_id: str | None
    active_version: int
    versions: int


class PlanDetail(PlanRead):
    """A plan with its active version (and document) and every version, newest first."""

    active: PlanVersionDetail
    all_versions: list[PlanVersionRead]


class PlanImport(BaseModel):
    """A plan as YAML text, for clients that send JSON."""

    yaml: str = Field(max_length=MAX_PLAN_BYTES)


class ClassificationRead(BaseModel):
    """The level, which criterion gave which level, and the reporting deadlines."""

    plan: dict[str, Any]
    level: str | None
    level_name: str | None
    reasons: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    discovered_at: str
    note: str


def _plan_read(view: PlanVersionView, versions: int, owner: tuple[str, str | None]) -> PlanRead:
    return PlanRead(
        name=view.name,
        title_zh=view.document.title.zh,
        title_en=view.document.title.en,
        owner_kind=owner[0],
        owner_sector=owner[1],
        owner_org_id=view.owner_org_id,
        active_version=view.version,
        versions=versions,
    )


@router.get("", summary="Plans I may read", dependencies=[Depends(requires(VIEW))])
def list_plans(actor: ActorDep, session: SessionDep) -> list[PlanRead]:
    """Every plan the actor may read, by name (the national plan is installed if missing)."""
    return [
        _plan_read(
            plan_service.active_plan(session, plan.name),
            plan.latest_version,
            (plan.owner_kind, plan.owner_sector),
        )
        for plan in flows.visible_plans(session=session, actor=actor)
    ]


@router.post(
    "",
    status_code=201,
    summary="Import a plan's YAML as its next version (the owner's administrators)",
    dependencies=[Depends(requires(MANAGE))],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/yaml": {"schema": {"type": "string"}},
                "application/json": {"schema": PlanImport.model_json_schema()},
            },
        }
    },
)
async def import_plan(
    request: Request, actor: ActorDep, session: SessionDep, response: Response
) -> PlanVersionRead:
    """One transaction: an error names its line and rule (422) and nothing is stored."""
    text = await _yaml_of(request)
    view = flows.import_plan(session=session, actor=actor, yaml_text=text, source_name="body")
    response.headers["Location"] = f"{router.prefix}/{view.name}/versions/{view.version}"
    return PlanVersionRead.of(view)


async def _yaml_of(request: Request) -> str:
    raw = await request.body()
    if len(raw) > MAX_PLAN_BYTES:
        raise Invalid(f"a plan is at most {MAX_PLAN_BYTES} bytes", field="body", rule="size")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("the plan must be UTF-8 text", field="body", rule="utf-8") from None
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "application/json":
        try:
            return PlanImport.model_validate(json.loads(text)).yaml
        except ValueError:
            raise Invalid(
                'a JSON body is {"yaml": "..."}', field="yaml", rule="plan-import-json"
            ) from None
    if media not in YAML_TYPES:
        raise Invalid(
            f"send application/yaml or application/json, not {media or 'nothing'}",
            field="content-type",
            rule="media-type",
        )
    return text


@router.get("/{name}", summary="A plan and its versions", dependencies=[Depends(requires(VIEW))])
def read_plan(name: NamePath, actor: ActorDep, session: SessionDep) -> PlanDetail:
    """The active version with its document, and the list of every version."""
    active = flows.get_version(session=session, actor=actor, name=name)
    plan = plan_service.get_plan_or_raise(session=session, name=name)
    versions = plan_service.versions(session=session, plan=plan)
    summary = _plan_read(active, plan.latest_version, (plan.owner_kind, plan.owner_sector))
    return PlanDetail(
        **summary.model_dump(),
        active=PlanVersionDetail.of(active),
        all_versions=[PlanVersionRead.of(PlanVersionView.of(row)) for row in versions],
    )


@router.get(
    "/{name}/versions/{version}",
    summary="One version of a plan, as it was imported",
    dependencies=[Depends(requires(VIEW))],
)
def read_version(
    name: NamePath, version: VersionPath, actor: ActorDep, session: SessionDep
) -> PlanVersionDetail:
    """The version's facts and its parsed document; older versions never change."""
    return PlanVersionDetail.of(
        flows.get_version(session=session, actor=actor, name=name, version=version)
    )


@router.get(
    "/{name}/export",
    summary="A plan's YAML, exactly as imported",
    dependencies=[Depends(requires(VIEW))],
    response_model=None,
    responses={
        200: {
            "description": "The YAML text",
            "content": {"application/yaml": {"schema": {"type": "string"}}},
        }
    },
)
def export_plan(
    name: NamePath,
    actor: ActorDep,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> Response:
    """The active version's YAML (or of ``version``)."""
    view = flows.get_version(session=session, actor=actor, name=name, version=version)
    return Response(
        view.yaml_text,
        media_type="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{view.name}-v{view.version}.yaml"'},
    )


@router.post(
    "/{name}/classify",
    summary="Classify a report by a plan and give its reporting deadlines",
    dependencies=[Depends(requires(VIEW))],
)
def classify_report(
    name: NamePath,
    report: Annotated[
        dict[str, Any], Body(description="Impact inputs, operator_type, discovered_at.")
    ],
    actor: ActorDep,
    session: SessionDep,
) -> ClassificationRead:
    """The same answer as ``fenghuo plans classify``: level, reasons and deadlines."""
    view = flows.get_version(session=session, actor=actor, name=name)
    return ClassificationRead(
        plan={"name": view.name, "version": view.version, "from": "database"},
        **assess(view.document, report),
    )
