"""Hunting: read-only SQL over the event archive, within the caller's visibility (Art. 51)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from fenghuo.api.deps import ActorDep, SessionDep, SettingsDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.monitoring import hunting

router = APIRouter(prefix="/api/v1/hunt", tags=["hunting"], responses=PROBLEM_RESPONSES)


class HuntQuery(BaseModel):
    """One SELECT over the table ``events`` for a time range."""

    model_config = ConfigDict(extra="forbid")

    sql: str = Field(
        min_length=1,
        max_length=hunting.MAX_SQL,
        description="One SELECT statement over the table events (DuckDB SQL).",
        examples=["SELECT host, count(*) AS n FROM events GROUP BY host ORDER BY n DESC"],
    )
    since: AwareDatetime = Field(description="Events at or after this time (ISO 8601).")
    until: AwareDatetime = Field(
        description="Events before this time; at most FENGHUO_HUNT_MAX_DAYS after since."
    )
    max_rows: int = Field(
        default=hunting.DEFAULT_ROWS, ge=1, description="At most FENGHUO_HUNT_MAX_ROWS."
    )


class HuntAnswer(BaseModel):
    """The columns and rows; ``truncated`` when there were more than ``max_rows``."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    elapsed_ms: int
    files_scanned: int = Field(description="Archive files (one per batch and day) read.")


@router.post(
    "",
    summary="Run a read-only SQL query over the archived events",
    dependencies=[Depends(requires(hunting.HUNT))],
)
def hunt(
    query: Annotated[HuntQuery, Body()],
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> HuntAnswer:
    """The query's answer over the events the caller may see (audited: who ran what, when)."""
    result = hunting.hunt(
        session=session,
        actor=actor,
        settings=settings,
        sql=query.sql,
        since=query.since,
        until=query.until,
        max_rows=query.max_rows,
    )
    return HuntAnswer(
        columns=result.columns,
        rows=result.rows,
        truncated=result.truncated,
        elapsed_ms=result.elapsed_ms,
        files_scanned=result.files_scanned,
    )
