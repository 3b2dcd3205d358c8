"""Sector submissions (Art. 52): departments send monitoring information upward.

A sector or provincial department submits a structured report: what was seen, where
(sectors, regions, operators), over what time, at what scale, its assessment and the
measures it recommends, under a TLP marking. The national coordinator sees every
submission with who sent it and when; a department sees its own. Operators do not submit:
authority grants the action to staff, and the policy below refuses any organisation that
is not a department, naming the rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    StringConstraints,
    model_validator,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fenghuo import clock
from fenghuo.accounts import policy as accounts_policy
from fenghuo.accounts import service as accounts_service
from fenghuo.accounts.enums import OrgKind
from fenghuo.accounts.schemas import RegionCode, SectorCode
from fenghuo.audit import service as audit_service
from fenghuo.authority import Actor, OrgRef, Target, VisibilityScope, require
from fenghuo.bus.outbox import emit
from fenghuo.errors import Invalid, NotFound, Refused
from fenghuo.monitoring.indicators import DEFAULT_TLP, Tlp, UtcTime
from fenghuo.monitoring.submissions_models import Submission

CREATE = "monitoring.submissions.create"
VIEW = "monitoring.submissions.view"
RECEIVED = "monitoring.submission.received"
SUBMITTER_KINDS = frozenset({OrgKind.sector_department, OrgKind.provincial_department})
SUBMITTER_RULE = "submissions-from-departments"

_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # tabs and line breaks allowed
Title = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
LongText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=20_000, pattern=_TEXT)
]
OperatorName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
ScaleKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]


class SubmissionCreate(BaseModel):
    """A structured report of monitoring information (attachments are not taken yet)."""

    model_config = ConfigDict(extra="forbid")

    title: Title
    observed: Annotated[LongText, Field(min_length=1, description="What was seen.")]
    sectors: list[SectorCode] = Field(default_factory=list, max_length=50)
    regions: list[RegionCode] = Field(
        default_factory=list, max_length=100, description="GB/T 2260 codes."
    )
    operators: list[OperatorName] = Field(
        default_factory=list, max_length=200, description="The operators concerned, by name."
    )
    period_start: UtcTime
    period_end: UtcTime
    scale: dict[ScaleKey, NonNegativeInt] = Field(
        default_factory=dict,
        max_length=50,
        description='Numbers, e.g. {"hosts_affected": 12, "events": 3400}.',
    )
    assessment: LongText = ""
    measures: LongText = Field(default="", description="Recommended measures.")
    tlp: Tlp = DEFAULT_TLP

    @model_validator(mode="after")
    def _period_in_order(self) -> SubmissionCreate:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class SubmissionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    org_id: str
    org_name: str = Field(description="The submitting department.")
    submitted_by: str = Field(description="Who submitted it (username).")
    created_at: datetime = Field(description="When it was submitted.")
    title: str
    observed: str
    sectors: list[str]
    regions: list[str]
    operators: list[str]
    period_start: datetime
    period_end: datetime
    scale: dict[str, int]
    assessment: str
    measures: str
    tlp: str

    @classmethod
    def of(cls, submission: Submission) -> SubmissionRead:
        return cls.model_validate(
            {
                **{
                    name: getattr(submission, name)
                    for name in cls.model_fields
                    if name != "org_name"
                },
                "org_name": submission.organisation.name_en,
            }
        )


def check_submitter(org: OrgRef) -> None:
    """Only sector and provincial departments submit upward (Art. 52); refuse the others."""
    if org.kind not in SUBMITTER_KINDS:
        raise Refused(
            f"{org.name or org.id} is a {org.kind.replace('_', ' ')}; only sector and "
            "provincial departments submit monitoring information",
            rule=SUBMITTER_RULE,
            article="Art. 52",
        )


def _check_codes(submission_in: SubmissionCreate) -> None:
    known_sectors = accounts_policy.sectors()
    for index, code in enumerate(submission_in.sectors):
        if code not in known_sectors:
            raise Invalid(
                f"{code!r} is not a sector", field=f"sectors.{index}", rule="known-sector"
            )
    provinces = accounts_policy.regions()
    for index, code in enumerate(submission_in.regions):
        if code[:2] + "0000" not in provinces:
            raise Invalid(
                f"{code!r} is not in a GB/T 2260 province",
                field=f"regions.{index}",
                rule="gb-t-2260",
            )


def submit(*, session: Session, actor: Actor, submission_in: SubmissionCreate) -> Submission:
    """Record a department's submission (authorised, checked, audited, announced)."""
    if actor.org is None or actor.user_id is None:
        raise Refused(
            "a submission is made by a person of a department",
            rule=SUBMITTER_RULE,
            article="Art. 52",
        )
    org = accounts_service.get_or_raise(session=session, org_id=actor.org.id)
    target = Target(org=accounts_service.org_ref(org))
    decision = require(actor, CREATE, target)
    check_submitter(accounts_service.org_ref(org))
    _check_codes(submission_in)
    submission = Submission(
        org_id=org.id,
        submitted_by_id=actor.user_id,
        submitted_by=actor.label,
        **submission_in.model_dump(mode="python"),
    )
    submission.tlp = submission_in.tlp.value
    submission.period_start = clock.as_utc(submission_in.period_start)
    submission.period_end = clock.as_utc(submission_in.period_end)
    submission.organisation = org
    session.add(submission)
    session.flush()
    audit_service.record(
        session=session,
        actor=actor,
        action=CREATE,
        target_type="submission",
        target_id=submission.id,
        target_org_id=org.id,
        after=submission.state(),
        decision=decision,
        legal_basis="Art. 52",
        summary=f"{org.name_en} submitted {submission.title!r} ({submission.tlp})",
        details={
            "title": submission.title,
            "tlp": submission.tlp,
            "org_zh": org.name_zh,
            "org_en": org.name_en,
        },
    )
    emit(
        session,
        RECEIVED,
        {
            "submission_id": submission.id,
            "org_id": org.id,
            "submitted_by": actor.label,
            "title": submission.title,
            "tlp": submission.tlp,
        },
    )
    return submission


def list_(
    *, session: Session, scope: VisibilityScope, limit: int, offset: int
) -> tuple[list[Submission], int]:
    """Submissions of organisations within ``scope``, newest first, and how many in all."""
    query = (
        select(Submission)
        .join(Submission.organisation)
        .where(accounts_service.visible_orgs_clause(scope))
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = session.scalars(
        query.order_by(Submission.created_at.desc(), Submission.id).limit(limit).offset(offset)
    )
    return list(page.unique()), total


def received_since(*, session: Session, scope: VisibilityScope, since: datetime) -> list[datetime]:
    """When each submission of an organisation within ``scope`` arrived, from ``since``."""
    query = (
        select(Submission.created_at)
        .join(Submission.organisation)
        .where(accounts_service.visible_orgs_clause(scope), Submission.created_at >= since)
    )
    return list(session.scalars(query))


def get(*, session: Session, actor: Actor, submission_id: str) -> Submission:
    """One submission, if the actor may see its department's submissions."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(f"no submission {submission_id}")
    require(
        actor,
        VIEW,
        Target(
            org=accounts_service.org_ref(submission.organisation),
            description=f"submission {submission.id}",
        ),
    )
    return submission
