"""Sector submissions (Art. 52): departments send monitoring information upward."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Response

from fenghuo.api.deps import ActorDep, SessionDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import IdPath, Page, PagingDep
from fenghuo.authority import visibility
from fenghuo.monitoring import submissions
from fenghuo.monitoring.submissions import SubmissionCreate, SubmissionRead

router = APIRouter(prefix="/api/v1/submissions", tags=["submissions"], responses=PROBLEM_RESPONSES)


class SubmissionPage(Page[SubmissionRead]):
    """A page of submissions, newest first."""


@router.get(
    "",
    summary="Submissions I may see (the coordinator: all; a department: its own)",
    dependencies=[Depends(requires(submissions.VIEW))],
)
def list_submissions(actor: ActorDep, session: SessionDep, paging: PagingDep) -> SubmissionPage:
    """Submissions with who submitted them and when, newest first."""
    found, total = submissions.list_(
        session=session,
        scope=visibility(actor, submissions.VIEW),
        limit=paging.limit,
        offset=paging.offset,
    )
    return SubmissionPage.of([SubmissionRead.of(s) for s in found], total, paging)


@router.post(
    "",
    status_code=201,
    summary="Submit monitoring information upward (sector and provincial departments)",
    dependencies=[Depends(requires(submissions.CREATE))],
)
def create_submission(
    submission_in: Annotated[SubmissionCreate, Body()],
    actor: ActorDep,
    session: SessionDep,
    response: Response,
) -> SubmissionRead:
    """Record the report for the actor's department (audited; announced on the bus)."""
    submission = submissions.submit(session=session, actor=actor, submission_in=submission_in)
    response.headers["Location"] = f"{router.prefix}/{submission.id}"
    return SubmissionRead.of(submission)


@router.get(
    "/{submission_id}",
    summary="One submission",
    dependencies=[Depends(requires(submissions.VIEW))],
)
def read_submission(submission_id: IdPath, actor: ActorDep, session: SessionDep) -> SubmissionRead:
    """The submission, if the actor may see its department's submissions."""
    return SubmissionRead.of(
        submissions.get(session=session, actor=actor, submission_id=submission_id)
    )
