"""The rulebook: Sigma rules imported, versioned, enabled and disabled (Art. 51)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Depends, File, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from fenghuo.api.deps import ActorDep, SessionDep, SettingsDep, requires
from fenghuo.api.errors import PROBLEM_RESPONSES
from fenghuo.api.routes.lists import PLAIN_TEXT, IdPath, Page, PagingDep
from fenghuo.api.uploads import read_within
from fenghuo.detection import rulebook
from fenghuo.detection.rulebook import RuleFile
from fenghuo.errors import Invalid, NotFound
from fenghuo.settings import Settings

router = APIRouter(prefix="/api/v1/rules", tags=["rules"], responses=PROBLEM_RESPONSES)

Level = Literal["informational", "low", "medium", "high", "critical"]
Status = Literal["stable", "test", "experimental", "deprecated", "unsupported"]


class RuleRead(BaseModel):
    """A rule of the rulebook as of its current version."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    key: str = Field(description="The Sigma id, or title:<title> for a rule without one.")
    version: int
    enabled: bool
    title: str
    level: str
    status: str
    tags: list[str]
    product: str
    category: str
    service: str
    author: str = Field(description="Shown with every match (Detection Rule License 1.1).")
    compiles: bool
    reason: str | None = Field(description="Why the current version does not compile.")
    created_at: datetime
    updated_at: datetime


class RuleVersionRead(BaseModel):
    """One imported version of a rule (its text is at /versions/{number})."""

    model_config = ConfigDict(from_attributes=True)

    number: int
    sha256: str
    origin: str
    imported_by: str
    imported_at: datetime


class RuleVersionText(RuleVersionRead):
    """One version with its YAML text."""

    text: str


class RuleDetail(RuleRead):
    """A rule, its current YAML text and every version, newest first."""

    text: str
    versions: list[RuleVersionRead]


class RuleCountsRead(BaseModel):
    """How the whole rulebook splits (for the filters' labels)."""

    model_config = ConfigDict(from_attributes=True)

    total: int
    enabled: int
    not_compiling: int
    by_level: dict[str, int]
    by_status: dict[str, int]


class RulePage(Page[RuleRead]):
    """A page of rules by title, and the rulebook's counts."""

    counts: RuleCountsRead


class RuleDiff(BaseModel):
    """The unified diff between two versions."""

    old: int
    new: int
    diff: str


class ImportReportRead(BaseModel):
    """What an import did, by rule key."""

    model_config = ConfigDict(from_attributes=True)

    created: list[str]
    updated: list[str]
    unchanged: list[str]
    not_compiled: dict[str, str] = Field(description="Rule key -> why it does not compile.")
    skipped: dict[str, str] = Field(description="File -> why no rule was taken from it.")
    revision: int | None = Field(description="The rulebook's new revision, if it changed.")


class RuleSwitch(BaseModel):
    """Why a rule is enabled or disabled (kept in the audit trail)."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=3, max_length=500, pattern=PLAIN_TEXT)


def rule_filter(
    level: Annotated[Level | None, Query(description="The rule level.")] = None,
    tag: Annotated[
        str | None,
        Query(max_length=100, pattern=PLAIN_TEXT, description="A tag, e.g. attack.t1059."),
    ] = None,
    status: Annotated[Status | None, Query(description="The Sigma status.")] = None,
    enabled: Annotated[bool | None, Query(description="Enabled (true) or disabled.")] = None,
    compiles: Annotated[bool | None, Query(description="Compiles (true) or not.")] = None,
    q: Annotated[
        str | None, Query(max_length=200, pattern=PLAIN_TEXT, description="Part of the title.")
    ] = None,
) -> rulebook.RuleFilter:
    """The list filters as query parameters."""
    return rulebook.RuleFilter(level, tag, status, enabled, compiles, q)


@router.get("", summary="The rulebook's rules", dependencies=[Depends(requires(rulebook.VIEW))])
def list_rules(
    actor: ActorDep,
    session: SessionDep,
    paging: PagingDep,
    rule_filter: Annotated[rulebook.RuleFilter, Depends(rule_filter)],
) -> RulePage:
    """Rules matching the filters, by title, with the counts of the whole rulebook."""
    page = rulebook.list_rules(
        session=session,
        actor=actor,
        rule_filter=rule_filter,
        limit=paging.limit,
        offset=paging.offset,
    )
    return RulePage(
        items=[RuleRead.model_validate(r) for r in page.items],
        total=page.total,
        limit=paging.limit,
        offset=paging.offset,
        counts=RuleCountsRead.model_validate(page.counts),
    )


def _uploads(files: list[UploadFile], settings: Settings) -> list[RuleFile]:
    if len(files) > settings.rules_import_max_files:
        raise Invalid(
            f"at most {settings.rules_import_max_files} files", field="file", rule="zip-size"
        )
    found: list[RuleFile] = []
    for name, data in read_within(files, settings.rules_import_max_bytes, rule="zip-size"):
        if name.lower().endswith(".zip"):
            found += rulebook.files_from_zip(
                data,
                name=name,
                max_bytes=settings.rules_import_max_bytes,
                max_files=settings.rules_import_max_files,
            )
        elif name.lower().endswith((".yml", ".yaml")):
            found.append(RuleFile(name, data))
        else:
            raise Invalid(f"{name}: only .zip, .yml and .yaml", field="file", rule="file-type")
    return found


@router.post(
    "/import",
    summary="Import rules (.yml/.yaml files or .zip archives)",
    dependencies=[Depends(requires(rulebook.MANAGE))],
)
def import_rules(
    files: Annotated[list[UploadFile], File(description="Rule files or zip archives.")],
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> ImportReportRead:
    """New rules and new versions of changed ones, in one change (audited, announced)."""
    report = rulebook.import_files(session=session, actor=actor, files=_uploads(files, settings))
    return ImportReportRead.model_validate(report)


@router.get(
    "/{rule_id}",
    summary="One rule with its versions",
    dependencies=[Depends(requires(rulebook.VIEW))],
)
def read_rule(rule_id: IdPath, actor: ActorDep, session: SessionDep) -> RuleDetail:
    """The rule (by id or Sigma id), its current text and its versions, newest first."""
    detail = rulebook.get_rule(session=session, actor=actor, rule_id=rule_id)
    return RuleDetail(
        **RuleRead.model_validate(detail.rule).model_dump(),
        text=detail.versions[0].text,
        versions=[RuleVersionRead.model_validate(v) for v in detail.versions],
    )


@router.get(
    "/{rule_id}/versions/{number}",
    summary="One version of a rule, with its text",
    dependencies=[Depends(requires(rulebook.VIEW))],
)
def read_version(
    rule_id: IdPath, number: int, actor: ActorDep, session: SessionDep
) -> RuleVersionText:
    """The YAML text of one version as it was imported."""
    detail = rulebook.get_rule(session=session, actor=actor, rule_id=rule_id)
    for version in detail.versions:
        if version.number == number:
            return RuleVersionText.model_validate(version)
    raise NotFound(f"rule {detail.rule.key} has no version {number}")


@router.get(
    "/{rule_id}/diff",
    summary="The diff between two versions of a rule",
    dependencies=[Depends(requires(rulebook.VIEW))],
)
def diff_rule(
    rule_id: IdPath,
    actor: ActorDep,
    session: SessionDep,
    old: Annotated[int, Query(ge=1, description="The older version.")],
    new: Annotated[int, Query(ge=1, description="The newer version.")],
) -> RuleDiff:
    """A unified diff (difflib) from version ``old`` to version ``new``."""
    lines = rulebook.diff_versions(session=session, actor=actor, rule_id=rule_id, old=old, new=new)
    return RuleDiff(old=old, new=new, diff="\n".join(lines))


def _switch(
    rule_id: str, switch: RuleSwitch, actor: ActorDep, session: SessionDep, *, enabled: bool
) -> RuleRead:
    rule = rulebook.set_enabled(
        session=session, actor=actor, rule_id=rule_id, enabled=enabled, reason=switch.reason
    )
    return RuleRead.model_validate(rule)


@router.post(
    "/{rule_id}/enable", summary="Enable a rule", dependencies=[Depends(requires(rulebook.MANAGE))]
)
def enable_rule(
    rule_id: IdPath, switch: Annotated[RuleSwitch, Body()], actor: ActorDep, session: SessionDep
) -> RuleRead:
    """Enable the rule (audited with the reason); workers use it from their next batch."""
    return _switch(rule_id, switch, actor, session, enabled=True)


@router.post(
    "/{rule_id}/disable",
    summary="Disable a rule",
    dependencies=[Depends(requires(rulebook.MANAGE))],
)
def disable_rule(
    rule_id: IdPath, switch: Annotated[RuleSwitch, Body()], actor: ActorDep, session: SessionDep
) -> RuleRead:
    """Disable the rule (audited with the reason); workers stop it from their next batch."""
    return _switch(rule_id, switch, actor, session, enabled=False)
